"""Repeats and snoozes through the real daemon, on a private bus with the test notification server.

The daemon's wall clock starts at a Thursday evening (tests/support/wallclock) and ticks from there.
"""

from __future__ import annotations

import json
import subprocess
from datetime import datetime

from support import CONNECT
from support.daemon_process import DaemonProcess, moved_clock_env

MOVED_TO = "2026-11-26T19:00:50"
SNOOZE_BUTTONS = ["connect-snooze", "Snooze 15 min", "connect-snooze-hour", "Snooze 1 hour"]


def test_a_repeat_comes_with_its_buttons_and_a_snooze_from_the_shell_brings_it_back(
    session_bus, notification_server, home
):
    env = dict(moved_clock_env(session_bus.env, MOVED_TO), CONNECT_HOME=str(home))

    def connect(*args: str) -> str:
        result = subprocess.run([CONNECT, *args], env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    connect("add", "Walk", "--at", "18:30", "--repeat", "30m")
    [walk] = json.loads(connect("list", "--json"))
    # The 18:30 reminder went out at 18:30: its first repeat is due at 19:00.
    went_out = datetime(2026, 11, 26, 18, 30).astimezone().isoformat(timespec="seconds")
    (home / "daemon-state.json").write_text(json.dumps({"sent": {f"{walk['id']}/2026-11-26/18:30": went_out}}))
    daemon = DaemonProcess(home, moved_clock_env(session_bus.env, MOVED_TO))
    try:
        [repeat] = notification_server.wait_for(1)
        assert repeat["summary"] == "Walk"
        assert repeat["actions"][:6] == ["connect-done", "Done", *SNOOZE_BUTTONS]
        assert repeat["actions"][6:] == ["connect-snooze-evening", "This evening"]  # 19:00: the evening is 20:00
        daemon.wait_for_log("sent 'Walk'")
        said = connect("snooze", "walk", "19:01")
        assert said.startswith("Snoozed 'Walk' until 19:01; its reminders wait until then.")
        assert "daemon is not running" not in said
        daemon.wait_for_log("until 19:01")
        notes = notification_server.wait_for(2, timeout=40)
        assert [n["summary"] for n in notes] == ["Walk", "Walk"]
        notification_server.invoke_action(notes[1]["id"], "connect-snooze-hour")
        daemon.wait_for_log("until 20:01")
        daemon.terminate()
    finally:
        daemon.kill()
