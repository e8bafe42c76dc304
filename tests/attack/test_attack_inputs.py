"""Issue 6, attacks 4, 6 and 7: bad input, notification text, and files made private and safe from planted links.

4. Bad input. hypothesis generates text for every parser (they return a value or raise InvalidInput,
   and what they accept round-trips) and whole command lines for the real entry point,
   `connect_habits.cli.entry.main`, run in-process in a fresh CONNECT_HOME per example (much faster than a
   process each; the environment, stdin, stdout and stderr are swapped per call and restored). Every
   command exits 0, 1 or 2, never with a traceback; exit 1 is one line "Error: ..."; a rejected command
   leaves every file as it was; an accepted one leaves a home every reading command still reads.
   The argv values include what Python makes of undecodable bytes in a real argv (lone surrogates).
6. Notification text. `escape_markup` leaves no tag and no bare `&` for any text, and what the daemon
   words (habit names, prompts, partner names, in reminders, the weekly summary and a session's end)
   cannot put markup or a link into a D-Bus body, in-process and through a real bus and server.
7. Privacy. With umask 000 the daemon's state and lock files and `export -o` output are 0600 and the
   XDG folders 0700 (tests/cli/test_store.py covers connect.json, connect.lock and config.toml); links
   planted at the lock files, at the data file (dangling), at the state and config files, and at the
   names temp files get are never written through.

The hypothesis tests are seeded (derandomize) and bounded; at the end of the module one line per test
says how many cases it ran (shown even with -q). Reproduce: .venv/bin/python -m pytest tests/attack/test_attack_inputs.py -q
"""

from __future__ import annotations

import contextlib
import gc
import html
import io
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import unicodedata
import xml.etree.ElementTree as ElementTree
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from connect_habits.cli.entry import main
from connect_habits.core import model, reminders
from connect_habits.errors import InvalidInput
from support import CONNECT, NOW

TODAY = date(2026, 11, 26)  # NOW's day, a Thursday
SUNDAY = date(2026, 11, 29)

# Seeded (the same examples every run), bounded, and no example database written into the repository.
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    report_multiple_bugs=False,
    phases=(Phase.explicit, Phase.generate, Phase.target, Phase.shrink),  # no explain phase: it traces, slowly
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
)
# Parsers are cheap, so many cases; a failing case is shown as generated (from a few readable building
# blocks), since shrinking a 4301-digit number one character at a time would take longer than the search.
PARSER_FUZZ = settings(FUZZ, max_examples=400, phases=(Phase.explicit, Phase.generate, Phase.target))

CASES: dict[str, Counter] = defaultdict(Counter)  # test name -> outcome -> count, for the summary line


@pytest.fixture(scope="module", autouse=True)
def _case_counts(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or not CASES:
        return
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        reporter.write_line("")
        reporter.write_line(f"attack inputs: {sum(c['cases'] for c in CASES.values())} generated cases")
        for test, counts in CASES.items():
            detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != "cases")
            reporter.write_line(f"  {test}: {counts['cases']} cases" + (f" ({detail})" if detail else ""))


def count(test: str, *outcomes: str) -> None:
    CASES[test]["cases"] += 1
    for outcome in outcomes:
        CASES[test][outcome] += 1


# ================================================================ the real entry point, in-process


@dataclass
class Run:
    argv: list[str]
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def cli(home: Path, *argv: str, now: str = NOW, env: dict | None = None) -> Run:
    """`connect ARGV` through `connect_habits.cli.entry.main`, in this process, in `home`.

    stdout is a strict UTF-8 stream (as a real one is: text it cannot encode fails there too); stdin
    is not a terminal. Anything main() lets escape other than SystemExit is what a user would see as
    a traceback: it is re-raised, with the command line added to its message.
    """
    variables = {"CONNECT_HOME": str(home), "CONNECT_NOW": now, **(env or {})}
    saved = {k: os.environ.get(k) for k in variables}
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", newline="")
    stderr = io.StringIO()
    stdin = None
    code = 0
    try:
        os.environ.update(variables)
        stdin, sys.stdin = sys.stdin, io.StringIO("")
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                main(list(argv))
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
            except BaseException as error:  # noqa: BLE001 — a traceback: re-raised below with the argv
                error.add_note(f"connect {argv!r} (in-process) raised instead of exiting")
                raise
    finally:
        gc.unfreeze()  # main() freezes what a command made (its process would end here); this one goes on
        if stdin is not None:
            sys.stdin = stdin
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    stdout.flush()
    return Run(list(argv), code, stdout.buffer.getvalue().decode("utf-8"), stderr.getvalue())


LOCKS = {"connect.lock", "daemon.lock"}
# Derived data: any read may write it.
DERIVED = {
    "summary-cache.json",
    "summary-past.json",
    "ritual-months.json",
    "log-lines.json",
    "export-json.kept",
    "export-csv.kept",
    "slices",
}
TEMP = re.compile(r"^\..*\.tmp$")


def files_of(home: Path) -> dict[str, bytes]:
    """Every file in the home and their bytes (lock files and the summary cache aside)."""
    if not home.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(home.iterdir()) if p.name not in LOCKS | DERIVED}


def assert_clean_exit(run: Run) -> None:
    """0, 1 or 2; never a traceback; exit 1 is exactly one line starting with 'Error: '."""
    shown = f"connect {run.argv!r}\nexit {run.code}\nstdout: {run.out[:2000]!r}\nstderr: {run.err[:2000]!r}"
    assert run.code in (0, 1, 2), shown
    assert "Traceback" not in run.out + run.err, shown
    if run.code == 1:
        assert len(run.err.splitlines()) == 1 and run.err.startswith("Error: ") and run.err.endswith("\n"), shown
    if run.code == 2:
        assert "Error: " in run.err, shown


