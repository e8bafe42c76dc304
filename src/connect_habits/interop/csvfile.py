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

    couple = snapshot.couple
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    checkins = sorted_checkins(snapshot.checkins)
    # A habit's name and a partner's, made inert once each rather than once a row.
    names = {h.id: inert(h.name) for h in snapshot.habits}
    partners: dict[str, str] = {}

    def partner(by: str | None) -> str:
        if not by:
            return ""
        if by not in partners:
            partners[by] = inert(couple.name(by) if couple is not None else by)
        return partners[by]

    writer.writerows(
        (
            c.day.isoformat(),
            names[c.habit_id] if c.habit_id in names else inert(c.habit_id),
            "" if c.minutes is None else str(c.minutes),
            inert(c.note),
            partner(c.by),
            c.source,
        )
        for c in counting(checkins, progress, "check-ins", len(checkins))
    )
    return out.getvalue()


def inert(cell: str) -> str:
    """A text cell a spreadsheet shows rather than runs: one that starts like a formula gets a leading '.

    The usual defence against CSV injection (OWASP): `=`, `+`, `-`, `@`, a tab or a carriage return first.
    """
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
