"""The cache of opened files: an entry is used only for the very bytes it was made from, and only whole."""

from __future__ import annotations

import stat

import pytest

from connect_habits.storage.opened import cached, keep

NAME = "connect-0123456789ab.2026-11.json"
SEALED = b"connect-sealed-1\n" + bytes(range(200))
PLAIN = b'{"checkins":{}}'


def test_what_was_kept_is_given_back_for_the_same_bytes_only(tmp_path):
    keep(tmp_path / "opened", NAME, SEALED, PLAIN)
    assert cached(tmp_path / "opened", NAME, SEALED) == PLAIN
    assert cached(tmp_path / "opened", NAME, SEALED[:-1] + b"\x00") is None  # changed, same length
    assert cached(tmp_path / "opened", NAME, SEALED + b"x") is None
    assert cached(tmp_path / "opened", "connect-0123456789ab.json", SEALED) is None


def test_the_cache_is_private(tmp_path):
    keep(tmp_path / "opened", NAME, SEALED, PLAIN)
    assert stat.S_IMODE((tmp_path / "opened").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "opened" / NAME).stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "damage",
    [
        lambda entry: entry[:-1],  # cut short by a crash
        lambda entry: entry[:-1] + bytes([entry[-1] ^ 1]),  # a changed byte of what it holds
        lambda entry: b"",
        lambda entry: entry.replace(b"connect-opened-1", b"connect-opened-9"),
        lambda entry: entry.replace(b"\n", b" x\n", 2),  # a damaged length line
    ],
)
def test_a_damaged_entry_is_not_used(tmp_path, damage):
    keep(tmp_path, NAME, SEALED, PLAIN)
    entry = tmp_path / NAME
    entry.write_bytes(damage(entry.read_bytes()))
    assert cached(tmp_path, NAME, SEALED) is None


def test_a_cache_that_cannot_be_written_is_done_without(tmp_path):
    (tmp_path / "opened").write_text("a file where the folder belongs")
    keep(tmp_path / "opened", NAME, SEALED, PLAIN)  # no error
    assert cached(tmp_path / "opened", NAME, SEALED) is None
