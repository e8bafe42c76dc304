"""CSV for spreadsheets: one row per check-in (`connect export --format csv`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ..core.model import Snapshot
from .checkinrows import in_backup_order
from .importing import Report, counting

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
    checkins = in_backup_order(snapshot.checkins)
    # A habit's name, a partner's and a day's text, each made once rather than once a row.
    names = _Cells(inert, {h.id: inert(h.name) for h in snapshot.habits})
    partners = _Cells(lambda by: inert(couple.name(by) if couple is not None else by), {None: "", "": ""})
    days = _Cells(date.isoformat)
    writer.writerows(
        (
            days[c.day],
            names[c.habit_id],
            "" if c.minutes is None else str(c.minutes),
            inert(c.note) if c.note else "",
            partners[c.by],
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


class _Cells(dict):
    """Cells made once each: `make(key)` the first time a key is asked for."""

    def __init__(self, make: Callable, known: dict | None = None):
        super().__init__(known or {})
        self.make = make

    def __missing__(self, key) -> str:
        cell = self[key] = self.make(key)
        return cell
