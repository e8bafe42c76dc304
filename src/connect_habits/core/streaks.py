"""Pure functions over a habit's history: day statuses, week results and streaks.

Nothing here reads the clock: every function takes `today`.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable
from datetime import date, timedelta

from .cadence import day_met, first_day, in_span, is_due, week_days, week_start, weekly_target
from .history import History, history_start
from .model import Habit

DONE, MISSED, SKIPPED, NOT_DUE, PENDING, FUTURE = "done", "missed", "skipped", "not_due", "pending", "future"
ONE_DAY = timedelta(days=1)


# ---------------------------------------------------------------- weeks


class WeekResult(namedtuple("WeekResult", "start amount target unskipped")):
    """How a week-based habit did in one week."""

    __slots__ = ()

    @property
    def met(self) -> bool:
        return self.unskipped > 0 and self.amount >= self.target


def week_result(habit: Habit, history: History, start: date) -> WeekResult:
    """Progress of a week-based habit over the week beginning `start` (of its days within its span, prorated)."""
    days = week_days(start)
    if habit.starts is not None or habit.ends is not None:
        days = [d for d in days if in_span(habit, d)]
    unskipped = sum(1 for d in days if d not in history.skipped)
    if habit.goal is not None:
        amount = sum(history.minutes.get(d, 0) for d in days)
    else:
        amount = sum(1 for d in days if history.logged(d))
    return WeekResult(start, amount, weekly_target(habit, unskipped), unskipped)


# ---------------------------------------------------------------- day statuses


def day_status(habit: Habit, history: History, day: date, today: date, first_weekday: int = 0) -> str:
    """One of done, missed, skipped, not_due, pending, future for `day` as seen on `today`."""
    if day > today:
        return FUTURE
    if day < history_start(habit, history):
        return NOT_DUE
    if habit.week_based:
        if history.logged(day):
            return DONE
        if day in history.skipped:
            return SKIPPED
        if not in_span(habit, day):
            return NOT_DUE
        start = week_start(day, first_weekday)
        week = week_result(habit, history, start)
        if week.met:
            return NOT_DUE
        if start + timedelta(days=6) < today and start != week_start(first_day(habit), first_weekday):
            return MISSED
        return PENDING if day == today else NOT_DUE
    if day_met(habit, history.count.get(day, 0), history.minutes.get(day, 0)):
        return DONE
    if day in history.skipped:
        return SKIPPED
    if not is_due(habit, day):
        return NOT_DUE
    if day == today:
        return PENDING
    return NOT_DUE if day == first_day(habit) else MISSED  # the day it was added (or starts) counts only when done


# ---------------------------------------------------------------- streaks


class Streak(namedtuple("Streak", "length first last", defaults=(None, None))):
    """A run of met days or weeks: how long, and when it started and ended."""

    __slots__ = ()


BEST_KEPT = 5  # `stats` shows the five longest streaks


def _longest(runs: Iterable[Streak]) -> list[Streak]:
    return sorted((r for r in runs if r.length), key=lambda r: (-r.length, r.first))[:BEST_KEPT]


class RunState:
    """A streak scan so far: the run going on, and the longest runs that have ended."""

    __slots__ = ("length", "first", "last", "best")

    def __init__(
        self, length: int = 0, first: date | None = None, last: date | None = None, best: list[Streak] | None = None
    ) -> None:
        self.length, self.first, self.last = length, first, last
        self.best = [] if best is None else best

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RunState):
            return NotImplemented
        return (self.length, self.first, self.last, self.best) == (other.length, other.first, other.last, other.best)

    def __repr__(self) -> str:
        return f"RunState(length={self.length!r}, first={self.first!r}, last={self.last!r}, best={self.best!r})"

    def add(self, period: date, outcome: bool | None) -> None:
        """Take one period's outcome: met extends the run, broken ends it, neutral leaves it."""
        if outcome is True:
            self.length, self.first, self.last = self.length + 1, self.first or period, period
        elif outcome is False:
            if self.length:
                self.best = _longest([*self.best, Streak(self.length, self.first, self.last)])
            self.length, self.first, self.last = 0, None, None

    def copy(self) -> RunState:
        return RunState(self.length, self.first, self.last, list(self.best))

    def runs(self) -> Runs:
        current = Streak(self.length, self.first, self.last)
        return Runs(current, _longest([*self.best, current]))


class Runs(namedtuple("Runs", "current best")):
    """The streaks up to a day: the current one (maybe 0), and the five longest, longest then oldest first."""

    __slots__ = ()

    @property
    def longest(self) -> int:
        return self.best[0].length if self.best else 0


def streak_runs(habit: Habit, history: History, today: date, first_weekday: int = 0) -> Runs:
    """The streaks of met periods up to `today`: resumed from the history's fold when it has one."""
    resume = history.resume_point(habit, first_weekday, today)
    if resume is None or history.fold is None:
        state, start = RunState(), history_start(habit, history)
    else:
        state, start = history.fold.runs.copy(), resume
    for period, outcome in period_outcomes(habit, history, start, today, first_weekday):
        state.add(period, outcome)
    return state.runs()


def period_outcomes(
    habit: Habit, history: History, start: date, today: date, first_weekday: int, stop: date | None = None
):
    """Yield (period start, True met / False broken / None neutral) from `start` to `today` (or before `stop`)."""
    if habit.week_based:
        week = week_start(start, first_weekday)
        this_week = week_start(today, first_weekday)
        first_week = week_start(first_day(habit), first_weekday)
        while week <= this_week and (stop is None or week < stop):
            result = week_result(habit, history, week)
            if result.unskipped == 0:
                yield week, None
            elif result.met:
                yield week, True
            else:  # this week is not over; the week it was added in counts only when met
                yield week, None if week in (this_week, first_week) else False
            week += timedelta(days=7)
        return
    day = start
    while day <= today and (stop is None or day < stop):
        if is_due(habit, day):
            if day_met(habit, history.count.get(day, 0), history.minutes.get(day, 0)):
                yield day, True
            elif day in history.skipped or day == today or day == first_day(habit):
                yield day, None
            else:
                yield day, False
        day += ONE_DAY


def current_streak(habit: Habit, history: History, today: date, first_weekday: int = 0) -> int:
    """Due days (or weeks) met in a row up to `today`; skipped and not-due periods are neutral."""
    return streak_runs(habit, history, today, first_weekday).current.length


def best_streak(habit: Habit, history: History, today: date, first_weekday: int = 0) -> int:
    """The longest streak ever, by the same rules as the current one."""
    return streak_runs(habit, history, today, first_weekday).longest
