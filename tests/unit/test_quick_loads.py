"""A backup read by orjson gives what json's reading gives: the same backup, or the same one-sentence refusal."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connect_habits.errors import ConnectError
from connect_habits.interop import backup as backup_module
from connect_habits.interop.backup import parse_backup
from connect_habits.interop.jsontext import past_64_bits, quick_loads

BIG = 2**70 + 1  # a float can only come near it


def _backup(**changes) -> dict:
    data = {
        "format": "connect-backup",
        "version": 2,
        "config": {"week_start": "monday"},
        "couple": {"id": None, "aliases": {}, "partners": [{"id": "p:alex", "name": "Alex"}]},
        "habits": [{"id": "h1", "name": "Walk", "slug": "walk", "cadence": "daily", "created": "2026-11-01"}],
        "checkins": [{"id": "c1", "habit": "h1", "date": "2026-11-02", "minutes": 20, "by": "p:alex"}],
        "skips": [{"id": "s1", "habit": "h1", "date": "2026-11-03", "reason": ""}],
    }
    data.update(changes)
    return data


def _outcome(raw: bytes, monkeypatch=None):
    """parse_backup's backup or refusal, as its repr (an integer and a float that compare equal differ there);
    with `monkeypatch`, as json alone reads it."""
    if monkeypatch is not None:
        monkeypatch.setattr(backup_module, "quick_loads", lambda raw: None)
    try:
        return repr(parse_backup(raw, "backup.json"))
    except ConnectError as error:
        return error.message
    finally:
        if monkeypatch is not None:
            monkeypatch.undo()


CHECKIN = {"id": "c1", "habit": "h1", "date": "2026-11-02"}
ODD = {
    "as connect writes it": json.dumps(_backup()).encode(),
    "a setting past 64 bits": json.dumps(_backup(config={"week_start": "monday", "far": BIG})).encode(),
    "a negative setting past 64 bits": json.dumps(_backup(config={"far": -BIG})).encode(),
    "a setting at 2**64 - 1": json.dumps(_backup(config={"far": 2**64 - 1})).encode(),
    "a float setting of 1e30": json.dumps(_backup(config={"far": 1e30})).encode(),
    "a version past 64 bits": json.dumps(_backup(version=BIG)).encode(),
    "minutes past 64 bits": json.dumps(_backup(checkins=[{**CHECKIN, "minutes": BIG}])).encode(),
    "a skip's reason past 64 bits": json.dumps(_backup(skips=[{**CHECKIN, "reason": BIG}])).encode(),
    "a position past 64 bits": json.dumps(_backup(habits=[{**_backup()["habits"][0], "position": BIG}])).encode(),
    "NaN minutes": json.dumps(_backup(checkins=[{**CHECKIN, "minutes": float("nan")}])).encode(),
    "a number past a double": json.dumps(_backup()).replace("20", "1e400").encode(),
    "a byte order mark": b"\xef\xbb\xbf" + json.dumps(_backup()).encode(),
    "not UTF-8": json.dumps(_backup()).encode().replace(b"Walk", b"W\xe4lk"),
    "a lone surrogate": json.dumps(_backup(habits=[{**_backup()["habits"][0], "name": "\ud800"}])).encode(),
    "a note with a line break": json.dumps(_backup(checkins=[{**CHECKIN, "note": "a\nb"}])).encode(),
    "duplicate keys": json.dumps(_backup()).replace('"version": 2', '"version": 1, "version": 2').encode(),
    "not JSON": b"{nope",
    "empty": b"",
    "a list": b"[1, 2]",
    "too deep": b"[" * 5000 + b"]" * 5000,
    "deep in the settings": json.dumps(_backup(config={"x": [[[[1]]]]})).encode(),
    # orjson reads 1,024 levels, json about as many: a key connect does not read, 600 deep, is read either way
    "a deep key no one reads": json.dumps(_backup())
    .replace('"version"', '"extra": ' + "[" * 600 + "]" * 600 + ', "version"')
    .encode(),
}


@pytest.mark.parametrize("case", sorted(ODD))
def test_orjson_and_json_read_a_backup_alike(monkeypatch, case):
    assert _outcome(ODD[case]) == _outcome(ODD[case], monkeypatch)


def test_a_setting_past_64_bits_is_restored_as_the_integer_json_reads():
    far = parse_backup(ODD["a setting past 64 bits"]).config["far"]
    assert type(far) is int and far == BIG
    assert type(quick_loads(ODD["a setting past 64 bits"])["config"]["far"]) is float  # why json reads it again


def test_orjson_reads_what_connect_writes():
    assert quick_loads(ODD["as connect writes it"]) == _backup()
    assert quick_loads(ODD["not UTF-8"]) is None and quick_loads(ODD["a byte order mark"]) is None


@pytest.mark.parametrize(
    "value, past",
    [
        (1.5, False),
        (2.0**63, True),
        (-(2.0**63), True),
        (9.2e18, False),
        ({"a": [1, {"b": 1e19}]}, True),
        ("1e30", False),
    ],
)
def test_past_64_bits(value, past):
    assert past_64_bits(value) is past


SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
SETTINGS = st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), SCALARS | st.lists(SCALARS, max_size=3))


@settings(max_examples=200)
@given(SETTINGS, st.one_of(st.none(), st.integers(), st.floats(allow_nan=False)))
def test_any_settings_and_minutes_read_alike(settings_, minutes):
    raw = json.dumps(_backup(config=settings_, checkins=[{**CHECKIN, "minutes": minutes}])).encode()
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert _outcome(raw) == _outcome(raw, monkeypatch)


@pytest.mark.parametrize("config", [{"far": BIG}, {"week_start": "friday"}], ids=["read again", "refused"])
def test_progress_is_told_once_when_json_reads_the_file_again(config):
    checkins = [{**CHECKIN, "id": f"c{n}"} for n in range(1600)]
    raw = json.dumps(_backup(config=config, checkins=checkins)).encode()
    told: list[int] = []
    with pytest.raises(ConnectError) if "friday" in str(config) else contextlib.nullcontext():
        parse_backup(raw, "backup.json", lambda done, total, what: told.append(done))
    assert told == sorted(set(told)) and told  # each count once, in order
