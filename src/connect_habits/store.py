"""The TinyDB store: files per device, an inter-process lock, atomic writes, a schema version.

The rest of connect sees habits, check-ins and skips, never TinyDB. This device writes
only its own files; reading merges every device's files (merge.py). Every transaction takes
the lock, re-reads the files inside it (a long-lived TinyDB handle would keep stale ids),
and writes each changed file once, atomically, at the end.

Without sharing, the device's main file is `connect.json` in the data folder. Shared
(`connect sync init`), each device's is `connect-<device id>.json` in the shared folder.
The main file holds the habits' change records and running sessions; check-ins, skips and
undos live in one TinyDB file per month beside it (`connect.2026-11.json`,
`connect-<device id>.2026-11.json`), so a write costs the same after ten years as after one
week, and a command reads the recent months and the summary cache (summary.py), not years.
Schema 2 files (everything in the main file) are read as they are and split on the next write.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections import namedtuple
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path

from .errors import DataFileError
from .fileio import atomic_write, check_writable, locked, read_bytes, remove_stale_temp_files
from .merge import DeviceData, merge
from .model import CheckIn, Habit, Session, Skip, Snapshot, new_id
from .paths import Paths, ensure_private_dir
from .records import (
    RecordError, checkin_from, checkin_record, habit_fields, session_from, session_record, skip_from, skip_record,
)

TYPE_CHECKING = False  # typing's flag without importing typing: type checkers read it by name
if TYPE_CHECKING:
    from tinydb import TinyDB

SCHEMA_VERSION = 3
META, CHANGES, CHECKINS, SKIPS, REMOVALS, SESSIONS = "_meta", "habit_changes", "checkins", "skips", "removals", "sessions"
HISTORY_TABLES = (CHECKINS, SKIPS, REMOVALS)
DEVICE_FILE = re.compile(r"connect-([0-9a-f]{12})\.json")
MONTH_FILE = re.compile(r"(connect(?:-[0-9a-f]{12})?)\.(\d{4}-\d{2})\.json")
HISTORY_FILE = re.compile(r"connect(?:-[0-9a-f]{12})?(?:\.\d{4}-\d{2})?\.json")  # any device's main or month file
CACHE_FILE = "summary-cache.json"
RACY_NS = 2_000_000_000  # a file changed this recently may change again unseen within its timestamp's tick


def new_device_id() -> str:
    """A new device id: 12 hex digits, enough to tell a couple's devices apart for good."""
    return os.urandom(6).hex()


def device_file_name(device: str) -> str:
    return f"connect-{device}.json"


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_file(main: Path, month: str) -> Path:
    """The file of one month of a device's history, beside its main file."""
    return main.with_name(f"{main.stem}.{month}.json")


def month_files(main: Path, names: Iterable[str] | None = None) -> dict[str, Path]:
    """A device's month files, by month ("2026-11"), from the folder's listing (read when not given)."""
    return {month: month_file(main, month) for month in months_of(main, names)}


def months_of(main: Path, names: Iterable[str] | None = None) -> list[str]:
    """The months ("2026-11") a device has files for, oldest first, from the folder's listing (read when not given).

    Names, not paths: a command lists ten years of months and opens two of them.
    """
    if names is None:
        names = _listing(main.parent)
    stem = main.stem
    return sorted(match[2] for match in map(MONTH_FILE.fullmatch, names) if match and match[1] == stem)


class Layout(namedtuple("Layout", "own_file lock_file folder device me partners", defaults=(None, None, None, ()))):
    """Where this device writes, and what it reads besides (`folder`: the shared folder, when shared)."""

    __slots__ = ()

    @classmethod
    def for_home(cls, paths: Paths, config=None) -> "Layout":
        """The layout a home's config describes (a private home when it names no shared folder)."""
        extra = getattr(config, "extra", {}) or {}
        partners = tuple(getattr(config, "partners", ()) or ())
        me = extra.get("me") if isinstance(extra.get("me"), str) else None
        folder, device = extra.get("sync_folder"), extra.get("device")
        if isinstance(folder, str) and isinstance(device, str) and DEVICE_FILE.fullmatch(device_file_name(device)):
            shared = Path(folder)
            return cls(shared / device_file_name(device), paths.lock_file, shared, device, me, partners)
        return cls(paths.data_file, paths.lock_file, None, None, me, partners)

    def other_files(self) -> list[Path]:
        """The other devices' files in the shared folder (conflict copies and temp files never match)."""
        if self.folder is None:
            return []
        try:
            names = sorted(p.name for p in self.folder.iterdir())
        except OSError:
            return []
        return [self.folder / n for n in names if DEVICE_FILE.fullmatch(n) and self.folder / n != self.own_file]


