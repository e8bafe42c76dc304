"""The plain `connect log`'s lines, kept per month (`log-lines.json`): ten years are not read again for it.

For each month, the text the log shows for that month's check-ins and skips (newest first), with the
fingerprints (inode, size, time; a file too new for its time to tell: its digest, fingerprints.py) of
every device's file of that month. A month whose files changed is read again (the store reads a range
of months) and its lines are made again by the CLI's `render`. What every month's lines depend on
besides its files (the habits' names and units, the partners' names, this machine's private notes,
the main files' status, this format's version) is one key: when it changes, every month
is read again. A month showing one of this machine's private words is made each time, not kept: the
words stay in their own file (private.py). A shared folder holding a conflict copy, a file that cannot be read, a commit left
half done, history in a main file or a session whose time is up: no cache, the whole read (it says or settles what is wrong).
Derived data, private to this machine: deleting it is always safe.
"""

from __future__ import annotations

import hashlib
import json
import os

from ..errors import DataFileError
from .fileio import read_bytes
from .files import HISTORY_TABLES
from .fingerprints import fingerprints, matches, month_in
from .layout import LOG_LINES_FILE, conflict_copies

LOG_FILE = LOG_LINES_FILE
LOG_VERSION = 1
_END = "9999-12"  # after every month: a read of the main files alone


def month_texts(store, render, now) -> list[str] | None:
    """Each month's log text, the newest month first (an empty month left out); None: read the whole history.

    `render(checkins, skips, habits, couple)`: the lines of those records, newest first. `now()`: the
    time it is (aware), asked only when a tech-free session runs.
    """
    from .store import _WentBack

    try:
        return _texts(store, render, now)
    except (_WentBack, DataFileError):
        return None  # the whole read puts back, or says what is wrong


def _texts(store, render, now) -> list[str] | None:
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
    from .private import PrivateNotes

    notes = PrivateNotes.read(store.paths.data_dir).notes
    current = fingerprints(files, _END, racy=True)
    by_month: dict[str, dict] = {month: {} for f in files for month in f.months}
    mains: dict[str, object] = {}
    for path, print_ in current.items():
        month = month_in(os.path.basename(path))
        (by_month[month] if month is not None else mains)[path] = print_
    key = _key(base.snapshot, mains, notes)
    path = store.paths.data_dir / LOG_FILE
    kept = _read(path, key)
    texts: dict[str, str] = {}
    settled_any = False
    for month, prints in by_month.items():
        entry = kept.get(month)
        if isinstance(entry, dict) and isinstance(entry.get("files"), dict) and isinstance(entry.get("text"), str):
            same, settled = matches(entry["files"], prints)
            if same:
                texts[month] = entry["text"]
                settled_any = settled_any or settled
    stale = sorted(m for m in by_month if m not in texts)
    private: set[str] = set()  # months showing a private word: made each time, the words stay in their file
    for first, last in _runs(stale, sorted(by_month)):
        reading = store.read_months(own_files, others, first, [], last_month=last)
        snapshot = reading.snapshot
        if snapshot.warnings:
            return None
        if notes:
            from .private import overlay

            private.update(c.day.isoformat()[:7] for c in snapshot.checkins if notes.get(c.id, {}).get("note"))
            overlay(snapshot, notes)
        habits = {h.id: h for h in snapshot.habits}
        checkins: dict[str, list] = {}
        skips: dict[str, list] = {}
        for c in snapshot.checkins:
            checkins.setdefault(c.day.isoformat()[:7], []).append(c)
        for s in snapshot.skips:
            skips.setdefault(s.day.isoformat()[:7], []).append(s)
        for month in stale:
            if first <= month <= last:
                got_c, got_s = checkins.get(month, []), skips.get(month, [])
                texts[month] = "\n".join(render(got_c, got_s, habits, snapshot.couple)) if got_c or got_s else ""
    keep = {m: {"files": by_month[m], "text": texts[m]} for m in sorted(by_month) if m not in private}
    if settled_any or keep.keys() != kept.keys() or any(m in keep for m in stale):
        _write(path, key, keep)
    return [texts[m] for m in sorted(texts, reverse=True) if texts[m]]


def _ended(snapshot, now) -> bool:
    """Whether a tech-free session's time is up: the whole read logs its minutes first."""
    if not snapshot.sessions:
        return False
    moment = now()
    return any(session.ends <= moment for session in snapshot.sessions)


def _keys_waiting(folder, listing: list[str]) -> bool:
    from .sealing import secret_of

    return secret_of(folder) is None and any(n.endswith(".key") for n in listing)


def _key(snapshot, mains: dict, notes: dict) -> str:
    """What every month's lines depend on besides the month's own files, as one digest."""
    couple = snapshot.couple
    parts = [
        LOG_VERSION,
        [repr(habit) for habit in snapshot.habits],
        None if couple is None else [sorted(couple.names.items()), sorted(couple.aliases.items())],
        mains,
        notes,
    ]
    text = json.dumps(parts, sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _runs(stale: list[str], months: list[str]) -> list[tuple[str, str]]:
    """The stale months as (first, last) runs of months next to each other in `months`."""
    runs: list[list[str]] = []
    place = {month: n for n, month in enumerate(months)}
    for month in stale:
        if runs and place[month] == place[runs[-1][1]] + 1:
            runs[-1][1] = month
        else:
            runs.append([month, month])
    return [(first, last) for first, last in runs]


def _read(path, key: str) -> dict:
    try:
        data = json.loads(read_bytes(path) or b"{}")
    except (ValueError, RecursionError, DataFileError):
        return {}
    if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("months"), dict):
        return {}
    return data["months"]


def _write(path, key: str, months: dict) -> None:
    from .fileio import atomic_write

    try:
        atomic_write(path, json.dumps({"key": key, "months": months}, ensure_ascii=False).encode())
    except DataFileError:
        pass  # only derived data: the next log reads again
