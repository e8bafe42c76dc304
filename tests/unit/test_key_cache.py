"""The keys a folder's secret derives to, kept beside the opened files: the next command opens and seals
without deriving them (nor loading OpenSSL's hashes), and a damaged or stale line is never used."""

from __future__ import annotations

import stat
import subprocess
import sys

import pytest

from connect_habits.storage import crypto, sealing
from connect_habits.storage.opened import KEYS_FILE, kept_keys

SECRET, OTHER = bytes(range(16)), bytes(range(1, 17))
NAME = "connect-0123456789ab.json"


@pytest.fixture
def folder(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    yield shared, tmp_path / "opened"
    sealing.use_secret(shared, None)


def test_a_write_keeps_the_keys_privately(folder):
    shared, cache = folder
    sealing.use_secret(shared, SECRET, cache=cache)
    sealing.sealed_for(shared / NAME, b"{}")
    assert kept_keys(cache) == {SECRET: (crypto.derive_key(SECRET), crypto._hkdf(SECRET, crypto.ID_INFO))}
    assert stat.S_IMODE((cache / KEYS_FILE).stat().st_mode) == 0o600


OPEN_IN_A_NEW_PROCESS = """
import sys
from pathlib import Path
from connect_habits.storage import sealing
shared, cache = Path(sys.argv[1]), Path(sys.argv[2])
sealing.use_secret(shared, bytes(range(16)), cache=cache)
raw = (shared / "connect-0123456789ab.json").read_bytes()
print(sealing.opened(shared / "connect-0123456789ab.json", raw).decode(), "hmac" in sys.modules)
"""


def opened_in_a_new_process(shared, cache) -> str:
    (cache / NAME).unlink(missing_ok=True)  # not the opened copy: the file is opened with the key
    done = subprocess.run(
        [sys.executable, "-c", OPEN_IN_A_NEW_PROCESS, str(shared), str(cache)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_next_process_opens_with_the_kept_keys(folder):
    shared, cache = folder
    sealing.use_secret(shared, SECRET, cache=cache)
    (shared / NAME).write_bytes(sealing.sealed_for(shared / NAME, b'{"a": 1}'))
    assert opened_in_a_new_process(shared, cache) == '{"a": 1} False'


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text.replace(text.split()[1][:4], "ffff", 1),  # the secret changed: its checksum does not match
        lambda text: text.replace(text.split()[2][:4], "0000", 1),  # the key changed
        lambda text: text.replace(text.split()[3][:4], "0000", 1),  # the id changed
        lambda text: text[:-5],  # cut short
        lambda text: "connect-keys-9\n" + text.partition("\n")[2],
    ],
)
def test_a_damaged_line_is_derived_again_and_kept_whole(folder, damage):
    shared, cache = folder
    sealing.use_secret(shared, SECRET, cache=cache)
    (shared / NAME).write_bytes(sealing.sealed_for(shared / NAME, b'{"a": 1}'))
    kept = (cache / KEYS_FILE).read_text()
    (cache / KEYS_FILE).write_text(damage(kept))
    assert opened_in_a_new_process(shared, cache) == '{"a": 1} True'
    assert (cache / KEYS_FILE).read_text() == kept


def test_keys_of_a_secret_the_folder_no_longer_has_are_dropped(folder):
    shared, cache = folder
    sealing.use_secret(shared, SECRET, cache=cache)
    sealing.sealed_for(shared / NAME, b"{}")
    sealing.use_secret(shared, OTHER, previous=SECRET, cache=cache)  # a rekey: the old one is kept, as previous
    sealing.sealed_for(shared / NAME, b"{}")
    assert set(kept_keys(cache)) == {SECRET, OTHER}
    sealing.use_secret(shared, bytes(16), previous=OTHER, cache=cache)
    sealing.sealed_for(shared / NAME, b"{}")
    assert set(kept_keys(cache)) == {bytes(16), OTHER}
