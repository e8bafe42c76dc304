"""Which months hold rituals (messages, thanks, what was seen): `connect inbox` reads from the first of them.

The rituals live in the month files with the check-ins, and the inbox lists every message ever
sent; but most months of a long history hold none. This device keeps, in its private data folder
(`ritual-months.json`), whether each month file holds any, by the file's inode, size and modification
time (as the summary cache does: a file changed in the last two seconds is not noted). Derived data:
deleting it is always safe. An undo of a ritual lives in the month of the ritual it undoes, so every
record the inbox needs is in the months from the first one holding a ritual on.
"""

from __future__ import annotations

import json
import os
import time
from datetime import date

from ..errors import DataFileError
from .fileio import read_bytes
from .files import RITUALS, decode, records_of
from .fingerprints import RACY_NS
from .layout import folder_listing, month_file, months_of

INDEX_FILE = "ritual-months.json"
EVERYTHING = "everything"


def first_ritual_day(store) -> date | str | None:
    """The first day of the first month any device's files hold a ritual in; None: no month holds one.

    EVERYTHING when a main file still holds rituals (written before months had files of their own)
    or a file cannot be read: the whole history is read then (and says what is wrong).
    """
    path = store.paths.data_dir / INDEX_FILE
    try:  # derived data: a damaged index (or a folder in its place) is as good as none
        known = json.loads(read_bytes(path) or b"{}")
        if not isinstance(known, dict):
            known = {}
    except (ValueError, RecursionError, DataFileError):
        known = {}
    mains = [store.path, *store.layout.other_files()]
    listing = folder_listing(store.path.parent)
    now, noted, first = time.time_ns(), {}, None
    for main in mains:
        try:
            if records_of(decode(main, read_bytes(main) or b"{}"), RITUALS):
                return EVERYTHING
        except DataFileError:
            return EVERYTHING
        for month in months_of(main, listing):
            file = month_file(main, month)
            try:
                status = os.stat(file)
                print_ = [status.st_ino, status.st_size, status.st_mtime_ns]
                entry = known.get(str(file))
                if isinstance(entry, list) and len(entry) == 4 and entry[:3] == print_:
                    holds = bool(entry[3])
                else:
                    holds = bool(records_of(decode(file, read_bytes(file) or b""), RITUALS))
                if status.st_mtime_ns <= now - RACY_NS:
                    noted[str(file)] = [*print_, holds]
            except (OSError, DataFileError):
                return EVERYTHING
            if holds and (first is None or month < first):
                first = month
    if noted != known:
        from .fileio import atomic_write

        try:
            atomic_write(path, json.dumps(noted, separators=(",", ":")).encode())
        except DataFileError:
            pass  # only derived data: the next command looks again
    return date.fromisoformat(first + "-01") if first is not None else None
