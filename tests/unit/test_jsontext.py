"""The fast ways of interop/jsontext.py and foreign.py give, byte for byte, what the plain ones give."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connect_habits.interop.foreign import clean_text, uuid5_hex
from connect_habits.interop.jsontext import flat_list, indented_json, type_problem

TRICKY = [
    "",
    "plain",
    'a "},\n      {" b',
    "}",
    "{",
    "},",
    "line\nbreak",
    "tab\t",
    "ü — 🙂",
    "\x00\x1f",
    "\u2028",
    "\\",
]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.sampled_from(TRICKY), st.text(max_size=8)
)
records = st.dictionaries(st.sampled_from(["id", "date", "note", "z", "a", "}", 'k"']), scalars, min_size=1)


@settings(max_examples=300, deadline=None)
@given(st.lists(records, max_size=6), st.booleans())
def test_a_list_of_flat_records_is_what_json_dumps_writes(items, sort_keys):
    expected = json.dumps({"x": items}, ensure_ascii=False, indent=2, sort_keys=sort_keys)
    assert '{\n  "x": ' + flat_list(items, 2, sort_keys=sort_keys) + "\n}" == expected
    assert flat_list(items, 0, sort_keys) == json.dumps(items, ensure_ascii=False, indent=2, sort_keys=sort_keys)


@pytest.mark.parametrize(
    "items",
    [[{"a": [1, 2]}], [{"a": {"b": None}}, {"c": 1}], [{}], [{"a": 1}, {}], [1, "x"], []],
)
def test_a_list_that_is_not_all_flat_records_is_written_the_plain_way(items):
    data = {"checkins": items, "b": {"nested": [{"x": 1}]}, "a": "@flat-", "skips": [{"id": "s"}]}
    assert indented_json(data, flat=("checkins", "skips")) == json.dumps(
        data, ensure_ascii=False, indent=2, sort_keys=True
    )


def test_a_record_shape_once_passed_still_fails_without_a_field():
    types = {"id": (str,), "minutes": (int, float, type(None)), "note": (str,)}
    assert type_problem({"id": "a", "minutes": 3, "note": ""}, types, ("note",)) is None
    assert type_problem({"id": "b", "minutes": 4}, types, ("note",)) is None
    assert type_problem({"minutes": 4}, types, ("note",)) == "has no 'id'"
    assert type_problem({"id": "c", "minutes": True}, types, ("note",)) == "has an invalid 'minutes'"
    assert type_problem({"id": "c", "minutes": None, "note": 1}, types, ("note",)) == "has an invalid 'note'"


@given(st.text(max_size=40))
def test_uuid5_hex_is_uuid5(name):
    space = uuid.UUID("3f0c9b6e-8d2a-4e71-b5c4-61a7d90e2f38")
    assert uuid5_hex(space.bytes, name) == uuid.uuid5(space, name).hex


@given(st.text(max_size=30), st.booleans())
def test_clean_text_of_printable_text_is_the_same_as_char_by_char(text, newlines):
    import unicodedata

    normal = unicodedata.normalize("NFC", text)
    keep = "\n\t" if newlines else ""
    slow = "".join(ch if unicodedata.category(ch) not in ("Cc", "Zl", "Zp") or ch in keep else " " for ch in normal)
    assert clean_text(text, 20, newlines) == slow.strip()[:20].strip()
