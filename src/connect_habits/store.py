"""The TinyDB store: one JSON file, an inter-process lock, atomic writes, a schema version.

The rest of connect sees habits, check-ins and skips, never TinyDB. Every transaction
takes the lock, re-reads the file inside it (a long-lived TinyDB handle would keep stale
ids), and writes the whole result once, atomically, at the end.
"""

from __future__ import annotations

import contextlib
import json
from datetime import date, datetime
from pathlib import Path
from typing import Iterable, Iterator

from tinydb import Query, TinyDB
from tinydb.storages import Storage

from .errors import DataFileError, InvalidInput
from .fileio import atomic_write, locked, read_bytes, remove_stale_temp_files
from .model import CheckIn, Goal, Habit, Session, Skip, Snapshot, parse_cadence
from .paths import Paths, ensure_private_dir

SCHEMA_VERSION = 1
META, HABITS, CHECKINS, SKIPS, SESSIONS = "_meta", "habits", "checkins", "skips", "sessions"
_record = Query()


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


# ---------------------------------------------------------------- records <-> domain


def habit_record(habit: Habit) -> dict:
    """The stored form of a habit."""
    return habit.as_dict()


def _habit(record: dict) -> Habit:
    goal = record.get("goal")
    return Habit(
        id=_text(record["id"]),
        name=_text(record["name"]),
        slug=_text(record["slug"]),
        cadence=parse_cadence(_text(record["cadence"])),
        created=date.fromisoformat(record["created"]),
        goal=Goal(minutes=int(goal["minutes"]), per=_choice(goal["per"], ("day", "week"))) if goal else None,
        at=tuple(_text(t) for t in record.get("at", [])),
        template=record.get("template"),
        prompts=tuple(_text(p) for p in record.get("prompts", [])),
        note=_text(record.get("note", "")),
        archived=bool(record.get("archived", False)),
    )


def checkin_record(checkin: CheckIn) -> dict:
    """The stored form of a check-in."""
    return {
        "id": checkin.id,
        "habit": checkin.habit_id,
        "date": checkin.day.isoformat(),
        "minutes": checkin.minutes,
        "note": checkin.note,
        "logged_at": checkin.logged_at,
        "source": checkin.source,
        "by": checkin.by,
    }


def _checkin(record: dict) -> CheckIn:
    minutes = record.get("minutes")
    return CheckIn(
        id=_text(record["id"]),
        habit_id=_text(record["habit"]),
        day=date.fromisoformat(record["date"]),
        logged_at=_text(record.get("logged_at", "")),
        minutes=None if minutes is None else int(minutes),
        note=_text(record.get("note", "")),
        source=_text(record.get("source", "cli")),
        by=record.get("by"),
    )


def skip_record(skip: Skip) -> dict:
    """The stored form of a skip."""
    return {"id": skip.id, "habit": skip.habit_id, "date": skip.day.isoformat(), "reason": skip.reason}


def _skip(record: dict) -> Skip:
    return Skip(
        id=_text(record["id"]),
        habit_id=_text(record["habit"]),
        day=date.fromisoformat(record["date"]),
        reason=_text(record.get("reason", "")),
    )


def session_record(session: Session) -> dict:
    """The stored form of a running session."""
    return {
        "id": session.id,
        "habit": session.habit_id,
        "started": session.started.isoformat(timespec="seconds"),
        "minutes": session.minutes,
    }


def _session(record: dict) -> Session:
    started = datetime.fromisoformat(_text(record["started"]))
    if started.tzinfo is None:
        raise ValueError("a session start without a time zone")
    return Session(id=_text(record["id"]), habit_id=_text(record["habit"]), started=started,
                   minutes=int(record["minutes"]))


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return value


def _choice(value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"expected one of {allowed}")
    return value  # type: ignore[return-value]


# ---------------------------------------------------------------- the store


