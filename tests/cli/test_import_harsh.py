"""Importing harsh's folder (`connect import --from harsh DIR`): its `habits` and `log` files as harsh writes them.

Through the real `connect` command (clock pinned to Thursday 2026-11-26 10:00), plus the line parsers alone.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from support import files_of, one_error_line

# harsh's own example habits file, grown: headings, comments, blank lines, every kind of frequency.
HABITS = """\
# This is your habits file.
# It tells harsh what to track and how frequently.
# 1 means daily, 7 means weekly, 14 every two weeks.
! Together
Walk together: 1
Date night: 7
Cook a new recipe: 3/7

! Health
Gym: 3/7
Stretch: 3
Read: Books: 2
Too much coffee: 0

Call mum: 30
"""

# harsh writes `date : habit : result : comment : amount` (" :  : " when it asked for neither).
LOG = """\
# harsh log
2026-11-19 : Date night : y : pizza : 0
2026-11-20 : Walk together : y :  : \n\
2026-11-21 : Walk together : y : by the river : \n\
2026-11-22 : Walk together : s : rain : \n\
2026-11-23 : Walk together : n : too tired : \n\
2026-11-24 : Walk together : n :  : \n\
2026-11-24 : Walk together : y : later that evening : \n\
2026-11-23 : Gym : y :  : 3
2026-11-25 : Gym : y : leg day : 1.5

