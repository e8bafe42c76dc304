"""Ten years of check-ins written out fast, the same bytes as the plain way: for `connect export`.

A backup's check-ins as json.dumps(indent=2, sort_keys=True) writes their records, without a dict per
check-in (`checkins_json`): each text goes through json's own escaping (the one ensure_ascii=False uses),
the values that repeat (a habit's id, a partner, a source, a day) are written once each, and the check-ins
are gone through column by column in C (`column`): `connect export --format csv` writes its rows the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring
from operator import itemgetter

from ..core.model import CheckIn
from .jsontext import row_block, rows_list

# The fields of storage/records.py's checkin_record, in json's sorted order.
CHECKIN_KEYS = ("by", "date", "habit", "id", "logged_at", "minutes", "note", "source")


class Cells(dict):
    """Cells made once each: `make(value)` the first time a value is asked for (`known`: some made already)."""

    def __init__(self, make: Callable, known: dict | None = None):
        super().__init__(known or {})
        self.make = make

    def __missing__(self, value: object) -> str:
        cell = self[value] = self.make(value)
        return cell


def column(checkins: list[CheckIn], field: str, cell: Callable) -> Iterator[str]:
    """`cell` of each check-in's `field`, taken in C (itemgetter, map): no line of Python runs for a check-in."""
    return map(cell, map(itemgetter(CheckIn._fields.index(field)), checkins))


def _text(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def _number(value: object) -> str:
    return "null" if value is None else int.__repr__(value) if type(value) is int else json.dumps(value)


def checkins_json(checkins: Iterable[CheckIn], indent: int = 2) -> str:
    """The check-ins' records (checkin_record) as a list json.dumps writes with indent=2 and sorted keys at `indent`."""
    return rows_list([checkins_block(checkins, indent)], indent)


def checkins_block(checkins: Iterable[CheckIn], indent: int = 2) -> str:
    """checkins_json's records without the list around them (jsontext.row_block): a month's, to keep."""
    every = list(checkins)
    once, days = Cells(_text), Cells(lambda day: f'"{day.isoformat()}"')
    columns = (
        column(every, "by", once.__getitem__),
        column(every, "day", days.__getitem__),
        column(every, "habit_id", once.__getitem__),
        column(every, "id", encode_basestring),
        column(every, "logged_at", encode_basestring),
        column(every, "minutes", _number),
        column(every, "note", encode_basestring),
        column(every, "source", once.__getitem__),
    )
    return row_block(CHECKIN_KEYS, columns, len(every), indent)
