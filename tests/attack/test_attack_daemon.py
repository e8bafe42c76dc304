"""The outside attack of December 2026 (issue 14), reminders: never missed, never twice, at the time promised.

The real `connect daemon run` on a private D-Bus session bus with the test notification server, on the
real clock; `connect` itself with the clock pinned where no daemon is involved.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import struct
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from support import CONNECT, run_connect
from support.daemon_process import cli, hhmm, not_at_midnight, run_daemon  # noqa: F401  (fixtures)


def connect_in(home: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    """`connect` in another home, on the daemon's bus and the real clock."""
    env = dict(env, CONNECT_HOME=str(home))
    env.pop("CONNECT_NOW", None)
    return subprocess.run([CONNECT, *args], env=env, capture_output=True, text=True, timeout=60, check=True)


# ---------------------------------------------------------------- W5: the data folder goes and comes back


def remove_while_the_daemon_runs(home: Path) -> None:
    """Remove the folder, again if the daemon wrote a file into it meanwhile (it reloads at the first removal)."""
    for _ in range(100):
        shutil.rmtree(home, ignore_errors=True)
        if not home.exists():
            return
        time.sleep(0.05)
    assert not home.exists()


@pytest.mark.parametrize("how", ["removed and copied back", "moved away and back"])
def test_w5_a_data_folder_taken_away_and_put_back_is_read_and_watched_again(
    how, cli, run_daemon, notification_server, session_bus, home, tmp_path
):
    cli("add", "Walk", "--at", hhmm(datetime.now() + timedelta(hours=3)))
    daemon = run_daemon()
    daemon.wait_started()
    away = tmp_path / "away"
    if how == "removed and copied back":
        shutil.copytree(home, away)  # a backup ...
        remove_while_the_daemon_runs(home)  # ... and the folder gone
    else:
        os.rename(home, away)
    daemon.wait_for_log("removed or moved away")
    # Meanwhile a habit due a minute ago: the daemon must remind of it once the folder is back.
    connect_in(away, session_bus.env, "add", "Talk", "--at", hhmm(datetime.now() - timedelta(minutes=1)))
    if how == "removed and copied back":
        shutil.copytree(away, home)  # a new folder (a new inode), as a restore or a sync tool makes it
    else:
        os.rename(away, home)
    [note] = notification_server.wait_for_reminders(1, timeout=20)
    assert note["summary"] == "Talk"
    assert cli("add", "Thanks", "--at", hhmm(datetime.now() - timedelta(minutes=1))).returncode == 0
    notes = notification_server.wait_for_reminders(2, timeout=20)  # what is added after the restore reaches it too
    assert [n["summary"] for n in notes] == ["Talk", "Thanks"]
    status = json.loads(cli("daemon", "status", "--json").stdout)
    assert (status["running"], status["pid"]) == (True, daemon.process.pid)
    assert daemon.terminate() < 2.0


def test_w5_a_folder_emptied_first_and_removed_after_the_daemon_reread_it_is_still_noticed(
    cli, run_daemon, notification_server, home, tmp_path
):
    # What a slow `rm -r` does: the files go, the daemon wakes and reads the half-empty folder, and the
    # folder itself goes later. The daemon's lock is open inside it, so the kernel says nothing of the folder.
    cli("add", "Walk")  # the data file: its removal is what the daemon wakes for
    daemon = run_daemon()
    daemon.wait_started()
    daemon.wait_for_log("loaded 1 habits")
    shutil.copytree(home, tmp_path / "away")
    for child in home.iterdir():
        child.unlink()
    daemon.wait_for_log("loaded 0 habits")
    time.sleep(1.5)  # past the second look the daemon takes after a change
    assert "removed or moved away" not in daemon.output()
    remove_while_the_daemon_runs(home)
    daemon.wait_for_log("removed or moved away", timeout=10)
    shutil.copytree(tmp_path / "away", home)
    daemon.wait_for_log("the watched folders are back")
    assert daemon.terminate() < 2.0


