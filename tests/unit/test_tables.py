"""A file's tables written without TinyDB (inserts, a stamp in `_meta`) end as TinyDB's own writes leave them."""

from __future__ import annotations

import copy
import json

from hypothesis import given, settings
from hypothesis import strategies as st
from tinydb import TinyDB, where
from tinydb.storages import MemoryStorage

from connect_habits.storage.tables import Tables

NAMES = st.sampled_from(["_meta", "checkins", "skips", "removals"])
RECORDS = st.dictionaries(st.sampled_from(["id", "date", "note", "seq"]), st.text(max_size=3), max_size=3)
# A file as it may come: tables numbered from 1, with gaps (where records were removed).
TABLE = st.lists(st.tuples(st.integers(1, 40), RECORDS), max_size=6).map(
    lambda rows: {str(number): record for number, record in rows}
)
FILES = st.dictionaries(NAMES, TABLE, max_size=3)
WRITES = st.one_of(
    st.tuples(st.just("insert"), NAMES, RECORDS),
    st.tuples(st.just("insert_many"), NAMES, st.lists(RECORDS, max_size=4)),
    st.tuples(st.just("update_all"), NAMES, st.fixed_dictionaries({"seq": st.integers(0, 9)})),
    st.tuples(st.just("insert_by_tinydb"), NAMES, RECORDS),  # as put_ritual adds a ritual: through TinyDB on both sides
)
REMOVAL = st.tuples(st.just("remove"), NAMES, st.text(max_size=3))  # a query: through TinyDB, on either side


def _by_tinydb(data: dict, steps: list) -> dict:
    db = TinyDB(storage=MemoryStorage)
    db.storage.write(data)
    for step, name, value in steps:
        if step in ("insert", "insert_by_tinydb"):
            db.table(name).insert(value)
        elif step == "insert_many":
            db.table(name).insert_multiple(value)
        elif step == "update_all":
            db.table(name).update(value)
        else:
            db.table(name).remove(where("id") == value)
    return db.storage.read()


def _by_tables(data: dict, steps: list) -> Tables:
    tables = Tables(data)
    for step, name, value in steps:
        if step == "remove":
            tables.table(name).remove(where("id") == value)
        elif step == "insert_by_tinydb":
            tables.table(name).insert(value)
        else:
            getattr(tables, step)(name, value)
    return tables


@settings(max_examples=400)
@given(FILES, st.lists(WRITES, max_size=8))
def test_the_tables_end_as_tinydb_leaves_them(data, steps):
    expected = _by_tinydb(copy.deepcopy(data), copy.deepcopy(steps))
    tables = _by_tables(copy.deepcopy(data), copy.deepcopy(steps))
    # The same text on disk: the same tables in the same order, each record under the same number.
    assert json.dumps(tables.data) == json.dumps(expected)
    assert tables.changed == bool(steps)


@settings(max_examples=400)
@given(FILES, st.lists(WRITES | REMOVAL, max_size=8))
def test_with_removals_between_the_writes_the_same_records_stay_in_the_same_order(data, steps):
    """TinyDB remembers a table's next number from its last insert, so after a removal of the last record it may
    number the next one higher than a fresh TinyDB (or this) would: the records and their order are the same."""
    expected = _by_tinydb(copy.deepcopy(data), copy.deepcopy(steps))
    tables = _by_tables(copy.deepcopy(data), copy.deepcopy(steps))
    assert {name: list(rows.values()) for name, rows in tables.data.items()} == {
        name: list(rows.values()) for name, rows in expected.items()
    }
    assert list(tables.data) == list(expected) and tables.changed == bool(steps)


def test_an_insert_after_a_query_takes_the_next_number_after_what_is_there():
    tables = Tables({"checkins": {"1": {"id": "a"}, "2": {"id": "b"}}})
    tables.table("checkins").remove(where("id") == "b")
    tables.table("checkins").insert({"id": "c"})  # TinyDB's table now remembers its next number (3)
    tables.insert("checkins", {"id": "d"})
    tables.table("checkins").insert({"id": "e"})  # a TinyDB made again, numbering from what is there
    assert tables.data["checkins"] == {"1": {"id": "a"}, "2": {"id": "c"}, "3": {"id": "d"}, "4": {"id": "e"}}


def test_a_table_read_before_a_change_keeps_what_it_held():
    rows, meta = {"1": {"id": "a"}}, {"1": {"device": "d"}}
    tables = Tables({"checkins": rows, "_meta": meta})
    tables.insert("checkins", {"id": "b"})
    tables.update_all("_meta", {"seq": 3})
    assert rows == {"1": {"id": "a"}} and len(tables.rows("checkins")) == 2
    assert list(meta) == ["1"] and tables.data["_meta"] is not meta
    # as TinyDB's update: the records themselves are changed where they are
    assert meta["1"] == {"device": "d", "seq": 3} == tables.data["_meta"]["1"]


def test_nothing_written_leaves_the_file_unchanged():
    tables = Tables({"checkins": {"1": {"id": "a"}}})
    assert tables.rows("checkins") == [{"id": "a"}] and tables.rows("skips") == []
    assert not tables.table("checkins").contains(where("id") == "b")
    assert not tables.changed
