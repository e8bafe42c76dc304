"""The file format: how a device's records are encoded, checked when read, upgraded from older schemas, split into months."""

from __future__ import annotations

import contextlib
import json
from collections import namedtuple
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from ..core.couple import partner_id
from ..errors import DataFileError
from .encoding import encode
from .fileio import commit, read_bytes
from .layout import Layout, month_file, month_files, month_of, new_device_id
from .merge import DeviceData
from .ownrecord import OwnRecord
from .paths import ensure_private_dir
from .records import (
    RecordError,
    check_fields,
    checked_checkin,
    checked_ritual,
    checked_skip,
    checkin_from,
    ritual_from,
    session_from,
    skip_from,
)
from .sealing import opened, sealed_for

META, CHANGES, CHECKINS, SKIPS, REMOVALS, SESSIONS = (
    "_meta",
    "habit_changes",
    "checkins",
    "skips",
    "removals",
    "sessions",
)
RITUALS = "rituals"  # check-ins for two, answers, messages (core/rituals.py): dated, split into months too
HISTORY_TABLES = (CHECKINS, SKIPS, REMOVALS, RITUALS)
COUPLE = "couple_changes"  # who the partners are, which devices are gone: key, value, stamp (core/couple.py)

SCHEMA_VERSION = 4  # 4: partners have ids (check-ins, habits and devices hold them), the couple is shared data


class DeviceFiles(namedtuple("DeviceFiles", "main data months expected", defaults=(None,))):
    """One device's main file, its data, the months it has files for, and (another's) the device id its name promises."""

    __slots__ = ()


class ParsedCheckins(list):
    """A month's check-ins parsed already (from its slice, slices.py), in the file's order.

    Each record passed checked_checkin when the slice was kept, so the check-ins stand for what either kind
    of read (this device's file or another's) makes of the records. `others`: the habits whose check-ins
    and skips a read of some habits left out, so a check of which habits a month names still sees them.
    """

    others: frozenset[str] = frozenset()


class Reading(namedtuple("Reading", "snapshot own others own_months own_files copies", defaults=((),))):
    """What one read of the store found: each device's data and files, merged into a snapshot.

    `own_months` are the own month files read (month -> data), `own_files` the own DeviceFiles,
    `copies` the sync tool's conflict copies read (path, DeviceData).
    """

    __slots__ = ()


def split_device(main: dict, days: dict[str, date] | None = None) -> tuple[dict, dict[str, dict]]:
    """A device's data in the current form: the main file's data, and one file's data per month.

    A record goes to the month of its day, an undo to the month of what it undoes; an undo of
    a record not known here (another device's, not seen yet) stays in the main file.
    """
    days = dict(days or {})
    for table in (CHECKINS, SKIPS, RITUALS):
        for record in records_of(main, table):
            with contextlib.suppress(TypeError, ValueError):
                days.setdefault(record["id"], date.fromisoformat(record["date"]))
    device = device_of(main)
    months: dict[str, dict] = {}
    unplaced = {}
    for table in HISTORY_TABLES:
        for n, record in enumerate(records_of(main, table), start=1):
            key = record.get("target") if table == REMOVALS else record.get("id")
            day = days.get(key) if isinstance(key, str) else None
            if day is None:
                if table != REMOVALS:
                    raise DataFileError(f"A {table[:-1]} record has no valid date; nothing was changed.")
                unplaced[str(n)] = record
                continue
            month = month_of(day)
            tables = months.setdefault(
                month, {META: {"1": {"schema": SCHEMA_VERSION, "device": device, "month": month}}}
            )
            target = tables.setdefault(table, {})
            target[str(len(target) + 1)] = record
    data = {k: v for k, v in main.items() if k not in HISTORY_TABLES}
    data[META] = {"1": {**meta_of(main), "schema": SCHEMA_VERSION}}
    if unplaced:
        data[REMOVALS] = unplaced
    return data, dict(sorted(months.items()))


