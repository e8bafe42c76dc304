"""`day_starts = "04:00"`, from the shell: before that hour "today" is still the day before, for every command
(the fast path and Typer alike) and for the daemon. The rules themselves: tests/unit/test_daystart.py."""

from __future__ import annotations

from datetime import date

import pytest

from connect_habits.cli.fastpath import DISABLE_VARIABLE
from support import one_error_line, run_connect

SETUP = "2026-11-01T09:00"


@pytest.fixture
def late(home):
    """A home whose day starts at 04:00, with a daily walk."""
    assert run_connect(home, "config", "set", "day_starts", "04:00", now=SETUP).code == 0
    assert run_connect(home, "add", "Walk", "--at", "21:00", now=SETUP).code == 0
    return home


def logged_days(home, now="2027-02-01T12:00") -> list[str]:
    return [entry["date"] for entry in run_connect(home, "log", "--json", now=now).json()]


@pytest.mark.parametrize(
    "now, expected",
    [
        ("2026-11-26T23:59", "2026-11-26"),  # across midnight
        ("2026-11-27T00:30", "2026-11-26"),
        ("2026-11-27T04:00", "2026-11-27"),
        ("2026-11-30T00:30", "2026-11-29"),
        ("2026-12-01T00:30", "2026-11-30"),  # across a month end
        ("2026-12-31T23:59", "2026-12-31"),
        ("2027-01-01T03:59", "2026-12-31"),  # across a year end
        ("2027-01-01T04:00", "2027-01-01"),
    ],
)
@pytest.mark.parametrize("path", ["fast", "typer"])
def test_done_before_the_day_start_logs_the_day_before(late, now, expected, path):
    env = {DISABLE_VARIABLE: "1"} if path == "typer" else None
    done = run_connect(late, "done", "walk", now=now, env=env)
    assert done.code == 0, done.err
    assert done.out.startswith("'Walk' done today.")
    assert logged_days(late) == [expected]


def test_without_the_setting_midnight_begins_the_day_as_before(home):
    run_connect(home, "add", "Walk", now=SETUP)
    run_connect(home, "done", "walk", now="2026-11-27T00:30")
    assert logged_days(home) == ["2026-11-27"]


@pytest.mark.parametrize(
    "date_, expected",
    [
        ("yesterday", "2026-11-29"),  # the day before Monday the 30th, at 00:30 on Tuesday the 1st
        ("today", "2026-11-30"),
        ("mon", "2026-11-30"),  # the last Monday, today included
        ("tue", "2026-11-24"),  # Tuesday on the calendar, but not yet begun: the one before
        ("1 days ago", "2026-11-29"),
    ],
)
def test_dates_are_relative_to_the_day_it_still_is(late, date_, expected):
    done = run_connect(late, "done", "walk", "--date", date_, now="2026-12-01T00:30")
    assert done.code == 0, done.err
    assert logged_days(late) == [expected]


def test_the_calendar_date_is_still_the_future_before_the_day_start(late):
    assert "in the future" in one_error_line(
        run_connect(late, "done", "walk", "--date", "2026-12-01", now="2026-12-01T00:30")
    )
    assert logged_days(late) == []


@pytest.mark.parametrize(
    "week_start, now, expected",
    [
        ("monday", "2026-11-30T00:30", "2026-11-23"),  # Monday 00:30: still last week
        ("monday", "2026-11-30T04:00", "2026-11-30"),
        ("sunday", "2026-11-29T00:30", "2026-11-22"),  # a Sunday-start week: Sunday 00:30 still the last
        ("sunday", "2026-11-29T04:00", "2026-11-29"),
        ("monday", "2027-01-04T03:00", "2026-12-28"),  # the week across the year end
    ],
)
def test_the_week_turns_at_the_day_start(late, week_start, now, expected):
    run_connect(late, "config", "set", "week_start", week_start, now=SETUP)
    for path in (None, {DISABLE_VARIABLE: "1"}):
        week = run_connect(late, "week", "--json", now=now, env=path)
        assert week.code == 0, week.err
        assert week.json()["week_start"] == expected


