"""The summary cache's file (cache.py): its entries, each decoded only when a command uses it."""

from __future__ import annotations

import json
from collections import namedtuple
from datetime import date
from pathlib import Path

from ..core.history import Fold
from ..core.streaks import RunState, Streak
from ..errors import DataFileError
from .fileio import read_bytes

CACHE_VERSION = 4  # 2: several folds (the first of last month, and of this month); 3: the day added is neutral;
# 4: the strength of a rhythm below daily is measured over twice its window


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


# One entry a line, in a JSON document all the same: a reader decodes only the entries it uses (a week
# long past needs one of the forty past folds), and any JSON reader still reads the whole file.
_HEAD = b'{"version":%d,"entries":[' % CACHE_VERSION
_AT = b'{"at":"'


class StoredEntries:
    """A cache file's entries, newest first, each decoded when first used; a damaged one is left out."""

    def __init__(self, lines: dict[date, bytes | dict]):
        self._lines = lines
        self._decoded: dict[date, Cache | None] = {}

    def dates(self) -> list[date]:
        """The entries' points, newest first."""
        return sorted(self._lines, reverse=True)

    def at(self, point: date) -> Cache | None:
        """The entry at `point`, or None when there is none or it is damaged."""
        if point not in self._decoded:
            line = self._lines.get(point)
            self._decoded[point] = None if line is None else _entry_of(line, point)
        return self._decoded[point]

    def __iter__(self):
        for point in self.dates():
            entry = self.at(point)
            if entry is not None:
                yield entry


def _entry_of(line: bytes | dict, point: date) -> Cache | None:
    try:
        entry = json.loads(line.rstrip(b",")) if isinstance(line, bytes) else line
        cache = Cache(
            at=date.fromisoformat(entry["at"]),
            files={name: list(value) if value is not None else None for name, value in entry["files"].items()},
            with_history=set(entry["with_history"]),
            # Each fold as stored until it is used (_folds_from_cache): most entries of the past folds are not.
            folds={str(key): (str(rules), raw) for key, (rules, raw) in entry["folds"].items()},
            warnings=[str(w) for w in entry["warnings"]],
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # it is only derived data: made again
    return cache if cache.at == point else None


def read_entries(path: Path) -> StoredEntries:
    """The cache file's entries, decoded as they are used; none when it is missing, from another version, or unreadable."""
    try:
        data = read_bytes(path) or b"{}"
    except DataFileError:
        return StoredEntries({})
    head, _, rest = data.partition(b"\n")
    if head != _HEAD:  # not one entry a line: read whole
        return StoredEntries(_whole(data))
    lines: dict[date, bytes | dict] = {}
    for line in rest.split(b"\n")[:-1]:  # the last closes the document
        try:
            if line.startswith(_AT):
                lines[date.fromisoformat(line[len(_AT) : len(_AT) + 10].decode())] = line
        except (ValueError, UnicodeDecodeError):
            continue  # a damaged entry: made again
    return StoredEntries(lines)


def _whole(data: bytes) -> dict[date, bytes | dict]:
    try:
        document = json.loads(data)
        if document.get("version") != CACHE_VERSION:
            return {}
        return {date.fromisoformat(entry["at"]): entry for entry in document["entries"]}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


def read_cache(path: Path) -> list[Cache]:
    """The cache's entries, newest first; none when it is missing, from another version, or unreadable."""
    return list(read_entries(path))


def write_cache(path: Path, entries: list[Cache]) -> None:
    """Save the cache atomically, one entry a line; failing to save it only makes the next command slower."""
    from .fileio import atomic_write

    lines = [
        json.dumps(
            {
                "at": cache.at.isoformat(),
                "files": cache.files,
                "with_history": sorted(cache.with_history),
                "folds": {key: [rules, _fold_record(fold)] for key, (rules, fold) in cache.folds.items()},
                "warnings": cache.warnings,
            },
            separators=(",", ":"),
        ).encode()
        for cache in sorted(entries, key=lambda entry: entry.at, reverse=True)
    ]
    try:
        atomic_write(path, _HEAD + b"\n" + b"".join(line + b",\n" for line in lines).rstrip(b",\n") + b"\n]}")
    except DataFileError:
        pass


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _streak_record(streak: Streak) -> list:
    return [streak.length, streak.first and streak.first.isoformat(), streak.last and streak.last.isoformat()]


def _fold_record(fold: Fold | dict) -> dict:
    if isinstance(fold, dict):  # as read, never used: written back as it was
        return fold
    runs = fold.runs
    return {
        "at": fold.at.isoformat(),
        "first": fold.first and fold.first.isoformat(),
        "run": _streak_record(Streak(runs.length, runs.first, runs.last)),
        "best": [_streak_record(s) for s in runs.best],
        "score": fold.score,
        "rolling": fold.rolling,
        "met": fold.met,
        "due": fold.due,
        "tail": [[d.isoformat(), *entry] for d, entry in sorted(fold.tail.items())],
        "tally": list(fold.tally),
    }


def fold_of(value: Fold | dict) -> Fold:
    """A cache entry's fold: read_cache keeps each as stored until it is used."""
    return value if isinstance(value, Fold) else _fold_from(value)


def _fold_from(raw: dict) -> Fold:
    length, first, last = raw["run"]
    best = [Streak(int(n), _day(a), _day(b)) for n, a, b in raw["best"]]
    met, due = [int(n) for n in raw["met"]], [int(n) for n in raw["due"]]
    tally = tuple(int(n) for n in raw.get("tally", (0, 0)))  # before challenges: none
    if len(met) != 7 or len(due) != 7 or len(tally) != 2:
        raise ValueError("weekday tallies need seven days, a challenge's tally two numbers")
    return Fold(
        at=date.fromisoformat(raw["at"]),
        first=_day(raw["first"]),
        runs=RunState(int(length), _day(first), _day(last), best),
        score=float(raw["score"]),
        rolling=float(raw["rolling"]),
        met=met,
        due=due,
        tail={date.fromisoformat(d): (int(c), int(m), bool(s)) for d, c, m, s in raw["tail"]},
        tally=tally,
    )