def assert_rejected_changed_nothing(run: Run, before: dict[str, bytes], after: dict[str, bytes]) -> None:
    if run.code != 0:
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        assert after == before, f"connect {run.argv!r} was refused (exit {run.code}) but changed {changed}"
    assert not [name for name in after if TEMP.match(name)], f"connect {run.argv!r} left temp files: {list(after)}"


READERS = (("list", "--json"), ("week", "--json"), ("remind", "--json"), ("log", "--json"), ("stats", "--json"))


def assert_still_readable(home: Path, after: Run) -> None:
    """What a command accepted must not break any later command."""
    for argv in READERS:
        run = cli(home, *argv)
        assert run.code == 0, (
            f"after the accepted `connect {after.argv!r}`, `connect {' '.join(argv)}` fails: {run.err!r}"
        )
        run.json()


# ================================================================ hostile text

SPICE = [
    "\u200f",
    "\u200e",
    "\u202e",
    "\u2066",
    "\u2069",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\u00ad",  # bidi, zero-width
    "👩\u200d❤️\u200d👨",
    "🏳️\u200d🌈",
    "🇩🇪",
    "😀",
    "e\u0301",
    "ﷺ",
    "ǅ",
    "İ",
    "ß",
    "ﬁ",
    "Ω",
    "Å",  # emoji, folding
    "<b>",
    "</b>",
    '<a href="http://x">',
    "</a>",
    '<img src="http://x/y.png"/>',
    "&amp;",
    "&lt;",
    "&",
    "&#60;",
    "'",
    '"',
    "\\",
    "%s",
    "{0}",
    "$(id)",
    "`id`",
    "--",
    "-",
    "/",
    ":",
    ",",
    " ",
    "\u3000",
    "\u00a0",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\x1b]8;;http://x\x07",
    "\t",
    "\n",
    "\r\n",
    "\x0b",
    "\x85",
    "\u2028",
    "\u2029",
    "\x7f",
    "\u0663",
    "\u0966",
    "\uff11",
    "\U0001d7ce",
    "²",
    "½",
    "Ⅻ",  # digits of other scripts, and digit-like
]
ZEROS = "\u0660\u06f0\u0966\u09e6\uff10\U0001d7ce"  # 0 in Arabic-Indic, Persian, Devanagari, Bengali, fullwidth, math


def _insert(text: str, piece: str, at: int) -> str:
    at %= len(text) + 1
    return text[:at] + piece + text[at:]


def _other_digits(text: str, zero: str, which: int) -> str:
    """`text` with one of its ASCII digits written in another script (the same value to int())."""
    places = [i for i, ch in enumerate(text) if ch in "0123456789"]
    if not places:
        return text
    i = places[which % len(places)]
    return text[:i] + chr(ord(zero) + int(text[i])) + text[i + 1 :]


def _longer_number(text: str, digits: int) -> str:
    """`text` with its first number made `digits` long (more than int() reads by default: 4300)."""
    return re.sub(r"[0-9]+", lambda m: "9" * digits, text, count=1)


spicy = st.lists(st.one_of(st.sampled_from(SPICE), st.text(max_size=4)), max_size=6).map("".join)
# What Python makes of a real argv holding bytes that are not UTF-8 (surrogateescape).
argv_bytes = st.binary(min_size=1, max_size=12).map(os.fsdecode)
huge = st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(30, 3000))
huge_number = st.integers(1, 6000).map(lambda n: "9" * n)
hostile = st.one_of(st.text(), spicy, argv_bytes, huge, huge_number)


def around(values) -> st.SearchStrategy[str]:
    """Valid values (half the time, so that accepted commands are common too), or the same with something
    hostile inserted, a digit from another script or a number too long, or anything at all."""
    valid = st.sampled_from(values)
    spoiled = st.one_of(
        st.builds(_insert, valid, st.sampled_from(SPICE) | argv_bytes, st.integers(0, 40)),
        st.builds(_other_digits, valid, st.sampled_from(ZEROS), st.integers(0, 8)),
        st.builds(_longer_number, valid, st.integers(4000, 5000)),
        st.builds(str.upper, valid),
        hostile,
    )
    return st.one_of(valid, spoiled.map(str))  # .map keeps one_of from flattening the two into six even choices


NAMES = [
    "walk",
    "Walk",
    "wal",
    "café",
    "Café ☕ <b>talk</b>",
    "reading",
    "each",
    "old",
    "tech",
    "ten",
    "t",
    "weekly-check-in",
    "nope",
    "Morning run",
    "Ζωή",
    "שלום עליכם",
    "😀",
    "<i>x</i>",
    "a & b",
    "-x",
]
CADENCES = [
    "daily",
    "every day",
    "weekdays",
    "weekends",
    "weekly",
    "3/week",
    "7x week",
    "2 times a week",
    "every other day",
    "every 3 days",
    "every 365 days",
    "mon,wed,fri",
    "Tue Thu",
    "sunday",
    "0/week",
    "every 0 days",
]
GOALS = ["30m/day", "2h/week", "1h30m/week", "24h/day", "168h/w", "45min/d", "none", "", "0m/day", "25h/day"]
DURATIONS = ["90m", "2h", "1h30m", "45", "1440m", "24h", "1 h 5 min", "0m", "25h"]
TIMES = ["19:00", "7:05", "00:00", "23:59", "24:00", "19:60", " 08:30 "]
DATES = [
    "today",
    "yesterday",
    "TODAY",
    "2026-11-25",
    "2026-11-20",
    "2026-11-26",
    "2026-11-27",
    "2024-02-29",
    "2026-02-29",
    "0001-01-01",
    "0001-01-03",
    "9999-12-31",
    "1970-01-01",
    "2026-1-5",
]
WHO = ["together", "each", "Alex", "sam", "nobody", "ALEX"]
NOTES = ["a note", "line one\nline two", "tab\there", "<b>bold</b> & <a href='http://x'>link</a>", ""]

