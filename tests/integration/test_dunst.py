"""The real `connect daemon run` against dunst, a notification server that is not ours (issue 17).

Each test starts its own desktop: Xvfb on a display it picks itself (`-displayfd`), a private D-Bus
session bus (support/dbus_session.py: no service directories, so nothing else can be started on it) and
dunst on both, with a minimal config of its own. Then the real daemon runs on that bus and the test
looks at what dunst got through `dunstctl`: its history (JSON) and its context menu.

What dunst can show, it is asked here: the reminder's title and body, that reminders of one minute
arrive as one notification, and that Done works. dunst 1.9 invokes an action only through its context
menu (`dunstctl context`), which it hands to a dmenu-like program: the config names a small script as
`dmenu`, which keeps the menu dunst offered and picks the line of our Done button, so dunst itself emits
ActionInvoked, as it does when a user picks Done. What dunst cannot show stays with our test server
(test_daemon_dbus.py): the exact Notify calls and their timing, servers without markup or actions, a
server that fails, hangs, goes away or closes a notification with a given reason.

No test reads the real clock: every `connect` process (the daemon too) runs with the wall clock moved
to a Thursday morning by tests/support/wallclock, as `make test-moved-clock` does, and ticking from there.

Without dunst, dunstctl (and the dbus-send it calls), Xvfb or dbus-daemon the tests skip, unless
CONNECT_REQUIRE_DUNST=1 (CI), which makes that a failure. Written against dunst 1.9.0 (Debian 12).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import selectors
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from support import CONNECT, raw_tables
from support.daemon_process import DaemonProcess, moved_clock_env
from support.dbus_session import name_owner_pid, start_session_bus, stop_process, stop_session_bus

REQUIRE_ENV = "CONNECT_REQUIRE_DUNST"
MOVED_TO = "2026-11-26T10:00:30"  # a Thursday: reminders at 10:00 are half a minute late, well within the grace
TODAY = "2026-11-26"
DUE = "10:00"
# Created on a Thursday, a daily habit has four days left this week.
WEEK = "0/4 · streak 0 days"

START_TIMEOUT = 15.0
WAIT_TIMEOUT = 20.0
POLL = 0.05

# The menu script dunst runs as its `dmenu`: it keeps the menu (one line per button of each displayed
# notification, `#LABEL (SUMMARY) [ID,ACTION]` in dunst 1.9) and answers with the line of our Done button.
MENU_SCRIPT = """#!/bin/sh
cat > {menu}.part && mv {menu}.part {menu}
grep -m1 ',connect-done\\]$' {menu}
"""
MENU_LINE = re.compile(r"^#(?P<label>.*) \((?P<summary>.*)\) \[(?P<id>\d+),(?P<action>[^\]]*)\]$")

# Notifications stay until closed (timeout 0): the context menu only offers displayed ones, and a test
# that reads the history closes them first, as a user dismissing them would. markup = full is what
# Debian's /etc/xdg/dunst/dunstrc sets: dunst then offers body-markup and the daemon sends escaped text.
DUNSTRC = """[global]
    markup = full
    idle_threshold = 0
    history_length = 50
    sticky_history = yes
    show_indicators = no
    dmenu = {dmenu}

[urgency_low]
    timeout = 0

[urgency_normal]
    timeout = 0

[urgency_critical]
    timeout = 0
"""


def unavailable(reason: str):
    """Skip the test, or fail it when CONNECT_REQUIRE_DUNST=1. Never returns."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(f"{reason}; set {REQUIRE_ENV}=1 to fail instead of skipping")


def tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        unavailable(f"{name} is not installed (Debian: apt-get install {package})")
    return path


def log_tail(path: Path, limit: int = 2000) -> str:
    try:
        text = path.read_text(errors="replace").strip()
    except OSError:
        return "(no log)"
    return text[-limit:] if text else "(empty log)"


def terminate(process: subprocess.Popen, timeout: float = 5.0) -> None:
    stop_process(process, timeout)


