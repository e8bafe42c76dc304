"""The streak rules, each pinned by a table of cases (pictures: see tests/support/history.py)."""

from __future__ import annotations

import pytest

from connect_habits.core.streaks import (
    DONE,
    FUTURE,
    MISSED,
    NOT_DUE,
    PENDING,
    SKIPPED,
    best_streak,
    current_streak,
    day_status,
)
from connect_habits.core.week import week_progress, week_summary
from support.history import START, day, make_habit, make_history

# (cadence, picture from Monday START, today as a day number, current, best)
DAY_BASED = [
    # daily: due days met in a row
    ("daily", "xxx", 2, 3, 3),
    ("daily", "x.x", 2, 1, 1),
    ("daily", "x.xx", 3, 2, 2),
    ("daily", "xxx.xx", 5, 2, 3),
    # today, still open and unmet, is pending: it neither counts nor breaks
    ("daily", "xx.", 2, 2, 2),
    ("daily", "xx", 2, 2, 2),
    # but yesterday unmet breaks
    ("daily", "xx..", 3, 0, 2),
    # skipped days are neutral
    ("daily", "xsx", 2, 2, 2),
    ("daily", "xssssx", 5, 2, 2),
    ("daily", "sss", 2, 0, 0),
    # a skipped day that was done anyway counts
    ("daily", "xSx", 2, 3, 3),
    # nothing logged yet
    ("daily", "", 0, 0, 0),
    # a day list: days that are not due are neutral
    ("mon,wed,fri", "x.x.x", 4, 3, 3),
    ("mon,wed,fri", "x...x", 4, 1, 1),
    ("mon,wed,fri", "x.x.x..x", 7, 4, 4),
    # a check-in on a day that is not due is logged but does not extend the streak
    ("mon,wed,fri", "xx", 2, 1, 1),
    # weekdays: the weekend does not break the run
    ("weekdays", "xxxxx..x", 7, 6, 6),
    ("weekends", ".....xx.....xx", 13, 4, 4),
    ("weekends", ".....xx......x", 13, 1, 2),
    # every N days, anchored at creation (day 0)
    ("every 2 days", "x.x.x", 4, 3, 3),
    ("every 2 days", "x...x", 4, 1, 1),
    ("every 2 days", "x.x.", 3, 2, 2),
    ("every 3 days", "x..x..", 5, 2, 2),
]


@pytest.mark.parametrize("cadence, picture, today, current, best", DAY_BASED)
def test_day_based_streaks(cadence, picture, today, current, best):
    habit, history = make_habit(cadence), make_history(picture)
    assert current_streak(habit, history, day(today)) == current
    assert best_streak(habit, history, day(today)) == best


# Weeks start on Monday START; a picture of 14 days is two weeks.
WEEK_BASED = [
    # (cadence, picture, today, current, best)
    ("3/week", "xx.x...", 6, 1, 1),
    ("3/week", "xx.x...x.x.x...", 14, 2, 2),
    # this week, open and unmet, is pending
    ("3/week", "xx.x...x.x", 9, 1, 1),
    # a week that ended unmet breaks the streak
    ("3/week", "xx.x...x.x....", 14, 0, 1),
    # distinct days: two check-ins a day would not help, one a day does
    ("3/week", "xxx....", 2, 1, 1),
    # a fully skipped week is neutral
    ("3/week", "xxx....sssssssxxx....", 20, 2, 2),
    # a partly skipped week: 3 unskipped days -> ceil(3 * 3 / 7) = 2
    ("3/week", "xxx....ssssx.x", 13, 2, 2),
    ("3/week", "xxx....ssss.x..", 14, 0, 1),
    # 6 unskipped days -> ceil(3 * 6 / 7) = 3
    ("3/week", "xxx....s.x.x...", 14, 0, 1),
    ("weekly", "......x.x.....", 13, 2, 2),
    ("weekly", "......x.......x", 14, 1, 1),
    ("weekly", "x.............x", 14, 1, 1),
    ("1/week", "", 6, 0, 0),
]


@pytest.mark.parametrize("cadence, picture, today, current, best", WEEK_BASED)
def test_week_based_streaks(cadence, picture, today, current, best):
    habit, history = make_habit(cadence), make_history(picture)
    assert current_streak(habit, history, day(today)) == current
    assert best_streak(habit, history, day(today)) == best


