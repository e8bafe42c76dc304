"""Insight: the strength score against values computed by hand, the calendar, completion rates."""

from __future__ import annotations

import math

import pytest

from connect_habits.core.stats import (
    PARTIAL,
    calendar,
    completion_rate,
    frequency,
    habit_stats,
    rolling_target,
    strength,
    weekday_completion,
    weekly_rates,
)
from support.history import day, make_habit, make_history

DAILY_M = 0.5 ** (1 / 13)
THREE_M = 0.5 ** (math.sqrt(3 / 7) / 13)
WEEKLY_M = 0.5 ** (math.sqrt(1 / 7) / 13)


@pytest.mark.parametrize(
    "cadence, goal, expected_f, expected_window",
    [
        ("daily", None, 1, (1, 1)),
        ("3/week", None, 3 / 7, (14, 6)),  # below daily: twice the window, twice the count (Loop)
        ("weekly", None, 1 / 7, (14, 2)),
        ("mon,wed,fri", None, 3 / 7, (14, 6)),
        ("every 3 days", None, 1 / 3, (6, 2)),
        ("daily", "30m/day", 1, (1, 30)),
        (None, "2h/week", 1 / 7, (7, 120)),
    ],
)
def test_frequency_and_rolling_target(cadence, goal, expected_f, expected_window):
    habit = make_habit(cadence or "daily", goal=goal)
    assert frequency(habit) == pytest.approx(expected_f)
    assert rolling_target(habit) == expected_window


@pytest.mark.parametrize(
    "cadence, goal, picture, today, expected",
    [
        # score = previous * m + value * (1 - m), from 0
        ("daily", None, "xxx", 2, 1 - DAILY_M**3),
        ("daily", None, "x.x", 2, (1 - DAILY_M) * (1 + DAILY_M**2)),
        ("daily", None, "xsx", 2, 1 - DAILY_M**2),  # a skipped day leaves the score unchanged
        ("daily", None, "xx", 2, 1 - DAILY_M**2),  # today, open and unmet, changes nothing yet
        ("daily", None, "x..", 2, (1 - DAILY_M) * DAILY_M),  # day 1 missed; today still open
        ("daily", None, "x..", 3, (1 - DAILY_M) * DAILY_M**2),
        # 3/week: the value is the share of 6 check-ins in the last 14 days
        (
            "3/week",
            None,
            "x.x",
            2,
            ((1 / 6) * (1 - THREE_M) * THREE_M + (1 / 6) * (1 - THREE_M)) * THREE_M + (2 / 6) * (1 - THREE_M),
        ),
        # minutes goal: the share of 120 minutes in the last 7 days
        (None, "2h/week", [60], 0, 0.5 * (1 - WEEKLY_M)),
        (None, "2h/week", [60, 90], 1, 0.5 * (1 - WEEKLY_M) * WEEKLY_M + 1.0 * (1 - WEEKLY_M)),
    ],
)
def test_strength_matches_hand_computed_values(cadence, goal, picture, today, expected):
    habit = make_habit(cadence or "daily", goal=goal)
    assert strength(habit, make_history(picture), day(today)) == pytest.approx(expected)


def test_strength_of_a_long_kept_daily_habit_approaches_one():
    habit = make_habit("daily")
    assert strength(habit, make_history("x" * 200), day(199)) == pytest.approx(1 - DAILY_M**200)
    assert strength(habit, make_history("x" * 200), day(199)) > 0.99


def test_the_calendar_tells_partly_done_days_apart():
    habit = make_habit(goal="30m/day")
    weeks = calendar(habit, make_history([30, 10, 0]), day(3), weeks=1)
    assert [status for _, status in weeks[0]][:3] == ["done", PARTIAL, "missed"]
    assert weeks[0][0][0] == day(0)


def test_completion_rate_and_weekdays():
    habit = make_habit("daily")
    history = make_history("xx.xxs.x")  # Mon..Mon: Wed missed, Sat skipped, Sun missed
    assert completion_rate(habit, history, day(7), weeks=4) == pytest.approx(5 / 7)
    by_weekday = weekday_completion(habit, history, day(7))
    assert by_weekday[0] == 1.0 and by_weekday[2] == 0.0 and by_weekday[5] is None


@pytest.mark.parametrize(
    "picture, monday_rate",
    [
        ("x......" + ".", 1.0),  # today (a Monday) not logged yet: not counted, as the day is not over
        ("x......" + "x", 1.0),  # today logged: counted, and met
        ("......." + ".", 0.0),  # last Monday missed, today not counted
        ("......." + "x", 0.5),
    ],
)
def test_today_counts_in_the_weekday_rates_only_once_logged(picture, monday_rate):
    assert weekday_completion(make_habit("daily"), make_history(picture), day(7))[0] == monday_rate


def test_weekly_rates_for_a_sparkline():
    habit = make_habit("daily", created=7)
    rates = weekly_rates(habit, make_history("." * 7 + "xxxx.xx" + "x"), day(14), weeks=3)
    assert rates == [None, pytest.approx(6 / 7), 1.0]


def test_the_five_best_streaks_with_their_dates():
    habit = make_habit("daily")
    stats = habit_stats(habit, make_history("xx.xxxx.x.xxx.x"), day(14), weeks=2)
    assert [(r.length, r.first, r.last) for r in stats.best_streaks] == [
        (4, day(3), day(6)),
        (3, day(10), day(12)),
        (2, day(0), day(1)),
        (1, day(8), day(8)),
        (1, day(14), day(14)),
    ]
    assert (stats.streak, stats.best_streak) == (1, 4)


def test_stats_through_the_cli(connect):
    connect("add", "Talk")
    for date in ("2026-11-20", "2026-11-21", "2026-11-22", "2026-11-24", "2026-11-25"):
        connect("done", "talk", "--date", date)
    one = connect("stats", "talk", "--weeks", "4", "--json").json()
    assert (one["streak"], one["best_streak"], one["streak_unit"]) == (2, 3, "days")
    assert one["calendar"]["2026-11-23"] == "missed" and len(one["calendar"]) == 28
    assert [s["length"] for s in one["best_streaks"]] == [3, 2]
    assert 0 < one["strength"] < 1
    overview = connect("stats", "--json").json()
    assert overview["habits"][0]["name"] == "Talk" and len(overview["habits"][0]["weekly"]) == 12
    text = connect("stats", "talk", env={"NO_COLOR": "1"}).out
    assert "\x1b[" not in text and "Streak 2 days" in text and "strength" in text


def test_log_newest_first_with_notes_and_who(connect):
    connect("add", "Talk")
    connect("done", "talk", "--date", "2026-11-24", "--note", "about the move")
    connect("done", "talk")
    connect("skip", "talk", "--date", "2026-11-25", "--reason", "ill")
    entries = connect("log", "--json").json()
    assert [(e["date"], e["kind"]) for e in entries] == [
        ("2026-11-26", "checkin"),
        ("2026-11-25", "skip"),
        ("2026-11-24", "checkin"),
    ]
    assert entries[2]["note"] == "about the move"
    assert [e["date"] for e in connect("log", "talk", "--since", "2026-11-25", "--json").json()] == [
        "2026-11-26",
        "2026-11-25",
    ]
    assert "about the move" in connect("log").out
