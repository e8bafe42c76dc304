"""The D-Bus test harness itself: a real private bus, a real notification server, real clients."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections import deque
from xml.etree import ElementTree

import pytest
from jeepney import MatchRule, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.wrappers import DBusErrorResponse

from support.dbus_session import (  # noqa: F401  (imported fixtures are picked up by pytest)
    DEFAULT_CAPABILITIES,
    NOTIFICATIONS,
    NOTIFICATIONS_NAME,
    REQUIRE_ENV,
    call,
    name_has_owner,
    notification_server,
    session_bus,
    start_session_bus,
)

SIGNAL_TIMEOUT = 10.0


def notify(
    conn,
    summary="Hug",
    body="A long one",
    actions=("done", "Done"),
    hints=None,
    replaces_id=0,
    expire_timeout=-1,
    app_name="connect",
):
    msg = new_method_call(
        NOTIFICATIONS,
        "Notify",
        "susssasa{sv}i",
        (app_name, replaces_id, "", summary, body, list(actions), hints or {}, expire_timeout),
    )
    (nid,) = call(conn, msg)
    return nid


def subscribe(conn, member):
    """AddMatch on the bus AND a local filter; returns the deque the signals land in."""
    rule = MatchRule(type="signal", interface="org.freedesktop.Notifications", member=member)
    call(conn, message_bus.AddMatch(rule))
    # bufsize defaults to 1 (older signals are dropped); an unbounded deque keeps them all.
    return conn.filter(rule, queue=deque())


@pytest.fixture
def client(session_bus):
    conn = session_bus.connect()
    yield conn
    conn.close()


def test_get_capabilities_and_notify(notification_server, client):
    assert call(client, new_method_call(NOTIFICATIONS, "GetCapabilities")) == (list(DEFAULT_CAPABILITIES),)
    assert notification_server.capabilities == list(DEFAULT_CAPABILITIES)
    assert call(client, new_method_call(NOTIFICATIONS, "GetServerInformation")) == (
        "connect-test",
        "connect",
        "1.0",
        "1.2",
    )
    assert notify(client) == 1


def test_notify_is_recorded(notification_server, client):
    hints = {"urgency": ("y", 1), "category": ("s", "reminder"), "nested": ("v", ("i", 7)), "raw": ("ay", b"\x01\x02")}
    nid = notify(
        client,
        summary="Ask about their day",
        body="<b>Two</b> questions",
        actions=["done", "Done", "snooze", "Later"],
        hints=hints,
        expire_timeout=5000,
    )
    [note] = notification_server.wait_for(1)
    assert note["id"] == nid
    assert note["app_name"] == "connect"
    assert note["summary"] == "Ask about their day"
    assert note["body"] == "<b>Two</b> questions"
    assert note["actions"] == ["done", "Done", "snooze", "Later"]
    assert note["hints"] == {"urgency": 1, "category": "reminder", "nested": 7, "raw": [1, 2]}
    assert note["expire_timeout"] == 5000
    assert note["replaces_id"] == 0
    assert isinstance(note["time"], float)
    assert "failed" not in note


def test_ids_increase_and_replaces_id_is_kept(notification_server, client):
    ids = [notify(client, summary=f"n{i}") for i in range(3)]
    assert ids == [1, 2, 3]
    assert notify(client, summary="update", replaces_id=2) == 2
    assert notify(client, summary="next") == 4
    assert [n["id"] for n in notification_server.wait_for(5)] == [1, 2, 3, 2, 4]


def test_invoke_action_reaches_a_subscribed_client(notification_server, client):
    nid = notify(client)
    with subscribe(client, "ActionInvoked") as signals:
        notification_server.invoke_action(nid, "done")
        msg = client.recv_until_filtered(signals, timeout=SIGNAL_TIMEOUT)
    assert msg.body == (nid, "done")
    assert msg.header.fields[2] == "org.freedesktop.Notifications"  # interface
    assert msg.header.fields[1] == "/org/freedesktop/Notifications"  # path
    # Gotcha for client code: the sender header is the server's *unique* name (":1.N"), so a
    # local jeepney filter with sender="org.freedesktop.Notifications" never matches. (The bus
    # resolves well-known senders in AddMatch rules; jeepney's local MatchRule.matches does not.)
    assert msg.header.fields[7].startswith(":")
    strict = MatchRule(
        type="signal", sender=NOTIFICATIONS_NAME, interface="org.freedesktop.Notifications", member="ActionInvoked"
    )
    assert not strict.matches(msg)


def test_signals_are_kept_while_a_method_call_waits_for_its_reply(notification_server, client):
    nid = notify(client)
    with subscribe(client, "ActionInvoked") as signals:
        notification_server.invoke_action(nid, "snooze")
        # The signal reaches our socket before this call's reply; send_and_get_reply routes it
        # into the filter's queue instead of dropping it.
        call(client, new_method_call(NOTIFICATIONS, "GetCapabilities"))
        assert [m.body for m in signals] == [(nid, "snooze")]


def test_close_signals(notification_server, client):
    nid = notify(client)
    with subscribe(client, "NotificationClosed") as signals:
        notification_server.close(nid)  # as if dismissed by the user
        assert client.recv_until_filtered(signals, timeout=SIGNAL_TIMEOUT).body == (nid, 2)
        notification_server.close(nid, reason=1)  # expired
        assert client.recv_until_filtered(signals, timeout=SIGNAL_TIMEOUT).body == (nid, 1)
        call(client, new_method_call(NOTIFICATIONS, "CloseNotification", "u", (nid,)))
        assert client.recv_until_filtered(signals, timeout=SIGNAL_TIMEOUT).body == (nid, 3)


def test_stop_makes_the_name_disappear_and_start_brings_it_back(notification_server, client):
    assert notify(client, summary="before") == 1
    notification_server.stop()
    assert not notification_server.running
    assert notification_server.process.returncode == 0  # clean exit on SIGTERM
    assert not name_has_owner(client)
    with pytest.raises(DBusErrorResponse) as excinfo:
        notify(client, summary="while away")
    assert excinfo.value.name == "org.freedesktop.DBus.Error.ServiceUnknown"

    notification_server.start(capabilities=["body"])
    assert name_has_owner(client)
    assert call(client, new_method_call(NOTIFICATIONS, "GetCapabilities")) == (["body"],)
    assert notify(client, summary="after") == 2  # ids continue after the recorded ones
    assert [n["summary"] for n in notification_server.wait_for(2)] == ["before", "after"]

    notification_server.stop()
    notification_server.start(first_id=1)  # a server that really starts over
    assert notify(client, summary="reset") == 1
    assert notification_server.capabilities == list(DEFAULT_CAPABILITIES)


def test_start_twice_is_an_error(notification_server):
    with pytest.raises(RuntimeError):
        notification_server.start()


@pytest.mark.parametrize("notification_server", [[]], indirect=True)
def test_capabilities_can_be_chosen_per_test(notification_server, client):
    assert notification_server.capabilities == []
    assert call(client, new_method_call(NOTIFICATIONS, "GetCapabilities")) == ([],)


def test_fail_mode_answers_notify_with_an_error(notification_server, client):
    notification_server.stop()
    notification_server.start(fail=True)
    with pytest.raises(DBusErrorResponse) as excinfo:
        notify(client, summary="doomed")
    assert excinfo.value.name == "org.freedesktop.DBus.Error.Failed"
    [note] = notification_server.wait_for(1)
    assert note["failed"] is True
    assert note["summary"] == "doomed"
    assert note["id"] is None


def test_unknown_methods_and_bad_signatures_are_errors(notification_server, client):
    with pytest.raises(DBusErrorResponse) as excinfo:
        call(client, new_method_call(NOTIFICATIONS, "Frobnicate"))
    assert excinfo.value.name == "org.freedesktop.DBus.Error.UnknownMethod"
    with pytest.raises(DBusErrorResponse) as excinfo:
        call(client, new_method_call(NOTIFICATIONS, "Notify", "s", ("too short",)))
    assert excinfo.value.name == "org.freedesktop.DBus.Error.InvalidArgs"
    assert notification_server.notifications() == []


def test_bus_has_no_service_directories(session_bus, client):
    config = ElementTree.parse(session_bus.config).getroot()
    assert [child.tag for child in config] == ["type", "listen", "auth", "policy"]
    assert not [el.tag for el in config.iter() if "servicedir" in el.tag or "servicehelper" in el.tag]
    assert call(client, message_bus.ListActivatableNames()) == (["org.freedesktop.DBus"],)
    # Nobody owns the name and nothing may be auto-started: the call fails straight away.
    with pytest.raises(DBusErrorResponse) as excinfo:
        notify(client)
    assert excinfo.value.name == "org.freedesktop.DBus.Error.ServiceUnknown"


def test_subprocess_finds_the_bus_through_its_environment(notification_server, session_bus):
    """What the daemon under test does: open the SESSION bus named by DBUS_SESSION_BUS_ADDRESS."""
    script = textwrap.dedent(
        """
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection
        from jeepney.wrappers import unwrap_msg
        addr = DBusAddress("/org/freedesktop/Notifications", bus_name="org.freedesktop.Notifications",
                           interface="org.freedesktop.Notifications")
        with open_dbus_connection(bus="SESSION") as conn:
            msg = new_method_call(addr, "Notify", "susssasa{sv}i",
                                  ("connect", 0, "", "From a child", "", [], {}, -1))
            print(unwrap_msg(conn.send_and_get_reply(msg, timeout=10))[0])
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], env=session_bus.env, capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "1"
    assert notification_server.wait_for(1)[0]["summary"] == "From a child"


def test_record_file_is_json_lines(notification_server, client):
    notify(client, summary="one")
    notify(client, summary="two")
    lines = notification_server.record.read_text().splitlines()
    assert [json.loads(line)["summary"] for line in lines] == ["one", "two"]


@pytest.mark.parametrize(
    "daemon, reason",
    [
        ("/nonexistent/dbus-daemon", "dbus-daemon not installed: apt-get install dbus-daemon"),
        ("/bin/false", "dbus-daemon failed to start"),
    ],
)
def test_missing_or_broken_dbus_daemon_skips_or_fails(tmp_path, monkeypatch, daemon, reason):
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match=reason):
        start_session_bus(tmp_path, dbus_daemon=daemon)
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match=reason):
        start_session_bus(tmp_path, dbus_daemon=daemon)
