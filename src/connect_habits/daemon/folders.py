"""The folders the daemon lives on: the lock that keeps it alone on its data, and the watch on its files."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from ..errors import ConnectError
from ..storage.fileio import try_lock
from ..storage.layout import HISTORY_FILE
from ..storage.paths import Paths
from ..storage.snoozes import snooze_file
from .part import DaemonPart
from .watch import FileWatcher

log = logging.getLogger("connect.daemon")

DAEMON_LOCK = "daemon.lock"


class Folders(DaemonPart):
    """The part of the daemon that holds its lock and watches its files (a mixin of Daemon)."""

    paths: Paths
    lock: int

    def _lock_file_is_held(self) -> bool | None:
        """Whether the data folder's daemon lock is the file this daemon holds; None when there is none."""
        try:
            here = os.stat(self.paths.data_dir / DAEMON_LOCK)
        except FileNotFoundError:
            return None
        except OSError:
            return False
        held = os.fstat(self.lock)
        return (here.st_dev, here.st_ino) == (held.st_dev, held.st_ino)

    def _relock(self) -> bool:
        """Hold the daemon lock of the data folder as it is now (a restored folder has a new lock file);
        False when another daemon holds it."""
        if self._lock_file_is_held():
            return True  # the same folder, moved away and back
        try:
            lock = try_lock(self.paths.data_dir / DAEMON_LOCK)
        except ConnectError as error:
            log.warning("could not take the daemon lock again: %s", error.message)
            return True
        if lock is None:
            log.error("another connect daemon runs for %s now; leaving it to that one", self.paths.data_dir)
            return False
        os.close(self.lock)
        self.lock = lock
        return True

    def _holds_folder(self) -> bool:
        """False when the data folder's daemon lock is another file than the one this daemon holds: a folder
        put back while the daemon was blind may be another daemon's already (True before `run` takes a lock).
        No lock file at all is still this daemon's folder: another daemon would have made one."""
        return self.lock < 0 or self._lock_file_is_held() is not False

    def _watched_folders(self) -> set[Path]:
        return {self.paths.data_file.parent, self.paths.config_file.parent} | (
            {self.store.layout.folder} if self.store.layout.folder else set()
        )

    def _watcher(self) -> FileWatcher:
        """Watch the data, the config and, when shared, every device's file in the shared folder."""
        files = [self.paths.data_file, self.paths.config_file, snooze_file(self.paths)]
        return FileWatcher(files, self._watched_folders(), HISTORY_FILE)
