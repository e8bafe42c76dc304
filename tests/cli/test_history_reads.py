"""Commands that look at part of a long history read only that part: what they show is, byte for byte,
what reading every month (CONNECT_NO_SUMMARY=1) shows.
"""

from __future__ import annotations

import os
import time

import pytest
from test_long_history import (  # noqa: F401  (fixtures)
    home,
    long_home,
    same_as_a_full_read,
)
from test_rituals import Home

from connect_habits.storage.pastfolds import PAST_CACHE_FILE
from support import run_connect


def garble(path) -> None:
    """Garbage of the same length, written in place, with the old time: the cache cannot tell, a read refuses it."""
    info = path.stat()
    with open(path, "r+b") as handle:
        handle.write(b"\x00" * info.st_size)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


LOGS = [
    ("log", "--since", since, *name, *form)
    for since in ("2026-11-12", "2026-11-01", "2026-10-01", "2024-02-29", "2026-11-26", "2026-12-03", "3 days ago")
    for name in ((), ("walk",), ("thanks",))
    for form in ((), ("--json",))
]


def test_a_log_since_a_day_shows_what_a_full_read_shows(connect, home):
    same_as_a_full_read(connect, LOGS)


def test_a_log_since_a_day_reads_no_month_before_it(connect, home):
    assert connect("week").code == 0  # makes the cache
    garble(home / "connect.2024-05.json")
    assert connect("log", "--since", "2026-10-05").code == 0
    assert connect("log", "--since", "2026-10-05", "walk", "--json").code == 0
    assert connect("log").code == 1  # the whole history does read it


PAST_WEEKS = [
    ("week", "--date", day, *form)
    for day in (
        "2025-09-30",  # a week across two months
        "2024-12-31",  # across the new year
        "2023-09-04",  # the week the habits were made
        "2023-08-01",  # before any habit
        "2026-09-22",  # the last week before the folds
        "2026-09-29",  # a week across the folds' first day
        "2024-02-29",
    )
    for form in ((), ("--json",))
] + [("week", "--date", "2025-03-01", "--weeks", "6", "--json"), ("week", "--date", "2024-01-03", "--weeks", "3")]


def test_a_past_week_shows_what_a_full_read_shows(connect, home):
    same_as_a_full_read(connect, PAST_WEEKS)
    assert (home / PAST_CACHE_FILE).exists()
    same_as_a_full_read(connect, PAST_WEEKS)  # again, from the past folds kept


def test_a_past_week_reads_its_own_months_once_the_past_folds_are_kept(connect, home):
    assert connect("week", "--date", "2025-12-10").code == 0  # makes the past folds on the way there
    garble(home / "connect.2024-05.json")
    for day in ("2025-02-12", "2025-08-01", "2024-11-20"):
        assert connect("week", "--date", day).code == 0, day
    assert connect("week", "--date", "2024-05-15").code == 1  # its own month: read, and refused


def test_a_change_before_a_past_fold_is_seen_at_once(connect, home):
    assert connect("week", "--date", "2025-06-10").code == 0
    assert connect("done", "walk", "--date", "2024-03-05").code == 0  # before the folds kept
    assert connect("undo", "perfect", "--date", "2023-10-02").code == 0  # the three-year streak breaks there
    same_as_a_full_read(connect, [("week", "--date", "2025-06-10", "--json"), ("week", "--date", "2024-03-05")])


def age(*folders) -> None:
    """Every file an hour old, as a real history's are: the caches do not trust a file just written."""
    hour_ago = time.time_ns() - 3600 * 10**9
    for folder in folders:
        for path in folder.rglob("*"):
            os.utime(path, ns=(hour_ago, hour_ago))


