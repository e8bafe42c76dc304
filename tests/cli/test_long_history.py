"""Years of history through the real CLI: reading the recent months and the summary cache gives,
byte for byte, what reading every month gives; and the cache is remade whenever what it sums up changes.
"""

from __future__ import annotations

import json
import os
import random
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from connect_habits.core.model import (
    WEEKLY,
    CheckIn,
    Habit,
    Skip,
    new_id,
    parse_cadence,
    parse_goal,
)
from connect_habits.storage.cache import CACHE_FILE, CACHE_VERSION, SummaryCache
from connect_habits.storage.config import Config, load_config, save_config
from connect_habits.storage.paths import resolve_paths
from connect_habits.storage.store import Store

TODAY = date(2026, 11, 26)
NOW = "2026-11-26T21:00"
START = date(2023, 9, 4)
RHYTHMS = {  # slug: (cadence, goal, who, share of due days kept)
    "walk": ("daily", None, "together", 0.93),
    "talk": ("mon,wed,fri", None, "together", 0.8),
    "dinner": ("3/week", None, "together", 0.85),
    "unplug": (None, "2h/week", "together", 0.9),
    "thanks": ("daily", None, "each", 0.9),
    "plants": ("every 3 days", None, "together", 0.75),
    "run": ("daily", "20m/day", "together", 0.7),
    "perfect": ("daily", None, "together", 1.0),  # a streak three years long
}
COMMANDS = [
    ("week", "--json"),
    ("week",),
    ("week", "--weeks", "5", "--json"),
    ("week", "--date", "2026-11-10", "--json"),
    ("week", "--date", "2025-02-12", "--json"),
    ("stats", "--json"),
    ("stats",),
    ("list", "--json"),
    ("remind", "--json"),
    *[("stats", slug, "--json") for slug in RHYTHMS],
    ("stats", "walk", "--weeks", "200"),
]


def build_home(home: Path, seed: int = 7) -> None:
    """Three years of check-ins, notes and skips for eight habits, written through the store."""
    rng = random.Random(seed)
    save_config(home / "config.toml", Config(partners=("Alex", "Sam")))
    store = Store(resolve_paths({"CONNECT_HOME": str(home)}))
    checkins, skips, habits = [], [], []
    for slug, (cadence, goal, who, kept) in RHYTHMS.items():
        parsed = parse_goal(goal) if goal else None
        rule = WEEKLY if parsed and parsed.per == "week" else parse_cadence(cadence)
        habit = Habit(id=new_id(), name=slug.title(), slug=slug, cadence=rule, created=START, goal=parsed, who=who)
        habits.append(habit)
        day = START
        while day < TODAY:
            people = ["Alex", "Sam"] if who == "each" else [rng.choice(["Alex", "Sam"])]
            for person in people:
                if rng.random() < kept:
                    minutes = rng.choice([20, 30, 45]) if parsed else None
                    checkins.append(
                        CheckIn(
                            id=new_id(),
                            habit_id=habit.id,
                            day=day,
                            minutes=minutes,
                            by=person,
                            logged_at=f"{day.isoformat()}T20:00:00",
                            note=rng.choice(["", "", "ok"]),
                        )
                    )
            if slug != "perfect" and rng.random() < 0.03:
                skips.append(Skip(id=new_id(), habit_id=habit.id, day=day))
            day += timedelta(days=1)
    with store.transaction() as tx:
        for habit in habits:
            tx.add_habit(habit)
        tx.add_checkins(checkins)
        tx.add_skips(skips)


@pytest.fixture(scope="module")
def long_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("long") / "home"
    build_home(home)
    hour_ago = time.time_ns() - 3600 * 10**9
    for path in home.iterdir():  # written long ago, as a real history is: the cache does not trust a fresh file
        os.utime(path, ns=(hour_ago, hour_ago))
    return home


def same_as_a_full_read(connect, commands=COMMANDS, now: str = NOW) -> None:
    for args in commands:
        fast = connect(*args, now=now)
        full = connect(*args, now=now, env={"CONNECT_NO_SUMMARY": "1"})
        assert fast.code == 0, (args, fast.err)
        assert (fast.out, fast.err) == (full.out, full.err), args


