"""`connect --help` prints what Typer printed the last time, byte for byte, and only when nothing it depends on changed.

Every case runs the real `connect` three ways: with an empty cache folder (Typer renders and the text is
kept), again (the kept text, without importing Typer), and with the cache switched off (Typer alone).
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from connect_habits.cli import helpcache
from support import CONNECT

HELP_LINES = [
    ("--help",),
    ("done", "--help"),
    ("week", "--help"),
    ("sync", "--help"),
    ("sync", "join", "--help"),
    ("config", "set", "--help"),
    ("import", "--help"),
]


def _env(tmp_path: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != helpcache.DISABLE_VARIABLE}
    env.update(CONNECT_HOME=str(tmp_path / "home"), XDG_CACHE_HOME=str(tmp_path / "cache"), **extra)
    return env


def _run(args, env: dict, importtime: bool = False) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-X", "importtime", CONNECT, *args] if importtime else [CONNECT, *args]
    return subprocess.run(argv, capture_output=True, env=env, timeout=60)


def _typer_loaded(result: subprocess.CompletedProcess) -> bool:
    return any(line.rsplit(b"|", 1)[-1].strip() == b"typer" for line in result.stderr.splitlines())


def _kept(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "cache" / "connect" / "help"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("args", HELP_LINES, ids=" ".join)
@pytest.mark.parametrize("columns", ["80", "52", "140"])
def test_the_kept_help_is_typers_help_byte_for_byte(tmp_path, args, columns):
    env = _env(tmp_path, COLUMNS=columns)
    first = _run(args, env, importtime=True)
    second = _run(args, env, importtime=True)
    typer_ = _run(args, {**env, helpcache.DISABLE_VARIABLE: "1"})
    assert first.returncode == second.returncode == typer_.returncode == 0
    assert first.stdout == second.stdout == typer_.stdout
    assert b"Usage: connect" in first.stdout
    assert _typer_loaded(first) and not _typer_loaded(second)
    assert len(_kept(tmp_path)) == 1


def test_each_width_and_each_line_has_its_own_text(tmp_path):
    narrow = _run(("--help",), _env(tmp_path, COLUMNS="50"))
    wide = _run(("--help",), _env(tmp_path, COLUMNS="120"))
    done = _run(("done", "--help"), _env(tmp_path, COLUMNS="120"))
    assert len({narrow.stdout, wide.stdout, done.stdout}) == 3
    assert len(_kept(tmp_path)) == 3
    assert _run(("--help",), _env(tmp_path, COLUMNS="50")).stdout == narrow.stdout


@pytest.mark.parametrize(
    "variables",
    [{"NO_COLOR": "1"}, {"FORCE_COLOR": "1"}, {"TERM": "dumb"}, {"TERMINAL_WIDTH": "60"}, {"LANG": "de_DE.UTF-8"}],
    ids=lambda v: " ".join(f"{k}={val}" for k, val in v.items()),
)
def test_a_variable_rich_reads_makes_a_help_of_its_own(tmp_path, variables):
    plain = _run(("--help",), _env(tmp_path))
    changed = _run(("--help",), _env(tmp_path, **variables))
    again = _run(("--help",), _env(tmp_path, **variables))
    typer_ = _run(("--help",), {**_env(tmp_path, **variables), helpcache.DISABLE_VARIABLE: "1"})
    assert changed.stdout == again.stdout == typer_.stdout
    assert len(_kept(tmp_path)) == 2
    assert _run(("--help",), _env(tmp_path)).stdout == plain.stdout


def _at_terminal(args, env: dict, columns: int) -> bytes:
    """`connect ARGS` with its stdout on a pseudo-terminal `columns` wide: what it wrote there."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    process = subprocess.Popen([CONNECT, *args], stdout=child, stderr=subprocess.DEVNULL, env={**env, "TERM": "xterm"})
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    assert process.wait(timeout=60) == 0
    return b"".join(chunks)


def test_at_a_terminal_the_kept_help_has_the_same_colours_and_width(tmp_path):
    env = _env(tmp_path)
    first = _at_terminal(("--help",), env, 100)
    second = _at_terminal(("--help",), env, 100)
    typer_ = _at_terminal(("--help",), {**env, helpcache.DISABLE_VARIABLE: "1"}, 100)
    assert first == second == typer_
    assert b"\x1b[" in first  # colours: rich saw a terminal
    narrow = _at_terminal(("--help",), env, 60)
    assert narrow == _at_terminal(("--help",), {**env, helpcache.DISABLE_VARIABLE: "1"}, 60) != first
    assert len(_kept(tmp_path)) == 2


