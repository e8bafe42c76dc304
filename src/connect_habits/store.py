"""The TinyDB store: one file per device, an inter-process lock, atomic writes, a schema version.

The rest of connect sees habits, check-ins and skips, never TinyDB. This device writes
only its own file; reading merges every device's file (merge.py). Every transaction takes
the lock, re-reads the files inside it (a long-lived TinyDB handle would keep stale ids),
and writes this device's file once, atomically, at the end.

Without sharing, the one file is `connect.json` in the data folder. Shared (`connect sync
init`), each device's file is `connect-<device id>.json` in the shared folder.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from tinydb import Query, TinyDB
from tinydb.storages import Storage

from .errors import DataFileError
from .fileio import atomic_write, check_writable, locked, read_bytes, remove_stale_temp_files
from .merge import DeviceData, merge
from .model import CheckIn, Habit, Session, Skip, Snapshot, new_id
from .paths import Paths, ensure_private_dir
from .records import (
    RecordError, checkin_from, checkin_record, habit_fields, session_from, session_record, skip_from, skip_record,
)

SCHEMA_VERSION = 2
META, CHANGES, CHECKINS, SKIPS, REMOVALS, SESSIONS = "_meta", "habit_changes", "checkins", "skips", "removals", "sessions"
DEVICE_FILE = re.compile(r"connect-([0-9a-f]{12})\.json")
_record = Query()


def new_device_id() -> str:
    """A new device id: 12 hex digits, enough to tell a couple's devices apart for good."""
    return uuid.uuid4().hex[:12]


def device_file_name(device: str) -> str:
    return f"connect-{device}.json"


@dataclass(frozen=True)
class Layout:
    """Where this device writes, and what it reads besides."""

    own_file: Path
    lock_file: Path
    folder: Path | None = None  # the shared folder, when shared
    device: str | None = None
    me: str | None = None
    partners: tuple[str, ...] = ()

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


class _BufferStorage(Storage):
    """A TinyDB storage over an in-memory dict; the store decides when it reaches the disk."""

    def __init__(self, data: dict):
        self.data = data
        self.changed = False

    def read(self) -> dict:
        return self.data

    def write(self, data: dict) -> None:
        self.data = data
        self.changed = True


# ---------------------------------------------------------------- the store