def test_w5_a_second_daemon_started_while_the_folder_was_gone_keeps_it_and_the_first_steps_aside(
    cli, run_daemon, notification_server, home, tmp_path
):
    first = run_daemon()
    first.wait_started()
    away = tmp_path / "away"
    shutil.copytree(home, away)
    remove_while_the_daemon_runs(home)
    first.wait_for_log("removed or moved away")
    # Held still while the folder comes back and a new daemon takes it over; else it might look first.
    first.process.send_signal(signal.SIGSTOP)
    try:
        home.mkdir()
        second = run_daemon()
        second.wait_started()
    finally:
        first.process.send_signal(signal.SIGCONT)
    assert first.process.wait(timeout=20) == 3  # no restart loop: the unit does not restart on this status
    assert "another connect daemon runs" in first.output()
    # What the first one knew is not written over the second one's state as it goes.
    assert json.loads((home / "daemon-state.json").read_text())["pid"] == second.process.pid
    status = json.loads(cli("daemon", "status", "--json").stdout)
    assert (status["running"], status["pid"]) == (True, second.process.pid)
    assert second.terminate() < 2.0


# ---------------------------------------------------------------- W6: a damaged daemon-state.json


def test_w6_a_damaged_state_file_is_kept_aside_logged_and_nothing_past_is_sent_again(
    cli, run_daemon, notification_server, home
):
    cli("add", "Walk", "--at", hhmm(datetime.now() - timedelta(minutes=1)))
    first = run_daemon()
    notification_server.wait_for(1)
    first.wait_started()
    first.terminate()
    state = home / "daemon-state.json"
    state.write_text('{"garbage')
    again = run_daemon()
    again.wait_started()
    again.wait_for_log("daemon-state.json was damaged (it is not valid JSON)")
    time.sleep(1.5)
    assert [n["summary"] for n in notification_server.notifications()] == ["Walk"]
    [aside] = home.glob("daemon-state.json.damaged-*")
    assert aside.read_text() == '{"garbage'
    assert json.loads(state.read_text())["pid"] == again.process.pid
    again.terminate()


# ---------------------------------------------------------------- W7: the Done button


def test_w7_done_is_offered_only_where_one_click_can_log_it_and_logs_what_it_says(
    cli, run_daemon, notification_server, home
):
    assert cli("init", "--partner", "Alex", "--partner", "Sam", "--yes", "--habit", "weekly-check-in").returncode == 0
    assert cli("edit", "weekly", "--clear-at").returncode == 0
    cli("add", "Reading", "--goal", "30m/day", "--at", hhmm(datetime.now() - timedelta(minutes=1)))
    # A minute apart, so each is its own notification (one minute's reminders come as one, without buttons).
    cli("add", "Thanks", "--who", "each", "--at", hhmm(datetime.now() - timedelta(minutes=2)))
    daemon = run_daemon()
    notes = {n["summary"]: n for n in notification_server.wait_for(2)}
    snoozes = ["connect-snooze", "Snooze 15 min", "connect-snooze-hour", "Snooze 1 hour"]
    assert notes["Reading"]["actions"][:6] == ["connect-done", "Done (30 min)", *snoozes]
    assert notes["Thanks"]["actions"][:4] == snoozes
    notification_server.invoke_action(notes["Thanks"]["id"], "connect-done")  # a server clicking what was not offered
    daemon.wait_for_log("offered no Done button")
    notification_server.invoke_action(notes["Reading"]["id"], "connect-done")
    daemon.wait_for_log("marked done from the notification")
    log = json.loads(cli("log", "--json").stdout)
    assert [(e["habit"], e["minutes"]) for e in log if e["kind"] == "checkin"] == [("Reading", 30)]
    daemon.terminate()


# ---------------------------------------------------------------- W9: the C library and Python's zone data disagree


def zone_file(offset_seconds: int) -> bytes:
    """A TZif (version 1) zone of one fixed offset: what zic writes for a one-line zone."""
    header = b"TZif" + b"\0" + b"\0" * 15 + struct.pack(">6l", 0, 0, 0, 0, 1, 4)
    return header + struct.pack(">lBB", offset_seconds, 0, 0) + b"ODD\0"


