"""A private cache of the month files as read, cut by habit: a read decodes a compact copy, and only what it uses.

Reading a month file means parsing JSON, and in a sealed folder first checking the file against its
opened copy; `stats NAME` parsed every habit's records of a year of months, from each device, to use
one habit's. Each entry here (`slices/NAME` in this device's private data folder, 0600) holds one
month file as read, marshalled, its check-ins and skips grouped by habit with their places in the
file: a read of every habit takes them all back in the file's order, and a read of one habit decodes
that habit's group alone. When every check-in of the month parses, they are kept parsed, column by
column (ParsedCheckins): a read of ten years then takes about a third of JSON's time.

An entry is used only by a read without the lock (never a transaction, which rewrites whole months)
and only while its file is as the entry saw it: the same inode, size and time, as git's index and the
summary caches trust (fingerprints.py), a file older than its timestamp's tick, the same keys opening
the folder, and a checksum of what the entry holds. Anything else reads the file itself, and keeps a
new entry. Derived data: deleting the folder is always safe.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import time
import zlib
from collections import deque
from datetime import date
from itertools import compress, repeat
from operator import is_not
from pathlib import Path

from ..core.model import CheckIn
from .fileio import read_bytes, replace_quietly
from .files import CHECKINS, SKIPS, ParsedCheckins, decode
from .fingerprints import RACY_NS
from .paths import ensure_private_dir
from .records import RecordError, checked_checkin
from .sealing import opening_terms

MAGIC = b"connect-slices-2 "  # 2: check-ins kept parsed, in columns
_ANY = ""  # records without a habit id that is a string: always read, so a filter sees them as before


def stamp_of(path: Path) -> str | None:
    """What identifies a file's state now, to note before reading it (None when it is too new for its time
    to tell a change)."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    if status.st_mtime_ns > time.time_ns() - RACY_NS:
        return None
    return f"{status.st_ino} {status.st_size} {status.st_mtime_ns} {opening_terms(path)}"


class MonthSlices:
    """Month files read for the habits in `keep` (None: every habit): from their slices in `folder` when
    they hold, else read and decoded, and kept as slices for next time. With `folder` None, plainly decoded."""

    def __init__(self, folder: Path | None, keep: set[str] | None):
        self.folder = folder
        self.keep = keep
        self._stamps: dict[Path, str | None] = {}

    def read(self, path: Path) -> dict | None:
        """The month file's slice (None: read and decode the file)."""
        if self.folder is None:
            return None
        stamp = self._stamps[path] = stamp_of(path)
        return read_slice(self.folder, path, self.keep, stamp) if stamp is not None else None

    def decode(self, path: Path, raw: bytes) -> dict:
        """The month file's bytes decoded, kept as a slice when it was stamped before it was read."""
        data = decode(path, raw)
        stamp = self._stamps.pop(path, None)
        if self.folder is not None and stamp is not None:
            keep_slice(self.folder, path, data, stamp)
        return data

    def month(self, path: Path) -> dict:
        """The month file's slice, or the file read and decoded."""
        data = self.read(path)
        return data if data is not None else self.decode(path, read_bytes(path) or b"")


def read_slice(folder: Path, path: Path, keep: set[str] | None, stamp: str) -> dict | None:
    """The month file at `path` as read with the check-ins and skips of the habits in `keep` only (and
    any without a habit id); None when there is no entry for the file as it is now (`stamp`).

    Every other habit the month names is still named, so a check of which habits a month names
    (store._check_orphans) sees them: by a stand-in record `{"habit": ID}` (with_history's filter drops
    them), or in the ParsedCheckins' `others` when the month's check-ins are kept parsed.
    """
    try:
        with open(folder / path.name, "rb") as handle:
            entry = handle.read()
    except OSError:
        return None
    head, _, body = entry.partition(b"\n")
    if not head.startswith(MAGIC):
        return None
    try:
        checksum, _, held = head[len(MAGIC) :].decode().partition(" ")
        if held != stamp or zlib.crc32(body) != int(checksum):
            return None
        rest, parsed, groups = marshal.loads(body)
        data = dict(rest)
        taken: tuple[list, list] = ([], [])  # (places in the file, records) of the check-ins, and of the skips
        others = []
        for habit, group in groups.items():
            if keep is None or habit == _ANY or habit in keep:
                checkins, skips = marshal.loads(group)
                taken[0].append((checkins[0], _checkins(habit, checkins[1]) if parsed else checkins[1]))
                taken[1].append(skips)
            else:
                others.append(habit)
        data[CHECKINS], data[SKIPS] = _in_place(taken[0]), _in_place(taken[1])
    except (ValueError, TypeError, EOFError, UnicodeDecodeError):
        return None
    if parsed:
        data[CHECKINS] = ParsedCheckins(data[CHECKINS])
        data[CHECKINS].others = frozenset(others)
    else:
        data[CHECKINS] += [{"habit": habit} for habit in others]
    return data


