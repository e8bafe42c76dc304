"""The strength score against Loop Habit Tracker's own pinned values (its ScoreListTest; today 2015-01-25).

Loop's one difference we keep on purpose: today, open and unmet, leaves the score as it was.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from connect_habits.core.history import build_histories
from connect_habits.core.model import CheckIn, Habit, Skip, parse_cadence
from connect_habits.core.stats import rolling_target, strength

TODAY = date(2015, 1, 25)


def back(n: int) -> date:
    return TODAY - timedelta(days=n)


def habit(cadence: str, created: date = date(2014, 1, 1)) -> Habit:
    return Habit(id="h", name="H", slug="h", cadence=parse_cadence(cadence), created=created)


def history(done: list[date], skipped: list[date] = ()):
    checkins = [CheckIn(id=f"c{d}", habit_id="h", day=d, logged_at="") for d in done]
    skips = [Skip(id=f"s{d}", habit_id="h", day=d) for d in skipped]
    return build_histories(checkins, skips)["h"]


@pytest.mark.parametrize(
    "cadence, window",
    [
        ("daily", (1, 1)),
        ("3/week", (14, 6)),  # below daily, twice the window and twice the count
        ("weekly", (14, 2)),
        ("every 2 days", (4, 2)),
        ("mon,wed,fri", (14, 6)),
    ],
)
def test_a_rhythm_below_daily_is_measured_over_twice_its_window(cadence, window):
    assert rolling_target(habit(cadence)) == window


def test_daily_done_on_the_twenty_days_up_to_today():
    assert strength(habit("daily"), history([back(n) for n in range(20)]), TODAY) == pytest.approx(0.655747, abs=1e-4)


def test_daily_with_three_of_those_days_skipped():
    skipped = [back(5), back(10), back(11)]
    done = [back(n) for n in range(20) if back(n) not in skipped]
    assert strength(habit("daily"), history(done, skipped), TODAY) == pytest.approx(0.596033, abs=1e-4)


def test_a_day_skipped_and_still_done_counts_as_done():
    done = [back(n) for n in range(20)]
    both = strength(habit("daily"), history(done, [back(5), back(10), back(11)]), TODAY)
    assert both == strength(habit("daily"), history(done), TODAY)


def test_every_two_days_done_today_and_yesterday():
    assert strength(habit("every 2 days"), history([TODAY, back(1)]), TODAY) == pytest.approx(0.054816, abs=1e-4)


@pytest.mark.parametrize("cadence, expected", [("3/week", 0.666667), ("4/week", 0.5)])
def test_n_a_week_done_on_two_consecutive_days_of_every_seven_for_a_hundred_weeks(cadence, expected):
    done = [back(n) for n in range(700) if n % 7 in (0, 1)]
    assert strength(habit(cadence), history(done), TODAY) == pytest.approx(expected, abs=1e-4)


def test_a_weekly_ritual_kept_every_week_alternately_on_monday_and_sunday_is_at_full_strength():
    # The example: connect said 55 % where Loop says 100 %; 200 weeks in a row.
    mondays = [date(2011, 3, 7) + timedelta(weeks=w) for w in range(200)]
    done = [monday + timedelta(days=6 if w % 2 else 0) for w, monday in enumerate(mondays)]
    today = max(done)
    assert strength(habit("weekly", date(2011, 3, 7)), history(done), today) == pytest.approx(1.0, abs=1e-3)


def measured(goal: str = "", limit: str = "") -> Habit:
    from connect_habits.core.model import parse_goal

    return Habit(
        id="h",
        name="H",
        slug="h",
        cadence=parse_cadence("daily"),
        created=date(2013, 1, 1),
        goal=parse_goal(goal) if goal else None,
        limit=parse_goal(limit, "limit") if limit else None,
    )


def amounts(per_day: dict[date, int]):
    return build_histories(
        [CheckIn(id=f"c{d}", habit_id="h", day=d, logged_at="", minutes=n) for d, n in per_day.items()], []
    )["h"]


def test_an_amount_of_two_a_day_with_one_logged_every_day_for_500_days():
    history = amounts({back(n): 1 for n in range(500)})
    assert strength(measured(goal="2 glasses/day"), history, TODAY) == pytest.approx(0.5, abs=1e-4)


def test_a_limit_of_two_a_day_passed_on_the_twenty_days_up_to_today():
    over = {back(n): 5 for n in range(20)} | {back(20): 1}
    assert strength(measured(limit="2 coffees/day"), amounts(over), TODAY) == pytest.approx(0.344253, abs=1e-4)


def test_a_limit_with_today_still_open_leaves_today_out():
    over = {back(n): 5 for n in range(1, 20)} | {back(20): 1}
    assert strength(measured(limit="2 coffees/day"), amounts(over), TODAY) == pytest.approx(0.363106, abs=1e-4)