MINUTES = [
    # (goal, minutes per day, today, current, best)
    ("30m/day", [30, 45, 30], 2, 3, 3),
    ("30m/day", [30, 20, 30], 2, 1, 1),
    ("30m/day", [30, 30, 10], 2, 2, 2),  # today's 10 minutes: still pending
    ("30m/day", [30, "s", 30], 2, 2, 2),
    ("2h/week", [60, 0, 60, 0, 0, 0, 0], 6, 1, 1),
    ("2h/week", [60, 0, 59, 0, 0, 0, 0, 120], 7, 1, 1),  # week 1 short by a minute, week 2 met
    ("2h/week", [60, 0, 59, 0, 0, 0, 0, 0, 0], 8, 0, 0),  # week 1 missed, week 2 pending
    ("1h30m/week", [45, 45, 0, 0, 0, 0, 0, 90], 7, 2, 2),
    # 4 days skipped: ceil(120 * 3 / 7) = 52 minutes
    ("2h/week", ["s", "s", "s", "s", 52, 0, 0], 6, 1, 1),
    ("2h/week", ["s", "s", "s", "s", 51, 0, 0, 0], 7, 0, 0),
]


@pytest.mark.parametrize("goal, minutes, today, current, best", MINUTES)
def test_minutes_goal_streaks(goal, minutes, today, current, best):
    habit = make_habit(goal=goal)
    history = make_history(minutes)
    assert current_streak(habit, history, day(today)) == current
    assert best_streak(habit, history, day(today)) == best


HISTORY_START = [
    # (created, picture, today, current): the history starts at creation or the first check-in
    (5, ".....x", 5, 1),
    (5, "xxxxxx", 5, 6),  # backfilled check-ins before creation count
    (3, "..xx", 3, 2),  # the first check-in (day 2) starts it, not creation (day 3)
    (3, "x..x", 3, 1),  # backfilled day 0, then days 1 and 2 were due and missed
]


@pytest.mark.parametrize("created, picture, today, current", HISTORY_START)
def test_history_starts_at_creation_or_first_checkin(created, picture, today, current):
    habit, history = make_habit("daily", created=created), make_history(picture)
    assert current_streak(habit, history, day(today)) == current


@pytest.mark.parametrize(
    "cadence, picture, today, expected",
    [
        ("daily", "x.s", 3, [DONE, MISSED, SKIPPED, PENDING, FUTURE, FUTURE, FUTURE]),
        ("daily", "x.sx", 3, [DONE, MISSED, SKIPPED, DONE, FUTURE, FUTURE, FUTURE]),
        ("mon,wed,fri", "...", 3, [MISSED, NOT_DUE, MISSED, NOT_DUE, FUTURE, FUTURE, FUTURE]),
        ("mon,wed,fri", "", 4, [MISSED, NOT_DUE, MISSED, NOT_DUE, PENDING, FUTURE, FUTURE]),
        # week-based, week not met yet: only today is pending, other empty days are not due
        ("3/week", "x.", 2, [DONE, NOT_DUE, PENDING, FUTURE, FUTURE, FUTURE, FUTURE]),
        # week met: the rest of the week is not due
        ("3/week", "xxx", 3, [DONE, DONE, DONE, NOT_DUE, FUTURE, FUTURE, FUTURE]),
        # a week that ended unmet: its empty days were missed
        ("3/week", "x.s", 9, [DONE, MISSED, SKIPPED, MISSED, MISSED, MISSED, MISSED]),
    ],
)
def test_day_statuses(cadence, picture, today, expected):
    habit, history = make_habit(cadence, created=-7), make_history(picture)
    statuses = [day_status(habit, history, day(n), day(today)) for n in range(7)]
    assert statuses == expected


def test_days_before_the_history_starts_are_not_due_and_the_day_added_counts_only_if_done():
    habit, history = make_habit("daily", created=2), make_history("")
    assert [day_status(habit, history, day(n), day(4)) for n in range(5)] == [
        NOT_DUE,
        NOT_DUE,
        NOT_DUE,  # added that evening, not done: not missed
        MISSED,
        PENDING,
    ]
    assert day_status(habit, make_history("..x"), day(2), day(4)) == DONE


