"""Which shared folder is sealed with which key: its files are sealed as they are written and opened as they are read.

A home learns its folder's secret from its private config (`home_layout` calls `use_secret`); every
file written into that folder is then sealed (crypto.py), and every file read from it must open with the
key. A plain file there is read only from a device that wrote plain files when this device made or took
the key (`plain_devices`: the other device while it has not upgraded yet); anyone else's plain file is
what someone without the key could have put there, and is not read.
"""

from __future__ import annotations

import os
import re
import zlib
from collections import namedtuple
from pathlib import Path

from ..errors import ConnectError, DataFileError
from .crypto import (
    BadCode,
    Tampered,
    code_of,
    derived_here,
    is_sealed,
    key_id,
    learn_keys,
    parse_code,
    seal,
    sealed_with,
    unseal,
)
from .layout import _COPY_OF, CONFLICT_COPY, OPENED_DIR, Layout
from .opened import cached, keep, keep_keys, kept_keys

SECRET_KEY = "sync_secret"  # the pairing code, in the private config (0600) only
PREVIOUS_KEY = "sync_previous_secret"  # the code before the last `sync rekey` (or `sync code CODE`), for reading
PENDING_KEY = "sync_seal_pending"  # the key is made, and this device writes plain files until the other has it
WAITING_KEY = "sync_waiting_devices"  # the other devices when the key was made or taken here
SEALING_KEYS = (SECRET_KEY, PREVIOUS_KEY, PENDING_KEY, WAITING_KEY)  # this machine's; never in a backup
ASK_FOR_CODE = "type the code `connect sync code` shows on the other device here: connect sync code CODE"
KEY_MADE_THERE = (
    f"your partner's device made your couple's key for the shared folder: to seal this one's files, {ASK_FOR_CODE}"
)
_DEVICE_NAME = re.compile(r"connect-([0-9a-f]{12})[.]")


class FolderKey(namedtuple("FolderKey", "secret previous waiting cache seals")):
    """A sealed folder's secret; the previous one and the devices that may still use it (or write plain);
    the private folder that keeps its files as opened (opened.py); whether files written there are sealed."""

    __slots__ = ()


_folders: dict[str, FolderKey] = {}


def _folder_key(folder: Path) -> str:
    return os.path.abspath(folder)


def use_secret(
    folder: Path,
    secret: bytes | None,
    waiting=(),
    previous: bytes | None = None,
    cache: Path | None = None,
    seals: bool = True,
) -> None:
    """Seal the files written into `folder` with `secret` from now on (None: the folder is plain).

    A file from a `waiting` device may still be plain, or sealed with the `previous` secret: that
    device has not upgraded, or not taken the new code, yet.
    """
    if secret is None:
        _folders.pop(_folder_key(folder), None)
    else:
        _folders[_folder_key(folder)] = FolderKey(secret, previous, frozenset(waiting), cache, seals)


def secret_of(folder: Path) -> bytes | None:
    found = _folders.get(_folder_key(folder))
    return found.secret if found is not None else None


def opening_terms(path: Path) -> str:
    """What decides how a file at `path` opens: its folder's keys (by checksum) and whether its device may
    still write plain; a cache of what a file held is good only while they are the same."""
    found = _folders.get(_folder_key(path.parent))
    if found is None:
        return "plain"
    device = _DEVICE_NAME.match(sealed_name(path.name))
    waiting = device is not None and device[1] in found.waiting
    return f"{zlib.crc32(found.secret)}-{zlib.crc32(found.previous or b'')}-{int(waiting)}"


def secret_from_config(extra: dict, key: str = SECRET_KEY) -> bytes | None:
    """The secret a config holds (None when the home's folder is plain, or the value is damaged)."""
    code = extra.get(key)
    if not isinstance(code, str):
        return None
    try:
        return parse_code(code)
    except BadCode:
        return None


def use_config_secret(folder: Path, extra: dict, cache: Path | None) -> None:
    """Seal `folder` with the secret a home's config holds (leave it plain when the config holds none).

    While the key waits for the other device (PENDING_KEY), this device's own files stay plain too.
    """
    waiting = list(extra.get(WAITING_KEY) or ()) if isinstance(extra.get(WAITING_KEY), list) else []
    pending = bool(extra.get(PENDING_KEY))
    if pending and isinstance(extra.get("device"), str):
        waiting.append(extra["device"])
    previous = secret_from_config(extra, PREVIOUS_KEY)
    use_secret(folder, secret_from_config(extra), waiting, previous, cache, seals=not pending)


