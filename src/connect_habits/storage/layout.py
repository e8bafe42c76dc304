"""Where a device's files are and what they are called: the main file, one file per month, the shared folder."""

from __future__ import annotations

import contextlib
import os
import re
from collections import namedtuple
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from ..core.couple import partner_id
from .paths import Paths

DEVICE_FILE = re.compile(r"connect-([0-9a-f]{12})\.json")


MONTH_FILE = re.compile(r"(connect(?:-[0-9a-f]{12})?)\.(\d{4}-\d{2})\.json")


HISTORY_FILE = re.compile(r"connect(?:-[0-9a-f]{12})?(?:\.\d{4}-\d{2})?\.json")  # any device's main or month file

JOURNAL_FILE = "commit-journal.json"  # a commit of several files in progress (fileio.commit), in the data folder
OPENED_DIR = "opened"  # this machine's cache of the shared folder's sealed files as opened (opened.py)
SLICES_DIR = "slices"  # this machine's cache of month files cut by habit (slices.py)
LOG_LINES_FILE = "log-lines.json"  # the plain log's lines, kept per month (loglines.py)
EXPORT_JSON_FILE = "export-json.kept"  # a backup's check-ins, skips and rituals, kept per month (loglines.py)
EXPORT_CSV_FILE = "export-csv.kept"  # the spreadsheet's rows, kept per month (loglines.py)
OWN_RECORD = "own-files"  # shared: this machine's record of what it wrote to the folder (ownrecord.py)
# The names connect gives its other files in its folders (data, lock and journal files all start with "connect").
OWN_NAMES = frozenset(
    {
        "config.toml",
        "daemon-state.json",
        "summary-cache.json",
        "summary-past.json",
        "ritual-months.json",
        "log-lines.json",
        "private-notes.json",
        LOG_LINES_FILE,
        EXPORT_JSON_FILE,
        EXPORT_CSV_FILE,
        JOURNAL_FILE,
        OWN_RECORD,
        OPENED_DIR,
        SLICES_DIR,
    }
)


# A sync tool's conflict copy of a device's main or month file (Syncthing, Dropbox, Nextcloud, ownCloud name them so).
CONFLICT_COPY = re.compile(r"sync-conflict|conflicted copy|\(conflict", re.IGNORECASE)
_COPY_OF = re.compile(r"connect-([0-9a-f]{12})(?:\.(\d{4}-\d{2}))?(.+)\.json")


def conflict_copies(names: Iterable[str]) -> list[tuple[str, str, str | None]]:
    """The conflict copies among file names: (name, the device whose file it copies, its month or None)."""
    found = []
    for name in sorted(names):
        match = _COPY_OF.fullmatch(name)
        if match and CONFLICT_COPY.search(match[3]):
            found.append((name, match[1], match[2]))
    return found


def new_device_id() -> str:
    """A new device id: 12 hex digits, enough to tell a couple's devices apart for good."""
    return os.urandom(6).hex()


def device_of_file(name: str) -> str:
    """The device id a device's main file name holds (`connect-<id>.json`)."""
    match = DEVICE_FILE.fullmatch(name)
    if match is None:
        raise ValueError(f"{name} is not a device's main file")
    return match[1]


def device_file_name(device: str) -> str:
    return f"connect-{device}.json"


def key_file_name(device: str) -> str:
    """The file a device puts in a folder while it is being sealed: sealed, it lets the other device check a code."""
    return f"connect-{device}.key"


def month_of(day: date) -> str:
    return day.isoformat()[:7]  # YYYY-MM: as f"{day.year:04d}-{day.month:02d}", in a third of the time


def month_file(main: Path, month: str) -> Path:
    """The file of one month of a device's history, beside its main file."""
    return main.with_name(f"{main.stem}.{month}.json")


def month_files(main: Path, names: Iterable[str] | None = None) -> dict[str, Path]:
    """A device's month files, by month ("2026-11"), from the folder's listing (read when not given)."""
    return {month: month_file(main, month) for month in months_of(main, names)}


def months_of(main: Path, names: Iterable[str] | None = None) -> list[str]:
    """The months ("2026-11") a device has files for, oldest first, from the folder's listing (read when not given).

    Names, not paths: a command lists ten years of months and opens two of them.
    """
    if names is None:
        names = folder_listing(main.parent)
    stem = main.stem
    return sorted(match[2] for match in map(MONTH_FILE.fullmatch, names) if match and match[1] == stem)


class Layout(namedtuple("Layout", "own_file lock_file folder device me partners", defaults=(None, None, None, ()))):
    """Where this device writes, and what it reads besides (`folder`: the shared folder, when shared).

    `me` is the id of the partner this device belongs to as the config remembers it (the device's own
    file says so too), `partners` the names an older config listed.
    """

    __slots__ = ()

    @classmethod
    def for_home(cls, paths: Paths, config=None) -> Layout:
        """The layout a home's config describes (a private home when it names no shared folder)."""
        extra = getattr(config, "extra", {}) or {}
        partners = tuple(getattr(config, "partners", ()) or ())
        me = extra.get("me") if isinstance(extra.get("me"), str) and extra.get("me") else None
        if me is not None and not me.startswith("p:"):  # a name, as configs before partner ids said
            me = partner_id(me)
        folder, device = extra.get("sync_folder"), extra.get("device")
        if isinstance(folder, str) and isinstance(device, str) and DEVICE_FILE.fullmatch(device_file_name(device)):
            shared = Path(folder)
            return cls(shared / device_file_name(device), paths.lock_file, shared, device, me, partners)
        return cls(paths.data_file, paths.lock_file, None, None, me, partners)

    def other_files(self) -> list[Path]:
        """The other devices' files in the shared folder (conflict copies and temp files never match)."""
        if self.folder is None:
            return []
        try:
            names = sorted(p.name for p in self.folder.iterdir())
        except OSError:
            return []
        return [self.folder / n for n in names if DEVICE_FILE.fullmatch(n) and self.folder / n != self.own_file]


def folder_listing(folder: Path) -> list[str]:
    try:
        return [entry.name for entry in os.scandir(folder)]
    except OSError:
        return []


def is_connect_file(path: Path, paths: Paths, layout: Layout) -> bool:
    """Whether `path` is (or would replace) one of connect's own files: data, config, state, cache, a partner's."""
    target = Path(os.path.abspath(path))
    folders = {paths.data_dir, paths.config_dir, *([layout.folder] if layout.folder is not None else [])}
    in_own_folder = any(_same_folder(target.parent, folder) for folder in folders)
    name = target.name
    if in_own_folder and (name.startswith(("connect", ".")) or name in OWN_NAMES or name.endswith(".lock")):
        return True
    try:
        status = os.stat(target)
    except OSError:
        return False
    for folder in folders:
        for entry in folder_listing(folder):
            with contextlib.suppress(OSError):
                other = os.stat(folder / entry)
                if (other.st_dev, other.st_ino) == (status.st_dev, status.st_ino):
                    return True
    return False


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)