def _buffer(data: dict) -> "TinyDB":
    """A TinyDB over an in-memory dict: the store decides when it reaches the disk.

    TinyDB loads here, for writes only: a command that only reads does not pay for its import.
    """
    from tinydb import TinyDB
    from tinydb.storages import Storage

    class BufferStorage(Storage):
        def __init__(self, data: dict):
            self.data = data
            self.changed = False

        def read(self) -> dict:
            return self.data

        def write(self, data: dict) -> None:
            self.data = data
            self.changed = True

    return TinyDB(data, storage=BufferStorage)


def _where(field: str):
    from tinydb import where

    return where(field)


def _changed(db: "TinyDB") -> bool:
    return db.storage.changed  # type: ignore[attr-defined]


# ---------------------------------------------------------------- reading


class DeviceFiles(namedtuple("DeviceFiles", "main data months expected", defaults=(None,))):
    """One device's main file, its data, the months it has files for, and (another's) the device id its name promises."""

    __slots__ = ()


class Reading(namedtuple("Reading", "snapshot own others own_months own_files")):
    """What one read of the store found: each device's data and files, merged into a snapshot.

    `own_months` are the own month files read (month -> data), `own_files` the own DeviceFiles.
    """

    __slots__ = ()


# ---------------------------------------------------------------- the store


