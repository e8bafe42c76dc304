"""An import into an empty home makes the summary cache from the records it holds (interop/warmup.py): the cache is,
byte for byte, the one the store makes by reading the files back, and every command then shows what a full read shows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_long_history import TODAY, long_home, same_as_a_full_read  # noqa: F401  (long_home: a fixture)

from connect_habits.storage.cache import CACHE_FILE, SummaryCache
from connect_habits.storage.paths import resolve_paths
from connect_habits.storage.store import Store

NOW = "2026-11-26T21:00"
COMMANDS = [("week", "--json"), ("week",), ("log", "--json"), ("stats", "--json"), ("stats", "thanks", "--json")]


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
    same_as_a_full_read(lambda *a, **k: connect(*a, **{**k, "env": {**env, **k.get("env", {})}}), COMMANDS, NOW)
