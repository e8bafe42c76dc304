"""Knowing when the data or config file changed, without polling: inotify on Linux, mtimes elsewhere."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import struct
import sys
from pathlib import Path

_IN_CLOSE_WRITE, _IN_MOVED_FROM, _IN_MOVED_TO, _IN_CREATE, _IN_DELETE = 0x8, 0x40, 0x80, 0x100, 0x200
_IN_MASK_ADD = 0x20000000  # a parent that is itself a watched folder keeps what it was watched for
# The watched folder itself went away (removed, or moved elsewhere): its watch is dead from then on.
_IN_DELETE_SELF, _IN_MOVE_SELF, _IN_IGNORED = 0x400, 0x800, 0x8000
_GONE = _IN_DELETE_SELF | _IN_MOVE_SELF | _IN_IGNORED
_ENTRY = _IN_DELETE | _IN_MOVED_FROM | _IN_MOVED_TO  # a folder's name removed, moved away or moved over
_IN_Q_OVERFLOW = 0x4000  # events were lost: anything may have changed
_EVENT = struct.Struct("iIII")
POLL_SECONDS = 5.0
SETTLE_SECONDS = 1.0  # after a change, how soon the daemon looks again (a folder may be half removed)


class FileWatcher:
    """Watches a few files by name, and files matching `pattern` in `folders`; `changed()` says
    whether any of them changed since the last call.

    A folder that is missing, or that goes away while watched, makes the watcher `blind`: the
    daemon then looks every few seconds for the folder to be back and builds a new watcher.
    """

    def __init__(self, files: list[Path], folders: set[Path] | None = None, pattern: re.Pattern | None = None):
        self.files = files
        self.folders = set(folders or ()) | {f.parent for f in files}
        self.pattern = pattern
        self._names = {f.name for f in files}
        self._fd: int | None = None
        self._watches: set[int] = set()  # the watched folders' own watches
        self._entries: dict[int, set[str]] = {}  # a parent's watch -> the names of watched folders in it
        self.gone = False  # a watched folder was removed or moved away since the watch began
        self._identity = {folder: _identity(folder) for folder in self.folders}
        self.missing = {folder for folder, identity in self._identity.items() if identity is None}
        self._stamps = self._mtimes()
        if sys.platform.startswith("linux"):
            self._fd = self._inotify(self.folders)

    @property
    def polling(self) -> bool:
        """True when changes are found by looking at mtimes every few seconds."""
        return self._fd is None

    @property
    def blind(self) -> bool:
        """True when a folder is not watched (missing, or gone since): a new watcher is needed once it is back."""
        return self.gone or bool(self.missing)

    def all_there(self) -> bool:
        """Whether every folder to watch exists (again)."""
        return all(folder.is_dir() for folder in self.folders)

    def fileno(self) -> int | None:
        return self._fd

    def _inotify(self, folders: set[Path]) -> int | None:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
            fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
            if fd < 0:
                return None
            mask = _IN_CLOSE_WRITE | _IN_MOVED_TO | _IN_CREATE | _IN_DELETE | _IN_DELETE_SELF | _IN_MOVE_SELF
            # A missing folder is not created here: a restore (`cp -a`) would then land inside it.
            for folder in sorted(folders - self.missing):
                watch = libc.inotify_add_watch(fd, os.fsencode(folder), mask)
                if watch < 0:
                    os.close(fd)
                    return None
                self._watches.add(watch)
            # While a file in a folder is held open (the daemon's lock is), the kernel keeps the folder's
            # inode and reports no removal of it; the removal of its name from the parent is reported.
            # Added after the folders' own watches, with IN_MASK_ADD: a parent that is a watched folder too
            # keeps its own mask. A symlinked folder's target has its own parent: both are watched.
            for folder in sorted(folders - self.missing):
                for path in {folder, Path(os.path.realpath(folder))}:
                    entry = libc.inotify_add_watch(fd, os.fsencode(path.parent), _ENTRY | _IN_MASK_ADD)
                    if entry >= 0:  # a parent not readable: the folder's own watch and its identity remain
                        self._entries.setdefault(entry, set()).add(path.name)
            return fd
        except (OSError, AttributeError):
            return None

    def _watched_paths(self) -> list[Path]:
        paths = list(self.files)
        if self.pattern is not None:
            for folder in sorted(self.folders):
                try:
                    paths += sorted(p for p in folder.iterdir() if self.pattern.fullmatch(p.name))
                except OSError:
                    pass
        return paths

    def _mtimes(self) -> list[tuple[Path, int | None]]:
        stamps: list[tuple[Path, int | None]] = []
        for path in self._watched_paths():
            try:
                stamps.append((path, path.stat().st_mtime_ns))
            except OSError:
                stamps.append((path, None))
        return stamps

    def changed(self) -> bool:
        """Drain pending events; True if a watched file was written, replaced or removed, or a folder went."""
        hit = self._events()
        # The kernel does not always report a removed folder (not while a file in it is open): look.
        if not self.gone and any(_identity(f) != identity for f, identity in self._identity.items() if identity):
            self.gone = hit = True
        return hit

    def _events(self) -> bool:
        if self._fd is None:
            stamps = self._mtimes()
            changed, self._stamps = stamps != self._stamps, stamps
            return changed
        hit = False
        while True:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                return hit
            offset = 0
            while offset + _EVENT.size <= len(data):
                watch, mask, _, length = _EVENT.unpack_from(data, offset)
                name = data[offset + _EVENT.size : offset + _EVENT.size + length].rstrip(b"\0")
                text = os.fsdecode(name)
                if mask & _GONE or (mask & _ENTRY and text in self._entries.get(watch, ())):
                    self.gone = hit = True
                if mask & _IN_Q_OVERFLOW:
                    hit = True
                if watch in self._watches:
                    hit = hit or text in self._names or bool(self.pattern and self.pattern.fullmatch(text))
                offset += _EVENT.size + length

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _identity(folder: Path) -> tuple[int, int] | None:
    """Which folder is at this path (device and inode), or None when there is none."""
    try:
        info = os.stat(folder)
    except OSError:
        return None
    return (info.st_dev, info.st_ino)
