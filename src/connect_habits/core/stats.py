"""Insight over months: a calendar of statuses, streaks, completion rates and the strength score.

Pure functions; `today` is always a parameter.
"""

from __future__ import annotations

import math
from collections import namedtuple
from datetime import date, timedelta

from .cadence import day_met, due_test, in_span, period_start, plain_weekdays, week_start
from .challenges import challenge_result
from .history import History, history_start
from .model import Habit
from .streaks import (
    DONE,
    MISSED,
    ONE_DAY,
    PENDING,
    day_status,
    period_outcomes,
    scan_end,
    streak_runs,
)
from .week import streak_unit

PARTIAL = "partial"


def frequency(habit: Habit) -> float:
    """Times per day the habit asks for: daily 1, 3/week 3/7, weekly 1/7, every 3 days 1/3."""
    cadence = habit.cadence
    if habit.measure is not None and habit.measure.per == "week":
        return 1 / 7
    if cadence.per_week:
        return cadence.per_week / 7
    if cadence.per_month:  # as Loop's X/30
        return cadence.per_month / 30
    if cadence.rolling:
        return cadence.rolling[0] / cadence.rolling[1]
    if cadence.nth:
        return 1 / 30
    if cadence.interval:
        return 1 / cadence.interval
    return len(cadence.weekdays) / 7


def rolling_target(habit: Habit) -> tuple[int, float]:
    """(window in days, what must be reached in it): the target a day's value is measured against.

    As in Loop, a check habit done less than daily is measured over twice its window, for twice the
    count (3/week: 6 in 14 days), to smooth out an irregular rhythm: a weekly ritual kept every week,
    once on its Monday and once on its Sunday, is at full strength. Amounts are not doubled."""
    cadence, measure = habit.cadence, habit.measure
    if measure is not None and measure.per == "week":
        return 7, measure.minutes
    per_occasion = measure.minutes if measure is not None else 1
    if cadence.per_week:
        window, target = 7, cadence.per_week * per_occasion
    elif cadence.per_month:
        window, target = 30, cadence.per_month * per_occasion
    elif cadence.rolling:
        window, target = cadence.rolling[1], cadence.rolling[0] * per_occasion
    elif cadence.nth:
        window, target = 30, per_occasion
    elif cadence.interval:
        window, target = cadence.interval, per_occasion
    elif len(cadence.weekdays) == 7:
        return 1, per_occasion
    else:
        window, target = 7, len(cadence.weekdays) * per_occasion
    return (window, target) if measure is not None else (2 * window, 2 * target)


def strength(habit: Habit, history: History, today: date) -> float:
    """Loop Habit Tracker's habit strength, 0 to 1.

    Per day: score = previous * m + value * (1 - m), m = 0.5 ** (sqrt(f) / 13), where f is
    the frequency and value the share of the rolling target met (capped at 1). A skipped
    day leaves the score as it was; so does today while it is still open and unmet, and so does
    a day before a habit's start or after its end (a finished challenge keeps its score).
    """
    fold = history.fold
    if fold is not None and history.resume_point(habit, 0, today) is not None:
        return strength_scan(habit, history, fold.at, today, fold.score, fold.rolling)[0]
    return strength_scan(habit, history, history_start(habit, history), today, initial_strength(habit))[0]


def initial_strength(habit: Habit) -> float:
    """Where the score starts: 0, or 1 for a limit (kept until it is passed), as in Loop."""
    return 1.0 if habit.limit is not None else 0.0


