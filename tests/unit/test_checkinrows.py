"""The fast writers of `connect export` give, byte for byte, what the plain ones give (interop/checkinrows.py)."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from connect_habits.core.couple import Couple
from connect_habits.core.model import DAILY, CheckIn, Habit, Snapshot
from connect_habits.interop.checkinrows import CHECKIN_KEYS, checkins_json
from connect_habits.interop.csvfile import export_csv
from connect_habits.interop.importing import sorted_checkins
from connect_habits.interop.jsontext import flat_rows
from connect_habits.storage.records import checkin_record
from support.exports import plain_csv

TRICKY = [
    "",
    " ",
    "plain",
    "a,b",
    "\r",
    "x\r\ny",
    '"',
    '""',
    " lead",
    'a "},\n      {" b',
    "%s",
    "%",
    "=1+1",
    "-2",
    "@x",
    "\tx",
    "ü — 🙂",
    "\x00\x1f",
    "\u2028",
    "\\",
]
texts = st.one_of(st.sampled_from(TRICKY), st.text(max_size=8))
checkins = st.builds(
    CheckIn,
    id=texts,
    habit_id=st.sampled_from(["h1", "h2", "gone", "=h"]),
    day=st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)),
    logged_at=st.sampled_from(["", "2026-11-26T09:00:00", 'x"y']),
    minutes=st.one_of(st.none(), st.integers(0, 10**6), st.floats(0, 10**6, allow_nan=False), st.just(2.5)),
    note=texts,
    source=st.sampled_from(["cli", "import", "=s"]),
    by=st.one_of(st.none(), st.sampled_from(["", "p:alex", "p:sam", "Ghost", "-Sam"])),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(checkins, max_size=8), st.integers(0, 4))
def test_checkins_are_written_as_json_dumps_writes_their_records(items, indent):
    records = [checkin_record(c) for c in items]
    assert tuple(sorted(checkin_record(CheckIn("i", "h", date(2026, 1, 1), "")))) == CHECKIN_KEYS
    expected = json.dumps(records, ensure_ascii=False, indent=2, sort_keys=True).replace("\n", "\n" + " " * indent)
    assert checkins_json(items, indent) == expected
    assert sorted_checkins(items) == sorted(items, key=lambda c: (c.day, c.logged_at, c.id))


@settings(max_examples=300, deadline=None)
@given(st.lists(checkins.map(lambda c: c._replace(day=date(2026, 1, 1 + len(c.id) % 2))), max_size=12))
def test_check_ins_in_a_snapshots_order_are_put_in_an_exports_order(items):
    """A snapshot comes by date and time logged: the ties among them are put in order of id."""
    in_snapshot_order = sorted(items, key=lambda c: (c.day, c.logged_at))
    assert sorted_checkins(in_snapshot_order) == sorted(items, key=lambda c: (c.day, c.logged_at, c.id))


def test_rows_of_no_records_are_an_empty_list():
    assert flat_rows(("a",), [[]], 0, 2) == "[]" == json.dumps([], indent=2)


@settings(max_examples=200, deadline=None)
@given(st.lists(checkins, max_size=8), st.booleans())
def test_csv_is_what_the_plain_writer_writes(items, with_couple):
    habits = [
        Habit(id="h1", name="Walk, together", slug="walk", cadence=DAILY, created=date(2026, 1, 1)),
        Habit(id="h2", name="=SUM(A1)", slug="sum", cadence=DAILY, created=date(2026, 1, 1)),
    ]
    snapshot = Snapshot(habits=habits, checkins=items, skips=[])
    if with_couple:
        snapshot.couple = Couple(names={"p:alex": "Alex", "p:sam": "-Sam"}, aliases={"Ghost": "p:alex"})
    assert export_csv(snapshot) == plain_csv(snapshot)
