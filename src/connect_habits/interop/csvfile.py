"""CSV for spreadsheets: one row per check-in (`connect export --format csv`)."""

from __future__ import annotations

from ..core.model import Snapshot
from .importing import sorted_checkins

CSV_HEADER = ("date", "habit", "minutes", "note", "by", "source")


def export_csv(snapshot: Snapshot) -> str:
    """One row per check-in (`date,habit,minutes,note,by,source`), oldest first, quoted as RFC 4180 says.

    Notes are written as they are (commas, quotes and newlines quoted, nothing escaped away),
    so the file reads back exactly with any CSV reader.
    """
    import csv
    import io

    names = {h.id: h.name for h in snapshot.habits}
    couple = snapshot.couple
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for c in sorted_checkins(snapshot.checkins):
        minutes = "" if c.minutes is None else str(c.minutes)
        by = (couple.name(c.by) if couple is not None else c.by) if c.by else ""
        writer.writerow((c.day.isoformat(), names.get(c.habit_id, c.habit_id), minutes, c.note, by, c.source))
    return out.getvalue()
