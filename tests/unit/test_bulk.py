"""The bulk paths of an import give what the record-by-record ones give: the one-loop checks and stored forms of
many check-ins (storage/bulkrecords.py).
"""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connect_habits.core.model import CheckIn
from connect_habits.errors import ConnectError
from connect_habits.interop.backup import _CHECKIN_TYPES, _backup_record
from connect_habits.storage.bulkrecords import checked_checkins, checkin_records_by_month
from connect_habits.storage.records import checked_checkin, checkin_record

# ---------------------------------------------------------------- check-ins in bulk

HABITS = {"h1", "h2"}
VALID = {
    "id": "c1",
    "habit": "h1",
    "date": "2026-11-26",
    "minutes": None,
    "note": "",
    "logged_at": "2026-11-26T21:00:00",
    "source": "cli",
    "by": None,
}
ODD = (
    None,
    True,
    False,
    0,
    -1,
    2.5,
    -0.5,
    100_000,
    100_001,
    1e300,
    math.nan,
    "",
    "x",
    "h1",
    "h3",
    "2026-11-26",
    "20261126",
    "2026-W48-4",
    "1899-12-31",
    "3000-01-01",
    "2026-02-30",
    "p:alex",
    "a\tb",
    "a\x00b",
    "line\nbreak",
    "x" * 200,
    [],
    {},
)
ODD_VALUES = st.sampled_from(ODD)
CHANGE = st.tuples(st.sampled_from(sorted(VALID)), ODD_VALUES)
RECORDS = st.lists(
    st.lists(CHANGE, max_size=2).map(lambda changes: {**VALID, **dict(changes)})
    | st.sampled_from(sorted(VALID)).map(lambda key: {k: v for k, v in VALID.items() if k != key}),
    max_size=4,
)


def one_by_one(records: list) -> list[CheckIn] | str:
    """The backup's record-by-record check: the check-ins, or the sentence that refuses the first wrong one."""
    try:
        return [
            _backup_record("f", "check-in", n, r, checked_checkin, HABITS, _CHECKIN_TYPES)
            for n, r in enumerate(records, start=1)
        ]
    except ConnectError as error:
        return error.message


@pytest.mark.parametrize("key", sorted(VALID))
def test_a_record_with_one_field_otherwise_is_taken_in_bulk_only_as_one_by_one_takes_it(key):
    for value in (*ODD, "missing"):
        record = {k: v for k, v in VALID.items() if k != key} if value == "missing" else {**VALID, key: value}
        fast, slow = checked_checkins([record], HABITS), one_by_one([record])
        assert fast is None or fast == slow, (key, value)
        if value != "missing":  # all eight fields there, as connect writes them: taken in bulk exactly when taken
            assert (fast is None) == isinstance(slow, str), (key, value)


@settings(max_examples=500)
@given(RECORDS)
def test_the_bulk_check_takes_only_what_the_one_by_one_check_takes_and_makes_the_same_check_ins(records):
    fast = checked_checkins(records, HABITS)
    slow = one_by_one(records)
    if fast is not None:
        assert fast == slow
        assert [type(c) for c in fast] == [CheckIn] * len(fast)


def test_check_ins_as_connect_writes_them_take_the_bulk_path():
    checkins = [
        CheckIn("a", "h1", date(2026, 11, 26), "2026-11-26T21:00:00"),
        CheckIn("b", "h2", date(2026, 11, 27), "2026-11-27T08:00:00", 12.5, "long talk", "import", "p:alex"),
        CheckIn("c", "h2", date(1900, 1, 1), "", 0, "é ✓", "cli", "Alex"),
    ]
    assert checked_checkins([checkin_record(c) for c in checkins], HABITS) == checkins


@given(st.lists(st.integers(0, 3000), max_size=30))
def test_the_stored_forms_grouped_by_month_are_checkin_record_in_order(offsets):
    checkins = [
        CheckIn(f"c{n}", "h1", date.fromordinal(date(2025, 1, 1).toordinal() + o), "t", o or None, "n", "cli", None)
        for n, o in enumerate(offsets)
    ]
    grouped: dict[str, list[dict]] = {}
    for checkin in checkins:
        grouped.setdefault(checkin.day.isoformat()[:7], []).append(checkin_record(checkin))
    made = checkin_records_by_month(checkins)
    assert list(made.items()) == list(grouped.items())  # the months in the order met, each one's rows in order
    assert [list(row.items()) for rows in made.values() for row in rows] == [
        list(row.items()) for rows in grouped.values() for row in rows
    ]  # each field in checkin_record's order
