"""Export and import: the JSON backup, CSV, iCalendar reminders and Loop Habit Tracker's export.

Through the real `connect` command (clock pinned to Thursday 2026-11-26 10:00), plus a few
pure checks of the mappings.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from support import files_of, one_error_line

LOOP_HEADER = (
    "Position,Name,Type,Question,Description,FrequencyNumerator,FrequencyDenominator,Color,Unit,"
    "Target Type,Target Value,Archived?"
)


NOTE = 'board games, "no phones"\nthen tea'


@pytest.fixture
def lived_in(connect):
    """A home with a bit of everything: partners, cadences, goals, reminders, notes, skips, an archived habit."""
    assert connect("init", "--partner", "Alex", "--partner", "Sam", "--habit", "appreciation", "--yes").code == 0
    for minute, args in enumerate(
        (
            ("add", "Walk together", "--every", "mon,wed,sat", "--at", "19:00", "--at", "07:30"),
            ("add", "Tech-free time", "--goal", "2h/week", "--at", "20:00"),
            ("add", "Stretch", "--every", "every 3 days", "--at", "08:15", "--who", "each"),
            ("add", "Old ritual", "--every", "weekdays", "--at", "06:00"),
            ("done", "walk", "--date", "2026-11-25", "--note", NOTE),
            ("done", "tech", "--minutes", "45", "--by", "Sam"),
            ("done", "tech", "--minutes", "30", "--date", "yesterday", "--note", "sofa, no screens"),
            ("done", "stretch", "--by", "Alex"),
            ("skip", "walk", "--from", "2026-11-28", "--to", "2026-11-30", "--reason", "visiting family"),
            ("remove", "old"),
        )
    ):
        # Logged a minute apart, so the order they were logged in is plain.
        result = connect(*args, now=f"2026-11-26T09:{minute:02d}")
        assert result.code == 0, (args, result.err)
    return connect


def other_home(tmp_path: Path, name: str = "other") -> dict:
    return {"CONNECT_HOME": str(tmp_path / name)}


# ---------------------------------------------------------------- the JSON backup


def test_export_import_into_an_empty_home_export_gives_the_same_bytes(lived_in, tmp_path):
    connect = lived_in
    backup = tmp_path / "backup.json"
    written = connect("export", "--format", "json", "-o", str(backup))
    assert written.code == 0 and str(backup) in written.out and written.out.count("\n") == 1
    assert connect("export", "--format", "json").out.encode() == backup.read_bytes()  # stdout: the same bytes
    data = json.loads(backup.read_text())
    assert (data["format"], data["version"]) == ("connect-backup", 2)
    assert len(data["habits"]) == 5 and len(data["checkins"]) == 4 and len(data["skips"]) == 3
    assert data["config"] == {"week_start": "monday"}
    assert data["couple"]["partners"] == [{"id": "p:alex", "name": "Alex"}, {"id": "p:sam", "name": "Sam"}]

    elsewhere = other_home(tmp_path)
    restored = connect("import", str(backup), env=elsewhere)
    assert restored.code == 0, restored.err
    assert restored.out.startswith("Restored 5 habits, 4 check-ins, 3 skips and the settings")
    again = tmp_path / "again.json"
    assert connect("export", "-o", str(again), env=elsewhere).code == 0
    assert again.read_bytes() == backup.read_bytes()
    assert connect("list", "--json", env=elsewhere).json() == connect("list", "--json").json()
    assert connect("week", "--json", env=elsewhere).json() == connect("week", "--json").json()


def test_a_backup_leaves_out_this_machines_keys_and_running_sessions(connect, home, tmp_path):
    home.mkdir()
    shared = tmp_path / "shared"
    (home / "config.toml").write_text(
        f'partners = ["Alex", "Sam"]\nweek_start = "sunday"\nquiet_hours = '
        f'"22:30-07:30"\nsync_folder = "{shared}"\ndevice = "abcdef012345"\nme = "Sam"\n'
    )
    connect("add", "Tech-free time", "--goal", "2h/week")
    assert connect("unplug", "90m").code == 0
    data = json.loads(connect("export").out)
    # Whose this device is, like the shared folder, describes the machine; the partners are in "couple".
    assert data["config"] == {"week_start": "sunday", "quiet_hours": "22:30-07:30"}
    assert "sessions" not in data and data["checkins"] == []
    elsewhere = other_home(tmp_path)
    assert connect("import", "-", stdin=json.dumps(data), env=elsewhere).code == 0
    config = (tmp_path / "other" / "config.toml").read_text()
    assert 'quiet_hours = "22:30-07:30"' in config and 'week_start = "sunday"' in config
    assert "sync_folder" not in config and "device" not in config


def test_a_backup_restores_into_a_shared_home_which_stays_shared(lived_in, tmp_path):
    connect = lived_in
    backup = tmp_path / "backup.json"
    connect("export", "-o", str(backup))
    elsewhere = other_home(tmp_path)
    shared = tmp_path / "shared"
    assert connect("sync", "init", str(shared), "--me", "Sam", env=elsewhere).code == 0
    restored = connect("import", str(backup), env=elsewhere)
    assert restored.code == 0, restored.err
    assert connect("list", "--json", env=elsewhere).json() == connect("list", "--json").json()
    mine, theirs = json.loads(connect("export", env=elsewhere).out), json.loads(backup.read_text())
    assert {k: v for k, v in mine.items() if k not in ("config", "couple")} == {
        k: v for k, v in theirs.items() if k not in ("config", "couple")
    }
    assert mine["config"] == theirs["config"]  # this device's own keys are never in a backup
    # The same couple: Sam, who shared this home, was named here first.
    assert mine["couple"]["id"] == theirs["couple"]["id"]
    assert sorted(mine["couple"]["partners"], key=str) == sorted(theirs["couple"]["partners"], key=str)
    assert connect("config", "get", "me", env=elsewhere).out.strip() == "Sam"  # this device is still Sam's
    config = (tmp_path / "other" / "config.toml").read_text()
    assert f'sync_folder = "{shared}"' in config and "device = " in config
    assert [p.name for p in shared.iterdir() if p.name.startswith("connect-")]  # written to the shared folder
    assert connect("sync", "status", "--json", env=elsewhere).json()["shared"] is True


def test_merging_adds_what_is_missing_and_importing_twice_changes_nothing(lived_in, tmp_path):
    connect = lived_in
    backup = tmp_path / "backup.json"
    connect("export", "-o", str(backup))
    elsewhere = other_home(tmp_path)
    other = tmp_path / "other"
    connect("add", "Walk together", "--every", "daily", env=elsewhere)  # the same name, another habit
    connect("add", "Read aloud", env=elsewhere)
    connect("done", "read", env=elsewhere)

    refused = one_error_line(connect("import", str(backup), env=elsewhere))
    assert "--merge" in refused
    before = files_of(other)
    merged = connect("import", str(backup), "--merge", env=elsewhere)
    assert merged.code == 0, merged.err
    assert "Imported 5 habits, 4 check-ins and 3 skips" in merged.out
    assert "'Walk together' is called 'Walk together (imported)' here" in merged.out
    assert files_of(other).get("config.toml") == before.get("config.toml")  # merging keeps this home's settings
    names = [h["name"] for h in connect("list", "--json", env=elsewhere).json()]
    assert names == [
        "Walk together",
        "Read aloud",
        "Notice and appreciate",
        "Walk together (imported)",
        "Tech-free time",
        "Stretch",
        "Old ritual",
    ]

    after_first = files_of(other)
    second = connect("import", str(backup), "--merge", env=elsewhere)
    assert second.code == 0 and second.out.startswith("Nothing new")
    assert files_of(other) == after_first

    # The other way round: what was logged there comes back here, and nothing twice.
    connect("done", "walk-together-imported", "--date", "2026-11-23", env=elsewhere)
    theirs = tmp_path / "theirs.json"
    connect("export", "-o", str(theirs), env=elsewhere)
    back = connect("import", str(theirs), "--merge")
    assert back.code == 0 and "Imported 2 habits, 2 check-ins and 0 skips" in back.out
    assert "(5 habits already here)" in back.out
    walk = next(h for h in connect("week", "--json").json()["habits"] if h["slug"] == "walk-together")
    assert walk["days"]["2026-11-23"] == "done" and walk["days"]["2026-11-25"] == "done"
    assert connect("import", str(theirs), "--merge").out.startswith("Nothing new")


def test_a_record_undone_here_does_not_come_back_with_a_merge(lived_in, tmp_path):
    connect = lived_in
    backup = tmp_path / "backup.json"
    connect("export", "-o", str(backup))
    assert connect("undo", "walk", "--date", "2026-11-25").code == 0
    assert connect("import", str(backup), "--merge").out.startswith("Nothing new")
    walk = next(h for h in connect("week", "--json").json()["habits"] if h["slug"] == "walk-together")
    assert walk["days"]["2026-11-25"] != "done"


def _backup(**changes) -> str:
    data = {
        "format": "connect-backup",
        "version": 1,
        "config": {"partners": [], "week_start": "monday"},
        "habits": [{"id": "h1", "name": "Walk", "slug": "walk", "cadence": "daily", "created": "2026-11-01"}],
        "checkins": [{"id": "c1", "habit": "h1", "date": "2026-11-02"}],
        "skips": [],
    }
    data.update(changes)
    return json.dumps({k: v for k, v in data.items() if v is not ...})


BAD_BACKUPS = {
    "not JSON": "this is not json",
    "empty": "",
    "a list": "[1, 2]",
    "a TinyDB data file": json.dumps({"_meta": {"1": {"schema": 2}}, "checkins": {}}),
    "wrong format": _backup(format="loop-backup"),
    "no format": _backup(format=...),
    "from the future": _backup(version=3),
    "version as text": _backup(version="1"),
    "no habits": _backup(habits=...),
    "no config": _backup(config=...),
    "habits not a list": _backup(habits={"h1": {}}),
    "a habit without a name": _backup(
        habits=[{"id": "h1", "slug": "walk", "cadence": "daily", "created": "2026-11-01"}]
    ),
    "a bad cadence": _backup(
        habits=[{"id": "h1", "name": "Walk", "slug": "walk", "cadence": "sometimes", "created": "2026-11-01"}]
    ),
    "a bad reminder time": _backup(
        habits=[
            {"id": "h1", "name": "Walk", "slug": "walk", "cadence": "daily", "created": "2026-11-01", "at": ["7pm"]}
        ]
    ),
    "a check-in for no habit": _backup(checkins=[{"id": "c1", "habit": "nope", "date": "2026-11-02"}]),
    "a bad date": _backup(checkins=[{"id": "c1", "habit": "h1", "date": "2026-02-30"}]),
    "minutes as text": _backup(checkins=[{"id": "c1", "habit": "h1", "date": "2026-11-02", "minutes": "30"}]),
    "two check-ins, one id": _backup(
        checkins=[{"id": "c1", "habit": "h1", "date": "2026-11-02"}, {"id": "c1", "habit": "h1", "date": "2026-11-03"}]
    ),
    "a bad week start": _backup(config={"week_start": "friday"}),
    "a setting TOML cannot hold": _backup(config={"nested": {"a": 1}}),
}


@pytest.mark.parametrize("merge", [False, True])
@pytest.mark.parametrize("case", sorted(BAD_BACKUPS))
def test_bad_backups_are_refused_with_one_sentence_and_change_nothing(connect, home, tmp_path, case, merge):
    connect("init", "--partner", "Alex", "--partner", "Sam", "--habit", "appreciation", "--yes")
    connect("done", "appreciation")
    before = files_of(home)
    bad = tmp_path / "bad.json"
    bad.write_text(BAD_BACKUPS[case])
    line = one_error_line(connect("import", str(bad), *(["--merge"] if merge else [])))
    assert str(bad) in line or "This home" in line
    assert files_of(home) == before
    # Into an empty home too: nothing is created.
    empty = tmp_path / "empty"
    one_error_line(connect("import", str(bad), env={"CONNECT_HOME": str(empty)}))
    assert files_of(empty) == {}


def test_the_refusals_say_what_is_wrong(connect, tmp_path):
    def refusal(text: str) -> str:
        path = tmp_path / "file.json"
        path.write_text(text)
        return one_error_line(connect("import", str(path)))

    assert "not valid JSON at line 1, column 1" in refusal("nope")
    assert "newer connect (backup version 3" in refusal(_backup(version=3))
    assert '"format": "connect-backup"' in refusal(_backup(format="x"))
    assert "lacks 'habits'" in refusal(_backup(habits=...))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("Habits.csv", LOOP_HEADER + "\n")
    path = tmp_path / "loop.zip"
    path.write_bytes(buf.getvalue())
    assert "add --from loop" in one_error_line(connect("import", str(path)))
    assert "There is no file" in one_error_line(connect("import", str(tmp_path / "missing.json")))


def test_export_and_import_usage_errors(connect, tmp_path):
    assert "json, csv or ics" in one_error_line(connect("export", "--format", "xml"), code=2)
    assert "--from connect, loop, habitbull, harsh or csv" in one_error_line(
        connect("import", "x.json", "--from", "habitica"), code=2
    )
    missing_folder = tmp_path / "no" / "such" / "folder" / "out.json"
    assert "Cannot write in" in one_error_line(connect("export", "-o", str(missing_folder)))


# ---------------------------------------------------------------- CSV


def test_csv_has_one_row_per_check_in_and_reads_back_exactly(lived_in, tmp_path):
    connect = lived_in
    out = tmp_path / "checkins.csv"
    assert connect("export", "--format", "csv", "-o", str(out)).code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"date,habit,minutes,note,by,source\r\n")
    assert connect("export", "--format", "csv").out == raw.decode().replace("\r\n", "\n")  # (read as text)
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert [(r["date"], r["habit"], r["minutes"], r["note"], r["by"], r["source"]) for r in rows] == [
        ("2026-11-25", "Walk together", "", NOTE, "", "cli"),
        ("2026-11-25", "Tech-free time", "30", "sofa, no screens", "", "cli"),
        ("2026-11-26", "Tech-free time", "45", "", "Sam", "cli"),
        ("2026-11-26", "Stretch", "", "", "Alex", "cli"),
    ]


def test_csv_of_an_empty_home_is_just_the_header(connect):
    result = connect("export", "--format", "csv")
    assert result.code == 0 and result.out == "date,habit,minutes,note,by,source\n"  # (CRLF, read as text)


# ---------------------------------------------------------------- iCalendar


def _calendar(text: str):
    from icalendar import Calendar

    return Calendar.from_ical(text)


def test_ics_has_a_recurring_event_with_an_alarm_per_reminder_time(lived_in, tmp_path):
    from zoneinfo import ZoneInfo

    connect = lived_in
    connect("add", "Daily hug", "--every", "daily", "--at", "22:00")
    connect("add", "Date night", "--every", "fri", "--at", "18:30")
    connect("add", "Weekend brunch", "--every", "weekends", "--at", "10:30")
    connect("add", "Dinner talk", "--every", "3/week", "--at", "19:30")
    connect("add", "No reminder", "--every", "daily")
    berlin = {"TZ": "Europe/Berlin"}
    out = tmp_path / "reminders.ics"
    assert connect("export", "--format", "ics", "-o", str(out), env=berlin).code == 0
    raw = out.read_bytes()
    # The pinned clock makes it the same text every time (CRLF read as text gives LF).
    assert connect("export", "--format", "ics", env=berlin).out == raw.decode().replace("\r\n", "\n")
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")

    calendar = _calendar(raw)
    assert str(calendar["VERSION"]) == "2.0" and "connect" in str(calendar["PRODID"])
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    events = {str(e["SUMMARY"]) + " " + e.decoded("DTSTART").strftime("%H:%M"): e for e in calendar.walk("VEVENT")}
    # Archived habits and habits without a reminder time have no events.
    assert sorted(events) == sorted(
        [
            "Notice and appreciate 20:00",
            "Walk together 07:30",
            "Walk together 19:00",
            "Tech-free time 20:00",
            "Stretch 08:15",
            "Daily hug 22:00",
            "Date night 18:30",
            "Weekend brunch 10:30",
            "Dinner talk 19:30",
        ]
    )
    habits = {h["name"]: h for h in connect("list", "--json").json()}
    rules = {key: {k: list(v) for k, v in e["RRULE"].items()} for key, e in events.items()}
    assert rules["Walk together 19:00"] == {"FREQ": ["WEEKLY"], "BYDAY": ["MO", "WE", "SA"]}
    assert rules["Date night 18:30"] == {"FREQ": ["WEEKLY"], "BYDAY": ["FR"]}
    assert rules["Weekend brunch 10:30"] == {"FREQ": ["WEEKLY"], "BYDAY": ["SA", "SU"]}
    assert rules["Daily hug 22:00"] == {"FREQ": ["DAILY"]}
    assert rules["Stretch 08:15"] == {"FREQ": ["DAILY"], "INTERVAL": [3]}
    for week_based in ("Tech-free time 20:00", "Dinner talk 19:30"):  # reminded daily until the week is met
        assert rules[week_based] == {"FREQ": ["DAILY"]}
    for key, event in events.items():
        start = event.decoded("DTSTART")
        assert start.tzinfo is not None and getattr(start.tzinfo, "key", None) == "Europe/Berlin"
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert date(2026, 11, 26) <= start.date() < date(2026, 12, 3)  # the first day the rule holds, from today
        habit = habits[str(event["SUMMARY"])]
        assert str(event["UID"]) == f"{habit['id']}-{key[-5:].replace(':', '')}@connect"
        assert event.decoded("DTSTAMP") == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
        assert f"connect done {habit['slug']}" in str(event["DESCRIPTION"])
        [alarm] = event.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY" and alarm.decoded("TRIGGER") == timedelta(0)
        assert str(alarm["DESCRIPTION"]) == habit["name"]
    assert events["Walk together 19:00"].decoded("DTSTART") == datetime(
        2026, 11, 28, 19, 0, tzinfo=ZoneInfo("Europe/Berlin")
    )
    assert events["Date night 18:30"].decoded("DTSTART").date() == date(2026, 11, 27)
    # Every 3 days from the day it was added (today), so today is the first.
    assert events["Stretch 08:15"].decoded("DTSTART").date() == date(2026, 11, 26)
    # A template's prompt leads the description.
    prompt = habits["Notice and appreciate"]["prompts"][0]
    assert str(events["Notice and appreciate 20:00"]["DESCRIPTION"]).splitlines()[0] == prompt


def test_ics_of_a_home_without_reminders_is_an_empty_calendar(connect):
    connect("add", "Walk")
    calendar = _calendar(connect("export", "--format", "ics").out)
    assert calendar.walk("VEVENT") == [] and calendar.walk("VTIMEZONE") == []


def test_ics_in_a_zone_without_a_name_uses_floating_local_times():
    from connect_habits.core.model import Habit, Snapshot, parse_cadence
    from connect_habits.interop.ics import export_ics

    habit = Habit(
        id="h1", name="Walk", slug="walk", cadence=parse_cadence("mon,thu"), created=date(2026, 1, 1), at=("19:00",)
    )
    plus_two = timezone(timedelta(hours=2))
    text = export_ics(
        Snapshot(habits=[habit]), plus_two, date(2026, 11, 26), stamp=datetime(2026, 11, 26, 10, 0, tzinfo=plus_two)
    )
    [event] = _calendar(text).walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2026, 11, 26, 19, 0)  # 19:00 wherever the phone is, DST or not
    assert "DTSTART:20261126T190000\r" in text and "VTIMEZONE" not in text
    assert str(event["UID"]) == "h1-1900@connect"


@pytest.mark.parametrize(
    "cadence, created, first",
    [
        ("daily", "2026-11-01", "2026-11-26"),
        ("mon,wed", "2026-11-01", "2026-11-30"),
        ("thu", "2026-11-01", "2026-11-26"),
        ("every 4 days", "2026-11-20", "2026-11-28"),
        ("every 3 days", "2026-11-20", "2026-11-26"),
        ("3/week", "2026-11-01", "2026-11-26"),
        ("daily", "2026-12-05", "2026-12-05"),  # not started yet
    ],
)
def test_the_first_reminder_day_is_one_the_rule_holds(cadence, created, first):
    from connect_habits.core.model import Habit, parse_cadence
    from connect_habits.interop.ics import first_reminder_day

    habit = Habit(id="h", name="H", slug="h", cadence=parse_cadence(cadence), created=date.fromisoformat(created))
    assert first_reminder_day(habit, date(2026, 11, 26)) == date.fromisoformat(first)


# ---------------------------------------------------------------- Loop Habit Tracker


def _csv_text(rows, quote_all: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue()


LOOP_HABITS = [
    # Position, Name, Type, Question, Description, FrequencyNumerator, FrequencyDenominator, Color, Unit,
    # Target Type, Target Value, Archived?
    (
        "001",
        "Meditate",
        "0",
        "Did you meditate today?",
        "Ten quiet minutes",
        "1",
        "1",
        "#FF8F00",
        "",
        "0",
        "0.0",
        "false",
    ),
    ("002", "Reading", "1", "How long did you read?", "", "1", "7", "#039BE5", "minutes", "0", "120.0", "false"),
    ("003", "Run", "0", "", "", "3", "7", "#7CB342", "", "0", "0.0", "false"),
    ("004", "Walk together", "0", "", "", "1", "3", "#8E24AA", "", "0", "0.0", "true"),
    ("005", "Pages", "1", "", "", "1", "1", "#000000", "pages", "0", "10.0", "false"),
]
MEDITATE = [  # Loop writes the newest first
    ("2026-11-26", "YES_MANUAL", ""),
    ("2026-11-25", "SKIP", "ill"),
    ("2026-11-24", "YES_AUTO", ""),
    ("2026-11-23", "YES_MANUAL", "calm, quiet"),
    ("2026-11-22", "NO", ""),
    ("2026-11-21", "UNKNOWN", ""),
]
READING = [
    ("2026-11-26", "SKIP", ""),
    ("2026-11-25", "0", ""),
    ("2026-11-24", "45500", ""),
    ("2026-11-23", "30000", "a novel"),
]
PAGES = [("2026-11-26", "12000", ""), ("2026-11-25", "0", "")]


def loop_zip(habits=LOOP_HABITS, folders=None, header=LOOP_HEADER, extra: dict | None = None) -> bytes:
    """A Loop Habit Tracker CSV export as its app writes it: Habits.csv, a folder per habit, totals beside."""
    if folders is None:
        folders = {
            "001 Meditate/Checkmarks.csv": "Date,Value,Notes\n" + _csv_text(MEDITATE),
            "002 Reading/Checkmarks.csv": _csv_text(READING),  # no header row
            "005 Pages/Checkmarks.csv": _csv_text(PAGES),
        }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Habits.csv", header + "\n" + _csv_text(habits, quote_all=True))
        archive.writestr("Checkmarks.csv", "Date,Meditate,Reading,\n2026-11-26,2,0,\n")
        archive.writestr("Scores.csv", "Date,Meditate,Reading,\n2026-11-26,0.5,0.1,\n")
        archive.writestr("001 Meditate/Scores.csv", "2026-11-26,0.5\n")
        for name, text in {**folders, **(extra or {})}.items():
            archive.writestr(name, text)
    return buf.getvalue()


def test_a_loop_export_becomes_habits_check_ins_and_skips(connect, home, tmp_path):
    connect("init", "--partner", "Alex", "--partner", "Sam", "--habit", "appreciation", "--yes")
    connect("add", "Walk together", "--every", "mon,wed,sat")
    export = tmp_path / "Loop Habits CSV 2026-11-26.zip"
    export.write_bytes(loop_zip())
    result = connect("import", "--from", "loop", str(export))
    assert result.code == 0, result.err
    assert result.out.startswith("Imported 5 habits, 5 check-ins, 2 skips from Loop; renamed 1 duplicate: ")
    assert "'Walk together' as 'Walk together (2)'" in result.out
    assert "left out: 1 check-mark Loop filled in by itself" in result.out

    habits = {h["name"]: h for h in connect("list", "--json").json()}
    assert set(habits) == {
        "Notice and appreciate",
        "Walk together",
        "Meditate",
        "Reading",
        "Run",
        "Walk together (2)",
        "Pages",
    }
    assert (habits["Meditate"]["cadence"], habits["Meditate"]["goal"]) == ("daily", None)
    assert habits["Meditate"]["prompts"] == ["Did you meditate today?"]
    assert habits["Meditate"]["note"] == "Ten quiet minutes"
    assert habits["Meditate"]["created"] == "2026-11-21"  # the first day Loop has a row for
    assert habits["Reading"]["goal"] == {"minutes": 120, "per": "week"} and habits["Reading"]["cadence"] == "weekly"
    assert habits["Run"]["cadence"] == "3/week" and habits["Run"]["archived"] is False
    assert habits["Walk together (2)"]["cadence"] == "1 in 3 days" and habits["Walk together (2)"]["archived"]
    assert habits["Walk together"]["archived"] is False  # the habit that was here is left as it is
    assert habits["Pages"]["goal"] == {"amount": 10, "unit": "pages", "per": "day"}  # at least 10 pages a day

    week = {h["name"]: h for h in connect("week", "--json").json()["habits"]}
    meditate = week["Meditate"]["days"]
    # YES_MANUAL counts; YES_AUTO (Loop's fill-in) does not; SKIP is a skip.
    assert [meditate[f"2026-11-{d}"] for d in (23, 24, 25, 26)] == ["done", "missed", "skipped", "done"]
    # 30 + 45.5 minutes (amounts ×1000), the goal prorated to the six unskipped days.
    assert week["Reading"]["progress"] == {"done": 75.5, "target": 103, "unit": "minutes"}
    assert week["Reading"]["days"]["2026-11-23"] == "done" and week["Reading"]["days"]["2026-11-26"] == "skipped"
    # The first day Loop has a row for is the day the habit was added here: it counts only when done.
    assert week["Pages"]["days"]["2026-11-26"] == "done" and week["Pages"]["days"]["2026-11-25"] == "not_due"
    assert "Walk together (2)" not in week  # archived

    rows = list(csv.DictReader(io.StringIO(connect("export", "--format", "csv").out, newline="")))
    assert sorted((r["date"], r["habit"], r["minutes"], r["note"], r["source"]) for r in rows) == [
        ("2026-11-23", "Meditate", "", "calm, quiet", "loop"),
        ("2026-11-23", "Reading", "30", "a novel", "loop"),
        ("2026-11-24", "Reading", "45.5", "", "loop"),
        ("2026-11-26", "Meditate", "", "", "loop"),
        ("2026-11-26", "Pages", "12", "", "loop"),
    ]
    data = json.loads(connect("export").out)
    loop_checkins = sorted(
        ((c["date"], c["minutes"], c["note"]) for c in data["checkins"] if c["source"] == "loop"), key=repr
    )
    assert loop_checkins == sorted(
        [
            ("2026-11-23", None, "calm, quiet"),
            ("2026-11-23", 30, "a novel"),
            ("2026-11-24", 45.5, ""),
            ("2026-11-26", None, ""),
            ("2026-11-26", 12, ""),
        ],
        key=repr,
    )
    assert sorted((s["date"], s["reason"]) for s in data["skips"]) == [("2026-11-25", "ill"), ("2026-11-26", "")]

    # The same export again adds nothing; a later one adds only what is new.
    before = files_of(home)
    again = connect("import", "--from", "loop", str(export))
    assert again.code == 0 and again.out.startswith(
        "Imported 0 habits, 0 check-ins, 0 skips from Loop (5 habits already here)"
    )
    assert files_of(home) == before
    later = tmp_path / "later.zip"
    later.write_bytes(
        loop_zip(folders={"001 Meditate/Checkmarks.csv": _csv_text([("2026-11-27", "YES_MANUAL", "")] + MEDITATE)})
    )
    newer = connect("import", "--from", "loop", str(later), now="2026-11-27T09:00")
    assert newer.code == 0 and "Imported 0 habits, 1 check-in, 0 skips" in newer.out
    assert "5 habits already here" in newer.out


def test_a_loop_check_in_is_logged_by_whoever_imports_on_a_named_device(connect, home, tmp_path):
    home.mkdir()
    (home / "config.toml").write_text('partners = ["Alex", "Sam"]\nme = "Sam"\n')
    export = tmp_path / "loop.zip"
    export.write_bytes(loop_zip())
    assert connect("import", "--from", "loop", str(export)).code == 0
    assert {e["by"] for e in connect("log", "--json").json() if e["kind"] == "checkin"} == {"Sam"}
    assert {c["by"] for c in json.loads(connect("export").out)["checkins"]} == {"p:sam"}  # by id in a backup


def test_loop_folders_named_by_number_alone_and_loops_own_numbers_are_understood(connect, tmp_path):
    # Loop keeps only [ a-zA-Z0-9._-] of a name for a folder ("🧘" gives "001"); older exports write numbers.
    habit = ("001", "🧘", "YES_NO", "", "", "1", "1", "#FF8F00", "", "", "", "false")
    checkmarks = "Date,Value,Notes\n2026-11-26,-3,\n2026-11-25,2,\n2026-11-24,1,\n2026-11-23,0,\n"
    export = tmp_path / "loop.zip"
    export.write_bytes(loop_zip(habits=[habit], folders={"001/Checkmarks.csv": checkmarks}))
    result = connect("import", "--from", "loop", str(export))
    assert result.code == 0 and "Imported 1 habit, 1 check-in, 1 skip" in result.out, result.out + result.err
    [row] = connect("week", "--json").json()["habits"]
    assert row["name"] == "🧘"
    # Its first day, the day it was added, counts only when done; YES_AUTO (1) is Loop's fill-in, not a check.
    assert [row["days"][f"2026-11-{d}"] for d in (23, 24, 25, 26)] == ["not_due", "missed", "done", "skipped"]


def _bad_loop_zips() -> dict[str, bytes]:
    habits_only = {"001 Meditate/Checkmarks.csv": "Date,Value,Notes\n2026-11-26,YES_MANUAL,\n"}
    without_habits = io.BytesIO()
    with zipfile.ZipFile(without_habits, "w") as archive:
        archive.writestr("001 Meditate/Checkmarks.csv", "2026-11-26,YES_MANUAL\n")
    return {
        "not a zip": b"Position,Name\n1,Meditate\n",
        "a truncated zip": loop_zip()[:200],
        "no Habits.csv": without_habits.getvalue(),
        "missing columns": loop_zip(
            header=LOOP_HEADER.replace(",FrequencyDenominator", ""),
            habits=[h[:6] + h[7:] for h in LOOP_HABITS],
            folders=habits_only,
        ),
        "an empty Habits.csv": loop_zip(header="", habits=[], folders={}),
        "a bad frequency": loop_zip(habits=[LOOP_HABITS[0][:5] + ("1", "0") + LOOP_HABITS[0][7:]], folders={}),
        "a bad position": loop_zip(habits=[("one",) + LOOP_HABITS[0][1:]], folders={}),
        "a bad date": loop_zip(folders={"001 Meditate/Checkmarks.csv": "2026-13-01,YES_MANUAL,\n"}),
        "a date in another format": loop_zip(folders={"001 Meditate/Checkmarks.csv": "26/11/2026,YES_MANUAL,\n"}),
        "a bad value": loop_zip(folders={"001 Meditate/Checkmarks.csv": "2026-11-26,MAYBE,\n"}),
        "a bad amount": loop_zip(folders={"002 Reading/Checkmarks.csv": "2026-11-26,nan,\n"}),
        "not UTF-8": loop_zip(
            folders={"001 Meditate/Checkmarks.csv": "2026-11-26,YES_MANUAL,café\n".encode("latin-1")}
        ),
    }


BAD_LOOP = _bad_loop_zips()


@pytest.mark.parametrize("case", sorted(BAD_LOOP))
def test_bad_loop_exports_are_refused_and_change_nothing(connect, home, tmp_path, case):
    connect("add", "Walk together")
    connect("done", "walk")
    before = files_of(home)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(BAD_LOOP[case])
    line = one_error_line(connect("import", "--from", "loop", str(bad)))
    assert str(bad) in line
    assert files_of(home) == before


def test_the_loop_refusals_say_what_is_wrong(connect, tmp_path):
    def refusal(case: str) -> str:
        path = tmp_path / "loop.zip"
        path.write_bytes(BAD_LOOP[case])
        return one_error_line(connect("import", "--from", "loop", str(path)))

    assert "is neither a zip file nor an SQLite file" in refusal("not a zip")
    assert "holds no Habits.csv" in refusal("no Habits.csv")
    assert "lacks the column FrequencyDenominator" in refusal("missing columns")
    assert "001 Meditate/Checkmarks.csv line 1, '2026-13-01' is not a real date" in refusal("a bad date")
    assert "'26/11/2026' is not a date (YYYY-MM-DD)" in refusal("a date in another format")
    assert "'MAYBE' is not a Loop value" in refusal("a bad value")


@pytest.mark.parametrize(
    "numerator, denominator, cadence",
    [
        (1, 1, "daily"),
        (2, 1, "daily"),
        (7, 7, "daily"),
        (1, 7, "weekly"),
        (3, 7, "3/week"),
        (6, 7, "6/week"),
        (1, 2, "1 in 2 days"),  # Loop's "every 2 days": at least once in any 2 days
        (1, 3, "1 in 3 days"),
        (1, 30, "1/month"),  # Loop's "N times per month" is N/30 or N/31
        (2, 31, "2/month"),
        (1, 1000, "1 in 365 days"),
        (2, 14, "2 in 14 days"),
        (6, 14, "6 in 14 days"),
        (13, 14, "13 in 14 days"),
        (27, 28, "27 in 28 days"),
        (4, 30, "4/month"),
        (29, 30, "29 in 30 days"),
    ],
)
def test_loop_frequencies_map_to_the_same_rhythm(numerator, denominator, cadence):
    from connect_habits.interop.loop import loop_cadence

    assert str(loop_cadence(numerator, denominator)) == cadence


def test_a_loop_at_most_habit_becomes_a_limit(connect, tmp_path):
    coffee = ("001", "Coffee", "1", "", "", "1", "1", "#FF8F00", "cups", "1", "2.0", "false")
    export = tmp_path / "loop.zip"
    rows = [("2026-11-26", "3000", ""), ("2026-11-25", "1000", ""), ("2026-11-24", "2000", "")]
    export.write_bytes(
        loop_zip(habits=[coffee], folders={"001 Coffee/Checkmarks.csv": "Date,Value,Notes\n" + _csv_text(rows)})
    )
    assert connect("import", "--from", "loop", str(export)).code == 0
    [habit] = connect("list", "--json").json()
    assert (habit["goal"], habit["limit"]) == (None, {"amount": 2, "unit": "cups", "per": "day"})
    [row] = connect("week", "--json").json()["habits"]
    assert [row["days"][f"2026-11-{d}"] for d in (24, 25, 26)] == ["done", "done", "missed"]  # 3 cups: over


# ---------------------------------------------------------------- staying out of the way


# That `done` and `week` never load this code: tests/cli/test_cli.py, the lean CLI path test.


def test_a_backup_with_amounts_with_decimals_restores_exactly(connect, home, tmp_path):
    connect("add", "Read", "--goal", "2.5 pages/day")
    assert connect("done", "read", "--amount", "2.5").code == 0
    backup = connect("export").out
    (tmp_path / "b.json").write_text(backup)
    other = other_home(tmp_path)
    restored = connect("import", str(tmp_path / "b.json"), env=other)
    assert restored.code == 0, restored.err
    assert connect("export", env=other).out == backup