def strength_scan(
    habit: Habit,
    history: History,
    start: date,
    today: date,
    score: float = 0.0,
    rolling: float = 0.0,
    stop: date | None = None,
) -> tuple[float, float]:
    """The strength scan from `start` (with the score and rolling sum it had there) to `today` or before `stop`."""
    m = 0.5 ** (math.sqrt(frequency(habit)) / 13)
    window, target = rolling_target(habit)
    measured, limit = habit.measured, habit.limit is not None
    # The scan runs over every day of ten years for every habit: it counts days as ordinals, and what it asks of
    # a day is looked up in tables made once (a day's units, whether it is logged, whether it is left out).
    first, last, begin = start.toordinal(), scan_end(today, stop).toordinal(), history_start(habit, history).toordinal()
    now = today.toordinal()
    logged = {day.toordinal() for day, count in history.count.items() if count > 0}
    if measured:
        units = {day.toordinal(): amount for day, amount in history.minutes.items()}
    else:
        units = dict.fromkeys(logged, 1)
    left_out = {day.toordinal() for day in history.skipped} - logged  # a day logged counts, skipped or not
    low = habit.starts.toordinal() if habit.starts is not None else first
    high = habit.ends.toordinal() if habit.ends is not None else last
    unit = units.get
    for day in range(first, last + 1):
        rolling += unit(day, 0)
        if day - window >= begin:
            rolling -= unit(day - window, 0)
        if limit:  # Loop's "at most": full while under, nothing at twice the limit
            value = min(1.0, max(0.0, 1 - (rolling - target) / target))
        else:
            value = min(1.0, rolling / target) if target else 0.0
        if day in left_out or day < low or day > high:
            continue
        if day == now and (rolling <= target if limit else value < 1 and day not in logged):
            continue  # today, still open
        score = score * m + value * (1 - m)
    return score, rolling


def calendar_status(habit: Habit, history: History, day: date, today: date, first_weekday: int = 0) -> str:
    """A day's status for the calendar: the week's statuses, plus `partial` for minutes below a day's goal."""
    status = day_status(habit, history, day, today, first_weekday)
    if status in (MISSED, PENDING) and habit.goal is not None and history.minutes.get(day, 0) > 0:
        return PARTIAL
    return status


def calendar(
    habit: Habit, history: History, today: date, weeks: int, first_weekday: int = 0
) -> list[list[tuple[date, str]]]:
    """The last `weeks` weeks as columns of seven (date, status) cells, oldest first."""
    last = week_start(today, first_weekday)
    starts = [last - timedelta(days=7 * n) for n in range(weeks - 1, -1, -1)]
    return [
        [
            (s + timedelta(days=i), calendar_status(habit, history, s + timedelta(days=i), today, first_weekday))
            for i in range(7)
        ]
        for s in starts
    ]


def recent_outcomes(habit: Habit, history: History, today: date, weeks: int, first_weekday: int = 0) -> list:
    """The (period, outcome) pairs of the last `weeks` weeks: the rates of those weeks or fewer filter this one scan."""
    since = max(history_start(habit, history), today - timedelta(days=7 * weeks - 1))
    return list(period_outcomes(habit, history, since, today, first_weekday))


def _outcomes_from(habit: Habit, history: History, start: date, today: date, first_weekday: int, scanned):
    """period_outcomes from `start`, or the part of `scanned` (a scan from no later, to `today`) that it yields."""
    if scanned is None:
        return period_outcomes(habit, history, start, today, first_weekday)
    # A period's outcome is its own, wherever the scan began: the later start's are a tail of the earlier's.
    first = period_start(habit, start, first_weekday) if habit.week_based else start
    return [(period, outcome) for period, outcome in scanned if period >= first]


def completion_rate(
    habit: Habit, history: History, today: date, weeks: int, first_weekday: int = 0, scanned: list | None = None
) -> float | None:
    """Share of due days (or weeks) met over the last `weeks` weeks; None when nothing was due.

    `scanned`: recent_outcomes of at least as many weeks, to filter instead of scanning again.
    """
    since = max(history_start(habit, history), today - timedelta(days=7 * weeks - 1))
    outcomes = [
        o
        for period, o in _outcomes_from(habit, history, since, today, first_weekday, scanned)
        if o is not None and (not habit.week_based or period >= period_start(habit, since, first_weekday))
    ]
    return sum(outcomes) / len(outcomes) if outcomes else None


def weekday_completion(habit: Habit, history: History, today: date) -> list[float | None]:
    """For each weekday (Monday first): the share of its due days met (any day, for week-based habits)."""
    fold = history.fold
    if fold is not None and history.resume_point(habit, 0, today) is not None:
        met, due = weekday_scan(habit, history, fold.at, today, list(fold.met), list(fold.due))
    else:
        met, due = weekday_scan(habit, history, history_start(habit, history), today, [0] * 7, [0] * 7)
    return [met[i] / due[i] if due[i] else None for i in range(7)]


