"""The summary cache: each habit's folds (core/folds.py), kept on disk while the month files they sum up are unchanged.

Each device keeps the cache in its private data folder (`summary-cache.json`), with a fold at the first
of last month and one at the first of this month. A fold is only trusted while the history it summarises
is unchanged: the cache records the inode, size and modification time of every month file before its
point (fingerprints.py: the way git's index recognises unchanged files; a file changed in the last two
seconds is trusted only by the digest of what it holds), the habit's rules (cadence,
goal, creation, who, the partners, a challenge's span) and the first weekday. A back-dated check-in, a
partner's old month arriving, an edited cadence: the fold is made again, from the newest fold that
still holds. The cache is derived data: deleting it is always safe.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from ..core.folds import fold_point, make_fold, month_start, rules_of
from ..core.history import History, build_histories, person_histories
from ..core.model import Habit, Snapshot
from .cachefile import CACHE_VERSION, Cache, fold_of, read_cache, read_entries, write_cache
from .files import CHECKINS, SKIPS, DeviceFiles, Reading, records_of
from .fingerprints import fingerprints, matches, month_in
from .layout import month_of

__all__ = ["CACHE_VERSION", "Cache", "SummaryCache", "fold_keys", "fold_of", "fold_step", "read_cache", "write_cache"]

CACHE_FILE = "summary-cache.json"


def _is_mark(point: date, marks: int) -> bool:
    """Whether the past folds keep a fold at `point`: the first of every `marks`-th month (January first)."""
    return bool(marks) and point.day == 1 and (point.month - 1) % marks == 0


def _rules_of(folds: dict) -> dict:
    return {key: rules for key, (rules, _) in folds.items()}


def fold_keys(snapshot: Snapshot) -> dict[str, tuple[str, str | None]]:
    """The summary cache's key of every fold the snapshot's habits need, with its habit and partner."""
    keys = {}
    for habit in snapshot.habits:
        # An `each` habit is judged per partner, and shown together where no partner is named.
        persons = [None, *snapshot.persons] if habit.who == "each" else [None]
        for person in persons:
            keys[Cache.key(habit.id, person)] = (habit.id, person)
    return keys


def _rules(habit: Habit, person: str | None, snapshot: Snapshot, first_weekday: int) -> str:

    return rules_of(habit, person, list(snapshot.persons), first_weekday)


class SummaryCache:
    """The folds at a fold point for one store: from the cache file while it holds, else made again and kept."""

    def __init__(self, path: Path, first_weekday: int, read_months):
        self.path = path
        self.first_weekday = first_weekday
        self._read_months = read_months  # the store's reading of some months of every device

    def attach(
        self,
        reading: Reading,
        own_files: DeviceFiles,
        others: list[DeviceFiles],
        at: date,
        today: date,
        warnings: list[str],
        marks: int = 0,
    ) -> Reading:
        """The reading with every habit's fold at `at`: from the cache when it still holds, else made again.

        The cache keeps a fold at the first of last month and one at the first of this month. The
        second is made from the first, so a back-dated change to last month re-reads that month only.
        `marks` (the past folds, pastfolds.py): keep every entry that holds, and make one at the first of
        every `marks`-th month on the way, so a fold at any past point is a few months' reading away.
        """

        files = [own_files, *others]
        snapshot = reading.snapshot
        keys = fold_keys(snapshot)
        cached = read_entries(self.path)
        prints: dict[str, dict] = {}

        settled: dict[date, dict] = {}  # entries trusted by their files' digests, whose statuses now suffice

        def holds(entry) -> bool:
            month = month_of(entry.at)
            if month not in prints:
                prints[month] = fingerprints(files, month)
            same, settles = matches(entry.files, prints[month])
            if settles:
                settled[entry.at] = prints[month]
            return same

        made: dict[date, Cache] = {}

        def entry_at(point: date):
            """The cache entry at `point`, from the cache when it holds, else made (and kept in `made`)."""
            entry = cached.at(point)
            if entry is not None and holds(entry):
                folds = self._folds_from_cache(entry, snapshot, keys, point)
                if folds is not None:
                    changed = _rules_of(folds) != _rules_of(entry.folds)
                    entry = entry._replace(folds=folds)
                    if changed:
                        made[point] = entry
                    return entry
            # Made again: onward from an older fold whose months are unchanged, else from the first month.
            if point > fold_point(today):
                older = entry_at(fold_point(today))
            else:
                older = next((e for e in cached if e.at < point and holds(e)), None)
                if older is not None:
                    start = self._folds_from_cache(older, snapshot, keys, older.at)
                    older = older._replace(folds=start) if start is not None else None
            # Taken before reading: a file written while the folds are made then no longer matches them. The
            # months the older fold sums up keep the fingerprints it was checked against: one replaced since
            # (a sync tool keeps its old mtime) must not pass for what that fold summed up.
            since = month_of(older.at) if older is not None else None
            fresh = fingerprints(files, month_of(point), racy=True, since_month=since)
            if older is not None:
                fresh.update(older.files)
            on_the_way: list[tuple[date, dict, set[str], list[str]]] | None = [] if marks else None
            folds, with_history, skipped = self._fold_forward(
                own_files,
                others,
                snapshot,
                keys,
                point,
                older,
                older.folds if older is not None else None,
                warnings,
                on_the_way,
                marks,
            )
            for mark, mark_folds, mark_history, mark_skipped in on_the_way or ():
                before = month_of(mark)
                prints = {k: v for k, v in fresh.items() if (month_in(k) or "") < before}  # a main file: ""
                made[mark] = Cache(mark, prints, mark_history, mark_folds, mark_skipped)
            made[point] = entry = Cache(point, fresh, with_history, folds, skipped)
            return entry

        entry = entry_at(at)
        if (made or settled) and keys:  # an empty home keeps no cache: a refused first command leaves no file
            points = {fold_point(today), month_start(today)}
            # The past folds keep their marks only (a week's own point is a quarter's reading from one).
            kept = [
                e
                for e in cached
                if (_is_mark(e.at, marks) if marks else e.at in points) and e.at not in made and holds(e)
            ]
            kept = [e._replace(files=settled.get(e.at, e.files)) for e in kept]
            write_cache(self.path, [*made.values(), *kept])
        snapshot.folds = {keys[k]: fold for k, (_, fold) in entry.folds.items()}
        snapshot.warnings += [w for w in entry.warnings if w not in snapshot.warnings]
        return reading

    def _folds_from_cache(self, cache, snapshot: Snapshot, keys: dict, at: date) -> dict | None:
        """The cached folds that still match their habit's rules; None when one must be made from old months."""

        habits = {h.id: h for h in snapshot.habits}
        folds = {}
        for key, (habit_id, person) in keys.items():
            habit = habits[habit_id]
            rules = _rules(habit, person, snapshot, self.first_weekday)
            cached = cache.folds.get(key)
            if cached is not None and cached[0] == rules:
                try:
                    folds[key] = (rules, fold_of(cached[1]))
                except (ValueError, KeyError, TypeError, AttributeError):
                    return None  # a damaged entry: made again
            elif habit_id not in cache.with_history:  # nothing logged before `at`: its rules are enough
                folds[key] = (rules, make_fold(habit, History(), at, self.first_weekday))
            else:
                return None
        return folds

    def _fold_forward(
        self,
        own_files: DeviceFiles,
        others: list[DeviceFiles],
        snapshot: Snapshot,
        keys: dict,
        at: date,
        older,
        start: dict | None,
        warnings: list[str],
        on_the_way: list | None = None,
        marks: int = 0,
    ) -> tuple[dict, set[str], list[str]]:
        """Every habit's fold at `at`, made month by month from `older` (or the first month): one month in memory."""
        files = [own_files, *others]
        first = month_of(older.at) if older is not None else None
        found = {m for f in files if f.data is not None for m in f.months}
        found |= {
            r["date"][:7]
            for f in files
            if f.data is not None
            for table in (CHECKINS, SKIPS)
            for r in records_of(f.data, table)
            if isinstance(r.get("date"), str)
        }  # schema 2: in the main file
        months = sorted(m for m in found if (first is None or m >= first) and m < month_of(at))
        folds, fold_at = dict(start or {}), older.at if older is not None else None
        with_history = set(older.with_history) if older is not None else set()
        skipped = list(older.warnings) if older is not None else []
        for month in months:
            reading = self._read_months(own_files, others, month, warnings, last_month=month)
            step = reading.snapshot
            skipped += [w for w in step.warnings if w not in warnings and w not in skipped]
            # From the files, not the merge: a habit whose creation has not arrived yet has history all the same.
            with_history |= {r.habit_id for d in [reading.own, *reading.others] for r in [*d.checkins, *d.skips]}
            step.habits, step.persons = snapshot.habits, snapshot.persons
            next_at = (date.fromisoformat(month + "-01") + timedelta(days=31)).replace(day=1)
            folds = self._fold_step(step, keys, folds, fold_at, next_at)
            fold_at = next_at
            if on_the_way is not None and _is_mark(next_at, marks) and next_at < at:
                on_the_way.append((next_at, folds, set(with_history), list(skipped)))
        if fold_at != at:  # the months up to `at` with nothing logged
            folds = self._fold_step(Snapshot(snapshot.habits, persons=snapshot.persons), keys, folds, fold_at, at)
        return folds, with_history, skipped

    def _fold_step(self, step: Snapshot, keys: dict, folds: dict, since: date | None, at: date) -> dict:
        return fold_step(step, keys, folds, since, at, self.first_weekday)


def fold_step(
    step: Snapshot, keys: dict, folds: dict, since: date | None, at: date, first_weekday: int
) -> dict[str, tuple[str, object]]:
    """The folds at `at`, from the folds at `since` (none: from the start) and what `step` logged from `since` to `at`."""
    old = {keys[k]: fold for k, (_, fold) in folds.items() if k in keys}
    histories = build_histories(step.checkins, step.skips, old, since)
    habits = {h.id: h for h in step.habits}
    each: dict[str, dict] = {}  # an `each` habit's partners' histories, made once for all its keys
    made: dict[str, tuple[str, object]] = {}
    for key, (habit_id, person) in keys.items():
        habit = habits[habit_id]
        if person is None:
            history = histories[habit_id]
        else:
            if habit_id not in each:
                each[habit_id] = dict(person_histories(habit, step.checkins, step.skips, step.persons, old, since))
            history = each[habit_id][person]
        made[key] = (_rules(habit, person, step, first_weekday), make_fold(habit, history, at, first_weekday))
    return made