class Transaction:
    """A locked read-modify-write; changes go to this device's files when the block ends cleanly."""

    def __init__(self, store: "Store", reading: Reading, max_stamp: int):
        self._store = store
        self._own = reading.own_files
        self._main = _buffer(reading.own_files.data)  # type: ignore[union-attr]
        self._months: dict[str, "TinyDB"] = {m: _buffer(d) for m, d in reading.own_months.items()}
        self.snapshot = reading.snapshot
        self.device = reading.own
        self._stamp = max_stamp
        self._split = False  # whether this transaction moved a schema 2 file's records into months

    @property
    def folds_outdated(self) -> bool:
        """Whether this transaction changed a month the snapshot's folds sum up: read again to see it in streaks."""
        point = next((month_of(fold.at) for fold in self.snapshot.folds.values()), None)
        return point is not None and any(month < point and _changed(db) for month, db in self._months.items())

    def _next_stamp(self) -> int:
        # Later than anything this device has seen, so an edit made after reading another wins.
        self._stamp = max(int(time.time() * 1000), self._stamp + 1)
        return self._stamp

    def _month(self, month: str) -> "TinyDB":
        """This device's TinyDB for one month, read from its file the first time it is needed."""
        if month not in self._months:
            self._months[month] = _buffer(self._store.read_own_month(month, _device_of(self._main.storage.read())))
        return self._months[month]

    def _change(self, habit_id: str, fields: dict) -> None:
        self._main.table(CHANGES).insert(
            {"id": new_id(), "habit": habit_id, "stamp": self._next_stamp(), "fields": fields})

    def add_habit(self, habit: Habit) -> None:
        self._change(habit.id, habit_fields(habit))

    def replace_habit(self, habit: Habit) -> None:
        """Record the fields that differ from the habit as it is now."""
        current = next((h for h in self.snapshot.habits if h.id == habit.id), None)
        before = habit_fields(current) if current else {}
        after = habit_fields(habit)
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        if changed:
            self._change(habit.id, changed)
            self.snapshot.habits = [habit if h.id == habit.id else h for h in self.snapshot.habits]

    def purge_habit(self, habit_id: str) -> None:
        """Delete a habit with its history: hidden on every device, and gone from this device's files."""
        self._change(habit_id, {"deleted": True})
        for table in (CHECKINS, SKIPS, SESSIONS):
            self._main.table(table).remove(_where("habit") == habit_id)
        for month in month_files(self._store.path):
            for table in (CHECKINS, SKIPS):
                db = self._month(month)
                if db.table(table).contains(_where("habit") == habit_id):
                    db.table(table).remove(_where("habit") == habit_id)

    def add_checkin(self, checkin: CheckIn) -> None:
        self._month(month_of(checkin.day)).table(CHECKINS).insert(checkin_record(checkin))

    def add_checkins(self, checkins: Iterable[CheckIn]) -> None:
        """Many check-ins at once (an import): one insert per month instead of one per record."""
        for month, records in _by_month(checkins, checkin_record).items():
            self._month(month).table(CHECKINS).insert_multiple(records)

    def remove_checkin(self, checkin: CheckIn) -> None:
        """An undo: a removal record, so it wins on every device that has seen the check-in."""
        self._remove(CHECKINS, checkin.id, checkin.day)

    def add_skips(self, skips: Iterable[Skip]) -> None:
        # An empty insert would still mark a file as changed.
        for month, records in _by_month(skips, skip_record).items():
            self._month(month).table(SKIPS).insert_multiple(records)

    def remove_skip(self, skip: Skip) -> None:
        self._remove(SKIPS, skip.id, skip.day)

    def _remove(self, table: str, record_id: str, day: date) -> None:
        # The removal goes in the month of what it removes: a summary of that month then sees it.
        db = self._month(month_of(day))
        if db.table(table).contains(_where("id") == record_id):
            db.table(table).remove(_where("id") == record_id)
        db.table(REMOVALS).insert({"id": new_id(), "target": record_id, "stamp": self._next_stamp()})

    def add_session(self, session: Session) -> None:
        self._main.table(SESSIONS).insert(session_record(session))

    def remove_session(self, session_id: str) -> None:
        self._main.table(SESSIONS).remove(_where("id") == session_id)

    def split_history(self) -> None:
        """Move a schema 2 main file's check-ins, skips and undos into month files."""
        main = self._main.storage.read()  # type: ignore[attr-defined]
        if not any(main.get(table) for table in HISTORY_TABLES) and _schema_of(main) == SCHEMA_VERSION:
            return
        known = [*self.device.checkins, *self.device.skips, *self.snapshot.checkins, *self.snapshot.skips]
        data, months = split_device(main, {r.id: r.day for r in known})
        self._split = True
        for month, tables in months.items():
            for table in HISTORY_TABLES:
                if tables.get(table):
                    self._month(month).table(table).insert_multiple(dict(r) for r in tables[table].values())
        self._main.storage.write(data)  # type: ignore[attr-defined]

    def save(self) -> None:
        """Write every changed file, each atomically; every one is checked before the first is written.

        Order, for a crash between two files: a new habit's main file before its check-ins (so none
        is ever without its habit); a schema 2 file's records in their months before the main file
        loses them (duplicates, which the merge by id absorbs, never losses).
        """
        store = self._store
        ensure_private_dir(store.path.parent)
        remove_stale_temp_files(store.path, family=True)
        writes = [(month_file(store.path, month), db) for month, db in sorted(self._months.items()) if _changed(db)]
        for path, _ in writes:
            check_writable(path)
        if _changed(self._main):
            main = (store.path, self._main)
            writes = writes + [main] if self._split or not self._adds_habits() else [main] + writes
        for path, db in writes:
            atomic_write(path, encode(db.storage.read()))  # type: ignore[attr-defined]

    def _adds_habits(self) -> bool:
        before = {c["habit"] for c in self.device.changes}
        return any(c.get("habit") not in before for c in self._main.table(CHANGES).all())


def split_device(main: dict, days: dict[str, date] | None = None) -> tuple[dict, dict[str, dict]]:
    """A device's data in the current form: the main file's data, and one file's data per month.

    A record goes to the month of its day, an undo to the month of what it undoes; an undo of
    a record not known here (another device's, not seen yet) stays in the main file.
    """
    days = dict(days or {})
    for table in (CHECKINS, SKIPS):
        for record in _records(main, table):
            with contextlib.suppress(TypeError, ValueError):
                days.setdefault(record["id"], date.fromisoformat(record["date"]))
    device = _device_of(main)
    months: dict[str, dict] = {}
    unplaced = {}
    for table in HISTORY_TABLES:
        for n, record in enumerate(_records(main, table), start=1):
            key = record.get("target") if table == REMOVALS else record.get("id")
            day = days.get(key) if isinstance(key, str) else None
            if day is None:
                if table != REMOVALS:
                    raise DataFileError(f"A {table[:-1]} record has no valid date; nothing was changed.")
                unplaced[str(n)] = record
                continue
            month = month_of(day)
            tables = months.setdefault(month, {META: {"1": {"schema": SCHEMA_VERSION, "device": device,
                                                            "month": month}}})
            target = tables.setdefault(table, {})
            target[str(len(target) + 1)] = record
    data = {k: v for k, v in main.items() if k not in HISTORY_TABLES}
    data[META] = {"1": {**next(iter(main.get(META, {}).values()), {}), "schema": SCHEMA_VERSION}}
    if unplaced:
        data[REMOVALS] = unplaced
    return data, dict(sorted(months.items()))