def weekday_scan(
    habit: Habit, history: History, start: date, today: date, met: list[int], due: list[int], stop: date | None = None
) -> tuple[list[int], list[int]]:
    """Tally met and due days by weekday from `start` to `today` (or before `stop`), onto `met` and `due`."""
    week_based = habit.week_based
    any_day = week_based or bool(habit.cadence.rolling)  # counted on any day of its span, not on due days
    counts_of, minutes_of, skipped = history.count, history.minutes, history.skipped
    end = scan_end(today, stop)
    weekdays = None if any_day or habit.goal is not None or habit.limit is not None else plain_weekdays(habit)
    if weekdays is not None:  # most habits: done (any check-in) on given weekdays
        weekday, day = start.weekday(), start
        while day <= end:
            if weekday in weekdays and day not in skipped:
                count = counts_of.get(day, 0)
                if count > 0:
                    due[weekday] += 1
                    met[weekday] += 1
                elif day != today:
                    due[weekday] += 1
            day += ONE_DAY
            weekday = 0 if weekday == 6 else weekday + 1
        return met, due
    due_on = due_test(habit)
    day = start
    while day <= end:
        counts = in_span(habit, day) if any_day else due_on(day)
        if counts and day not in skipped:
            count = counts_of.get(day, 0)
            if not (day == today and count <= 0):
                weekday = day.weekday()
                due[weekday] += 1
                if day_met(habit, count, minutes_of.get(day, 0)) or (week_based and count > 0):
                    met[weekday] += 1
        day += ONE_DAY
    return met, due


class HabitStats(
    namedtuple(
        "HabitStats",
        "habit streak best_streak streak_unit best_streaks rates weekdays strength calendar result",
        defaults=(None,),
    )
):
    """Everything `connect stats NAME` shows.

    `rates` maps 4, 12 and 52 weeks to a completion rate (None: no due day), `weekdays` has one rate a
    weekday, `calendar` is a list of weeks, each a list of (day, status), and `result` a challenge's
    (core/challenges.py; None for a habit without an end).
    """

    __slots__ = ()


def habit_stats(
    habit: Habit,
    history: History,
    today: date,
    weeks: int = 26,
    first_weekday: int = 0,
    rates=(4, 12, 52),
    scanned: list | None = None,
) -> HabitStats:
    """The whole picture of one habit.

    `weeks` 0: no calendar, nor the weekdays' rates, and `rates` only the completion rates over those
    numbers of weeks: a row of the overview, which needs the history of those weeks alone. `scanned`:
    recent_outcomes of the most of those weeks (made here when left out).
    """
    runs = streak_runs(habit, history, today, first_weekday)
    if scanned is None and rates:
        scanned = recent_outcomes(habit, history, today, max(rates), first_weekday)
    return HabitStats(
        habit=habit,
        streak=runs.current.length,
        best_streak=runs.longest,
        streak_unit=streak_unit(habit),
        best_streaks=runs.best,
        rates={n: completion_rate(habit, history, today, n, first_weekday, scanned) for n in rates},
        weekdays=weekday_completion(habit, history, today) if weeks else [],
        strength=strength(habit, history, today),
        calendar=calendar(habit, history, today, weeks, first_weekday) if weeks else [],
        result=challenge_result(habit, history, today, first_weekday),
    )


def weekly_rates(
    habit: Habit, history: History, today: date, weeks: int = 12, first_weekday: int = 0, scanned: list | None = None
) -> list[float | None]:
    """Completion of each of the last `weeks` weeks, oldest first (for a sparkline); None before the history.

    `scanned`: recent_outcomes of at least `weeks` weeks, to filter instead of scanning again.
    """
    this_week = week_start(today, first_weekday)
    first = this_week - timedelta(days=7 * (weeks - 1))
    begin = max(first, history_start(habit, history))
    by_week: dict[date, list[bool]] = {}
    for period, outcome in _outcomes_from(habit, history, begin, today, first_weekday, scanned):
        if outcome is not None:
            by_week.setdefault(week_start(period, first_weekday), []).append(outcome)
    result = []
    for n in range(weeks):
        outcomes = by_week.get(first + timedelta(days=7 * n))
        result.append(sum(outcomes) / len(outcomes) if outcomes else None)
    return result


__all__ = [
    "DONE",
    "PARTIAL",
    "HabitStats",
    "calendar",
    "completion_rate",
    "frequency",
    "habit_stats",
    "recent_outcomes",
    "rolling_target",
    "strength",
    "weekday_completion",
    "weekly_rates",
]
