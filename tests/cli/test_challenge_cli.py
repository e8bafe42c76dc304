"""Challenges through the real `connect`: `add --for/--until/--starts`, `edit`, and what `list`, `stats`, `week`,
`today`, the calendar export and an older file make of them (the rules: tests/unit/test_challenges.py)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from connect_habits.cli import fastpath
from support import one_error_line, raw_tables

START = date(2026, 11, 1)  # a Sunday


def at(day: date, hhmm: str = "21:00") -> str:
    return f"{day.isoformat()}T{hhmm}"


def logged(connect, slug: str, days) -> None:
    for day in days:
        result = connect("done", slug, now=at(day))
        assert result.code == 0, result.err


@pytest.fixture
def thanks(connect):
    """`30 days of thanks` from START, done on its first 27 days; and a plain habit beside it."""
    added = connect("add", "30 days of thanks", "--for", "30d", "--at", "20:00", now=at(START, "09:00"))
    assert added.code == 0, added.err
    assert "daily, 1 Nov 2026 to 30 Nov 2026, reminders at 20:00" in added.out
    connect("add", "Walk", now=at(START, "09:00"))
    logged(connect, "30-days", (START + timedelta(days=n) for n in range(27)))
    return connect


def by_name(connect, now: str) -> dict:
    return {h["name"]: h for h in connect("list", "--json", now=now).json()}


def test_list_json_has_the_span_and_the_result(thanks):
    running = by_name(thanks, at(date(2026, 11, 20)))["30 days of thanks"]
    assert running["starts"] == "2026-11-01" and running["ends"] == "2026-11-30"
    assert running["finished"] is False
    assert running["result"] == {"done": 20, "of": 30, "unit": "days"}  # so far: met, of all it has
    over = by_name(thanks, at(date(2026, 12, 3)))
    assert over["30 days of thanks"]["finished"] is True
    assert over["30 days of thanks"]["result"] == {"done": 27, "of": 30, "unit": "days"}
    assert (over["Walk"]["starts"], over["Walk"]["ends"], over["Walk"]["finished"], over["Walk"]["result"]) == (
        None,
        None,
        False,
        None,
    )


def test_list_shows_a_finished_challenge_under_finished_with_its_result(thanks):
    running = thanks("list", now=at(date(2026, 11, 20))).out
    assert "Finished" not in running and "1 Nov 2026 to 30 Nov 2026" in running
    shown = thanks("list", now=at(date(2026, 12, 3))).out.splitlines()
    assert shown[0].startswith("Walk ")
    assert shown[1:] == [
        "Finished:",
        "  30 days of thanks (30-days-of-thanks): 27 of 30 days, 1 Nov 2026 to 30 Nov 2026",
    ]


def test_stats_show_the_result(thanks):
    one = thanks("stats", "30-days", now=at(date(2026, 12, 3)))
    assert one.code == 0 and "Finished: 27 of 30 days" in one.out
    assert "(daily, 1 Nov 2026 to 30 Nov 2026)" in one.out
    body = thanks("stats", "30-days", "--json", now=at(date(2026, 12, 3))).json()
    assert body["result"] == {"done": 27, "of": 30, "unit": "days"} and body["finished"] is True
    assert (body["starts"], body["ends"]) == ("2026-11-01", "2026-11-30")
    assert body["best_streak"] == 27
    running = thanks("stats", "30-days", now=at(date(2026, 11, 10))).out
    assert "Challenge: 10 of 30 days so far" in running
    every = thanks("stats", now=at(date(2026, 12, 3)))
    assert "Finished: 30 days of thanks, 27 of 30 days." in every.out
    entries = {e["name"]: e for e in thanks("stats", "--json", now=at(date(2026, 12, 3))).json()["habits"]}
    assert entries["30 days of thanks"]["result"]["done"] == 27 and entries["Walk"]["result"] is None


def test_week_shows_it_through_the_week_of_its_last_day_and_not_after(thanks):
    last_week = thanks("week", "--json", now=at(date(2026, 12, 2))).json()  # Mon 30 Nov to Sun 6 Dec
    [row] = [h for h in last_week["habits"] if h["slug"] == "30-days-of-thanks"]
    assert row["days"]["2026-11-30"] == "missed" and row["days"]["2026-12-01"] == "not_due"
    assert row["progress"] == {"done": 0, "target": 1, "unit": "times"}
    after = thanks("week", now=at(date(2026, 12, 7)))
    assert "30 days of thanks" not in after.out and "Walk" in after.out
    assert "30 days of thanks" in thanks("week", "--date", "2026-11-30", now=at(date(2026, 12, 7))).out


def test_a_finished_challenge_is_not_left_today(thanks):
    today = thanks("today", "--json", now=at(date(2026, 12, 1), "10:00")).json()
    assert [r["slug"] for r in today["left"]] == ["walk"]
    status = thanks("status", "--format", "json", now=at(date(2026, 12, 1), "10:00")).json()
    assert status["left"] == ["Walk"]


def test_done_outside_the_span_is_logged_and_says_it_does_not_count(thanks):
    after = thanks("done", "30-days", now=at(date(2026, 12, 2)))
    assert after.code == 0
    assert "'30 days of thanks' ended on 30 Nov 2026: Wednesday is in the log, but does not count." in after.out
    assert by_name(thanks, at(date(2026, 12, 3)))["30 days of thanks"]["result"]["done"] == 27


def test_a_challenge_that_starts_later_and_one_counted_by_the_week(connect):
    assert connect("add", "Later", "--starts", "2026-12-01", "--until", "2026-12-31").code == 0
    assert connect("add", "Runs", "--every", "3/week", "--for", "2w").code == 0  # Thu 26 Nov to Wed 9 Dec
    habits = by_name(connect, at(date(2026, 11, 26)))
    assert (habits["Later"]["starts"], habits["Later"]["ends"]) == ("2026-12-01", "2026-12-31")
    assert habits["Later"]["result"] == {"done": 0, "of": 31, "unit": "days"}
    assert (habits["Runs"]["starts"], habits["Runs"]["ends"]) == ("2026-11-26", "2026-12-09")
    assert habits["Runs"]["result"] == {"done": 0, "of": 3, "unit": "weeks"}
    week = connect("week", "--json").json()
    later = next(h for h in week["habits"] if h["slug"] == "later")
    assert set(later["days"].values()) <= {"not_due", "future"}  # not started: nothing missed
    assert "later" not in [r["slug"] for r in connect("today", "--json").json()["left"]]


def test_edit_sets_moves_and_drops_the_end(thanks, home):
    moved = thanks("edit", "30-days", "--until", "2026-12-06", now=at(date(2026, 12, 3)))
    assert moved.code == 0 and "Changed: dates 1 Nov 2026 to 30 Nov 2026 → 1 Nov 2026 to 6 Dec 2026." in moved.out
    assert by_name(thanks, at(date(2026, 12, 3)))["30 days of thanks"]["finished"] is False
    assert thanks("edit", "walk", "--for", "4w", now=at(date(2026, 12, 3))).code == 0
    walk = by_name(thanks, at(date(2026, 12, 3)))["Walk"]
    assert (walk["starts"], walk["ends"]) == ("2026-11-01", "2026-11-28")  # four weeks from the day it was added
    assert thanks("edit", "walk", "--until", "none", now=at(date(2026, 12, 3))).code == 0
    walk = by_name(thanks, at(date(2026, 12, 3)))["Walk"]
    assert (walk["starts"], walk["ends"], walk["result"]) == (None, None, None)
    changes = [r["fields"] for r in raw_tables(home)["habit_changes"]]
    assert {"ends": "2026-12-06"} in changes  # an edit records the field it changed


@pytest.mark.parametrize(
    "args, code, said",
    [
        (("--for", "0d"), 1, "'0d' is not a length a challenge can have"),
        (("--for", "30"), 1, "'30' is not a length"),
        (("--until", "2026-11-25"), 1, "The end (2026-11-25) is before the start (2026-11-26)"),
        (("--starts", "2026-12-10", "--until", "2026-12-01"), 1, "The end (2026-12-01) is before the start"),
        (("--for", "30d", "--until", "2026-12-31"), 2, "Use either --for or --until, not both"),
        (("--until", "someday"), 1, "--until: 'someday' is not a date"),
    ],
)
def test_a_span_that_cannot_be_is_one_sentence_and_nothing_is_added(connect, args, code, said):
    assert said in one_error_line(connect("add", "Thanks", *args), code=code)
    assert connect("list", "--json").json() == []


def test_an_older_file_without_the_fields_reads_and_takes_them(connect, home):
    connect("add", "Walk", "--at", "19:00")
    main = home / "connect.json"
    data = json.loads(main.read_text())
    for change in data["habit_changes"].values():  # as the release before challenges wrote it
        for field in ("starts", "ends"):
            change["fields"].pop(field, None)
    main.write_text(json.dumps(data))
    [walk] = connect("list", "--json").json()
    assert (walk["starts"], walk["ends"], walk["finished"], walk["result"]) == (None, None, False, None)
    assert connect("edit", "walk", "--for", "30d").code == 0
    [walk] = connect("list", "--json").json()
    assert (walk["starts"], walk["ends"]) == ("2026-11-26", "2026-12-25")
    assert connect("week").code == 0 and connect("done", "walk").code == 0


def test_the_calendar_export_bounds_a_challenge_by_its_start_and_end(connect):
    from icalendar import Calendar

    connect("add", "Thanks", "--starts", "2026-12-01", "--for", "30d", "--at", "20:00")
    connect("add", "Over", "--starts", "2026-11-01", "--until", "2026-11-20", "--at", "20:00")
    connect("add", "Walk", "--at", "19:00")
    berlin = {"TZ": "Europe/Berlin"}
    events = {
        str(e["SUMMARY"]): e
        for e in Calendar.from_ical(connect("export", "--format", "ics", env=berlin).out).walk("VEVENT")
    }
    assert sorted(events) == ["Thanks", "Walk"]  # a finished challenge has no reminders to come
    thanks = events["Thanks"]
    assert thanks.decoded("DTSTART").date() == date(2026, 12, 1)
    until = thanks["RRULE"]["UNTIL"][0]
    assert until.isoformat() == "2026-12-30T19:00:00+00:00"  # 20:00 in Berlin on its last day, in UTC
    assert "UNTIL" not in events["Walk"]["RRULE"]


def test_the_fast_path_and_typer_agree_on_a_challenge(thanks):
    now = at(date(2026, 12, 3))
    for args in (("list",), ("list", "--json"), ("week",), ("stats",), ("stats", "30-days"), ("today",)):
        fast = thanks(*args, now=now)
        slow = thanks(*args, now=now, env={fastpath.DISABLE_VARIABLE: "1"})
        assert (fast.code, fast.out, fast.err) == (slow.code, slow.out, slow.err), args


def test_a_long_challenge_across_months_gives_the_same_result_from_the_folds(connect, home):
    """Folded months (the summary cache) carry the tally: the same result as a reading of the whole history."""
    connect("add", "Hundred", "--for", "100d", now=at(date(2026, 8, 1), "09:00"))
    days = [date(2026, 8, 1) + timedelta(days=n) for n in range(100) if n % 4]  # three days of four
    logged(connect, "hundred", days)
    now = at(date(2027, 1, 5))
    expected = {"done": len(days), "of": 100, "unit": "days"}
    assert by_name(connect, now)["Hundred"]["result"] == expected
    assert by_name(connect, now)["Hundred"]["result"] == expected  # again, from the cache
    assert "Finished: 75 of 100 days" in connect("stats", "hundred", now=now).out