name_text, cadence_text, goal_text = around(NAMES), around(CADENCES), around(GOALS)
duration_text, time_text, date_text = around(DURATIONS), around(TIMES), around(DATES)
who_text = around(WHO)
note_text = st.one_of(around(NOTES), st.builds(lambda s, n: s * n, st.sampled_from(NOTES[:4]), st.integers(100, 400)))
number_text = st.one_of(st.integers(-5, 2000).map(str), st.integers(-(10**30), 10**30).map(str), hostile)


# ================================================================ attack 4a: the parsers

HHMM = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]", re.ASCII)


def _storable(text: str) -> None:
    """Accepted text reaches the data file as UTF-8 JSON and a terminal: it must encode."""
    json.dumps(text, ensure_ascii=False).encode("utf-8")


def _check_name(text):
    name = model.parse_name(text)
    assert name == unicodedata.normalize("NFC", text).strip() and 1 <= len(name) <= model.NAME_MAX
    assert not any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in name)
    assert model.parse_name(name) == name
    _storable(name)


def _check_note(text):
    note = model.parse_note(text)
    assert len(note) <= model.NOTE_MAX and model.parse_note(note) == note
    _storable(note)


def _check_cadence(text):
    cadence = model.parse_cadence(text)
    assert model.parse_cadence(str(cadence)) == cadence
    assert (cadence.per_week > 0) + (cadence.interval > 0) + bool(cadence.weekdays) == 1
    assert 0 <= cadence.per_week <= 7 and 0 <= cadence.interval <= 365


def _check_goal(text):
    goal = model.parse_goal(text)
    assert goal.per in ("day", "week") and 1 <= goal.minutes <= (1440 if goal.per == "day" else 7 * 1440)
    assert model.parse_goal(str(goal)) == goal


def _check_duration(text):
    minutes = model.parse_duration(text)
    assert isinstance(minutes, int) and minutes > 0
    assert model.parse_duration(f"{minutes}m") == minutes == model.parse_duration(str(minutes))


def _check_time(text):
    hhmm = model.parse_time(text)
    assert HHMM.fullmatch(hhmm), f"parse_time({text!r}) gave {hhmm!r}, not HH:MM in ASCII digits"
    assert model.parse_time(hhmm) == hhmm
    datetime.strptime(hhmm, "%H:%M")


def _check_date(text):
    day = model.parse_date(text, TODAY)
    assert isinstance(day, date) and model.parse_date(day.isoformat(), TODAY) == day
    # Every command shows the week around a date, and the week view and streaks look months back:
    # an accepted date must leave room for that arithmetic (9999-12-31 does not).
    assert date.min + timedelta(days=400) <= day <= date.max - timedelta(days=400), (
        f"parse_date({text!r}) accepted {day}, too near an end of the calendar for week arithmetic"
    )


def _check_quiet_hours(text):
    quiet = reminders.parse_quiet_hours(text)
    if quiet is not None:
        assert reminders.parse_quiet_hours(str(quiet)) == quiet and quiet.start != quiet.end


def _check_summary_at(text):
    weekday, hhmm = reminders.parse_summary_at(text)
    assert 0 <= weekday <= 6 and HHMM.fullmatch(hhmm)
    assert reminders.parse_summary_at(f"{model.WEEKDAY_NAMES[weekday]} {hhmm}") == (weekday, hhmm)


PARSERS = {
    "parse_name": (_check_name, name_text),
    "parse_note": (_check_note, note_text),
    "parse_cadence": (_check_cadence, cadence_text),
    "parse_goal": (_check_goal, goal_text),
    "parse_duration": (_check_duration, duration_text),
    "parse_time": (_check_time, time_text),
    "parse_date": (_check_date, date_text),
    "parse_quiet_hours": (_check_quiet_hours, around(["22:30-07:30", "07:00 - 09:00", "", "10:00-10:00", "1:5-2:30"])),
    "parse_summary_at": (_check_summary_at, around(["sun 19:00", "Monday 7:30", "fri  08:00", "sunday19:00"])),
}


@pytest.mark.parametrize("parser", PARSERS, ids=PARSERS)
@PARSER_FUZZ
@given(data=st.data())
def test_a_parser_returns_a_value_that_round_trips_or_raises_invalid_input(parser, data):
    check, strategy = PARSERS[parser]
    text = data.draw(st.one_of(strategy, hostile), label="text")
    try:
        check(text)
    except InvalidInput:
        count(f"parser {parser}", "rejected")
        return
    count(f"parser {parser}", "accepted")


# ================================================================ attack 4b: command lines for the real entry point


