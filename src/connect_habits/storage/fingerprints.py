"""Whether the files a cached fold sums up are unchanged: their inode, size and time, or for a file too new
for its time to tell, the digest of what it holds.

The summary caches (cache.py) and the index of months holding rituals (ritualindex.py) recognise an
unchanged file the way git's index does. A file changed in the last two seconds may change again unseen
within its timestamp's tick: it is trusted only by its content's digest, and by its status again once it
is older.
"""

from __future__ import annotations

import os
import time

from .files import CHECKINS, SKIPS, DeviceFiles

RACY_NS = 2_000_000_000  # a file changed this recently may change again unseen within its timestamp's tick


def month_in(name: str) -> str | None:
    """The month a month file's name holds (`connect.2026-11.json`: "2026-11"); None for a main file."""
    parts = name.rsplit(".", 2)
    return parts[1] if len(parts) == 3 and len(parts[1]) == 7 and parts[1][4:5] == "-" else None


def fingerprints(
    files: list[DeviceFiles], before_month: str, racy: bool = False, since_month: str | None = None
) -> dict:
    """Inode, size and modification time of every month file before `before_month` (and of schema 2 mains).

    `since_month`: only the month files from that month on.

    `racy`: a file changed in the last moments also gets the digest of its content (taken after its
    status, before the folds read it): a change within the same timestamp tick could otherwise go
    unseen, so the cache trusts such a file only while it holds the same bytes (matches). Right after
    an import or a restore every file is that new: without the digests, the commands of the next
    seconds would each read ten years again.
    """
    now = time.time_ns()
    found: dict[str, list[int | str] | None] = {}
    # Strings, as month_file would spell them: building ten years of Path objects costs more than the stats.
    paths = [
        f"{prefix}.{month}.json"
        for f in files
        for prefix in [os.path.join(str(f.main.parent), f.main.stem)]
        for month in f.months
        if month < before_month and (since_month is None or month >= since_month)
    ]
    paths += [str(f.main) for f in files if f.data is not None and any(f.data.get(t) for t in (CHECKINS, SKIPS))]
    for path in paths:
        try:
            status = os.stat(path)
        except OSError:
            found[path] = None
            continue
        print_: list[int | str] = [status.st_ino, status.st_size, status.st_mtime_ns]
        found[path] = print_
        if racy and status.st_mtime_ns > now - RACY_NS:
            # Too new for its time to tell a change within the same tick: the digest of what it holds tells it.
            held = digest(path)
            found[path] = None if held is None else [*print_, held]
    for files_ in files:
        if files_.expected is not None and files_.data is None:
            found[str(files_.main) + "#unreadable"] = None
    return found


def digest(path: str) -> str | None:
    import hashlib  # here: OpenSSL's loading costs every command about 3 ms, and only a file seconds old needs it

    try:
        with open(path, "rb") as file:
            return hashlib.sha256(file.read()).hexdigest()[:32]
    except OSError:
        return None


def matches(cached: dict, current: dict) -> tuple[bool, bool]:
    """Whether the files are as `cached` fingerprinted them (`current`: their status now), and whether a
    file trusted by its digest is old enough now for its status alone to be trusted from here on."""
    if cached == current:
        return True, False
    if cached.keys() != current.keys():
        return False, False
    settled = time.time_ns() - RACY_NS
    for path, now in current.items():
        then = cached[path]
        if then == now:
            continue
        if not isinstance(then, list) or now is None or len(then) != 4 or then[:3] != now or digest(path) != then[3]:
            return False, False
        settled = settled if now[2] <= settled else 0
    return True, settled != 0
