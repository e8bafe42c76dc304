"""The order habits are shown in and their groups (core/order.py): table tests of every rule, and the merge of
two devices that reorder at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from connect_habits.core.habits import HabitOptions, changed_habit, new_habit
from connect_habits.core.model import Habit, parse_cadence
from connect_habits.core.order import in_order, joined_position, moved, next_position, parse_group
from connect_habits.errors import InvalidInput
from connect_habits.storage.merge import DeviceData, merge
from connect_habits.storage.records import habit_fields, habit_from_fields

DAY = date(2026, 11, 26)


def habits(spec: str) -> list[Habit]:
    """`a b:Eve c:Eve/3 d! e:Mor/0`: habits in the order created; `:group`, `/position` (else 1, 2, 3...) and
    `!` (archived) as written."""
    made = []
    for n, word in enumerate(spec.split(), start=1):
        archived = word.endswith("!")
        word = word.rstrip("!")
        word, _, position = word.partition("/")
        name, _, group = word.partition(":")
        made.append(
            Habit(
                id=name,
                name=name,
                slug=name,
                cadence=parse_cadence("daily"),
                created=DAY,
                archived=archived,
                group=group,
                position=int(position) if position else n,
            )
        )
    return made


def names(found) -> str:
    return " ".join(h.name for h in found)


@pytest.mark.parametrize(
    ("spec", "shown"),
    [
        ("a b c", "a b c"),
        ("a/3 b/1 c/2", "b c a"),
        ("a/0 b/0 c/0", "a b c"),  # habits from before there was an order: as created
        ("a/2 b/1 c/1", "b c a"),  # equal positions (two devices added at once): as created
        ("a:E b c:E d", "b d a c"),  # the ungrouped first, then each group together
        ("a:E b:M c:E d:M", "a c b d"),  # the groups in the order of their first habit
        ("a:E/5 b:M/2 c:E/1 d:M/9", "c a b d"),
        ("a:E! b:M c:E", "b a c"),  # an archived habit does not place its group (but keeps its place in it)
        ("a:X! b", "b a"),  # a group of archived habits only: at the end
        ("a:E b:e", "a b"),  # groups are told apart by their exact spelling
        ("", ""),
    ],
)
def test_the_order_shown(spec, shown):
    assert names(in_order(habits(spec))) == shown


@pytest.mark.parametrize(
    ("spec", "move", "where", "shown", "changed"),
    [
        ("a b c d", "d", "to 1", "d a b c", "d a b c"),
        ("a b c d", "a", "to 4", "b c d a", "b c d a"),
        ("a b c d", "c", "to 2", "a c b d", "c b"),  # only the habits whose number changes
        ("a b c d", "b", "to 2", "a b c d", ""),  # already there
        ("a b c d", "d", "before b", "a d b c", "d b c"),
        ("a b c d", "a", "before d", "b c a d", "b c a"),
        ("a b c d", "b", "before c", "a b c d", ""),
        ("a/0 b/0 c/0", "c", "to 1", "c a b", "c a b"),  # from before there was an order: numbered now
        ("a b! c d", "d", "to 2", "a d c", "d"),  # places among the active habits; the archived keep theirs
        ("a b:E c:E d", "c", "before b", "a d c b", "d b"),  # within a group (d is numbered as it is shown)
        ("a b:E c:E d:M", "d", "to 1", "a d b c", "d b c"),  # the group of the first of its habits goes first
        ("a b:E c:E d:M", "d", "before b", "a d b c", "d b c"),
        ("a b:E c:E d", "d", "before c", "a d b c", "d b c"),  # an ungrouped habit stays with the ungrouped
        ("a b:E c:E d", "b", "to 1", "a d b c", "d b c"),  # the ungrouped stay first
    ],
)
def test_moving_a_habit(spec, move, where, shown, changed):
    found = habits(spec)
    habit = next(h for h in found if h.name == move)
    how, _, value = where.partition(" ")
    before = next(h for h in found if h.name == value) if how == "before" else None
    to = int(value) if how == "to" else None
    changes, order = moved(found, habit, before, to)
    assert names(order) == shown
    assert [h.position for h in order] == list(range(1, len(order) + 1))
    assert names(changes) == changed
    current = {h.id: h for h in found}
    assert all(current[h.id].position != h.position for h in changes)
    after = {**current, **{h.id: h for h in changes}}
    assert names(h for h in in_order(list(after.values())) if not h.archived) == shown


@pytest.mark.parametrize(
    ("move", "before", "to", "message"),
    [
        ("a", "a", None, "'a' cannot go before itself"),
        ("a", None, 0, "--to 0 is not a place in the list; there are 3 active habits (1 to 3)."),
        ("a", None, 4, "--to 4 is not a place"),
        ("a", None, -1, "--to -1 is not a place"),
        ("a", None, None, "Say where it goes"),
        ("a", "b", 1, "Say where it goes"),
    ],
)
def test_a_move_that_cannot_be_done_says_why(move, before, to, message):
    found = habits("a b c d!")
    by_name = {h.name: h for h in found}
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        moved(found, by_name[move], by_name.get(before), to)


@pytest.mark.parametrize(
    ("typed", "group"),
    [
        ("Evenings", "Evenings"),
        ("  Evenings ", "Evenings"),
        ("evenings", "Evenings"),  # an existing group keeps its spelling
        ("MORNINGS", "MORNINGS"),
        ("none", ""),
        ("None", ""),
        ("", ""),
        ("Sunday 🌞", "Sunday 🌞"),
    ],
)
def test_a_group_as_typed(typed, group):
    assert parse_group(typed, habits("a:Evenings b")) == group


@pytest.mark.parametrize("typed", ["x" * 81, "tab\there", "hidden\u200b"])
def test_a_group_name_follows_the_rules_of_a_name(typed):
    with pytest.raises(InvalidInput, match="group name"):
        parse_group(typed, [])


@pytest.mark.parametrize(
    ("spec", "habit", "group", "position"),
    [
        ("a b:E c:E", "a", "E", 4),  # joins a group with habits in it: last in it
        ("a b:E c:E", "a", "F", 1),  # a new group: where the habit was
        ("a b:E c:E", "b", "E", 2),  # no change
        ("a:E b c:E", "b", "E", 4),
        ("a:E c:E b", "b", "E", 3),  # already after the group's habits: stays
        ("a b:E c:E", "c", "", 3),  # leaves its group: after the ungrouped already
        ("a b:E c", "b", "", 4),  # leaves its group: last among the ungrouped
        ("a b:E c:E!", "a", "E", 4),
        ("a b c:E!", "a", "E", 1),  # a group of archived habits only is as good as new
    ],
)
def test_a_habit_that_changes_group(spec, habit, group, position):
    found = habits(spec)
    assert joined_position(found, next(h for h in found if h.name == habit), group) == position


def test_a_new_habit_goes_last_and_an_edit_moves_it_into_its_group():
    assert next_position([]) == 1
    assert next_position(habits("a/0 b/0")) == 1
    assert next_position(habits("a/7 b/2")) == 8
    found = habits("a b:Evenings c")
    added = new_habit(found, "Read", HabitOptions(group="evenings"), DAY)
    assert (added.group, added.position) == ("Evenings", 4)
    assert names(in_order([*found, added])) == "a c b Read"
    edited = changed_habit(found, found[0], HabitOptions(group="Evenings"))
    assert (edited.group, edited.position) == ("Evenings", 4)
    assert changed_habit(found, found[1], HabitOptions(group="none")).group == ""
    assert changed_habit(found, found[1], HabitOptions(note="x")).group == "Evenings"


def test_stored_fields_round_trip_and_older_records_get_the_defaults():
    habit = habits("a:Evenings/7")[0]
    fields = habit_fields(habit)
    assert (fields["group"], fields["position"]) == ("Evenings", 7)
    assert habit_from_fields("a", fields, checked=True) == habit
    older = {k: v for k, v in fields.items() if k not in ("group", "position")}
    assert habit_from_fields("a", older, checked=True)._replace(group="Evenings", position=7) == habit
    assert habit_from_fields("a", {**fields, "group": None}, checked=True).group == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [("position", -1), ("position", "3"), ("position", True), ("position", 10**10), ("group", 3), ("group", "a\nb")],
)
def test_a_stored_field_connect_would_not_write_is_refused(field, value):
    from connect_habits.storage.records import RecordError

    with pytest.raises(RecordError, match=field):
        habit_from_fields("a", {**habit_fields(habits("a")[0]), field: value}, checked=True)


# ---------------------------------------------------------------- two devices at once


def _device(name: str, changes: list[dict]) -> DeviceData:
    return DeviceData(path=Path(f"connect-{name}.json"), device=name, changes=changes)


def _change(habit: Habit, stamp: int, cid: str, **fields) -> dict:
    return {"id": cid, "habit": habit.id, "stamp": stamp, "fields": fields or habit_fields(habit)}


def test_two_devices_that_reorder_and_group_at_once_lose_nothing_and_agree():
    found = habits("a b c d e")
    created = [_change(h, n, f"c{n}") for n, h in enumerate(found, start=1)]
    # Alex moves e to the top; Sam, not having seen it, moves a to the end and puts b and e in a group.
    alex_changes, _ = moved(found, found[4], to=1)
    sam_changes, _ = moved(found, found[0], to=5)
    alex = [_change(h, 100 + n, f"a{n}", position=h.position) for n, h in enumerate(alex_changes)]
    sam = [_change(h, 200 + n, f"s{n}", position=h.position) for n, h in enumerate(sam_changes)]
    sam += [_change(found[1], 300, "g1", group="Evenings"), _change(found[4], 301, "g2", group="Evenings")]
    a = _device("aaaaaaaaaaaa", created + alex)
    b = _device("bbbbbbbbbbbb", sam)
    views = [merge([a, b]).habits, merge([b, a]).habits, merge([b, a], own_device="bbbbbbbbbbbb").habits]
    assert views[0] == views[1] == views[2]
    assert sorted(h.name for h in views[0]) == ["a", "b", "c", "d", "e"]
    assert names(views[0]) == "c d a b e"  # Sam's later moves win habit by habit; the group stays together
    assert [h.group for h in views[0]] == ["", "", "", "Evenings", "Evenings"]
