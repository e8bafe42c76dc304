"""What `connect sync status` reports: each device in the shared folder, the partners, the copies kept, anything odd."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..core.couple import MAX_PARTNERS
from ..core.model import Snapshot
from ..errors import DataFileError
from .config import Config
from .fileio import read_bytes
from .files import (
    CHANGES,
    CHECKINS,
    COUPLE,
    REMOVALS,
    RITUALS,
    SKIPS,
    decode,
    parse_device,
    read_device,
    records_of,
    unreadable,
)
from .layout import Layout, conflict_copies, device_file_name, device_of_file
from .merge import DeviceData
from .paths import Paths
from .sealing import PENDING_KEY, home_layout, secret_from_config
from .sharing import copies_set_aside, device_files
from .store import Store


def status(paths: Paths, config: Config) -> dict:
    """Devices seen, the last change from each, the partners, the copies set aside, and anything odd."""
    folder_text = config.extra.get("sync_folder")
    copies = [str(p) for p in copies_set_aside(paths.data_dir)]
    if not isinstance(folder_text, str):
        return {"shared": False, "folder": None, "devices": [], "partners": [], "copies": copies, "odd": []}
    layout = home_layout(paths, config)
    folder = Path(folder_text)
    devices, odd = [], []
    if not folder.is_dir():
        odd.append(f"the shared folder {folder} is missing")
    snapshot: Snapshot | None = None
    try:
        snapshot = Store(paths, config).load()
    except DataFileError as error:  # this device's own file: say so here, where the way back is shown
        odd.append(error.message.rstrip("."))
    couple = snapshot.couple if snapshot is not None else None
    odd += snapshot.warnings if snapshot is not None else []  # a file put back from this machine's record, …
    forgotten = {d.id for d in couple.devices if d.forgotten} if couple is not None else set()
    claims: dict[str, list[tuple[str, str | None]]] = {}
    for device, entry in device_reports(folder, layout, odd):
        if entry["device"] in forgotten:
            continue
        devices.append(entry)
        if device is None:
            continue
        partner = couple.resolve(device.partner) if couple is not None else device.partner
        entry["person"] = couple.name(partner) if couple is not None and partner else device.person
        if partner is not None and couple is not None and partner not in couple.names:
            odd.append(f"device {entry['device']} says it is {couple.name(partner)}'s, who is not one of the partners")
        if partner is not None:
            claims.setdefault(partner, []).append((entry["device"], device.person))
    if folder.is_dir() and not layout.own_file.exists():
        odd.append(f"this device's own file {layout.own_file.name} is missing; the next change writes it again")
    try:
        names = sorted(p.name for p in folder.iterdir())
    except OSError:
        names = []
    odd += _conflict_copy_notes(folder, names, layout)
    partners = couple.names if couple is not None else {}
    if len(partners) > MAX_PARTNERS:
        odd.append(
            f"there are {len(partners)} partners ({', '.join(partners.values())}); a name typed two ways makes "
            "a ghost: `connect partners remove GHOST --into NAME`"
        )
    for pid, claimed in claims.items():
        spellings = {person for _, person in claimed if person}
        if len(spellings) > 1:
            odd.append(
                f"devices {', '.join(d for d, _ in claimed)} call one partner {' and '.join(sorted(spellings))}; "
                f"it is {partners.get(pid, pid)} now (`connect partners rename` to change it)"
            )
    for pid, name in partners.items():
        if pid not in claims:
            odd.append(
                f"{name} has no device in the shared folder yet (on their machine: connect sync join {folder} --me {name})"
            )
    seen: dict[str, str] = {}
    for habit in snapshot.habits if snapshot is not None else []:
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
        "me": partners.get(snapshot.me) if snapshot is not None and snapshot.me else None,
        "sealed": _sealed(config),
        "devices": devices,
        "partners": [{"id": pid, "name": name} for pid, name in partners.items()],
        "copies": copies,
        "odd": list(dict.fromkeys(odd)),  # a file the reading skipped, and its own note, say the same
    }


def _sealed(config: Config) -> str:
    """`yes`: this device seals its files with the couple's key; `waiting`: it has made the key and writes
    plain files until the other device has it; `no`: the folder is plain (shared before keys)."""
    if secret_from_config(config.extra) is None:
        return "no"
    return "waiting" if config.extra.get(PENDING_KEY) else "yes"


def device_reports(folder: Path, layout: Layout, odd: list[str]) -> list[tuple[DeviceData | None, dict]]:
    """Each device file in the folder, what it holds (None when it cannot be read now) and a summary of it."""
    reports: list[tuple[DeviceData | None, dict]] = []
    for path in device_files(folder):
        entry: dict = {
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
            if path != layout.own_file:  # this device's own file has its note, with the way back
                odd.append(f"{unreadable(path, error)}; it is skipped until it can")
            reports.append((None, entry))
            continue
        stamps = [c["stamp"] for c in device.changes] + [r["stamp"] for r in device.removals]
        stamps += [c["stamp"] for c in device.couple]
        moments = [c.logged_at for c in device.checkins if c.logged_at]
        moments += [datetime.fromtimestamp(s / 1000).isoformat(timespec="seconds") for s in stamps if s]
        entry.update(
            readable=True,
            person=device.person,
            checkins=len(device.checkins),
            habit_changes=len(device.changes),
            last_change=max(moments, default=None),
        )
        reports.append((device, entry))
    return reports


def _record_ids(data: dict) -> set[str]:
    return {
        r["id"]
        for table in (CHANGES, COUPLE, REMOVALS, CHECKINS, SKIPS, RITUALS)
        for r in records_of(data, table)
        if "id" in r
    }


def _conflict_copy_notes(folder: Path, names: list[str], layout: Layout) -> list[str]:
    """What each conflict copy holds that the live files lack, and what becomes of it."""
    notes = []
    live: dict[str, set[str]] = {}
    for name, device, _ in conflict_copies(names):
        if device not in live:
            try:
                data = read_device(folder / device_file_name(device), layout, expected=device, own=False, problems=[])
            except DataFileError:
                data = None
            live[device] = _record_ids(data) if data is not None else set()
        try:
            copy = decode(folder / name, read_bytes(folder / name) or b"")
        except DataFileError as error:
            why = unreadable(folder / name, error)[len(name) :]
            notes.append(f"{name} is a sync tool's conflict copy, and it{why}")
            continue
        extra = _record_ids(copy) - live[device]
        if not extra:
            notes.append(
                f"{name} is a sync tool's conflict copy; everything in it is in the live files (you may delete it)"
            )
        else:
            who = "this device" if device == layout.device else f"device {device}"
            notes.append(
                f"{name} is a sync tool's conflict copy with {len(extra)} records the live files lack; connect "
                f"reads them, and {who} takes them into its own file at its next change (keep the copy until then)"
            )
    return notes
