"""Knowing when the data or config file changed, without polling: inotify on Linux, mtimes elsewhere."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import struct
import sys
from pathlib import Path

_IN_CLOSE_WRITE, _IN_MOVED_TO, _IN_CREATE, _IN_DELETE = 0x8, 0x80, 0x100, 0x200
_EVENT = struct.Struct("iIII")
POLL_SECONDS = 5.0


class FileWatcher:
    """Watches a few files by name, and files matching `pattern` in `folders`; `changed()` says
    whether any of them changed since the last call."""

    def __init__(self, files: list[Path], folders: set[Path] | None = None, pattern: re.Pattern | None = None):
        self.files = files
        self.folders = set(folders or ()) | {f.parent for f in files}
        self.pattern = pattern
        self._names = {f.name for f in files}
        self._fd: int | None = None
        self._stamps = self._mtimes()
        if sys.platform.startswith("linux"):
            self._fd = self._inotify(self.folders)

    @property
    def polling(self) -> bool:
        """True when changes are found by looking at mtimes every few seconds."""
        return self._fd is None

    def fileno(self) -> int | None:
        return self._fd

    def _inotify(self, folders: set[Path]) -> int | None:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
            fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
            if fd < 0:
                return None
            mask = _IN_CLOSE_WRITE | _IN_MOVED_TO | _IN_CREATE | _IN_DELETE
            for folder in folders:
                folder.mkdir(parents=True, exist_ok=True)
                if libc.inotify_add_watch(fd, os.fsencode(folder), mask) < 0:
                    os.close(fd)
                    return None
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
        """Drain pending events; True if a watched file was written, replaced or removed."""
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
                _, _, _, length = _EVENT.unpack_from(data, offset)
                name = data[offset + _EVENT.size : offset + _EVENT.size + length].rstrip(b"\0")
                text = os.fsdecode(name)
                hit = hit or text in self._names or bool(self.pattern and self.pattern.fullmatch(text))
                offset += _EVENT.size + length

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
