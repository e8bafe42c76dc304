"""Folds: where each habit's scans stood on the first of last month and of this one: a command reads months, not years.

A streak can reach back years, the best streaks and the strength score span the whole history,
and reading ten years of check-ins on every `connect week` would make it slow. So per habit (per
partner, for a habit each of you does) the state of every scan up to the first day of last month
is kept, its *fold* (history.Fold). A command reads the months from there on and resumes the
scans from the fold, with the same result as a scan of the whole history (the summary tests check
that on generated histories). A command that looks no further back than this month (`done`,
`list`, `week` once the week is all in this month) reads this month alone, from a second fold at
its first day; that one is made from the first, so a change to last month costs a month's
reading, not the whole history's.

Making folds is pure and lives here; keeping them on disk, and knowing when they still hold, is
storage/cache.py's job.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from .cadence import period_start
from .history import Fold, History, history_start
from .model import Habit
from .streaks import RunState, period_outcomes


def fold_point(today: date) -> date:
    """The first day of the month before `today`'s: the recent months are read, the rest is folded."""
    last_month_end = today.replace(day=1) - timedelta(days=1)
    return last_month_end.replace(day=1)


def make_fold(habit: Habit, history: History, at: date, first_weekday: int = 0) -> Fold:
    """The fold at `at` of a history that holds every day before it (or resumes from an older fold)."""
    begin = history_start(habit, history)
    if begin >= at:  # nothing before `at` to sum up: scans start at the history's beginning
        return Fold(at, None, RunState(), 0.0, 0.0, [0] * 7, [0] * 7, {})
    # Only a fold with history before it needs the scans: an everyday command on a new month does not load them.
    from .challenges import tally_scan
    from .stats import initial_strength, rolling_target, strength_scan, weekday_scan

    old = history.fold if history.fold is not None and history.fold.at < at else None
    resume = history.resume_point(habit, first_weekday, at) if old is not None else None
    stop = period_start(habit, at, first_weekday) if habit.week_based else at
    if resume is not None and old is not None:
        runs, start = old.runs.copy(), resume
        score, rolling = strength_scan(habit, history, old.at, at, old.score, old.rolling, stop=at)
        met, due = weekday_scan(habit, history, old.at, at, list(old.met), list(old.due), stop=at)
        tally = tally_scan(habit, history, start, at, tuple(old.tally), first_weekday, stop=stop)
    else:
        runs, start = RunState(), begin
        score, rolling = strength_scan(habit, history, begin, at, initial_strength(habit), stop=at)
        met, due = weekday_scan(habit, history, begin, at, [0] * 7, [0] * 7, stop=at)
        tally = tally_scan(habit, history, start, at, (0, 0), first_weekday, stop=stop)
    runs.add_all(period_outcomes(habit, history, start, at, first_weekday, stop=stop))
    earlier = [d for d, n in history.count.items() if n and d < at]
    if old is not None and old.first is not None:
        earlier.append(old.first)
    look_back = max(7, rolling_target(habit)[0])
    tail = {}
    for offset in range(look_back, 0, -1):
        day = at - timedelta(days=offset)
        entry = (history.count.get(day, 0), history.minutes.get(day, 0), day in history.skipped)
        if any(entry):
            tail[day] = entry
    return Fold(at, min(earlier, default=None), runs, score, rolling, met, due, tail, tally)


def rules_of(habit: Habit, person: str | None, persons: list[str], first_weekday: int) -> str:
    """What a fold depends on besides the history: when this changes, the fold is made again."""
    goal = [habit.goal.minutes, habit.goal.per] if habit.goal else None
    if habit.limit is not None:  # a limit scores and streaks otherwise than a goal of the same amount
        goal = ["limit", habit.limit.minutes, habit.limit.per]
    rules = [
        str(habit.cadence),
        goal,
        habit.created.isoformat(),
        habit.who,
        person,
        persons if habit.who == "each" else [],
        first_weekday,
    ]
    if habit.starts is not None or habit.ends is not None:  # a challenge's span (none: the rules stay as they were)
        rules.append([habit.starts and habit.starts.isoformat(), habit.ends and habit.ends.isoformat()])
    return json.dumps(rules)


def month_start(today: date) -> date:
    """The first day of `today`'s month: a command that looks no further back reads this month alone."""
    return today.replace(day=1)
