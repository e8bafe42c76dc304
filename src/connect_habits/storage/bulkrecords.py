"""Many records at once, as an import or a restore has them: the forms of records.py, made in one loop each.

Ten years are 73,000 check-ins. A function call per record and per field check is most of the time a restore
takes to check and to store them; these loops do the same work inline, for the common case only. Their
results are records.py's own (tests compare them): where a record is not as connect writes it, the caller
takes it to records.py one by one, which says what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..core.model import CheckIn
from .records import _STORED, MAX_AMOUNT, MAX_YEAR, MIN_YEAR, _fromiso, _new, _short_text_ok, note_ok


def checked_checkins(records: list, habits: set[str]) -> list[CheckIn] | None:
    """checked_checkin of every record, each of a habit in `habits`, with an id and all eight fields as connect
    writes them; None as soon as one is otherwise (the caller then checks them one by one, to say what is wrong)."""
    made: list[CheckIn] = []
    append = made.append
    # Twenty habits and a few thousand days in 73,000 records: each check-in refers to one date object a day
    # and one string a habit, made once. Fewer objects, and fewer pages a forked process copies as it reads them.
    days: dict[str, date] = {}
    names = {habit: habit for habit in habits}
    for record in records:
        try:
            id_, habit, day, logged_at, note, source, minutes, by = _STORED(record)
            if not (
                type(id_) is str
                and id_
                and type(habit) is str
                and habit in habits
                and type(day) is str
                and type(logged_at) is str
                and type(note) is str
                and type(source) is str
                and (
                    minutes is None or ((type(minutes) is int or type(minutes) is float) and 0 <= minutes <= MAX_AMOUNT)
                )
                and (by is None or (type(by) is str and _short_text_ok(by)))
                and (not note or note.isprintable() or note_ok(note))
            ):
                return None
            parsed = days.get(day)
            if parsed is None:
                parsed = days[day] = _fromiso(day)
                if not MIN_YEAR <= parsed.year <= MAX_YEAR:
                    return None
        except (KeyError, TypeError, ValueError):
            return None
        append(_new(CheckIn, (id_, names[habit], parsed, logged_at, minutes, note, source, by)))
    return made


def checkin_records_by_month(checkins: Iterable[CheckIn]) -> dict[str, list[dict]]:
    """The stored form of each check-in (records.checkin_record), grouped by the month of its day, in order."""
    grouped: dict[str, list[dict]] = {}
    isos: dict = {}  # each day's text, made once (ten years: 3,650 days)
    for id_, habit, day, logged_at, minutes, note, source, by in checkins:
        iso = isos.get(day)
        if iso is None:
            iso = isos[day] = day.isoformat()
        row = {
            "id": id_,
            "habit": habit,
            "date": iso,
            "minutes": minutes,
            "note": note,
            "logged_at": logged_at,
            "source": source,
            "by": by,
        }
        month = iso[:7]
        rows = grouped.get(month)
        if rows is None:
            grouped[month] = [row]
        else:
            rows.append(row)
    return grouped
