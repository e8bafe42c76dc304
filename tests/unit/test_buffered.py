"""The buffered tables change a file's data exactly as TinyDB did: same ids, same table order, same written bytes."""

from __future__ import annotations

import copy
import json

from hypothesis import given, settings
from hypothesis import strategies as st
from tinydb import TinyDB, where
from tinydb.storages import Storage

from connect_habits.storage.buffered import BufferedFile, field_is


class _Memory(Storage):
    def __init__(self, data: dict):
        self.data = data
        self.changed = False

    def read(self) -> dict:
        return self.data

    def write(self, data: dict) -> None:
        self.data = data
        self.changed = True


TABLES = ["checkins", "meta", "removals"]
_ids = st.sampled_from(["a", "b", "c"])
_record = st.fixed_dictionaries({"id": _ids}, optional={"habit": st.sampled_from(["x", "y"]), "n": st.integers(0, 3)})
_file = st.dictionaries(
    st.sampled_from(TABLES),
    st.dictionaries(st.integers(1, 9).map(str), _record, max_size=4),
    max_size=3,
)
_step = st.one_of(
    st.tuples(st.just("insert"), st.sampled_from(TABLES), _record),
    st.tuples(st.just("insert_multiple"), st.sampled_from(TABLES), st.lists(_record, max_size=3)),
    st.tuples(st.just("remove"), st.sampled_from(TABLES), _ids),
    st.tuples(st.just("remove_habit"), st.sampled_from(TABLES), st.sampled_from(["x", "y"])),
    st.tuples(st.just("update"), st.sampled_from(TABLES), st.fixed_dictionaries({"seq": st.integers(1, 5)})),
    st.tuples(st.just("contains"), st.sampled_from(TABLES), _ids),
    st.tuples(st.just("all"), st.sampled_from(TABLES), st.none()),
    st.tuples(st.just("write"), st.none(), _file),
)


def _apply(db, step, through_tinydb: bool):
    kind, name, arg = step
    if kind == "write":
        (db.storage if through_tinydb else db).write(copy.deepcopy(arg))
        return None
    table = db.table(name)
    if kind == "insert":
        return table.insert(arg)
    if kind == "insert_multiple":
        table.insert_multiple(iter(arg))
        return None
    if kind in ("remove", "contains"):
        matches = where("id") == arg if through_tinydb else field_is("id", arg)
        if kind == "contains":
            return table.contains(matches)
        table.remove(matches)
        return None
    if kind == "remove_habit":
        table.remove(lambda record: record.get("habit") == arg)
        return None
    if kind == "update":
        table.update(arg)
        return None
    return [dict(record) for record in table.all()]


@settings(max_examples=300, deadline=None)
@given(_file, st.lists(_step, max_size=8))
def test_every_change_gives_the_bytes_tinydb_gave(data, steps):
    tiny = TinyDB(copy.deepcopy(data), storage=_Memory)
    buffered = BufferedFile(copy.deepcopy(data))
    for step in steps:
        try:
            expected = _apply(tiny, step, through_tinydb=True)
        except ValueError as error:  # an id already taken after a whole new file was written
            try:
                _apply(buffered, step, through_tinydb=False)
            except ValueError as same:
                assert str(same) == str(error)
                continue
            raise AssertionError("TinyDB refused a change the buffer made") from None
        assert _apply(buffered, step, through_tinydb=False) == expected
        assert json.dumps(buffered.data) == json.dumps(tiny.storage.read())
        assert buffered.changed == tiny.storage.changed
