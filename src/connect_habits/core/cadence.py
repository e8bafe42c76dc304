"""When a habit is due, what its weekly target is, and when a day or week counts as met."""

from __future__ import annotations

import math
from datetime import date, timedelta

from .model import Habit

WEEK_STARTS = {"monday": 0, "sunday": 6}


def week_start(day: date, first_weekday: int = 0) -> date:
    """The first day of the week containing `day` (Monday when `first_weekday` is 0)."""
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)


def week_days(start: date) -> list[date]:
    """The seven dates of the week that begins on `start`."""
    return [start + timedelta(days=i) for i in range(7)]


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
    """Whether a day-based habit is due on `day` (week-based habits have no fixed days); never outside its span."""
    if (habit.starts is not None or habit.ends is not None) and not in_span(habit, day):
        return False
    cadence = habit.cadence
    if cadence.interval:
        # Anchored at its first day, so the rhythm does not shift when a day is missed.
        return (day - (habit.starts or habit.created)).days % cadence.interval == 0
    return day.weekday() in cadence.weekdays


def next_due(habit: Habit, day: date) -> date | None:
    """The first day from `day` on that a day-based habit is due (None: its span ends before another one)."""
    if habit.starts is not None and day < habit.starts:
        day = habit.starts
    span = habit.cadence.interval or 7
    found = next((day + timedelta(days=n) for n in range(span + 1) if is_due(habit, day + timedelta(days=n))), None)
    return found if found is not None or habit.ends is not None else day


def weekly_target(habit: Habit, unskipped_days: int) -> int:
    """A week-based habit's target for a week, prorated to its unskipped days and rounded up."""
    base = habit.goal.minutes if habit.goal else habit.cadence.per_week
    return math.ceil(base * unskipped_days / 7)


def day_met(habit: Habit, count: int, minutes: int) -> bool:
    """Whether one day's check-ins meet a day-based habit."""
    if habit.goal is not None:
        return minutes >= habit.goal.minutes
    return count > 0
