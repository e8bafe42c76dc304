"""A progress line on the terminal for long imports and exports, and nothing at all in a pipe.

The commands hand a `Progress` down to interop/ as a plain callback, `report(done, total, what)`, so the
formats know nothing of terminals. It writes to stderr only when stderr is a terminal, and only once the
work has run for a second (CONNECT_PROGRESS_AFTER, in seconds, moves that: a knob for tests and tuning,
`CONNECT_PROGRESS_AFTER=0` shows it at once). It redraws one line with a carriage return at most ten
times a second ("Importing: 12,000 of 40,000 check-ins (30%)"), in plain ASCII whatever the locale, and
blanks that line when the work ends, so the command's own last line prints on a clean one. A stderr
that is closed or broken turns it off; it never stops the work.
"""

from __future__ import annotations

import sys
import time

TYPE_CHECKING = False  # typing's flag without importing typing: type checkers read it by name
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TextIO

AFTER_VARIABLE = "CONNECT_PROGRESS_AFTER"
AFTER = 1.0  # seconds of work before the line shows
EVERY = 0.1  # seconds between redraws, at least


def shown_after() -> float:
    """The seconds before the line shows: CONNECT_PROGRESS_AFTER when it is a number of at least 0, else 1."""
    import os

    try:
        seconds = float(os.environ.get(AFTER_VARIABLE, ""))
    except ValueError:
        return AFTER
    return seconds if 0 <= seconds < float("inf") else AFTER


class Progress:
    """A callable `report(done, total, what)` that keeps one line on a terminal up to date; a context manager.

    `stream` (stderr), `clock` (time.monotonic), `after` (CONNECT_PROGRESS_AFTER, else 1 s) and `every`
    (0.1 s) are there for tests. The clock starts when the Progress is made: make it when the work starts.
    """

    def __init__(
        self,
        label: str,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        after: float | None = None,
        every: float = EVERY,
    ):
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.live = _isatty(self.stream)
        self.clock = clock
        self.after = shown_after() if after is None else after
        self.every = every
        self.started = clock() if self.live else 0.0
        self.drawn_at: float | None = None  # when the line was last drawn (None: it is not on the screen)
        self.width = 0  # of the line on the screen
        self.columns = 0  # of the terminal, once something is drawn

    def __call__(self, done: int, total: int | None, what: str) -> None:
        if not self.live:
            return
        now = self.clock()
        if now - self.started < self.after:
            return
        if self.drawn_at is not None and now - self.drawn_at < self.every:
            return
        self.columns = self.columns or _columns(self.stream)
        line = progress_line(self.label, done, total, what)[: self.columns - 1]
        # Shorter than the line before: blank what it leaves over.
        if self._write("\r" + line.ljust(self.width)):
            self.drawn_at, self.width = now, max(self.width, len(line))

    def clear(self) -> None:
        """Blank the line, if one is drawn, and leave the cursor at its start."""
        if self.drawn_at is not None:
            self._write("\r" + " " * self.width + "\r")
            self.drawn_at, self.width = None, 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.clear()

    def _write(self, text: str) -> bool:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # closed, gone (EPIPE, EIO) or full: no more progress
            self.live = False
            return False
        return True


def progress_line(label: str, done: int, total: int | None, what: str) -> str:
    """`Importing: 12,000 of 40,000 check-ins (30%)`, or without a total `Importing: 12,000 rows read`."""
    if total is None or total <= 0:
        line = f"{label}: {done:,} {what}"
    else:
        line = f"{label}: {done:,} of {total:,} {what} ({min(100, done * 100 // total)}%)"
    if not line.isascii():  # the labels are ASCII; kept so whatever is passed in
        from .charset import ascii_text

        line = ascii_text(line)
    return line


def _isatty(stream) -> bool:
    try:
        return stream is not None and bool(stream.isatty())
    except Exception:  # noqa: BLE001 — closed, or not a real stream: not a terminal
        return False


def _columns(stream) -> int:
    """The terminal's width (a line that wraps cannot be redrawn): COLUMNS, else stderr's terminal, else 80."""
    import os

    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        try:
            columns = os.get_terminal_size(stream.fileno()).columns
        except (AttributeError, OSError, ValueError):
            columns = 80
    return max(20, columns) if columns > 0 else 80
