"""A habit's history indexed by day, and the fold that stands for its older months.

These are the record types every scan reads: streaks, the weekly summary, the strength score and
the folds of the summary cache. Nothing here reads the clock.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Iterable
from datetime import date

from .cadence import period_start
from .model import CheckIn, Habit, Skip


class Fold(namedtuple("Fold", "at first runs score rolling met due tail tally", defaults=((0, 0),))):
    """Every scan's state just before the day `at`: streak runs, strength score, weekday tallies.

    `first` is the first check-in before `at`, `runs` a RunState, `score` and `rolling` the strength
    scan's, `met` and `due` the weekday tallies (seven each), and `tail` the last days before `at`
    that resumed scans look back at: day -> (count, minutes, skipped); `tally` a challenge's periods
    met and counted before `at` (core/challenges.py; (0, 0) for a habit without an end).
    """

    __slots__ = ()


class History:
    """One habit's check-ins and skips, indexed by day.

    `fold` (see folds.py) carries everything before the recent months: scans resume from it,
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
        return period_start(habit, fold.at, first_weekday) if habit.week_based else fold.at

    def attach(self, fold: Fold, since: date | None) -> None:
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


Folds = dict  # (habit id, partner id or None) -> Fold


def person_histories(
    habit: Habit,
    checkins: Iterable[CheckIn],
    skips: Iterable[Skip],
    persons: Iterable[str],
    folds: Folds | None = None,
    since: date | None = None,
) -> list[tuple[str | None, History]]:
    """The histories a habit is judged by: one shared, or one per partner for an `each` habit."""
    checkins, skips = list(checkins), list(skips)
    partners = list(persons)
    if habit.who != "each" or not partners:
        return [(None, build_histories(checkins, skips, folds, since)[habit.id])]
    result: list[tuple[str | None, History]] = []
    for person in partners:
        history = build_histories([c for c in checkins if c.by == person], skips)[habit.id]
        fold = (folds or {}).get((habit.id, person))
        if fold is not None:
            history.attach(fold, since)
        result.append((person, history))
    return result


def build_histories(
    checkins: Iterable[CheckIn], skips: Iterable[Skip], folds: Folds | None = None, since: date | None = None
) -> dict[str, History]:
    """Index check-ins and skips by habit id, then by day; with `folds`, each history takes its habit's fold.

    `since` is the first day the check-ins and skips cover (None: the whole history).
    """
    histories: dict[str, History] = defaultdict(History)
    for checkin in checkins:
        history = histories[checkin.habit_id]
        history.count[checkin.day] += 1
        if checkin.minutes:  # most have none; 0.0 added nothing either (`or 0`): every scan reads 0 for a missing day
            history.minutes[checkin.day] += checkin.minutes
    for skip in skips:
        histories[skip.habit_id].skipped.add(skip.day)
    for (habit_id, person), fold in (folds or {}).items():
        if person is None:
            histories[habit_id].attach(fold, since)
    return histories


def history_start(habit: Habit, history: History) -> date:
    """A habit's history begins at its creation, its start or its first check-in, whichever is earliest."""
    first = history.first_checkin()
    begin = habit.starts if habit.starts is not None and habit.starts < habit.created else habit.created
    return min(begin, first) if first else begin