2026-11-25 : Stretch : s :  :
2026-11-22 : Too much coffee : y :  : 2
2026-11-26 : Read: Books : y : Dune : \n\
2026-11-18 : Meditate : y
"""

SUMMARY = (
    "Imported 9 habits, 9 check-ins, 2 skips from harsh; not mapped exactly: 'Too much coffee': harsh only "
    "tracks it (no target); it is daily here, the amounts of 'Gym' and 'Too much coffee' are in the notes (harsh "
    "gives them no target), 'Meditate': in the log but not in habits; it is an archived daily habit here; "
    "left out: 1 comment on days marked n (not done is no record here)."
)


def harsh_folder(tmp_path: Path, habits: str | bytes | None = HABITS, log: str | bytes | None = LOG) -> Path:
    """A harsh folder as harsh keeps it (~/.config/harsh): `habits` and `log`, either left out when None."""
    folder = tmp_path / "harsh"
    folder.mkdir(exist_ok=True)
    for name, text in (("habits", habits), ("log", log)):
        if text is not None:
            (folder / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    return folder


def history(connect) -> list[tuple[str, str, str, str]]:
    """(kind, date, habit, note) of every check-in and skip, oldest first."""
    return sorted((e["kind"], e["date"], e["habit"], e["note"]) for e in connect("log", "--json").json())


def test_a_harsh_folder_becomes_habits_check_ins_and_skips(connect, home, tmp_path):
    connect("add", "Walk together", "--every", "mon,wed,sat")
    result = connect("import", "--from", "harsh", str(harsh_folder(tmp_path)))
    assert result.code == 0, result.err
    assert result.out.startswith(
        "Imported 9 habits, 9 check-ins, 2 skips from harsh; renamed 1 duplicate: "
        "'Walk together' as 'Walk together (2)'; not mapped exactly: 'Too much coffee'"
    )

    habits = connect("list", "--json").json()
    shown = [(h["name"], h["cadence"], h["group"], h["archived"], h["created"]) for h in habits]
    assert shown == [
        # connect shows the habits without a group first, then each group in the order of its first habit.
        ("Walk together", "mon,wed,sat", None, False, "2026-11-26"),
        ("Meditate", "daily", None, True, "2026-11-18"),  # only in the log
        ("Walk together (2)", "daily", "Together", False, "2026-11-20"),  # created: its first log line
        ("Date night", "weekly", "Together", False, "2026-11-19"),
        ("Cook a new recipe", "3/week", "Together", False, "2026-11-26"),  # no log lines: today
        ("Gym", "3/week", "Health", False, "2026-11-23"),
        ("Stretch", "1 in 3 days", "Health", False, "2026-11-25"),
        ("Read: Books", "1 in 2 days", "Health", False, "2026-11-26"),  # the frequency is after the last colon
        ("Too much coffee", "daily", "Health", False, "2026-11-22"),  # harsh's 0: tracked only
        ("Call mum", "1/month", "Health", False, "2026-11-26"),  # a blank line does not end a heading
    ]
    assert all(h["goal"] is None and h["limit"] is None for h in habits)  # harsh's amounts have no target

    assert history(connect) == [
        ("checkin", "2026-11-18", "Meditate", ""),
        ("checkin", "2026-11-19", "Date night", "pizza"),  # an amount of 0 is harsh's "none"
        ("checkin", "2026-11-20", "Walk together (2)", ""),
        ("checkin", "2026-11-21", "Walk together (2)", "by the river"),
        ("checkin", "2026-11-22", "Too much coffee", "2"),
        ("checkin", "2026-11-23", "Gym", "3"),
        ("checkin", "2026-11-24", "Walk together (2)", "later that evening"),  # the day's last line counts
        ("checkin", "2026-11-25", "Gym", "1.5: leg day"),
        ("checkin", "2026-11-26", "Read: Books", "Dune"),
        ("skip", "2026-11-22", "Walk together (2)", "rain"),
        ("skip", "2026-11-25", "Stretch", ""),
    ]  # 2026-11-23's n (not done) is no record
    rows = list(csv.DictReader(io.StringIO(connect("export", "--format", "csv").out, newline="")))
    assert {(r["habit"], r["minutes"], r["source"]) for r in rows} >= {("Gym", "", "harsh"), ("Meditate", "", "harsh")}
    assert len(rows) == 9


def test_the_summary_says_what_was_not_exact_and_what_was_left_out(connect, tmp_path):
    result = connect("import", "--from", "harsh", str(harsh_folder(tmp_path)))
    assert result.code == 0 and result.out.strip() == SUMMARY, result.out + result.err


@pytest.mark.parametrize("given", ["log", "habits"])
def test_either_file_of_the_folder_imports_the_whole_folder(connect, tmp_path, given):
    folder = harsh_folder(tmp_path)
    result = connect("import", "--from", "harsh", str(folder / given))
    assert result.code == 0 and result.out.strip() == SUMMARY, result.out + result.err


def test_a_folder_without_a_log_brings_the_habits_alone(connect, tmp_path):
    result = connect("import", "--from", "harsh", str(harsh_folder(tmp_path, log=None)))
    assert result.code == 0 and result.out.startswith("Imported 8 habits, 0 check-ins, 0 skips from harsh;")
    assert len(connect("list", "--json").json()) == 8


def test_a_dry_run_changes_nothing_and_says_what_would_come(connect, home, tmp_path):
    connect("add", "Walk together")
    connect("done", "walk")
    before = files_of(home)
    folder = harsh_folder(tmp_path)
    result = connect("import", "--from", "harsh", "--dry-run", str(folder))
    assert result.code == 0, result.err
    assert result.out.startswith("Would import 9 habits, 9 check-ins, 2 skips from harsh; renamed 1 duplicate")
    assert result.out.strip().endswith("Nothing was changed (--dry-run).")
    assert files_of(home) == before


@pytest.mark.parametrize("again", [(), ("--merge",)], ids=["plain", "merge"])
def test_importing_twice_adds_nothing(connect, home, tmp_path, again):
    folder = harsh_folder(tmp_path)
    assert connect("import", "--from", "harsh", str(folder)).code == 0
    records = history(connect)
    before = files_of(home)  # after the reads: they keep a cache of their own
    second = connect("import", "--from", "harsh", *again, str(folder))
    assert second.code == 0, second.err
    assert second.out.startswith("Imported 0 habits, 0 check-ins, 0 skips from harsh (9 habits already here)")
    assert files_of(home) == before
    assert history(connect) == records and len(connect("list", "--json").json()) == 9


def test_a_later_log_adds_only_its_new_lines(connect, tmp_path):
    folder = harsh_folder(tmp_path)
    assert connect("import", "--from", "harsh", str(folder)).code == 0
    (folder / "log").write_text(LOG + "2026-11-27 : Gym : y : early : \n", encoding="utf-8")
    later = connect("import", "--from", "harsh", str(folder), now="2026-11-27T09:00")
    assert later.out.startswith("Imported 0 habits, 1 check-in, 0 skips from harsh (9 habits already here)")
    assert ("checkin", "2026-11-27", "Gym", "early") in history(connect)


# ---------------------------------------------------------------- refusals


def _bad_folders() -> dict[str, tuple[str | bytes | None, str | bytes | None, str]]:
    """(habits, log, what to give: "" the folder, else a name in it) of each damaged or wrong input."""
    good_log = "2026-11-25 : Gym : y\n"
    gym = "Gym: 3/7\n"
    return {
        "a folder without habits": (None, good_log, ""),
        "a log without habits beside it": (None, good_log, "log"),
        "another file": (gym, good_log, "notes.txt"),
        "nothing there": (gym, good_log, "missing"),
        "a habits line without a colon": ("Gym 3/7\n", good_log, ""),
        "a word for a frequency": ("Gym: often\n", good_log, ""),
        "more times than days": ("Gym: 4/3\n", good_log, ""),
        "no days": ("Gym: 3/0\n", good_log, ""),
        "a negative frequency": ("Gym: -1\n", good_log, ""),
        "a habit without a name": (": 1\n", good_log, ""),
        "a bad date": (gym, "2026-13-01 : Gym : y\n", ""),
        "a date in another format": (gym, "26/11/2026 : Gym : y\n", ""),
        "a bad status": (gym, "2026-11-25 : Gym : maybe\n", ""),
        "a capital status": (gym, "2026-11-25 : Gym : Y\n", ""),
        "a line without a status": (gym, "2026-11-25 : Gym\n", ""),
        "a bad amount": (gym, "2026-11-25 : Gym : y : hard : lots\n", ""),
        "an endless amount": (gym, "2026-11-25 : Gym : y : hard : inf\n", ""),
        "habits not UTF-8": ("Café: 1\n".encode("latin-1"), good_log, ""),
        "a log not UTF-8": (gym, "2026-11-25 : Gym : y : café\n".encode("latin-1"), ""),
    }


BAD = _bad_folders()


@pytest.mark.parametrize("case", sorted(BAD))
def test_damaged_or_wrong_inputs_are_refused_with_one_sentence_and_change_nothing(connect, home, tmp_path, case):
    connect("add", "Walk together")
    connect("done", "walk")
    before = files_of(home)
    habits, log, given = BAD[case]
    folder = harsh_folder(tmp_path, habits, log)
    (folder / "notes.txt").write_text("not harsh's\n")
    path = folder / given if given else folder
    line = one_error_line(connect("import", "--from", "harsh", str(path)))
    assert str(path) in line
    assert files_of(home) == before


def test_the_refusals_say_what_is_wrong(connect, tmp_path):
    def refusal(case: str) -> str:
        habits, log, given = BAD[case]
        folder = harsh_folder(tmp_path, habits, log)
        (folder / "notes.txt").write_text("not harsh's\n")
        return one_error_line(connect("import", "--from", "harsh", str(folder / given if given else folder)))

    assert refusal("a folder without habits").endswith(
        "has no habits file, so it is not harsh's folder; nothing was imported."
    )
    assert "has no habits file beside it" in refusal("a log without habits beside it")
    assert "is not harsh's folder, nor its habits or log file" in refusal("another file")
    assert "habits line 1, 'Gym 3/7' has no ': frequency'" in refusal("a habits line without a colon")
    assert "habits line 1, 'often' is not a frequency (N, T/N, 1w or 0)" in refusal("a word for a frequency")
    assert "'4/3' is not a frequency (T/N needs T at most N" in refusal("more times than days")
    assert "log line 1, '2026-13-01' is not a real date" in refusal("a bad date")
    assert "'26/11/2026' is not a date (YYYY-MM-DD)" in refusal("a date in another format")
    assert "log line 1, 'maybe' is not y, n or s" in refusal("a bad status")
    assert "'lots' is not an amount" in refusal("a bad amount")
    assert "cannot be read: log is not UTF-8 text" in refusal("a log not UTF-8")


def test_a_folder_that_does_not_exist_is_refused_by_the_reader_itself(tmp_path):
    from connect_habits.errors import ConnectError
    from connect_habits.interop.harsh import read_harsh

    with pytest.raises(ConnectError, match=r"^/.*/nowhere does not exist; nothing was imported\.$"):
        read_harsh(tmp_path / "nowhere", str(tmp_path / "nowhere"))


# ---------------------------------------------------------------- the reader alone


def test_progress_is_told_as_rows_are_read(tmp_path):
    from connect_habits.interop.harsh import read_harsh

    log = "".join(f"{date.fromordinal(date(2024, 1, 1).toordinal() + i)} : Gym : y :  : \n" for i in range(1200))
    told: list[tuple[int, int | None, str]] = []
    found = read_harsh(harsh_folder(tmp_path, "Gym: 3/7\n", log), "harsh", lambda *a: told.append(a))
    assert len(found.habits[0].entries) == 1200
    assert {what for _, _, what in told} == {"rows read"} and [done for done, _, _ in told] == [500, 1000]
    assert {total for _, total, _ in told} == {1 + 1200}  # the habits line and the log's


def test_a_second_line_of_one_name_and_a_window_too_long_are_said(tmp_path):
    from connect_habits.interop.harsh import read_harsh

    found = read_harsh(harsh_folder(tmp_path, "Gym: 3/7\nNew skill: 400\nGym: 1\n", ""), "harsh")
    assert [(h.name, str(h.cadence)) for h in found.habits] == [("Gym", "3/week"), ("New skill", "1 in 365 days")]
    assert found.inexact == ["'New skill': 1 in 400 days became 1 in 365 days"]
    assert found.left_out == ["a second habits line for 'Gym' (one habit here)"]


@pytest.mark.parametrize(
    "text, target, interval, cadence",
    [
        ("1", 1, 1, "daily"),
        (" 7 ", 1, 7, "weekly"),
        ("14", 1, 14, "1 in 14 days"),
        ("30", 1, 30, "1/month"),
        ("3/7", 3, 7, "3/week"),
        ("2 / 7  ", 2, 7, "2/week"),
        ("5/5", 5, 5, "daily"),
        ("2/30", 2, 30, "2/month"),
        ("4/10", 4, 10, "4 in 10 days"),
        ("0", 0, 1, None),  # tracked only
        ("0/7", 0, 7, None),
        ("1w", 1, 7, "weekly"),  # harsh's README: 7 (or 1w) is weekly
        ("2w", 1, 14, "1 in 14 days"),
        ("3/2w", 3, 14, "3 in 14 days"),
    ],
)
def test_frequencies_are_read_as_harsh_means_them(text, target, interval, cadence):
    from connect_habits.interop.harsh import parse_frequency
    from connect_habits.interop.loop import loop_cadence

    assert parse_frequency(text) == (target, interval)
    if cadence is not None:
        assert str(loop_cadence(target, interval)) == cadence


@pytest.mark.parametrize(
    "text", ["", "daily", "-1", "+3", "1.5", "3/", "/7", "4/3", "3/0", "1/2/3", "1_0", "٣", "w", "1ww", "8/1w"]
)
def test_bad_frequencies_are_damaged(text):
    from connect_habits.interop.harsh import Damaged, parse_frequency

    with pytest.raises(Damaged, match="is not a frequency"):
        parse_frequency(text)


@pytest.mark.parametrize(
    "text, name, target, interval",
    [
        ("Gym: 3/7", "Gym", 3, 7),
        ("Bed by midnight: 1", "Bed by midnight", 1, 1),
        ("Running: 2/7  ", "Running", 2, 7),
        ("Read: Books: 2", "Read: Books", 1, 2),  # the frequency is after the last colon
        ("Used harsh:0", "Used harsh", 0, 1),
    ],
)
def test_habits_lines(text, name, target, interval):
    from connect_habits.interop.harsh import HarshHabit, parse_habit_line

    assert parse_habit_line(text, "Health") == HarshHabit(name, target, interval, "Health")


@pytest.mark.parametrize(
    "text, problem",
    [("Gym 3/7", "has no ': frequency'"), (": 1", "names no habit"), ("Gym: x", "is not a frequency")],
)
def test_damaged_habits_lines(text, problem):
    from connect_habits.interop.harsh import Damaged, parse_habit_line

    with pytest.raises(Damaged, match=problem):
        parse_habit_line(text)


@pytest.mark.parametrize(
    "text, name, status, comment, amount",
    [
        ("2026-11-25 : Gym : y", "Gym", "y", "", None),
        ("2026-11-25 : Gym : y :  : ", "Gym", "y", "", None),  # as harsh writes it
        ("2026-11-25 : Gym : y :  :", "Gym", "y", "", None),  # the space at the end stripped by an editor
        ("2026-11-25 : Gym : s : ill", "Gym", "s", "ill", None),
        ("2026-11-25 : Gym : n : tired : 0", "Gym", "n", "tired", None),  # 0 is harsh's "no amount"
        ("2026-11-25 : Gym : y : leg day : 1.5", "Gym", "y", "leg day", 1.5),
        ("2026-11-25 : Gym : y :  : -2", "Gym", "y", "", -2.0),
        ("2026-11-25 : Gym : y : sets : reps : 12", "Gym", "y", "sets : reps", 12.0),
        ("2026-11-25 : Gym : y : ratio 3:1", "Gym", "y", "ratio 3:1", None),
        ("2026-11-25 : Read: Books : y", "Read: Books", "y", "", None),
        ("2026-11-25 : Read : Books : y : x", "Read : Books", "y", "x", None),  # a name the habits file has
        ("2026-11-25 : Ünïcødé 🧘 : y : ☕ : 2\r", "Ünïcødé 🧘", "y", "☕", 2.0),
    ],
)
def test_log_lines(text, name, status, comment, amount):
    from connect_habits.interop.harsh import HarshLine, parse_log_line

    line = parse_log_line(text, {"Read : Books"})
    assert line == HarshLine(date(2026, 11, 25), name, status, comment, amount)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("2026-11-25 : Gym", "is not 'YYYY-MM-DD : habit : y, n or s'"),
        ("2026-11-25: Gym: y", "is not 'YYYY-MM-DD : habit : y, n or s'"),
        ("2026-02-30 : Gym : y", "'2026-02-30' is not a real date"),
        ("20261125 : Gym : y", "is not a date"),
        ("2026-11-25 :  : y", "names no habit"),
        ("2026-11-25 : Gym : yes", "'yes' is not y, n or s"),
        ("2026-11-25 : Gym : y : x : 1,5", "'1,5' is not an amount"),
        ("2026-11-25 : Gym : y : x : nan", "'nan' is not an amount"),
        ("2026-11-25 : Gym : y : x : 1e999", "'1e999' is not an amount"),
    ],
)
def test_damaged_log_lines(text, problem):
    from connect_habits.interop.harsh import Damaged, parse_log_line

    with pytest.raises(Damaged, match=problem):
        parse_log_line(text)
