"""A shared folder's key changes: `sync rekey` makes a new one (or seals a plain folder), `sync code CODE` takes it.

Either way this device reads its own files with the key it had, and writes them all again sealed with
the new one, in one commit with the config that holds it: after a crash, the files and the key that
opens them are both old or both new. The other devices wait (their files are still read, plain or
sealed with the previous key) until they take the new code.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from ..errors import ConnectError, InvalidInput
from .config import Config, config_bytes, load_config, save_config
from .crypto import key_id, new_secret, seal
from .fileio import commit, locked
from .files import read_device, write_device
from .layout import JOURNAL_FILE, OPENED_DIR, OWN_RECORD, Layout, key_file_name, months_of
from .ownrecord import OwnRecord
from .paths import Paths, ensure_private_dir
from .sealing import (
    PENDING_KEY,
    PREVIOUS_KEY,
    SECRET_KEY,
    WAITING_KEY,
    code_for,
    home_layout,
    secret_from_config,
    use_secret,
)
from .sharing import SyncReport, device_keys, folder_keys, parsed_code


def rekey(paths: Paths, config: Config) -> SyncReport:
    """Make a new key for the shared folder (its first, for a plain one) and seal this device's files with it.

    In a plain folder whose other device still writes plain files, this device keeps writing plain ones
    too until that device has the key, so a device that has not upgraded keeps reading everything.
    """
    folder = _shared(config)
    secret = new_secret()
    upgrading = secret_from_config(config.extra) is None or bool(config.extra.get(PENDING_KEY))
    layout = home_layout(paths, config)
    _, plain = folder_keys(folder)
    waiting = sorted(set(plain) - {layout.device})
    if upgrading and waiting:
        _make_pending(paths, config, layout, secret, waiting)
        return SyncReport(
            [
                "Made your couple's key. This device goes on writing in plain text until your partner's device has "
                "it, so that one can still read everything; then both seal their files.",
                "On your partner's device (with connect updated), once the folder has synced: connect sync code CODE",
                "The pairing code (CODE; `connect sync code` shows it again):",
                code_for(secret),
            ]
        )
    _reseal(paths, config, folder, secret, others_wait=True)
    first = (
        f"Sealed {folder} with your couple's new key: this device's files are encrypted now."
        if upgrading
        else "Made a new key and sealed this device's files with it; the old code opens nothing new."
    )
    return SyncReport(
        [
            first,
            "Until your partner's device takes the new code, its files are still read here. On it, once the folder "
            "has synced: connect sync code CODE",
            "The new pairing code (CODE; `connect sync code` shows it again):",
            code_for(secret),
        ]
    )


def settle_keys(paths: Paths, config: Config) -> tuple[Config, list[str]]:
    """Once the other devices have the key this one made: seal this device's files if it was waiting to (see
    rekey), and stop accepting their plain files and the previous key."""
    secret = secret_from_config(config.extra)
    folder = config.extra.get("sync_folder")
    if secret is None or not isinstance(folder, str):
        return config, []
    layout = home_layout(paths, config)
    devices = device_keys(Path(folder))
    others = {device: named for device, named in devices.items() if device != layout.device}
    if config.extra.get(PENDING_KEY):
        if None in others.values() or key_id(secret) not in folder_keys(Path(folder))[0]:
            return config, []
        if not _reseal(paths, config, Path(folder), secret, if_pending=True):
            return load_config(paths.config_file), []
        return load_config(paths.config_file), [
            "Your partner's device has the couple's key now, so this device sealed its files too: the shared folder "
            "reveals nothing any more."
        ]
    waiting = [d for d in config.extra.get(WAITING_KEY) or () if others.get(d, b"") != key_id(secret)]
    if waiting == list(config.extra.get(WAITING_KEY) or ()):
        return config, []
    extra = {k: v for k, v in config.extra.items() if k not in (WAITING_KEY, PREVIOUS_KEY)}
    if waiting:
        extra.update(
            {
                WAITING_KEY: waiting,
                **({PREVIOUS_KEY: config.extra[PREVIOUS_KEY]} if PREVIOUS_KEY in config.extra else {}),
            }
        )
    with locked(paths.lock_file):
        save_config(paths.config_file, config._replace(extra=extra))
    return config._replace(extra=extra), []


def _make_pending(paths: Paths, config: Config, layout: Layout, secret: bytes, waiting: list[str]) -> None:
    ensure_private_dir(paths.lock_file.parent)
    with locked(paths.lock_file):
        extra = {k: v for k, v in config.extra.items() if k not in (PREVIOUS_KEY, WAITING_KEY)}
        extra.update({SECRET_KEY: code_for(secret), PENDING_KEY: True, WAITING_KEY: waiting})
        ensure_private_dir(paths.config_file.parent)
        key_file = layout.folder / key_file_name(layout.device)
        writes = [
            (key_file, seal(secret, key_file.name, b"")),
            (paths.config_file, config_bytes(config._replace(extra=extra))),
        ]
        commit(writes, paths.data_dir / JOURNAL_FILE)


def take_code(paths: Paths, config: Config, code: str) -> SyncReport:
    """Take the code the other device made (`sync init` there, or `sync rekey`) and seal this device's files with it."""
    folder = _shared(config)
    secret = parsed_code(code)
    if secret == secret_from_config(config.extra):
        return SyncReport(["This device already uses that pairing code; nothing was changed."])
    ids, _ = folder_keys(folder)
    if key_id(secret) not in ids:
        raise InvalidInput(
            f"That pairing code opens no file in {folder}: it is another couple's, or an older one; nothing was changed."
        )
    _reseal(paths, config, folder, secret)
    return SyncReport([f"This device now uses the new pairing code; its files in {folder} are sealed with it."])


