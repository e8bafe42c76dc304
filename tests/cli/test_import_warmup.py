"""An import into an empty home makes the summary cache from the records it holds (interop/warmup.py): the cache is,
byte for byte, the one the store makes by reading the files back, and every command then shows what a full read shows.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import time
from pathlib import Path

import pytest
from test_long_history import TODAY, long_home, same_as_a_full_read  # noqa: F401  (long_home: a fixture)

from connect_habits.interop.warmup import _cores as warmup_cores
from connect_habits.storage.cache import CACHE_FILE, SummaryCache
from connect_habits.storage.paths import resolve_paths
from connect_habits.storage.store import Store

NOW = "2026-11-26T21:00"
COMMANDS = [
    ("week", "--json"),
    ("week",),
    ("log", "--json"),
    ("stats", "--json"),
]


def settled(cache: bytes) -> dict:
    """The cache with each file's fingerprint as its inode, size and time: a digest is kept while a file is new."""
    data = json.loads(cache)
    for entry in data["entries"]:
        entry["files"] = {name: print_[:3] for name, print_ in entry["files"].items()}
    return data


def cache_from_the_files(home: Path) -> bytes:
    """The summary cache the store makes by reading every month file back (the way before warmup.py)."""
    (home / CACHE_FILE).unlink()
    Store(resolve_paths({"CONNECT_HOME": str(home)})).load(since=TODAY, today=TODAY)
    return (home / CACHE_FILE).read_bytes()


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_an_import_makes_the_cache_the_files_would_make(connect, long_home, tmp_path, monkeypatch, kind):  # noqa: F811
    exported = connect("export", "--format", kind, now=NOW, env={"CONNECT_HOME": str(long_home)})
    assert exported.code == 0, exported.err
    source = tmp_path / f"export.{kind}"
    source.write_text(exported.out, newline="")
    home = tmp_path / "imported"
    env = {"CONNECT_HOME": str(home)}
    args = ["--from", "csv"] if kind == "csv" else []
    imported = connect("import", str(source), *args, now=NOW, env=env)
    assert imported.code == 0, imported.err
    made = (home / CACHE_FILE).read_bytes()
    assert [entry["at"] for entry in json.loads(made)["entries"]] == ["2026-11-01", "2026-10-01"]
    if kind == "json":  # the `each` habit is folded per partner too
        assert any(not key.endswith("/") for key in json.loads(made)["entries"][0]["folds"])
    assert settled(made) == settled(cache_from_the_files(home))
    # The commands right after the import take every fold from the cache, and show what a full read shows.
    (home / CACHE_FILE).write_bytes(made)
    monkeypatch.setattr(SummaryCache, "_fold_forward", lambda *a: pytest.fail("the folds were made again"))
    assert Store(resolve_paths(env)).load(since=TODAY, today=TODAY).folds
    monkeypatch.undo()
    # A backup keeps the habit each of you does (one partner's record at a time); a CSV makes it a plain daily one.
    thanks = ("stats", "thanks", *(("--by", "Alex") if kind == "json" else ()), "--json")
    commands = [*COMMANDS, thanks]
    same_as_a_full_read(lambda *a, **k: connect(*a, **{**k, "env": {**env, **k.get("env", {})}}), commands, NOW)


def test_a_habit_whose_history_is_all_in_last_month_is_cached_as_the_files_say(connect, long_home, tmp_path):  # noqa: F811
    backup = json.loads(connect("export", now=NOW, env={"CONNECT_HOME": str(long_home)}).out)
    fresh = {**backup["habits"][0], "id": "f" * 32, "name": "Fresh start", "slug": "fresh-start"}
    fresh["created"] = "2026-10-10"
    backup["habits"].append(fresh)
    for n, day in enumerate(["2026-10-12", "2026-10-13", "2026-10-20"]):
        checkin = {**backup["checkins"][0], "id": f"{n}" * 32, "habit": fresh["id"], "date": day, "by": None}
        backup["checkins"].append({**checkin, "logged_at": f"{day}T20:00:00"})
    source = tmp_path / "export.json"
    source.write_text(json.dumps(backup))
    home = tmp_path / "imported"
    imported = connect("import", str(source), now=NOW, env={"CONNECT_HOME": str(home)})
    assert imported.code == 0, imported.err
    made = (home / CACHE_FILE).read_bytes()
    this_month, last_month = json.loads(made)["entries"]
    assert fresh["id"] in this_month["with_history"] and fresh["id"] not in last_month["with_history"]
    assert settled(made) == settled(cache_from_the_files(home))


# ---------------------------------------------------------------- the folds made in a child process


def _import_in_process(monkeypatch, source: Path, home: Path, *args: str) -> list:
    """`connect import SOURCE ARGS` through the real entry point in this process, the child's folds kept at any
    size; returns what each FoldsAhead.take gave (None: the child's folds were not taken)."""
    from connect_habits.cli import entry
    from connect_habits.interop import warmup

    taken: list = []
    take = warmup.FoldsAhead.take
    monkeypatch.setattr(warmup, "HELPER_FROM", 0)
    monkeypatch.setattr(warmup.FoldsAhead, "take", lambda self, inputs: taken.append(take(self, inputs)) or taken[-1])
    monkeypatch.setenv("CONNECT_HOME", str(home))
    monkeypatch.setenv("CONNECT_NOW", NOW)
    try:
        with pytest.raises(SystemExit) as exit_:
            entry.main(["import", str(source), *args])
    finally:
        gc.unfreeze()  # main() freezes what a command made (its process would end there); this one goes on
    assert exit_.value.code == 0
    return taken


# Where there is no fork or no second core, no child is started (the import makes the folds itself).
needs_a_child = pytest.mark.skipif(
    not hasattr(os, "fork") or warmup_cores() < 2, reason="no child process here: no fork, or one core"
)


