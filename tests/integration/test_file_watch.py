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


def test_a_folder_inside_another_watched_one_is_noticed_when_removed_and_the_outer_ones_files_still_count(tmp_path):
    outer = tmp_path / "home"
    inner = outer / "shared"
    inner.mkdir(parents=True)
    (inner / "history-a.json").write_text("{}")
    watching = FileWatcher([outer / "data.json"], {outer, inner}, re.compile(r"history-.*\.json"))
    try:
        (outer / "data.json").write_text("{}")
        assert woken(watching) and watching.changed() and not watching.gone
        (inner / "history-a.json").write_text("[]")
        assert woken(watching) and watching.changed() and not watching.gone
        held = os.open(inner / "history-a.json", os.O_RDONLY)
        try:
            (inner / "history-a.json").unlink()
            watching.changed()
            inner.rmdir()
            assert woken(watching) and watching.changed() and watching.gone
        finally:
            os.close(held)
    finally:
        watching.close()


def test_a_symlinked_folders_target_removed_while_a_file_in_it_is_held_open_wakes_it(tmp_path):
    target = tmp_path / "sync" / "connect"
    target.mkdir(parents=True)
    (target / "daemon.lock").write_text("")
    (tmp_path / "data").mkdir()
    link = tmp_path / "data" / "connect"
    link.symlink_to(target)
    watching = FileWatcher([link / "data.json"], {link})
    held = os.open(target / "daemon.lock", os.O_RDONLY)
    try:
        (target / "daemon.lock").unlink()
        woken(watching, 0.5)
        watching.changed()
        target.rmdir()
        assert woken(watching), "nothing woke the watcher when the link's target went"
        assert watching.changed() and watching.gone
    finally:
        os.close(held)
        watching.close()


def test_another_folder_renamed_over_the_emptied_one_wakes_it(watcher, folder, tmp_path):
    held = os.open(folder / "daemon.lock", os.O_RDONLY)
    try:
        for child in folder.iterdir():
            child.unlink()
        woken(watcher)
        watcher.changed()
        restored = tmp_path / "elsewhere" / "restored"  # from another folder: the parent sees only its arrival
        restored.mkdir(parents=True)
        (restored / "data.json").write_text("{}")
        restored.rename(folder)  # over the empty folder: a restore's last step
        assert woken(watcher), "nothing woke the watcher when a folder took the place of its own"
        assert watcher.changed() and watcher.gone
    finally:
        os.close(held)


def test_events_lost_to_a_full_queue_count_as_a_change(watcher, folder):
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    if limit > 100_000:
        pytest.skip(f"the kernel queues {limit} events: too many files to make")
    for n in range(limit // 2 + 10):  # two events each: created, then closed after writing
        (folder / f"note-{n}.txt").write_bytes(b"")
    assert watcher.changed()  # none of them is watched, but what was lost may have been
