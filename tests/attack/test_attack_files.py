"""Damaged and hostile data files: one clear sentence, exit 1, and the file exactly as it was.

These hold for root too (CI runs as root), since they look at the file's own mode and owner.
"""

from __future__ import annotations

import os

import pytest

from support import one_error_line


@pytest.fixture
def walk(connect, home):
    assert connect("add", "Walk").code == 0
    return home / "connect.json"


def refused(result) -> str:
    return one_error_line(result)


@pytest.mark.parametrize("command", [("done", "walk"), ("add", "Talk"), ("skip", "walk", "--date", "today")])
def test_a_read_only_data_file_is_refused_and_left_as_it_was(connect, walk, command):
    walk.chmod(0o400)
    before = walk.read_bytes(), walk.stat().st_mtime_ns
    assert "read-only" in refused(connect(*command))
    assert (walk.read_bytes(), walk.stat().st_mtime_ns) == before
    assert connect("week", "--json").code == 0  # reading still works


@pytest.mark.skipif(not hasattr(os, "chown") or os.geteuid() != 0, reason="giving a file away needs root")
def test_a_data_file_owned_by_someone_else_is_refused(connect, walk):
    os.chown(walk, 65534, 65534)
    before = walk.read_bytes()
    assert "belongs to another user" in refused(connect("done", "walk"))
    assert walk.read_bytes() == before


def test_a_data_file_that_is_a_link_is_never_written_through(connect, walk, tmp_path):
    target = tmp_path / "elsewhere.json"
    target.write_bytes(walk.read_bytes())
    walk.unlink()
    walk.symlink_to(target)
    before = target.read_bytes()
    assert "symbolic link" in refused(connect("done", "walk"))
    assert target.read_bytes() == before and walk.is_symlink()


def test_a_folder_in_place_of_the_data_file_is_refused(connect, home):
    (home / "connect.json").mkdir(parents=True)
    assert "connect.json" in refused(connect("add", "Talk"))