@st.composite
def command_lines(draw) -> list[str]:
    """One command with arbitrary text in its names, cadences, goals, durations, dates, times and notes."""
    command = draw(st.sampled_from(["add", "done", "skip", "edit", "remove", "undo", "week", "unplug", "stats", "log"]))
    positional: list[str] = []
    options: list[str] = []

    def maybe(flag: str, strategy) -> None:
        if draw(st.booleans()):
            options.extend([flag, draw(strategy)])

    def flag(name: str) -> None:
        if draw(st.integers(0, 3)) == 0:
            options.append(name)

    if command == "add":
        positional.append(draw(name_text))
        maybe("--every", cadence_text)
        maybe("--goal", goal_text)
        for at in draw(st.lists(time_text, max_size=2)):
            options.extend(["--at", at])
        maybe("--note", note_text)
        maybe("--who", who_text)
    elif command == "done":
        positional.append(draw(name_text))
        maybe("--date", date_text)
        maybe("--minutes", number_text)
        maybe("--note", note_text)
        maybe("--by", who_text)
    elif command == "skip":
        positional.append(draw(name_text))
        form = draw(st.sampled_from(["date", "range", "range", "both", "neither"]))
        if form in ("date", "both"):
            options.extend(["--date", draw(date_text)])
        if form in ("range", "both"):
            options.extend(["--from", draw(date_text), "--to", draw(date_text)])
        maybe("--reason", note_text)
    elif command == "edit":
        positional.append(draw(name_text))
        maybe("--rename", name_text)
        maybe("--every", cadence_text)
        maybe("--goal", goal_text)
        for at in draw(st.lists(time_text, max_size=2)):
            options.extend(["--at", at])
        flag("--clear-at")
        maybe("--note", note_text)
        maybe("--who", who_text)
        flag("--restore")
    elif command == "remove":
        positional.append(draw(name_text))
        flag("--purge")
        flag("--yes")
    elif command == "undo":
        positional.append(draw(name_text))
        maybe("--date", date_text)
        maybe("--by", who_text)
    elif command == "week":
        maybe("--date", date_text)
        maybe("--weeks", number_text)
        flag("--json")
    elif command == "unplug":
        if draw(st.integers(0, 4)):
            positional.append(draw(duration_text))
        else:
            options.append("--stop")
        maybe("--habit", name_text)
    elif command == "stats":
        if draw(st.booleans()):
            positional.append(draw(name_text))
        maybe("--weeks", number_text)
        flag("--json")
    elif command == "log":
        if draw(st.booleans()):
            positional.append(draw(name_text))
        maybe("--since", date_text)
        flag("--json")
    # A positional that starts with '-' is an option to click unless it follows '--'; try both.
    if positional and draw(st.booleans()):
        return [command, *options, "--", *positional]
    return [command, *positional, *options]