def write_device(main_path: Path, data: dict) -> None:
    """Write a whole device (a new one: its files must not exist yet), months first, then the main file."""
    main, months = split_device(data)
    for month, tables in months.items():
        atomic_write(month_file(main_path, month), encode(tables))
    atomic_write(main_path, encode(main))


def read_device(main_path: Path, layout: Layout, expected: str | None = None, own: bool = True,
                problems: list[str] | None = None) -> dict:
    """A device's main data with all of its months' records added (None when it has no main file).

    With `problems`, a month file that cannot be read is left out and its message added there.
    """
    raw = read_bytes(main_path)
    if raw is None:
        return None  # type: ignore[return-value]
    data = upgrade(main_path, decode(main_path, raw), layout, own=own)
    months = []
    for month, path in month_files(main_path).items():
        try:
            month_data = decode(path, read_bytes(path) or b"")
            _check_month(path, month_data, expected or _device_of(data), month)
        except DataFileError as error:
            if problems is None:
                raise
            problems.append(f"{path.name} cannot be read ({error.message}); it is skipped until it can")
            continue
        months.append(month_data)
    combined = _with_history(data, months)
    for table in HISTORY_TABLES:
        combined[table] = {str(n): r for n, r in enumerate(combined[table], start=1)}
    return combined


def _schema_of(data: dict) -> object:
    return next(iter(data.get(META, {}).values()), {}).get("schema")


def _by_month(records: Iterable, stored) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for record in records:
        grouped.setdefault(month_of(record.day), []).append(stored(record))
    return grouped


