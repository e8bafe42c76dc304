"""A completion names the habits from the main files alone: the same candidates as from the whole read, byte for byte."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from connect_habits.storage.config import load_config
from connect_habits.storage.paths import resolve_paths
from connect_habits.storage.store import Store
from support import run_connect

REQUESTS = [("done", ""), ("move", "tea", "--before", ""), ("add", "Tea", "--group", ""), ("stats", "")]


def _ok(home: Path, *args: str) -> str:
    result = run_connect(home, *args)
    assert result.code == 0, (args, result.out, result.err)
    return result.out


def _answers(home: Path, whole_read: bool) -> list[tuple[str, str]]:
    """Each request's candidates and what went to stderr; `whole_read`: the store's reference switch set."""
    answers = []
    for words in REQUESTS:
        env = {"_CONNECT_COMPLETE": "words", "COMP_WORDS": " ".join(("connect", *words)), "COMP_CWORD": str(len(words))}
        if whole_read:
            env["CONNECT_NO_SUMMARY"] = "1"
        result = run_connect(home, env=env)
        answers.append((result.out, result.err))
    return answers


def _reads_mains_alone(home: Path, monkeypatch) -> bool:
    monkeypatch.setenv("CONNECT_HOME", str(home))
    paths = resolve_paths()
    return Store(paths, load_config(paths.config_file)).habits_alone() is not None


def _habits(home: Path) -> None:
    for args in (
        ("add", "Tea", "--group", "Mornings"),
        ("add", "Date night", "--every", "weekly"),
        ("add", "Walk", "--group", "Evenings"),
        ("add", "Stretch"),
        ("done", "Tea"),
        ("edit", "Walk", "--rename", "River walk"),
        ("remove", "Stretch"),
    ):
        _ok(home, *args)


def test_a_private_home_offers_what_the_whole_read_offers(tmp_path, monkeypatch):
    home = tmp_path / "home"
    _habits(home)
    assert _reads_mains_alone(home, monkeypatch)
    answers = _answers(home, whole_read=False)
    assert answers == _answers(home, whole_read=True)
    assert "tea" in answers[0][0] and "stretch" not in answers[0][0] and "river-walk" in answers[0][0]


@pytest.fixture
def shared(tmp_path):
    """Alex and Sam sharing a sealed folder, each with habits of their own."""
    alex, sam, folder = tmp_path / "alex", tmp_path / "sam", tmp_path / "shared"
    _habits(alex)
    code = _ok(alex, "sync", "init", str(folder), "--me", "Alex").splitlines()[-1]
    _ok(sam, "sync", "join", str(folder), "--me", "Sam", "--code", code)
    _ok(sam, "add", "Sam's own")
    _ok(sam, "remove", "Tea")
    return alex, sam, folder


def test_a_shared_home_offers_what_the_whole_read_offers(shared, monkeypatch):
    for home in shared[:2]:
        assert _reads_mains_alone(home, monkeypatch)
        assert _answers(home, whole_read=False) == _answers(home, whole_read=True)


def test_a_conflict_copy_sends_the_completion_to_the_whole_read(shared, monkeypatch):
    alex, sam, folder = shared
    own = re.search(r'device = "([0-9a-f]{12})"', (alex / "config.toml").read_text())[1]
    copy = folder / f"connect-{own}.sync-conflict-20261126-100000-ABCDEFG.json"
    shutil.copyfile(folder / f"connect-{own}.json", copy)
    _ok(alex, "add", "Only after the copy")
    for home in (alex, sam):
        assert not _reads_mains_alone(home, monkeypatch)
        assert _answers(home, whole_read=False) == _answers(home, whole_read=True)