def _seed(home: Path) -> None:
    for argv in (
        ("init", "--yes", "--partner", "Alex", "--partner", "Sam"),  # five starter habits, one a minutes goal
        ("add", "Walk", "--at", "19:00", "--note", "a & b"),
        ("add", "Café ☕ <b>talk</b>", "--every", "mon,wed,fri"),
        ("add", "Reading", "--goal", "30m/day", "--at", "21:15"),
        ("add", "Each", "--who", "each"),
        ("add", "Old"),
        ("remove", "old"),
        ("done", "walk", "--date", "2026-11-25"),
        ("done", "reading", "-m", "20", "--note", "chapter 3"),
        ("done", "each", "--by", "Alex"),
        ("skip", "walk", "--date", "2026-11-24", "--reason", "rain"),
    ):
        run = cli(home, *argv)
        assert run.code == 0, (argv, run.err)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A home with partners, habits of every kind (minutes, each, archived), check-ins and a skip."""
    home = tmp_path_factory.mktemp("seeded") / "home"
    _seed(home)
    return home


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("examples")


@contextlib.contextmanager
def fresh_home(scratch: Path, template: Path | None = None):
    """A new home for one example: a copy of `template`, or an empty (not yet created) folder."""
    base = Path(tempfile.mkdtemp(dir=scratch))
    home = base / "home"
    if template is not None:
        shutil.copytree(template, home)
    try:
        yield home
    finally:
        shutil.rmtree(base, ignore_errors=True)


@settings(FUZZ, max_examples=400)
@given(argv=command_lines())
def test_any_command_line_exits_cleanly_and_a_refused_one_changes_nothing(seeded, scratch, argv):
    with fresh_home(scratch, seeded) as home:
        before = files_of(home)
        run = cli(home, *argv)
        after = files_of(home)
        count("cli: generated command lines", f"{argv[0]} exit {run.code}")
        assert_clean_exit(run)
        assert_rejected_changed_nothing(run, before, after)
        if run.code == 0:
            assert_still_readable(home, run)


@settings(FUZZ, max_examples=200)
@given(argv=command_lines())
def test_any_command_line_in_an_empty_home_exits_cleanly_and_creates_no_data(scratch, argv):
    with fresh_home(scratch) as home:
        run = cli(home, *argv)
        count("cli: command lines in an empty home", f"exit {run.code}")
        assert_clean_exit(run)
        assert_rejected_changed_nothing(run, {}, files_of(home))
        if run.code == 0:
            assert_still_readable(home, run)


@settings(FUZZ, max_examples=200)
@given(name=st.one_of(name_text, hostile), note=note_text, checkin_note=note_text)
def test_an_accepted_name_and_note_come_back_literally(scratch, name, note, checkin_note):
    with fresh_home(scratch) as home:
        added = cli(home, "add", "--note", note, "--", name)
        assert_clean_exit(added)
        if added.code != 0:
            count("cli: name and note round trip", "add refused")
            assert files_of(home) == {}
            return
        listed = cli(home, "list", "--json")
        assert listed.code == 0, listed.err
        [habit] = listed.json()
        assert habit["name"] == unicodedata.normalize("NFC", name).strip()
        assert habit["note"] == unicodedata.normalize("NFC", note).strip()
        done = cli(home, "done", "--note", checkin_note, "--", name)  # the exact name always finds it
        assert_clean_exit(done)
        if done.code != 0:
            count("cli: name and note round trip", "added, check-in note refused")
            return
        [entry] = cli(home, "log", "--json").json()
        assert entry["habit"] == habit["name"] and entry["note"] == unicodedata.normalize("NFC", checkin_note).strip()
        count("cli: name and note round trip", "round-tripped")


# The defects the generated cases found, each as one plain example (they fail until fixed in src/).


def test_a_reminder_time_in_other_digits_is_refused_or_normalised_not_stored(tmp_path):
    home = tmp_path / "home"
    # ARABIC-INDIC DIGIT THREE: the regex's \d matches it and int() reads it, but time.fromisoformat does not.
    run = cli(home, "add", "Walk", "--at", "19:0\u0663")
    assert_clean_exit(run)
    if run.code == 0:
        assert cli(home, "list", "--json").json()[0]["at"] == ["19:03"]
    remind = cli(home, "remind", "--json")
    assert remind.code == 0


@pytest.mark.parametrize(
    "argv",
    [
        ("unplug", "9" * 5000),
        ("add", "X", "--every", "9" * 5000 + "/week"),
        ("add", "X", "--every", "every " + "9" * 5000 + " days"),
        ("add", "X", "--goal", "9" * 5000 + "m/day"),
    ],
    ids=["duration", "per-week", "every-n-days", "goal"],
)
def test_a_number_too_long_for_int_is_refused_in_one_line(tmp_path, argv):
    assert_clean_exit(cli(tmp_path / "home", *argv))


@pytest.mark.parametrize(
    "argv",
    [
        ("add", "W\udcff"),  # `connect add $'W\xff'`: Python decodes argv with surrogateescape
        ("add", "Walk", "--note", "\udce9t\udce9"),
        ("init", "--yes", "--partner", "\udcff"),
    ],
    ids=["name", "note", "partner"],
)
def test_text_that_is_not_utf8_is_refused_in_one_line_and_changes_nothing(tmp_path, argv):
    home = tmp_path / "home"
    run = cli(home, *argv)
    assert_clean_exit(run)
    assert run.code == 1 and files_of(home) == {}


@pytest.mark.parametrize(
    "argv",
    [
        ("week", "--date", "9999-12-31"),
        ("week", "--date", "0001-01-01", "--weeks", "3"),
        ("log", "--since", "9999-12-31"),
        ("done", "walk", "--date", "0001-01-01"),
        ("skip", "walk", "--from", "9999-12-30", "--to", "9999-12-31"),
    ],
    ids=["week-9999", "weeks-before-year-1", "log-since-9999", "done-year-1", "skip-9999"],
)
def test_dates_at_the_ends_of_the_calendar_exit_cleanly(seeded, scratch, argv):
    with fresh_home(scratch, seeded) as home:
        run = cli(home, *argv)
        assert_clean_exit(run)
        if run.code == 0:
            assert_still_readable(home, run)


@pytest.mark.parametrize(
    "text", ["a\nb", "\r", "a\u2028b", "\x1e"], ids=["newline", "carriage-return", "line-separator", "record-separator"]
)
def test_an_error_quoting_what_the_user_typed_is_still_one_line(tmp_path, text):
    assert_clean_exit(cli(tmp_path / "home", "add", "X", "--every", text))


def test_an_error_never_passes_the_users_escape_sequences_to_a_terminal(tmp_path):
    """click strips escapes only when stderr is not a terminal; on a real one they would retitle or clear it."""
    import pty

    master, slave = pty.openpty()
    try:
        result = subprocess.run(
            [CONNECT, "add", "X", "--every", "\x1b]0;owned\x07\x1b[2J"],
            env=env_for(tmp_path / "home"),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=slave,
            timeout=60,
        )
    finally:
        os.close(slave)
    shown = b""
    with contextlib.suppress(OSError):  # EIO once the child's side is closed
        while chunk := os.read(master, 4096):
            shown += chunk
    os.close(master)
    assert result.returncode == 1 and shown.startswith(b"Error: "), shown
    assert b"\x1b" not in shown and b"\x07" not in shown, shown


# ================================================================ attack 6: notification text

ENTITY = re.compile(r"&(?:amp|lt|gt|quot|apos);")
BARE_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt|quot|apos);)")
XML_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff").filter(
        lambda ch: ch in "\t\n\r" or ord(ch) >= 0x20
    )
)
MARKUP_SPICE = [
    "<b>",
    "</b>",
    "<i>",
    '<a href="http://x">',
    "</a>",
    '<img src="http://x/y.png"/>',
    "<u",
    ">",
    "&",
    "&amp;",
    "&lt;",
    "&#60;",
    "&#x3c;",
    "&apos;",
    "'",
    '"',
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
]
markup_text = st.lists(st.one_of(st.sampled_from(MARKUP_SPICE), XML_TEXT), max_size=8).map("".join)


def assert_markup_safe(body: str) -> str:
    """What DBusNotifier sends a server with body-markup: no tag, no bare '&', and it reads back as `body`."""
    from connect_habits.daemon.notify import escape_markup

    escaped = escape_markup(body)
    assert "<" not in escaped and ">" not in escaped, escaped
    assert not BARE_AMPERSAND.search(escaped), escaped
    assert html.unescape(escaped) == body
    return escaped


@settings(FUZZ, max_examples=500)
@given(text=st.one_of(st.text(), markup_text, spicy))
def test_escape_markup_leaves_no_tag_and_no_bare_ampersand(text):
    count("escape_markup: any text")
    assert_markup_safe(text)


@settings(FUZZ, max_examples=300)
@given(text=markup_text)
def test_escaped_text_parses_as_markup_with_no_element_and_reads_back_literally(text):
    """A markup parser (the subset is XML-like) finds no element in it, and its text is what the user typed."""
    count("escape_markup: parsed as markup")
    from connect_habits.daemon.notify import escape_markup

    root = ElementTree.fromstring(f"<markup>{escape_markup(text)}</markup>")
    assert list(root) == []
    assert (root.text or "") == text.replace("\r\n", "\n").replace("\r", "\n")  # XML normalises line ends


HOSTILE_TEXT = [
    '<a href="http://evil.example/">click me</a>',
    '<img src="http://evil.example/pixel.png"/>',
    "&lt;b&gt;literally&lt;/b&gt;",
    "<b>bold</b> & <i>it</i>",
    'Tom\'s "walk"',
    "&#60;script&#62;",
    '<span foreground="red">red</span>',
    "]]><!-- x",
    "a<b",
]


def _daemon_home(tmp_path: Path):
    """Habits named with markup, prompts with markup, partners with markup; what the daemon then says."""
    from connect_habits.core.habits import HabitOptions, new_habit
    from connect_habits.storage.config import Config, save_config
    from connect_habits.storage.paths import resolve_paths
    from connect_habits.storage.store import Store

    paths = resolve_paths({"CONNECT_HOME": str(tmp_path / "home")})
    partners = ("<b>Alex</b>", 'Sam & <a href="http://evil.example/">co</a>')
    save_config(paths.config_file, Config(partners=partners))
    store = Store(paths)
    names = []
    with store.transaction() as tx:
        for i, text in enumerate(HOSTILE_TEXT):
            # A minute each (18:50, 18:51, ...): each its own notification, all due at 19:00.
            at = f"18:{50 + i:02d}"
            habit = new_habit(tx.snapshot.habits, f"{text} {i}", HabitOptions(at=[at]), TODAY - timedelta(days=7))
            habit = habit._replace(prompts=(HOSTILE_TEXT[(i + 1) % len(HOSTILE_TEXT)],))  # prompts arrive by import
            tx.add_habit(habit)
            tx.snapshot.habits.append(habit)
            names.append(habit.name)
        each = new_habit(tx.snapshot.habits, "<i>each</i> & every", HabitOptions(who="each"), TODAY, partners)
        minutes = new_habit(tx.snapshot.habits, '<a href="http://x">unplugged</a>', HabitOptions(goal="2h/week"), TODAY)
        tx.add_habit(each)
        tx.add_habit(minutes)
        tx.snapshot.habits += [each, minutes]
    return paths, names, partners


def _daemon_notifications(paths, notifier_for):
    """Reminders on Thursday 19:00, a session's end at 20:30, the summary on Sunday 19:00."""
    from connect_habits.clock import local_zone
    from connect_habits.core.reminders import wall_instant
    from connect_habits.daemon.loop import Daemon
    from connect_habits.storage.actions import start_session
    from connect_habits.storage.store import Store

    zone = local_zone()
    daemon = Daemon(paths, notifier_for(), now=lambda: wall_instant(TODAY, "19:00", zone))
    daemon.reload()
    daemon.scan(wall_instant(TODAY, "19:00", zone))
    with Store(paths).transaction() as tx:
        start_session(tx, '<a href="http://x">unplugged</a>', 30, wall_instant(TODAY, "20:00", zone))
    daemon.scan(wall_instant(TODAY, "20:30", zone))
    daemon.scan(wall_instant(SUNDAY, "19:00", zone))
    return daemon


