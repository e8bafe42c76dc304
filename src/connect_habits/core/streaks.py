"""Pure functions over a habit's history: day statuses, week results and streaks.

Nothing here reads the clock: every function takes `today`.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable
from datetime import date, timedelta

from .cadence import (
    day_met,
    due_test,
    first_day,
    in_span,
    is_due,
    next_period,
    period_days,
    period_start,
    period_target,
    plain_weekdays,
    rolling_met,
)
from .history import History, history_start
from .model import Habit

DONE, MISSED, SKIPPED, NOT_DUE, PENDING, FUTURE = "done", "missed", "skipped", "not_due", "pending", "future"
ONE_DAY = timedelta(days=1)


def scan_end(today: date, stop: date | None) -> date:
    """The last day a scan to `today` (or before `stop`) looks at."""
    return today if stop is None else min(today, stop - ONE_DAY)


# ---------------------------------------------------------------- weeks


class WeekResult(namedtuple("WeekResult", "start amount target unskipped limit", defaults=(False,))):
    """How a period-based habit did in one period (a week, or a month for N/month); `limit`: the target is
    a limit, kept while the amount stays at or under it."""

    __slots__ = ()

    @property
    def met(self) -> bool:
        return self.unskipped > 0 and (self.amount <= self.target if self.limit else self.amount >= self.target)


def week_result(habit: Habit, history: History, start: date) -> WeekResult:
    """Progress of a period-based habit over the period (its week or month) beginning `start` (of its days
    within its span, prorated)."""
    days = period_days(habit, start)
    if habit.starts is not None or habit.ends is not None:
        days = [d for d in days if in_span(habit, d)]
    unskipped = sum(1 for d in days if d not in history.skipped)
    if habit.measured:
        amount = sum(history.minutes.get(d, 0) for d in days)
    else:
        amount = sum(1 for d in days if history.logged(d))
    return WeekResult(start, amount, period_target(habit, start, unskipped), unskipped, habit.limit is not None)


# ---------------------------------------------------------------- day statuses


def day_status(habit: Habit, history: History, day: date, today: date, first_weekday: int = 0) -> str:
    """One of done, missed, skipped, not_due, pending, future for `day` as seen on `today`."""
    if day > today:
        return FUTURE
    if day < history_start(habit, history):
        return NOT_DUE
    if habit.limit is not None:
        return _limit_status(habit, history, day, today, first_weekday)
    if habit.week_based:
        if history.logged(day):
            return DONE
        if day in history.skipped:
            return SKIPPED
        if not in_span(habit, day):
            return NOT_DUE
        start = period_start(habit, day, first_weekday)
        period = week_result(habit, history, start)
        if period.met:
            return NOT_DUE
        if next_period(habit, start) <= today and start != period_start(habit, first_day(habit), first_weekday):
            return MISSED
        return PENDING if day == today else NOT_DUE
    if habit.cadence.rolling:
        return _rolling_status(habit, history, day, today)
    if day_met(habit, history.count.get(day, 0), history.minutes.get(day, 0)):
        return DONE
    if day in history.skipped:
        return SKIPPED
    if not is_due(habit, day):
        return NOT_DUE
    if day == today:
        return PENDING
    return NOT_DUE if day == first_day(habit) else MISSED  # the day it was added (or starts) counts only when done


def _limit_status(habit: Habit, history: History, day: date, today: date, first_weekday: int) -> str:
    """A day of a limit: missed once the day (or its week) went over; a finished day kept is done, with or
    without anything logged; today, still within, is pending (a weekly limit's days without a log are not due)."""
    if day in history.skipped and not history.logged(day):
        return SKIPPED
    if habit.week_based:
        kept = week_result(habit, history, period_start(habit, day, first_weekday)).met
        if history.logged(day):
            return DONE if kept else MISSED
        return NOT_DUE
    if not is_due(habit, day):
        return NOT_DUE
    if not day_met(habit, history.count.get(day, 0), history.minutes.get(day, 0)):
        return MISSED
    if day == today:
        return PENDING
    return NOT_DUE if day == habit.created and not history.logged(day) else DONE


def _rolling_status(habit: Habit, history: History, day: date, today: date) -> str:
    """A day of `N in M days`: done when done; missed when the window ending on it falls short, once the
    habit is old enough to have had a whole window; otherwise not due (the window is kept) or pending."""
    if history.logged(day):
        return DONE
    if day in history.skipped:
        return SKIPPED
    if rolling_met(habit, history, day):
        return NOT_DUE
    if day == today:
        return PENDING
    return MISSED if _whole_window(habit, history, day) else NOT_DUE


def _whole_window(habit: Habit, history: History, day: date) -> bool:
    return (day - history_start(habit, history)).days + 1 >= habit.cadence.rolling[1]


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

    def add_all(self, outcomes: Iterable[tuple[date, bool | None]]) -> None:
        """`add` each (period, outcome) in turn: a fold's scan takes one a day for ten years."""
        length, first, last, best = self.length, self.first, self.last, self.best
        for period, outcome in outcomes:
            if outcome is True:
                length, last = length + 1, period
                if first is None:
                    first = period
            elif outcome is False:
                if length:
                    best = _longest([*best, Streak(length, first, last)])
                length, first, last = 0, None, None
        self.length, self.first, self.last, self.best = length, first, last, best

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
    state.add_all(period_outcomes(habit, history, start, today, first_weekday))
    return state.runs()


def period_outcomes(
    habit: Habit, history: History, start: date, today: date, first_weekday: int, stop: date | None = None
):
    """Yield (period start, True met / False broken / None neutral) from `start` to `today` (or before `stop`)."""
    if habit.week_based:
        period = period_start(habit, start, first_weekday)
        this_period = period_start(habit, today, first_weekday)
        first_period = period_start(habit, first_day(habit), first_weekday)
        while period <= this_period and (stop is None or period < stop):
            result = week_result(habit, history, period)
            if result.unskipped == 0:
                yield period, None
            elif result.limit:  # broken as soon as it goes over; kept once the period is over
                yield period, False if not result.met else None if period in (this_period, first_period) else True
            elif result.met:
                yield period, True
            else:  # this period is not over; the period it was added in counts only when met
                yield period, None if period in (this_period, first_period) else False
            period = next_period(habit, period)
        return
    if habit.cadence.rolling:  # a streak of days whose window held enough check-ins
        day = start
        while day <= today and (stop is None or day < stop):
            if rolling_met(habit, history, day):
                yield day, True
            elif day in history.skipped or day == today or not _whole_window(habit, history, day):
                yield day, None
            else:
                yield day, False
            day += ONE_DAY
        return
    limited, first = habit.limit is not None, first_day(habit)
    counts, minutes, skipped = history.count, history.minutes, history.skipped
    end = scan_end(today, stop)
    weekdays = plain_weekdays(habit)
    if weekdays is not None and not limited and habit.goal is None:  # most habits: done on given weekdays
        yield from _weekday_outcomes(weekdays, counts, skipped, start, end, {today, first})
        return
    due_on = due_test(habit)
    day = start
    while day <= end:
        if due_on(day):
            count = counts.get(day, 0)
            met = day_met(habit, count, minutes.get(day, 0))
            if limited:
                if not met:
                    yield day, False
                elif day in skipped or day == today or (day == habit.created and count <= 0):
                    yield day, None
                else:
                    yield day, True
            elif met:
                yield day, True
            elif day in skipped or day == today or day == first:
                yield day, None
            else:
                yield day, False
        day += ONE_DAY


def _weekday_outcomes(weekdays, counts: dict, skipped: set, start: date, end: date, neutral: set):
    """period_outcomes of a habit done (any check-in) on `weekdays`, from `start` to `end`: `neutral` days
    (today, its first day) and skipped ones unmet are neither met nor broken."""
    weekday = start.weekday()
    day = start
    while day <= end:
        if weekday in weekdays:
            if counts.get(day, 0) > 0:
                yield day, True
            elif day in skipped or day in neutral:
                yield day, None
            else:
                yield day, False
        day += ONE_DAY
        weekday = 0 if weekday == 6 else weekday + 1


def current_streak(habit: Habit, history: History, today: date, first_weekday: int = 0) -> int:
    """Due days (or weeks) met in a row up to `today`; skipped and not-due periods are neutral."""
    return streak_runs(habit, history, today, first_weekday).current.length


def best_streak(habit: Habit, history: History, today: date, first_weekday: int = 0) -> int:
    """The longest streak ever, by the same rules as the current one."""
    return streak_runs(habit, history, today, first_weekday).longest