class Store:
    """This device's data files, the other devices' files it reads, and the summary cache."""

    def __init__(self, paths: Paths, config=None, layout: Layout | None = None):
        self.layout = layout or Layout.for_home(paths, config)
        self.path: Path = self.layout.own_file
        self.lock_path: Path = self.layout.lock_file
        self.cache_path: Path = paths.data_dir / CACHE_FILE
        self.first_weekday: int = getattr(config, "first_weekday", 0) if config is not None else 0
        # A diagnosis switch (and the tests' reference): read every month, never the summary cache.
        self.summaries = os.environ.get("CONNECT_NO_SUMMARY", "") != "1"

    def load(self, since: date | None = None, today: date | None = None, select=None) -> Snapshot:
        """Read without the lock: writers replace files atomically, so each read is consistent.

        Without `since`, everything. With it, the check-ins and skips from `since` on (from the first
        of this month when `since` is in it, else at the latest from the first of last month), and
        each habit's fold up to there.
        `select(habits)` may name the ids of the habits whose check-ins and skips the command
        needs (None: all); the others' are not parsed. Every habit and fold is there still.
        """
        return self._read(since, today, select).snapshot

    @contextlib.contextmanager
    def transaction(self, since: date | None = None, today: date | None = None,
                    select=None) -> Iterator[Transaction]:
        """Lock, re-read (as `load`), let the block change things, then write the changed files atomically."""
        ensure_private_dir(self.lock_path.parent)
        with locked(self.lock_path):
            check_writable(self.path)
            reading = self._read(since, today, select)
            stamp = max([reading.own.max_stamp] + [d.max_stamp for d in reading.others])
            transaction = Transaction(self, reading, stamp)
            transaction.split_history()
            yield transaction
            transaction.save()

    def read_own_month(self, month: str, device: str | None) -> dict:
        """One month of this device's history as TinyDB data (new and empty when it has no file)."""
        path = month_file(self.path, month)
        raw = read_bytes(path)
        if raw is None:
            return {META: {"1": {"schema": SCHEMA_VERSION, "device": device, "month": month}}}
        data = decode(path, raw)
        _check_month(path, data, device, month)
        return data

    def _own_data(self) -> dict:
        raw = read_bytes(self.path)
        if raw is None:
            device = self.layout.device or new_device_id()
            return {META: {"1": {"schema": SCHEMA_VERSION, "device": device, "person": self.layout.me}}}
        return upgrade(self.path, decode(self.path, raw), self.layout)

    def _read(self, since: date | None, today: date | None, select=None) -> Reading:
        from .summary import fold_point, month_start

        if not self.summaries:
            since = None

        own_main = self._own_data()
        listing = _listing(self.path.parent)
        own_files = DeviceFiles(self.path, own_main, months_of(self.path, listing))
        others, warnings = read_other_mains(self.layout, listing if self.layout.folder else None)
        at = None
        if since is not None:
            today = today or since
            at = month_start(today) if since >= month_start(today) else fold_point(today)
        first_month = None if at is None or since is None else min(month_of(since), month_of(at))
        keep = select(self._habits_of(own_files, others)) if select is not None else None
        reading = self._read_months(own_files, others, first_month, warnings, keep=keep)
        if at is not None and today is not None:
            reading = self._with_folds(reading, own_files, others, at, today, warnings)
        return reading

    def _habits_of(self, own_files: DeviceFiles, others: list[DeviceFiles]) -> list[Habit]:
        """The habits alone, from the main files (an unreadable one shows up again in the full read)."""
        try:
            devices = [parse_device(f.main, {k: v for k, v in f.data.items() if k not in HISTORY_TABLES},
                                    self.layout, f.expected) for f in [own_files, *others] if f.data is not None]
            return merge(devices, _device_of(own_files.data), (), strict=False).habits
        except (DataFileError, RecordError):
            return []

    def _read_months(self, own_files: DeviceFiles, others: list[DeviceFiles], first_month: str | None,
                     warnings: list[str], last_month: str | None = None, keep: set[str] | None = None) -> Reading:
        """Each device's history from `first_month` (all of it when None) up to `last_month`, merged.

        `keep`: only the check-ins and skips of these habits (None: all).
        """

        def wanted(month: str) -> bool:
            return (first_month is None or month >= first_month) and (last_month is None or month <= last_month)

        own_months = {}
        for month in own_files.months:
            if wanted(month):
                path = month_file(own_files.main, month)
                data = decode(path, read_bytes(path) or b"")
                _check_month(path, data, _device_of(own_files.data), month)
                own_months[month] = data
        own = parse_device(self.path, _with_history(own_files.data, own_months.values(), wanted, keep), self.layout)
        devices = []
        warnings = list(warnings)
        for files in others:
            if files.data is None:  # its main file cannot be read this time (warned about already)
                continue
            months = []
            for month in files.months:
                if not wanted(month):
                    continue
                path = month_file(files.main, month)
                try:
                    data = decode(path, read_bytes(path) or b"")
                    _check_month(path, data, files.expected, month)
                    months.append(data)
                except DataFileError as error:
                    warnings.append(f"skipped {path.name}: {error.message} It will be read again next time.")
            try:
                devices.append(parse_device(files.main, _with_history(files.data, months, wanted, keep), self.layout,
                                            files.expected))
            except DataFileError as error:
                warnings.append(f"skipped {files.main.name}: {error.message} It will be read again next time.")
        snapshot = self._merge(own, devices, own_files.data, own_months)
        snapshot.warnings = warnings
        if first_month is not None:
            snapshot.since = date.fromisoformat(first_month + "-01")
        return Reading(snapshot, own, devices, own_months, own_files)

    def _merge(self, own: DeviceData, others: list[DeviceData], own_main: dict, own_months: dict) -> Snapshot:
        try:
            # Shared, the partners are the devices' people, so every device agrees on who has a row.
            partners = self.layout.partners if self.layout.folder is None else ()
            snapshot = merge([own, *others], own.device, partners, strict=self.layout.folder is None)
        except RecordError as error:
            raise DataFileError(f"The data file {self.path} is damaged: a record does not parse ({error}).") from None
        if self.layout.folder is None:
            known = {c["habit"] for c in own.changes}
            _check_orphans(self.path, known, [*_records(own_main, CHECKINS), *_records(own_main, SKIPS),
                                              *_records(own_main, SESSIONS)])
            for month, data in own_months.items():
                _check_orphans(month_file(self.path, month), known, [*_records(data, CHECKINS), *_records(data, SKIPS)])
        return snapshot

    # ------------------------------------------------------------ folds

    def _with_folds(self, reading: Reading, own_files: DeviceFiles, others: list[DeviceFiles], at: date,
                    today: date, warnings: list[str]) -> Reading:
        """The reading with every habit's fold at `at`: from the cache when it still holds, else made again.

        The cache keeps a fold at the first of last month and one at the first of this month. The
        second is made from the first, so a back-dated change to last month re-reads that month only.
        """
        from .summary import Cache, fold_point, month_start, read_cache, write_cache

        files = [own_files, *others]
        snapshot = reading.snapshot
        keys = _fold_keys(snapshot)
        cached = read_cache(self.cache_path)
        prints: dict[str, dict] = {}

        def holds(entry) -> bool:
            month = month_of(entry.at)
            if month not in prints:
                prints[month] = _fingerprints(files, month)
            return entry.files == prints[month]

        made: dict[date, Cache] = {}

        def entry_at(point: date):
            """The cache entry at `point`, from the cache when it holds, else made (and kept in `made`)."""
            for entry in cached:
                if entry.at == point and holds(entry):
                    folds = self._folds_from_cache(entry, snapshot, keys, point)
                    if folds is not None:
                        if folds != entry.folds:
                            made[point] = entry = entry._replace(folds=folds)
                        return entry
            # Made again: onward from an older fold whose months are unchanged, else from the first month.
            if point > fold_point(today):
                older = entry_at(fold_point(today))
            else:
                older = next((e for e in cached if e.at < point and holds(e)), None)
                start = self._folds_from_cache(older, snapshot, keys, older.at) if older is not None else None
                older = older._replace(folds=start) if start is not None else None
            # Taken before reading: a file written while the folds are made then no longer matches them. The
            # months the older fold sums up keep the fingerprints it was checked against: one replaced since
            # (a sync tool keeps its old mtime) must not pass for what that fold summed up.
            since = month_of(older.at) if older is not None else None
            fresh = _fingerprints(files, month_of(point), racy=True, since_month=since)
            if older is not None:
                fresh.update(older.files)
            folds, with_history, skipped = self._fold_forward(
                own_files, others, snapshot, keys, point, older, older.folds if older is not None else None, warnings)
            made[point] = entry = Cache(point, fresh, with_history, folds, skipped)
            return entry

        entry = entry_at(at)
        if made and keys:  # an empty home keeps no cache: a first command that is refused leaves no file behind
            points = {fold_point(today), month_start(today)}
            kept = [e for e in cached if e.at in points and e.at not in made and holds(e)]
            write_cache(self.cache_path, [*made.values(), *kept])
        snapshot.folds = {keys[k]: fold for k, (_, fold) in entry.folds.items()}
        snapshot.warnings += [w for w in entry.warnings if w not in snapshot.warnings]
        return reading

    def _folds_from_cache(self, cache, snapshot: Snapshot, keys: dict, at: date) -> dict | None:
        """The cached folds that still match their habit's rules; None when one must be made from old months."""
        from .summary import make_fold
        from .streaks import History

        habits = {h.id: h for h in snapshot.habits}
        folds = {}
        for key, (habit_id, person) in keys.items():
            habit = habits[habit_id]
            rules = _rules(habit, person, snapshot, self.first_weekday)
            cached = cache.folds.get(key)
            if cached is not None and cached[0] == rules:
                folds[key] = cached
            elif habit_id not in cache.with_history:  # nothing logged before `at`: its rules are enough
                folds[key] = (rules, make_fold(habit, History(), at, self.first_weekday))
            else:
                return None
        return folds

    def _fold_forward(self, own_files: DeviceFiles, others: list[DeviceFiles], snapshot: Snapshot, keys: dict,
                      at: date, older, start: dict | None, warnings: list[str]) -> tuple[dict, set[str], list[str]]:
        """Every habit's fold at `at`, made month by month from `older` (or the first month): one month in memory."""
        files = [own_files, *others]
        first = month_of(older.at) if older is not None else None
        found = {m for f in files if f.data is not None for m in f.months}
        found |= {r["date"][:7] for f in files if f.data is not None for table in (CHECKINS, SKIPS)
                  for r in _records(f.data, table) if isinstance(r.get("date"), str)}  # schema 2: in the main file
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
        if fold_at != at:  # the months up to `at` with nothing logged
            folds = self._fold_step(Snapshot(snapshot.habits, persons=snapshot.persons), keys, folds, fold_at, at)
        return folds, with_history, skipped

    def _fold_step(self, step: Snapshot, keys: dict, folds: dict, since: date | None, at: date) -> dict:
        """The folds at `at`, from the folds at `since` and what was logged from `since` to `at`."""
        from .streaks import build_histories, person_histories
        from .summary import make_fold

        old = {keys[k]: fold for k, (_, fold) in folds.items() if k in keys}
        histories = build_histories(step.checkins, step.skips, old, since)
        habits = {h.id: h for h in step.habits}
        made = {}
        for key, (habit_id, person) in keys.items():
            habit = habits[habit_id]
            if person is None:
                history = histories[habit_id]
            else:
                history = dict(person_histories(habit, step.checkins, step.skips, step.persons, old, since))[person]
            made[key] = (_rules(habit, person, step, self.first_weekday), make_fold(habit, history, at,
                                                                                     self.first_weekday))
        return made


