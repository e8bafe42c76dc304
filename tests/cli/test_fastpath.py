"""The fast path (done, week, log, add and the other commands of FAST_MODULES without Typer) does what
the Typer CLI does, byte for byte.

Every command line runs twice through the real `connect`, once as usual and once with the fast path
switched off (CONNECT_NO_FASTPATH=1), each in its own copy of the same home: stdout, stderr, the exit
code and the data left behind must be the same. The fast path must really run for the plain command
lines (without loading typer or click), hand every doubtful one to Typer, and know exactly the options
the Typer app has (both are made from the same declarations, cli/spec.py).
"""

from __future__ import annotations

import contextlib
import errno
import gc
import io
import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connect_habits.cli import context, entry, everyday, fastpath, spec
from connect_habits.cli.app import build_app
from support import CONNECT, NOW

FAST_COMMANDS = {c.name: c for c in spec.COMMANDS if c.fast}

SLOW = {fastpath.DISABLE_VARIABLE: "1"}

SEED = (
    ("init", "--yes", "--partner", "Alex", "--partner", "Sam"),
    ("add", "Walk", "--at", "19:00"),
    ("add", "Café ☕", "--every", "mon,wed,fri"),
    ("add", "Reading", "--goal", "30m/day"),
    ("add", "Each", "--who", "each"),
    ("add", "--", "-x"),
    ("add", "Old"),
    ("remove", "old"),
    ("done", "walk", "--date", "2026-11-23"),
    ("done", "walk", "--date", "2026-11-24"),
    ("done", "reading", "-m", "20", "--note", "chapter 3"),
    ("done", "each", "--by", "Alex"),
    ("skip", "café", "--date", "2026-11-25", "--reason", "rain"),
)

