"""Amounts with decimals (2.5 pages) and goals per month: parsed, stored, shown and counted exactly."""

from __future__ import annotations

from datetime import date

import pytest

from connect_habits.core.amounts import measured_amount, parse_amount
from connect_habits.core.cadence import period_target
from connect_habits.core.model import DAILY, MONTHLY, WEEKLY, Goal, Habit, parse_goal
from connect_habits.core.stats import frequency, rolling_target
from connect_habits.core.words import amount_text, plain_number
from connect_habits.errors import InvalidInput
from connect_habits.storage.records import checkin_from, goal_from


def habit(goal: Goal, cadence=WEEKLY) -> Habit:
    return Habit(id="h", name="Run", slug="run", cadence=cadence, created=date(2026, 1, 1), goal=goal)


@pytest.mark.parametrize(
    "text, goal",
    [
        ("20 pages/month", Goal(20, "month", "pages")),
        ("10.5 km/week", Goal(10.5, "week", "km")),
        ("2.25 km/day", Goal(2.25, "day", "km")),
        ("10h/month", Goal(600, "month")),
        ("3 compliments/mo", Goal(3, "month", "compliments")),
    ],
)
def test_goals_per_month_and_with_decimals_parse_and_read_back(text, goal):
    assert parse_goal(text) == goal
    assert goal_from(goal.as_dict()) == goal
    assert parse_goal(str(goal)) == goal


@pytest.mark.parametrize("text", ["0.0 km/day", "2.5555 km/day", "745h/month", "1.5h/day"])
def test_amounts_that_are_not_goals_are_refused(text):
    with pytest.raises(InvalidInput):
        parse_goal(text)


@pytest.mark.parametrize("value, shown", [(3.0, 3), (2.5, 2.5), (75.5000001, 75.5), (0.1 + 0.2, 0.3), (100000, 100000)])
def test_a_number_is_shown_whole_when_it_is(value, shown):
    assert plain_number(value) == shown and type(plain_number(value)) is type(shown)


@pytest.mark.parametrize(
    "amount, unit, text",
    [
        (3, "km", "3 km"),
        (2.5, "pages", "2.5 pages"),
        (1, "pages", "1 page"),
        (2, "coffee", "2 coffees"),
        (4.0, "kg", "4 kg"),
    ],
)
def test_an_amount_is_written_in_its_unit(amount, unit, text):
    assert amount_text(amount, habit(Goal(5, "day", unit), cadence=DAILY)) == text


@pytest.mark.parametrize("text, amount", [("2", 2), ("2.5", 2.5), ("100000", 100000), ("0.125", 0.125)])
def test_done_takes_an_amount_with_decimals(text, amount):
    assert parse_amount(text) == amount
    assert measured_amount(habit(Goal(10, "week", "km")), None, text) == amount


@pytest.mark.parametrize("text", ["0", "-1", "x", "1e3", "2.5555", "100001", " "])
def test_amounts_that_are_not_amounts_are_refused(text):
    with pytest.raises(InvalidInput):
        parse_amount(text)


def test_a_habit_in_minutes_takes_whole_minutes_only():
    minutes = habit(Goal(30, "day"))
    assert measured_amount(minutes, None, "20") == 20
    with pytest.raises(InvalidInput):
        measured_amount(minutes, None, "2.5")


def test_a_goal_per_month_counts_over_thirty_days_like_loops_x_per_30():
    monthly = habit(Goal(20, "month", "pages"), cadence=MONTHLY)
    assert monthly.week_based and frequency(monthly) == 1 / 30 and rolling_target(monthly) == (30, 20)


def test_a_whole_period_asks_for_the_whole_target_with_its_decimals():
    run = habit(Goal(10.5, "week", "km"))
    assert period_target(run, date(2026, 11, 30), 7) == 10.5
    assert period_target(run, date(2026, 11, 30), 6) == 9  # prorated, rounded up


def test_a_stored_amount_with_decimals_reads_back_as_it_was():
    record = {"id": "c", "habit": "h", "date": "2026-11-27", "minutes": 2.5}
    assert checkin_from(record).minutes == 2.5
