"""The order habits are shown in and their groups: `connect move`, `--group` on `add` and `edit`, headings in
`week`, `list` and `stats`, `group` in their JSON; through the real `connect` (clock pinned to NOW)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from support import NOW, one_error_line, raw_tables, run_connect


@pytest.fixture
def plan(connect):
    """Five habits: two without a group, two in Evenings (one typed in another case), one in Mornings."""
    for args in (
        ("Walk together", "--every", "mon,wed,sat"),
        ("Read aloud", "--group", "Evenings"),
        ("Tech-free time", "--goal", "2h/week"),
        ("Massage", "--group", "evenings"),
        ("Breakfast", "--group", "Mornings"),
    ):
        assert connect("add", *args).code == 0
    return connect


def slugs(connect, *args: str) -> list[str]:
    return [h["slug"] for h in connect("list", "--json", *args).json()]


SHOWN = ["walk-together", "tech-free-time", "read-aloud", "massage", "breakfast"]


def test_habits_show_under_their_group_s_heading_in_list_week_and_stats(plan):
    added = plan("add", "Cuddle", "--group", "Evenings")
    assert added.out.startswith("Added 'Cuddle' (daily, in Evenings).")
    listed = plan("list").out.splitlines()
    assert [line.split("  ")[0] for line in listed] == [
        "Walk together",
        "Tech-free time",
        "── Evenings",
        "Read aloud",
        "Massage",
        "Cuddle",  # a new habit goes last, in its group
        "── Mornings",
        "Breakfast",
    ]
    week = plan("week").out.splitlines()
    headed = [line.split("  ")[0].strip() for line in week[3:11]]
    assert headed == [line.split("  ")[0] for line in listed]
    stats = plan("stats").out.splitlines()
    assert [line.split("  ")[0] for line in stats[1:9]] == [line.split("  ")[0] for line in listed]
    # Several weeks side by side: the same headings.
    weeks = plan("week", "--weeks", "2").out.splitlines()
    assert [line for line in weeks if line.startswith("──")] == ["── Evenings", "── Mornings"]


def test_json_carries_the_group_in_the_order_shown(plan):
    listed = plan("list", "--json").json()
    assert [(h["slug"], h["group"]) for h in listed] == [
        ("walk-together", None),
        ("tech-free-time", None),
        ("read-aloud", "Evenings"),
        ("massage", "Evenings"),  # typed "evenings": the group's spelling
        ("breakfast", "Mornings"),
    ]
    assert all("position" not in h for h in listed)  # the list's order is the order
    week = plan("week", "--json").json()
    assert [(h["slug"], h["group"]) for h in week["habits"]] == [(h["slug"], h["group"]) for h in listed]
    stats = plan("stats", "--json").json()
    assert [(h["slug"], h["group"]) for h in stats["habits"]] == [(h["slug"], h["group"]) for h in listed]
    assert plan("stats", "massage", "--json").json()["group"] == "Evenings"
    assert plan("stats", "walk", "--json").json()["group"] is None


def test_a_home_without_groups_looks_as_before(connect):
    connect("add", "Walk together")
    connect("add", "Thanks")
    assert "──" not in connect("week").out + connect("list").out + connect("stats").out
    assert slugs(connect) == ["walk-together", "thanks"]


def test_move_before_another_or_to_a_place(plan):
    moved = plan("move", "tech", "--to", "1")
    assert (moved.code, moved.out) == (0, "Moved 'Tech-free time' to place 1 of 5.\n")
    assert slugs(plan) == ["tech-free-time", "walk-together", "read-aloud", "massage", "breakfast"]
    assert plan("move", "massage", "--before", "read").out == "Moved 'Massage' to place 3 of 5, in Evenings.\n"
    assert slugs(plan) == ["tech-free-time", "walk-together", "massage", "read-aloud", "breakfast"]
    # A group moves with its first habit; the habits without a group stay first, and the command says so.
    moved = plan("move", "breakfast", "--to", "1")
    assert moved.out.splitlines() == [
        "Moved 'Breakfast' to place 3 of 5, in Mornings.",
        "(The habits of a group stay together, and those without a group come first.)",
    ]
    assert slugs(plan) == ["tech-free-time", "walk-together", "breakfast", "massage", "read-aloud"]
    assert plan("move", "breakfast", "--to", "3").out == "'Breakfast' is already there: place 3 of 5, in Mornings.\n"
    week = plan("week", "--json").json()
    assert [h["slug"] for h in week["habits"]] == slugs(plan)


def test_a_move_records_only_the_habits_whose_place_changed(plan, home):
    before = len(raw_tables(home)["habit_changes"])
    plan("move", "tech", "--to", "1")  # numbered as shown: tech 1, walk 2, read 3; the two after keep theirs
    changes = raw_tables(home)["habit_changes"][before:]
    assert sorted(c["fields"]["position"] for c in changes) == [1, 2, 3]
    assert all(set(c["fields"]) == {"position"} for c in changes)
    before = len(raw_tables(home)["habit_changes"])
    plan("move", "tech", "--to", "1")
    assert len(raw_tables(home)["habit_changes"]) == before


def test_an_archived_habit_keeps_out_of_the_places_and_comes_back_to_its_own(plan):
    plan("remove", "walk")
    assert "'Walk together' is archived" in one_error_line(plan("move", "walk", "--to", "1"))
    assert plan("move", "breakfast", "--to", "4").out.startswith("Moved 'Breakfast' to place 4 of 4")
    plan("edit", "walk", "--restore")
    assert slugs(plan)[0] == "walk-together"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("tech", "--before", "tech-free"), 1, "Error: 'Tech-free time' cannot go before itself; name another habit."),
        (("tech", "--to", "6"), 1, "Error: --to 6 is not a place in the list; there are 5 active habits (1 to 5)."),
        (("tech", "--to", "0"), 1, "Error: --to 0 is not a place in the list; there are 5 active habits (1 to 5)."),
        (("tech", "--to", "-2"), 1, "Error: --to -2 is not a place in the list"),
        (("tech", "--to", "1", "--before", "walk"), 2, "Error: Use either --before or --to, not both."),
        (("tech",), 2, "Error: Say where it goes: --before OTHER or --to N."),
        (("nothing", "--to", "1"), 1, "Error: There is no habit 'nothing'"),
        (("tech", "--before", "nothing"), 1, "Error: There is no habit 'nothing'"),
        (("tech", "--to", "two"), 2, "Error: Invalid value for '--to'"),
    ],
)
def test_a_move_that_cannot_be_done_is_one_sentence(plan, home, args, code, message):
    before = raw_tables(home)
    assert one_error_line(plan("move", *args), code).startswith(message)
    assert raw_tables(home) == before


def test_edit_puts_a_habit_in_a_group_or_takes_it_out(plan):
    edited = plan("edit", "walk", "--group", "EVENINGS")
    assert edited.out.splitlines() == [
        "Updated 'Walk together' (mon,wed,sat, in Evenings).",
        "Changed: group none → Evenings.",
    ]
    assert slugs(plan) == ["tech-free-time", "read-aloud", "massage", "walk-together", "breakfast"]  # last in it
    assert plan("edit", "massage", "--group", "none").out.splitlines()[1] == "Changed: group Evenings → none."
    assert slugs(plan) == ["tech-free-time", "massage", "read-aloud", "walk-together", "breakfast"]
    plan("edit", "breakfast", "--group", "")
    assert [h["group"] for h in plan("list", "--json").json()] == [None, None, None, "Evenings", "Evenings"]
    assert "group name" in one_error_line(plan("edit", "walk", "--group", "x" * 81))
    assert "group name" in one_error_line(plan("add", "Tea", "--group", "a\tb"))


def test_headings_fit_the_width_and_speak_ascii(connect):
    long = "A group with a name far too long for a narrow terminal, and then some more words"
    connect("add", "Walk together")
    commands = (("week",), ("list",), ("stats",), ("week", "--weeks", "2"))
    widths = ("60", "80", "200")
    plain = {(c, w): connect(*c, env={"COLUMNS": w}).out.splitlines() for c in commands for w in widths}
    connect("edit", "walk", "--group", long)
    for command in commands:
        for width in widths:
            result = connect(*command, env={"COLUMNS": width})
            assert result.code == 0, result.err
            [heading] = [line for line in result.out.splitlines() if line.startswith("──")]
            assert heading.startswith("── A group with") and len(heading) <= int(width), heading
            # The heading is a line of its own: every other line is as it was without it.
            assert [line for line in result.out.splitlines() if line != heading] == plain[command, width]
    plain = connect("list", env={"LC_ALL": "C"}).out
    assert plain.splitlines()[0].startswith("-- A group with a name far too long")


def test_the_fast_path_and_typer_show_the_same(plan):
    plan("move", "breakfast", "--before", "read")
    for command in (("week",), ("list",), ("stats",), ("week", "--json"), ("list", "--json"), ("stats", "--json")):
        fast = plan(*command)
        slow = plan(*command, env={"CONNECT_NO_FASTPATH": "1"})
        assert (fast.code, fast.out, fast.err) == (slow.code, slow.out, slow.err), command


def test_a_file_from_before_order_and_groups_is_read_and_upgraded(connect, home):
    for name in ("First", "Second", "Third"):
        connect("add", name)
    path = home / "connect.json"
    data = json.loads(path.read_text())
    for change in data["habit_changes"].values():
        change["fields"].pop("group")
        change["fields"].pop("position")
    path.write_text(json.dumps(data))
    assert slugs(connect) == ["first", "second", "third"]  # as created
    assert [h["group"] for h in connect("list", "--json").json()] == [None, None, None]
    connect("add", "Fourth")
    assert connect("move", "third", "--to", "1").code == 0
    assert slugs(connect) == ["third", "first", "second", "fourth"]


def test_a_backup_keeps_the_order_and_groups_and_a_merged_one_goes_after_the_own(plan, tmp_path):
    plan("move", "breakfast", "--before", "read")
    backup = tmp_path / "backup.json"
    plan("export", "-o", str(backup))
    restored = tmp_path / "restored"
    assert run_connect(restored, "import", str(backup)).code == 0
    assert json.loads(run_connect(restored, "list", "--json").out) == plan("list", "--json").json()
    merged = tmp_path / "merged"
    run_connect(merged, "add", "Own habit")
    run_connect(merged, "add", "Own evening", "--group", "Evenings")
    assert run_connect(merged, "import", str(backup), "--merge").code == 0
    listed = json.loads(run_connect(merged, "list", "--json").out)
    assert [(h["name"], h["group"]) for h in listed] == [
        ("Own habit", None),
        ("Walk together", None),
        ("Tech-free time", None),
        ("Own evening", "Evenings"),
        ("Read aloud", "Evenings"),
        ("Massage", "Evenings"),
        ("Breakfast", "Mornings"),
    ]


def test_completion_offers_habits_to_move_and_the_groups(plan, home):
    def complete(*words: str) -> list[str]:
        env = {"_CONNECT_COMPLETE": "words", "COMP_WORDS": " ".join(("connect", *words)), "COMP_CWORD": str(len(words))}
        return run_connect(home, env=env).out.split()

    assert "massage" in complete("move", "")
    assert "read-aloud" in complete("move", "massage", "--before", "")
    assert complete("add", "Tea", "--group", "") == ["Evenings", "Mornings"]


# ---------------------------------------------------------------- two machines


def test_two_machines_that_reorder_and_group_at_once_lose_nothing_and_agree(tmp_path):
    """Alex and Sam each move and group habits before their sync tool has carried the other's file."""
    alex, sam = tmp_path / "alex", tmp_path / "sam"
    alex_folder, sam_folder = tmp_path / "alex-sync", tmp_path / "sam-sync"

    def run(home: Path, *args: str, now: str = NOW):
        result = run_connect(home, *args, now=now)
        assert result.code == 0 and not result.err, (args, result.out, result.err)
        return result

    def carry(source: Path, target: Path) -> None:  # the sync tool
        for path in source.glob("connect-*.json"):
            shutil.copyfile(path, target / path.name)

    code = run(alex, "sync", "init", str(alex_folder), "--me", "Alex", now="2026-11-23T10:00").out.splitlines()[-1]
    for name in ("Walk", "Talk", "Read", "Cook", "Plan"):
        run(alex, "add", name, now="2026-11-23T10:01")
    sam_folder.mkdir()
    carry(alex_folder, sam_folder)
    run(sam, "sync", "join", str(sam_folder), "--me", "Sam", "--code", code, now="2026-11-23T10:05")
    # At once: Alex moves Plan to the top and puts Read in Evenings; Sam moves Walk last and Cook into Evenings.
    run(alex, "move", "plan", "--to", "1", now="2026-11-24T09:00")
    run(alex, "edit", "read", "--group", "Evenings", now="2026-11-24T09:01")
    run(sam, "move", "walk", "--to", "5", now="2026-11-24T10:00")
    run(sam, "edit", "cook", "--group", "Evenings", now="2026-11-24T10:01")
    run(sam, "move", "talk", "--before", "plan", now="2026-11-24T10:02")
    carry(alex_folder, sam_folder)
    carry(sam_folder, alex_folder)
    views = [json.loads(run(home, "list", "--json").out) for home in (alex, sam)]
    assert views[0] == views[1]
    assert sorted(h["name"] for h in views[0]) == ["Cook", "Plan", "Read", "Talk", "Walk"]
    groups = [h["group"] for h in views[0]]
    assert groups == sorted(groups, key=lambda g: g is not None)  # the ungrouped first, the group together
    assert {h["name"] for h in views[0] if h["group"] == "Evenings"} == {"Read", "Cook"}
    weeks = [run(home, "week").out for home in (alex, sam)]
    assert weeks[0] == weeks[1] and weeks[0].count("── Evenings") == 1
    # Moving again after the sync puts everything in one clear order on both.
    run(alex, "move", "walk", "--to", "1", now="2026-11-25T09:00")
    carry(alex_folder, sam_folder)
    assert [h["name"] for h in json.loads(run(sam, "list", "--json").out)][0] == "Walk"
