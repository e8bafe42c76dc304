"""A private, real D-Bus session bus and a scriptable notification server for integration tests.

Nothing here is mocked: ``session_bus`` runs a throwaway ``dbus-daemon`` whose config has no
service directories (so no real notification daemon can be auto-started), and
``notification_server`` runs ``tests/support/notification_server.py`` on it as a separate process that
owns ``org.freedesktop.Notifications`` and records every Notify call.

Use the fixtures by importing them into a test module (pytest picks up imported fixtures)::

    from support.dbus_session import notification_server, session_bus  # noqa: F401

    def test_reminder(notification_server, session_bus):
        run_daemon(env=session_bus.env)          # DBUS_SESSION_BUS_ADDRESS points at the private bus
        [note] = notification_server.wait_for(1)
        notification_server.invoke_action(note["id"], "done")

If ``dbus-daemon`` is missing or the bus will not start, dependent tests are skipped, or fail
when ``CONNECT_REQUIRE_DBUS=1`` (set that in CI so the suite cannot silently go green).
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from jeepney import DBusAddress, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from jeepney.wrappers import DBusErrorResponse, unwrap_msg

REQUIRE_ENV = "CONNECT_REQUIRE_DBUS"
NOTIFICATIONS_NAME = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
NOTIFICATIONS_IFACE = "org.freedesktop.Notifications"
TEST_IFACE = "org.connect.Test"
DEFAULT_CAPABILITIES = ("actions", "body", "body-markup")
SERVER_SCRIPT = Path(__file__).with_name("notification_server.py")

NOTIFICATIONS = DBusAddress(NOTIFICATIONS_PATH, bus_name=NOTIFICATIONS_NAME, interface=NOTIFICATIONS_IFACE)
TEST_CONTROL = DBusAddress(NOTIFICATIONS_PATH, bus_name=NOTIFICATIONS_NAME, interface=TEST_IFACE)

START_TIMEOUT = 10.0  # generous: a loaded CI machine can be slow to start python + import jeepney
CALL_TIMEOUT = 10.0
WEEKLY_SUMMARY = "Your week together"
POLL = 0.01
# sun_path is 108 bytes on Linux; leave room for the NUL and be conservative.
MAX_SOCKET_PATH = 100

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <!-- A private session bus for tests. Deliberately NO <servicedir> and NO
       <standard_session_servicedirs/>: nothing can ever be auto-started. -->
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def dbus_unavailable(reason: str):
    """Skip the test, or fail it when CONNECT_REQUIRE_DBUS=1. Never returns."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


# ---------------------------------------------------------------------------------------------
# The bus
# ---------------------------------------------------------------------------------------------


def _read_address(process: subprocess.Popen, deadline: float) -> str | None:
    """Read the first line dbus-daemon prints with --print-address (None on EOF/timeout)."""
    fd = process.stdout.fileno()
    buf = b""
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while b"\n" not in buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not sel.select(remaining):
                return None
            chunk = os.read(fd, 4096)
            if not chunk:
                return None
            buf += chunk
    return buf.split(b"\n", 1)[0].decode().strip() or None