FAST, TYPER = True, False
# (arguments, whether the fast path takes them): Typer must answer everything the fast path leaves.
CASES = [
    # done
    (("done", "walk"), FAST),
    (("done", "walk", "--date", "yesterday"), FAST),
    (("done", "walk", "--date", "2026-11-20", "--note", "rain, and still we went"), FAST),
    (("done", "--date", "yesterday", "walk"), FAST),
    (("done", "walk", "--date", "2026-11-24"), FAST),
    (("done", "café"), FAST),
    (("done", "CAFÉ ☕", "--note", "ζωή 😀"), FAST),
    (("done", "reading", "--minutes", "25"), FAST),
    (("done", "reading", "-m", "0"), FAST),
    (("done", "reading", "--minutes", "007"), FAST),
    (("done", "reading", "--minutes", "99999999999"), FAST),
    (("done", "reading", "--minutes", "9" * 40), TYPER),
    (("done", "reading"), FAST),
    (("done", "each", "--by", "Alex"), FAST),
    (("done", "each", "--by", "Sam", "--date", "yesterday"), FAST),
    (("done", "each"), FAST),
    (("done", "each", "--by", "Nobody"), FAST),
    (("done", "nope"), FAST),
    (("done", "nope\x1b[31m\u2028"), FAST),
    (("done", "W\udcff"), FAST),
    (("done", "old"), FAST),
    (("done", ""), FAST),
    (("done", "walk", "--date", "2027-01-01"), FAST),
    (("done", "walk", "--date", "tomorrow"), FAST),
    (("done", "walk", "--date", ""), FAST),
    (("done", "walk", "--date", "0001-01-01"), FAST),
    (("done", "walk", "--note", ""), FAST),
    (("done", "walk", "--note", "just the two of us", "--private"), FAST),
    (("done", "walk", "--private"), FAST),
    (("done",), TYPER),
    (("done", "walk", "reading"), TYPER),
    (("done", "--", "-x"), TYPER),
    (("done", "-x"), TYPER),
    (("done", "-"), TYPER),
    (("done", "walk", "--date"), TYPER),
    (("done", "walk", "--date", "--json"), TYPER),
    (("done", "walk", "--note", "-not an option"), TYPER),
    (("done", "walk", "--date=yesterday"), TYPER),
    (("done", "reading", "-m5"), TYPER),
    (("done", "reading", "-m", "5", "--minutes", "6"), TYPER),
    (("done", "walk", "--note", "a", "--note", "b"), TYPER),
    (("done", "reading", "--minutes", "\u0663"), TYPER),
    (("done", "reading", "--minutes", "+5"), TYPER),
    (("done", "reading", "--minutes", " 5"), TYPER),
    (("done", "reading", "--minutes", "5_0"), TYPER),
    (("done", "reading", "--minutes", "-5"), TYPER),
    (("done", "reading", "--minutes", "ten"), TYPER),
    (("done", "reading", "--minutes", ""), TYPER),
    (("done", "walk", "--json"), TYPER),
    (("done", "walk", "--help"), TYPER),
    (("done", "-h"), TYPER),
    # week
    (("week",), FAST),
    (("week", "--json"), FAST),
    (("week", "--date", "yesterday"), FAST),
    (("week", "--date", "2026-11-01", "--json"), FAST),
    (("week", "--date", "9999-12-31"), FAST),
    (("week", "--date", "someday"), FAST),
    (("week", "--weeks", "3"), FAST),
    (("week", "--weeks", "5", "--date", "2026-11-10"), FAST),
    (("week", "--weeks", "9"), FAST),
    (("week", "--weeks", "52", "--json"), FAST),
    (("week", "--json", "--weeks", "1"), FAST),
    (("week", "--weeks", "0"), TYPER),
    (("week", "--weeks", "53"), TYPER),
    (("week", "--weeks", "x"), TYPER),
    (("week", "--weeks"), TYPER),
    (("week", "--weeks", "-1"), TYPER),
    (("week", "extra"), TYPER),
    (("week", "--json", "--json"), TYPER),
    (("week", "--json=true"), TYPER),
    (("week", "--no-json"), TYPER),
    (("week", "--"), TYPER),
    (("week", "--help"), TYPER),
    (("week", "-h"), TYPER),
    # stats
    (("stats",), FAST),
    (("stats", "--json"), FAST),
    (("stats", "walk"), FAST),
    (("stats", "café", "--weeks", "4"), FAST),
    (("stats", "walk", "--weeks", "520", "--json"), FAST),
    (("stats", "--weeks", "1"), FAST),
    (("stats", "nope"), FAST),
    (("stats", "old"), FAST),
    (("stats", "walk", "--weeks", "521"), TYPER),
    (("stats", "--weeks", "0"), TYPER),
    (("stats", "walk", "each"), TYPER),
    (("stats", "--", "-x"), TYPER),
    (("stats", "--help"), TYPER),
    # list
    (("list",), FAST),
    (("list", "--json"), FAST),
    (("list", "extra"), TYPER),
    (("list", "--json", "--json"), TYPER),
    (("list", "-j"), TYPER),
    (("list", "--help"), TYPER),
    # the log
    (("undo", "walk", "--date", "2026-11-24"), FAST),
    (("undo", "walk"), FAST),
    (("undo", "each", "--by", "Alex"), FAST),
    (("undo", "nope"), FAST),
    (("skip", "walk", "--date", "yesterday", "--reason", "rain"), FAST),
    (("skip", "--all", "--from", "2026-11-20", "--to", "2026-11-22"), FAST),
    (("skip", "walk"), FAST),
    (("skip", "walk", "--all"), FAST),
    (("skip", "walk", "--date", "yesterday", "--from", "2026-11-20"), FAST),
    (("unskip", "café", "--date", "2026-11-25"), FAST),
    (("unskip", "--all", "--from", "2026-11-20", "--to", "2026-11-26"), FAST),
    (("skips",), FAST),
    (("skips", "café", "--json"), FAST),
    (("log",), FAST),
    (("log", "--json"), FAST),
    (("log", "walk", "--since", "2026-11-24"), FAST),
    (("log", "--since", "someday"), FAST),
    (("log", "--since", "2026-11-01", "--json"), FAST),
    (("log", "nope"), FAST),
    (("log", "--since"), TYPER),
    (("log", "walk", "reading"), TYPER),
    (("log", "--help"), TYPER),
    # habits
    (("add", "Dance"), FAST),
    (("add", "Dance", "--every", "tue,thu", "--note", "in the kitchen"), FAST),
    (("add", "Screens", "--limit", "1h/day"), FAST),
    (("add", "Walk"), FAST),
    (("add", "Dance", "--every", "fortnightly"), FAST),
    (("add", "--from", "tech-free-dinner"), FAST),
    (("add",), FAST),
    (("add", "Dance", "--at", "19:00"), TYPER),
    (("add", "Dance", "--at", "19:00", "--at", "20:00"), TYPER),
    (("add", "--", "-y"), TYPER),
    (("edit", "walk", "--note", "after dinner"), FAST),
    (("edit", "walk", "--every", "weekdays"), FAST),
    (("edit", "walk", "--rename", "Evening walk"), FAST),
    (("edit", "walk", "--clear-at"), FAST),
    (("edit", "nope", "--note", "x"), FAST),
    (("edit", "walk"), FAST),
    (("edit", "walk", "--at", "20:00"), TYPER),
    (("move", "reading", "--before", "walk"), FAST),
    (("move", "reading", "--to", "1"), FAST),
    (("move", "reading", "--to", "0"), FAST),
    (("move", "reading", "--to", "-1"), TYPER),
    # reminders, rituals and the catalog
    (("remind",), FAST),
    (("remind", "--json"), FAST),
    (("question",), FAST),
    (("question", "--json"), FAST),
    (("answer", "We both like rain."), FAST),
    (("send", "Dinner at eight?"), FAST),
    (("thank", "for the coffee"), FAST),
    (("inbox",), FAST),
    (("inbox", "--json"), FAST),
    (("checkins",), FAST),
    (("checkins", "--json"), FAST),
    (("catalog",), FAST),
    (("catalog", "tech"), FAST),
    (("catalog", "--json"), FAST),
    (("catalog", "nothing-like-it"), FAST),
    (("prompt", "nothing-like-it"), TYPER),
    (("catalog", "--help"), TYPER),
    # everything else is Typer's
    ((), TYPER),
    (("--help",), TYPER),
    (("Done", "walk"), TYPER),
    (("don", "walk"), TYPER),
    (("remove", "walk"), TYPER),
    (("checkin",), TYPER),
    (("ask",), TYPER),
]


