"""When a habit is due, what its period's target is, and when a day or a period counts as met."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial

from .model import Habit

WEEK_STARTS = {"monday": 0, "sunday": 6}


def days_in_month(year: int, month: int) -> int:
    """How many days the month has (calendar.monthrange's count: calendar imports locale, 1-2 ms a command)."""
    if month == 12:  # the next month's first day would be past date.max in the year 9999
        return 31
    return (date(year, month + 1, 1) - date(year, month, 1)).days


def week_start(day: date, first_weekday: int = 0) -> date:
    """The first day of the week containing `day` (Monday when `first_weekday` is 0)."""
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)


def week_days(start: date) -> list[date]:
    """The seven dates of the week that begins on `start`."""
    return [start + timedelta(days=i) for i in range(7)]


def monthly(habit: Habit) -> bool:
    """Counted per calendar month (`2/month`) rather than per week."""
    return habit.cadence.per_month > 0


def period_start(habit: Habit, day: date, first_weekday: int = 0) -> date:
    """The first day of the period a period-based habit counts `day` in: its week, or its month for N/month."""
    return day.replace(day=1) if monthly(habit) else week_start(day, first_weekday)


def period_days(habit: Habit, start: date) -> list[date]:
    """The days of the period that begins on `start`."""
    length = days_in_month(start.year, start.month) if monthly(habit) else 7
    return [start + timedelta(days=i) for i in range(length)]


def next_period(habit: Habit, start: date) -> date:
    """The first day of the period after the one that begins on `start`."""
    return start + timedelta(days=len(period_days(habit, start)))


def first_day(habit: Habit) -> date:
    """The first day a habit counts: its start when it has one (a challenge's), else the day it was added."""
    return habit.starts or habit.created


def in_span(habit: Habit, day: date) -> bool:
    """Whether `day` is within the habit's start and end (each inclusive; a habit without them: always)."""
    return (habit.starts is None or day >= habit.starts) and (habit.ends is None or day <= habit.ends)


def finished(habit: Habit, today: date) -> bool:
    """Whether the habit's last day (a challenge's end) is behind `today`."""
    return habit.ends is not None and today > habit.ends


def is_due(habit: Habit, day: date) -> bool:
    """Whether a day-based habit is due on `day` (period-based habits have no fixed days; a rolling
    window is due any day: whether a day is needed depends on the history, see `rolling_met`); never
    outside its span."""
    if (habit.starts is not None or habit.ends is not None) and not in_span(habit, day):
        return False
    cadence = habit.cadence
    if cadence.rolling:
        return True
    if cadence.interval:
        # Anchored at its first day, so the rhythm does not shift when a day is missed.
        return (day - (habit.starts or habit.created)).days % cadence.interval == 0
    if cadence.nth:
        last = day.day + 7 > days_in_month(day.year, day.month)
        return day.weekday() in cadence.weekdays and (last if cadence.nth == -1 else nth_of_month(day) == cadence.nth)
    return day.weekday() in cadence.weekdays


def due_test(habit: Habit) -> Callable[[date], bool]:
    """`is_due` for one habit with its rules looked up once: the scans of the folds ask it of every day in years."""
    weekdays = plain_weekdays(habit)
    if weekdays is not None:
        return lambda day: day.weekday() in weekdays
    return partial(is_due, habit)


def plain_weekdays(habit: Habit) -> frozenset[int] | None:
    """The weekdays a day-based habit is due on, when that is the whole rule (no span, interval, nth weekday
    or rolling window); else None."""
    cadence = habit.cadence
    if habit.starts is None and habit.ends is None and not (cadence.rolling or cadence.interval or cadence.nth):
        return cadence.weekdays
    return None


def nth_of_month(day: date) -> int:
    """Which of its weekday in the month `day` is: 1 for the first Saturday, and so on."""
    return (day.day - 1) // 7 + 1


def next_due(habit: Habit, day: date) -> date | None:
    """The first day from `day` on that a day-based habit is due (None: its span ends before another one)."""
    if habit.starts is not None and day < habit.starts:
        day = habit.starts
    span = habit.cadence.interval or (37 if habit.cadence.nth else 7)
    found = next((day + timedelta(days=n) for n in range(span + 1) if is_due(habit, day + timedelta(days=n))), None)
    return found if found is not None or habit.ends is not None else day


def full_target(habit: Habit) -> float:
    """What a period-based habit asks for in a whole period: times, or the amount of a goal (or limit) per week."""
    measure = habit.measure
    return measure.minutes if measure else habit.cadence.per_week or habit.cadence.per_month


def period_target(habit: Habit, start: date, unskipped_days: int) -> float:
    """A period-based habit's target for the period beginning `start`, prorated to its unskipped days and
    rounded up (a whole period asks for all of it, 10.5 km as 10.5)."""
    days = len(period_days(habit, start))
    full = full_target(habit)
    return full if unskipped_days >= days else math.ceil(full * unskipped_days / days)


def rolling_met(habit: Habit, history, day: date) -> bool:
    """Whether the window of a rolling habit (`2 in 3 days`) that ends on `day` holds enough check-ins.

    Skipped days are left out of the window, which reaches back past them: a skip never breaks a window."""
    times, days = habit.cadence.rolling
    done = seen = 0
    moment = day
    while seen < days and (day - moment).days <= days + 366:
        if moment not in history.skipped or history.logged(moment):
            seen += 1
            done += history.logged(moment)
        moment -= timedelta(days=1)
    return done >= times


def day_met(habit: Habit, count: int, minutes: int) -> bool:
    """Whether one day's check-ins meet a day-based habit (`minutes`: the day's amount): a goal reached,
    a limit not passed (a day with nothing logged keeps it), or simply done."""
    if habit.limit is not None:
        return minutes <= habit.limit.minutes
    if habit.goal is not None:
        return minutes >= habit.goal.minutes
    return count > 0
