"""`connect import --from habitbull`: HabitBull's CSV export becomes habits, groups, goals and check-ins.

Through the real `connect` command (clock pinned to Thursday 2026-11-26 10:00), plus pure checks of the reader.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from datetime import date
from pathlib import Path

import pytest

from support import one_error_line

HEADER = ("HabitName", "HabitDescription", "HabitCategory", "CalendarDate", "Value", "CommentText")
MEDITATE = ("Meditate", "Ten quiet minutes, eyes closed", "Mind")
WATER = ("Water (glasses)", 'Drink "enough" water', "Health")
STRETCH = ("Stretch", "", "")
# As HabitBull writes them: one row per habit and day, both date styles, several rows for one day.
ROWS = [
    (*MEDITATE, "2026-11-22", "0", ""),
    (*MEDITATE, "2026-11-23", "1", 'calm, "really" quiet'),
    (*WATER, "11/23/2026", "6", ""),
    (*MEDITATE, "11/24/2026 0:00", "0", ""),
    (*WATER, "2026-11-24T00:00:00", "8", "hot day,\r\nthirsty"),
    (*WATER, "11/25/2026", "5", ""),
    (*WATER, "11/25/2026", "3", "evening"),
    (*MEDITATE, "2026-11-25", "1", ""),
    (*STRETCH, "11/26/2026", "1", ""),
    (*MEDITATE, "2026-11-26", "1.0", "short"),
]
SUMMARY = "Imported 3 habits, 7 check-ins, 0 skips from HabitBull"
NO_TARGET = "'Water (glasses)': HabitBull's file has no target; the goal is the usual day's 8 glasses"


def habitbull_csv(rows=ROWS, header=HEADER, bom: bool = True) -> bytes:
    """A HabitBull CSV export as the app writes it: CRLF lines, quoted where a cell needs it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


def files_of(home: Path) -> dict[str, bytes]:
    """Every file of a home but its lock, to show that something changed nothing."""
    found = sorted(home.rglob("*")) if home.exists() else []
    return {str(p.relative_to(home)): p.read_bytes() for p in found if p.is_file() and p.name != "connect.lock"}


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "HabitBull export.csv"
    path.write_bytes(habitbull_csv())
    return path


def test_a_habitbull_export_becomes_habits_groups_goals_and_check_ins(connect, export):
    result = connect("import", "--from", "habitbull", str(export))
    assert result.code == 0, result.err
    several = "'Water (glasses)': 1 day with more than one row became one check-in each"
    assert result.out == f"{SUMMARY}; not mapped exactly: {several}, {NO_TARGET}.\n"

    habits = connect("list", "--json").json()
    # Shown as connect shows groups: the ungrouped first, then each group where its first habit is.
    assert [h["name"] for h in habits] == ["Stretch", "Meditate", "Water (glasses)"]
    stored = sorted(json.loads(connect("export").out)["habits"], key=lambda h: h["position"])
    assert [h["name"] for h in stored] == ["Meditate", "Water (glasses)", "Stretch"]  # the file's order
    shown = {h["name"]: (h["cadence"], h["goal"], h["group"], h["note"], h["created"]) for h in habits}
    assert shown == {
        "Meditate": ("daily", None, "Mind", "Ten quiet minutes, eyes closed", "2026-11-22"),
        # 6, 8 and 5 + 3 a day: the usual day is 8.
        "Water (glasses)": (
            "daily",
            {"amount": 8, "unit": "glasses", "per": "day"},
            "Health",
            'Drink "enough" water',
            "2026-11-23",
        ),
        "Stretch": ("daily", None, None, "", "2026-11-26"),  # no group
    }

    logged = sorted(
        (e["date"], e["habit"], e["minutes"], e["note"], e["source"]) for e in connect("log", "--json").json()
    )
    assert logged == [
        ("2026-11-23", "Meditate", None, 'calm, "really" quiet', "habitbull"),
        ("2026-11-23", "Water (glasses)", 6, "", "habitbull"),
        ("2026-11-24", "Water (glasses)", 8, "hot day,\nthirsty", "habitbull"),
        ("2026-11-25", "Meditate", None, "", "habitbull"),
        ("2026-11-25", "Water (glasses)", 8, "evening", "habitbull"),
        ("2026-11-26", "Meditate", None, "short", "habitbull"),
        ("2026-11-26", "Stretch", None, "", "habitbull"),
    ]
    rows = list(csv.DictReader(io.StringIO(connect("export", "--format", "csv").out, newline="")))
    assert ("2026-11-23", "Meditate", "", 'calm, "really" quiet') in [
        (r["date"], r["habit"], r["minutes"], r["note"]) for r in rows
    ]


@pytest.mark.parametrize("merge", [(), ("--merge",)], ids=["again", "again with --merge"])
def test_importing_the_same_export_again_adds_nothing(connect, home, export, merge):
    assert connect("import", "--from", "habitbull", str(export)).out.startswith(SUMMARY)
    before = files_of(home)
    again = connect("import", "--from", "habitbull", *merge, str(export))
    assert again.code == 0, again.err
    assert again.out.startswith("Imported 0 habits, 0 check-ins, 0 skips from HabitBull (3 habits already here)")
    assert files_of(home) == before


