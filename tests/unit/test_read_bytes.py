"""read_bytes reads a file whole, sized to it, and refuses one past its limit however it got there."""

from __future__ import annotations

import os

import pytest

from connect_habits.errors import DataFileError
from connect_habits.storage import fileio
from connect_habits.storage.fileio import read_bytes


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 70_000])
def test_a_file_is_read_whole(tmp_path, size):
    path = tmp_path / "f"
    path.write_bytes(os.urandom(size))
    assert read_bytes(path) == path.read_bytes()


def test_a_file_past_the_limit_is_refused(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"x" * 10)
    assert read_bytes(path, limit=10) == b"x" * 10
    path.write_bytes(b"x" * 11)
    with pytest.raises(DataFileError, match="too large"):
        read_bytes(path, limit=10)


@pytest.mark.parametrize("seen, limit, whole", [(3, 100, True), (0, 100, True), (3, 20, False)])
def test_a_file_that_grew_since_its_size_was_taken_is_read_on_to_the_limit(tmp_path, monkeypatch, seen, limit, whole):
    path = tmp_path / "f"
    path.write_bytes(b"0123456789" * 5)
    real = os.fstat

    def shrunk(fd):  # the size as it was a moment before the file grew
        status = real(fd)
        return os.stat_result((*status[:6], seen, *status[7:]))

    monkeypatch.setattr(fileio.os, "fstat", shrunk)
    if whole:
        assert read_bytes(path, limit=limit) == path.read_bytes()
    else:
        with pytest.raises(DataFileError, match="too large"):
            read_bytes(path, limit=limit)