def _shared(config: Config) -> Path:
    folder = config.extra.get("sync_folder")
    if not isinstance(folder, str):
        raise ConnectError("This home is not shared, so it has no pairing code; `connect sync init` shares it.")
    return Path(folder)


def _reseal(
    paths: Paths, config: Config, folder: Path, secret: bytes, others_wait: bool = False, if_pending: bool = False
) -> bool:
    """Write this device's files again sealed with `secret`, in one commit with the config that holds it.

    The devices still writing plain files wait (their files are read as they are); with `others_wait`
    (a new key made here), every other device does, and its files sealed with the old key are read too.
    `if_pending`: only if the config still waits to seal (another command may have sealed meanwhile).
    """
    ensure_private_dir(paths.lock_file.parent)
    with locked(paths.lock_file):
        if if_pending:
            config = load_config(paths.config_file)
            if not config.extra.get(PENDING_KEY):
                return False
        layout = home_layout(paths, config)
        # Its own files as they are: plain, sealed with the key it had, or (a config that lost it) with this one.
        use_secret(folder, secret, [layout.device], secret_from_config(config.extra), seals=False)
        data = read_device(layout.own_file, layout)
        if data is None:
            raise ConnectError(f"This device's file {layout.own_file} is missing; nothing was changed.")
        _, plain = folder_keys(folder)
        waiting = sorted({*plain, *(_other_devices(layout) if others_wait else ())} - {layout.device})
        old = secret_from_config(config.extra) if not config.extra.get(PENDING_KEY) else None
        extra = {k: v for k, v in config.extra.items() if k not in (PREVIOUS_KEY, WAITING_KEY, PENDING_KEY)}
        extra[SECRET_KEY] = code_for(secret)
        if old is not None:
            extra[PREVIOUS_KEY] = code_for(old)
        if waiting:
            extra[WAITING_KEY] = waiting
        use_secret(folder, secret, waiting, old, paths.data_dir / OPENED_DIR)
        also = [(paths.config_file, config_bytes(config._replace(extra=extra)))]
        ensure_private_dir(paths.config_file.parent)
        record = OwnRecord(paths.data_dir / OWN_RECORD)
        write_device(layout.own_file, data, paths.data_dir / JOURNAL_FILE, record, also, months_of(layout.own_file))
        with contextlib.suppress(OSError):  # the key file of an upgrade: the files themselves say the key now
            os.unlink(folder / key_file_name(layout.device))
    return True


def _other_devices(layout: Layout) -> list[str]:
    from .layout import device_of_file

    return [device_of_file(p.name) for p in layout.other_files()]