def test_a_name_taken_here_gets_a_number_and_the_summary_says_so(connect, export):
    assert connect("add", "Meditate").code == 0
    result = connect("import", "--from", "habitbull", str(export))
    assert result.code == 0, result.err
    assert result.out.startswith(f"{SUMMARY}; renamed 1 duplicate: 'Meditate' as 'Meditate (2)'; not mapped exactly")
    names = [h["name"] for h in connect("list", "--json").json()]
    assert names == ["Meditate", "Stretch", "Meditate (2)", "Water (glasses)"]
    assert {e["habit"] for e in connect("log", "--json").json() if e["habit"].startswith("Meditate")} == {
        "Meditate (2)"
    }


def test_a_dry_run_says_what_would_come_and_changes_nothing(connect, home, export):
    connect("add", "Walk together")
    connect("done", "walk")
    before = files_of(home)
    result = connect("import", "--from", "habitbull", "--dry-run", str(export))
    assert result.code == 0, result.err
    assert result.out.startswith("Would import 3 habits, 7 check-ins, 0 skips from HabitBull")
    assert result.out.endswith("Nothing was changed (--dry-run).\n")
    assert files_of(home) == before


def test_negative_values_days_after_today_and_lone_comments_are_said_to_be_left_out(connect, tmp_path):
    rows = [
        ("Run (km)", "", "Sport", "2026-11-24", "5", ""),
        ("Run (km)", "", "Sport", "2026-11-25", "-2", "typo"),
        ("Run (km)", "", "Sport", "2026-11-26", "0", "rest, legs sore"),
        ("Run (km)", "", "Sport", "2026-11-27", "3", ""),
    ]
    path = tmp_path / "habitbull.csv"
    path.write_bytes(habitbull_csv(rows, bom=False))
    result = connect("import", "--from", "habitbull", str(path))
    assert result.code == 0, result.err
    assert result.out.startswith("Imported 1 habit, 1 check-in, 0 skips from HabitBull")
    assert "the goal is the usual day's 4 km" in result.out  # 5 and 3: the median, rounded half up
    assert (
        "left out: 1 negative value (connect counts nothing below 0), 1 comment on days with a value of 0" in result.out
    )
    assert result.out.rstrip().endswith("1 dated after today.")
    [habit] = connect("list", "--json").json()
    assert habit["goal"] == {"amount": 4, "unit": "km", "per": "day"}


