"""`connect import --from loop` of Loop Habit Tracker's full backup (an SQLite file), schema 8 to 25.

Through the real `connect` (clock pinned to Thursday 2026-11-26 10:00); the files come from support/loop_backup.py.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from support import one_error_line
from support.loop_backup import (
    AUTO,
    DONE,
    NO,
    SKIP,
    UNKNOWN,
    LoopRow,
    another_apps_db,
    csv_export,
    day_ms,
    mask,
    write_backup,
)

VERSIONS = (8, 15, 16, 21, 22, 23, 24, 25)  # OLD 8..15, MIDDLE 16..22 (typed from 18), CURRENT 23..25
FAMILY = (8, 22, 25)  # one of each


def files_of(home: Path) -> dict[str, bytes]:
    """Every file of a home, to show that something changed nothing."""
    if not home.exists():
        return {}
    return {str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file()}


def fit(version: int, entries: list) -> list:
    """`entries` as a backup of `version` can hold them: before 16 only done checks, before 25 no notes."""
    if version < 16:
        return [(day, value, "") for day, value, _ in entries if value == DONE]
    return entries if version >= 25 else [(day, value, "") for day, value, _ in entries]


def round_of_habits(version: int) -> list[LoopRow]:
    """A habit of every kind a backup of `version` holds, written in another order than their positions."""
    rows = [
        LoopRow("Run", 3, 7, reminder=(7, 30), days=mask("mon", "wed", "fri"), position=1),
        LoopRow("Meditate", question="Did you meditate today?", reminder=(7, 30), position=0),
        LoopRow("Call mum", 1, 7, reminder=(18, 0), days=113, position=2),
        LoopRow("Date night", 2, 30, position=3),
        LoopRow("Water plants", 1, 5, position=4),
        LoopRow("Stretch", 2, 3, archived=True, position=5),
    ]
    entries = {
        "Run": [("2026-11-23", DONE, ""), ("2026-11-25", DONE, "")],
        "Meditate": [
            ("2026-11-20", DONE, ""),
            ("2026-11-21", SKIP, "ill"),
            ("2026-11-22", AUTO, ""),
            ("2026-11-23", NO, ""),
            ("2026-11-24", UNKNOWN, ""),
            ("2026-11-25", DONE, "calm and quiet"),
        ],
        "Call mum": [("2026-11-22", DONE, "")],
        "Date night": [("2026-11-14", DONE, ""), ("2026-11-21", DONE, "")],
        "Water plants": [("2026-11-21", DONE, "")],
        "Stretch": [("2026-11-24", DONE, "")],
        "Piano": [
            ("2026-11-21", UNKNOWN, ""),
            ("2026-11-22", SKIP, ""),
            ("2026-11-23", NO, ""),
            ("2026-11-24", 30000, "scales"),
            ("2026-11-25", 45000, ""),
        ],
        "Read": [("2026-11-23", 20000, ""), ("2026-11-24", 12000, "")],
        "Coffee": [("2026-11-24", 1000, ""), ("2026-11-25", 3000, "")],
    }
    if version >= 18:
        rows[2:2] = [LoopRow("Coffee", numerical=True, unit="cups", target=2.0, at_most=True, position=8)]
        rows += [
            LoopRow("Piano", numerical=True, unit="minutes", target=30.0, position=6),
            LoopRow("Read", den=7, numerical=True, unit="pages", target=50.0, position=7),
        ]
    for row in rows:
        row.entries = fit(version, entries[row.name])
    return rows


EXPECTED_HABITS = {  # name: (cadence, goal, limit, at, remind_on, archived)
    "Meditate": ("daily", None, None, ["07:30"], [], False),
    "Run": ("3/week", None, None, ["07:30"], ["mon", "wed", "fri"], False),
    "Call mum": ("weekly", None, None, ["18:00"], ["wed", "thu", "fri", "sat"], False),
    "Date night": ("2/month", None, None, [], [], False),
    "Water plants": ("1 in 5 days", None, None, [], [], False),
    "Stretch": ("2 in 3 days", None, None, [], [], True),
    "Piano": ("daily", {"minutes": 30, "per": "day"}, None, [], [], False),
    "Read": ("weekly", {"amount": 50, "unit": "pages", "per": "week"}, None, [], [], False),
    "Coffee": ("daily", None, {"amount": 2, "unit": "cups", "per": "day"}, [], [], False),
}


def expected_records(version: int) -> tuple[set, set]:
    """(check-ins as (habit, date, amount, note), skips as (habit, date, reason)) the round should give."""
    notes = version >= 25
    checkins = {
        ("Meditate", "2026-11-20", None, ""),
        ("Meditate", "2026-11-25", None, "calm and quiet" if notes else ""),
        ("Run", "2026-11-23", None, ""),
        ("Run", "2026-11-25", None, ""),
        ("Call mum", "2026-11-22", None, ""),
        ("Date night", "2026-11-14", None, ""),
        ("Date night", "2026-11-21", None, ""),
        ("Water plants", "2026-11-21", None, ""),
        ("Stretch", "2026-11-24", None, ""),
    }
    skips = {("Meditate", "2026-11-21", "ill" if notes else "")} if version >= 16 else set()
    if version >= 18:
        checkins |= {
            ("Piano", "2026-11-24", 30, "scales" if notes else ""),  # thousandths: 30000 is 30 minutes
            ("Piano", "2026-11-25", 45, ""),
            ("Read", "2026-11-23", 20, ""),
            ("Read", "2026-11-24", 12, ""),
            ("Coffee", "2026-11-24", 1, ""),
            ("Coffee", "2026-11-25", 3, ""),
        }
        skips.add(("Piano", "2026-11-22", ""))
    return checkins, skips


def records(connect) -> tuple[set, set]:
    """(check-ins, skips) of the home, as `expected_records` gives them, from `connect export`."""
    data = json.loads(connect("export").out)
    names = {h["id"]: h["name"] for h in data["habits"]}
    checkins = {(names[c["habit"]], c["date"], c["minutes"], c["note"]) for c in data["checkins"]}
    assert {c["source"] for c in data["checkins"]} == {"loop"}
    return checkins, {(names[s["habit"]], s["date"], s["reason"]) for s in data["skips"]}


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def backup(tmp_path: Path, version: int, rows: list[LoopRow] | None = None, **options) -> Path:
    rows = round_of_habits(version) if rows is None else rows
    return write_backup(tmp_path / f"Loop Habits Backup v{version}.db", rows, version, **options)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_backup_of_every_schema_becomes_the_same_habits_check_ins_and_skips(connect, tmp_path, version):
    result = connect("import", "--from", "loop", str(backup(tmp_path, version)))
    assert result.code == 0, result.err
    checkins, skips = expected_records(version)
    habits = 9 if version >= 18 else 6
    counts = f"{plural(habits, 'habit')}, {plural(len(checkins), 'check-in')}, {plural(len(skips), 'skip')}"
    assert result.out.startswith(f"Imported {counts} from Loop"), result.out
    automatic = "left out: 1 check-mark Loop filled in by itself"
    assert (automatic in result.out) == (version >= 16)  # an old file holds done checks only
    assert result.out.count("\n") == 1

    listed = connect("list", "--json").json()
    names = list(EXPECTED_HABITS)[:habits]
    assert [h["name"] for h in listed] == names  # Loop's order (its positions), not the order of its rows
    for habit in listed:
        shown = tuple(habit[k] for k in ("cadence", "goal", "limit", "at", "remind_on", "archived"))
        assert shown == EXPECTED_HABITS[habit["name"]], habit["name"]
    created = {h["name"]: h["created"] for h in listed}  # the first day Loop has a row for
    assert (created["Meditate"], created["Date night"], created.get("Piano")) == (
        "2026-11-20",
        "2026-11-14",
        "2026-11-21" if version >= 18 else None,
    )
    meditate = listed[0]
    # The question (kept in `description` before 23) is asked when logging, and is the note.
    assert (meditate["prompts"], meditate["note"]) == (["Did you meditate today?"], "Did you meditate today?")
    assert records(connect) == (checkins, skips)


def test_a_description_of_its_own_is_the_note_and_the_question_the_prompt(connect, tmp_path):
    row = LoopRow("Meditate", question="Did you meditate?", description="Ten quiet minutes", entries=[])
    assert connect("import", "--from", "loop", str(backup(tmp_path, 25, [row]))).code == 0
    [habit] = connect("list", "--json").json()
    assert (habit["prompts"], habit["note"]) == (["Did you meditate?"], "Ten quiet minutes")


@pytest.mark.parametrize("version", FAMILY)
def test_a_dry_run_says_what_would_come_and_changes_no_file(connect, home, tmp_path, version):
    connect("add", "Walk together")
    connect("done", "walk")
    before = files_of(home)
    result = connect("import", "--from", "loop", "--dry-run", str(backup(tmp_path, version)))
    assert result.code == 0, result.err
    assert result.out.startswith("Would import ") and "Nothing was changed (--dry-run)." in result.out
    assert files_of(home) == before


@pytest.mark.parametrize("version", FAMILY)
@pytest.mark.parametrize("again", [(), ("--merge",)])
def test_importing_the_same_backup_again_adds_nothing(connect, home, tmp_path, version, again):
    path = backup(tmp_path, version)
    assert connect("import", "--from", "loop", str(path)).code == 0
    before = files_of(home)
    result = connect("import", "--from", "loop", *again, str(path))
    assert result.code == 0, result.err
    habits = 9 if version >= 18 else 6
    assert result.out.startswith(f"Imported 0 habits, 0 check-ins, 0 skips from Loop ({habits} habits already here)")
    assert files_of(home) == before


@pytest.mark.parametrize("version", (22, 25))
def test_the_csv_export_of_the_same_habits_after_the_backup_adds_nothing(connect, home, tmp_path, version):
    assert connect("import", "--from", "loop", str(backup(tmp_path, version))).code == 0
    before = records(connect)
    export = tmp_path / "Loop Habits CSV 2026-11-26.zip"
    export.write_bytes(csv_export(round_of_habits(version)))
    result = connect("import", "--from", "loop", str(export))
    assert result.code == 0, result.err
    assert result.out.startswith("Imported 0 habits, 0 check-ins, 0 skips from Loop (9 habits already here)")
    assert records(connect) == before


@pytest.mark.parametrize("version", (8, 25))
def test_duplicate_names_in_the_file_and_names_taken_here_get_a_number(connect, tmp_path, version):
    rows = [LoopRow("Walk", entries=[("2026-11-24", DONE, "")]), LoopRow("Walk", 1, 7), LoopRow("Read")]
    result = connect("import", "--from", "loop", str(backup(tmp_path, version, rows)))
    assert result.code == 0, result.err
    assert result.out.startswith("Imported 3 habits, 1 check-in, 0 skips from Loop; renamed 1 duplicate:")
    assert "'Walk' as 'Walk (2)'" in result.out
    listed = {h["name"]: h["cadence"] for h in connect("list", "--json").json()}
    assert listed == {"Walk": "daily", "Walk (2)": "weekly", "Read": "daily"}

    elsewhere = {"CONNECT_HOME": str(tmp_path / "other")}
    assert connect("add", "Read", "--every", "mon", env=elsewhere).code == 0
    taken = connect("import", "--from", "loop", str(backup(tmp_path, version, rows[2:])), env=elsewhere)
    assert "renamed 1 duplicate: 'Read' as 'Read (2)'" in taken.out, taken.out + taken.err
    listed = {h["name"]: h["cadence"] for h in connect("list", "--json", env=elsewhere).json()}
    assert listed == {"Read": "mon", "Read (2)": "daily"}


def test_a_backup_of_a_database_in_wal_mode_is_read(connect, tmp_path):
    # Android keeps an app's database in write-ahead-log mode; Loop copies the file as it is.
    path = backup(tmp_path, 25, wal=True)
    assert path.read_bytes()[18:20] == b"\x02\x02"
    result = connect("import", "--from", "loop", str(path))
    assert result.code == 0 and result.out.startswith("Imported 9 habits, 15 check-ins, 2 skips"), result.err


def test_a_csv_export_given_as_a_db_file_is_read_as_the_csv_export(connect, tmp_path):
    path = tmp_path / "loop.db"
    path.write_bytes(csv_export(round_of_habits(25)))
    result = connect("import", "--from", "loop", str(path))
    assert result.code == 0 and result.out.startswith("Imported 9 habits, 15 check-ins, 2 skips"), result.err


def test_reminder_days_of_a_habit_counted_by_the_week_are_kept(connect, tmp_path):
    assert connect("import", "--from", "loop", str(backup(tmp_path, 25))).code == 0
    # Thursday early: Run (3/week, Loop's days mon, wed, fri) reminds on Friday, not on Thursday.
    upcoming = connect("remind", "--json", now="2026-11-26T06:00").json()
    run = [(r["date"], r["status"]) for r in upcoming if r["habit"] == "Run"]
    assert run == [("2026-11-26", "not_due"), ("2026-11-27", "will_fire")]


def test_reminder_days_of_a_daily_habit_are_kept(connect, tmp_path):
    rows = [LoopRow("Meditate", reminder=(7, 30), days=mask("sat", "sun"))]
    assert connect("import", "--from", "loop", str(backup(tmp_path, 25, rows))).code == 0
    statuses = {r["date"]: r["status"] for r in connect("remind", "--json", now="2026-11-26T06:00").json()}
    assert statuses == {"2026-11-26": "not_due", "2026-11-27": "not_due"}  # Loop: Saturday and Sunday only


def test_fractional_amounts_and_targets_are_kept(connect, tmp_path):
    rows = [
        LoopRow("Piano", numerical=True, unit="minutes", target=30.0, entries=[("2026-11-24", 22500, "")]),
        LoopRow("Read", numerical=True, unit="pages", target=2.5, entries=[("2026-11-24", 1500, "")]),
    ]
    assert connect("import", "--from", "loop", str(backup(tmp_path, 25, rows))).code == 0
    assert connect("list", "--json").json()[1]["goal"] == {"amount": 2.5, "unit": "pages", "per": "day"}
    assert {c[2] for c in records(connect)[0]} == {22.5, 1.5}


def test_a_numerical_habit_per_month_becomes_a_goal_per_month(connect, tmp_path):
    rows = [LoopRow("Cycle", den=30, numerical=True, unit="km", target=200.0, entries=[("2026-11-24", 25000, "")])]
    assert connect("import", "--from", "loop", str(backup(tmp_path, 25, rows))).code == 0
    [habit] = connect("list", "--json").json()  # today the home cannot read the goal back: every command fails
    assert (habit["cadence"], habit["goal"]) == ("1/month", {"amount": 200, "unit": "km", "per": "month"})


# ---------------------------------------------------------------- files that are not a good backup


def _flipped(path: Path, in_header: bool) -> bytes:
    """The backup with one flip in the Repetitions table's page: its page type, or a bit of a check's day."""
    with sqlite3.connect(path) as db:
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'Repetitions'").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
    raw, start = bytearray(path.read_bytes()), (root - 1) * size
    if in_header:
        raw[start] = 0x00  # not a b-tree page
    else:  # the day 2026-11-23 (a 6-byte integer in the row) becomes one 49 days later; its index still says 23rd
        raw[raw.index(day_ms("2026-11-23").to_bytes(6, "big"), start, start + size) + 1] ^= 0x01
    return bytes(raw)


def _without_frequency(path: Path) -> bytes:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE Habits (id INTEGER PRIMARY KEY, name TEXT, position INTEGER, archived INTEGER)")
        db.execute("CREATE TABLE Repetitions (id INTEGER PRIMARY KEY, habit INTEGER, timestamp INTEGER)")
        db.execute("INSERT INTO Habits VALUES (1, 'Meditate', 0, 0)")
    return path.read_bytes()


def bad_files(tmp_path: Path) -> dict[str, tuple[bytes, str]]:
    """name: (the file's bytes, what the refusal says)."""
    good = backup(tmp_path, 25).read_bytes()
    damaged = "is a damaged SQLite file"
    return {
        "truncated": (good[: len(good) // 2], damaged),
        "only its header": (good[:100], damaged),
        "a flipped page type": (_flipped(backup(tmp_path, 25), in_header=True), damaged),
        "a flipped bit of a day": (_flipped(backup(tmp_path, 25), in_header=False), damaged),
        "another app's database": (another_apps_db(tmp_path / "notes.db").read_bytes(), "has no Habits and"),
        "no frequency": (_without_frequency(tmp_path / "old.db"), "lacks freq_num, freq_den, so it is not a Loop"),
        "a text file": (b"Position,Name\n1,Meditate\n", "is neither a zip file nor an SQLite file"),
        "an empty file": (b"", "is neither a zip file nor an SQLite file"),
    }


CASES = ("truncated", "only its header", "a flipped page type", "a flipped bit of a day")
CASES += ("another app's database", "no frequency", "a text file", "an empty file")


@pytest.mark.parametrize("case", CASES)
def test_a_damaged_or_wrong_file_is_refused_in_one_sentence_and_changes_nothing(connect, home, tmp_path, case):
    connect("add", "Walk together")
    connect("done", "walk")
    before = files_of(home)
    raw, says = bad_files(tmp_path)[case]
    path = tmp_path / "Loop Habits Backup.db"
    path.write_bytes(raw)
    line = one_error_line(connect("import", "--from", "loop", str(path)))
    assert str(path) in line and says in line and line.endswith("nothing was imported."), line
    assert line.count(". ") == 0  # one sentence
    assert files_of(home) == before


def test_a_loop_backup_given_without_from_says_to_add_it(connect, home, tmp_path):
    path = backup(tmp_path, 25)
    refused = one_error_line(connect("import", str(path)))
    assert "is an SQLite file, not a connect backup; for Loop Habit Tracker's full backup add --from loop." in refused
    assert not home.exists() or not list(home.glob("connect*.json"))
