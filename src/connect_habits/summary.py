"""Folds: where each habit's scans stood on the first of last month and of this one: a command reads months, not years.

A streak can reach back years, the best streaks and the strength score span the whole history,
and reading ten years of check-ins on every `connect week` would make it slow. So each device
keeps a summary cache in its private data folder: per habit (per partner, for a habit each of
you does) the state of every scan up to the first day of last month, its *fold*. A command
reads the months from there on and resumes the scans from the fold, with the same result as a
scan of the whole history (tests/test_summary.py checks that on generated histories). A command
that looks no further back than this month (`done`, `list`, `week` once the week is all in this
month) reads this month alone, from a second fold at its first day; that one is made from the
first, so a change to last month costs a month's reading, not the whole history's.

A fold is only trusted while the history it summarises is unchanged: the cache records the
inode, size and modification time of every month file before its point (the way git's index
recognises unchanged files), the habit's rules (cadence, goal, creation, who) and the first
weekday. A back-dated check-in, a partner's old month arriving, an edited cadence: the fold is
made again from the whole history, once. The cache is derived data: deleting it is always safe.
"""

from __future__ import annotations

import json
from collections import namedtuple
from datetime import date, timedelta
from pathlib import Path

from .model import Habit
from .streaks import History, RunState, Streak, history_start, period_outcomes, week_start

CACHE_VERSION = 2  # 2: several folds (the first of last month, and of this month)
Fingerprints = dict  # file path -> [inode, size, mtime_ns]


class Fold(namedtuple("Fold", "at first runs score rolling met due tail")):
    """Every scan's state just before the day `at`: streak runs, strength score, weekday tallies.

    `first` is the first check-in before `at`, `runs` a RunState, `score` and `rolling` the strength
    scan's, `met` and `due` the weekday tallies (seven each), and `tail` the last days before `at`
    that resumed scans look back at: day -> (count, minutes, skipped).
    """

    __slots__ = ()


def fold_point(today: date) -> date:
    """The first day of the month before `today`'s: the recent months are read, the rest is folded."""
    last_month_end = today.replace(day=1) - timedelta(days=1)
    return last_month_end.replace(day=1)


def make_fold(habit: Habit, history: History, at: date, first_weekday: int = 0) -> Fold:
    """The fold at `at` of a history that holds every day before it (or resumes from an older fold)."""
    begin = history_start(habit, history)
    if begin >= at:  # nothing before `at` to sum up: scans start at the history's beginning
        return Fold(at, None, RunState(), 0.0, 0.0, [0] * 7, [0] * 7, {})
    from .stats import rolling_target, strength_scan, weekday_scan

    old = history.fold if history.fold is not None and history.fold.at < at else None
    resume = history.resume_point(habit, first_weekday, at) if old is not None else None
    stop = week_start(at, first_weekday) if habit.week_based else at
    if resume is not None and old is not None:
        runs, start = old.runs.copy(), resume
        score, rolling = strength_scan(habit, history, old.at, at, old.score, old.rolling, stop=at)
        met, due = weekday_scan(habit, history, old.at, at, list(old.met), list(old.due), stop=at)
    else:
        runs, start = RunState(), begin
        score, rolling = strength_scan(habit, history, begin, at, stop=at)
        met, due = weekday_scan(habit, history, begin, at, [0] * 7, [0] * 7, stop=at)
    for period, outcome in period_outcomes(habit, history, start, at, first_weekday, stop=stop):
        runs.add(period, outcome)
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
    return Fold(at, min(earlier, default=None), runs, score, rolling, met, due, tail)


def rules_of(habit: Habit, person: str | None, persons: list[str], first_weekday: int) -> str:
    """What a fold depends on besides the history: when this changes, the fold is made again."""
    goal = [habit.goal.minutes, habit.goal.per] if habit.goal else None
    return json.dumps([str(habit.cadence), goal, habit.created.isoformat(), habit.who, person,
                       persons if habit.who == "each" else [], first_weekday])


# ---------------------------------------------------------------- the cache file


class Cache(namedtuple("Cache", "at files with_history folds warnings")):
    """The summary cache as read from disk.

    `files` fingerprints the month files before `at`, `with_history` names the habits with records
    before `at`, `folds` maps a key to (rules, fold), and `warnings` are the files before `at` that
    could not be read: said again while the cache holds.
    """

    __slots__ = ()

    @staticmethod
    def key(habit_id: str, person: str | None) -> str:
        return f"{habit_id}/{person or ''}"


def month_start(today: date) -> date:
    """The first day of `today`'s month: a command that looks no further back reads this month alone."""
    return today.replace(day=1)


def read_cache(path: Path) -> list[Cache]:
    """The cache's entries, newest first; none when it is missing, from another version, or unreadable."""
    try:
        data = json.loads(path.read_bytes())
        if data.get("version") != CACHE_VERSION:
            return []
        entries = [Cache(
            at=date.fromisoformat(entry["at"]),
            files={name: list(value) if value is not None else None for name, value in entry["files"].items()},
            with_history=set(entry["with_history"]),
            folds={key: (rules, _fold_from(raw)) for key, (rules, raw) in entry["folds"].items()},
            warnings=[str(w) for w in entry["warnings"]],
        ) for entry in data["entries"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []  # it is only derived data: made again
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def write_cache(path: Path, entries: list[Cache]) -> None:
    """Save the cache atomically; failing to save it only makes the next command slower."""
    from .errors import DataFileError
    from .fileio import atomic_write

    data = {"version": CACHE_VERSION, "entries": [{
        "at": cache.at.isoformat(), "files": cache.files,
        "with_history": sorted(cache.with_history),
        "folds": {key: [rules, _fold_record(fold)] for key, (rules, fold) in cache.folds.items()},
        "warnings": cache.warnings,
    } for cache in sorted(entries, key=lambda entry: entry.at, reverse=True)]}
    try:
        atomic_write(path, json.dumps(data, separators=(",", ":")).encode())
    except DataFileError:
        pass


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _streak_record(streak: Streak) -> list:
    return [streak.length, streak.first and streak.first.isoformat(), streak.last and streak.last.isoformat()]


def _fold_record(fold: Fold) -> dict:
    runs = fold.runs
    return {
        "at": fold.at.isoformat(), "first": fold.first and fold.first.isoformat(),
        "run": _streak_record(Streak(runs.length, runs.first, runs.last)),
        "best": [_streak_record(s) for s in runs.best],
        "score": fold.score, "rolling": fold.rolling, "met": fold.met, "due": fold.due,
        "tail": [[d.isoformat(), *entry] for d, entry in sorted(fold.tail.items())],
    }


def _fold_from(raw: dict) -> Fold:
    length, first, last = raw["run"]
    best = [Streak(int(n), _day(a), _day(b)) for n, a, b in raw["best"]]
    met, due = [int(n) for n in raw["met"]], [int(n) for n in raw["due"]]
    if len(met) != 7 or len(due) != 7:
        raise ValueError("weekday tallies need seven days")
    return Fold(
        at=date.fromisoformat(raw["at"]), first=_day(raw["first"]),
        runs=RunState(int(length), _day(first), _day(last), best),
        score=float(raw["score"]), rolling=float(raw["rolling"]), met=met, due=due,
        tail={date.fromisoformat(d): (int(c), int(m), bool(s)) for d, c, m, s in raw["tail"]},
    )
