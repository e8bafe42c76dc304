"""CSV for spreadsheets: one row per check-in (`connect export --format csv`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date

from ..core.model import CheckIn, Habit, Snapshot
from .checkinrows import Cells, column
from .importing import Report, counting, sorted_checkins

CSV_HEADER = ("date", "habit", "minutes", "note", "by", "source")
_LINE = io.StringIO()
_WRITER = csv.writer(_LINE, lineterminator="\r\n")  # (which characters are quoted depends on it)


def export_csv(snapshot: Snapshot, progress: Report | None = None) -> str:
    """One row per check-in (`date,habit,minutes,note,by,source`), oldest first, quoted as RFC 4180 says.

    Notes are written as they are (commas, quotes and newlines quoted), so the file reads back with any
    CSV reader, except that a text starting like a formula gets a leading ' (`inert`). `progress` is told
    every so many rows (see importing.Report).
    """
    checkins = counting(sorted_checkins(snapshot.checkins), progress, "check-ins", len(snapshot.checkins))
    return csv_text([_rows(checkins, snapshot.habits, snapshot.couple)])


def csv_month(records) -> tuple[int, str]:
    """One month's check-ins (storage/loglines.py's MonthRecords) as export_csv writes them, to keep: their
    count and rows. Months in order make the whole file's rows."""
    return len(records.checkins), _rows(sorted_checkins(records.checkins), records.habits.values(), records.couple)


def is_csv_month(value: object) -> bool:
    """Whether a kept value has csv_month's shape."""
    return isinstance(value, tuple) and len(value) == 2 and type(value[0]) is int and isinstance(value[1], str)


def csv_text(rows: Iterable[str]) -> str:
    """The file: its header, then the rows (csv_month's, in order)."""
    return ",".join(map(_cell, CSV_HEADER)) + "\r\n" + "".join(rows)


def _cell(text: str) -> str:
    """One text as the csv module writes it in a row of several fields (quoted where RFC 4180 wants)."""
    if not text:
        return ""  # (a row of one empty field alone is written "")
    _LINE.seek(0)
    _LINE.truncate()
    _WRITER.writerow((text,))
    return _LINE.getvalue()[:-2]


def _rows(checkins: Iterable[CheckIn], habits: Iterable[Habit], couple) -> str:
    # The csv module writes each distinct text once (its quoting, as RFC 4180 wants); the rows are laid out
    # column by column in C (`column`): a row at a time through csv.writer took most of the export.
    every = list(checkins)
    names = Cells(lambda habit: _cell(inert(habit)), {h.id: _cell(inert(h.name)) for h in habits})
    partners = Cells(lambda by: _cell(inert(couple.name(by) if couple is not None else by)), {None: "", "": ""})
    rows = zip(
        column(every, "day", Cells(date.isoformat).__getitem__),
        column(every, "habit_id", names.__getitem__),
        column(every, "minutes", _amount),
        column(every, "note", Cells(lambda note: _cell(inert(note))).__getitem__),
        column(every, "by", partners.__getitem__),
        column(every, "source", Cells(_cell).__getitem__),
    )
    return "".join(map("%s,%s,%s,%s,%s,%s\r\n".__mod__, rows))


def inert(cell: str) -> str:
    """A text cell a spreadsheet shows rather than runs: one that starts like a formula gets a leading '.

    The usual defence against CSV injection (OWASP): `=`, `+`, `-`, `@`, a tab or a carriage return first.
    """
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _amount(minutes: float | None) -> str:
    return "" if minutes is None else str(minutes)