def _fold_keys(snapshot: Snapshot) -> dict[str, tuple[str, str | None]]:
    from .summary import Cache

    keys = {}
    for habit in snapshot.habits:
        # An `each` habit is judged per partner, and shown together where no partner is named.
        persons = [None, *snapshot.persons] if habit.who == "each" else [None]
        for person in persons:
            keys[Cache.key(habit.id, person)] = (habit.id, person)
    return keys


def _rules(habit: Habit, person: str | None, snapshot: Snapshot, first_weekday: int) -> str:
    from .summary import rules_of

    return rules_of(habit, person, list(snapshot.persons), first_weekday)


def _fingerprints(files: list[DeviceFiles], before_month: str, racy: bool = False,
                  since_month: str | None = None) -> dict:
    """Inode, size and modification time of every month file before `before_month` (and of schema 2 mains).

    `since_month`: only the month files from that month on.

    `racy`: a file changed in the last moments gets no fingerprint (so the cache is not trusted
    next time): a change within the same timestamp tick could otherwise go unseen.
    """
    now = time.time_ns()
    found = {}
    # Strings, as month_file would spell them: building ten years of Path objects costs more than the stats.
    paths = [f"{prefix}.{month}.json" for f in files for prefix in [os.path.join(str(f.main.parent), f.main.stem)]
             for month in f.months if month < before_month and (since_month is None or month >= since_month)]
    paths += [str(f.main) for f in files if f.data is not None and any(f.data.get(t) for t in (CHECKINS, SKIPS))]
    for path in paths:
        try:
            status = os.stat(path)
        except OSError:
            found[path] = None
            continue
        fresh = racy and status.st_mtime_ns > now - RACY_NS
        found[path] = None if fresh else [status.st_ino, status.st_size, status.st_mtime_ns]
    for files_ in files:
        if files_.expected is not None and files_.data is None:
            found[str(files_.main) + "#unreadable"] = None
    return found


