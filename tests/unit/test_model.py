"""Parsing what users type: cadences, goals, times, dates, names, durations."""

from __future__ import annotations

from datetime import date

import pytest

from connect_habits.core.model import (
    parse_cadence,
    parse_date,
    parse_duration,
    parse_goal,
    parse_name,
    parse_time,
    slugify,
)
from connect_habits.errors import InvalidInput

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    "text, canonical, week_based",
    [
        ("daily", "daily", False),
        ("Daily", "daily", False),
        ("weekdays", "weekdays", False),
        ("WEEKENDS", "weekends", False),
        ("mon,wed,fri", "mon,wed,fri", False),
        ("Mon, Wed, Sat", "mon,wed,sat", False),
        ("friday,monday", "mon,fri", False),
        ("mon,tue,wed,thu,fri", "weekdays", False),
        ("sat,sun", "weekends", False),
        ("mon,tue,wed,thu,fri,sat,sun", "daily", False),
        ("3/week", "3/week", True),
        ("3 / week", "3/week", True),
        ("1/week", "weekly", True),
        ("weekly", "weekly", True),
        ("7/week", "7/week", True),
        ("every 3 days", "every 3 days", False),
        ("Every 14 Days", "every 14 days", False),
        ("every 1 day", "daily", False),
        ("every other day", "every 2 days", False),
    ],
)
def test_cadences_parse_to_a_canonical_form(text, canonical, week_based):
    cadence = parse_cadence(text)
    assert str(cadence) == canonical
    assert cadence.week_based is week_based
    assert str(parse_cadence(str(cadence))) == canonical


@pytest.mark.parametrize(
    "text", ["", "fortnightly", "0/week", "8/week", "every 0 days", "every 400 days", "mon,funday", "3/fortnight"]
)
def test_bad_cadences_are_refused(text):
    with pytest.raises(InvalidInput):
        parse_cadence(text)


@pytest.mark.parametrize(
    "text, minutes, per, canonical",
    [
        ("30m/day", 30, "day", "30m/day"),
        ("2h/week", 120, "week", "2h/week"),
        ("1h30m/week", 90, "week", "1h30m/week"),
        ("90m/week", 90, "week", "1h30m/week"),
        ("45min/day", 45, "day", "45m/day"),
        ("24h/day", 1440, "day", "24h/day"),
    ],
)
def test_goals(text, minutes, per, canonical):
    goal = parse_goal(text)
    assert (goal.minutes, goal.per, str(goal)) == (minutes, per, canonical)


@pytest.mark.parametrize("text", ["", "30", "30m", "2h/year", "0m/day", "25h/day", "abc/week", "/week", "h/day"])
def test_bad_goals_are_refused(text):
    with pytest.raises(InvalidInput):
        parse_goal(text)


@pytest.mark.parametrize("text, minutes", [("90m", 90), ("2h", 120), ("1h30m", 90), ("45", 45), ("1h 5m", 65)])
def test_durations(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["", "0m", "h", "-5m", "1.5h", "soon"])
def test_bad_durations_are_refused(text):
    with pytest.raises(InvalidInput):
        parse_duration(text)


@pytest.mark.parametrize(
    "text, expected", [("19:00", "19:00"), ("7:05", "07:05"), ("00:00", "00:00"), ("23:59", "23:59")]
)
def test_times(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "19:60", "7pm", "19", "", "19:5"])
def test_bad_times_are_refused(text):
    with pytest.raises(InvalidInput):
        parse_time(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("today", TODAY),
        ("Yesterday", date(2026, 11, 25)),
        ("tomorrow", date(2026, 11, 27)),
        ("2026-11-01", date(2026, 11, 1)),
        ("2024-02-29", date(2024, 2, 29)),
    ],
)
def test_dates(text, expected):
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["2026-02-30", "26-11-2026", "the day after", "", "2026/11/01", "2026-13-01"])
def test_bad_dates_are_refused(text):
    with pytest.raises(InvalidInput):
        parse_date(text, TODAY)


@pytest.mark.parametrize(
    "text, name",
    [
        ("  Walk together ", "Walk together"),
        ("散歩", "散歩"),
        ("🚶 walk", "🚶 walk"),
        ("שיחה", "שיחה"),
        ("x" * 80, "x" * 80),
    ],
)
def test_names_are_trimmed_and_any_script_is_welcome(text, name):
    assert parse_name(text) == name


@pytest.mark.parametrize("text", ["", "   ", "x" * 81, "tab\there", "new\nline", "bell\x07"])
def test_bad_names_are_refused(text):
    with pytest.raises(InvalidInput):
        parse_name(text)


@pytest.mark.parametrize(
    "name, slug",
    [
        ("Walk together", "walk-together"),
        ("Tech-free time!", "tech-free-time"),
        ("Café  talk", "café-talk"),
        ("🚶", "habit"),
    ],
)
def test_slugs(name, slug):
    assert slugify(name) == slug
