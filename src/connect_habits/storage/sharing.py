"""Sharing one log between two partners' machines through a folder a sync tool keeps in step.

Each device writes only its own file in the shared folder (`connect-<device>.json`), so the
sync tool (Syncthing, Nextcloud, Dropbox, a git repository) never sees two machines change
one file and never makes a conflict copy. Reading merges every device's file (merge.py).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..core.couple import (
    ALIAS_KEY,
    COUPLE_KEY,
    DEVICE_KEY,
    MAX_PARTNERS,
    PARTNER_KEY,
    find_partner,
    new_partner,
)
from ..core.model import new_id
from ..core.words import counted
from ..errors import ConnectError, DataFileError, InvalidInput
from .config import Config, config_bytes, save_config
from .crypto import HEADER_BYTES, BadCode, is_sealed, key_id, new_secret, parse_code, sealed_with
from .fileio import locked
from .files import (
    CHANGES,
    CHECKINS,
    COUPLE,
    META,
    RITUALS,
    SCHEMA_VERSION,
    SESSIONS,
    SKIPS,
    parse_device,
    read_device,
    write_device,
)
from .layout import (
    DEVICE_FILE,
    JOURNAL_FILE,
    OPENED_DIR,
    OWN_RECORD,
    SLICES_DIR,
    Layout,
    device_file_name,
    device_of_file,
    month_files,
    new_device_id,
)
from .merge import DeviceData, merge_couple
from .ownrecord import OwnRecord
from .paths import Paths, ensure_private_dir, make_dirs
from .records import checkin_record, habit_fields, ritual_record, session_record, skip_record
from .sealing import SEALING_KEYS, SECRET_KEY, WAITING_KEY, code_for, home_layout, use_secret
from .store import Store

SYNC_KEYS = ("sync_folder", "device", *SEALING_KEYS)


@dataclass
class SyncReport:
    """What a sync command did, in sentences."""

    lines: list[str] = field(default_factory=list)


def _shared_folder(text: str) -> Path:
    return Path(text).expanduser().absolute()


def device_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if DEVICE_FILE.fullmatch(p.name))
    except OSError:
        return []


def _own_data(paths: Paths, config: Config) -> dict:
    """This home's private data in the current format, ready to become its device file."""
    layout = home_layout(paths, config)
    data = read_device(paths.data_file, layout)
    if data is None:
        data = {META: {"1": {"schema": SCHEMA_VERSION, "device": new_device_id()}}}
    parse_device(paths.data_file, data)  # refuse to share a damaged file
    return data


def _folder_devices(folder: Path, paths: Paths) -> list[DeviceData]:
    """The devices already in a shared folder, as far as they can be read now."""
    layout = Layout(folder / device_file_name("0" * 12), paths.lock_file, folder)
    devices = []
    for path in device_files(folder):
        try:
            data = read_device(path, layout, expected=device_of_file(path.name), own=False, problems=[])
            if data is not None:
                devices.append(parse_device(path, data, expected=device_of_file(path.name)))
        except DataFileError:
            continue  # still syncing: what it says of the couple is read once it can be
    return devices


def _couple_record(key: str, value: object, stamp: int) -> dict:
    return {"id": new_id(), "key": key, "value": value, "stamp": stamp}