def test_the_daemons_words_cannot_put_markup_or_a_link_into_a_body(tmp_path):
    from connect_habits.daemon.notify import RecordingNotifier

    paths, names, partners = _daemon_home(tmp_path)
    daemon = _daemon_notifications(paths, RecordingNotifier)
    sent = daemon.notifier.sent
    titles = [n.title for n in sent]
    assert set(names) <= set(titles) and "Your week together" in titles
    assert any(t.startswith("Tech-free time is over") for t in titles)
    bodies = "\n".join(n.body for n in sent)
    for text in HOSTILE_TEXT + list(partners):  # the user's text is all there, as typed ...
        assert text in bodies
    for notification in sent:  # ... and escaped, none of it is markup
        assert_markup_safe(notification.body)
        # The title (the spec's "summary") is plain text in the notification spec, which servers show
        # literally, so it is sent as typed: escaped, a conforming server would show '&amp;'. One line.
        assert "\n" not in notification.title
        count("daemon: notifications worded", "checked")


def test_through_a_real_bus_a_server_with_body_markup_receives_no_tag(tmp_path, session_bus, notification_server):
    from connect_habits.daemon.notify import DBusNotifier

    paths, names, partners = _daemon_home(tmp_path)
    daemon = _daemon_notifications(paths, lambda: DBusNotifier(session_bus.address))
    daemon.notifier.close()
    received = notification_server.notifications()
    assert len(received) >= len(names) + 2
    for note in received:
        body = note["body"]
        assert "<" not in body and ">" not in body and not BARE_AMPERSAND.search(body), body
        count("daemon: through a real D-Bus server", "checked")
    everything = html.unescape("\n".join(n["body"] for n in received))
    for text in HOSTILE_TEXT + list(partners):
        assert text in everything
    assert set(names) <= {n["summary"] for n in received}


# ================================================================ attack 7: privacy


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def env_for(home: Path | None, **extra) -> dict:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CONNECT_HOME", "CONNECT_NOW", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")
    }
    if home is not None:
        environ["CONNECT_HOME"] = str(home)
    environ["CONNECT_NOW"] = NOW
    environ.update(extra)
    return environ


