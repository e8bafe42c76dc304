"""The fast writers of `connect export` give, byte for byte, what the plain ones give (interop/checkinrows.py)."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from connect_habits.core.couple import Couple
from connect_habits.core.model import DAILY, CheckIn, Habit, Snapshot
from connect_habits.interop.checkinrows import CHECKIN_KEYS, checkins_block, checkins_json
from connect_habits.interop.csvfile import export_csv
from connect_habits.interop.importing import sorted_checkins
from connect_habits.interop.jsontext import flat_rows, rows_list
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


@settings(max_examples=200, deadline=None)
@given(st.lists(checkins, max_size=10), st.lists(st.integers(0, 10), max_size=4), st.integers(0, 4))
def test_blocks_of_check_ins_written_apart_make_the_list_written_at_once(items, cuts, indent):
    """A month's rows kept apart (checkins_block) and put together (rows_list): the list checkins_json writes."""
    edges = [0, *sorted(min(cut, len(items)) for cut in cuts), len(items)]
    blocks = [checkins_block(items[a:b], indent) for a, b in zip(edges, edges[1:])]
    assert rows_list(blocks, indent) == checkins_json(items, indent)


def test_a_month_with_no_check_ins_is_an_empty_block():
    assert checkins_block([]) == "" and rows_list(["", ""], 2) == "[]"


def _month(month: str, checkins: list, skips: list, rituals: list, habits: list, couple):
    from connect_habits.storage.loglines import MonthRecords

    return MonthRecords(month, checkins, skips, rituals, {h.id: h for h in habits}, couple)


@settings(max_examples=100, deadline=None)
@given(st.lists(checkins, max_size=12), st.lists(st.dates(date(2026, 1, 1), date(2026, 4, 30)), max_size=5))
def test_months_exported_apart_make_the_whole_backup_and_spreadsheet(items, skip_days):
    """backup_month and csv_month of each month, in order of month: export_json's and export_csv's text."""
    from connect_habits.core.model import Ritual, Skip
    from connect_habits.interop.backupfile import backup_month, backup_text, export_json, is_backup_month
    from connect_habits.interop.csvfile import csv_month, csv_text, is_csv_month
    from connect_habits.storage.config import Config

    habits = [Habit(id="h1", name="Walk, together", slug="walk", cadence=DAILY, created=date(2026, 1, 1))]
    couple = Couple(names={"p:alex": "Alex", "p:sam": "-Sam"}, aliases={})
    skips = [Skip(id=f"s{n}", habit_id="h1", day=day) for n, day in enumerate(skip_days)]
    rituals = [
        Ritual(id=f"r{n}", kind="answer", day=day, by="p:sam", fields={"text": "x"}) for n, day in enumerate(skip_days)
    ]
    snapshot = Snapshot(habits=habits, checkins=items, skips=skips)
    snapshot.rituals, snapshot.couple = rituals, couple
    config = Config(partners=("Alex", "Sam"))
    months = sorted({record.day.isoformat()[:7] for record in [*items, *skips, *rituals]})

    def of(records, month):
        return [r for r in records if r.day.isoformat()[:7] == month]

    parts = [_month(m, of(items, m), of(skips, m), of(rituals, m), habits, couple) for m in months]
    written = [backup_month(part) for part in parts]
    assert all(map(is_backup_month, written))
    assert backup_text(snapshot, config, written) == export_json(snapshot, config)
    rows = [csv_month(part) for part in parts]
    assert all(map(is_csv_month, rows)) and sum(count for count, _ in rows) == len(items)
    assert csv_text(text for _, text in rows) == export_csv(snapshot)
