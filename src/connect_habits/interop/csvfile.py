"""CSV for spreadsheets: one row per check-in (`connect export --format csv`)."""

from __future__ import annotations

from datetime import date

from ..core.model import Snapshot
from .checkinrows import Cells, column
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

    # The csv module writes each distinct text once (its quoting, as RFC 4180 wants); the rows are laid out
    # column by column in C (`column`): a row at a time through csv.writer took most of the export.
    line = io.StringIO()
    writer = csv.writer(line, lineterminator="\r\n")  # (which characters are quoted depends on it)

    def cell(text: str) -> str:
        if not text:
            return ""  # (a row of one empty field alone is written "")
        line.seek(0)
        line.truncate()
        writer.writerow((text,))
        return line.getvalue()[:-2]

    couple = snapshot.couple
    checkins = list(counting(sorted_checkins(snapshot.checkins), progress, "check-ins", len(snapshot.checkins)))
    names = Cells(lambda habit: cell(inert(habit)), {h.id: cell(inert(h.name)) for h in snapshot.habits})
    partners = Cells(lambda by: cell(inert(couple.name(by) if couple is not None else by)), {None: "", "": ""})
    rows = zip(
        column(checkins, "day", Cells(date.isoformat).__getitem__),
        column(checkins, "habit_id", names.__getitem__),
        column(checkins, "minutes", _amount),
        column(checkins, "note", Cells(lambda note: cell(inert(note))).__getitem__),
        column(checkins, "by", partners.__getitem__),
        column(checkins, "source", Cells(cell).__getitem__),
    )
    header = ",".join(map(cell, CSV_HEADER)) + "\r\n"
    return header + "".join(map("%s,%s,%s,%s,%s,%s\r\n".__mod__, rows))


def inert(cell: str) -> str:
    """A text cell a spreadsheet shows rather than runs: one that starts like a formula gets a leading '.

    The usual defence against CSV injection (OWASP): `=`, `+`, `-`, `@`, a tab or a carriage return first.
    """
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _amount(minutes: float | None) -> str:
    return "" if minutes is None else str(minutes)
