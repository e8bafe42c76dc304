"""Many data files at once (an import's months) are encoded by orjson: the bytes json would write, or json's."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connect_habits.storage.encoding import ENCODE_MANY_FROM, encode, encode_all

# What a data file holds: text of any character but a lone surrogate, integers, null, booleans, lists, objects.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)))
LEAVES = st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | TEXT
VALUES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4))
FILES = st.dictionaries(TEXT, VALUES, max_size=5)


def _many(data: dict) -> list[dict]:
    return [data] * ENCODE_MANY_FROM


MADE_HERE = [True] * ENCODE_MANY_FROM


@settings(max_examples=300)
@given(FILES)
def test_many_files_are_the_bytes_json_writes(data):
    assert encode_all(_many(data), MADE_HERE) == [encode(data)] * ENCODE_MANY_FROM


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_an_amount_of_any_size_reads_back_as_json_would_give_it(amount):
    # 1e16 is "1e+16" in json and "1e16" in orjson: the same number once read
    data = {"checkins": {"1": {"minutes": amount}}}
    assert [json.loads(raw) for raw in encode_all(_many(data), MADE_HERE)] == [data] * ENCODE_MANY_FROM


def test_a_real_month_file_is_the_same_bytes():
    data = {
        "_meta": {"1": {"schema": 4, "device": "76a76bbdda23", "month": "2017-01"}},
        "checkins": {
            "1": {
                "id": "f83b",
                "habit": "d696",
                "date": "2017-01-01",
                "minutes": 12.5,
                "note": 'wir "sprachen"\n\t☕',
                "logged_at": "2017-01-01T21:03:11",
                "source": "cli",
                "by": None,
            },
        },
    }
    assert encode_all(_many(data), MADE_HERE)[0] == encode(data)


@pytest.mark.parametrize("odd", [2**64, -(2**63) - 1, 10**30])
def test_an_integer_past_64_bits_is_written_by_json(odd):
    data = {"n": odd}
    assert encode_all(_many(data), MADE_HERE) == [encode(data)] * ENCODE_MANY_FROM


@pytest.mark.parametrize(
    "odd, error",
    [("\ud800", UnicodeEncodeError), (date(2026, 12, 7), TypeError)],
    ids=["lone surrogate", "a date object"],
)
def test_what_json_refuses_is_refused_as_json_refuses_it(odd, error):
    with pytest.raises(error):
        encode({"x": odd})
    with pytest.raises(error):
        encode_all(_many({"x": odd}), MADE_HERE)


def test_a_few_files_are_encoded_by_json_without_loading_orjson(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "orjson", None)  # an import of it raises ImportError
    data = {"a": [1, "b", None]}
    monkeypatch.setattr(json, "dumps", lambda *a, **k: '"json"')
    assert encode_all([data] * (ENCODE_MANY_FROM - 1), MADE_HERE[1:]) == [b'"json"'] * (ENCODE_MANY_FROM - 1)
    assert encode_all(_many(data), MADE_HERE) == [b'"json"'] * ENCODE_MANY_FROM  # without orjson, json writes them all
    monkeypatch.delitem(sys.modules, "orjson")
    assert encode_all(_many(data), MADE_HERE) == [b'{"a":[1,"b",null]}'] * ENCODE_MANY_FROM  # not json's: orjson's


def test_only_files_made_here_go_to_orjson_a_nan_read_from_elsewhere_stays_nan():
    read = {"rituals": {"1": {"id": "r1", "mood": float("nan"), "far": float("-inf")}}}
    made = {"checkins": {"1": {"id": "c1", "minutes": None}}}
    encoded = encode_all([read, *[made] * ENCODE_MANY_FROM], [False] + MADE_HERE)
    assert encoded[0] == encode(read) and b"NaN" in encoded[0] and b"-Infinity" in encoded[0]
    assert encoded[1:] == [encode(made)] * ENCODE_MANY_FROM
    # Too few made here: all by json (orjson's import would cost more than it saves).
    assert encode_all([read, *[made] * 3], [False, True, True, True]) == [encode(read), *[encode(made)] * 3]
    assert encode_all(_many(read)) == [encode(read)] * ENCODE_MANY_FROM  # nothing said made here: json
