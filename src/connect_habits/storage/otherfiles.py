"""The other devices' files as this device reads them: their main files, and a sync tool's conflict copies."""

from __future__ import annotations

from pathlib import Path

from ..errors import DataFileError
from .fileio import read_bytes
from .files import DeviceFiles, decode, device_of, meta_of, unreadable, upgrade
from .layout import Layout, conflict_copies, device_of_file, months_of


def read_conflict_copies(folder: Path, listing: list[str], warnings: list[str]) -> list[tuple[Path, str | None, dict]]:
    """The sync tool's conflict copies of the devices' files: (path, month or None, data); a bad one is skipped."""
    copies = []
    for name, device, month in conflict_copies(listing):
        path = folder / name
        try:
            data = decode(path, read_bytes(path) or b"")
            if device_of(data) != device or (month is not None and meta_of(data).get("month") != month):
                raise DataFileError(
                    f"The data file {path} is damaged: it does not say which device and month it holds."
                )
            copies.append((path, month, data))
        except DataFileError as error:
            warnings.append(f"skipped {name}: {error.message}")
    return copies


def read_other_mains(layout: Layout, listing: list[str] | None = None) -> tuple[list[DeviceFiles], list[str]]:
    """The other devices' main files; one that cannot be read is skipped with a warning, and read again next time."""
    devices, warnings = [], []
    for path in layout.other_files():
        expected = device_of_file(path.name)
        try:
            raw = read_bytes(path)
            data = upgrade(path, decode(path, raw or b""), layout, own=False)
            if device_of(data) != expected:
                raise DataFileError(f"The data file {path} is damaged: it does not say which device wrote it.")
        except DataFileError as error:
            warnings.append(f"{unreadable(path, error)}; it is skipped until it can")
            devices.append(DeviceFiles(path, None, [], expected))
            continue
        devices.append(DeviceFiles(path, data, months_of(path, listing), expected))
    return devices, warnings