def _listing(folder: Path) -> list[str]:
    try:
        return [entry.name for entry in os.scandir(folder)]
    except OSError:
        return []


def _device_of(data: dict) -> str | None:
    return next(iter(data.get(META, {}).values()), {}).get("device")


def _check_month(path: Path, data: dict, device: str | None, month: str) -> None:
    meta = next(iter(data.get(META, {}).values()), {})
    if meta.get("month") != month or (device is not None and meta.get("device") != device):
        raise DataFileError(f"The data file {path} is damaged: it does not say which device and month it holds.")


def _with_history(main: dict, months: Iterable[dict], wanted=None, keep: set[str] | None = None) -> dict:
    """A device's main data with the check-ins, skips and undos of the months read added to it.

    A schema 2 main file holds history of every month: `wanted` (a month's "YYYY-MM") keeps the ones read.
    `keep`: only the check-ins and skips of these habits.
    """
    combined = {k: v for k, v in main.items() if k not in HISTORY_TABLES}
    months = list(months)
    for table in HISTORY_TABLES:
        records = list(_records(main, table))
        if wanted is not None and table != REMOVALS:
            records = [r for r in records if not isinstance(r.get("date"), str) or wanted(r["date"][:7])]
        for data in months:
            records += _records(data, table)
        if keep is not None and table != REMOVALS:
            records = [r for r in records if r.get("habit") in keep]
        combined[table] = records
    return combined


def read_other_mains(layout: Layout, listing: list[str] | None = None) -> tuple[list[DeviceFiles], list[str]]:
    """The other devices' main files; one that cannot be read is skipped with a warning, and read again next time."""
    devices, warnings = [], []
    for path in layout.other_files():
        expected = DEVICE_FILE.fullmatch(path.name)[1]
        try:
            raw = read_bytes(path)
            data = upgrade(path, decode(path, raw or b""), layout, own=False)
            if _device_of(data) != expected:
                raise DataFileError(f"The data file {path} is damaged: it does not say which device wrote it.")
        except DataFileError as error:
            warnings.append(f"skipped {path.name}: {error.message} It will be read again next time.")
            devices.append(DeviceFiles(path, None, [], expected))  # type: ignore[arg-type]
            continue
        devices.append(DeviceFiles(path, data, months_of(path, listing), expected))
    return devices, warnings


