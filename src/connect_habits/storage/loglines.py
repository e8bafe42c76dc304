"""Texts made from each month's records, kept per month: ten years are not read again for the plain `connect log`
(`log-lines.json`) nor for an export (`export-json.kept`, `export-csv.kept`).

For each month, what a `render` made of that month's check-ins, skips and rituals (the log's lines, newest
first; an export's rows), with the fingerprints (inode, size, time; a file too new for its time to tell: its
digest, fingerprints.py) of every device's file of that month. A month whose files changed is read again
(the store reads that month alone) and made again. What every month's text depends on besides its files
(the habits' names and units, the partners' names, this machine's private notes where it shows them, the
main files' status, the format's version) is one key: when it changes, every month is read again. A month
showing one of this machine's private words is made each time, not kept: the words stay in their own file
(private.py). A shared folder holding a conflict copy, a file that cannot be read, a commit left half done,
history in a main file, a record in a month file not its day's, or a session whose time is up: no cache, the
whole read (it says or settles what is wrong). Like every read of recent months, it trusts that an undo sits in
the month of what it undoes and that a record's id is in one month only, as connect writes them.
Derived data, private to this machine: deleting it is always safe.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import zlib
from collections.abc import Callable
from typing import Any, NamedTuple

from ..errors import DataFileError
from .fileio import read_bytes, replace_quietly
from .files import HISTORY_TABLES
from .fingerprints import fingerprints, matches, month_in
from .layout import EXPORT_CSV_FILE, EXPORT_JSON_FILE, LOG_LINES_FILE, conflict_copies

LOG_FILE = LOG_LINES_FILE
_END = "9999-12"  # after every month: a read of the main files alone
_MAGIC = b"connect-kept-1 "


class Kept(NamedTuple):
    """One kind of text kept per month: its file in this machine's data folder, the version of what it
    holds, and whether it shows this machine's private words (False: the records as stored)."""

    file: str
    version: int
    private: bool = True


LOG = Kept(LOG_LINES_FILE, 1)
EXPORT_JSON = Kept(EXPORT_JSON_FILE, 1, private=False)
EXPORT_CSV = Kept(EXPORT_CSV_FILE, 1)


class MonthRecords(NamedTuple):
    """One month's records as a render gets them (each list in the order the store read them)."""

    month: str
    checkins: list
    skips: list
    rituals: list
    habits: dict  # habit id -> Habit
    couple: Any


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def month_texts(store, render, now) -> list[str] | None:
    """Each month's log text, the newest month first (an empty month left out); None: read the whole history.

    `render(checkins, skips, habits, couple)`: the lines of those records, newest first. `now()`: the
    time it is (aware), asked only when a tech-free session runs.
    """

    def text(records: MonthRecords) -> str:
        if not (records.checkins or records.skips):
            return ""
        return "\n".join(render(records.checkins, records.skips, records.habits, records.couple))

    made = kept_months(store, LOG, text, now)
    if made is None:
        return None
    texts = made[1]
    return [texts[m] for m in sorted(texts, reverse=True) if texts[m]]


def kept_months(
    store,
    kept: Kept,
    render: Callable[[MonthRecords], Any],
    now,
    valid: Callable[[Any], bool] = _is_text,
    progress: Callable[[int, int, str], None] | None = None,
) -> tuple[Any, dict] | None:
    """The main files' snapshot (habits, couple; no history) and `render` of each month's records, by month,
    as kept or made again; None: read the whole history. `render`'s value must marshal (text, numbers,
    tuples, lists, dicts); `valid` tells a kept one of that shape (anything else is made again).
    `progress(done, total, "check-ins")` hears of the months made again, one by one."""
    from .store import _WentBack

    try:
        return _kept(store, kept, render, now, valid, progress)
    except (_WentBack, DataFileError):
        return None  # the whole read puts back, or says what is wrong