@pytest.mark.parametrize(
    "cadence, created, picture, today, current, target",
    [
        ("daily", 2, "", 2, 0, 5),  # on the day it is added, that day can still be done
        ("daily", 2, "", 3, 0, 4),  # the next day: the day added is out of the target, and no missed day
        ("daily", 2, "..x", 3, 1, 5),  # done on the day added: it counts
        ("daily", 2, "...x", 4, 1, 4),  # the day added breaks nothing
        ("3/week", 5, "", 9, 0, None),  # a week-based habit's first week counts only when met
        ("3/week", 5, "", 15, 0, None),
    ],
)
def test_the_day_a_habit_is_added_counts_only_if_done(cadence, created, picture, today, current, target):
    habit, history = make_habit(cadence, created=created), make_history(picture)
    assert current_streak(habit, history, day(today)) == current
    if target is not None:
        assert week_progress(habit, history, START, day(today)).target == target
    else:
        assert MISSED not in [day_status(habit, history, day(n), day(today)) for n in range(7)]


@pytest.mark.parametrize(
    "cadence, goal, picture, created, expected",
    [
        ("mon,wed,sat", None, "x", 0, (1, 3, "times")),
        ("daily", None, "xx.s", 0, (2, 6, "times")),  # the skipped Thursday leaves the target
        ("daily", None, "", 3, (0, 4, "times")),  # created on Thursday: four days left
        ("3/week", None, "x.x", 0, (2, 3, "times")),
        ("3/week", None, "ssss", 0, (0, 2, "times")),  # prorated: ceil(3 * 3 / 7)
        (None, "2h/week", [45, 50], 0, (95, 120, "minutes")),
        ("weekdays", "30m/day", [30, 10], 0, (40, 150, "minutes")),
        ("3/week", None, "", 9, (0, 0, "times")),  # a week over before the habit was added: nothing was due
        (None, "2h/week", [], 7, (0, 0, "minutes")),
        ("daily", None, "", 9, (0, 0, "times")),  # as for a daily one
        ("3/week", None, "x", 9, (1, 3, "times")),  # a check-in from before (an import) begins its history
    ],
)
def test_week_progress(cadence, goal, picture, created, expected):
    habit = make_habit(cadence or "daily", goal=goal, created=created)
    progress = week_progress(habit, make_history(picture), START)
    assert (progress.done, progress.target, progress.unit) == expected


def test_sunday_first_weeks_shift_week_based_streaks():
    habit = make_habit("weekly")
    history = make_history("......x")  # Sunday the 8th
    assert current_streak(habit, history, day(7), first_weekday=0) == 1
    # Sunday-first: Sunday the 8th opens the week of the 8th to the 14th, which it meets...
    assert current_streak(habit, history, day(7), first_weekday=6) == 1
    # ...the week of the 15th is pending until it ends, then breaks the streak.
    assert current_streak(habit, history, day(19), first_weekday=6) == 1
    assert current_streak(habit, history, day(20), first_weekday=6) == 0
    assert current_streak(habit, history, day(14), first_weekday=0) == 0


def test_week_summary_covers_the_week_of_the_given_day_and_leaves_out_archived_habits():
    from support.history import make_habit as mh

    active = mh("daily")
    archived = mh("daily")._replace(id="old", archived=True)
    summary = week_summary([active, archived], [], [], today=day(10), day=day(2))
    assert (summary.week_start, summary.week_end, summary.today) == (START, day(6), day(10))
    assert [row.habit.id for row in summary.habits] == ["h"]
    assert list(summary.habits[0].days) == [day(n) for n in range(7)]


def test_a_past_week_shows_the_streak_as_it_stood_at_that_weeks_end():
    from connect_habits.core.model import CheckIn

    habit = make_habit("daily")
    checkins = [CheckIn(id=str(n), habit_id="h", day=day(n), logged_at="") for n in range(7)]
    summary = week_summary([habit], checkins, [], today=day(9), day=day(3))
    row = summary.habits[0]
    assert (row.streak, row.best_streak) == (7, 7)
    current = week_summary([habit], checkins, [], today=day(9)).habits[0]
    assert (current.streak, current.best_streak) == (0, 7)
