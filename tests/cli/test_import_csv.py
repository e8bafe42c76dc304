"""Importing a CSV of check-ins (`connect import --from csv`): our own export read back, and hand-written files.

Through the real `connect` command (clock pinned to Thursday 2026-11-26 10:00), plus a few pure checks of the reader.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from test_transfer import files_of, lived_in  # noqa: F401  (lived_in: a fixture, found by its name)

from support import one_error_line

COUPLE = 'partners = ["Alex", "Sam"]\n'


def rows_of(connect, env: dict | None = None, source: bool = False) -> list[tuple[str, ...]]:
    """The home's check-ins as `connect export --format csv` writes them, sorted (without the source column)."""
    result = connect("export", "--format", "csv", env=env)
    assert result.code == 0, result.err
    rows = csv.DictReader(io.StringIO(result.out, newline=""))
    columns = ("date", "habit", "minutes", "note", "by") + (("source",) if source else ())
    return sorted(tuple(r[c] for c in columns) for r in rows)


def habits_of(connect, env: dict | None = None) -> dict[str, dict]:
    return {h["name"]: h for h in connect("list", "--json", env=env).json()}


def write(tmp_path: Path, text: str, name: str = "checkins.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return str(path)


def couple_home(tmp_path: Path, name: str, extra: str = "") -> dict:
    """A home that knows only the couple (no habits, no check-ins)."""
    home = tmp_path / name
    home.mkdir()
    (home / "config.toml").write_text(COUPLE + extra)
    return {"CONNECT_HOME": str(home)}


# ---------------------------------------------------------------- our own export, read back


def test_our_csv_export_reads_back_into_an_empty_home_with_the_same_check_ins(lived_in, tmp_path):  # noqa: F811
    connect = lived_in
    for args in (
        ("add", "Compliments", "--goal", "3 compliments/day"),
        ("add", "@home yoga"),
        ("done", "compliments", "--amount", "2", "--by", "Alex"),
        ("done", "compliments", "--amount", "1", "--by", "Alex"),  # the same again: two check-ins, one day
        ("done", "home-yoga", "--note", "=SUM(A1:A3), then -rest"),
        ("done", "home-yoga", "--by", "Sam", "--date", "2026-11-24", "--note", "+1 round\n\tslow"),
        ("done", "stretch", "--by", "Sam"),  # each partner on one day
    ):
        assert connect(*args).code == 0, args
    export = tmp_path / "export.csv"
    assert connect("export", "--format", "csv", "-o", str(export)).code == 0
    written = rows_of(connect)
    assert len(written) == 9

    # A home with nothing at all: the partners' names are nobody here, and the file says so.
    empty = {"CONNECT_HOME": str(tmp_path / "empty")}
    result = connect("import", "--from", "csv", str(export), env=empty)
    assert result.code == 0, result.err
    assert result.out.startswith("Imported 5 habits, 9 check-ins, 0 skips from CSV; not mapped exactly: ")
    assert "6 check-ins by 'Sam', 'Alex' (not partners here) logged as nobody's in particular" in result.out
    assert rows_of(connect, empty) == [row[:4] + ("",) for row in written]
    again = connect("import", "--from", "csv", str(export), env=empty)  # adds nothing, so says nothing of whose
    assert "0 check-ins" in again.out and "not partners" not in again.out + again.err, again
    assert rows_of(connect, empty) == [row[:4] + ("",) for row in written]

    # A home that knows the couple: the same rows, partners and all.
    ours = couple_home(tmp_path, "ours")
    result = connect("import", "--from", "csv", str(export), env=ours)
    assert result.code == 0 and result.out.startswith("Imported 5 habits, 9 check-ins, 0 skips from CSV"), result
    assert "not partners" not in result.out
    assert rows_of(connect, ours) == written
    assert rows_of(connect, ours, source=True) == rows_of(connect, source=True)  # how each was logged, too
    # A CSV holds no goals: a habit logged in amounts gets the least goal that keeps them, and the line says so.
    habits = habits_of(connect, ours)
    assert habits["Tech-free time"]["goal"] == {"minutes": 1, "per": "day"}
    assert habits["Compliments"]["goal"] == {"minutes": 1, "per": "day"}  # `minutes` holds any amount
    assert (habits["Walk together"]["goal"], habits["Walk together"]["cadence"]) == (None, "daily")
    assert "'Tech-free time', 'Compliments' got a goal of 1m/day to keep the minutes" in result.out

    # Importing it again, with or without --merge, adds nothing.
    before = files_of(tmp_path / "ours")
    for merge in ((), ("--merge",)):
        again = connect("import", "--from", "csv", str(export), *merge, env=ours)
        assert again.code == 0 and again.out.startswith("Imported 0 habits, 0 check-ins, 0 skips from CSV"), again
        assert files_of(tmp_path / "ours") == before


def test_a_homes_own_export_adds_only_the_rows_added_to_it(lived_in, tmp_path):  # noqa: F811
    connect = lived_in
    before = rows_of(connect)
    text = connect("export", "--format", "csv").out
    again = connect("import", "--from", "csv", write(tmp_path, text))
    assert again.code == 0 and again.out.startswith("Imported 0 habits, 0 check-ins, 0 skips from CSV"), again
    assert rows_of(connect) == before
    edited = text + "2026-11-26,Walk together,,after dinner,Sam,\n"
    added = connect("import", "--from", "csv", write(tmp_path, edited))
    assert added.out.startswith("Imported 0 habits, 1 check-in, 0 skips from CSV"), added
    assert rows_of(connect) == sorted(before + [("2026-11-26", "Walk together", "", "after dinner", "Sam")])


# ---------------------------------------------------------------- hand-written files


HAND_WRITTEN = (
    "\ufeffNote,BY,Habit,Mood,DATE,Minutes\r\n"
    '"board games, ""no phones""\r\nthen tea",,walk together,great,2026-11-20,\r\n'
    "'=1+1 is two,,WALK-TOGETHER,,2026-11-21,\r\n"
    ",,Walk together,,2026-11-21,\r\n"
    ",,Walk together,,2026-11-21,\r\n"  # the same row twice: two check-ins
    "on the sofa,,Tech-free time,,2026-11-22,45\r\n"
    ",,'@home yoga,,2026-11-23,\r\n"
    ",,Read aloud,,2026-11-23,20\r\n"
    ",,Read aloud,,2026-11-24,25\r\n"
    "\r\n"
    ",,Sing,,2026-11-24,10\r\n"
    ",,Sing,,2026-11-25,\r\n"
)


def test_a_hand_written_csv_lands_on_existing_habits_and_creates_the_others(connect, home, tmp_path):
    connect("add", "Walk together", "--every", "mon,wed,sat")
    connect("add", "Tech-free time")  # a check habit: the minutes go in the note
    path = write(tmp_path, HAND_WRITTEN)
    result = connect("import", "--from", "csv", path)
    assert result.code == 0, result.err
    assert result.out.startswith("Imported 3 habits, 10 check-ins, 0 skips from CSV; not mapped exactly: ")
    assert "'Tech-free time': 1 amount kept in the notes (a check habit here)" in result.out
    assert "'Sing': 1 amount kept in the notes (not every row has one)" in result.out
    assert "'Read aloud' got a goal of 1m/day to keep the minutes" in result.out

    habits = habits_of(connect)
    assert list(habits) == ["Walk together", "Tech-free time", "@home yoga", "Read aloud", "Sing"]
    assert habits["Walk together"]["cadence"] == "mon,wed,sat"  # left as it was
    for name in ("@home yoga", "Sing"):
        assert (habits[name]["cadence"], habits[name]["goal"], habits[name]["limit"]) == ("daily", None, None)
    data = json.loads(connect("export").out)
    names = {h["id"]: h["name"] for h in data["habits"]}
    assert sorted((c["date"], names[c["habit"]], c["minutes"], c["note"]) for c in data["checkins"]) == sorted(
        [
            ("2026-11-20", "Walk together", None, 'board games, "no phones"\nthen tea'),
            ("2026-11-21", "Walk together", None, "=1+1 is two"),
            ("2026-11-21", "Walk together", None, ""),
            ("2026-11-21", "Walk together", None, ""),
            ("2026-11-22", "Tech-free time", None, "45 min: on the sofa"),
            ("2026-11-23", "@home yoga", None, ""),
            ("2026-11-23", "Read aloud", 20, ""),
            ("2026-11-24", "Read aloud", 25, ""),
            ("2026-11-24", "Sing", None, "10 min"),
            ("2026-11-25", "Sing", None, ""),
        ]
    )
    # A formula-like note goes back out guarded, as it came in.
    assert "'=1+1 is two" in connect("export", "--format", "csv").out

    before = files_of(home)
    again = connect("import", "--from", "csv", path)
    assert again.out.startswith("Imported 0 habits, 0 check-ins, 0 skips from CSV"), again
    assert files_of(home) == before
    more = HAND_WRITTEN + ",,Walk together,,2026-11-21,\r\n"  # a third walk that day
    assert connect("import", "--from", "csv", write(tmp_path, more)).out.startswith("Imported 0 habits, 1 check-in")


def test_with_create_no_the_rows_of_unknown_habits_are_left_out_and_said(connect, home, tmp_path):
    connect("add", "Walk together")
    path = write(tmp_path, HAND_WRITTEN)
    result = connect("import", "--from", "csv", path, "--create=no")
    assert result.code == 0, result.err
    assert result.out.startswith("Imported 0 habits, 4 check-ins, 0 skips from CSV")
    assert (
        "left out: 6 rows of habits this home lacks (--create=no): 'Tech-free time' (1), '@home yoga' (1), "
        "'Read aloud' (2), 'Sing' (2)" in result.out
    )
    assert list(habits_of(connect)) == ["Walk together"]
    assert len(rows_of(connect)) == 4


def test_by_names_a_partner_of_this_home_and_an_unknown_name_is_said(connect, tmp_path):
    env = couple_home(tmp_path, "home", 'me = "Sam"\n')
    text = "date,habit,by\n2026-11-25,Walk,alex\n2026-11-25,Walk,SAM\n2026-11-26,Walk,Jo\n2026-11-26,Walk,\n"
    result = connect("import", "--from", "csv", write(tmp_path, text), env=env)
    assert result.code == 0, result.err
    assert result.out == (
        "Imported 1 habit, 4 check-ins, 0 skips from CSV; not mapped exactly: "
        "1 check-in by 'Jo' (not a partner here) logged as Sam's.\n"
    )
    checkins = json.loads(connect("export", env=env).out)["checkins"]
    assert sorted((c["date"], c["by"]) for c in checkins) == [
        ("2026-11-25", "p:alex"),
        ("2026-11-25", "p:sam"),
        ("2026-11-26", "p:sam"),  # Jo's: nobody here, so this device's partner
        ("2026-11-26", "p:sam"),  # no one said: this device's partner
    ]


def test_a_dry_run_changes_nothing_and_says_what_would_be_imported(connect, home, tmp_path):
    connect("add", "Walk together")
    connect("done", "walk")
    before = files_of(home)
    result = connect("import", "--from", "csv", write(tmp_path, HAND_WRITTEN), "--dry-run")
    assert result.code == 0, result.err
    assert result.out.startswith("Would import 4 habits, 10 check-ins, 0 skips from CSV")
    assert result.out.endswith("Nothing was changed (--dry-run).\n")
    assert files_of(home) == before


def test_a_spreadsheet_that_separates_with_semicolons_or_tabs_is_read(connect, tmp_path):
    for n, text in enumerate(("Datum;x;Date;Habit\n;;2026-11-25;Walk\n", "date\thabit\n2026-11-25\tWalk\n")):
        env = {"CONNECT_HOME": str(tmp_path / f"home{n}")}
        result = connect("import", "--from", "csv", write(tmp_path, text), env=env)
        assert result.out == "Imported 1 habit, 1 check-in, 0 skips from CSV.\n", result
        assert rows_of(connect, env) == [("2026-11-25", "Walk", "", "", "")]


def test_a_check_in_after_today_is_left_out_and_said(connect, tmp_path):
    result = connect("import", "--from", "csv", write(tmp_path, "date,habit\n2026-11-26,Walk\n2026-11-27,Walk\n"))
    assert result.out == "Imported 1 habit, 1 check-in, 0 skips from CSV; left out: 1 dated after today.\n"


# ---------------------------------------------------------------- refused


BAD_FILES: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "is empty"),
    "blank lines only": (b"\n \n", "is empty"),
    "no date column": (b"day,habit\n2026-11-25,Walk\n", "has no date column"),
    "no habit column": (b"date,name\n2026-11-25,Walk\n", "has no habit column"),
    "no header": (b"2026-11-25,Walk\n", "has no date and habit columns"),
    "a JSON backup": (b'{"format": "connect-backup"}', "has no date and habit columns"),
    "not UTF-8": ("date,habit\n2026-11-25,Café\n".encode("latin-1"), "is not UTF-8 text"),
    "a bad date": (b"date,habit\n2026-02-30,Walk\n", "'2026-02-30' on line 2, which is not a real date"),
    "a date in another format": (b"date,habit\n25/11/2026,Walk\n", "'25/11/2026' on line 2, which is not a date"),
    "a year connect does not keep": (b"date,habit\n1850-01-01,Walk\n", "a year connect does not keep"),
    "a bad number": (b"date,habit,minutes\n2026-11-25,Walk,ten\n", "'ten' as the minutes on line 2"),
    "a negative number": (b"date,habit,amount\n2026-11-25,Walk,-3\n", "'-3' as the amount on line 2"),
    "not a finite number": (b"date,habit,minutes\n2026-11-25,Walk,inf\n", "'inf' as the minutes"),
    "an empty habit name": (b"date,habit\n2026-11-25,Walk\n\n2026-11-26,  \n", "has no habit name on line 4"),
    "both minutes and amount": (b"date,habit,minutes,amount\n", "has both a minutes and an amount column"),
    "a column named twice": (b"date,habit,Date\n", "names the column 'date' twice"),
    "a zip file": (b"PK\x03\x04" + bytes(40), "is a zip file"),
    "an SQLite file": (b"SQLite format 3\x00" + bytes(100), "is an SQLite database"),
    "a field too large": (b'date,habit\n2026-11-25,"' + b"x" * 200_000 + b'"\n', "is not a CSV file that can be read"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_are_refused_with_one_sentence_and_change_nothing(connect, home, tmp_path, case):
    connect("add", "Walk together")
    connect("done", "walk")
    before = files_of(home)
    raw, said = BAD_FILES[case]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(raw)
    line = one_error_line(connect("import", "--from", "csv", str(bad)))
    assert line.startswith(f"Error: {bad} ") and line.endswith("; nothing was imported.")
    assert said in line
    assert files_of(home) == before


# ---------------------------------------------------------------- the reader itself


@pytest.mark.parametrize("cell", ["=1+1", "+31 6", "-5 plank", "@home", "\tx", "\rx", "plain", "", "'quoted", "'"])
def test_what_inert_guards_comes_off_again(cell):
    from connect_habits.interop.csvfile import inert
    from connect_habits.interop.csvimport import uninert

    assert uninert(inert(cell)) == cell


def test_the_reader_tells_progress_how_many_rows_it_has_read():
    from connect_habits.core.model import Snapshot
    from connect_habits.interop.csvimport import read_csv

    raw = ("date,habit\n" + "2026-11-25,Walk\n" * 1200).encode()
    told: list[tuple[int, int | None, str]] = []
    found = read_csv(raw, "f.csv", Snapshot(), progress=lambda done, total, what: told.append((done, total, what)))
    assert told == [(500, None, "rows read"), (1000, None, "rows read")]
    [walk] = found.habits
    assert (walk.name, walk.existing, len(walk.entries)) == ("Walk", None, 1200)
    assert len({e.key for e in walk.entries}) == 1200  # each row its own check-in


def test_an_amount_may_have_decimals_and_an_empty_one_is_a_plain_check_in():
    from connect_habits.core.model import Snapshot
    from connect_habits.interop.csvimport import read_csv

    raw = b"date,habit,amount\n2026-11-24,Run,2.5\n2026-11-25,Run,3.0\n2026-11-26,Run,.75\n2026-11-26,Walk,\n"
    run, walk = read_csv(raw, "f.csv", Snapshot()).habits
    assert [e.amount for e in run.entries] == [2.5, 3, 0.75]
    assert run.goal is not None and str(run.goal) == "1 times/day"
    assert [(e.amount, e.note) for e in walk.entries] == [(None, "")] and walk.goal is None


@pytest.mark.parametrize(
    "raw",
    [
        b"date,habit,comment\n2026-11-24,Run,great day\n2026-11-25,Run,ok\n",  # a column connect does not read
        b"date,habit,minutes,comment\n2026-11-24,Run,,great day\n2026-11-25,Run,,ok\n",
        b"date,habit\n2026-11-24,Run,great day,x\n2026-11-25,Run,ok\n",  # rows longer than the header
        b"comment,date,habit\ngreat day,2026-11-24,Run\nok,2026-11-25,Run,cli\n",
    ],
    ids=["unknown column", "unknown column after minutes", "long rows", "unknown column first"],
)
def test_cells_of_columns_connect_does_not_read_are_left_alone(raw):
    """No note, partner or source comes from a column the header does not name as one (or from no column)."""
    from connect_habits.core.model import Snapshot
    from connect_habits.interop.csvimport import read_csv

    found = read_csv(raw, "f.csv", Snapshot())
    [run] = found.habits
    assert [(e.day.isoformat(), e.amount, e.note, e.by, e.source) for e in run.entries] == [
        ("2026-11-24", None, "", None, None),
        ("2026-11-25", None, "", None, None),
    ]
    assert found.inexact == []
