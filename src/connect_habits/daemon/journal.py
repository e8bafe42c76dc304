"""The daemon's log: one line per event on stderr, with journald's priority prefix when systemd collects it."""

from __future__ import annotations

import logging
import os
import sys


class _JournalFormatter(logging.Formatter):
    """One line per event; with journald's priority prefix when stderr goes to the journal."""

    PRIORITIES = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3, logging.CRITICAL: 2}

    def __init__(self, journal: bool):
        super().__init__("%(message)s" if journal else "%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S")
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        text = " ".join(super().format(record).split())
        return f"<{self.PRIORITIES.get(record.levelno, 6)}>{text}" if self.journal else text


def stderr_is_journal() -> bool:
    """Whether stderr is the journal's stream (JOURNAL_STREAM names its device and inode)."""
    try:
        device, inode = (int(part) for part in os.environ["JOURNAL_STREAM"].split(":"))
        status = os.fstat(sys.stderr.fileno())
    except (KeyError, ValueError, OSError):
        return False
    return (status.st_dev, status.st_ino) == (device, inode)


def configure_logging() -> None:
    """Log to stderr, one line per event, no colours; journald-style priorities under systemd."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JournalFormatter(journal=stderr_is_journal()))
    root = logging.getLogger("connect")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False