def _id(case) -> str:
    return " ".join(case[0]).encode("unicode_escape").decode("ascii") or "(nothing)"


def _run(home: Path, args, env: dict | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", fastpath.DISABLE_VARIABLE)}
    environ.update(CONNECT_HOME=str(home), CONNECT_NOW=NOW, **(env or {}))
    return subprocess.run([CONNECT, *args], capture_output=True, text=True, env=environ, timeout=60)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A home with partners, habits of every kind (unicode, minutes, each, archived), check-ins and a skip."""
    home = tmp_path_factory.mktemp("seeded") / "home"
    for args in SEED:
        result = _run(home, args, env=SLOW)
        assert result.returncode == 0, (args, result.stderr)
    return home


def _files(home: Path) -> dict[str, bytes]:
    return {str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file()}


def _data(home: Path) -> dict:
    """Everything the home holds, as a backup; new check-ins and habits get random ids (and the backup is in
    id order within a day), so they are compared without their ids, in a fixed order."""
    if not home.exists():
        return {}
    result = _run(home, ("export", "--format", "json"), env=SLOW)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    for habit in json.loads(text).get("habits", []):  # a new habit's id is random too: it is known by its name
        text = text.replace(json.dumps(habit["id"]), json.dumps("habit " + habit["name"]))
    backup = json.loads(text)
    for kind in ("checkins", "skips"):
        items = [{k: v for k, v in item.items() if k != "id"} for item in backup.get(kind, [])]
        backup[kind] = sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    backup["private_notes"] = sorted(json.dumps(words) for words in backup.get("private_notes", {}).values())
    return backup


def _both_ways(connect, home: Path, tmp_path: Path, args, env: dict | None = None):
    """Run `args` in two copies of `home`: as usual and with the fast path off."""
    results = []
    for label, switch in (("fast", {}), ("slow", SLOW)):
        copy = tmp_path / label
        if home.exists():
            shutil.copytree(home, copy)
        results.append((connect(*args, env={"CONNECT_HOME": str(copy), **(env or {}), **switch}), copy))
    return results


@pytest.mark.parametrize("args, fast", CASES, ids=[_id(c) for c in CASES])
def test_a_command_line_gives_the_same_answer_with_and_without_the_fast_path(connect, seeded, tmp_path, args, fast):
    assert (fastpath.parse(list(args)) is not None) == fast
    (quick, quick_home), (typer_, typer_home) = _both_ways(connect, seeded, tmp_path, args)
    assert (quick.out, quick.err, quick.code) == (typer_.out, typer_.err, typer_.code)
    assert "Traceback" not in quick.err
    if _files(quick_home) != _files(typer_home):  # new check-ins have random ids: compare what they hold
        assert _data(quick_home) == _data(typer_home)
        assert _files(quick_home).keys() == _files(typer_home).keys()


@pytest.mark.parametrize(
    "args", [("week",), ("week", "--json"), ("list",), ("stats",), ("done", "walk")], ids=lambda a: " ".join(a)
)
def test_an_empty_home_gives_the_same_answer_with_and_without_the_fast_path(connect, home, tmp_path, args):
    (quick, quick_home), (typer_, typer_home) = _both_ways(connect, home, tmp_path, args)
    assert (quick.out, quick.err, quick.code) == (typer_.out, typer_.err, typer_.code)
    assert quick_home.exists() == typer_home.exists()


@pytest.mark.parametrize(
    "setting",
    [{"PYTHONIOENCODING": "ascii"}, {"PYTHONIOENCODING": "utf-8:surrogateescape"}, {"NO_COLOR": "1"}, {"TERM": "dumb"}],
    ids=lambda env: "=".join(*env.items()),
)
@pytest.mark.parametrize(
    "args",
    [("week",), ("list",), ("stats", "café"), ("done", "café"), ("done", "nope\u2028")],
    ids=lambda a: " ".join(a).encode("unicode_escape").decode("ascii"),
)
def test_the_streams_encoding_and_the_terminal_settings_are_honoured_alike(connect, seeded, tmp_path, setting, args):
    """click re-encodes a stream configured for ASCII: the fast path leaves such a stream to click."""
    (quick, _), (typer_, _) = _both_ways(connect, seeded, tmp_path, args, setting)
    assert (quick.out, quick.err, quick.code) == (typer_.out, typer_.err, typer_.code)


def _on_a_terminal(home: Path, args, env: dict) -> bytes:
    """What `connect ARGS` shows on a terminal (its stdout a pseudo-terminal), read while it runs."""
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", fastpath.DISABLE_VARIABLE)}
    environ.update(CONNECT_HOME=str(home), CONNECT_NOW=NOW, TERM="xterm", **env)
    master, slave = pty.openpty()
    try:
        process = subprocess.Popen(
            [CONNECT, *args], stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE, env=environ
        )
    finally:
        os.close(slave)
    shown = b""
    try:
        while chunk := os.read(master, 65536):
            shown += chunk
    except OSError:  # EIO once the child's side is closed
        pass
    os.close(master)
    assert process.wait(timeout=60) == 0, process.stderr.read()
    process.stderr.close()
    return shown


@pytest.mark.parametrize("args", [("week",), ("stats", "walk"), ("list",)], ids=lambda a: " ".join(a))
def test_the_colours_on_a_terminal_are_the_same_both_ways(seeded, args):
    quick = _on_a_terminal(seeded, args, {})
    assert b"\x1b[" in quick
    assert quick == _on_a_terminal(seeded, args, SLOW)


def test_a_reader_that_goes_away_ends_both_ways_alike(seeded):
    """`connect week | head -0`: Typer exits 1 without a word when stdout is a closed pipe; so does the fast path."""
    outcomes = []
    for env in ({}, SLOW):
        environ = dict(os.environ, CONNECT_HOME=str(seeded), CONNECT_NOW=NOW, **env)
        process = subprocess.Popen(
            [CONNECT, "week", "--weeks", "5"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environ
        )
        process.stdout.close()
        err = process.stderr.read()
        outcomes.append((process.wait(timeout=60), err))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize(
    "interruption",
    [KeyboardInterrupt(), EOFError(), BrokenPipeError(errno.EPIPE, "Broken pipe")],
    ids=lambda error: type(error).__name__,
)
def test_an_interruption_inside_a_command_ends_both_ways_alike(monkeypatch, tmp_path, capfd, interruption):
    def interrupted():
        raise interruption

    monkeypatch.setattr(context.Context, "from_environment", interrupted)
    monkeypatch.setenv("CONNECT_HOME", str(tmp_path / "home"))
    outcomes = []
    for slow in (False, True):
        if slow:
            monkeypatch.setenv(fastpath.DISABLE_VARIABLE, "1")
        # Both paths may swap the streams for ones that ignore a broken pipe; monkeypatch puts them back.
        monkeypatch.setattr(sys, "stdout", sys.stdout)
        monkeypatch.setattr(sys, "stderr", sys.stderr)
        with pytest.raises(SystemExit) as exit_:
            entry.main(["week"])
        outcomes.append((exit_.value.code, capfd.readouterr()))
    assert outcomes[0] == outcomes[1]


def test_an_everyday_command_runs_without_the_cycle_collector_and_gives_it_back(monkeypatch):
    seen = []
    listing = FAST_COMMANDS["list"]
    spy = listing.with_function(lambda **params: seen.append(gc.isenabled()))
    monkeypatch.setattr(fastpath, "COMMANDS", [spy if c is listing else c for c in spec.COMMANDS])
    try:
        with pytest.raises(SystemExit) as exit_:
            entry.main(["list"])
        assert exit_.value.code == 0 and seen == [False]
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0  # what it made is left out of later collections (and the exit's)
    finally:
        gc.unfreeze()


HOT = [
    ("week",),
    ("week", "--json"),
    ("done", "walk"),
    ("stats", "walk"),
    ("stats",),
    ("list", "--json"),
    ("log", "--since", "2026-11-20"),
    ("undo", "walk", "--date", "2026-11-24"),
    ("add", "Dance"),
    ("remind",),
    ("inbox",),
    ("catalog",),
    ("export", "--format", "csv"),
]


def _imported(
    home: Path, args, env: dict | None = None, python: bool = False
) -> tuple[set[str], subprocess.CompletedProcess]:
    """The modules the real console script imports for `args` (from -X importtime), and its result.

    `python`: `args` are the interpreter's own (-c CODE), not the console script's.
    """
    environ = {k: v for k, v in os.environ.items() if k != fastpath.DISABLE_VARIABLE}
    environ.update(CONNECT_HOME=str(home), CONNECT_NOW=NOW, **(env or {}))
    argv = [sys.executable, "-X", "importtime", *([] if python else [CONNECT]), *args]
    result = subprocess.run(argv, capture_output=True, text=True, env=environ, timeout=60)
    lines = result.stderr.splitlines()
    modules = {line.rsplit("|", 1)[1].strip() for line in lines if line.startswith("import time:")}
    return modules, result


@pytest.mark.parametrize("args", HOT, ids=lambda a: " ".join(a))
def test_the_everyday_commands_run_without_loading_typer_or_click(seeded, tmp_path, args):
    home = tmp_path / "home"
    shutil.copytree(seeded, home)
    modules, result = _imported(home, args)
    assert result.returncode == 0, result.stderr
    assert "connect_habits.cli.fastpath" in modules  # the probe sees the package's imports
    assert f"connect_habits.cli.{fastpath.FAST_MODULES[args[0]]}" in modules
    assert not {m for m in modules if m.split(".")[0] in ("typer", "click")}
    assert "connect_habits.cli.app" not in modules
    assert "orjson" not in modules  # an import's encoder: its own imports would cost an everyday write ~10 ms


ADDING = [("done", "walk"), ("skip", "walk", "--date", "2026-11-26"), ("add", "Dance"), ("edit", "walk", "--note", "a")]


STARTS = "connect starts here"


def _imported_once_started(home: Path, args) -> set[str]:
    """The modules the console script imports for `args`, which it must succeed in, after the interpreter's start.

    What starting imports is left out: a run with the wall clock moved imports typing there (time-machine, in
    tests/support/wallclock), and takes it out of sys.modules again, so a later import of it is seen anew.
    """
    # The script run as the interpreter runs it (runpy would import pkgutil, and with it typing).
    script = f"import sys; print({STARTS!r}, file=sys.stderr); sys.argv = {[CONNECT, *args]!r}; "
    script += f"exec(compile(open({CONNECT!r}).read(), {CONNECT!r}, 'exec'), {{'__name__': '__main__'}})"
    _, result = _imported(home, ["-c", script], python=True)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    after = lines[lines.index(STARTS) + 1 :]
    return {line.rsplit("|", 1)[1].strip() for line in after if line.startswith("import time:")}


@pytest.mark.parametrize("args", ADDING, ids=" ".join)
def test_a_write_that_only_adds_records_runs_without_loading_tinydb(seeded, tmp_path, args):
    """TinyDB (and typing, which it imports) is for queries: adding records and stamping `_meta` needs neither."""
    home = tmp_path / "home"
    shutil.copytree(seeded, home)
    modules = _imported_once_started(home, args)
    assert "connect_habits.storage.tables" in modules  # the probe sees the write's module
    assert "tinydb" not in modules and "typing" not in modules
    if args[0] == "done":
        assert "tinydb" in _imported_once_started(home, ("undo", "walk"))  # an undo finds its record by a query


def test_a_command_line_the_fast_path_leaves_goes_through_typer(seeded):
    modules, result = _imported(seeded, ("week", "--weeks", "0"))
    assert result.returncode == 2
    assert {"typer", "click", "connect_habits.cli.app"} <= modules
    modules, _ = _imported(seeded, ("week",), env=SLOW)
    assert {"typer", "click", "connect_habits.cli.app"} <= modules


def _kind(option: click.Option):
    if option.multiple:  # the fast path leaves every line with such an option to Typer
        assert (option.nargs, option.type, option.default) == (1, click.STRING, None)
        return spec.MANY
    assert (option.multiple, option.nargs, option.count, option.envvar, option.callback) == (
        False,
        1,
        False,
        None,
        None,
    )
    if option.is_flag:
        assert (option.is_bool_flag, option.default, option.secondary_opts) == (True, False, [])
        return spec.FLAG
    if isinstance(option.type, click.IntRange):
        assert not (option.type.min_open or option.type.max_open or option.type.clamp)
        return spec.integer(option.type.min, option.type.max)
    if option.type is click.INT:
        return spec.integer()
    assert option.type is click.STRING, f"{option.name}: a {option.type} option; teach the fast path about it"
    return spec.TEXT


@pytest.mark.parametrize("name", sorted(FAST_COMMANDS))
def test_the_typer_command_made_from_a_declaration_means_what_the_fast_path_reads_in_it(name):
    """The fast path reads the declarations as plain options and arguments: Typer must make exactly those."""
    import inspect

    group = typer.main.get_command(build_app())
    # The one option before a command is the eager --version; a line that starts with it is never the fast path's.
    assert [(p.name, p.is_eager) for p in group.params] == [("show_version", True)] and not group.context_settings
    from connect_habits.cli.fastpath import parse

    assert parse(["--version"]) is None
    command = group.commands[name]
    declared = FAST_COMMANDS[name]
    assert not command.context_settings and command.allow_interspersed_args and not command.ignore_unknown_options
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    options = [p for p in command.params if isinstance(p, click.Option)]
    assert len(arguments) + len(options) == len(command.params)
    assert [(a.name, a.required) for a in arguments] == [
        (p.param, p.required) for p in declared.params if isinstance(p, spec.Argument)
    ]
    assert all(a.nargs == 1 and a.type is click.STRING and a.callback is None for a in arguments)
    known = {opt: (option.name, _kind(option)) for option in options for opt in option.opts + option.secondary_opts}
    assert known == {flag: (p.param, p.kind) for p in declared.params if isinstance(p, spec.Option) for flag in p.flags}
    assert {p.name: p.default for p in command.params if not p.required} == spec.defaults(declared)
    # The same parameters reach the one implementation both paths call.
    assert list(inspect.signature(declared.function).parameters) == [p.name for p in command.params]


def test_the_fast_commands_are_found_in_the_module_that_declares_them():
    """FAST_MODULES imports one module per fast command: it must be the one whose declaration says fast=True."""
    declared = {c.name: c.function.__module__.rsplit(".", 1)[-1] for c in spec.COMMANDS if c.fast and c.group is None}
    declared.pop("", None)  # bare `connect`, which entry.py runs itself
    assert fastpath.FAST_MODULES == declared


def test_only_plain_command_lines_are_taken(monkeypatch):
    assert fastpath.parse(["done", "walk", "-m", "5"]) == (
        FAST_COMMANDS["done"],
        {"name": "walk", "day": "today", "minutes": 5, "amount": None, "note": None, "by": None, "private": False},
    )
    assert fastpath.parse(["week", "--json", "--weeks", "3"]) == (
        FAST_COMMANDS["week"],
        {"day": "today", "as_json": True, "weeks": 3},
    )
    assert fastpath.parse(["stats"]) == (
        FAST_COMMANDS["stats"],
        {"name": None, "weeks": 26, "by": None, "as_json": False},
    )
    assert fastpath.parse(["list"]) == (FAST_COMMANDS["list"], {"as_json": False})
    assert FAST_COMMANDS["list"].function is everyday.list_habits
    monkeypatch.setenv("_CONNECT_COMPLETE", "bash_complete")  # click answers shell completion itself
    assert fastpath.parse(["list"]) is None
    monkeypatch.delenv("_CONNECT_COMPLETE")
    monkeypatch.setenv(fastpath.DISABLE_VARIABLE, "1")
    assert fastpath.parse(["list"]) is None


# ================================================================ generated command lines, in-process

TOKENS = sorted(
    {
        flag
        for declared in FAST_COMMANDS.values()
        for p in declared.params
        if isinstance(p, spec.Option)
        for flag in p.flags
    }
) + [
    "walk",
    "café",
    "reading",
    "each",
    "old",
    "nope",
    "Alex",
    "yesterday",
    "today",
    "2026-11-20",
    "",
    " walk",
    "0",
    "1",
    "3",
    "5",
    "52",
    "53",
    "520",
    "521",
    "007",
    "+3",
    "\u0663",
    "9" * 20,
    "-1",
    "-x",
    "-",
    "--",
    "--help",
    "-h",
    "--json=",
    "--date=yesterday",
    "-m5",
    "--no-json",
    "--minute",
]


NAMES = ["walk", "café", "CAFÉ ☕", "reading", "each", "old", "nope", "", " walk", "-x"]
VALUES = {
    spec.TEXT: ["yesterday", "today", "2026-11-20", "2027-01-01", "", "Alex", "Nobody", "a note"],
    spec.MANY: ["19:00", "25:00", ""],
    "int": ["0", "1", "3", "5", "52", "53", "520", "521", "007", "99999999999"],
}


@st.composite
def everyday_command_lines(draw) -> list[str]:
    """One of the fast commands with some of its options in any order (so, often, a line it takes), then
    maybe spoiled by any of their options, values, names and near misses put anywhere."""
    command = draw(st.sampled_from(sorted(FAST_COMMANDS)))
    declared = FAST_COMMANDS[command]
    parts = []
    for option, flag in ((p, f) for p in declared.params if isinstance(p, spec.Option) for f in p.flags):
        if draw(st.booleans()):
            kind = option.kind
            parts.append(
                [flag]
                if kind == spec.FLAG
                else [flag, draw(st.sampled_from(VALUES[kind if kind in (spec.TEXT, spec.MANY) else kind[0]]))]
            )
    if any(isinstance(p, spec.Argument) for p in declared.params) and draw(st.booleans()):
        parts.append([draw(st.sampled_from(NAMES))])
    args = [token for part in draw(st.permutations(parts)) for token in part]
    for token in draw(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=3)) if draw(st.booleans()) else []:
        args.insert(draw(st.integers(0, len(args))), token)
    return [command, *args]


def _set_environ(values: dict) -> None:
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _in_process(home: Path, args: list[str], env: dict) -> tuple[int, str, str]:
    """`connect ARGS` through entry.main in this process, with strict UTF-8 streams that are not terminals."""
    variables = {"CONNECT_HOME": str(home), "CONNECT_NOW": NOW, fastpath.DISABLE_VARIABLE: None, **env}
    saved = {k: os.environ.get(k) for k in variables}
    streams = [io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", newline="") for _ in range(2)]
    original = sys.stdout, sys.stderr, sys.stdin
    try:
        _set_environ(variables)
        sys.stdout, sys.stderr, sys.stdin = *streams, io.StringIO("")
        try:
            entry.main(list(args))
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    finally:
        gc.unfreeze()  # main() freezes what a command made (its process would end here); this one goes on
        sys.stdout, sys.stderr, sys.stdin = original
        _set_environ(saved)
    out, err = (stream.buffer.getvalue().decode("utf-8") for stream in streams)
    return code, out, err


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(args=everyday_command_lines())
def test_any_everyday_command_line_gives_the_same_answer_both_ways(seeded, tmp_path_factory, args):
    scratch = tmp_path_factory.mktemp("both")
    homes = {label: scratch / label for label in ("fast", "slow")}
    for home in homes.values():
        shutil.copytree(seeded, home)
    answers = []
    for label, env in (("fast", {}), ("slow", SLOW)):
        (scratch / f"cwd-{label}").mkdir()  # where `export -o NAME` writes, apart for each way
        with contextlib.chdir(scratch / f"cwd-{label}"):
            answers.append(_in_process(homes[label], args, env))
    quick, typer_ = answers
    assert quick == typer_
    if _files(homes["fast"]) != _files(homes["slow"]):
        assert _data(homes["fast"]) == _data(homes["slow"])
