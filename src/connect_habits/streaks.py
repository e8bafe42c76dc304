"""Pure functions over a habit's history: day statuses, streaks and the weekly summary.

Nothing here reads the clock: every function takes `today`.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Iterable
from datetime import date, timedelta

from .cadence import day_met, is_due, week_days, week_start, weekly_target
from .model import CheckIn, Habit, Skip

TYPE_CHECKING = False  # typing's flag without importing typing: type checkers read it by name
if TYPE_CHECKING:
    from .summary import Fold

DONE, MISSED, SKIPPED, NOT_DUE, PENDING, FUTURE = "done", "missed", "skipped", "not_due", "pending", "future"
ONE_DAY = timedelta(days=1)


class History:
    """One habit's check-ins and skips, indexed by day.

    `fold` (see summary.py) carries everything before the recent months: scans resume from it,
    so a streak that reaches back years is right without reading those years.
    """

    __slots__ = ("count", "minutes", "skipped", "fold")

    def __init__(self) -> None:
        self.count: dict[date, int] = defaultdict(int)
        self.minutes: dict[date, int] = defaultdict(int)
        self.skipped: set[date] = set()
        self.fold: Fold | None = None

    def logged(self, day: date) -> bool:
        return self.count.get(day, 0) > 0

    def first_checkin(self) -> date | None:
        first = min(self.count) if self.count else None
        folded = self.fold.first if self.fold is not None else None
        return min(d for d in (first, folded) if d is not None) if first or folded else None

    def resume_point(self, habit: Habit, first_weekday: int, today: date) -> date | None:
        """Where a scan up to `today` can start from the fold (None: scan from the history's start)."""
        fold = self.fold
        if fold is None or history_start(habit, self) >= fold.at:
            return None
        if today < fold.at:
            raise ValueError("a streak before the folded months needs the whole history")
        return week_start(fold.at, first_weekday) if habit.week_based else fold.at

    def attach(self, fold: "Fold", since: date | None) -> None:
        """Take a fold, and the few days before it that resumed scans look back at."""
        self.fold = fold
        for day, (count, minutes, skipped) in fold.tail.items():
            if since is None or day < since:  # days from `since` on are in the loaded history already
                if count:
                    self.count[day] += count
                if minutes:
                    self.minutes[day] += minutes
                if skipped:
                    self.skipped.add(day)


Folds = dict  # (habit id, person or None) -> summary.Fold


def person_histories(habit: Habit, checkins: Iterable[CheckIn], skips: Iterable[Skip],
                     persons: Iterable[str], folds: Folds | None = None,
                     since: date | None = None) -> list[tuple[str | None, History]]:
    """The histories a habit is judged by: one shared, or one per partner for an `each` habit."""
    checkins, skips = list(checkins), list(skips)
    partners = list(persons)
    if habit.who != "each" or not partners:
        return [(None, build_histories(checkins, skips, folds, since)[habit.id])]
    result = []
    for person in partners:
        history = build_histories([c for c in checkins if c.by == person], skips)[habit.id]
        fold = (folds or {}).get((habit.id, person))
        if fold is not None:
            history.attach(fold, since)
        result.append((person, history))
    return result


def build_histories(checkins: Iterable[CheckIn], skips: Iterable[Skip], folds: Folds | None = None,
                    since: date | None = None) -> dict[str, History]:
    """Index check-ins and skips by habit id, then by day; with `folds`, each history takes its habit's fold.

    `since` is the first day the check-ins and skips cover (None: the whole history).
    """
    histories: dict[str, History] = defaultdict(History)
    for checkin in checkins:
        history = histories[checkin.habit_id]
        history.count[checkin.day] += 1
        history.minutes[checkin.day] += checkin.minutes or 0
    for skip in skips:
        histories[skip.habit_id].skipped.add(skip.day)
    for (habit_id, person), fold in (folds or {}).items():
        if person is None:
            histories[habit_id].attach(fold, since)
    return histories


def history_start(habit: Habit, history: History) -> date:
    """A habit's history begins at its creation or its first check-in, whichever is earlier."""
    first = history.first_checkin()
    return min(habit.created, first) if first else habit.created


# ---------------------------------------------------------------- weeks


class WeekResult(namedtuple("WeekResult", "start amount target unskipped")):
    """How a week-based habit did in one week."""

    __slots__ = ()

    @property
    def met(self) -> bool:
        return self.unskipped > 0 and self.amount >= self.target


def week_result(habit: Habit, history: History, start: date) -> WeekResult:
    """Progress of a week-based habit over the week beginning `start`."""
    days = week_days(start)
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
        start = week_start(day, first_weekday)
        week = week_result(habit, history, start)
        if week.met:
            return NOT_DUE
        if start + timedelta(days=6) < today:
            return MISSED
        return PENDING if day == today else NOT_DUE
    if day_met(habit, history.count.get(day, 0), history.minutes.get(day, 0)):
        return DONE
    if day in history.skipped:
        return SKIPPED
    if not is_due(habit, day):
        return NOT_DUE
    return PENDING if day == today else MISSED


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

    def __init__(self, length: int = 0, first: date | None = None, last: date | None = None,
                 best: list[Streak] | None = None) -> None:
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

    def copy(self) -> "RunState":
        return RunState(self.length, self.first, self.last, list(self.best))

    def runs(self) -> "Runs":
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


def period_outcomes(habit: Habit, history: History, start: date, today: date, first_weekday: int,
                    stop: date | None = None):
    """Yield (period start, True met / False broken / None neutral) from `start` to `today` (or before `stop`)."""
    if habit.week_based:
        week = week_start(start, first_weekday)
        this_week = week_start(today, first_weekday)
        while week <= this_week and (stop is None or week < stop):
            result = week_result(habit, history, week)
            if result.unskipped == 0:
                yield week, None
            elif result.met:
                yield week, True
            else:
                yield week, None if week == this_week else False
            week += timedelta(days=7)
        return
    day = start
    while day <= today and (stop is None or day < stop):
        if is_due(habit, day):
            if day_met(habit, history.count.get(day, 0), history.minutes.get(day, 0)):
                yield day, True
            elif day in history.skipped or day == today:
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


# ---------------------------------------------------------------- the weekly summary


class Progress(namedtuple("Progress", "done target unit")):
    """How far a habit has come in one week (`unit` is "times" or "minutes")."""

    __slots__ = ()


class HabitWeek(namedtuple(
    "HabitWeek", "habit streak best_streak streak_unit progress days person by", defaults=(None, None),
)):
    """One habit's row in the weekly summary.

    `streak_unit` is "days" or "weeks"; `days` maps each day to its status; `person` is whose row, for a
    habit each partner does; `by` says who logged it, day by day (a dict, from `week_summary`).
    """

    __slots__ = ()


class WeekSummary(namedtuple("WeekSummary", "week_start week_end today habits")):
    """The week that contains a given day, for every active habit (a list of HabitWeek)."""

    __slots__ = ()


def week_progress(habit: Habit, history: History, start: date) -> Progress:
    """Progress over the week beginning `start`: times or minutes done against the week's target."""
    unit = "minutes" if habit.measured_in_minutes else "times"
    if habit.week_based:
        result = week_result(habit, history, start)
        return Progress(result.amount, result.target, unit)
    begin = history_start(habit, history)
    days = [d for d in week_days(start) if d >= begin]
    met = {d for d in days if day_met(habit, history.count.get(d, 0), history.minutes.get(d, 0))}
    due = [d for d in days if is_due(habit, d) and (d in met or d not in history.skipped)]
    if habit.goal is not None:
        return Progress(sum(history.minutes.get(d, 0) for d in days), habit.goal.minutes * len(due), unit)
    return Progress(sum(1 for d in due if d in met), len(due), unit)


def habit_week(habit: Habit, history: History, day: date, today: date, first_weekday: int = 0,
               person: str | None = None) -> HabitWeek:
    """A habit's row for the week containing `day`, with streaks as of that week's end (or today)."""
    start = week_start(day, first_weekday)
    end = start + timedelta(days=6)
    runs = streak_runs(habit, history, today, first_weekday)
    as_of = min(end, today)
    current = runs.current.length if as_of == today else current_streak(habit, history, as_of, first_weekday)
    return HabitWeek(
        habit=habit,
        streak=current,
        best_streak=runs.longest,
        streak_unit="weeks" if habit.week_based else "days",
        progress=week_progress(habit, history, start),
        days={d: day_status(habit, history, d, today, first_weekday) for d in week_days(start)},
        person=person,
        by={},
    )


def week_summary(
    habits: Iterable[Habit],
    checkins: Iterable[CheckIn],
    skips: Iterable[Skip],
    today: date,
    day: date | None = None,
    first_weekday: int = 0,
    persons: Iterable[str] = (),
    folds: Folds | None = None,
    since: date | None = None,
) -> WeekSummary:
    """The weekly summary of every active habit for the week containing `day` (default: today).

    A habit each partner does (`who = each`) gets a row per partner.
    """
    day = day or today
    checkins, skips, partners = list(checkins), list(skips), list(persons)
    histories = build_histories(checkins, skips, folds, since)
    start = week_start(day, first_weekday)
    end = start + timedelta(days=6)
    attributed: dict[tuple[str, date], list[str]] = defaultdict(list)
    for checkin in checkins:
        if checkin.by and start <= checkin.day <= end and checkin.by not in attributed[checkin.habit_id, checkin.day]:
            attributed[checkin.habit_id, checkin.day].append(checkin.by)
    rows = []
    for habit in habits:
        if habit.archived:
            continue
        if habit.who == "each" and partners:
            rows += [habit_week(habit, history, day, today, first_weekday, person)
                     for person, history in person_histories(habit, checkins, skips, partners, folds, since)]
        else:
            rows.append(habit_week(habit, histories[habit.id], day, today, first_weekday))
    return WeekSummary(start, end, today, [row._replace(by=_attribution(row, attributed)) for row in rows])


def _attribution(row: HabitWeek, attributed: dict[tuple[str, date], list[str]]) -> dict[date, list[str]]:
    """Who logged the habit on each day of the row (just the row's partner, for an `each` row)."""
    by = {}
    for day in row.days:
        people = attributed.get((row.habit.id, day), [])
        if row.person is not None:
            people = [row.person] if row.person in people else []
        if people:
            by[day] = sorted(people)
    return by
