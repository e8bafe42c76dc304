"""Reading Loop Habit Tracker's CSV export (a zip of Habits.csv and one Checkmarks.csv per habit) into LoopHabit records.

Everything is read and checked before anything is imported; a file that is not such an export is
refused with one sentence. What the records become in connect is interop/loop.py's job.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date

from ..errors import ConnectError
from .importing import Report, counting

LOOP_COLUMNS = ("Position", "Name", "FrequencyNumerator", "FrequencyDenominator")


# Older Loop versions (1.x) named the frequency columns differently.
_LOOP_ALIASES = {"NumRepetitions": "FrequencyNumerator", "Interval": "FrequencyDenominator"}


_LOOP_WORDS = {"YES_MANUAL": "yes", "YES_AUTO": "auto", "NO": "no", "SKIP": "skip", "UNKNOWN": "unknown"}


# Loop's own numbers for a yes/no habit (older exports wrote them): 2 checked, 1 checked automatically,
# 0 not, -1 unknown, -3 skipped (3 in some versions).
_LOOP_NUMBERS = {2: "yes", 1: "auto", 0: "no", -1: "unknown", -3: "skip", 3: "skip"}


_MAX_MEMBER = 32 * 1024 * 1024


@dataclass
class LoopHabit:
    position: int
    name: str
    numerical: bool
    numerator: int
    denominator: int
    unit: str
    at_most: bool
    target: float
    archived: bool
    question: str
    description: str
    entries: list[tuple[date, str, float, str]] = field(default_factory=list)  # (day, kind, amount, note)
    reminder: tuple[int, int, int] | None = None  # (hour, minute, Loop's weekday mask): a full backup has them


def _decode_member(source: str, archive, info) -> str:
    if info.file_size > _MAX_MEMBER:
        raise ConnectError(f"{source}: {info.filename} is too large to be a Loop export; nothing was imported.")
    with archive.open(info) as handle:
        raw = handle.read(_MAX_MEMBER + 1)
    if len(raw) > _MAX_MEMBER:
        raise ConnectError(f"{source}: {info.filename} is too large to be a Loop export; nothing was imported.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConnectError(f"{source}: {info.filename} is not UTF-8 text; nothing was imported.") from None


def _rows(text: str) -> list[list[str]]:
    import csv
    import io

    return [row for row in csv.reader(io.StringIO(text, newline="")) if any(cell.strip() for cell in row)]


def _whole(source: str, where: str, column: str, text: str, minimum: int) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise ConnectError(
            f"{source}: in {where}, {column} '{text}' is not a whole number of at least {minimum}; "
            "nothing was imported."
        )
    return value


def _parse_loop_habits(source: str, text: str) -> list[LoopHabit]:
    rows = _rows(text)
    if not rows:
        raise ConnectError(f"{source}: Habits.csv is empty; nothing was imported.")
    header = [_LOOP_ALIASES.get(cell.strip(), cell.strip()) for cell in rows[0]]
    column = {name.casefold(): i for i, name in reversed(list(enumerate(header)))}
    missing = [name for name in LOOP_COLUMNS if name.casefold() not in column]
    if missing:
        raise ConnectError(
            f"{source}: Habits.csv lacks the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}, so it is not a Loop Habit Tracker export; nothing was imported."
        )

    habits = []
    for line, row in enumerate(rows[1:], start=2):

        def cell(name: str, default: str = "", row: list[str] = row) -> str:
            i = column.get(name.casefold())
            return row[i] if i is not None and i < len(row) else default

        where = f"Habits.csv line {line}"
        kind = cell("Type", "0").strip().upper()
        target_text = cell("Target Value", "0").strip() or "0"
        try:
            target = float(target_text)
        except ValueError:
            target = -1.0
        if not (math.isfinite(target) and target >= 0):
            raise ConnectError(
                f"{source}: in {where}, Target Value '{target_text}' is not a number; nothing was imported."
            )
        habits.append(
            LoopHabit(
                position=_whole(source, where, "Position", cell("Position"), 0),
                name=cell("Name"),
                numerical=kind in ("1", "NUMERICAL"),
                numerator=_whole(source, where, "FrequencyNumerator", cell("FrequencyNumerator"), 1),
                denominator=_whole(source, where, "FrequencyDenominator", cell("FrequencyDenominator"), 1),
                unit=cell("Unit"),
                at_most=cell("Target Type", "0").strip().upper() in ("1", "AT_MOST"),
                target=target,
                archived=cell("Archived?", "false").strip().casefold() in ("true", "1", "yes"),
                question=cell("Question"),
                description=cell("Description"),
            )
        )
    return habits


def _parse_checkmarks(
    source: str, where: str, text: str, numerical: bool, progress: Report | None = None, before: int = 0
) -> list[tuple[date, str, float, str]]:
    entries = []
    for line, row in enumerate(counting(_rows(text), progress, "rows read", None, before), start=1):
        first = row[0].strip()
        if line == 1 and first.casefold() == "date":
            continue  # a header row
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", first):
            raise ConnectError(
                f"{source}: in {where} line {line}, '{first}' is not a date (YYYY-MM-DD); nothing was imported."
            )
        try:
            day = date.fromisoformat(first)
        except ValueError:
            raise ConnectError(
                f"{source}: in {where} line {line}, '{first}' is not a real date; nothing was imported."
            ) from None
        value = row[1].strip() if len(row) > 1 else ""
        # Notes with commas that Loop did not quote come as more cells: they belong together.
        note = ",".join(row[2:]).strip()
        kind, amount = _LOOP_WORDS.get(value.upper()), 0.0
        if kind is None:
            try:
                number = float(value)
                if not math.isfinite(number):
                    raise ValueError(value)
            except ValueError:
                raise ConnectError(
                    f"{source}: in {where} line {line}, '{value}' is not a Loop value (YES_MANUAL, "
                    "YES_AUTO, NO, SKIP, UNKNOWN or a number); nothing was imported."
                ) from None
            if numerical:
                kind, amount = ("amount", number / 1000) if number > 0 else ("no", 0.0)
            else:
                kind = _LOOP_NUMBERS.get(int(number), "unknown") if number == int(number) else "unknown"
        entries.append((day, kind, amount, note))
    return entries


def parse_loop(zip_bytes: bytes, source: str = "The file", progress: Report | None = None) -> list[LoopHabit]:
    """Read and check a Loop Habit Tracker CSV export (a zip) without changing anything; `progress` hears of the rows."""
    import io
    import zipfile
    import zlib

    try:
        archive = zipfile.ZipFile(io.BytesIO(zip_bytes))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise ConnectError(
            f"{source} is neither a zip file nor an SQLite file, so it is not one of Loop Habit Tracker's exports "
            "(Settings, Export as CSV or Export full backup); nothing was imported."
        ) from None
    with archive:
        listed = sorted(
            (i for i in infos if i.filename.rsplit("/", 1)[-1] == "Habits.csv"),
            key=lambda i: (i.filename.count("/"), i.filename),
        )
        if not listed:
            raise ConnectError(
                f"{source} holds no Habits.csv, so it is not a Loop Habit Tracker CSV export; nothing was imported."
            )
        base = listed[0].filename[: -len("Habits.csv")]
        try:
            habits = _parse_loop_habits(source, _decode_member(source, archive, listed[0]))
            folders: dict[int, zipfile.ZipInfo] = {}
            for info in sorted(infos, key=lambda i: i.filename):
                parts = info.filename[len(base) :].split("/") if info.filename.startswith(base) else []
                if len(parts) != 2 or parts[1] != "Checkmarks.csv":
                    continue
                # Loop names the folder "%03d <name with only [ a-zA-Z0-9._-]>", trimmed: "001 Meditate", or "007".
                match = re.match(r"(\d+)(?: |$)", parts[0])
                if match:
                    folders.setdefault(int(match[1]), info)
            read = 0  # rows, for `progress`
            for habit in habits:
                folder = folders.get(habit.position)
                if folder is not None:
                    where = folder.filename[len(base) :]
                    text = _decode_member(source, archive, folder)
                    habit.entries = _parse_checkmarks(source, where, text, habit.numerical, progress, read)
                    read += text.count("\n")
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            zlib.error,
            OSError,
            EOFError,
            NotImplementedError,
            RuntimeError,
        ):  # RuntimeError: an encrypted member
            raise ConnectError(f"{source} is a damaged zip file; nothing was imported.") from None
    return habits
