"""The stored form of records: a check-in read back is exactly what was written, and a bad one is refused alike."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connect_habits.core.model import CheckIn
from connect_habits.storage.records import (
    RecordError,
    _checked_checkin,
    checkin_from,
    checkin_record,
)

# Values a hand-edited or damaged file may hold where a check-in field should be.
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 2000),
    st.floats(allow_nan=False, width=32),
    st.text(max_size=12),
    st.sampled_from(["2026-11-27", "2026-02-30", "20261127", "30", "cli"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
)
FIELDS = ("id", "habit", "date", "minutes", "note", "logged_at", "source", "by")


def outcome(read, record):
    try:
        return read(record)
    except RecordError as error:
        return f"RecordError: {error}"


@given(
    st.builds(
        CheckIn,
        id=st.text(min_size=1),
        habit_id=st.text(min_size=1),
        day=st.dates(date(1900, 1, 1), date(2999, 12, 31)),
        logged_at=st.text(),
        minutes=st.none() | st.integers(1, 1440),
        note=st.text(),
        source=st.text(),
        by=st.none() | st.text(),
    )
)
def test_a_checkin_reads_back_as_it_was_written(checkin):
    assert checkin_from(checkin_record(checkin)) == checkin


@given(st.fixed_dictionaries({}, optional={name: ANY_VALUE for name in FIELDS}))
def test_the_quick_reading_of_a_checkin_agrees_with_the_checked_one_on_any_record(record):
    assert outcome(checkin_from, record) == outcome(_checked_checkin, record)


@pytest.mark.parametrize(
    "record, reason",
    [
        ({"habit": "h", "date": "2026-11-27"}, "missing field 'id'"),
        ({"id": 1, "habit": "h", "date": "2026-11-27"}, "expected text, found int"),
        ({"id": "c", "habit": "h", "date": "2026-02-30"}, "day is out of range for month"),
        (
            {"id": "c", "habit": "h", "date": "2026-11-27", "minutes": "many"},
            "an amount that is not a number from 0 to 100000",
        ),
        ({"id": "c", "habit": "h", "date": "2026-11-27", "by": 7}, "expected text, found int"),
    ],
)
def test_a_damaged_checkin_is_refused_with_its_reason(record, reason):
    with pytest.raises(RecordError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        checkin_from(record)


def test_a_checkin_stored_with_minutes_as_text_or_float_still_reads_as_before():
    assert checkin_from({"id": "c", "habit": "h", "date": "2026-11-27", "minutes": "30"}).minutes == 30
    assert checkin_from({"id": "c", "habit": "h", "date": "2026-11-27", "minutes": 30.0}).minutes == 30
