"""The real `connect daemon run`, as a process, against a real notification server on a private bus.

Reminder times are set a minute in the past (the daemon catches up on start, within the
grace) or at the next minute of the real clock (the loop must wake for it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from support import raw_tables
from support.daemon_process import cli, hhmm, not_at_midnight, run_daemon  # noqa: F401  (fixtures)


def test_a_due_habit_notifies_once_a_done_one_does_not_and_sigterm_is_clean(cli, run_daemon, notification_server):
    minute_ago = hhmm(datetime.now() - timedelta(minutes=1))
    assert cli("add", "<b>x</b> & co", "--at", minute_ago).returncode == 0
    assert cli("add", "Walk", "--at", minute_ago).returncode == 0
    assert cli("done", "walk").returncode == 0
    daemon = run_daemon()
    [note] = notification_server.wait_for(1)
    assert note["summary"] == "<b>x</b> & co"  # the summary is plain text: it shows literally
    snoozes = ["connect-snooze", "Snooze 15 min", "connect-snooze-hour", "Snooze 1 hour"]
    assert note["actions"][:6] == ["connect-done", "Done", *snoozes]
    assert note["actions"][6:] in ([], ["connect-snooze-evening", "This evening"])  # offered before 19:30
    assert "This week" in note["body"]
    time.sleep(2)
    assert len(notification_server.notifications()) == 1
    assert daemon.terminate() < 2.0
    assert "stopped" in daemon.output()
    assert all(line.count("\n") == 0 for line in daemon.output().splitlines())
    assert "\x1b[" not in daemon.output()

    again = run_daemon()  # a restart does not repeat it
    again.wait_started()
    time.sleep(1)
    assert len(notification_server.notifications()) == 1
    again.terminate()


def test_done_from_the_notification_logs_a_check_in(cli, run_daemon, notification_server, home):
    cli("add", "Walk", "--at", hhmm(datetime.now() - timedelta(minutes=1)))
    daemon = run_daemon()
    [note] = notification_server.wait_for(1)
    notification_server.invoke_action(note["id"], "connect-done")
    daemon.wait_for_log("marked done from the notification")
    assert [c["source"] for c in raw_tables(home)["checkins"]] == ["notification"]
    week = json.loads(cli("week", "--json").stdout)
    assert week["habits"][0]["days"][datetime.now().date().isoformat()] == "done"
    daemon.terminate()


def test_user_text_in_the_body_is_escaped_for_a_server_with_markup(cli, run_daemon, notification_server, home):
    now = datetime.now()
    (home / "config.toml").parent.mkdir(parents=True, exist_ok=True)
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[(now - timedelta(minutes=1)).weekday()]
    (home / "config.toml").write_text(f'summary_at = "{weekday} {hhmm(now - timedelta(minutes=1))}"\n')
    cli("add", "<b>x</b> & co")
    daemon = run_daemon()
    [summary] = notification_server.wait_for(1)
    assert summary["summary"] == "Your week together"
    assert "&lt;b&gt;x&lt;/b&gt; &amp; co" in summary["body"]
    daemon.terminate()


@pytest.mark.parametrize("notification_server", [["body"]], indirect=True)
def test_a_server_without_markup_or_actions_gets_plain_text_and_no_buttons(cli, run_daemon, notification_server, home):
    now = datetime.now()
    (home).mkdir(parents=True, exist_ok=True)
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[(now - timedelta(minutes=1)).weekday()]
    (home / "config.toml").write_text(f'summary_at = "{weekday} {hhmm(now - timedelta(minutes=1))}"\n')
    cli("add", "<b>x</b> & co", "--at", hhmm(now - timedelta(minutes=1)))
    daemon = run_daemon()
    notes = {n["summary"]: n for n in notification_server.wait_for(2)}
    # On the first day of a week the summary is of the week before, where the habit had no due day:
    # what it says of the habit is the day's business; that the name shows as typed is this test's.
    body = notes["Your week together"]["body"]
    assert body.startswith("<b>x</b> & co: ") and "&lt;" not in body and "&amp;" not in body
    assert notes["<b>x</b> & co"]["actions"] == []
    daemon.terminate()


def test_quiet_hours_hold(cli, run_daemon, notification_server, home):
    now = datetime.now()
    home.mkdir(parents=True, exist_ok=True)
    window = f"{hhmm(now - timedelta(minutes=5))}-{hhmm(now + timedelta(minutes=5))}"
    (home / "config.toml").write_text(f'quiet_hours = "{window}"\n')
    cli("add", "Walk", "--at", hhmm(now - timedelta(minutes=1)))
    daemon = run_daemon()
    daemon.wait_started()
    time.sleep(1.5)
    assert notification_server.notifications() == []
    daemon.terminate()


def test_the_server_going_away_and_coming_back_does_not_kill_the_daemon(cli, run_daemon, notification_server):
    cli("add", "Walk", "--at", hhmm(datetime.now() - timedelta(minutes=1)))
    notification_server.stop()
    daemon = run_daemon()
    daemon.wait_for_log("could not send")
    assert daemon.process.poll() is None
    notification_server.start()
    [note] = notification_server.wait_for(1, timeout=45)  # retried at the next event (30 s)
    assert note["summary"] == "Walk"
    daemon.terminate()


def test_the_loop_wakes_at_a_reminder_added_while_it_runs(cli, run_daemon, notification_server):
    """The whole path: a CLI change reaches the running daemon, which wakes on time for it."""
    daemon = run_daemon()
    daemon.wait_started()
    target = (datetime.now() + timedelta(minutes=1)).replace(second=0, microsecond=0)
    if (target - datetime.now()).total_seconds() < 10:
        target += timedelta(minutes=1)
    assert cli("add", "Walk", "--at", hhmm(target)).returncode == 0
    daemon.wait_for_log("loaded 1 habits", timeout=5)  # the change reached it within 5 seconds
    assert cli("add", "Tech-free time", "--goal", "2h/week").returncode == 0
    before = time.time()
    assert cli("unplug", "1m").returncode == 0
    session_end = time.time() + 60  # the start is stored to the second, so it may end up to 1 s sooner
    wait = max(target.timestamp(), session_end) - time.time() + 10
    notes = {n["summary"]: n for n in notification_server.wait_for(2, timeout=wait)}
    late = notes["Walk"]["time"] - target.timestamp()
    assert 0 <= late <= 2.0, f"fired {late:.2f} s after its time"
    assert before + 59 <= notes["Tech-free time is over: 1 min"]["time"] <= session_end + 3.0
    week = json.loads(cli("week", "--json").stdout)
    tech = next(h for h in week["habits"] if h["slug"] == "tech-free-time")
    assert tech["progress"]["done"] == 1  # logged once, by the daemon
    os.kill(daemon.process.pid, signal.SIGHUP)
    daemon.wait_for_log("SIGHUP: reloading")
    assert len(notification_server.notifications()) == 2
    daemon.terminate()


def test_daemon_test_reports_the_backend_and_delivery(cli, notification_server):
    result = cli("daemon", "test")
    assert result.returncode == 0, result.stderr
    assert "dbus" in result.stdout and "accepted" in result.stdout
    assert notification_server.notifications()[0]["summary"] == "connect: test notification"
    notification_server.stop()
    failed = cli("daemon", "test")
    assert failed.returncode == 1
    assert failed.stderr.count("\n") == 1 and failed.stderr.startswith("Error: ") and "dbus" in failed.stderr


def test_a_second_daemon_for_the_same_home_refuses_to_start(run_daemon, notification_server):
    first = run_daemon()
    first.wait_started()
    second = run_daemon()
    assert second.process.wait(timeout=20) == 3  # the unit does not restart on this status
    assert "already running" in second.output()
    first.terminate()


def test_daemon_status_shows_running_backend_and_last_sent(cli, run_daemon, notification_server):
    cli("add", "Walk", "--at", hhmm(datetime.now() - timedelta(minutes=1)))
    assert "not running" in cli("daemon", "status").stdout
    daemon = run_daemon()
    notification_server.wait_for(1)
    daemon.wait_started()
    status = json.loads(cli("daemon", "status", "--json").stdout)
    assert (status["running"], status["pid"], status["backend"]) == (True, daemon.process.pid, "dbus")
    assert status["last"][-1]["title"] == "Walk" and status["last"][-1]["ok"] is True
    daemon.terminate()
    assert json.loads(cli("daemon", "status", "--json").stdout)["running"] is False


HUNG_SERVER = """
import sys, time
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection
conn = open_dbus_connection(bus=sys.argv[1])
conn.send_and_get_reply(message_bus.RequestName("org.freedesktop.Notifications"), timeout=5)
print("owned", flush=True)
time.sleep(600)  # owns the name, never answers a call
"""


def test_sigterm_is_clean_within_2_seconds_even_while_the_server_hangs(cli, run_daemon, session_bus):
    for name in ("Walk", "Talk", "Thanks"):
        cli("add", name, "--at", hhmm(datetime.now() - timedelta(minutes=1)))
    hung = subprocess.Popen([sys.executable, "-c", HUNG_SERVER, session_bus.address], stdout=subprocess.PIPE, text=True)
    try:
        assert hung.stdout.readline().strip() == "owned"
        daemon = run_daemon()
        daemon.wait_for_log("could not send")
        assert daemon.terminate() < 2.0
    finally:
        hung.kill()
        hung.wait()


def voluntary_switches(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("voluntary_ctxt_switches:"):
            return int(line.split()[1])
    raise AssertionError("no voluntary_ctxt_switches in /proc")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc to count wake-ups")
def test_the_idle_daemon_does_not_poll(cli, run_daemon, notification_server):
    cli("add", "Walk", "--at", hhmm(datetime.now() + timedelta(hours=3)))
    daemon = run_daemon()
    daemon.wait_started()
    time.sleep(0.5)
    before = voluntary_switches(daemon.process.pid)
    time.sleep(6)
    woke = voluntary_switches(daemon.process.pid) - before
    assert woke <= 3, f"{woke} wake-ups in 6 idle seconds"  # a once-a-second loop would show 6 or more
    daemon.terminate()


def test_a_damaged_data_file_is_logged_and_the_daemon_keeps_running(cli, run_daemon, notification_server, home):
    cli("add", "Walk", "--at", hhmm(datetime.now() + timedelta(hours=3)))
    daemon = run_daemon()
    daemon.wait_started()
    data = home / "connect.json"
    good = data.read_bytes()
    data.write_bytes(good[: len(good) // 2])  # a truncated file, as a full disk or a bad copy leaves it
    daemon.wait_for_log("not valid JSON")
    assert daemon.process.poll() is None
    assert data.read_bytes() == good[: len(good) // 2]  # never overwritten
    data.write_bytes(good)  # restored from a backup
    cli("add", "Talk", "--at", hhmm(datetime.now() - timedelta(minutes=1)))
    [note] = notification_server.wait_for(1, timeout=45)
    assert note["summary"] == "Talk"
    assert daemon.terminate() < 2.0