def test_today_and_status_show_the_day_it_still_is(late):
    now = "2026-11-27T00:30"
    assert run_connect(late, "today", "--json", now=now).json()["date"] == "2026-11-26"
    assert run_connect(late, "status", "--format", "json", now=now).json()["date"] == "2026-11-26"
    run_connect(late, "done", "walk", now=now)
    assert run_connect(late, "status", now=now).out.startswith("all done")


def test_the_next_reminder_of_the_status_line_counts_the_night_after_the_evening(late):
    run_connect(late, "add", "Talk", "--at", "01:00", now=SETUP)
    assert "walk 21:00" in run_connect(late, "status", now="2026-11-26T20:00").out
    assert "talk 01:00" in run_connect(late, "status", now="2026-11-26T22:00").out


def test_skip_ask_and_undo_take_the_same_day(late):
    now = "2026-11-27T00:30"
    assert run_connect(late, "skip", "walk", "--date", "today", now=now).code == 0
    skips = run_connect(late, "skips", "--json", now=now)
    assert "2026-11-26" in skips.out and "2026-11-27" not in skips.out
    assert run_connect(late, "unskip", "walk", "--date", "today", now=now).code == 0
    asked = run_connect(late, "ask", now=now, stdin="y\n")
    assert asked.code == 0, asked.err
    assert logged_days(late) == ["2026-11-26"]
    assert run_connect(late, "undo", "walk", now=now).code == 0
    assert logged_days(late) == []


def test_a_tech_free_session_begun_after_midnight_counts_for_the_evening(late):
    run_connect(late, "add", "Unplugged", "--goal", "60m/day", now=SETUP)
    assert run_connect(late, "unplug", "30m", "--habit", "unplugged", now="2026-11-27T00:30").code == 0
    assert logged_days(late, now="2026-11-27T01:30") == ["2026-11-26"]


def test_the_question_of_the_day_is_the_evenings_until_the_day_start(late):
    evening = run_connect(late, "question", "--json", now="2026-11-26T22:00").json()
    night = run_connect(late, "question", "--json", now="2026-11-27T00:30").json()
    assert night["date"] == "2026-11-26" and night["question"] == evening["question"]


def test_connect_config_sets_and_shows_the_day_start(home):
    assert run_connect(home, "config", "get", "day_starts").out == "00:00\n"
    changed = run_connect(home, "config", "set", "day_starts", "4:30")
    assert (changed.code, changed.out) == (0, "day_starts = 04:30\n")
    assert run_connect(home, "config", "get", "day_starts").out == "04:30\n"
    assert 'day_starts = "04:30"' in (home / "config.toml").read_text()
    assert run_connect(home, "config", "list", "--json").json()["day_starts"] == "04:30"


@pytest.mark.parametrize("value", ["25:00", "soon", "13:00", "4"])
def test_a_day_start_that_is_not_a_time_before_noon_is_refused_in_one_sentence(home, value):
    run_connect(home, "config", "set", "day_starts", "04:00")
    line = one_error_line(run_connect(home, "config", "set", "day_starts", value))
    assert line.startswith(f"Error: day_starts = '{value}' is ")
    assert run_connect(home, "config", "get", "day_starts").out == "04:00\n"  # nothing changed


def test_a_hand_edited_bad_day_start_is_an_error_naming_the_file(home):
    run_connect(home, "add", "Walk", now=SETUP)
    (home / "config.toml").write_text('day_starts = "soon"\n')
    for path in (None, {DISABLE_VARIABLE: "1"}):
        line = one_error_line(run_connect(home, "done", "walk", env=path))
        assert "config.toml, day_starts = 'soon' is not a time like 04:00" in line
    (home / "config.toml").write_text('day_starts = "04:00"\n')  # mended by hand
    assert logged_days(home) == []