def start_xvfb(workdir: Path, cleanup: contextlib.ExitStack) -> str:
    """Xvfb on a free display it picks itself; returns the DISPLAY value once the server accepts clients."""
    xvfb = tool("Xvfb", "xvfb")
    log = workdir / "xvfb.log"
    read_end, write_end = os.pipe()
    try:
        with open(log, "wb") as log_fh:
            process = subprocess.Popen(
                [xvfb, "-displayfd", str(write_end), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
                stdin=subprocess.DEVNULL,
                stdout=log_fh,
                stderr=log_fh,
                pass_fds=(write_end,),
                start_new_session=True,
            )
        cleanup.callback(terminate, process)
        os.close(write_end)
        write_end = -1
        # Xvfb writes the display number once it is ready for clients.
        number = b""
        deadline = time.monotonic() + START_TIMEOUT
        with selectors.DefaultSelector() as selector:
            selector.register(read_end, selectors.EVENT_READ)
            while not number.endswith(b"\n"):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    break
                chunk = os.read(read_end, 64)
                if not chunk:
                    break
                number += chunk
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
    if not number.strip().isdigit():
        unavailable(f"Xvfb did not start (exit code {process.poll()}): {log_tail(log)}")
    return f":{number.strip().decode()}"


@dataclass
class Desktop:
    """Xvfb, a private session bus and dunst on both; `env` reaches all three."""

    env: dict
    dunst: subprocess.Popen
    dunst_log: Path
    menu: Path  # the last context menu dunst offered, as its dmenu script received it
    dunstctl_path: str

    def dunstctl(self, *args: str) -> str:
        result = subprocess.run(
            [self.dunstctl_path, *args], env=self.env, capture_output=True, text=True, timeout=WAIT_TIMEOUT
        )
        assert result.returncode == 0, f"dunstctl {' '.join(args)}: {result.stderr}\ndunst log:\n{self.log()}"
        return result.stdout

    def log(self) -> str:
        return log_tail(self.dunst_log)

    def count(self, which: str) -> int:
        return int(self.dunstctl("count", which).strip())

    def history(self) -> list[dict]:
        """Closed notifications, newest first, as plain dicts (dunstctl wraps each value in type/data)."""
        [notifications] = json.loads(self.dunstctl("history"))["data"]
        return [{key: value["data"] for key, value in note.items()} for note in notifications]

    def wait_until(self, what: str, condition) -> None:
        deadline = time.monotonic() + WAIT_TIMEOUT
        while not condition():
            assert self.dunst.poll() is None, f"dunst exited with {self.dunst.returncode}:\n{self.log()}"
            assert time.monotonic() < deadline, f"{what}: not within {WAIT_TIMEOUT:.0f} s\ndunst log:\n{self.log()}"
            time.sleep(POLL)

    def dismiss_all(self) -> list[dict]:
        """Close every notification dunst has (as a user would) and return its whole history."""
        self.dunstctl("close-all")
        self.wait_until("dunst emptied its screen", lambda: self.count("displayed") + self.count("waiting") == 0)
        return self.history()


@pytest.fixture
def desktop(tmp_path: Path):
    """Xvfb, a private session bus and dunst, all stopped after the test whatever happened."""
    dunst = tool("dunst", "dunst")
    dunstctl = tool("dunstctl", "dunst")
    tool("dbus-send", "dbus-bin")  # dunstctl talks to dunst through it
    tool("dbus-daemon", "dbus-daemon")
    workdir = tmp_path / "desktop"
    workdir.mkdir()
    with contextlib.ExitStack() as cleanup:
        display = start_xvfb(workdir, cleanup)
        try:
            address, bus = start_session_bus(workdir)
        except pytest.skip.Exception as skipped:  # dbus_session skips unless CONNECT_REQUIRE_DBUS=1
            unavailable(str(skipped))
        cleanup.callback(stop_session_bus, bus)

        env = {key: value for key, value in os.environ.items() if key not in ("WAYLAND_DISPLAY", "XAUTHORITY")}
        env.update(
            DISPLAY=display,
            DBUS_SESSION_BUS_ADDRESS=address,
            XDG_CONFIG_HOME=str(workdir / "config"),  # no dunstrc of the user's can sneak in
        )
        menu = workdir / "menu.txt"
        script = workdir / "menu.sh"
        script.write_text(MENU_SCRIPT.format(menu=shlex.quote(str(menu))))
        script.chmod(0o755)
        config = workdir / "dunstrc"
        config.write_text(DUNSTRC.format(dmenu=shlex.quote(str(script))))
        log = workdir / "dunst.log"
        with open(log, "wb") as log_fh:
            process = subprocess.Popen(
                [dunst, "-conf", str(config)],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log_fh,
                stderr=log_fh,
                start_new_session=True,
            )
        cleanup.callback(terminate, process)

        from jeepney.io.blocking import open_dbus_connection

        with contextlib.closing(open_dbus_connection(bus=address)) as conn:
            deadline = time.monotonic() + START_TIMEOUT
            while name_owner_pid(conn) != process.pid:
                if process.poll() is not None or time.monotonic() > deadline:
                    unavailable(
                        f"dunst did not take org.freedesktop.Notifications (exit code {process.poll()}): "
                        f"{log_tail(log)}"
                    )
                time.sleep(POLL)
        yield Desktop(env=env, dunst=process, dunst_log=log, menu=menu, dunstctl_path=dunstctl)


def clock_env(env: dict) -> dict:
    """`env` for a `connect` process whose wall clock starts at MOVED_TO (tests/support/wallclock)."""
    return moved_clock_env(env, MOVED_TO)


@pytest.fixture
def connect(desktop: Desktop, home: Path):
    """The real `connect` in the test's home, on the desktop's bus, with the moved clock."""

    def run(*args: str) -> str:
        env = dict(clock_env(desktop.env), CONNECT_HOME=str(home))
        result = subprocess.run([CONNECT, *args], env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"connect {' '.join(args)}: {result.stderr}"
        return result.stdout

    return run


@pytest.fixture
def daemon(desktop: Desktop, home: Path):
    """Start the real `connect daemon run` on the desktop's bus with the moved clock; killed after the test."""
    started: list[DaemonProcess] = []

    def start() -> DaemonProcess:
        process = DaemonProcess(home, clock_env(desktop.env))
        started.append(process)
        process.wait_started()  # the first scan, which catches up on what is due, has sent everything
        return process

    yield start
    for process in started:
        process.kill()


def test_a_due_reminder_reaches_dunst_with_the_habit_as_title_and_the_week_in_the_body(connect, daemon, desktop):
    connect("add", "Walk", "--at", DUE)
    running = daemon()
    desktop.wait_until("the reminder is on screen", lambda: desktop.count("displayed") == 1)
    [note] = desktop.dismiss_all()
    assert note["appname"] == "connect"
    assert note["summary"] == "Walk"
    assert f"This week {WEEK}" in note["body"].splitlines()
    running.terminate()


def test_reminders_of_one_minute_reach_dunst_as_one_notification_naming_each(connect, daemon, desktop):
    connect("add", "Walk", "--at", DUE)
    connect("add", "Talk", "--at", DUE)
    running = daemon()
    desktop.wait_until("the reminder is on screen", lambda: desktop.count("displayed") >= 1)
    [note] = desktop.dismiss_all()  # one, not two
    assert note["summary"] in ("Walk and Talk", "Talk and Walk")
    assert sorted(note["body"].splitlines()) == [
        f"Talk: this week {WEEK}",
        f"Walk: this week {WEEK}",
    ]
    running.terminate()


def test_done_picked_from_dunsts_context_menu_logs_the_check_in(connect, daemon, desktop, home):
    connect("add", "Walk", "--at", DUE)
    running = daemon()
    desktop.wait_until("the reminder is on screen", lambda: desktop.count("displayed") == 1)
    desktop.dunstctl("context")  # dunst runs the menu script, which picks Done
    running.wait_for_log("'Walk' marked done from the notification", timeout=WAIT_TIMEOUT)

    offered = [MENU_LINE.match(line) for line in desktop.menu.read_text().splitlines()]
    assert all(offered), desktop.menu.read_text()
    assert len({(m["summary"], m["id"]) for m in offered}) == 1 and offered[0]["summary"] == "Walk"
    buttons = {m["action"]: m["label"] for m in offered}
    assert (buttons["connect-done"], buttons["connect-snooze"]) == ("Done", "Snooze 15 min")
    assert [c["source"] for c in raw_tables(home)["checkins"]] == ["notification"]
    week = json.loads(connect("week", "--json"))
    assert week["habits"][0]["days"][TODAY] == "done"
    running.terminate()