class Transaction:
    """A locked read-modify-write; changes go to this device's file when the block ends cleanly."""

    def __init__(self, db: TinyDB, snapshot: Snapshot, device: DeviceData, max_stamp: int):
        self._db = db
        self.snapshot = snapshot
        self.device = device
        self._stamp = max_stamp

    def _next_stamp(self) -> int:
        # Later than anything this device has seen, so an edit made after reading another wins.
        self._stamp = max(int(time.time() * 1000), self._stamp + 1)
        return self._stamp

    def _change(self, habit_id: str, fields: dict) -> None:
        self._db.table(CHANGES).insert(
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
        """Delete a habit with its history: hidden on every device, and gone from this device's file."""
        self._change(habit_id, {"deleted": True})
        for table in (CHECKINS, SKIPS, SESSIONS):
            self._db.table(table).remove(_record.habit == habit_id)

    def add_checkin(self, checkin: CheckIn) -> None:
        self._db.table(CHECKINS).insert(checkin_record(checkin))

    def add_checkins(self, checkins: Iterable[CheckIn]) -> None:
        """Many check-ins in one insert (an import): one pass instead of one per record."""
        records = [checkin_record(c) for c in checkins]
        if records:
            self._db.table(CHECKINS).insert_multiple(records)

    def remove_checkin(self, checkin_id: str) -> None:
        """An undo: a removal record, so it wins on every device that has seen the check-in."""
        self._remove(CHECKINS, checkin_id)

    def add_skips(self, skips: Iterable[Skip]) -> None:
        records = [skip_record(s) for s in skips]
        if records:  # an empty insert would still mark the file as changed
            self._db.table(SKIPS).insert_multiple(records)

    def remove_skip(self, skip_id: str) -> None:
        self._remove(SKIPS, skip_id)

    def _remove(self, table: str, record_id: str) -> None:
        self._db.table(table).remove(_record.id == record_id)
        self._db.table(REMOVALS).insert({"id": new_id(), "target": record_id, "stamp": self._next_stamp()})

    def add_session(self, session: Session) -> None:
        self._db.table(SESSIONS).insert(session_record(session))

    def remove_session(self, session_id: str) -> None:
        self._db.table(SESSIONS).remove(_record.id == session_id)


class Store:
    """This device's data file, and the other devices' files it reads."""

    def __init__(self, paths: Paths, config=None, layout: Layout | None = None):
        self.layout = layout or Layout.for_home(paths, config)
        self.path: Path = self.layout.own_file
        self.lock_path: Path = self.layout.lock_file

    def load(self) -> Snapshot:
        """Read everything, without the lock: writers replace files atomically, so each read is consistent."""
        own = self._own_data()
        return self._merge(own, parse_device(self.path, own, self.layout))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Lock, re-read, let the block change things, then write this device's file once, atomically."""
        ensure_private_dir(self.lock_path.parent)
        with locked(self.lock_path):
            check_writable(self.path)
            own = self._own_data()
            device = parse_device(self.path, own, self.layout)
            snapshot, others = self._merge(own, device, with_others=True)
            db = TinyDB(own, storage=_BufferStorage)
            stamp = max([device.max_stamp] + [d.max_stamp for d in others])
            yield Transaction(db, snapshot, device, stamp)
            storage: _BufferStorage = db.storage  # type: ignore[assignment]
            if storage.changed:
                ensure_private_dir(self.path.parent)
                remove_stale_temp_files(self.path)
                atomic_write(self.path, encode(storage.data))

    def _own_data(self) -> dict:
        raw = read_bytes(self.path)
        if raw is None:
            device = self.layout.device or new_device_id()
            return {META: {"1": {"schema": SCHEMA_VERSION, "device": device, "person": self.layout.me}}}
        return upgrade(self.path, decode(self.path, raw), self.layout)

    def _merge(self, own: dict, device: DeviceData, with_others: bool = False):
        others, warnings = read_other_devices(self.layout)
        try:
            # Shared, the partners are the devices' people, so every device agrees on who has a row.
            partners = self.layout.partners if self.layout.folder is None else ()
            snapshot = merge([device, *others], device.device, partners, strict=self.layout.folder is None)
        except RecordError as error:
            raise DataFileError(f"The data file {self.path} is damaged: a record does not parse ({error}).") from None
        snapshot.warnings = warnings
        if self.layout.folder is None:
            _check_orphans(self.path, device, snapshot)
        return (snapshot, others) if with_others else snapshot


def read_other_devices(layout: Layout) -> tuple[list[DeviceData], list[str]]:
    """The other devices' data; a file that cannot be read is skipped with a warning, and read again next time."""
    devices, warnings = [], []
    for path in layout.other_files():
        try:
            raw = read_bytes(path)
            data = upgrade(path, decode(path, raw or b""), layout, own=False)
            devices.append(parse_device(path, data, layout, expected=DEVICE_FILE.fullmatch(path.name)[1]))
        except DataFileError as error:
            warnings.append(f"skipped {path.name}: {error.message} It will be read again next time.")
    return devices, warnings


def _check_orphans(path: Path, device: DeviceData, snapshot: Snapshot) -> None:
    # Alone, a device's history for a habit it never created can only be damage.
    known = {c["habit"] for c in device.changes}
    if any(r.habit_id not in known for r in [*device.checkins, *device.skips, *device.sessions]):
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
        changes = [_change(c) for c in data.get(CHANGES, {}).values()]
        removals = [_removal(r) for r in data.get(REMOVALS, {}).values()]
        return DeviceData(
            path=path, device=device, person=person, changes=changes,
            checkins=[checkin_from(r) for r in data.get(CHECKINS, {}).values()],
            skips=[skip_from(r) for r in data.get(SKIPS, {}).values()],
            removals=removals,
            sessions=[session_from(r) for r in data.get(SESSIONS, {}).values()],
        )
    except RecordError as error:
        raise DataFileError(f"The data file {path} is damaged: a record does not parse ({error}).") from None


def _change(record: dict) -> dict:
    if not (isinstance(record.get("id"), str) and isinstance(record.get("habit"), str)
            and isinstance(record.get("stamp"), int) and isinstance(record.get("fields"), dict)):
        raise RecordError("a habit change without id, habit, stamp or fields")
    return record


def _removal(record: dict) -> dict:
    if not (isinstance(record.get("target"), str) and isinstance(record.get("stamp"), int)):
        raise RecordError("a removal without target or stamp")
    return record
