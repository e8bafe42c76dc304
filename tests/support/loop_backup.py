"""Loop Habit Tracker's files as its app writes them, for import tests: the full backup (an SQLite file) of any
schema from 8 to 25, and the CSV export (a zip) of the same habits.

Facts from /work/shared/formats/loop-habit-tracker.md; the SQL is ours. Three families of schema:
OLD (8..15): the key column is spelled `Id`, Repetitions has no value (every row is a done check), and the
cached Checkmarks, Score and Streak tables are there. MIDDLE (16..22): Repetitions.value; Habits.type,
target_type, target_value and unit from 18; one row per habit and day (a unique index) from 22.
CURRENT (23..25): Habits.question (the description moved there), uuid (24), Repetitions.notes (25).
"""

from __future__ import annotations

import csv
import io
import sqlite3
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

OLD, MIDDLE, CURRENT = range(8, 16), range(16, 23), range(23, 26)
FAMILIES = {"old": OLD, "middle": MIDDLE, "current": CURRENT}
DONE, AUTO, NO, SKIP, UNKNOWN = 2, 1, 0, 3, -1
EVERY_DAY = 127
# Loop's reminder mask: bit 0 Saturday, bit 1 Sunday, bit 2 Monday … bit 6 Friday.
MASK_BITS = {"sat": 0, "sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6}
_EPOCH = date(1970, 1, 1)
_TYPED = 18  # the first schema here with a habit's type, target and unit


def day_ms(day: date | str) -> int:
    """Loop's timestamp of a day: milliseconds at 00:00 UTC of the date."""
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return (day - _EPOCH).days * 86_400_000


def mask(*days: str) -> int:
    """Loop's reminder mask of weekdays named as connect names them (mon … sun)."""
    return sum(1 << MASK_BITS[d] for d in days)


@dataclass
class LoopRow:
    """A habit as Loop stores it, with its rows: (day, stored value, note), amounts in thousandths."""

    name: str
    num: int = 1
    den: int = 1
    question: str = ""
    description: str = ""  # its own field only from 23 on (before, the question is in `description`)
    archived: bool = False
    numerical: bool = False
    at_most: bool = False
    target: float = 0.0
    unit: str = ""
    reminder: tuple[int, int] | None = None  # (hour, minute)
    days: int = EVERY_DAY
    position: int | None = None  # default: its place in the list
    entries: list[tuple[date | str, int, str]] = field(default_factory=list)


def _schema(version: int) -> list[str]:
    """The tables of a Loop database of `version`, created in the order Loop's migrations add columns."""
    key = "Id" if version in OLD else "id"
    habit_columns = [
        f"{key} INTEGER PRIMARY KEY AUTOINCREMENT",
        "archived INTEGER",
        "color INTEGER",
        "description TEXT",
        "freq_den INTEGER",
        "freq_num INTEGER",
        "highlight INTEGER",
        "name TEXT",
        "position INTEGER",
        "reminder_hour INTEGER",
        "reminder_min INTEGER",
        "reminder_days INTEGER NOT NULL DEFAULT 127",
    ]
    if version >= _TYPED:
        habit_columns += [
            "type INTEGER NOT NULL DEFAULT 0",
            "target_type INTEGER NOT NULL DEFAULT 0",
            "target_value REAL NOT NULL DEFAULT 0",
            "unit TEXT NOT NULL DEFAULT ''",
        ]
    if version >= 23:
        habit_columns.append("question TEXT")
    if version >= 24:
        habit_columns.append("uuid TEXT")
    rep_columns = [f"{key} INTEGER PRIMARY KEY AUTOINCREMENT", f"habit INTEGER REFERENCES Habits({key})"]
    rep_columns.append("timestamp INTEGER")
    if version >= 16:
        rep_columns.append("value INTEGER NOT NULL DEFAULT 2")
    if version >= 25:
        rep_columns.append("notes TEXT")
    tables = [
        "CREATE TABLE android_metadata (locale TEXT)",
        f"CREATE TABLE Habits ({', '.join(habit_columns)})",
        f"CREATE TABLE Repetitions ({', '.join(rep_columns)})",
        f"CREATE TABLE Events ({key} INTEGER PRIMARY KEY AUTOINCREMENT, timestamp INTEGER, message TEXT, "
        "server_id INTEGER)",
    ]
    if version in OLD:
        tables += [
            f"CREATE TABLE Checkmarks ({key} INTEGER PRIMARY KEY AUTOINCREMENT, habit INTEGER, "
            "timestamp INTEGER, value INTEGER)",
            f"CREATE TABLE Score ({key} INTEGER PRIMARY KEY AUTOINCREMENT, habit INTEGER, timestamp INTEGER, "
            "score INTEGER)",
            f"CREATE TABLE Streak ({key} INTEGER PRIMARY KEY AUTOINCREMENT, habit INTEGER, start INTEGER, "
            '"end" INTEGER, length INTEGER)',
        ]
    if version >= 22:
        tables.append("CREATE UNIQUE INDEX idx_repetitions_habit_timestamp ON Repetitions (habit, timestamp)")
    return tables


def _habit_values(row: LoopRow, place: int, version: int) -> dict:
    """The Habits columns of `row` in a database of `version` (what that version cannot hold is refused)."""
    if version < _TYPED and (row.numerical or row.at_most or row.unit or row.target):
        raise ValueError(f"schema {version} has no numerical habits ({row.name})")
    if version < 23 and row.description:
        raise ValueError(f"schema {version} keeps only the question, in `description` ({row.name})")
    hour, minute = row.reminder if row.reminder else (None, None)
    values = {
        "archived": int(row.archived),
        "color": place % 20,
        "description": row.description if version >= 23 else row.question,
        "freq_den": row.den,
        "freq_num": row.num,
        "highlight": 0,
        "name": row.name,
        "position": place if row.position is None else row.position,
        "reminder_hour": hour,
        "reminder_min": minute,
        "reminder_days": row.days,
    }
    if version >= _TYPED:
        values |= {"type": int(row.numerical), "target_type": int(row.at_most), "target_value": row.target}
        values["unit"] = row.unit
    if version >= 23:
        values["question"] = row.question
    if version >= 24:
        values["uuid"] = uuid.uuid5(uuid.NAMESPACE_URL, f"loop/{row.name}/{place}").hex
    return values


def _insert(db: sqlite3.Connection, table: str, values: dict) -> int:
    names = ", ".join(f'"{name}"' for name in values)
    marks = ", ".join("?" for _ in values)
    cursor = db.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", tuple(values.values()))
    return int(cursor.lastrowid or 0)


def write_backup(path: Path, habits: list[LoopRow], version: int = 25, wal: bool = False) -> Path:
    """Loop's "Export full backup" of `habits` at `path` in schema `version`; `wal`: a write-ahead-log database."""
    if not 8 <= version <= 25:
        raise ValueError(f"Loop's schemas are 8 to 25, not {version}")
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        if wal:
            db.execute("PRAGMA journal_mode=WAL")
        for statement in _schema(version):
            db.execute(statement)
        db.execute("INSERT INTO android_metadata VALUES ('en_US')")
        for place, row in enumerate(habits):
            habit_id = _insert(db, "Habits", _habit_values(row, place, version))
            for day, value, note in row.entries:
                rep = {"habit": habit_id, "timestamp": day_ms(day)}
                if version in OLD:
                    if value != DONE or note:
                        raise ValueError(f"schema {version} holds only done checks ({row.name}, {day})")
                else:
                    rep["value"] = value
                if version >= 25:
                    rep["notes"] = note
                elif note:
                    raise ValueError(f"schema {version} has no notes ({row.name}, {day})")
                _insert(db, "Repetitions", rep)
            if version in OLD and row.entries:  # the caches old versions kept beside
                stamp = day_ms(max(d for d, _, _ in row.entries))
                _insert(db, "Checkmarks", {"habit": habit_id, "timestamp": stamp, "value": 2})
                _insert(db, "Score", {"habit": habit_id, "timestamp": stamp, "score": 12_345_678})
                _insert(db, "Streak", {"habit": habit_id, "start": stamp, "end": stamp, "length": 1})
        _insert(db, "Events", {"timestamp": day_ms("2026-01-01"), "message": "ReminderFired", "server_id": None})
        db.execute(f"PRAGMA user_version = {version}")
        db.commit()
        if wal:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)  # Loop copies the database file alone
    return path