def test_under_an_ascii_locale_the_help_is_typers_and_never_kept(tmp_path):
    env = _env(tmp_path, LANG="C")
    results = [_run(("--help",), env) for _ in range(2)]
    typer_ = _run(("--help",), {**env, helpcache.DISABLE_VARIABLE: "1"})
    assert results[0].stdout == results[1].stdout == typer_.stdout
    assert b"+--" in typer_.stdout  # ASCII boxes
    assert _kept(tmp_path) == []


def test_a_help_that_fails_is_not_kept(tmp_path):
    result = _run(("nope", "--help"), _env(tmp_path))
    assert result.returncode == 2 and b"No such command" in result.stderr
    assert _kept(tmp_path) == []


def test_a_cache_folder_that_cannot_be_used_leaves_the_help_to_typer(tmp_path):
    (tmp_path / "cache").write_text("a file where the folder should be")
    result = _run(("--help",), _env(tmp_path))
    typer_ = _run(("--help",), {**_env(tmp_path), helpcache.DISABLE_VARIABLE: "1"})
    assert result.returncode == 0 and result.stdout == typer_.stdout and result.stderr == b""


def test_a_newer_connect_or_library_makes_a_new_name(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    before = helpcache.cache_file(["--help"])
    stamps = helpcache._stamps()
    assert any(s.startswith("cli/app.py ") for s in stamps)
    assert {lib for lib in helpcache.LIBRARIES if any(f"/{lib}/__init__.py" in s for s in stamps)} == {
        "typer",
        "click",
        "rich",
    }
    monkeypatch.setattr(helpcache, "_stamps", lambda: [*stamps[:-1], stamps[-1] + " changed"])
    assert helpcache.cache_file(["--help"]) != before


@pytest.mark.parametrize(
    "args, kept",
    [
        (["--help"], True),
        (["sync", "join", "--help"], True),
        (["done", "--help", "x"], False),
        (["done", "walk", "--json", "--help"], False),
        (["--version", "--help"], False),
        (["-h"], False),
        (["a", "b", "c", "--help"], False),
        (["cafés", "--help"], False),
        ([], False),
    ],
)
def test_only_a_plain_help_line_is_looked_up(args, kept):
    assert helpcache.is_help_request(args) == kept


def _stdin_at_terminal(args, env: dict, columns: int) -> subprocess.CompletedProcess:
    """`connect ARGS` with stdin on a terminal `columns` wide and stdout on a pipe (`connect --help | less`)."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}
    try:
        return subprocess.run([CONNECT, *args], stdin=child, capture_output=True, env=env, timeout=60)
    finally:
        os.close(child)
        os.close(main)


def test_a_terminal_on_stdin_alone_sets_the_width_and_its_own_help(tmp_path):
    env = _env(tmp_path)
    for columns in (120, 60, 120):
        kept = _stdin_at_terminal(("--help",), env, columns)
        typer_ = _stdin_at_terminal(("--help",), {**env, helpcache.DISABLE_VARIABLE: "1"}, columns)
        assert kept.returncode == typer_.returncode == 0
        assert kept.stdout == typer_.stdout
    assert len(_kept(tmp_path)) == 2


def test_a_kept_help_to_a_closed_pipe_ends_as_typers_does(tmp_path):
    env = _env(tmp_path)
    _run(("--help",), env)  # kept
    results = []
    for switch in ({}, {helpcache.DISABLE_VARIABLE: "1"}):
        reader, writer = os.pipe()
        os.close(reader)
        process = subprocess.run(
            [CONNECT, "--help"], stdout=writer, stderr=subprocess.PIPE, env={**env, **switch}, timeout=60
        )
        os.close(writer)
        results.append((process.returncode, process.stderr))
    assert results[0] == results[1]
    assert b"Traceback" not in results[0][1]


@pytest.mark.parametrize("damage", [b"", b"connect-help-1 0123\nshort", None], ids=["empty", "cut short", "no header"])
def test_a_kept_help_that_is_not_all_there_is_made_again(tmp_path, damage):
    env = _env(tmp_path)
    first = _run(("--help",), env)
    (kept,) = _kept(tmp_path)
    kept.write_bytes(first.stdout if damage is None else damage)
    again = _run(("--help",), env, importtime=True)
    assert again.returncode == 0 and again.stdout == first.stdout
    assert _typer_loaded(again)  # from Typer, and kept whole again
    assert helpcache.kept_text(kept) == first.stdout.decode()


def test_no_home_to_keep_a_help_in_leaves_it_to_typer(monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(helpcache.Path, "home", staticmethod(no_home))
    assert helpcache.cache_file(["--help"]) is None
