"""A private cache of the shared folder's files as opened: what did not change is read without the crypto import.

Each entry (`opened/NAME` in this device's private data folder, 0600) holds a sealed file's exact bytes
and what they opened to. A file is taken from the cache only when its bytes are the entry's, byte for
byte, so a changed, replaced or rolled-back file is opened again with the key. An entry carries its
lengths and a checksum of what it holds, so one cut short by a crash is not used. Derived data:
deleting the folder is always safe.

`opened/keys` keeps what the folder's secret (and the previous one, after a rekey) derive to: deriving
loads OpenSSL's hashes, about 5 ms of a command that opens or seals a file. A line is used only for the
very secret it names and only whole (a checksum a line); the pairing code is in the private config
already, and this folder holds the opened files themselves.
"""

from __future__ import annotations

import contextlib
import zlib
from pathlib import Path

from .fileio import replace_quietly
from .paths import ensure_private_dir

MAGIC = b"connect-opened-1\n"


def cached(folder: Path, name: str, sealed: bytes) -> bytes | None:
    """What the sealed bytes of file `name` opened to last time (None when the cache holds no such entry)."""
    try:
        with open(folder / name, "rb") as handle:
            entry = handle.read()
    except OSError:
        return None
    if not entry.startswith(MAGIC):
        return None
    line, _, body = entry[len(MAGIC) :].partition(b"\n")
    try:
        sealed_length, plain_length, checksum = (int(n) for n in line.split())
    except ValueError:
        return None
    if sealed_length != len(sealed) or len(body) != sealed_length + plain_length or body[:sealed_length] != sealed:
        return None
    plain = body[sealed_length:]
    return plain if zlib.crc32(plain) == checksum else None


def keep(folder: Path, name: str, sealed: bytes, plain: bytes) -> None:
    """Remember what the sealed bytes of file `name` open to; a cache that cannot be written is done without."""
    entry = MAGIC + f"{len(sealed)} {len(plain)} {zlib.crc32(plain)}\n".encode() + sealed + plain
    with contextlib.suppress(OSError):
        ensure_private_dir(folder)
        replace_quietly(folder / name, entry)


KEYS_FILE = "keys"  # what the folder's secrets derive to (never a data file's name: those start with "connect")
KEYS_MAGIC = b"connect-keys-1\n"


def kept_keys(folder: Path) -> dict[bytes, tuple[bytes, bytes]]:
    """The keys kept for each secret (secret: (key, id output)); a damaged line is left out."""
    try:
        with open(folder / KEYS_FILE, "rb") as handle:
            entry = handle.read()
    except OSError:
        return {}
    if not entry.startswith(KEYS_MAGIC):
        return {}
    found = {}
    for line in entry[len(KEYS_MAGIC) :].splitlines():
        fields = line.split()
        if len(fields) != 4 or str(zlib.crc32(b" ".join(fields[:3]))).encode() != fields[3]:
            continue
        try:
            secret, key, ident = (bytes.fromhex(f.decode()) for f in fields[:3])
        except ValueError:
            continue
        found[secret] = (key, ident)
    return found


def keep_keys(folder: Path, keys: dict[bytes, tuple[bytes, bytes]]) -> None:
    """Keep what each secret derives to, with a checksum a line; a cache that cannot be written is done without."""
    lines = []
    for secret, (key, ident) in keys.items():
        fields = b" ".join(value.hex().encode() for value in (secret, key, ident))
        lines.append(fields + b" " + str(zlib.crc32(fields)).encode() + b"\n")
    with contextlib.suppress(OSError):
        ensure_private_dir(folder)
        replace_quietly(folder / KEYS_FILE, KEYS_MAGIC + b"".join(lines))