def _sqlite_file() -> bytes:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE Habits (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("INSERT INTO Habits (name) VALUES ('Meditate')")
    db.commit()
    return db.serialize()


def _zip_file() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("habitbull.csv", habitbull_csv().decode("utf-8-sig"))
    return buf.getvalue()


def _with(row: tuple[str, ...]) -> bytes:
    return habitbull_csv([ROWS[1], row])


BAD = {
    "empty": (b"", "is empty"),
    "only blank lines": (b"\r\n\r\n", "is empty"),
    "not UTF-8": (
        habitbull_csv([(*STRETCH, "2026-11-26", "1", "café")], bom=False).decode().encode("latin-1"),
        "is not UTF-8 text",
    ),
    "binary": (b"\x00\x01\x02binary\x00data", "is not a text file"),
    "a zip": (_zip_file(), "is a zip file, so it is not HabitBull's CSV export"),
    "a SQLite file": (_sqlite_file(), "is an SQLite database"),
    "missing columns": (
        habitbull_csv([r[:4] + r[5:] for r in ROWS], header=HEADER[:4] + HEADER[5:]),
        "lacks the column Value, so it is not HabitBull's CSV export",
    ),
    "another tracker's CSV": (
        b"Position,Name,Type\r\n001,Meditate,0\r\n",
        "lacks the columns HabitName, CalendarDate, Value",
    ),
    "a bad date": (
        _with((*STRETCH, "2026-13-01", "1", "")),
        "line 3 has the CalendarDate '2026-13-01', not a real date",
    ),
    "a date in another style": (
        _with((*STRETCH, "26.11.2026", "1", "")),
        "'26.11.2026', not a date (YYYY-MM-DD or M/D/YYYY)",
    ),
    "a date connect does not keep": (_with((*STRETCH, "0001-01-01", "1", "")), "not a date connect keeps"),
    "a bad date after a comment of two lines": (
        habitbull_csv([ROWS[4], (*STRETCH, "2/30/2026", "1", "")]),
        "line 4 has the CalendarDate '2/30/2026', not a real date",  # the header, then a row of lines 2 and 3
    ),
    "too few cells": (_with(("Stretch", "2026-11-26", "1")), "line 3 has 3 cells where the header has 6"),
    "too many cells": (_with((*STRETCH, "2026-11-26", "1", "", "extra")), "line 3 has 7 cells where the header has 6"),
    "a value that is not a number": (_with((*STRETCH, "2026-11-26", "lots", "")), "has the Value 'lots', not a number"),
    "a value that is not finite": (_with((*STRETCH, "2026-11-26", "nan", "")), "has the Value 'nan', not a number"),
    "no name": (_with(("", "", "", "2026-11-26", "1", "")), "line 3 has no HabitName"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_files_that_are_not_a_habitbull_export_are_refused_in_one_sentence_and_change_nothing(
    connect, home, tmp_path, case
):
    connect("add", "Walk together")
    connect("done", "walk")
    before = files_of(home)
    raw, said = BAD[case]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(raw)
    line = one_error_line(connect("import", "--from", "habitbull", str(bad)))
    assert line.startswith(f"Error: {bad} ") and line.endswith("; nothing was imported.")
    assert said in line
    assert files_of(home) == before


# ---------------------------------------------------------------- the reader alone


@pytest.mark.parametrize(
    "text, day",
    [
        ("2019-01-05", date(2019, 1, 5)),
        ("2019-1-5", date(2019, 1, 5)),
        (" 2019-01-05T00:00:00 ", date(2019, 1, 5)),
        ("2019-01-05 00:00:00", date(2019, 1, 5)),
        ("2019-01-05T23:59:59.123Z", date(2019, 1, 5)),
        ("1/5/2019", date(2019, 1, 5)),
        ("01/05/2019", date(2019, 1, 5)),
        ("12/31/2019 0:00", date(2019, 12, 31)),
        ("2/29/2028 12:00:00 AM", date(2028, 2, 29)),
        ("2019-02-29", "not a real date"),
        ("13/1/2019", "not a real date"),  # months first, as HabitBull writes them
        ("5.1.2019", "not a date (YYYY-MM-DD or M/D/YYYY)"),
        ("2019/01/05", "not a date (YYYY-MM-DD or M/D/YYYY)"),
        ("1/5/19", "not a date (YYYY-MM-DD or M/D/YYYY)"),
        ("2019-01-05 noon", "not a date (YYYY-MM-DD or M/D/YYYY)"),
        ("", "not a date (YYYY-MM-DD or M/D/YYYY)"),
        ("1/5/3019", "not a date connect keeps (the years 1900 to 2999)"),
    ],
)
def test_habitbull_dates_are_read_in_both_styles(text, day):
    from connect_habits.interop.habitbull import habitbull_date

    if isinstance(day, date):
        assert habitbull_date(text) == day
    else:
        with pytest.raises(ValueError, match=day.replace("(", r"\(").replace(")", r"\)")):
            habitbull_date(text)


@pytest.mark.parametrize(
    "name, description, values, goal",
    [
        ("Pushups", "", ("10", "20", "30"), "20 times/day"),  # no unit said: times
        ("Read (pages)", "", ("12", "30"), "21 pages/day"),  # 21 is 12 and 30's median
        ("Run (km)", "", ("2.5", "3"), "2.75 km/day"),  # amounts keep their decimals
        ("Read", "a chapter (Pages)", ("5", "5", "40"), "5 pages/day"),
        ("Yoga", "minutes on the mat", ("20", "25", "30"), "25m/day"),
        ("Piano min", "", ("15", "45"), "30m/day"),
        ("Sleep (hours)", "", ("7", "8", "7.5"), "7h30m/day"),
        ("Water (250 ml each)", "", ("6", "8"), "7 times/day"),  # not a unit connect takes
        ("Meditate", "", ("1", "1", "0"), None),  # a check habit
        ("Steps", "", ("250000",), "100000 times/day"),  # the most one day holds
    ],
)
def test_a_habit_with_values_above_1_gets_the_usual_day_as_its_goal(name, description, values, goal):
    from connect_habits.interop.habitbull import read_habitbull

    rows = [(name, description, "", f"2026-11-{20 + i}", value, "") for i, value in enumerate(values)]
    found = read_habitbull(habitbull_csv(rows), "test.csv")
    [habit] = found.habits
    assert (str(habit.goal) if habit.goal else None) == goal
    assert habit.cadence.per_week == 0 and len(habit.cadence.weekdays) == 7  # daily
    assert bool(found.inexact) == (goal is not None)


def test_rows_of_one_day_add_up_and_their_comments_are_kept_in_order():
    from connect_habits.interop.habitbull import read_habitbull

    rows = [
        ("Water", "", "", "2026-11-20", "2", "morning"),
        ("Water", "", "", "11/20/2026", "3", "noon"),
        ("Water", "", "", "2026-11-20T18:00:00", "2", "morning"),
        ("Water", "", "", "2026-11-21", "1.4", ""),
    ]
    found = read_habitbull(habitbull_csv(rows), "test.csv")
    [habit] = found.habits
    assert [(e.day.day, e.amount, e.note) for e in habit.entries] == [(20, 7, "morning\nnoon"), (21, 1.4, "")]
    assert habit.first_day == date(2026, 11, 20) and habit.key == "Water"
    assert not any("cut to" in line for line in found.inexact)  # 1.4 glasses are kept as they are