@pytest.fixture
def home(long_home, tmp_path) -> Path:
    """A fresh copy of the long history for each test (the cache included once a command has made it)."""
    import shutil

    copy = tmp_path / "home"
    shutil.copytree(long_home, copy)
    return copy


def test_every_reading_command_shows_what_a_full_read_shows(connect, home):
    same_as_a_full_read(connect)
    assert (home / CACHE_FILE).exists()
    assert connect("stats", "perfect", "--json").json()["streak"] == (TODAY - START).days


def test_old_months_are_not_read_while_the_cache_holds(connect, home):
    assert connect("week").code == 0  # makes the cache
    old = home / "connect.2024-05.json"
    info = old.stat()
    # Garbage of the same length, written in place, with the old time: the cache cannot tell.
    with open(old, "r+b") as handle:
        handle.write(b"\x00" * info.st_size)
    os.utime(old, ns=(info.st_atime_ns, info.st_mtime_ns))
    for args in (("week", "--json"), ("done", "walk"), ("stats", "walk"), ("list",)):
        assert connect(*args).code == 0, args
    full = connect("week", env={"CONNECT_NO_SUMMARY": "1"})
    assert full.code == 1 and str(old) in full.err  # a full read does read it, and refuses it


def test_a_change_to_last_month_remakes_this_months_fold_from_last_months(connect, home):
    assert connect("week").code == 0  # makes the folds at the first of last month and of this month
    assert cache_points(home) == ["2026-11-01", "2026-10-01"]
    october = {date(2026, 10, 1) + timedelta(days=n) for n in range(31)}
    missed = min(october - logged_days(home, "dinner"))
    old = home / "connect.2024-05.json"
    info = old.stat()
    with open(old, "r+b") as handle:  # garbage that no command may read while last month's fold holds
        handle.write(b"\x00" * info.st_size)
    os.utime(old, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert connect("done", "dinner", "--date", missed.isoformat()).code == 0
    assert connect("undo", "perfect", "--date", "2026-10-15").code == 0
    for args in (("week", "--json"), ("list",), ("done", "walk"), ("stats", "walk")):
        assert connect(*args).code == 0, args
    assert cache_points(home) == ["2026-11-01", "2026-10-01"]
    assert "streak 42 days" in connect("done", "perfect").out  # from 2026-10-16: the undo is seen


def test_an_old_month_replaced_while_this_months_fold_is_made_is_not_taken_for_the_one_summed_up(
    connect, home, monkeypatch
):
    assert connect("week").code == 0
    missed = min({date(2026, 10, 1) + timedelta(days=n) for n in range(31)} - logged_days(home, "dinner"))
    assert connect("done", "dinner", "--date", missed.isoformat()).code == 0  # this month's fold must be made again
    hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(home / "connect.2026-10.json", ns=(hour_ago, hour_ago))  # written a while ago: not racy
    paths = resolve_paths({"CONNECT_HOME": str(home)})
    perfect = next(h.id for h in Store(paths).load().habits if h.slug == "perfect")
    old = home / "connect.2024-05.json"
    info = old.stat()
    data = json.loads(old.read_bytes())  # the same month without the perfect habit's check-ins
    data["checkins"] = {key: r for key, r in data["checkins"].items() if r["habit"] != perfect}
    made_from = SummaryCache._folds_from_cache

    def replaced_meanwhile(self, *args):
        # As a sync tool or a restore delivers a file: a new inode, with the source's (old) times.
        if not old.with_suffix(".new").exists():
            old.with_suffix(".new").write_text(json.dumps(data))
            os.utime(old.with_suffix(".new"), ns=(info.st_atime_ns, info.st_mtime_ns))
            os.replace(old.with_suffix(".new"), old)
            old.with_suffix(".new").touch()
        return made_from(self, *args)

    monkeypatch.setattr(SummaryCache, "_folds_from_cache", replaced_meanwhile)
    Store(paths, load_config(paths.config_file)).load(date(2026, 11, 23), TODAY)
    monkeypatch.undo()
    old.with_suffix(".new").unlink()
    same_as_a_full_read(connect, [("week", "--json"), ("list", "--json"), ("stats", "--json")])


def cache_points(home: Path) -> list[str]:
    return [entry["at"] for entry in json.loads((home / CACHE_FILE).read_text())["entries"]]


def logged_days(home: Path, slug: str) -> set[date]:
    snapshot = Store(resolve_paths({"CONNECT_HOME": str(home)})).load()
    habit = next(h for h in snapshot.habits if h.slug == slug)
    return {c.day for c in snapshot.checkins if c.habit_id == habit.id}


@pytest.mark.parametrize(
    "change",
    [
        ("done", "walk", "--date", "{missed in 2024-03}"),  # back-dated into an old month
        ("done", "dinner", "--date", "{missed in 2026-10}"),  # into last month: this month's fold is made again
        ("undo", "perfect", "--date", "{logged in 2026-10}"),  # the current streak now begins in October
        ("undo", "walk", "--date", "{logged in 2025-07}"),  # an old check-in taken back
        ("skip", "talk", "--from", "2024-01-01", "--to", "2024-02-15"),
        ("edit", "dinner", "--every", "6/week"),  # new rules for the whole history
        ("edit", "walk", "--rename", "Evening walk"),  # a rename changes nothing the fold depends on
    ],
)
def test_a_change_to_what_the_cache_sums_up_is_seen_at_once(connect, home, change):
    assert connect("week").code == 0
    habit = change[1]
    before = connect("stats", habit, "--json").json()
    if change[-1].startswith("{"):
        kind, month = change[-1].strip("{}").split(" in ")
        logged = logged_days(home, habit)
        days = [date.fromisoformat(f"{month}-01") + timedelta(days=n) for n in range(28)]
        day = next(d for d in days if (d in logged) == (kind == "logged"))
        change = (*change[:-1], day.isoformat())
    assert connect(*change).code == 0, change
    renamed = "--rename" in change
    same_as_a_full_read(
        connect,
        [
            ("week", "--json"),
            ("stats", "--json"),
            ("stats", "talk", "--json"),
            ("stats", "evening" if renamed else habit, "--json"),
        ],
    )
    after = connect("stats", "evening" if renamed else habit, "--json").json()
    # Weekday shares and best streaks count the whole history: an old change shows there.
    unnamed = [{k: v for k, v in stats.items() if k not in ("name", "slug")} for stats in (before, after)]
    assert (unnamed[0] == unnamed[1]) == renamed


def test_a_new_month_advances_the_cache_from_the_old_one(connect, home):
    same_as_a_full_read(connect, [("week", "--json")])
    assert cache_points(home) == ["2026-11-01", "2026-10-01"]
    for now in ("2026-12-01T08:00", "2026-12-09T08:00", "2027-01-03T08:00"):
        assert connect("done", "walk", now=now).code == 0
        same_as_a_full_read(
            connect, [("week", "--json"), ("list", "--json"), ("stats", "walk", "--json"), ("stats", "--json")], now=now
        )
    assert cache_points(home) == ["2027-01-01", "2026-12-01"]


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{",
        b'{"version": 1}',
        b'{"version": %d, "entries": [{}]}' % CACHE_VERSION,
        b"\x00" * 64,
        b'{"version": 99}',
    ],
)
def test_a_damaged_or_foreign_cache_is_made_again(connect, home, damage):
    assert connect("week").code == 0
    (home / CACHE_FILE).write_bytes(damage)
    same_as_a_full_read(connect, [("week", "--json"), ("stats", "thanks", "--json")])
    assert json.loads((home / CACHE_FILE).read_text())["version"] == CACHE_VERSION


def test_a_done_prints_the_streak_a_full_read_gives(connect, home, tmp_path):
    import shutil

    twin = tmp_path / "twin"
    shutil.copytree(home, twin)
    fast = connect("done", "perfect")
    full = connect("done", "perfect", env={"CONNECT_NO_SUMMARY": "1", "CONNECT_HOME": str(twin)})
    assert fast.code == full.code == 0
    assert fast.out == full.out
    assert f"streak {(TODAY - START).days + 1} days" in fast.out
