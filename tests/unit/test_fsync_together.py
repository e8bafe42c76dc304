"""A commit of many files (an import's months) forces them to disk side by side: still every one of them before
the journal, so a crash loses nothing; a failing fsync changes nothing; a crash after the journal is finished.
"""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest

from connect_habits.errors import DataFileError
from connect_habits.storage import fileio

MONTHS = 24


def writes_of(home: Path, version: str) -> list[tuple[Path, bytes]]:
    return [(home / f"connect.2025-{n:02d}.json", f"{version} {n}\n".encode()) for n in range(1, MONTHS + 1)]


@pytest.fixture
def home(tmp_path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    for path, data in writes_of(folder, "old"):
        path.write_bytes(data)
    return folder


def contents(home: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(home.iterdir())}


def test_every_file_is_on_disk_before_the_journal_is_written(home, monkeypatch):
    journal = home / "commit-journal.json"
    real_fsync, real_atomic_write = os.fsync, fileio.atomic_write
    forced: list[str] = []
    events: list[str] = []
    lock = threading.Lock()
    threads: set[str] = set()

    def fsync(fd):
        real_fsync(fd)
        with lock:
            forced.append(os.readlink(f"/proc/self/fd/{fd}"))
            threads.add(threading.current_thread().name)

    def atomic_write(path, data):
        events.append(f"journal after {len(forced)} fsyncs" if path == journal else str(path))
        real_atomic_write(path, data)

    monkeypatch.setattr(fileio.os, "fsync", fsync)
    monkeypatch.setattr(fileio, "atomic_write", atomic_write)
    fileio.commit(writes_of(home, "new"), journal)
    temps = [name for name in forced if "/.connect.2025-" in name and name.endswith(fileio.TEMP_SUFFIX)]
    assert len(temps) == MONTHS and events[0] == f"journal after {MONTHS} fsyncs"
    assert len(threads) > 1  # side by side
    assert contents(home) == {path.name: data for path, data in writes_of(home, "new")}


def test_a_commit_of_few_files_forces_them_one_after_the_other(home, monkeypatch):
    names: set[str] = set()
    real_fsync = os.fsync
    monkeypatch.setattr(fileio.os, "fsync", lambda fd: (names.add(threading.current_thread().name), real_fsync(fd)))
    fileio.commit(writes_of(home, "new")[:2], home / "commit-journal.json")
    assert names == {threading.main_thread().name}


def fail_the_middle_fsync(monkeypatch, error: BaseException) -> None:
    real_fsync = os.fsync
    count = [0]

    def fsync(fd):
        count[0] += 1
        if count[0] == MONTHS // 2:
            raise error
        real_fsync(fd)

    monkeypatch.setattr(fileio.os, "fsync", fsync)


def test_a_failing_fsync_changes_nothing(home, monkeypatch):
    before = contents(home)
    fail_the_middle_fsync(monkeypatch, OSError(errno.EIO, "Input/output error"))
    with pytest.raises(DataFileError) as caught:
        fileio.commit(writes_of(home, "new"), home / "commit-journal.json")
    assert "Input/output error" in caught.value.message and "nothing was changed" in caught.value.message
    assert contents(home) == before  # no journal, no temp file left, every month as it was


def test_any_other_failure_in_a_thread_is_raised_by_the_commit_before_its_journal(home, monkeypatch):
    before = contents(home)
    fail_the_middle_fsync(monkeypatch, MemoryError("out of memory"))
    with pytest.raises(MemoryError):
        fileio.commit(writes_of(home, "new"), home / "commit-journal.json")
    assert not (home / "commit-journal.json").exists()
    assert {name: data for name, data in contents(home).items() if name in before} == before  # every month as it was


def test_a_crash_after_the_journal_is_finished_by_the_next_command(home, monkeypatch):
    journal = home / "commit-journal.json"
    real_replace = os.replace
    replaced: list[str] = []

    def power_cut(source, target):
        if len(replaced) == 3:  # the journal, then two of the months
            raise KeyboardInterrupt("power cut")
        replaced.append(str(target))
        real_replace(source, target)

    monkeypatch.setattr(fileio.os, "replace", power_cut)
    with pytest.raises(KeyboardInterrupt):
        fileio.commit(writes_of(home, "new"), journal)
    monkeypatch.undo()
    assert journal.exists()
    assert fileio.finish_commit(journal)
    assert contents(home) == {path.name: data for path, data in writes_of(home, "new")}