def write_device(
    main_path: Path,
    data: dict,
    journal: Path,
    record: OwnRecord | None = None,
    also: Iterable = (),
    months: Iterable[str] = (),
) -> None:
    """Write a whole device (a new one, or the same months again) in one commit: all its files, or none.

    With `record` (a shared folder), the files carry a sequence number and this machine keeps a copy;
    `also` are (path, bytes) written in the same commit (the config that holds the key they are sealed with),
    `months` the months whose files are written again even when they hold nothing now.
    """
    main, split = split_device(data)
    device = device_of(main)
    for month in months:
        split.setdefault(month, {META: {"1": {"schema": SCHEMA_VERSION, "device": device, "month": month}}})
    parts = [(month_file(main_path, month), tables) for month, tables in sorted(split.items())] + [(main_path, main)]
    seq = record.next_seq() if record is not None else None
    if seq is not None:
        for _, part in parts:
            part[META]["1"]["seq"] = seq
    files = [(path, sealed_for(path, encode(part))) for path, part in parts]
    copies = []
    if record is not None and seq is not None:
        ensure_private_dir(record.folder)
        copies = record.copies(files, seq)
    commit(files + list(also), journal, copies)


def read_device(
    main_path: Path, layout: Layout, expected: str | None = None, own: bool = True, problems: list[str] | None = None
) -> dict:
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
            check_month(path, month_data, expected or device_of(data), month)
        except DataFileError as error:
            if problems is None:
                raise
            problems.append(f"{unreadable(path, error)}; it is skipped until it can")
            continue
        months.append(month_data)
    combined = with_history(data, months)
    for table in HISTORY_TABLES:
        combined[table] = {str(n): r for n, r in enumerate(combined[table], start=1)}
    return combined


def read_month(main: Path, month: str, device: str | None) -> dict:
    """One month of a device's history as TinyDB data (new and empty when it has no file)."""
    path = month_file(main, month)
    raw = read_bytes(path)
    if raw is None:
        return {META: {"1": {"schema": SCHEMA_VERSION, "device": device, "month": month}}}
    data = decode(path, raw)
    check_month(path, data, device, month)
    return data


def meta_of(data: dict) -> dict:
    """A file's metadata record (schema, device, person, month); empty when it has none."""
    meta = next(iter((data.get(META) or {}).values()), None)
    return meta if isinstance(meta, dict) else {}


def schema_of(data: dict) -> object:
    return meta_of(data).get("schema")


def device_of(data: dict) -> str | None:
    return meta_of(data).get("device")


def check_month(path: Path, data: dict, device: str | None, month: str) -> None:
    meta = meta_of(data)
    if meta.get("month") != month or (device is not None and meta.get("device") != device):
        raise DataFileError(f"The data file {path} is damaged: it does not say which device and month it holds.")


def with_history(main: dict, months: Iterable[dict], wanted=None, keep: set[str] | None = None) -> dict:
    """A device's main data with the check-ins, skips and undos of the months read added to it.

    A schema 2 main file holds history of every month: `wanted` (a month's "YYYY-MM") keeps the ones read.
    `keep`: only the check-ins and skips of these habits.
    """
    combined = {k: v for k, v in main.items() if k not in HISTORY_TABLES}
    months = list(months)
    habits = keep if keep is not None else set()
    for table in HISTORY_TABLES:
        records: list = list(records_of(main, table))
        if wanted is not None and table != REMOVALS:
            records = [r for r in records if not isinstance(r.get("date"), str) or wanted(r["date"][:7])]
        by_habit = keep is not None and table in (CHECKINS, SKIPS)
        if by_habit:
            records = [r for r in records if r.get("habit") in habits]
        for data in months:
            chunk = records_of(data, table)
            if isinstance(chunk, ParsedCheckins):  # taken whole by parse_device, in its place
                records.append(ParsedCheckins(c for c in chunk if c.habit_id in habits) if by_habit else chunk)
                combined[_PARSED] = True
            else:
                records += [r for r in chunk if r.get("habit") in habits] if by_habit else chunk
        combined[table] = records
    return combined


_PARSED = "\0parsed"  # with_history's mark: some months' check-ins are ParsedCheckins, each one item of the list


def habits_named(records: Iterable) -> set:
    """The habits a month's check-ins or skips name (a ParsedCheckins' left-out ones too)."""
    if isinstance(records, ParsedCheckins):
        return {c.habit_id for c in records} | records.others
    return {r.get("habit") for r in records}