def share(
    paths: Paths, config: Config, folder_text: str, me_text: str, joining: bool, code: str | None = None
) -> SyncReport:
    """`sync init` (the first device) and `sync join` (the other): move this home's data into the folder.

    `me_text` must name one of the couple's partners (as this home and the folder know them); while
    the couple has fewer than two, it names a new one. Every partner this home knows is written into
    its device file, so the other machine learns of both.
    """
    if isinstance(config.extra.get("sync_folder"), str):
        raise ConnectError(
            f"This home is already shared through {config.extra['sync_folder']}; `connect sync leave` first."
        )
    folder = _shared_folder(folder_text)
    existing = device_files(folder)
    if joining and not existing:
        raise ConnectError(
            f"{folder} holds no shared connect data yet; run `connect sync init` on the first "
            "machine, and wait for the folder to sync here."
        )
    if not joining and existing:
        sealed = " --code CODE" if folder_keys(folder)[0] else ""
        raise ConnectError(
            f"{folder} already holds shared connect data; use `connect sync join {folder_text} --me NAME{sealed}` "
            "to join it."
        )
    if any(_same_place(folder, private) for private in (paths.data_dir, paths.config_dir)):
        raise InvalidInput(
            f"{folder} is where this machine keeps its own data and settings (the key among them); share another folder."
        )
    if code is not None and not joining:
        raise InvalidInput("`sync init` makes the pairing code; --code is for `sync join`.")
    secret, plain = _checked_secret(folder, existing, code) if joining else (new_secret(), [])
    ensure_private_dir(paths.lock_file.parent)
    with locked(paths.lock_file):
        data = _own_data(paths, config)
        own = parse_device(paths.data_file, data)
        opened = paths.data_dir / OPENED_DIR
        fresh = not opened.exists()
        use_secret(folder, secret, plain, cache=opened)
        try:
            others = _folder_devices(folder, paths) if joining else []
            couple = merge_couple([own, *others], config.partners)
            try:
                me = find_partner(couple.names, me_text, "--me")
            except InvalidInput:
                if len(couple.names) >= MAX_PARTNERS:
                    raise
                me, name = new_partner(couple.names, me_text)
                couple.names[me] = name
        except ConnectError:
            if fresh:  # refused: the opened copies of the folder's files (its names among them) do not stay behind
                shutil.rmtree(opened, ignore_errors=True)
            raise
        stamp = max([d.max_stamp for d in [own, *others]] + [int(time.time() * 1000)]) + 1
        written = {c["key"] for d in [own, *others] for c in d.couple}
        records = data.setdefault(COUPLE, {})
        missing = [(PARTNER_KEY + pid, name) for pid, name in couple.names.items() if PARTNER_KEY + pid not in written]
        if COUPLE_KEY not in written:
            missing.append((COUPLE_KEY, couple.id or new_id()))
        for n, (key, value) in enumerate(missing):
            records[str(len(records) + 1)] = _couple_record(key, value, stamp + n)
        meta = data[META]["1"]
        meta.pop("person", None)
        meta["partner"] = me
        device = meta["device"]
        try:
            make_dirs(folder)  # private when connect makes it; an existing one is the sync tool's
        except OSError as error:
            raise ConnectError(f"Cannot create {folder}: {error.strerror}.") from None
        target = folder / device_file_name(device)
        if target.exists() or month_files(target):  # never overwrite a device's files: this copy becomes a new device
            device = meta["device"] = new_device_id()
            target = folder / device_file_name(device)
        # The config in the same commit (the key the files are sealed with), and before the private copy is
        # set aside: after a crash, the home reads the shared copy, never a private one half moved.
        # The partners now live in the shared data; the config keeps only this machine's settings.
        extra = {**config.extra, "sync_folder": str(folder), "device": device, "me": me}
        if secret is not None:
            extra.update({SECRET_KEY: code_for(secret), **({WAITING_KEY: plain} if plain else {})})
        new_config = (paths.config_file, config_bytes(config._replace(partners=(), extra=extra)))
        ensure_private_dir(paths.config_file.parent)
        write_device(
            target, data, paths.data_dir / JOURNAL_FILE, OwnRecord(paths.data_dir / OWN_RECORD), also=[new_config]
        )
        report = SyncReport([f"Wrote this device's log to {target}."])
        if paths.data_file.exists():
            backup = _set_aside(paths.data_file)
            report.lines.append(f"Kept the private copy as {backup} (and its months beside it).")
    name = couple.names[me]
    others_count = len([p for p in existing if p != target])
    if joining:
        joined = "1 other device" if others_count == 1 else f"{others_count} other devices"
        report.lines.append(f"Joined {joined} in {folder}; you log as {name}.")
        twice = _habits_both_had(own, others)
        if twice:
            report.lines.append(
                f"Both of you already had {', '.join(twice)}: the shared log now has "
                f"{'it' if len(twice) == 1 else 'each'} twice (`connect list`). Archive the copy you do not want "
                "with `connect remove SLUG`; its history is kept."
            )
        if secret is None:
            report.lines.append(
                f"{folder} is not sealed yet: its other device has not upgraded. Once it has, `connect sync rekey` "
                "on either device seals it."
            )
    else:
        report.lines.append(
            f"Shared through {folder}, sealed with your couple's key; you log as {name}. On your partner's machine, "
            f"once the folder has synced: connect sync join {folder} --me NAME --code CODE"
        )
        report.lines.append("The pairing code (CODE; `connect sync code` shows it again):")
        report.lines.append(code_for(secret) if secret is not None else "")
    return report