@pytest.fixture
def letters(tmp_path):
    """Alex and Sam sharing a folder since January 2024: messages and thanks sent now and then, years apart."""
    alex, sam = Home(tmp_path, "alex"), Home(tmp_path, "sam")
    alex.ok(
        "init", "--partner", "Alex", "--partner", "Sam", "--yes", "--habit", "say-thank-you", now="2024-01-05T10:00"
    )
    code = alex.ok("sync", "init", str(tmp_path / "shared"), "--me", "Alex", now="2024-01-05T10:00").out.splitlines()[
        -1
    ]
    sam.ok("sync", "join", str(tmp_path / "shared"), "--me", "Sam", "--code", code, now="2024-01-05T10:05")
    sam.ok("done", "say-thank-you", now="2024-02-10T10:00")  # a month before the first message
    alex.ok("send", "the first", now="2024-03-10T08:00")
    alex.ok("thank", "for the plants", now="2025-07-01T20:00")
    sam.ok("inbox", now="2025-07-02T09:00")  # seen
    sam.ok("thank", "for the letter", now="2025-07-02T09:05")
    alex.ok("send", "see you soon", now="2026-11-20T08:00")
    age(tmp_path)
    return alex, sam, tmp_path


def full(person, *args):
    """The command reading every month, never a cache."""
    return run_connect(person.home, *args, now="2026-12-05T10:00", env={"CONNECT_NO_SUMMARY": "1"})


def test_the_inbox_shows_what_a_full_read_shows(letters):
    alex, sam, _ = letters
    for person in (alex, sam):
        fast = person("inbox", "--json")
        assert fast.code == 0 and fast.out == full(person, "inbox", "--json").out
    listed = sam("inbox", "--json").json()
    assert [(m["text"], m["seen"] is None) for m in listed] == [
        ("see you soon", True),
        ("for the plants", False),
        ("the first", False),
    ]
    assert sam.ok("inbox").out.count("(new)") == 1  # notes it seen
    assert sam("inbox", "--json").out == full(sam, "inbox", "--json").out


def test_the_inbox_reads_no_month_before_the_first_message(letters):
    _, sam, root = letters
    assert sam("inbox", "--json").code == 0  # notes which months hold rituals
    (before,) = (root / "shared").glob("connect-*.2024-02.json")
    garble(before)
    fast = sam("inbox", "--json")
    assert fast.code == 0 and before.name not in fast.err
    assert before.name in full(sam, "inbox", "--json").err  # the whole history reads it (and puts it back)


@pytest.mark.parametrize("now", ["2026-11-26T21:00", "2026-11-01T09:00", "2026-01-01T09:00", "2025-03-31T22:00"])
def test_the_stats_overview_shows_what_a_full_read_shows(connect, home, now):
    same_as_a_full_read(connect, [("stats",), ("stats", "--json"), ("stats", "walk")], now=now)


@pytest.fixture
def shared_long(home, tmp_path):
    """The long history shared: its home sealed into a folder as Sam's, Alex joined and logged some past days."""
    folder, alex = tmp_path / "shared", tmp_path / "alex"
    now = "2026-11-26T09:00"
    made = run_connect(home, "sync", "init", str(folder), "--me", "Sam", now=now)
    assert made.code == 0, made.err
    code = made.out.splitlines()[-1]
    joined = run_connect(alex, "sync", "join", str(folder), "--me", "Alex", "--code", code, now=now)
    assert joined.code == 0, joined.err
    for day in ("2024-03-05", "2025-09-30", "2025-10-01", "2026-02-14"):
        assert run_connect(alex, "done", "walk", "--date", day, now=now).code == 0
    age(home, alex, folder)
    return home, alex, folder


def test_a_past_week_in_a_shared_home_shows_what_a_full_read_shows(shared_long):
    sam, alex, _ = shared_long
    for person in (sam, alex):

        def connect(*args, now, env=None, person=person):
            return run_connect(person, *args, now=now, env=env)

        same_as_a_full_read(connect, PAST_WEEKS)
        assert (person / PAST_CACHE_FILE).exists()
        same_as_a_full_read(connect, PAST_WEEKS)  # again, from the past folds kept


def test_a_past_week_in_a_shared_home_reads_its_own_months(shared_long):
    sam, _, folder = shared_long
    assert run_connect(sam, "week", "--date", "2025-12-10").code == 0  # the past folds on the way there
    (old,) = folder.glob("connect-*.2024-05.json")  # Sam's alone: Alex logged nothing that month
    garble(old)
    for day in ("2025-02-12", "2025-08-01"):
        result = run_connect(sam, "week", "--date", day)
        assert result.code == 0 and old.name not in result.err, (day, result.err)
    assert old.name in run_connect(sam, "week", "--date", "2024-05-15").err  # its own month: read, and put back