def _log_tail(path: Path, limit: int = 2000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    text = text.strip()
    return text[-limit:] if text else "(empty log)"


def start_session_bus(
    tmp_path: Path, *, dbus_daemon: str | None = None, timeout: float = START_TIMEOUT
) -> tuple[str, subprocess.Popen]:
    """Start a private dbus-daemon for a session bus; return (address, process).

    The config, socket and daemon log live in ``tmp_path/"dbus"`` (or a short directory under
    the system temp dir if that path would be too long for a unix socket). Stop it with
    :func:`stop_session_bus`. ``dbus_daemon`` overrides the binary (tests of the skip rule).
    """
    daemon = dbus_daemon if dbus_daemon is not None else shutil.which("dbus-daemon")
    if not daemon or not (os.path.isfile(daemon) and os.access(daemon, os.X_OK)):
        dbus_unavailable("dbus-daemon not installed: apt-get install dbus-daemon")

    workdir = Path(tmp_path) / "dbus"
    workdir.mkdir(parents=True, exist_ok=True)
    socket_dir, cleanup_dir = workdir, None
    if len(str(workdir / "bus")) > MAX_SOCKET_PATH:
        socket_dir = cleanup_dir = Path(tempfile.mkdtemp(prefix="connect-dbus-"))
    socket_path = socket_dir / "bus"
    config = workdir / "session.conf"
    config.write_text(BUS_CONFIG.format(socket=socket_path))
    log = workdir / "dbus-daemon.log"

    with open(log, "ab") as log_fh:
        process = subprocess.Popen(
            [daemon, f"--config-file={config}", "--nofork", "--print-address"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log_fh,
            start_new_session=True,  # a Ctrl-C in pytest must not race our own teardown
        )
    process.connect_cleanup_dir = cleanup_dir  # for stop_session_bus

    deadline = time.monotonic() + timeout
    address = _read_address(process, deadline)
    if address is None:
        stop_session_bus(process)
        rc = process.returncode
        dbus_unavailable(
            f"dbus-daemon failed to start (exit code {rc}, no address within {timeout:.0f}s): {_log_tail(log)}"
        )

    # --print-address is written once the socket listens; still prove a client gets through.
    last_error: Exception | None = None
    while True:
        try:
            open_dbus_connection(bus=address, auth_timeout=2.0).close()
            break
        except Exception as exc:  # noqa: BLE001 - any failure just means "not ready yet"
            last_error = exc
        if process.poll() is not None or time.monotonic() > deadline:
            stop_session_bus(process)
            dbus_unavailable(f"dbus-daemon at {address} does not accept connections ({last_error!r}): {_log_tail(log)}")
        time.sleep(POLL)
    return address, process


def stop_session_bus(process: subprocess.Popen, timeout: float = 5.0) -> None:
    """Terminate a bus from :func:`start_session_bus` (idempotent)."""
    stop_process(process, timeout)
    if process.stdout is not None:
        process.stdout.close()
    cleanup_dir = getattr(process, "connect_cleanup_dir", None)
    if cleanup_dir is not None:
        shutil.rmtree(cleanup_dir, ignore_errors=True)


def stop_process(process: subprocess.Popen, timeout: float) -> None:
    """SIGTERM, then SIGKILL when it does not exit within `timeout` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


@dataclass
class SessionBus:
    """A running private session bus."""

    address: str
    env: dict  # os.environ copy with DBUS_SESSION_BUS_ADDRESS = address; pass to subprocesses
    process: subprocess.Popen
    config: Path

    def connect(self) -> DBusConnection:
        """A new blocking jeepney connection to this bus (close it when done)."""
        return open_dbus_connection(bus=self.address)


@pytest.fixture
def session_bus(tmp_path: Path):
    """A private dbus-daemon session bus with no service directories; killed after the test."""
    address, process = start_session_bus(tmp_path)
    env = dict(os.environ)
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    try:
        yield SessionBus(address=address, env=env, process=process, config=Path(tmp_path) / "dbus" / "session.conf")
    finally:
        stop_session_bus(process)


# ---------------------------------------------------------------------------------------------
# Bus queries
# ---------------------------------------------------------------------------------------------


def call(conn: DBusConnection, msg, timeout: float = CALL_TIMEOUT) -> tuple:
    """Send a method call and return the reply body; raises DBusErrorResponse on an error reply."""
    return unwrap_msg(conn.send_and_get_reply(msg, timeout=timeout))


def name_has_owner(conn: DBusConnection, name: str = NOTIFICATIONS_NAME) -> bool:
    return bool(call(conn, message_bus.NameHasOwner(name))[0])


def name_owner_pid(conn: DBusConnection, name: str = NOTIFICATIONS_NAME) -> int | None:
    """PID of the process owning ``name``, or None if nobody owns it."""
    try:
        (owner,) = call(conn, message_bus.GetNameOwner(name))
        (pid,) = call(conn, message_bus.GetConnectionUnixProcessID(owner))
    except DBusErrorResponse:  # NameHasNoOwner, or the owner vanished between the two calls
        return None
    return pid


def wait_for_name(conn: DBusConnection, name: str, *, present: bool, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while name_has_owner(conn, name) != present:
        if time.monotonic() > deadline:
            state = "owned" if present else "released"
            pytest.fail(f"{name} was not {state} within {timeout:.0f}s", pytrace=False)
        time.sleep(POLL)


# ---------------------------------------------------------------------------------------------
# The notification server
# ---------------------------------------------------------------------------------------------


@dataclass
class NotificationServer:
    """Controller for tests/support/notification_server.py running on a :class:`SessionBus`.

    ``record`` is the JSON-lines file of Notify calls; it survives stop()/start().
    """

    bus: SessionBus
    record: Path
    log: Path
    capabilities: list[str] = field(default_factory=lambda: list(DEFAULT_CAPABILITIES))
    fail: bool = False
    process: subprocess.Popen | None = None
    _conn: DBusConnection | None = None

    @property
    def conn(self) -> DBusConnection:
        """The controller's own bus connection (not subscribed to any signal)."""
        if self._conn is None:
            self._conn = self.bus.connect()
        return self._conn

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(
        self,
        capabilities: list[str] | tuple[str, ...] | None = None,
        *,
        fail: bool = False,
        first_id: int | None = None,
        timeout: float = START_TIMEOUT,
    ) -> NotificationServer:
        """Start the server and wait until it owns org.freedesktop.Notifications.

        capabilities: None means DEFAULT_CAPABILITIES ("actions", "body", "body-markup").
        fail: answer every Notify with org.freedesktop.DBus.Error.Failed (still recorded).
        first_id: first id to hand out; default continues after the highest recorded id.
        """
        if self.running:
            raise RuntimeError("notification server already running; stop() it first")
        self.capabilities = list(DEFAULT_CAPABILITIES if capabilities is None else capabilities)
        self.fail = fail
        argv = [
            sys.executable,
            str(SERVER_SCRIPT),
            "--address",
            self.bus.address,
            "--record",
            str(self.record),
            "--capabilities",
            ",".join(self.capabilities),
        ]
        if fail:
            argv.append("--fail")
        if first_id is not None:
            argv += ["--first-id", str(first_id)]
        with open(self.log, "ab") as log_fh:
            self.process = subprocess.Popen(
                argv,
                env=self.bus.env,
                stdin=subprocess.DEVNULL,
                stdout=log_fh,
                stderr=log_fh,
                start_new_session=True,
            )

        deadline = time.monotonic() + timeout
        while name_owner_pid(self.conn) != self.process.pid:
            if self.process.poll() is not None:
                pytest.fail(
                    f"notification server exited with code {self.process.returncode} before owning "
                    f"{NOTIFICATIONS_NAME}:\n{_log_tail(self.log)}",
                    pytrace=False,
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"notification server did not own {NOTIFICATIONS_NAME} within {timeout:.0f}s:\n"
                    f"{_log_tail(self.log)}",
                    pytrace=False,
                )
            time.sleep(POLL)
        return self

    def stop(self, timeout: float = START_TIMEOUT) -> None:
        """Terminate the server and wait until its name has left the bus (idempotent)."""
        if self.process is not None:
            stop_process(self.process, timeout)
        if self.bus.process.poll() is None:
            wait_for_name(self.conn, NOTIFICATIONS_NAME, present=False, timeout=timeout)

    def shutdown(self) -> None:
        """Fixture teardown: stop the server and close the controller connection."""
        try:
            if self.process is not None:
                stop_process(self.process, 5.0)
        finally:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- what the server saw ------------------------------------------------------------------
    def notifications(self) -> list[dict]:
        """Every recorded Notify call so far, oldest first (failed ones have "failed": true)."""
        try:
            text = self.record.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        # Only complete lines: the server writes a whole line then fsyncs, before replying.
        return [json.loads(line) for line in text.splitlines(keepends=True) if line.endswith("\n")]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict]:
        """Poll until at least ``count`` notifications are recorded; return all of them."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.notifications()
            if len(seen) >= count:
                return seen
            if time.monotonic() > deadline:
                pytest.fail(
                    f"expected at least {count} notification(s) within {timeout:.0f}s, saw {len(seen)}:\n"
                    + json.dumps(seen, indent=2)
                    + f"\nserver running: {self.running}; server log:\n{_log_tail(self.log)}",
                    pytrace=False,
                )
            time.sleep(POLL)

    def wait_for_reminders(self, count: int, timeout: float = 10.0) -> list[dict]:
        """Like wait_for, leaving out the weekly summary: a daemon on the real clock may send it on a
        Sunday evening, with settings it read while a test had its folder away."""
        deadline = time.monotonic() + timeout
        while True:
            seen = [n for n in self.notifications() if n["summary"] != WEEKLY_SUMMARY]
            if len(seen) >= count:
                return seen
            if time.monotonic() > deadline:
                pytest.fail(
                    f"expected at least {count} reminder(s) within {timeout:.0f}s:\n"
                    + json.dumps(self.notifications(), indent=2),
                    pytrace=False,
                )
            time.sleep(POLL)

    # -- make the server act like a user ------------------------------------------------------
    def invoke_action(self, notification_id: int, action_key: str) -> None:
        """Broadcast ActionInvoked(notification_id, action_key), as if the user clicked it.

        Returns once the signal has been sent to the bus.
        """
        call(self.conn, new_method_call(TEST_CONTROL, "InvokeAction", "us", (notification_id, action_key)))

    def close(self, notification_id: int, reason: int = 2) -> None:
        """Broadcast NotificationClosed(notification_id, reason); 2 = dismissed by the user."""
        call(self.conn, new_method_call(TEST_CONTROL, "EmitClosed", "uu", (notification_id, reason)))


@pytest.fixture
def notification_server(request, session_bus: SessionBus, tmp_path: Path):
    """tests/support/notification_server.py running on ``session_bus``, owning org.freedesktop.Notifications.

    Capabilities default to DEFAULT_CAPABILITIES; override per test with indirect
    parametrisation: ``@pytest.mark.parametrize("notification_server", [["body"]], indirect=True)``.
    """
    workdir = Path(tmp_path) / "dbus"
    workdir.mkdir(parents=True, exist_ok=True)
    server = NotificationServer(
        bus=session_bus, record=workdir / "notifications.jsonl", log=workdir / "notification-server.log"
    )
    try:
        server.start(capabilities=getattr(request, "param", None))
        yield server
    finally:
        server.shutdown()
