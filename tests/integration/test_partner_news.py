"""Messages between the two desktops, for real: Alex's `connect send` and `connect thank` in one home reach
the real `connect daemon run` of Sam's home, on a private D-Bus session bus with the test notification server,
through one shared folder (written by one home, read by the other, as a sync tool delivers it)."""

from __future__ import annotations

import json
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from support import CONNECT
from support.daemon_process import DaemonProcess, hhmm, not_at_midnight  # noqa: F401  (fixture)


def run(home: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    env = dict(env, CONNECT_HOME=str(home))
    env.pop("CONNECT_NOW", None)
    result = subprocess.run([CONNECT, *args], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result


@pytest.fixture
def two_homes(tmp_path, session_bus):
    alex, sam, folder = tmp_path / "alex", tmp_path / "sam", tmp_path / "shared"
    run(alex, session_bus.env, "init", "--partner", "Alex", "--partner", "Sam", "--yes", "--habit", "say-thank-you")
    run(alex, session_bus.env, "edit", "say-thank-you", "--clear-at")
    code = run(alex, session_bus.env, "sync", "init", str(folder), "--me", "Alex").stdout.splitlines()[-1]
    run(sam, session_bus.env, "sync", "join", str(folder), "--me", "Sam", "--code", code)
    return alex, sam


def start(home: Path, env: dict) -> DaemonProcess:
    daemon = DaemonProcess(home, env)
    daemon.wait_started()
    return daemon


def test_a_message_and_a_thank_you_reach_the_partners_desktop_once_within_seconds(
    two_homes, session_bus, notification_server
):
    alex, sam = two_homes
    daemon = start(sam, session_bus.env)
    try:
        sent = time.time()
        run(alex, session_bus.env, "send", "Good luck with the <b>interview</b> today")
        [note] = notification_server.wait_for(1, timeout=10)
        assert note["time"] - sent < 10
        assert note["summary"] == "From Alex"
        assert (
            note["body"] == "Good luck with the &lt;b&gt;interview&lt;/b&gt; today"
        )  # escaped: the server takes markup
        run(alex, session_bus.env, "thank", "for cooking when I was late")
        notes = notification_server.wait_for(2, timeout=10)
        assert notes[1]["summary"] == "Alex thanks you" and notes[1]["body"] == "for cooking when I was late"
        time.sleep(1.5)
        assert len(notification_server.notifications()) == 2
    finally:
        daemon.terminate()
    again = start(sam, session_bus.env)  # a restart shows nothing twice
    time.sleep(1.5)
    assert len(notification_server.notifications()) == 2
    again.terminate()
    inbox = json.loads(run(sam, session_bus.env, "inbox", "--json").stdout)
    assert [m["seen"] is not None for m in inbox] == [True, True]  # shown on the desktop: seen


def test_the_partners_answer_is_announced_and_quiet_hours_hold_the_news_back(
    two_homes, session_bus, notification_server
):
    alex, sam = two_homes
    now = datetime.now()
    (sam / "config.toml").write_text(
        (sam / "config.toml").read_text()
        + f'quiet_hours = "{hhmm(now - timedelta(minutes=5))}-{hhmm(now + timedelta(minutes=30))}"\n'
    )
    daemon = start(sam, session_bus.env)
    try:
        run(alex, session_bus.env, "send", "See you tonight")
        run(alex, session_bus.env, "answer", "The night train")
        time.sleep(3)
        assert notification_server.notifications() == []  # held back
        config = (sam / "config.toml").read_text()
        (sam / "config.toml").write_text("\n".join(line for line in config.splitlines() if "quiet" not in line) + "\n")
        notes = notification_server.wait_for(2, timeout=10)  # the quiet hours are over (here: gone)
        assert sorted(n["summary"] for n in notes) == ["Alex answered today's question", "From Alex"]
    finally:
        daemon.terminate()