def with_umask_0(*args: str, env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CONNECT, *args], env=env, capture_output=True, text=True, timeout=60, preexec_fn=lambda: os.umask(0), **kwargs
    )


def test_the_daemons_state_and_lock_files_are_private_even_with_umask_0(tmp_path):
    home = tmp_path / "home"
    assert with_umask_0("add", "Walk", "--at", "19:00", env=env_for(home)).returncode == 0
    os.chmod(home, 0o777)  # even a folder someone opened up is made private again
    daemon = subprocess.Popen(
        [CONNECT, "daemon", "run"],
        env=env_for(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: os.umask(0),
    )
    try:
        deadline = time.monotonic() + 20
        while not (home / "daemon-state.json").exists() and daemon.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert (home / "daemon-state.json").exists(), "the daemon wrote no state"
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=20)
    assert daemon.returncode == 0, err
    assert mode(home) == 0o700
    for name in ("daemon-state.json", "daemon.lock", "connect.json", "connect.lock"):
        assert mode(home / name) == 0o600, name


@pytest.mark.parametrize("kind", ["json", "csv", "ics"])
def test_an_export_file_is_private_even_with_umask_0(tmp_path, kind):
    home, out = tmp_path / "home", tmp_path / "exports"
    out.mkdir()
    os.chmod(out, 0o755)
    assert with_umask_0("add", "Walk", "--at", "19:00", env=env_for(home)).returncode == 0
    new, existing = out / f"new.{kind}", out / f"existing.{kind}"
    existing.write_text("old, readable by all\n")
    os.chmod(existing, 0o644)
    for target in (new, existing):
        result = with_umask_0("export", "--format", kind, "-o", str(target), env=env_for(home))
        assert result.returncode == 0, result.stderr
        assert mode(target) == 0o600, target.name  # a backup holds everything: only its owner reads it
    assert not [p.name for p in out.iterdir() if TEMP.match(p.name)]


def test_the_xdg_folders_connect_creates_are_private_even_with_umask_0(tmp_path):
    data_home, config_home = tmp_path / "xdg" / "data", tmp_path / "xdg" / "config"
    env = env_for(None, XDG_DATA_HOME=str(data_home), XDG_CONFIG_HOME=str(config_home))
    result = with_umask_0("init", "--yes", "--partner", "Alex", env=env)
    assert result.returncode == 0, result.stderr
    for folder in (data_home / "connect", config_home / "connect", data_home, config_home, tmp_path / "xdg"):
        assert mode(folder) == 0o700, folder
    assert mode(data_home / "connect" / "connect.json") == 0o600
    assert mode(config_home / "connect" / "config.toml") == 0o600


# ---------------------------------------------------------------- links planted by someone else


@pytest.fixture
def victim(tmp_path) -> Path:
    """A file elsewhere that a planted link points at: it must never change."""
    path = tmp_path / "elsewhere" / "victim.txt"
    path.parent.mkdir()
    path.write_bytes(b"precious, not connect's\n")
    return path


def untouched(path: Path, before: tuple[bytes, int]) -> bool:
    return (path.read_bytes(), path.stat().st_mtime_ns) == before


