"""The daemon's file watcher on real folders and the kernel's inotify: what wakes it, and what it says then."""

from __future__ import annotations

import os
import re
import select
import shutil
import sys
from pathlib import Path

import pytest

from connect_habits.daemon.watch import FileWatcher

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")


def woken(watcher: FileWatcher, seconds: float = 3.0) -> bool:
    """Whether the watcher's descriptor becomes readable within `seconds`, as the daemon's select waits for it."""
    readable, _, _ = select.select([watcher.fileno()], [], [], seconds)
    return bool(readable)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    data = tmp_path / "home"
    data.mkdir()
    (data / "data.json").write_text("{}")
    (data / "daemon.lock").write_text("")
    return data


@pytest.fixture
def watcher(folder: Path):
    watching = FileWatcher([folder / "data.json"], {folder}, re.compile(r"history-.*\.json"))
    assert not watching.polling
    yield watching
    watching.close()


def test_a_write_to_a_watched_file_wakes_it_and_counts_as_a_change(watcher, folder):
    (folder / "data.json").write_text('{"habits": {}}')
    assert woken(watcher)
    assert watcher.changed() and not watcher.gone


def test_a_file_matching_the_pattern_counts_and_another_does_not(watcher, folder):
    (folder / "notes.txt").write_text("x")
    assert woken(watcher)
    assert not watcher.changed()
    (folder / "history-ab12.json").write_text("{}")
    assert woken(watcher)
    assert watcher.changed()


def test_a_folder_removed_while_a_file_in_it_is_held_open_still_wakes_it(watcher, folder):
    # The daemon holds its lock open inside the folder, so the kernel keeps the folder's inode alive and
    # reports no removal of it; its removal from the parent is what must wake the daemon.
    held = os.open(folder / "daemon.lock", os.O_RDONLY)
    try:
        for child in folder.iterdir():
            child.unlink()
        assert woken(watcher)
        watcher.changed()  # the files' removal, read before the folder itself goes
        assert not watcher.gone
        folder.rmdir()
        assert woken(watcher), "nothing woke the watcher when its folder went"
        assert watcher.changed() and watcher.gone
    finally:
        os.close(held)


def test_a_folder_moved_away_wakes_it_and_is_gone(watcher, folder, tmp_path):
    held = os.open(folder / "daemon.lock", os.O_RDONLY)
    try:
        folder.rename(tmp_path / "away")
        assert woken(watcher)
        assert watcher.changed() and watcher.gone
    finally:
        os.close(held)


def test_a_removed_sibling_of_the_folder_does_not_count(watcher, folder, tmp_path):
    sibling = tmp_path / "other"
    sibling.mkdir()
    (sibling / "data.json").write_text("{}")
    shutil.rmtree(sibling)
    woken(watcher, 0.5)
    assert not watcher.changed() and not watcher.gone


def test_a_missing_folder_is_not_made_and_leaves_it_blind(tmp_path):
    missing = tmp_path / "not-yet"
    watching = FileWatcher([missing / "data.json"], {missing})
    try:
        assert watching.blind and not watching.all_there()
        assert not missing.exists()
        missing.mkdir()
        assert watching.all_there()
    finally:
        watching.close()