@pytest.mark.parametrize(
    "pinned, expected",
    [
        ("2027-10-31T00:15+00:00", "2027-10-30"),  # 02:15 summer time, the first pass: before 02:30
        ("2027-10-31T00:40+00:00", "2027-10-31"),  # 02:40 summer time: the day has begun
        ("2027-10-31T01:15+00:00", "2027-10-31"),  # 02:15 again, winter time: begun at the first pass
        ("2027-03-28T01:00+00:00", "2027-03-28"),  # 03:00, right after the spring gap the day start was in
        ("2027-03-28T00:59+00:00", "2027-03-27"),  # 01:59 winter time
    ],
)
def test_on_daylight_saving_days_the_day_begins_once(home, pinned, expected):
    env = {"TZ": "Europe/Berlin"}
    run_connect(home, "config", "set", "day_starts", "02:30", now=SETUP, env=env)
    run_connect(home, "add", "Walk", now=SETUP, env=env)
    done = run_connect(home, "done", "walk", now=pinned, env=env)
    assert done.code == 0, done.err
    assert logged_days(home) == [expected]


def test_remind_and_the_daemon_count_a_night_check_in_for_the_evening_before(late):
    from connect_habits.clock import local_zone
    from connect_habits.core.reminders import wall_instant
    from connect_habits.daemon.loop import Daemon
    from connect_habits.daemon.notify import RecordingNotifier
    from connect_habits.storage.paths import resolve_paths

    run_connect(late, "add", "Talk", "--at", "01:00", now=SETUP)
    run_connect(late, "add", "Call", "--at", "01:00", now=SETUP)
    before = run_connect(late, "remind", "--json", now="2026-11-27T00:20").json()
    talk = [r for r in before if r["slug"] == "talk"]
    assert [(r["date"], r["time"][:16], r["status"]) for r in talk] == [
        ("2026-11-26", "2026-11-27T01:00", "will_fire"),  # Thursday's talk, at 01:00 on Friday's date
        ("2026-11-27", "2026-11-28T01:00", "will_fire"),
    ]
    assert run_connect(late, "done", "talk", now="2026-11-27T00:30").code == 0
    after = run_connect(late, "remind", "--json", now="2026-11-27T00:40").json()
    assert [r["status"] for r in after if r["slug"] == "talk"] == ["done", "will_fire"]

    moment = wall_instant(date(2026, 11, 27), "01:00", local_zone())
    daemon = Daemon(resolve_paths({"CONNECT_HOME": str(late)}), RecordingNotifier(), now=lambda: moment)
    daemon.reload()
    daemon.scan(moment)
    # Talk, done at 00:30, counts for Thursday: no reminder; Call, not done, is reminded of Thursday's.
    assert [n.title for n in daemon.notifier.sent] == ["Call"]
    assert [key.split("/", 1)[1] for key in daemon.state.sent if key.endswith("/01:00")] == ["2026-11-26/01:00"]


def test_the_calendar_export_puts_a_night_reminder_after_its_day(late):
    run_connect(late, "add", "Talk", "--every", "mon,thu", "--at", "01:00", now=SETUP)
    exported = run_connect(late, "export", "--format", "ics", now="2026-11-26T10:00", env={"TZ": "UTC"})
    assert exported.code == 0, exported.err
    events = {block.split("SUMMARY:")[1].splitlines()[0]: block for block in exported.out.split("BEGIN:VEVENT")[1:]}
    assert "DTSTART:20261127T010000Z" in events["Talk"]  # Thursday's, at 01:00 on Friday's date
    assert "RRULE:FREQ=WEEKLY;BYDAY=TU,FR" in events["Talk"]  # the nights after Monday and Thursday
    assert "DTSTART:20261126T210000Z" in events["Walk"]  # a time after the day start: as before
