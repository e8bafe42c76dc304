"""CSV for spreadsheets: one row per check-in (`connect export --format csv`)."""

from __future__ import annotations

from ..core.model import Snapshot
from .importing import Report, counting, sorted_checkins

CSV_HEADER = ("date", "habit", "minutes", "note", "by", "source")


def export_csv(snapshot: Snapshot, progress: Report | None = None) -> str:
    """One row per check-in (`date,habit,minutes,note,by,source`), oldest first, quoted as RFC 4180 says.

    Notes are written as they are (commas, quotes and newlines quoted), so the file reads back with any
    CSV reader, except that a text starting like a formula gets a leading ' (`inert`). `progress` is told
    every so many rows (see importing.Report).
    """
    import csv
    import io

    names = {h.id: h.name for h in snapshot.habits}
    couple = snapshot.couple
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    checkins = sorted_checkins(snapshot.checkins)
    for c in counting(checkins, progress, "check-ins", len(checkins)):
        minutes = "" if c.minutes is None else str(c.minutes)
        by = (couple.name(c.by) if couple is not None else c.by) if c.by else ""
        cells = (names.get(c.habit_id, c.habit_id), c.note, by)
        writer.writerow((c.day.isoformat(), *map(inert, cells[:1]), minutes, *map(inert, cells[1:]), c.source))
    return out.getvalue()


def inert(cell: str) -> str:
    """A text cell a spreadsheet shows rather than runs: one that starts like a formula gets a leading '.

    The usual defence against CSV injection (OWASP): `=`, `+`, `-`, `@`, a tab or a carriage return first.
    """
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