def home_layout(paths, config) -> Layout:
    """The layout a home's config describes (Layout.for_home), its shared folder sealed with the config's secret."""
    layout = Layout.for_home(paths, config)
    if layout.folder is not None:
        use_config_secret(layout.folder, getattr(config, "extra", {}) or {}, paths.data_dir / OPENED_DIR)
    return layout


def refresh_secret(paths, folder: Path | None) -> None:
    """Seal `folder` with the key the config holds now: under the lock, before a write, so a command (or the
    daemon) that started before a `sync rekey` or an upgrade finished never writes with the key it had then."""
    if folder is None:
        return
    from .config import load_config

    try:
        extra = load_config(paths.config_file).extra
    except ConnectError:
        return  # the command already read it once; a config damaged since is said by the next command
    use_config_secret(folder, extra, paths.data_dir / OPENED_DIR)


def code_for(secret: bytes) -> str:
    return code_of(secret)


def sealed_for(path: Path, plain: bytes) -> bytes:
    """The bytes to write at `path`: sealed when its folder is sealed."""
    found = _folders.get(_folder_key(path.parent))
    if found is None or not found.seals:
        return plain
    _learn_keys(found)
    sealed = seal(found.secret, path.name, plain)
    if found.cache is not None:  # the next command reads it back without opening it
        keep(found.cache, path.name, sealed, plain)
    _keep_keys(found)
    return sealed


_keys_learned: set[Path] = set()


def _learn_keys(found: FolderKey) -> None:
    """Take the folder's keys from its cache (opened/keys), once a process: deriving them costs about 5 ms."""
    if found.cache is None or found.cache in _keys_learned:
        return
    _keys_learned.add(found.cache)
    for secret, (key, ident) in kept_keys(found.cache).items():
        if secret in (found.secret, found.previous):
            learn_keys(secret, key, ident)


def _keep_keys(found: FolderKey) -> None:
    """Keep the keys this process derived for the folder's secrets, for the next command."""
    if found.cache is None or derived_here(found.secret) is None:
        return
    kept = kept_keys(found.cache)
    secrets = [s for s in (found.secret, found.previous) if s is not None]  # one older than those is dropped
    keys = {s: k for s in secrets if (k := derived_here(s) or kept.get(s)) is not None}
    if keys != kept:
        keep_keys(found.cache, keys)


def sealed_name(name: str) -> str:
    """The name a file was sealed under: a sync tool's conflict copy keeps its original's."""
    match = _COPY_OF.fullmatch(name)
    if match is None or not CONFLICT_COPY.search(match[3]):
        return name
    return f"connect-{match[1]}{'.' + match[2] if match[2] else ''}.json"


def opened(path: Path, raw: bytes) -> bytes:
    """What a file holds; DataFileError when it does not open here, or should not be there in plain text."""
    found = _folders.get(_folder_key(path.parent))
    name = sealed_name(path.name)
    device = _DEVICE_NAME.match(name)
    waiting = found is not None and device is not None and device[1] in found.waiting
    if not is_sealed(raw):
        if found is not None and not waiting:
            raise DataFileError(
                f"The data file {path} is in plain text in a sealed folder; only a device with the couple's key "
                "writes there, so it is not read."
            )
        return raw
    if found is None:
        raise DataFileError(
            f"The data file {path} is sealed with the couple's key, which this device does not have yet; {ASK_FOR_CODE}."
        )
    if found.cache is not None:
        plain = cached(found.cache, path.name, raw)
        if plain is not None:
            return plain
    _learn_keys(found)
    secret = found.secret
    if waiting and found.previous is not None and sealed_with(raw) == key_id(found.previous):
        secret = found.previous  # the other device has not taken the new code yet
    try:
        plain = unseal(secret, name, raw)
    except Tampered as error:
        if str(error) == "sealed with another key":
            raise DataFileError(
                f"The data file {path} is sealed with another key (a new one made by `connect sync rekey`, or "
                f"another couple's); if the other device made a new key, {ASK_FOR_CODE}."
            ) from None
        raise DataFileError(
            f"The data file {path} does not open with the couple's key ({error}); it is not read."
        ) from None
    if found.cache is not None:
        keep(found.cache, path.name, raw, plain)
    _keep_keys(found)
    return plain