class Transaction:
    """A locked read-modify-write of the data file; changes are saved when the block ends cleanly."""

    def __init__(self, db: TinyDB, snapshot: Snapshot):
        self._db = db
        self.snapshot = snapshot

    def add_habit(self, habit: Habit) -> None:
        self._db.table(HABITS).insert(habit_record(habit))

    def replace_habit(self, habit: Habit) -> None:
        self._db.table(HABITS).update(habit_record(habit), _record.id == habit.id)

    def purge_habit(self, habit_id: str) -> None:
        """Delete a habit and all of its history."""
        self._db.table(HABITS).remove(_record.id == habit_id)
        self._db.table(CHECKINS).remove(_record.habit == habit_id)
        self._db.table(SKIPS).remove(_record.habit == habit_id)
        self._db.table(SESSIONS).remove(_record.habit == habit_id)

    def add_checkin(self, checkin: CheckIn) -> None:
        self._db.table(CHECKINS).insert(checkin_record(checkin))

    def remove_checkin(self, checkin_id: str) -> None:
        self._db.table(CHECKINS).remove(_record.id == checkin_id)

    def add_skips(self, skips: Iterable[Skip]) -> None:
        records = [skip_record(s) for s in skips]
        if records:  # an empty insert would still mark the file as changed
            self._db.table(SKIPS).insert_multiple(records)

    def remove_skip(self, skip_id: str) -> None:
        self._db.table(SKIPS).remove(_record.id == skip_id)

    def add_session(self, session: Session) -> None:
        self._db.table(SESSIONS).insert(session_record(session))

    def remove_session(self, session_id: str) -> None:
        self._db.table(SESSIONS).remove(_record.id == session_id)


class Store:
    """The data file of one connect home."""

    def __init__(self, paths: Paths):
        self.path: Path = paths.data_file
        self.lock_path: Path = paths.lock_file

    def load(self) -> Snapshot:
        """Read everything, without the lock: writers replace the file atomically, so a read is consistent."""
        return _snapshot(self.path, TinyDB(self._read_data(), storage=_BufferStorage))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Lock, re-read, let the block change things, then write the file once, atomically."""
        ensure_private_dir(self.path.parent)
        with locked(self.lock_path):
            storage_data = self._read_data()
            db = TinyDB(storage_data, storage=_BufferStorage)
            transaction = Transaction(db, _snapshot(self.path, db))
            yield transaction
            storage: _BufferStorage = db.storage  # type: ignore[assignment]
            if storage.changed:
                remove_stale_temp_files(self.path)
                atomic_write(self.path, _encode(storage.data))

    def _read_data(self) -> dict:
        raw = read_bytes(self.path)
        if raw is None:
            return {META: {"1": {"schema": SCHEMA_VERSION}}}
        return _decode(self.path, raw)


def _encode(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _decode(path: Path, raw: bytes) -> dict:
    """Parse and check the shape of the file; anything unexpected is refused, never repaired."""
    if not raw.strip():
        raise DataFileError(f"The data file {path} is empty; it was left untouched (restore it from a backup or move it away).")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        where = f" (line {error.lineno}, column {error.colno})" if isinstance(error, json.JSONDecodeError) else ""
        raise DataFileError(f"The data file {path} is not valid JSON{where}; it was left untouched.") from None
    damaged = f"The data file {path} is damaged"
    if not isinstance(data, dict) or not all(
        isinstance(table, dict) and all(isinstance(doc, dict) for doc in table.values())
        for table in data.values()
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
    data.setdefault(META, {"1": {"schema": SCHEMA_VERSION}})
    return data


def _snapshot(path: Path, db: TinyDB) -> Snapshot:
    try:
        habits = [_habit(r) for r in db.table(HABITS).all()]
        checkins = [_checkin(r) for r in db.table(CHECKINS).all()]
        skips = [_skip(r) for r in db.table(SKIPS).all()]
        sessions = [_session(r) for r in db.table(SESSIONS).all()]
    except (KeyError, TypeError, ValueError, AttributeError, InvalidInput) as error:
        reason = error.message if isinstance(error, InvalidInput) else error
        raise DataFileError(f"The data file {path} is damaged: a record does not parse ({reason}).") from None
    known = {h.id for h in habits}
    if any(r.habit_id not in known for r in [*checkins, *skips, *sessions]):
        raise DataFileError(f"The data file {path} is damaged: it holds history for a habit that does not exist.")
    return Snapshot(habits, checkins, skips, sessions)