def _kept(store, kept: Kept, render, now, valid, progress) -> tuple[Any, dict] | None:
    if not store.summaries or store.journal.exists():
        return None
    own_files, others, warnings, listing = store.device_files()
    folder = store.layout.folder
    if (
        warnings
        or store.restored
        or (folder is not None and (conflict_copies(listing) or _keys_waiting(folder, listing)))
    ):
        return None
    files = [own_files, *others]
    if any(f.data is not None and f.data.get(table) for f in files for table in HISTORY_TABLES):
        return None  # history in a main file (written before months had files, an undo of a record not seen)
    base = store.read_months(own_files, others, _END, [])
    if base.snapshot.warnings or _ended(base.snapshot, now):
        return None
    notes: dict = {}
    if kept.private:
        from .private import PrivateNotes

        notes = PrivateNotes.read(store.paths.data_dir).notes
    current = fingerprints(files, _END, racy=True)
    by_month: dict[str, dict] = {month: {} for f in files for month in f.months}
    mains: dict[str, object] = {}
    for path, print_ in current.items():
        month = month_in(os.path.basename(path))
        (by_month[month] if month is not None else mains)[path] = print_
    key = _key(kept, base.snapshot, mains, notes)
    path = store.paths.data_dir / kept.file
    stored = _read(path, key)
    made: dict[str, Any] = {}
    settled_any = False
    for month, prints in by_month.items():
        entry = stored.get(month)
        if isinstance(entry, dict) and isinstance(entry.get("files"), dict) and valid(entry.get("text")):
            same, settled = matches(entry["files"], prints)
            if same:
                made[month] = entry["text"]
                settled_any = settled_any or settled
    stale = sorted(m for m in by_month if m not in made)
    private: set[str] = set()  # months showing a private word: made each time, the words stay in their file
    months: list[MonthRecords] = []
    for month in stale:  # each on its own: a record in a month file not its day's is seen in its file
        snapshot = store.read_months(own_files, others, month, [], last_month=month).snapshot
        if snapshot.warnings:
            return None
        if notes:
            from .private import overlay

            if any(notes.get(c.id, {}).get("note") for c in snapshot.checkins):
                private.add(month)
            overlay(snapshot, notes)
        held = (snapshot.checkins, snapshot.skips, snapshot.rituals)
        if any(record.day.isoformat()[:7] != month for kind in held for record in kind):
            return None  # only the whole read places it (and a part kept under this month's files would lose it)
        months.append(MonthRecords(month, *held, {h.id: h for h in snapshot.habits}, snapshot.couple))
    total, done = sum(len(part.checkins) for part in months), 0
    for part in months:
        made[part.month] = render(part)
        done += len(part.checkins)
        if progress is not None and part.checkins:
            progress(done, total, "check-ins")
    keep = {m: {"files": by_month[m], "text": made[m]} for m in sorted(by_month) if m not in private}
    if settled_any or keep.keys() != stored.keys() or any(m in keep for m in stale):
        _write(path, key, keep)
    return base.snapshot, made


def _ended(snapshot, now) -> bool:
    """Whether a tech-free session's time is up: the whole read logs its minutes first."""
    if not snapshot.sessions:
        return False
    moment = now()
    return any(session.ends <= moment for session in snapshot.sessions)


def _keys_waiting(folder, listing: list[str]) -> bool:
    from .sealing import secret_of

    return secret_of(folder) is None and any(n.endswith(".key") for n in listing)


def _key(kept: Kept, snapshot, mains: dict, notes: dict) -> str:
    """What every month's text depends on besides the month's own files, as one digest."""
    couple = snapshot.couple
    parts = [
        kept.version,
        [repr(habit) for habit in snapshot.habits],
        None if couple is None else [sorted(couple.names.items()), sorted(couple.aliases.items())],
        mains,
        notes,
    ]
    text = json.dumps(parts, sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _read(path, key: str) -> dict:
    try:
        raw = read_bytes(path) or b""
        if path.name.endswith(".json"):
            data = json.loads(raw or b"{}")
        else:
            line = raw.find(b"\n", 0, 40)  # (the body as a view: ten years are not copied to be checked)
            checksum, body = raw[len(_MAGIC) : line], memoryview(raw)[line + 1 :]
            whole = raw.startswith(_MAGIC) and line > 0 and checksum.isdigit() and zlib.crc32(body) == int(checksum)
            data = marshal.loads(body) if whole else {}
    except (ValueError, EOFError, TypeError, RecursionError, DataFileError):
        return {}
    if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("months"), dict):
        return {}
    return data["months"]


def _write(path, key: str, months: dict) -> None:
    kept = {"key": key, "months": months}
    if path.name.endswith(".json"):
        data = json.dumps(kept, ensure_ascii=False).encode()
    else:  # marshal reads ten years of an export's rows in a few milliseconds, JSON in tens
        body = marshal.dumps(kept)
        data = _MAGIC + b"%d\n" % zlib.crc32(body) + body
    replace_quietly(path, data)  # derived data, made again when lost: no fsync (the checksum tells a torn one)
