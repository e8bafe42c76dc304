"""Which reader reads which tracker's file (`connect import --from KIND`): each gives a ForeignFile."""

from __future__ import annotations

from pathlib import Path

from .foreign import ForeignFile, refuse
from .importing import Report

# kind → what the help and the refusals call it
TRACKERS = {"loop": "Loop Habit Tracker", "habitbull": "HabitBull", "harsh": "harsh", "csv": "a CSV file"}


def read_foreign(
    kind: str, path: Path | None, raw: bytes, source: str, snapshot, create: bool = True, progress: Report | None = None
) -> ForeignFile:
    """Read `raw` (the file at `path`; None for stdin) as `kind` says, checked whole before anything is imported."""
    if kind == "loop":
        from .loop import loop_file
        from .loop_db import is_sqlite, parse_loop_backup

        if is_sqlite(raw):
            return loop_file(parse_loop_backup(raw, source, progress))
        from .loop_csv import parse_loop

        return loop_file(parse_loop(raw, source, progress))
    if kind == "habitbull":
        from .habitbull import read_habitbull

        return read_habitbull(raw, source, progress)
    if kind == "harsh":
        from .harsh import read_harsh

        if path is None:
            raise refuse(source, "cannot be read from the input: give harsh's folder (or its log file)")
        return read_harsh(path, source, progress)
    from .csvimport import read_csv

    return read_csv(raw, source, snapshot, create, progress)