def test_a_conflict_copy_in_a_shared_folder_sends_a_past_week_to_the_whole_read(shared_long):
    sam, _, folder = shared_long
    month = sorted(folder.glob("connect-*.2025-09.json"))[0]
    copy = month.with_name(month.name.replace(".json", ".sync-conflict-20261120-101010-ABCDEFG.json"))
    copy.write_bytes(month.read_bytes())
    connect = lambda *args, now, env=None: run_connect(sam, *args, now=now, env=env)  # noqa: E731
    same_as_a_full_read(connect, [("week", "--date", "2025-09-30", "--json")])


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.mkdir(),
        lambda path: path.write_text("not json"),
        lambda path: path.write_text('{"x": [1, 2, 3]}'),
    ],
    ids=["a folder", "not JSON", "a short entry"],
)
def test_a_damaged_index_of_ritual_months_is_as_good_as_none(letters, damage):
    _, sam, _ = letters
    assert sam("inbox", "--json").code == 0
    index = sam.home / "ritual-months.json"
    if index.exists():
        index.unlink()
    damage(index)
    fast = sam("inbox", "--json")
    assert fast.code == 0, fast.err
    assert fast.out == full(sam, "inbox", "--json").out


def test_the_past_folds_keep_the_first_of_each_quarter_and_no_more(connect, home):
    import json

    for day in ("2024-02-14", "2024-05-20", "2024-08-07", "2025-01-22", "2025-06-18"):
        assert connect("week", "--date", day).code == 0
    kept = [entry["at"] for entry in json.loads((home / PAST_CACHE_FILE).read_text())["entries"]]
    marks = [at for at in kept if at[5:] in ("01-01", "04-01", "07-01", "10-01")]
    assert len(kept) - len(marks) <= 1  # the point the last view made, beside the marks
    assert len(marks) >= 6


ONE_HABIT = [
    *[("stats", slug, "--json") for slug in ("walk", "unplug", "plants", "perfect")],
    ("stats", "thanks", "--by", "Sam", "--json"),  # a habit each of you does: one partner's record
    ("stats", "walk", "--weeks", "200"),
    ("log", "--since", "2025-10-01", "walk", "--json"),
    # and reads of every habit
    ("stats", "--json"),
    ("week", "--date", "2026-06-10", "--json"),
    ("week", "--date", "2026-03-03"),
    ("log", "--since", "2026-05-20", "--json"),
]


def test_a_read_from_the_months_slices_shows_what_a_full_read_shows(connect, home):
    same_as_a_full_read(connect, ONE_HABIT)  # reads the months, and keeps them cut by habit
    sliced = sorted(p.name for p in (home / "slices").iterdir())
    assert "connect.2025-12.json" in sliced
    same_as_a_full_read(connect, ONE_HABIT)  # from the slices
    assert connect("done", "walk", "--date", "2026-06-10", now="2026-11-26T21:00").code == 0
    assert connect("undo", "perfect", "--date", "2026-03-03", now="2026-11-26T21:00").code == 0  # kept every day
    age(home)  # the changed months look as old as their slices: only their inode and size tell them apart
    same_as_a_full_read(connect, ONE_HABIT)


def test_a_damaged_slice_is_read_past(connect, home):
    same_as_a_full_read(connect, ONE_HABIT[:1])
    for entry in (home / "slices").iterdir():
        entry.write_bytes(entry.read_bytes()[:-7])
    same_as_a_full_read(connect, ONE_HABIT)


def test_a_read_in_a_sealed_shared_folder_from_its_slices_shows_what_a_full_read_shows(letters):
    alex, sam, _ = letters
    for person in (alex, sam):
        for _ in range(2):  # the second time from the slices
            for args in (("stats", "say-thank-you", "--json"), ("stats", "--json"), ("log", "--since", "2024-01-01")):
                fast = run_connect(person.home, *args, now="2026-12-05T10:00")
                assert fast.code == 0 and fast.out == full(person, *args).out, args
        assert list((person.home / "slices").iterdir())
