"""Commands that look at part of a long history read only that part: what they show is, byte for byte,
what reading every month (CONNECT_NO_SUMMARY=1) shows.
"""

from __future__ import annotations

import os

from test_long_history import (  # noqa: F401  (fixtures)
    home,
    long_home,
    same_as_a_full_read,
)


def garble(path) -> None:
    """Garbage of the same length, written in place, with the old time: the cache cannot tell, a read refuses it."""
    info = path.stat()
    with open(path, "r+b") as handle:
        handle.write(b"\x00" * info.st_size)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


LOGS = [
    ("log", "--since", since, *name, *form)
    for since in ("2026-11-12", "2026-11-01", "2026-10-01", "2024-02-29", "2026-11-26", "2026-12-03", "3 days ago")
    for name in ((), ("walk",), ("thanks",))
    for form in ((), ("--json",))
]


def test_a_log_since_a_day_shows_what_a_full_read_shows(connect, home):
    same_as_a_full_read(connect, LOGS)


def test_a_log_since_a_day_reads_no_month_before_it(connect, home):
    assert connect("week").code == 0  # makes the cache
    garble(home / "connect.2024-05.json")
    assert connect("log", "--since", "2026-10-05").code == 0
    assert connect("log", "--since", "2026-10-05", "walk", "--json").code == 0
    assert connect("log").code == 1  # the whole history does read it
