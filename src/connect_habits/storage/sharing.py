"""Sharing one log between two partners' machines through a folder a sync tool keeps in step.

Each device writes only its own file in the shared folder (`connect-<device>.json`), so the
sync tool (Syncthing, Nextcloud, Dropbox, a git repository) never sees two machines change
one file and never makes a conflict copy. Reading merges every device's file (merge.py).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..core.model import new_id, parse_name
from ..errors import ConnectError, DataFileError
from .config import Config, save_config
from .fileio import locked
from .files import (
    CHANGES,
    CHECKINS,
    META,
    SCHEMA_VERSION,
    SESSIONS,
    SKIPS,
    parse_device,
    read_device,
    write_device,
)
from .layout import DEVICE_FILE, Layout, device_file_name, device_of_file, month_files, new_device_id
from .paths import Paths, ensure_private_dir
from .records import checkin_record, habit_fields, session_record, skip_record
from .store import Store

CONFLICT_COPY = re.compile(r"sync-conflict|conflicted copy|\(conflict", re.IGNORECASE)
SYNC_KEYS = ("sync_folder", "device")


@dataclass
class SyncReport:
    """What a sync command did, in sentences."""

    lines: list[str] = field(default_factory=list)


def _shared_folder(text: str) -> Path:
    return Path(text).expanduser().absolute()


def _device_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if DEVICE_FILE.fullmatch(p.name))
    except OSError:
        return []


def _own_data(paths: Paths, config: Config, me: str) -> dict:
    """This home's private data in the current format, ready to become its device file."""
    layout = Layout.for_home(paths, config)
    data = read_device(paths.data_file, layout)
    if data is None:
        data = {META: {"1": {"schema": SCHEMA_VERSION, "device": new_device_id(), "person": me}}}
    data[META]["1"]["person"] = me
    parse_device(paths.data_file, data)  # refuse to share a damaged file
    return data


def share(paths: Paths, config: Config, folder_text: str, me_text: str, joining: bool) -> SyncReport:
    """`sync init` (the first device) and `sync join` (the other): move this home's data into the folder."""
    if isinstance(config.extra.get("sync_folder"), str):
        raise ConnectError(
            f"This home is already shared through {config.extra['sync_folder']}; `connect sync leave` first."
        )
    me = parse_name(me_text)
    folder = _shared_folder(folder_text)
    existing = _device_files(folder)
    if joining and not existing:
        raise ConnectError(
            f"{folder} holds no shared connect data yet; run `connect sync init` on the first "
            "machine, and wait for the folder to sync here."
        )
    if not joining and existing:
        raise ConnectError(
            f"{folder} already holds shared connect data; use `connect sync join {folder_text} --me {me}` to join it."
        )
    ensure_private_dir(paths.lock_file.parent)
    with locked(paths.lock_file):
        data = _own_data(paths, config, me)
        device = data[META]["1"]["device"]
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConnectError(f"Cannot create {folder}: {error.strerror}.") from None
        target = folder / device_file_name(device)
        if target.exists() or month_files(target):  # never overwrite a device's files: this copy becomes a new device
            device = data[META]["1"]["device"] = new_device_id()
            target = folder / device_file_name(device)
        write_device(target, data)
        report = SyncReport([f"Wrote this device's log to {target}."])
        # The config first: after a crash below, the home reads the shared copy, never a private one half moved.
        partners = config.partners if me in config.partners else (*config.partners, me)
        extra = {**config.extra, "sync_folder": str(folder), "device": device, "me": me}
        save_config(paths.config_file, config._replace(partners=tuple(partners), extra=extra))
        if paths.data_file.exists():
            backup = paths.data_file.with_name(paths.data_file.name + ".before-sync")
            os.replace(paths.data_file, backup)
            for month in month_files(paths.data_file).values():
                os.replace(month, month.with_name(month.name + ".before-sync"))
            report.lines.append(f"Moved the private copy aside to {backup} (and its months beside it).")
    others = [p for p in existing if p != target]
    if joining:
        report.lines.append(f"Joined {len(others)} other device(s) in {folder}; you log as {me}.")
    else:
        report.lines.append(
            f"Shared through {folder}; you log as {me}. On your partner's machine, once the "
            f"folder has synced: connect sync join {folder} --me NAME"
        )
    return report


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
        layout = store.layout
        data = {
            # A new device id: joining again later must not overwrite this device's shared file
            # (its removals and edits) with a copy that has neither.
            META: {"1": {"schema": SCHEMA_VERSION, "device": new_device_id(), "person": layout.me}},
            CHANGES: {
                str(n): {"id": new_id(), "habit": h.id, "stamp": n, "fields": habit_fields(h)}
                for n, h in enumerate(snapshot.habits, start=1)
            },
            CHECKINS: {str(n): checkin_record(c) for n, c in enumerate(snapshot.checkins, start=1)},
            SKIPS: {str(n): skip_record(s) for n, s in enumerate(snapshot.skips, start=1)},
            SESSIONS: {str(n): session_record(s) for n, s in enumerate(snapshot.sessions, start=1)},
        }
        ensure_private_dir(paths.data_file.parent)
        write_device(paths.data_file, data)
        extra = {k: v for k, v in config.extra.items() if k not in SYNC_KEYS}
        partners = tuple(snapshot.persons) or config.partners
        save_config(paths.config_file, config._replace(partners=partners, extra=extra))
    return SyncReport(
        [
            f"Copied {len(snapshot.habits)} habits and {len(snapshot.checkins)} check-ins to {paths.data_file}.",
            f"This home is private again; {config.extra['sync_folder']} was left as it is.",
        ]
    )


