"""Month files cut by habit: a slice gives back exactly the chosen habits' records, and only for the file as it was."""

from __future__ import annotations

import json
import os
import stat
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connect_habits.storage.files import CHECKINS, SKIPS, with_history
from connect_habits.storage.sealing import use_secret
from connect_habits.storage.slices import MonthSlices, keep_slice, read_slice, stamp_of

HABITS = ["a" * 32, "b" * 32, "c" * 32]
META = {"_meta": {"1": {"schema": 3, "device": "0123456789ab", "month": "2026-11", "seq": 4}}}


def month_data(rows: list[tuple[int, str, int]]) -> dict:
    """A month file's data: (table 0/1, habit, day) rows as check-ins or skips."""
    tables: dict[str, dict] = {CHECKINS: {}, SKIPS: {}}
    for n, (table, habit, day) in enumerate(rows, start=1):
        tables[(CHECKINS, SKIPS)[table]][str(n)] = {"id": f"r{n}", "habit": habit, "date": f"2026-11-{day:02d}"}
    return {**META, **tables}


def write_month(folder, data: dict, age_s: float = 3600):
    path = folder / "connect-0123456789ab.2026-11.json"
    path.write_text(json.dumps(data))
    then = time.time_ns() - int(age_s * 1e9)
    os.utime(path, ns=(then, then))
    return path


def kept(data: dict, keep: set[str] | None) -> dict:
    """What the store makes of a month for the habits in `keep`."""
    history = with_history({}, [data], keep=keep)
    return {table: history[table] for table in (CHECKINS, SKIPS)}


ROWS = st.lists(st.tuples(st.integers(0, 1), st.sampled_from(HABITS), st.integers(1, 30)), max_size=40)


@settings(max_examples=60, deadline=None)
@given(rows=ROWS, keep=st.none() | st.sets(st.sampled_from(HABITS)))
def test_a_slice_holds_what_the_file_holds_for_the_habits_asked(tmp_path_factory, rows, keep):
    folder = tmp_path_factory.mktemp("home")
    data = month_data(rows)
    path = write_month(folder, data)
    slices = MonthSlices(folder / "slices", keep)
    assert slices.month(path) == data  # no slice yet: the file itself, decoded
    from_slice = slices.month(path)
    assert from_slice is not None and from_slice["_meta"] == data["_meta"]
    assert kept(from_slice, keep) == kept(data, keep)
    named = {r["habit"] for table in (CHECKINS, SKIPS) for r in from_slice[table]}  # with stand-ins for the rest
    assert named == {r["habit"] for table in (CHECKINS, SKIPS) for r in data[table].values()}


def test_a_changed_or_too_new_file_is_read_again(tmp_path):
    data = month_data([(0, HABITS[0], 1)])
    path = write_month(tmp_path, data)
    stamp = stamp_of(path)
    assert stamp is not None
    keep_slice(tmp_path / "slices", path, data, stamp)
    assert read_slice(tmp_path / "slices", path, {HABITS[0]}, stamp) is not None
    changed = write_month(tmp_path, month_data([(0, HABITS[0], 2)]))
    assert stamp_of(changed) != stamp
    assert read_slice(tmp_path / "slices", path, {HABITS[0]}, stamp_of(changed)) is None
    fresh = write_month(tmp_path, data, age_s=0)
    assert stamp_of(fresh) is None  # within its timestamp's tick: never sliced, never taken from a slice
    assert MonthSlices(tmp_path / "other", {HABITS[0]}).month(fresh) == data
    assert not (tmp_path / "other").exists()


def test_a_slice_is_not_used_once_the_folder_opens_with_another_key(tmp_path):
    path = write_month(tmp_path, month_data([(0, HABITS[0], 1)]))
    before = stamp_of(path)
    use_secret(tmp_path, b"\x01" * 16)
    try:
        assert stamp_of(path) != before
    finally:
        use_secret(tmp_path, None)
    assert stamp_of(path) == before


def test_slices_are_private(tmp_path):
    data = month_data([(0, HABITS[0], 1)])
    path = write_month(tmp_path, data)
    MonthSlices(tmp_path / "slices", {HABITS[0]}).month(path)
    assert stat.S_IMODE((tmp_path / "slices").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "slices" / path.name).stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "damage",
    [
        lambda entry: entry[:-1],  # cut short by a crash
        lambda entry: entry[:-1] + bytes([entry[-1] ^ 1]),  # a changed byte of what it holds
        lambda entry: b"",
        lambda entry: entry.replace(b"connect-slices-1", b"connect-slices-9"),
        lambda entry: entry.replace(b" ", b"x", 1),  # a damaged checksum
    ],
)
def test_a_damaged_slice_is_not_used(tmp_path, damage):
    data = month_data([(0, HABITS[0], 1), (1, HABITS[1], 2)])
    path = write_month(tmp_path, data)
    slices = MonthSlices(tmp_path / "slices", {HABITS[0]})
    slices.month(path)
    entry = tmp_path / "slices" / path.name
    entry.write_bytes(damage(entry.read_bytes()))
    assert read_slice(tmp_path / "slices", path, {HABITS[0]}, stamp_of(path)) is None
    assert MonthSlices(tmp_path / "slices", {HABITS[0]}).month(path) == data  # read again, and kept again
    assert read_slice(tmp_path / "slices", path, {HABITS[0]}, stamp_of(path)) is not None


def test_without_habits_named_a_slice_gives_every_record_in_the_files_order(tmp_path):
    data = month_data([(0, HABITS[0], 1), (1, HABITS[1], 2), (0, HABITS[1], 3), (0, HABITS[0], 4), (1, HABITS[0], 5)])
    path = write_month(tmp_path, data)
    slices = MonthSlices(tmp_path / "slices", None)
    assert slices.month(path) == data
    from_slice = slices.month(path)
    assert from_slice is not data and (tmp_path / "slices" / path.name).exists()
    assert kept(from_slice, None) == kept(data, None)


def test_without_a_folder_the_file_is_read_and_nothing_is_kept(tmp_path):
    data = month_data([(0, HABITS[0], 1)])
    path = write_month(tmp_path, data)
    assert MonthSlices(None, {HABITS[0]}).month(path) == data
    assert MonthSlices(None, None).month(path) == data
    assert not (tmp_path / "slices").exists()