@needs_a_child
@pytest.mark.parametrize("kind", ["json", "csv"])
def test_the_folds_made_in_a_child_process_are_taken_and_are_the_ones_the_files_make(
    connect,
    long_home,  # noqa: F811
    tmp_path,
    monkeypatch,
    capfd,
    kind,
):
    exported = connect("export", "--format", kind, now=NOW, env={"CONNECT_HOME": str(long_home)})
    source = tmp_path / f"export.{kind}"
    source.write_text(exported.out, newline="")
    home = tmp_path / "imported"
    taken = _import_in_process(monkeypatch, source, home, *(["--from", "csv"] if kind == "csv" else []))
    assert len(taken) == 1 and taken[0] is not None, "the child's folds were not taken"
    assert "Restored" in capfd.readouterr().out or kind == "csv"
    made = (home / CACHE_FILE).read_bytes()
    assert settled(made) == settled(cache_from_the_files(home))


def test_a_merge_or_a_dry_run_starts_no_child(connect, long_home, tmp_path, monkeypatch):  # noqa: F811
    source = tmp_path / "export.json"
    source.write_text(connect("export", now=NOW, env={"CONNECT_HOME": str(long_home)}).out)
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("a child process was started"))
    assert _import_in_process(monkeypatch, source, tmp_path / "dry", "--dry-run") == []
    home = tmp_path / "home"
    shutil.copytree(long_home, home)
    assert _import_in_process(monkeypatch, source, home, "--merge") == []


def _made_ahead(long_home: Path, first_weekday: int = 0):
    """A FoldsAhead started on the long home's history, and the inputs it makes its folds from."""
    from connect_habits.core.folds import fold_point
    from connect_habits.interop.warmup import FoldsAhead, fold_inputs

    store = Store(resolve_paths({"CONNECT_HOME": str(long_home)}))
    snapshot = store.load(today=TODAY)
    ahead = FoldsAhead()
    ahead.start(store, snapshot, snapshot.checkins, snapshot.skips, TODAY, first_weekday)
    return snapshot, ahead, fold_inputs(snapshot, fold_point(TODAY), first_weekday)


@needs_a_child
def test_the_child_gives_the_folds_this_process_would_make_and_none_for_other_inputs(long_home, monkeypatch):  # noqa: F811
    from connect_habits.core.folds import fold_point
    from connect_habits.interop import warmup

    monkeypatch.setattr(warmup, "HELPER_FROM", 0)
    snapshot, ahead, inputs = _made_ahead(long_home)
    with ahead:
        made = ahead.take(inputs)
    assert made == warmup.folds_before(snapshot, snapshot.checkins, snapshot.skips, fold_point(TODAY), 0)
    assert made[0] and made[1]  # folds, and habits with history
    for other in (
        (*inputs[:1], 6, *inputs[2:]),  # the week starts on Sunday after all
        (*inputs[:2], inputs[2][:-1], *inputs[3:]),  # a habit less
        (*inputs[:3], ("p:kim",), inputs[4]),  # a partner more
    ):
        _, ahead, _ = _made_ahead(long_home)
        with ahead:
            assert ahead.take(other) is None
    assert ahead.pid == 0 and ahead.reader == -1


@needs_a_child
def test_the_child_holds_none_of_the_parents_files_and_is_stopped_when_not_taken(long_home, tmp_path, monkeypatch):  # noqa: F811
    """The store's lock is free once the parent lets it go, though the child still runs; closing stops the child."""
    import subprocess
    import sys

    from connect_habits.interop import warmup
    from connect_habits.storage.fileio import locked

    monkeypatch.setattr(warmup, "HELPER_FROM", 0)
    monkeypatch.setattr(warmup, "folds_before", lambda *args: time.sleep(30))  # the child keeps running
    lock_file = tmp_path / "connect.lock"
    with locked(lock_file):
        _, ahead, _ = _made_ahead(long_home)
    with ahead:
        assert ahead.pid
        # Free within seconds (the child closes its copy as it starts), while the child sleeps on for 30 s.
        probe = (
            "import fcntl, os, sys, time\n"
            "fd = os.open(sys.argv[1], os.O_RDWR)\n"
            "for _ in range(100):\n"
            "    try:\n"
            "        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
            "        break\n"
            "    except BlockingIOError:\n"
            "        time.sleep(0.05)\n"
            "else:\n"
            "    sys.exit('still locked')\n"
        )
        free = subprocess.run([sys.executable, "-c", probe, str(lock_file)], capture_output=True, text=True)
        assert free.returncode == 0, free.stderr
        assert os.waitpid(ahead.pid, os.WNOHANG) == (0, 0)  # the child still runs
        pid = ahead.pid
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # stopped and let go at the end of the `with`: no process, no zombie


@pytest.mark.parametrize("folder, summaries", [("shared", True), (None, False)], ids=["shared home", "no summaries"])
def test_no_child_where_the_import_would_not_take_its_folds(long_home, monkeypatch, tmp_path, folder, summaries):  # noqa: F811
    """A shared home's cache, or a home without summaries, is never made from the import's records."""
    from types import SimpleNamespace

    from connect_habits.interop import warmup

    monkeypatch.setattr(warmup, "HELPER_FROM", 0)
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("a child process was started"))
    snapshot = Store(resolve_paths({"CONNECT_HOME": str(long_home)})).load(today=TODAY)
    store = SimpleNamespace(layout=SimpleNamespace(folder=folder and tmp_path / folder), summaries=summaries)
    with warmup.FoldsAhead() as ahead:
        ahead.start(store, snapshot, snapshot.checkins, snapshot.skips, TODAY, 0)
        assert ahead.pid == 0