def fingerprint(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


@pytest.fixture
def walk_home(tmp_path) -> Path:
    home = tmp_path / "home"
    for argv in (("add", "Walk", "--at", "19:00"), ("add", "Tech-free time", "--goal", "2h/week")):
        assert cli(home, *argv).code == 0
    return home


LOCK_COMMANDS = {
    "done": ("done", "walk"),
    "add": ("add", "Talk"),
    "unplug": ("unplug", "30m"),
    "daemon-status": ("daemon", "status"),
    "week": ("week",),
}


@pytest.mark.parametrize("target_kind", ["existing-file", "dangling"])
@pytest.mark.parametrize("lock", sorted(LOCKS))
@pytest.mark.parametrize("command", LOCK_COMMANDS.values(), ids=LOCK_COMMANDS.keys())
def test_a_link_planted_at_a_lock_file_is_not_followed(walk_home, victim, tmp_path, lock, target_kind, command):
    target = victim if target_kind == "existing-file" else tmp_path / "elsewhere" / "created-through-the-link"
    link = walk_home / lock
    link.unlink(missing_ok=True)
    link.symlink_to(target)
    before_victim, before = fingerprint(victim), files_of(walk_home)

    run = cli(walk_home, *command)

    assert_clean_exit(run)
    assert untouched(victim, before_victim) and not (tmp_path / "elsewhere" / "created-through-the-link").exists()
    assert link.is_symlink()
    assert_rejected_changed_nothing(run, before, files_of(walk_home))
    if lock == "connect.lock" and command[0] in ("done", "add", "unplug"):
        assert run.code == 1 and "lock file" in run.err  # a write needs the lock: refused, in one sentence


@pytest.mark.parametrize("target_kind", ["existing-file", "dangling"])
def test_the_daemon_refuses_to_start_on_a_planted_lock_link_in_one_line(walk_home, victim, tmp_path, target_kind):
    target = victim if target_kind == "existing-file" else tmp_path / "elsewhere" / "created-through-the-link"
    (walk_home / "daemon.lock").symlink_to(target)
    before_victim = fingerprint(victim)
    try:
        result = subprocess.run(
            [CONNECT, "daemon", "run"], env=env_for(walk_home), capture_output=True, text=True, timeout=15
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the daemon started although its lock file is a link")
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    assert "lock" in result.stderr.strip().splitlines()[-1], result.stderr  # says why, in its last line
    assert untouched(victim, before_victim)
    assert target == victim or not target.exists()


@pytest.mark.parametrize(
    "command", [("add", "Talk"), ("done", "walk"), ("skip", "walk", "--date", "today")], ids=["add", "done", "skip"]
)
def test_a_dangling_link_at_the_data_file_is_refused_and_nothing_is_created_through_it(walk_home, tmp_path, command):
    """Decided: the data file being a link is refused with one sentence (tests/attack/test_attack_files.py has the
    link to a real file); a dangling link must not create its target either."""
    target = tmp_path / "elsewhere" / "new-data.json"
    target.parent.mkdir(exist_ok=True)
    (walk_home / "connect.json").unlink()
    (walk_home / "connect.json").symlink_to(target)
    run = cli(walk_home, *command)
    assert_clean_exit(run)
    assert run.code == 1 and "link" in run.err
    assert not target.exists() and (walk_home / "connect.json").is_symlink()


def test_the_daemon_never_writes_through_a_link_at_the_data_file(walk_home, tmp_path):
    """The daemon's own write (logging a tech-free session that ended) goes through the same refusal."""
    from connect_habits.clock import local_zone
    from connect_habits.core.reminders import wall_instant
    from connect_habits.daemon.loop import Daemon
    from connect_habits.daemon.notify import RecordingNotifier
    from connect_habits.storage.actions import start_session
    from connect_habits.storage.paths import resolve_paths
    from connect_habits.storage.store import Store

    paths = resolve_paths({"CONNECT_HOME": str(walk_home)})
    start = wall_instant(TODAY, "20:00", local_zone())
    with Store(paths).transaction() as tx:
        start_session(tx, None, 30, start)
    target = tmp_path / "elsewhere" / "data.json"
    target.parent.mkdir(exist_ok=True)
    os.replace(paths.data_file, target)
    paths.data_file.symlink_to(target)
    before = fingerprint(target)
    daemon = Daemon(paths, RecordingNotifier(), now=lambda: start + timedelta(minutes=31))
    daemon.reload()
    daemon.tick()  # logs the failure and keeps running
    assert untouched(target, before) and paths.data_file.is_symlink()


def test_links_at_the_state_and_config_files_are_replaced_never_written_through(walk_home, victim, tmp_path):
    from connect_habits.clock import local_zone
    from connect_habits.core.reminders import wall_instant
    from connect_habits.daemon.loop import Daemon
    from connect_habits.daemon.notify import RecordingNotifier
    from connect_habits.storage.paths import resolve_paths

    paths = resolve_paths({"CONNECT_HOME": str(walk_home)})
    config_target = tmp_path / "elsewhere" / "config.toml"
    config_target.write_text('week_start = "monday"\n')
    paths.config_file.unlink(missing_ok=True)
    paths.config_file.symlink_to(config_target)
    dangling = tmp_path / "elsewhere" / "state-created-through-the-link"
    paths.state_file.symlink_to(dangling)
    before_config, before_victim = fingerprint(config_target), fingerprint(victim)

    at = wall_instant(TODAY, "19:00", local_zone())
    daemon = Daemon(paths, RecordingNotifier(), now=lambda: at)
    daemon.reload()
    daemon.scan(at)
    assert [n.title for n in daemon.notifier.sent] == ["Walk"]
    run = cli(walk_home, "init", "--yes", "--partner", "Alex", "--partner", "Sam")
    assert_clean_exit(run)

    assert not dangling.exists() and untouched(config_target, before_config) and untouched(victim, before_victim)
    for path in (paths.state_file, paths.config_file):
        if not path.is_symlink():  # the link was replaced (not followed) by a private file of connect's own
            assert mode(path) == 0o600


def test_atomic_write_skips_a_link_planted_at_the_temp_name_it_would_use(tmp_path, victim, monkeypatch):
    """mkstemp opens with O_CREAT|O_EXCL: a planted name is passed over, never opened through."""
    import tempfile as tempfile_module

    from connect_habits.storage.fileio import atomic_write

    folder = tmp_path / "home"
    folder.mkdir()
    planted = [folder / ".connect.json.planted1.tmp", folder / ".connect.json.planted2.tmp"]
    planted[0].symlink_to(victim)
    planted[1].symlink_to(tmp_path / "elsewhere" / "created-through-the-link")
    names = iter(["planted1", "planted2", "fresh"])
    monkeypatch.setattr(tempfile_module, "_get_candidate_names", lambda: names)
    before = fingerprint(victim)

    atomic_write(folder / "connect.json", b"{}")

    assert (folder / "connect.json").read_bytes() == b"{}" and mode(folder / "connect.json") == 0o600
    assert untouched(victim, before) and not (tmp_path / "elsewhere" / "created-through-the-link").exists()
    assert all(p.is_symlink() for p in planted)


def test_links_planted_at_temp_file_names_are_never_written_through(walk_home, victim, tmp_path):
    dangling = tmp_path / "elsewhere" / "created-through-the-link"
    for stem in ("connect.json", "config.toml"):
        for i, target in enumerate((victim, dangling)):
            (walk_home / f".{stem}.{'abcdefgh'[i::2]}{i}.tmp").symlink_to(target)
    before = fingerprint(victim)
    for argv in (
        ("done", "walk"),
        ("add", "Talk"),
        ("init", "--yes", "--partner", "Alex"),
        ("export", "-o", str(walk_home / "backup.json")),
    ):
        run = cli(walk_home, *argv)
        assert run.code == 0, (argv, run.err)
    assert untouched(victim, before) and not dangling.exists()