def _same_place(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def folder_keys(folder: Path) -> tuple[set[bytes], list[str]]:
    """The key ids the devices' main files in `folder` are sealed with, and the devices whose main file is plain."""
    devices = device_keys(folder)
    ids = {named for named in devices.values() if named is not None}
    for path in sorted(folder.glob("connect-*.key")):  # a key made where the folder is being sealed
        with contextlib.suppress(OSError), open(path, "rb") as handle:
            named = sealed_with(handle.read(HEADER_BYTES))
            if named is not None:
                ids.add(named)
    return ids, [device for device, named in devices.items() if named is None]


def device_keys(folder: Path) -> dict[str, bytes | None]:
    """Each device whose main file is in `folder`: the key id it is sealed with, or None when it is plain."""
    found: dict[str, bytes | None] = {}
    for path in device_files(folder):
        with contextlib.suppress(OSError), open(path, "rb") as handle:
            raw = handle.read(HEADER_BYTES)
            if sealed_with(raw) is not None:
                found[device_of_file(path.name)] = sealed_with(raw)
            elif raw.strip() and not is_sealed(raw):
                found[device_of_file(path.name)] = None
    return found


def _checked_secret(folder: Path, existing: list[Path], code: str | None) -> tuple[bytes | None, list[str]]:
    """The secret a joining device takes (checked against the folder before anything is written)."""
    ids, plain = folder_keys(folder)
    if not ids:
        if code is not None:
            raise InvalidInput(f"{folder} is not sealed yet, so it has no pairing code; join it without --code.")
        return None, []
    if code is None:
        raise InvalidInput(
            f"{folder} is sealed with your couple's key: add the pairing code `connect sync code` shows on the "
            "other machine (--code CODE)."
        )
    secret = parsed_code(code)
    if key_id(secret) not in ids:
        raise InvalidInput(
            f"That pairing code does not open {folder}: it is another couple's, or an old one the other device "
            "replaced (`connect sync rekey`); nothing was changed."
        )
    return secret, plain


def parsed_code(code: str) -> bytes:
    """The secret a typed pairing code holds; InvalidInput says what is wrong with it."""
    try:
        return parse_code(code)
    except BadCode as error:
        raise InvalidInput(f"That is not a pairing code: {error}; nothing was changed.") from None


def _habits_both_had(own, others) -> list[str]:
    """The names of habits this device brings that another device has too (the same template or name)."""

    shared_ids = {c.get("habit") for device in others for c in device.changes}

    def keys(device, skip=frozenset()) -> dict[str, str]:
        found = {}
        for change in device.changes:
            fields = change.get("fields") or {}
            name = str(fields.get("name") or "")
            for key in (fields.get("template"), name.casefold()):
                if key and change.get("habit") not in skip:
                    found[str(key)] = name
        return found

    mine = keys(own, shared_ids)  # a habit the folder has under the same id is the same one (a home that left)
    theirs = {key for device in others for key in keys(device)}
    return sorted({mine[key] for key in mine if key in theirs and mine[key]})


BEFORE_SYNC = ".before-sync-"


def _set_aside(main: Path) -> Path:
    """Move a private home's files aside under a name of their own (never over an earlier copy); the main file's."""
    suffix = BEFORE_SYNC + datetime.now().strftime("%Y%m%dT%H%M%S")
    while any(p.with_name(p.name + suffix).exists() for p in [main, *month_files(main).values()]):
        suffix += "-2"  # two joins within a second
    for month in month_files(main).values():
        os.replace(month, month.with_name(month.name + suffix))
    backup = main.with_name(main.name + suffix)
    os.replace(main, backup)
    return backup


def copies_set_aside(data_dir: Path) -> list[Path]:
    """The private copies `sync init` and `sync join` set aside, oldest first (main files only)."""
    try:
        found = [p for p in data_dir.iterdir() if p.name.startswith("connect.json" + BEFORE_SYNC[:-1])]
    except OSError:
        return []
    return sorted(found, key=lambda p: p.name)


def leave(paths: Paths, config: Config) -> SyncReport:
    """Copy the merged data back into a private home and stop sharing (the shared folder is left as it is)."""
    if not isinstance(config.extra.get("sync_folder"), str):
        raise ConnectError("This home is not shared; there is nothing to leave.")
    for existing in [paths.data_file, *month_files(paths.data_file).values()]:
        if existing.exists():
            raise ConnectError(f"{existing} already exists; move it away first, so nothing is overwritten.")
    store = Store(paths, config)
    with locked(paths.lock_file):
        snapshot = store.load()
        couple = snapshot.couple
        data = {
            # A new device id: joining again later must not overwrite this device's shared file
            # (its removals and edits) with a copy that has neither.
            META: {"1": {"schema": SCHEMA_VERSION, "device": new_device_id(), "partner": snapshot.me}},
            COUPLE: {str(n): _couple_record(k, v, n) for n, (k, v) in enumerate(_couple_keys(couple), start=1)},
            CHANGES: {
                str(n): {"id": new_id(), "habit": h.id, "stamp": n, "fields": habit_fields(h)}
                for n, h in enumerate(snapshot.habits, start=1)
            },
            CHECKINS: {str(n): checkin_record(c) for n, c in enumerate(snapshot.checkins, start=1)},
            SKIPS: {str(n): skip_record(s) for n, s in enumerate(snapshot.skips, start=1)},
            SESSIONS: {str(n): session_record(s) for n, s in enumerate(snapshot.sessions, start=1)},
            RITUALS: {str(n): ritual_record(r) for n, r in enumerate(snapshot.rituals, start=1)},
        }
        ensure_private_dir(paths.data_file.parent)
        write_device(paths.data_file, data, paths.data_dir / JOURNAL_FILE)
        extra = {k: v for k, v in config.extra.items() if k not in SYNC_KEYS}
        save_config(paths.config_file, config._replace(partners=(), extra=extra))
        for derived in (OPENED_DIR, OWN_RECORD, SLICES_DIR):  # what this machine kept of the folder left behind
            shutil.rmtree(paths.data_dir / derived, ignore_errors=True)
    return SyncReport(
        [
            f"Copied {counted(len(snapshot.habits), 'habit')} and {counted(len(snapshot.checkins), 'check-in')} "
            f"to {paths.data_file}.",
            f"This home is private again; {config.extra['sync_folder']} was left as it is.",
        ]
    )


def _couple_keys(couple) -> list[tuple[str, object]]:
    """The couple as changes: its id, each partner's name, each merged ghost, each forgotten device."""
    if couple is None:
        return []
    keys: list[tuple[str, object]] = [(COUPLE_KEY, couple.id or new_id())]
    keys += [(PARTNER_KEY + pid, name) for pid, name in couple.names.items()]
    keys += [(ALIAS_KEY + pid, target) for pid, target in couple.aliases.items()]
    keys += [(DEVICE_KEY + d.id, "forgotten") for d in couple.devices if d.forgotten]
    return keys


def forget(paths: Paths, config: Config, device_text: str) -> SyncReport:
    """Take in what a device that is gone wrote (its history stays, as its partner's), and stop showing it."""
    folder_text = config.extra.get("sync_folder")
    if not isinstance(folder_text, str):
        raise ConnectError("This home is not shared; there are no devices to forget.")
    layout = home_layout(paths, config)
    folder = Path(folder_text)
    wanted = device_text.strip().lower()
    candidates = [p for p in device_files(folder) if device_of_file(p.name).startswith(wanted) and wanted]
    ids = [device_of_file(p.name) for p in candidates]
    if not candidates:
        known = ", ".join(device_of_file(p.name) for p in device_files(folder)) or "none"
        raise ConnectError(f"No device in {folder} is '{device_text}' (devices: {known}).")
    if len(candidates) > 1:
        raise ConnectError(f"'{device_text}' could be device {' or '.join(ids)}; give more of its id.")
    path, device_id = candidates[0], ids[0]
    if path == layout.own_file:
        raise ConnectError("That is this device; to stop sharing here, use `connect sync leave`.")
    data = read_device(path, layout, expected=device_id, own=False)
    if data is None:
        raise ConnectError(f"{path.name} has gone; there is nothing to forget.")
    gone = parse_device(path, data, expected=device_id)
    store = Store(paths, config)
    with store.transaction() as tx:
        partner = tx.snapshot.couple.resolve(gone.partner) if tx.snapshot.couple is not None else gone.partner
        adopted = tx.adopt(gone, partner)
        tx.change_couple(DEVICE_KEY + device_id, "forgotten")
    whose = f" as {tx.snapshot.couple.name(partner)}'s" if partner and tx.snapshot.couple is not None else ""
    return SyncReport(
        [
            f"Took in {counted(adopted, 'record')} of device {device_id}{whose}; its history is kept in this device's log.",
            f"Device {device_id} is forgotten: it no longer shows as a device. Its files in {folder} may be deleted.",
        ]
    )
