"""A sealed shared folder seen from outside: its pairing code, and its files opened or sealed again with the key."""

from __future__ import annotations

import json
from pathlib import Path

from connect_habits.storage.crypto import is_sealed, parse_code, seal, unseal
from connect_habits.storage.sealing import sealed_name

from . import run_connect


def pairing_code(home: Path) -> str:
    """The code `connect sync code` shows in a shared home (alone on its last line)."""
    shown = run_connect(home, "sync", "code")
    assert shown.code == 0, shown.err
    return shown.out.splitlines()[-1]


def opened(path: Path, code: str) -> bytes:
    """What a file of the shared folder holds (a plain one as it is)."""
    return opened_bytes(path.name, path.read_bytes(), code)


def opened_bytes(name: str, raw: bytes, code: str) -> bytes:
    """What the bytes of a shared file called `name` hold (plain ones as they are), wherever they are kept."""
    return unseal(parse_code(code), sealed_name(name), raw) if is_sealed(raw) else raw


def sealed_bytes(name: str, code: str, plain: bytes) -> bytes:
    """`plain` as a device with the key seals it for a shared file called `name`."""
    return seal(parse_code(code), sealed_name(name), plain)


def shared_json(path: Path, code: str) -> dict:
    return json.loads(opened(path, code))


def write_sealed(path: Path, code: str, plain: bytes) -> None:
    """Write `plain` into the shared folder as a device with the key would."""
    path.write_bytes(sealed_bytes(path.name, code, plain))


def write_json_sealed(path: Path, code: str, data: dict) -> None:
    write_sealed(path, code, json.dumps(data).encode())