def status(paths: Paths, config: Config) -> dict:
    """Devices seen, the last change from each, and anything odd."""
    folder_text = config.extra.get("sync_folder")
    if not isinstance(folder_text, str):
        return {"shared": False, "folder": None, "devices": [], "odd": []}
    layout = Layout.for_home(paths, config)
    folder = Path(folder_text)
    devices, odd = [], []
    if not folder.is_dir():
        odd.append(f"the shared folder {folder} is missing")
    for path in _device_files(folder):
        entry = {
            "file": path.name,
            "device": device_of_file(path.name),
            "this_device": path == layout.own_file,
        }
        try:
            data = read_device(path, layout, expected=entry["device"], own=False, problems=odd)
            if data is None:
                raise DataFileError(f"{path.name} has gone.")
            device = parse_device(path, data, expected=entry["device"])
        except DataFileError as error:
            entry.update(readable=False, problem=error.message)
            odd.append(f"{path.name} cannot be read ({error.message}); it is skipped until it can")
            devices.append(entry)
            continue
        stamps = [c["stamp"] for c in device.changes] + [r["stamp"] for r in device.removals]
        moments = [c.logged_at for c in device.checkins if c.logged_at]
        moments += [datetime.fromtimestamp(s / 1000).isoformat(timespec="seconds") for s in stamps if s]
        entry.update(
            readable=True,
            person=device.person,
            checkins=len(device.checkins),
            habit_changes=len(device.changes),
            last_change=max(moments, default=None),
        )
        devices.append(entry)
    if folder.is_dir() and not layout.own_file.exists():
        odd.append(f"this device's own file {layout.own_file.name} is missing; the next change writes it again")
    try:
        names = sorted(p.name for p in folder.iterdir())
    except OSError:
        names = []
    for name in names:
        if name.startswith("connect-") and not DEVICE_FILE.fullmatch(name) and CONFLICT_COPY.search(name):
            odd.append(f"{name} is a sync tool's conflict copy; connect ignores it (you may delete it)")
    snapshot = Store(paths, config).load()
    seen: dict[str, str] = {}
    for habit in snapshot.habits:
        key = habit.name.casefold()
        if key in seen:
            odd.append(
                f"two habits are named '{habit.name}' (added on two machines before they synced); rename or remove one"
            )
        seen[key] = habit.name
    return {
        "shared": True,
        "folder": str(folder),
        "device": layout.device,
        "me": layout.me,
        "devices": devices,
        "odd": odd,
    }