def unreadable(path: Path, error: DataFileError) -> str:
    """`NAME is not valid JSON (line 1, column 9)`: what is wrong with a file, in a note's words."""
    text = error.message
    for prefix in (f"The data file {path} ", f"{path.name} "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return f"{path.name} {text.split('; it was left untouched')[0].rstrip('.')}"


def decode(path: Path, raw: bytes) -> dict:
    """Parse and check the shape of a file (opened first when sealed); anything unexpected is refused, never repaired."""
    raw = opened(path, raw)
    if not raw.strip():
        raise DataFileError(
            f"The data file {path} is empty; it was left untouched (restore it from a backup or move it away)."
        )
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
    schema = meta_of(data).get("schema") if data else SCHEMA_VERSION
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
    meta = meta_of(data)
    if meta.get("schema", SCHEMA_VERSION) >= 2 and meta.get("device"):
        return data
    # Schema 1: one private file with whole habit records. Each becomes the habit's first change.
    try:
        changes = {
            str(n): {
                "id": f"v1-{r['id']}",
                "habit": r["id"],
                "stamp": n,  # keeps their order
                "fields": {k: v for k, v in r.items() if k != "id"},
            }
            for n, r in enumerate(data.get("habits", {}).values(), start=1)
        }
    except (KeyError, TypeError):
        raise DataFileError(f"The data file {path} is damaged: a habit has no id; it was left untouched.") from None
    device = layout.device if own and layout.device else new_device_id()
    upgraded = {k: v for k, v in data.items() if k not in (META, "habits")}
    upgraded[META] = {"1": {"schema": SCHEMA_VERSION, "device": device, "partner": layout.me if own else None}}
    upgraded[CHANGES] = changes
    return upgraded


def parse_device(
    path: Path, data: dict, layout: Layout | None = None, expected: str | None = None, lenient: bool = False
) -> DeviceData:
    """A device's records, checked; a record that does not parse makes the whole file unreadable.

    `lenient` (another device's file): each value is checked as the command line checks what is typed,
    and a record that fails is left out and counted (`skipped`); the others are read, so one bad
    record never hides the rest. This device's own file is held to its shape only: what it wrote, it took.
    """
    meta = meta_of(data)
    device = meta.get("device")
    if not isinstance(device, str) or (expected is not None and device != expected):
        raise DataFileError(f"The data file {path} is damaged: it does not say which device wrote it.")
    person = meta.get("person") if isinstance(meta.get("person"), str) else None  # schema 3 and older: a name
    partner = meta.get("partner") if isinstance(meta.get("partner"), str) else None
    skipped = 0

    def parsed(table: str, parse) -> list:
        nonlocal skipped
        nested = table == CHECKINS and data.get(_PARSED)
        if not lenient and not nested:
            return [parse(r) for r in records_of(data, table)]
        records: list = []
        for record in records_of(data, table):
            if nested and isinstance(record, ParsedCheckins):
                records += record
                continue
            try:
                records.append(parse(record))
            except (RecordError, TypeError, AttributeError):
                if not lenient:
                    raise
                skipped += 1
        return records

    try:
        return DeviceData(
            path=path,
            device=device,
            person=person,
            partner=partner if partner is not None else (partner_id(person) if person else None),
            couple=parsed(COUPLE, _couple_change),
            changes=parsed(CHANGES, _checked_change if lenient else _change),
            checkins=parsed(CHECKINS, checked_checkin if lenient else checkin_from),
            skips=parsed(SKIPS, checked_skip if lenient else skip_from),
            removals=parsed(REMOVALS, _removal),
            sessions=parsed(SESSIONS, session_from),
            rituals=parsed(RITUALS, checked_ritual if lenient else ritual_from),
        )._replace(skipped=skipped)
    except RecordError as error:
        raise DataFileError(f"The data file {path} is damaged: a record does not parse ({error}).") from None


def records_of(data: dict, table: str) -> Iterable[dict]:
    records = data.get(table) or {}
    return records.values() if isinstance(records, dict) else records


MAX_STAMP = 32_503_680_000_000  # a change stamp (ms since 1970) later than the year 3000 is damage, not a time


def _stamp_ok(value: object) -> bool:
    return type(value) is int and 0 <= value <= MAX_STAMP


def _change(record: dict) -> dict:
    if not (
        isinstance(record.get("id"), str)
        and isinstance(record.get("habit"), str)
        and _stamp_ok(record.get("stamp"))
        and isinstance(record.get("fields"), dict)
    ):
        raise RecordError("a habit change without id, habit, a valid stamp or fields")
    return record


def _checked_change(record: dict) -> dict:
    check_fields(_change(record)["fields"])
    return record


def _couple_change(record: dict) -> dict:
    if not (
        isinstance(record.get("id"), str)
        and isinstance(record.get("key"), str)
        and _stamp_ok(record.get("stamp"))
        and "value" in record
    ):
        raise RecordError("a couple change without id, key, a valid stamp or value")
    return record


def _removal(record: dict) -> dict:
    if not (isinstance(record.get("target"), str) and _stamp_ok(record.get("stamp"))):
        raise RecordError("a removal without target or a valid stamp")
    return record