class _Days(dict):
    def __missing__(self, text: str) -> date:
        day = self[text] = date.fromisoformat(text)
        return day


_DAYS = _Days()  # a day's text read once: ten years hold some 3,650 days


def _checkins(habit: str, columns: tuple) -> list[CheckIn]:
    """One habit's check-ins from their columns (id, day, time logged, minutes, note, source, by), made in C."""
    ids, days, logged_at, minutes, notes, sources, by = columns
    rows = zip(ids, repeat(habit), map(_DAYS.__getitem__, days), logged_at, minutes, notes, sources, by)
    return list(map(tuple.__new__, repeat(CheckIn), rows))


def _in_place(groups: list[tuple[list[int], list]]) -> list:
    """The groups' items, each at its place in the file (some groups' places may be left out: no gaps)."""
    size = max((places[-1] for places, _ in groups if places), default=-1) + 1
    spots = [_HOLE] * size
    for places, items in groups:
        deque(map(spots.__setitem__, places, items), maxlen=0)  # (places rise within a group)
    return list(compress(spots, map(is_not, spots, repeat(_HOLE))))


_HOLE = object()


def keep_slice(folder: Path, path: Path, data: dict, stamp: str) -> None:
    """Remember the month file at `path` as read (`stamp`: its state before it was read); a cache that
    cannot be written is done without.

    When every check-in of the month passes checked_checkin (as connect writes them), they are kept as
    the check-ins they parse to, column by column: a read then makes no record of them to parse again.
    """
    grouped: dict[str, tuple] = {}  # habit: ((places, check-ins), (places, skips))
    for which, table in enumerate((CHECKINS, SKIPS)):
        records = data.get(table) or {}
        for place, record in enumerate(records.values() if isinstance(records, dict) else records):
            habit = record.get("habit") if isinstance(record, dict) else None
            places, kept = grouped.setdefault(
                habit if isinstance(habit, str) and habit else _ANY, (([], []), ([], []))
            )[which]
            places.append(place)
            kept.append(record)
    columns = _parsed_columns(grouped)
    parsed = columns is not None
    if columns is not None:
        grouped = {habit: ((group[0][0], columns[habit]), group[1]) for habit, group in grouped.items()}
    rest = {k: v for k, v in data.items() if k not in (CHECKINS, SKIPS)}
    try:
        body = marshal.dumps((rest, parsed, {habit: marshal.dumps(group) for habit, group in grouped.items()}))
    except ValueError:  # not data a JSON file could hold: read the file itself every time
        return
    entry = MAGIC + f"{zlib.crc32(body)} {stamp}\n".encode() + body
    with contextlib.suppress(OSError):
        ensure_private_dir(folder)
        replace_quietly(folder / path.name, entry)


def _parsed_columns(grouped: dict[str, tuple]) -> dict[str, tuple] | None:
    """Each habit's check-ins parsed (checked_checkin), as columns (id, day, time logged, minutes, note,
    source, by: the habit is the group's); None when one does not parse."""
    columns = {}
    for habit, ((_, records), _) in grouped.items():
        try:
            made = [checked_checkin(record) for record in records]
        except (RecordError, TypeError, AttributeError):
            return None
        ids, _, days, logged_at, minutes, notes, sources, by = list(zip(*made)) or [()] * len(CheckIn._fields)
        columns[habit] = (ids, tuple(day.isoformat() for day in days), logged_at, minutes, notes, sources, by)
    return columns