def _check_orphans(path: Path, known: set[str], records: Iterable[dict]) -> None:
    # Alone, a device's history for a habit it never created can only be damage.
    if any(r.get("habit") not in known for r in records):
        raise DataFileError(f"The data file {path} is damaged: it holds history for a habit that does not exist.")


# ---------------------------------------------------------------- the file format


def encode(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(path: Path, raw: bytes) -> dict:
    """Parse and check the shape of a file; anything unexpected is refused, never repaired."""
    if not raw.strip():
        raise DataFileError(f"The data file {path} is empty; it was left untouched (restore it from a backup or move it away).")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        where = f" (line {error.lineno}, column {error.colno})" if isinstance(error, json.JSONDecodeError) else ""
        raise DataFileError(f"The data file {path} is not valid JSON{where}; it was left untouched.") from None
    damaged = f"The data file {path} is damaged"
    if not isinstance(data, dict) or not all(
        isinstance(table, dict) and all(isinstance(doc, dict) for doc in table.values()) for table in data.values()
    ):
        raise DataFileError(f"{damaged}: it is not a set of tables of records; it was left untouched.")
    meta = data.get(META) or ({"1": {"schema": SCHEMA_VERSION}} if not data else None)
    schema = next(iter(meta.values()), {}).get("schema") if meta else None
    if not isinstance(schema, int) or isinstance(schema, bool):
        raise DataFileError(f"{damaged}: it has no schema version; it was left untouched.")
    if schema > SCHEMA_VERSION:
        raise DataFileError(
            f"The data file {path} was written by a newer connect (schema {schema}; this one reads up to "
            f"{SCHEMA_VERSION}); upgrade connect to use it."
        )
    return data


def upgrade(path: Path, data: dict, layout: Layout, own: bool = True) -> dict:
    """Bring a file to the current schema in memory (it is saved that way on the next write)."""
    meta = next(iter(data.get(META, {}).values()), {})
    if meta.get("schema", SCHEMA_VERSION) >= 2 and meta.get("device"):
        return data
    # Schema 1: one private file with whole habit records. Each becomes the habit's first change.
    try:
        changes = {
            str(n): {"id": f"v1-{r['id']}", "habit": r["id"], "stamp": n,  # keeps their order
                     "fields": {k: v for k, v in r.items() if k != "id"}}
            for n, r in enumerate(data.get("habits", {}).values(), start=1)
        }
    except (KeyError, TypeError):
        raise DataFileError(f"The data file {path} is damaged: a habit has no id; it was left untouched.") from None
    device = layout.device if own and layout.device else new_device_id()
    upgraded = {k: v for k, v in data.items() if k not in (META, "habits")}
    upgraded[META] = {"1": {"schema": SCHEMA_VERSION, "device": device, "person": layout.me if own else None}}
    upgraded[CHANGES] = changes
    return upgraded


def parse_device(path: Path, data: dict, layout: Layout | None = None, expected: str | None = None) -> DeviceData:
    """A device's records, checked; a record that does not parse makes the whole file unreadable."""
    meta = next(iter(data.get(META, {}).values()), {})
    device = meta.get("device")
    if not isinstance(device, str) or (expected is not None and device != expected):
        raise DataFileError(f"The data file {path} is damaged: it does not say which device wrote it.")
    person = meta.get("person") if isinstance(meta.get("person"), str) else None
    try:
        changes = [_change(c) for c in _records(data, CHANGES)]
        removals = [_removal(r) for r in _records(data, REMOVALS)]
        return DeviceData(
            path=path, device=device, person=person, changes=changes,
            checkins=[checkin_from(r) for r in _records(data, CHECKINS)],
            skips=[skip_from(r) for r in _records(data, SKIPS)],
            removals=removals,
            sessions=[session_from(r) for r in _records(data, SESSIONS)],
        )
    except RecordError as error:
        raise DataFileError(f"The data file {path} is damaged: a record does not parse ({error}).") from None


def _records(data: dict, table: str) -> Iterable[dict]:
    records = data.get(table) or {}
    return records.values() if isinstance(records, dict) else records


def _change(record: dict) -> dict:
    if not (isinstance(record.get("id"), str) and isinstance(record.get("habit"), str)
            and isinstance(record.get("stamp"), int) and isinstance(record.get("fields"), dict)):
        raise RecordError("a habit change without id, habit, stamp or fields")
    return record


def _removal(record: dict) -> dict:
    if not (isinstance(record.get("target"), str) and isinstance(record.get("stamp"), int)):
        raise RecordError("a removal without target or stamp")
    return record