def another_apps_db(path: Path) -> Path:
    """A tidy SQLite file of some other app: no Habits table."""
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT, body TEXT)")
    db.execute("INSERT INTO notes (title, body) VALUES ('groceries', 'milk, bread')")
    db.commit()
    db.close()
    return path


_CSV_HEADER = (
    "Position,Name,Type,Question,Description,FrequencyNumerator,FrequencyDenominator,Color,Unit,"
    "Target Type,Target Value,Archived?"
)
_CSV_WORDS = {DONE: "YES_MANUAL", AUTO: "YES_AUTO", NO: "NO", SKIP: "SKIP", UNKNOWN: "UNKNOWN"}


def csv_export(habits: list[LoopRow]) -> bytes:
    """Loop's "Export as CSV" (2.3.1) of the same `habits`: Habits.csv and a folder per habit, newest rows first."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        listed = io.StringIO()
        writer = csv.writer(listed, quoting=csv.QUOTE_ALL, lineterminator="\n")
        ordered = sorted(enumerate(habits), key=lambda pair: pair[0] if pair[1].position is None else pair[1].position)
        for place, (_, row) in enumerate(ordered, start=1):
            writer.writerow(
                [
                    f"{place:03d}",
                    row.name,
                    "NUMERICAL" if row.numerical else "YES_NO",
                    row.question,
                    row.description,
                    row.num,
                    row.den,
                    "#FF8F00",
                    row.unit,
                    "AT_MOST" if row.at_most else "AT_LEAST",
                    row.target,
                    "true" if row.archived else "false",
                ]
            )
            marks = io.StringIO()
            rows = csv.writer(marks, lineterminator="\n")
            rows.writerow(["Date", "Value", "Notes"])
            for day, value, note in sorted(row.entries, key=lambda e: str(e[0]), reverse=True):
                word = _CSV_WORDS.get(value, str(value)) if not row.numerical or value in (SKIP, UNKNOWN) else None
                rows.writerow([str(day), word or str(value), note])
            folder = "".join(ch for ch in row.name if ch.isascii() and (ch.isalnum() or ch in " ._-"))
            archive.writestr(f"{place:03d} {folder}".strip() + "/Checkmarks.csv", marks.getvalue())
        archive.writestr("Habits.csv", _CSV_HEADER + "\n" + listed.getvalue())
    return out.getvalue()
