"""Limits (at most 1h/day of screens, at most 5h/week) and amounts in any unit (3 compliments/day)."""

from __future__ import annotations

from datetime import date

import pytest

from connect_habits.core.habits import HabitOptions, new_habit
from connect_habits.core.history import build_histories
from connect_habits.core.model import CheckIn, Skip, parse_goal
from connect_habits.core.reminders import needs_reminder, one_click
from connect_habits.core.streaks import current_streak, day_status
from connect_habits.core.week import habit_week
from connect_habits.core.words import progress_text, rhythm_text
from connect_habits.errors import InvalidInput, UsageError

MONDAY = date(2026, 11, 23)
CREATED = date(2026, 11, 1)


def habit(**options):
    return new_habit([], "H", HabitOptions(**options), CREATED)


def history(amounts: dict[int, int], skipped=()):
    checkins = [
        CheckIn(id=f"c{d}", habit_id="h", day=date(2026, 11, d), logged_at="", minutes=n) for d, n in amounts.items()
    ]
    skips = [Skip(id=f"s{d}", habit_id="h", day=date(2026, 11, d)) for d in skipped]
    return build_histories([c._replace(habit_id="h") for c in checkins], skips)["h"]


def with_id(h):
    return h._replace(id="h")


@pytest.mark.parametrize(
    "text, shown, json",
    [
        ("1h/day", "1h/day", {"minutes": 60, "per": "day"}),
        ("5h/week", "5h/week", {"minutes": 300, "per": "week"}),
        ("2 coffees/day", "2 coffees/day", {"amount": 2, "unit": "coffees", "per": "day"}),
        ("3 compliments/day", "3 compliments/day", {"amount": 3, "unit": "compliments", "per": "day"}),
        ("20 pages/week", "20 pages/week", {"amount": 20, "unit": "pages", "per": "week"}),
        ("90 minutes/day", "1h30m/day", {"minutes": 90, "per": "day"}),
    ],
)
def test_an_amount_reads_in_minutes_or_any_unit(text, shown, json):
    goal = parse_goal(text)
    assert (str(goal), goal.as_dict()) == (shown, json)


@pytest.mark.parametrize("text", ["3/day", "0 coffees/day", "2 coffees/year", "coffees/day", "100001 steps/day"])
def test_an_amount_that_is_not_one_is_refused(text):
    with pytest.raises(InvalidInput):
        parse_goal(text)


def test_a_habit_has_a_goal_or_a_limit_not_both():
    with pytest.raises(UsageError, match="not both"):
        habit(goal="1h/day", limit="2h/day")
    limited = habit(limit="1h/day")
    assert rhythm_text(limited) == "at most 1h/day" and limited.goal is None


@pytest.mark.parametrize(
    "amounts, day, today, status",
    [
        ({23: 40}, 23, 26, "done"),  # under the limit, the day is over
        ({}, 24, 26, "done"),  # nothing logged on a finished day: kept
        ({25: 90}, 25, 26, "missed"),  # over
        ({26: 30}, 26, 26, "pending"),  # today, within so far
        ({26: 61}, 26, 26, "missed"),  # today, over at once
        ({}, 1, 26, "not_due"),  # the day it was added, nothing logged: neutral
    ],
)
def test_a_day_under_a_limit_is_kept_and_over_it_missed(amounts, day, today, status):
    h = with_id(habit(limit="1h/day"))
    assert day_status(h, history(amounts), date(2026, 11, day), date(2026, 11, today)) == status


@pytest.mark.parametrize(
    "amounts, today, streak",
    [
        ({}, 26, 24),  # every finished day since the 2nd kept (the 1st was the day it was added)
        ({20: 90}, 26, 5),  # the 21st to the 25th
        ({26: 90}, 26, 0),  # today over: broken at once
    ],
)
def test_a_limits_streak_counts_kept_days_and_breaks_as_soon_as_it_is_passed(amounts, today, streak):
    h = with_id(habit(limit="1h/day"))
    assert current_streak(h, history(amounts), date(2026, 11, today)) == streak


def test_a_limit_challenge_counts_its_first_day_kept_unless_it_was_also_the_day_it_was_added():
    # Added on the 1st, starting on the 5th: the 5th is a whole day under the limit, so it counts.
    h = with_id(habit(limit="1h/day", starts="2026-11-05"))
    assert current_streak(h, history({}), date(2026, 11, 8)) == 3  # the 5th, 6th and 7th; the 8th is today


@pytest.mark.parametrize(
    "amounts, today, streak",
    [({}, 26, 3), ({10: 200, 11: 200}, 26, 1), ({23: 301}, 26, 0)],
)
def test_a_weekly_limit_is_kept_per_week_and_broken_when_the_week_passes_it(amounts, today, streak):
    h = with_id(habit(limit="5h/week"))
    assert h.week_based
    assert current_streak(h, history(amounts), date(2026, 11, today)) == streak


@pytest.mark.parametrize(
    "options, amounts, reminded",
    [
        ({"limit": "1h/day"}, {26: 30}, True),  # within: a nudge, with what is left
        ({"limit": "1h/day"}, {26: 70}, False),  # passed: nothing to do
        ({"goal": "3 compliments/day"}, {26: 2}, True),  # under the target
        ({"goal": "3 compliments/day"}, {26: 3}, False),  # met
        ({"goal": "20 pages/week"}, {24: 12}, True),
        ({"goal": "20 pages/week"}, {24: 20}, False),
    ],
)
def test_an_amount_is_reminded_until_met_and_a_limit_while_it_is_kept(options, amounts, reminded):
    h = with_id(habit(**options))
    assert needs_reminder(h, history(amounts), date(2026, 11, 26)) is reminded


@pytest.mark.parametrize(
    "options, amounts, click",
    [
        ({"goal": "3 compliments/day"}, {26: 1}, 2),
        ({"limit": "1h/day"}, {}, None),
        ({"goal": "20 pages/week"}, {}, None),
    ],
)
def test_done_from_a_reminder_logs_what_is_left_of_a_days_amount_and_nothing_for_a_limit(options, amounts, click):
    h = with_id(habit(**options))
    assert one_click(h, history(amounts), date(2026, 11, 26), None, False) == click


def test_the_week_counts_an_amount_in_its_unit():
    h = with_id(habit(goal="20 pages/week"))
    row = habit_week(h, history({23: 8, 25: 5}), date(2026, 11, 26), date(2026, 11, 26))
    assert (row.progress.unit, progress_text(row)) == ("pages", "13/20 pages")


def test_a_past_weeks_streak_counts_its_last_day_kept():
    h = with_id(habit(limit="1h/day"))
    row = habit_week(h, history({}), date(2026, 11, 26), date(2026, 12, 8))
    assert row.streak == 28  # the 2nd to the 29th: every finished day kept, the Sunday included