def test_w9_with_a_zone_only_python_knows_the_daemon_fires_when_remind_says(
    run_daemon, notification_server, session_bus, home, tmp_path
):
    # An offset of an hour and some seconds, chosen so that the next local minute begins in about 12 s;
    # the C library does not know the zone and counts in UTC.
    next_boundary = time.time() + 12
    offset = 3600 + round(-next_boundary) % 60
    zones = tmp_path / "zones"
    (zones / "Test").mkdir(parents=True)
    (zones / "Test" / "Odd").write_bytes(zone_file(offset))
    env = dict(session_bus.env, TZ="Test/Odd", PYTHONTZPATH=str(zones))
    fires = round(next_boundary + offset) - offset  # the POSIX time of that local minute
    local = datetime.fromtimestamp(fires + offset, UTC).replace(tzinfo=None)
    connect_in(home, env, "add", "Walk", "--at", hhmm(local))
    [promised] = json.loads(connect_in(home, env, "remind", "--json").stdout)[:1]
    assert datetime.fromisoformat(promised["fires_at"]).timestamp() == fires
    session_bus.env.update(env)
    try:
        daemon = run_daemon()
    finally:
        for name in ("TZ", "PYTHONTZPATH"):
            session_bus.env.pop(name)
    daemon.wait_for_log("connect follows the zone data")
    [note] = notification_server.wait_for_reminders(1, timeout=30)
    assert 0 <= note["time"] - fires <= 2.0, f"fired {note['time'] - fires:.1f} s after the time promised"
    daemon.terminate()


# ---------------------------------------------------------------- W8: local time without an IANA name


NOW = "2026-11-26T19:00"
POSIX_BERLIN = "CET-1CEST,M3.5.0,M10.5.0/3"


@pytest.fixture
def walk_and_talk(tmp_path):
    home = tmp_path / "home"
    for args in (("add", "Walk", "--at", "07:30", "--every", "mon,wed"), ("add", "Talk", "--at", "21:00")):
        assert run_connect(home, *args, now=NOW).code == 0
    return home


def calendar_lines(home: Path, zone: str) -> list[str]:
    result = run_connect(home, "export", "--format", "ics", now=NOW, env={"TZ": zone})
    assert result.code == 0, result.err
    return result.out.replace("\r\n", "\n").split("\n")


def test_w8_a_posix_zone_rule_gives_floating_times_in_the_calendar_and_local_times_in_remind(walk_and_talk):
    lines = calendar_lines(walk_and_talk, POSIX_BERLIN)
    starts = [line for line in lines if line.startswith("DTSTART")]
    assert starts == ["DTSTART:20261130T073000", "DTSTART:20261126T210000"]  # local wall time, not UTC
    assert "BEGIN:VTIMEZONE" not in lines
    remind = run_connect(walk_and_talk, "remind", "--json", now=NOW, env={"TZ": POSIX_BERLIN}).json()
    assert remind[0]["fires_at"] == "2026-11-26T21:00+01:00"


@pytest.mark.skipif(not Path("/usr/share/zoneinfo/Europe/Berlin").exists(), reason="needs the system's tzdata")
def test_w8_a_zone_given_as_a_file_is_named_and_its_spring_change_is_at_2_am(walk_and_talk):
    lines = calendar_lines(walk_and_talk, "/usr/share/zoneinfo/Europe/Berlin")
    assert "DTSTART;TZID=Europe/Berlin:20261130T073000" in lines
    daylight = lines[lines.index("BEGIN:DAYLIGHT") :]
    assert daylight[1] == "DTSTART:20270328T020000"  # the clock shows 02:00 when it jumps (RFC 5545)
    assert "DTSTART:20271031T030000" in lines  # and 03:00 when it goes back


def test_w8_remind_and_the_calendar_agree_with_the_c_library_under_a_posix_rule_in_summer(walk_and_talk):
    summer = run_connect(walk_and_talk, "remind", "--json", now="2027-07-01T12:00", env={"TZ": POSIX_BERLIN})
    assert summer.json()[0]["fires_at"] == "2027-07-01T21:00+02:00"


# ---------------------------------------------------------------- X7: daemon status and quiet hours


def test_x7_daemon_status_shows_when_a_reminder_held_by_quiet_hours_will_go_out(tmp_path):
    home = tmp_path / "home"
    assert run_connect(home, "add", "Late", "--at", "07:00", now="2026-11-29T18:00").code == 0
    with open(home / "config.toml", "a") as config:
        config.write('quiet_hours = "22:30-07:30"\n')
    status = run_connect(home, "daemon", "status", now="2026-11-29T18:00")
    assert "2026-11-30 07:30  Late (due 07:00, after quiet hours)" in status.out
    report = run_connect(home, "daemon", "status", "--json", now="2026-11-29T18:00").json()
    assert report["next"][0]["fires_at"].startswith("2026-11-30T07:30")
