"""Month files cut by habit: a slice gives back exactly the chosen habits' records, and only for the file as it was."""

from __future__ import annotations

import json
import os
import stat
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connect_habits.core.model import CheckIn
from connect_habits.errors import DataFileError
from connect_habits.storage.files import CHECKINS, SKIPS, ParsedCheckins, habits_named, parse_device, with_history
from connect_habits.storage.sealing import use_secret
from connect_habits.storage.slices import MAGIC, MonthSlices, keep_slice, read_slice, stamp_of

HABITS = ["a" * 32, "b" * 32, "c" * 32]
META = {"_meta": {"1": {"schema": 3, "device": "0123456789ab", "month": "2026-11", "seq": 4}}}


def month_data(rows: list[tuple[int, str, int]]) -> dict:
    """A month file's data: (table, habit, day) rows as check-ins (0), skips (1), or check-ins that do not parse (2)."""
    tables: dict[str, dict] = {CHECKINS: {}, SKIPS: {}}
    for n, (table, habit, day) in enumerate(rows, start=1):
        record = {"id": f"r{n}", "habit": habit, "date": f"2026-11-{day:02d}"}
        if table == 0 and day % 3 == 0:
            record.update(logged_at=f"2026-11-{day:02d}T08:00:00", minutes=day, note="ü", source="cli", by="p:sam")
        if table == 2:
            record["minutes"] = -1 if day % 2 else "ten"
        tables[(CHECKINS, SKIPS, CHECKINS)[table]][str(n)] = record
    return {**META, **tables}


def write_month(folder, data: dict, age_s: float = 3600):
    path = folder / "connect-0123456789ab.2026-11.json"
    path.write_text(json.dumps(data))
    then = time.time_ns() - int(age_s * 1e9)
    os.utime(path, ns=(then, then))
    return path


def kept(data: dict, keep: set[str] | None) -> list:
    """What the store makes of a month for the habits in `keep`, read as this device's file and as another's."""
    made = []
    for lenient in (False, True):
        try:
            device = parse_device(Path("x.json"), with_history(dict(META), [data], keep=keep), lenient=lenient)
            made.append((device.checkins, device.skips, device.skipped))
        except DataFileError:
            made.append("damaged")
    return made


ROWS = st.lists(st.tuples(st.sampled_from([0, 0, 0, 1, 2]), st.sampled_from(HABITS), st.integers(1, 30)), max_size=40)


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
    _, (checkins, skips, _) = kept(data, keep)  # as another device's file: the records that parse
    asked = [r for r in data[CHECKINS].values() if keep is None or r["habit"] in keep]
    assert [c.id for c in checkins] == [r["id"] for r in asked if r.get("minutes") not in (-1, "ten")]
    assert [s.id for s in skips] == [r["id"] for r in data[SKIPS].values() if keep is None or r["habit"] in keep]
    named = habits_named(from_slice[CHECKINS]) | habits_named(from_slice[SKIPS])  # with the rest named too
    assert named == {r["habit"] for table in (CHECKINS, SKIPS) for r in data[table].values()}
    assert isinstance(from_slice[CHECKINS], ParsedCheckins) == all(row[0] != 2 for row in rows)


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
        lambda entry: entry.replace(MAGIC, b"connect-slices-9 "),
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


def test_parsed_check_ins_of_other_habits_are_left_out_of_a_read_of_some():
    walk, talk = (CheckIn(f"r{n}", habit, date(2026, 11, 1), "") for n, habit in enumerate(HABITS[:2]))
    month = {**META, CHECKINS: ParsedCheckins([walk, talk]), SKIPS: []}
    device = parse_device(Path("x.json"), with_history(dict(META), [month], keep={HABITS[0]}))
    assert device.checkins == [walk]


def test_a_read_of_some_habits_keeps_every_undo_and_ritual_of_the_months():
    undo = {"id": "u1", "target": "r1", "stamp": 1}
    ritual = {"id": "m1", "kind": "message", "date": "2026-11-02"}
    month = {**month_data([(0, HABITS[1], 1)]), "removals": {"1": undo}, "rituals": {"1": ritual}}
    history = with_history(dict(META), [month], keep={HABITS[0]})
    assert history["removals"] == [undo] and history["rituals"] == [ritual] and history[CHECKINS] == []
