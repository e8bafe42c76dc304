"""Reading Loop Habit Tracker's full backup (an SQLite file, every schema from 8 to 25) into LoopHabit records.

The file is opened in memory and only read. Columns Loop added over the years (value, type, targets, unit,
question, notes) are used when present; a very old file spells the key `Id` and has no values (every row is a
done check). A file that is not such a backup, or is damaged, is refused with one sentence.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

from .foreign import refuse
from .importing import Report, counting, is_sqlite
from .loop_csv import LoopHabit

_WAL, _PLAIN = b"\x02\x02", b"\x01\x01"  # the header's file format write and read versions (offset 18)
_NEEDED = ("name", "freq_num", "freq_den", "position")
_DONE, _AUTO, _NO, _SKIP, _UNKNOWN = 2, 1, 0, 3, -1


def parse_loop_backup(raw: bytes, source: str = "The file", progress: Report | None = None) -> list[LoopHabit]:
    """Read and check a Loop full backup without changing anything; `progress` hears of the rows read."""
    import sqlite3

    if not is_sqlite(raw):
        raise refuse(source, "is not an SQLite file, so it is not a Loop Habit Tracker backup")
    if raw[18:20] == _WAL:  # Android keeps it in WAL mode and Loop copies the file: read it as a plain one
        raw = raw[:18] + _PLAIN + raw[20:]
    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(raw)
        # integrity_check, not quick_check: it also holds the rows against their index (a changed day shows).
        if db.execute("PRAGMA integrity_check(1)").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("damaged")
        return _read(db, source, progress)
    except (sqlite3.DatabaseError, OverflowError, MemoryError):
        raise refuse(source, "is a damaged SQLite file") from None
    finally:
        db.close()


def _columns(db, table: str) -> dict[str, str]:
    """The table's columns, folded to lower case → as spelled in the file."""
    return {row[1].casefold(): row[1] for row in db.execute(f'PRAGMA table_info("{table}")')}


def _read(db, source: str, progress: Report | None) -> list[LoopHabit]:
    tables = {row[0].casefold(): row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "habits" not in tables or "repetitions" not in tables:
        raise refuse(source, "has no Habits and Repetitions tables, so it is not a Loop Habit Tracker backup")
    habit_columns, rep_columns = _columns(db, tables["habits"]), _columns(db, tables["repetitions"])
    missing = [c for c in (*_NEEDED, "id") if c not in habit_columns] + [
        f"Repetitions.{c}" for c in ("habit", "timestamp") if c not in rep_columns
    ]
    if missing:
        raise refuse(source, f"lacks {', '.join(missing)}, so it is not a Loop Habit Tracker backup")

    def pick(columns: dict[str, str], name: str, default: str = "NULL") -> str:
        return f'"{columns[name]}"' if name in columns else default

    wanted: tuple[str, ...] = ("id", "name", "position", "freq_num", "freq_den", "archived", "type")
    wanted += ("target_type", "target_value")
    wanted += ("unit", "question", "description", "reminder_hour", "reminder_min", "reminder_days")
    habits_sql = ", ".join(pick(habit_columns, c) for c in wanted)
    rows = db.execute(f'SELECT {habits_sql} FROM "{tables["habits"]}" ORDER BY {pick(habit_columns, "position")}')
    habits: dict[object, LoopHabit] = {}
    for row in rows:
        habit_id, values = row[0], dict(zip(wanted[1:], row[1:], strict=True))
        if "question" not in habit_columns:  # before 23, the question was kept in `description`
            values["question"], values["description"] = values["description"], ""
        habits[habit_id] = _habit(values, source)
    value, notes = pick(rep_columns, "value", str(_DONE)), pick(rep_columns, "notes", "''")
    reps = db.execute(
        f"SELECT {pick(rep_columns, 'habit')}, {pick(rep_columns, 'timestamp')}, {value}, {notes} "
        f'FROM "{tables["repetitions"]}" ORDER BY 2 DESC'
    )
    for habit_id, stamp, number, note in counting(reps, progress, "rows read"):
        habit = habits.get(habit_id)
        if habit is None:
            continue  # a row of a habit Loop deleted (old versions left them behind)
        habit.entries.append((_day(stamp, source), *_kind(number, habit.numerical, source), _text(note)))
    return list(habits.values())


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _whole(value: object, what: str, source: str, minimum: int = 0) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise refuse(source, f"has a habit whose {what} is '{value}', not a whole number of at least {minimum}")
    return value


def _habit(values: dict, source: str) -> LoopHabit:
    target = values["target_value"] if values["target_value"] is not None else 0.0
    if not isinstance(target, int | float) or not math.isfinite(target) or target < 0:
        raise refuse(source, f"has a habit whose target is '{target}', not a number")
    hour, minute, mask = values["reminder_hour"], values["reminder_min"], values["reminder_days"]
    reminder = None
    if isinstance(hour, int) and isinstance(minute, int):
        reminder = (hour, minute, mask if isinstance(mask, int) else 127)
    return LoopHabit(
        position=_whole(values["position"] if values["position"] is not None else 0, "position", source),
        name=_text(values["name"]),
        numerical=values["type"] == 1,
        numerator=_whole(values["freq_num"], "frequency", source, 1),
        denominator=_whole(values["freq_den"], "frequency", source, 1),
        unit=_text(values["unit"]),
        at_most=values["target_type"] == 1,
        target=float(target),
        archived=bool(values["archived"]),
        question=_text(values["question"]),
        description=_text(values["description"]),
        reminder=reminder,
    )


def _day(stamp: object, source: str) -> date:
    """Loop's day: milliseconds at 00:00 UTC of the local calendar date."""
    try:
        if not isinstance(stamp, int) or isinstance(stamp, bool):
            raise ValueError(stamp)
        return datetime.fromtimestamp(stamp / 1000, UTC).date()
    except (ValueError, OverflowError, OSError):
        raise refuse(source, f"has a check-mark at '{stamp}', which is not a Loop timestamp") from None


def _kind(number: object, numerical: bool, source: str) -> tuple[str, float]:
    """(kind, amount) of a stored value: done, automatic, no, skip, unknown; a numerical habit's amount."""
    if not isinstance(number, int) or isinstance(number, bool):
        raise refuse(source, f"has a check-mark value '{number}', which is not a Loop value")
    if number == _SKIP:
        return "skip", 0.0
    if number == _UNKNOWN:
        return "unknown", 0.0
    if numerical:
        return ("amount", number / 1000) if number > 0 else ("no", 0.0)
    return {_DONE: "yes", _AUTO: "auto", _NO: "no"}.get(number, "unknown"), 0.0
