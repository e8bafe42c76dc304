"""Merging devices' files: the same result whatever order they arrive in; later edits win; undos win."""

from __future__ import annotations

from datetime import UTC, date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from connect_habits.core.model import CheckIn, Skip
from connect_habits.storage.merge import DeviceData, merge

DAY = date(2026, 11, 26)
BASE = {
    "name": "Walk",
    "slug": "walk",
    "cadence": "daily",
    "goal": None,
    "at": [],
    "created": "2026-11-01",
    "archived": False,
    "template": None,
    "prompts": [],
    "note": "",
    "who": "together",
}


def change(habit: str, stamp: int, cid: str, **fields) -> dict:
    return {"id": cid, "habit": habit, "stamp": stamp, "fields": fields}


def device(name: str, **tables) -> DeviceData:
    return DeviceData(path=Path(f"connect-{name}.json"), device=name, **tables)


def checkin(cid: str, habit: str = "h", by: str | None = None, logged_at: str = "") -> CheckIn:
    return CheckIn(id=cid, habit_id=habit, day=DAY, logged_at=logged_at, by=by)


def test_the_later_change_of_a_field_wins_and_other_fields_merge():
    a = device("aaaaaaaaaaaa", changes=[change("h", 1, "c1", **BASE), change("h", 5, "c2", name="Evening walk")])
    b = device("bbbbbbbbbbbb", changes=[change("h", 3, "c3", name="Walk together", at=["19:00"])])
    [habit] = merge([a, b]).habits
    assert (habit.name, habit.at) == ("Evening walk", ("19:00",))


def test_equal_stamps_are_decided_by_device_id_then_change_id():
    a = device("aaaaaaaaaaaa", changes=[change("h", 1, "c1", **BASE), change("h", 7, "c2", note="from a")])
    b = device("bbbbbbbbbbbb", changes=[change("h", 7, "c0", note="from b")])
    assert merge([a, b]).habits[0].note == "from b"
    assert merge([b, a]).habits[0].note == "from b"


def test_an_undo_on_one_device_removes_the_check_in_everywhere():
    a = device("aaaaaaaaaaaa", changes=[change("h", 1, "c1", **BASE)], checkins=[checkin("k1"), checkin("k2")])
    b = device("bbbbbbbbbbbb", removals=[{"id": "r1", "target": "k1", "stamp": 9}])
    assert [c.id for c in merge([a, b]).checkins] == ["k2"]


def test_history_waits_for_its_habit_and_a_deleted_habit_hides_its_history():
    early = device("bbbbbbbbbbbb", checkins=[checkin("k1")], changes=[change("h", 4, "c9", note="edit")])
    assert merge([early]).habits == [] and merge([early]).checkins == []
    creator = device("aaaaaaaaaaaa", changes=[change("h", 1, "c1", **BASE)])
    assert [c.id for c in merge([creator, early]).checkins] == ["k1"]
    deleter = device("cccccccccccc", changes=[change("h", 8, "c5", deleted=True)])
    merged = merge([creator, early, deleter])
    assert merged.habits == [] and merged.checkins == []


def test_partners_of_older_files_come_from_the_config_and_the_devices_by_id_in_the_order_named():
    a = device("aaaaaaaaaaaa", person="Alex")
    b = device("bbbbbbbbbbbb", person="Sam")
    snapshot = merge([a, b], partners=("Alex", "Robin"))
    assert snapshot.persons == ["p:alex", "p:robin", "p:sam"]
    assert snapshot.names == {"p:alex": "Alex", "p:robin": "Robin", "p:sam": "Sam"}


def test_sessions_are_the_own_devices_only():
    from datetime import datetime

    from connect_habits.core.model import Session

    session = Session(id="s", habit_id="h", started=datetime(2026, 11, 26, tzinfo=UTC), minutes=30)
    a = device("aaaaaaaaaaaa", changes=[change("h", 1, "c1", **BASE)], sessions=[session])
    assert merge([a], own_device="aaaaaaaaaaaa").sessions == [session]
    assert merge([a], own_device="bbbbbbbbbbbb").sessions == []


# ---------------------------------------------------------------- order does not matter

names = st.sampled_from(["aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"])
field_edits = st.fixed_dictionaries(
    {},
    optional={
        "name": st.sampled_from(["Walk", "Talk", "Evening walk"]),
        "note": st.text(max_size=5),
        "archived": st.booleans(),
        "at": st.lists(st.sampled_from(["08:00", "19:00"]), unique=True),
    },
)


@st.composite
def devices(draw):
    result = {}
    counter = 0
    for name in draw(st.lists(names, min_size=1, max_size=3, unique=True)):
        changes, checkins, skips, removals = [], [], [], []
        if name == "aaaaaaaaaaaa":
            changes.append(change("h", 0, "create", **BASE))
        for edit in draw(st.lists(field_edits, max_size=4)):
            counter += 1
            changes.append(change("h", draw(st.integers(0, 5)), f"e{counter}", **edit))
        for _ in range(draw(st.integers(0, 4))):
            counter += 1
            checkins.append(checkin(f"{name}-k{counter}", logged_at=f"2026-11-26T10:0{counter % 10}"))
        for _ in range(draw(st.integers(0, 2))):
            counter += 1
            skips.append(Skip(id=f"{name}-s{counter}", habit_id="h", day=DAY))
        for _ in range(draw(st.integers(0, 2))):
            counter += 1
            target = draw(st.sampled_from([f"aaaaaaaaaaaa-k{n}" for n in range(1, 12)] + ["nothing"]))
            removals.append({"id": f"r{counter}", "target": target, "stamp": counter})
        result[name] = device(name, changes=changes, checkins=checkins, skips=skips, removals=removals)
    return list(result.values())


@settings(max_examples=200, deadline=None)
@given(devices(), st.randoms(use_true_random=False))
def test_any_arrival_order_gives_the_same_view(found, rng):
    shuffled = [d._replace(changes=rng.sample(d.changes, len(d.changes))) for d in found]  # stamps decide, not rows
    rng.shuffle(shuffled)
    first, second = merge(found), merge(shuffled)
    assert first.habits == second.habits
    assert sorted(c.id for c in first.checkins) == sorted(c.id for c in second.checkins)
    assert [c.id for c in first.checkins] == [c.id for c in second.checkins]
    assert sorted(s.id for s in first.skips) == sorted(s.id for s in second.skips)
