"""The `connect` console script: the everyday commands straight away, everything else through the Typer app.

Typer and click take longer to import than `connect done` takes to run, so a command line the fast
path is sure of (fastpath.py) runs without them; any other goes to app.py. Both end the same way:
`exit_after`.
"""

from __future__ import annotations

import errno
import gc
import os
import sys

from .completion import REQUEST_VARIABLE, answer_request
from .fastpath import parse
from .output import ABORTED, echo, exit_after


def main(argv: list[str] | None = None) -> None:
    """Run the CLI: user errors become one sentence on stderr and an exit code, never a traceback."""
    if os.environ.get(REQUEST_VARIABLE) == "words":  # the shell asks what may come next (on every Tab)
        from . import commands  # noqa: F401  (every command, for their names and options)

        answer_request()
        return
    args = sys.argv[1:] if argv is None else list(argv)
    parsed = parse(args)
    if not args:
        from . import today

        if today.has_data():  # bare `connect`: what is left today (the help, before there is any)
            parsed = today.BARE, {}
    if parsed is None:
        from .helpcache import cache_file, kept_text, print_help

        help_file = cache_file(args)
        text = kept_text(help_file)
        if text is not None:  # a closed pipe or Ctrl-C ends it as Typer's own help would end
            exit_after(lambda: _run_like_typer(print_help, {"text": text}))
            return
        from .app import main as typer_main

        typer_main(argv, help_file)
        return
    spec, params = parsed
    # Python's cycle collector ran 25 to 30 times in a `connect week` (gc.callbacks: 4.5 to 6 ms of about 40),
    # walking the objects the command's imports and its reading had just made. An everyday command lives
    # for milliseconds and makes next to no reference cycles: it runs without, and its memory is freed by
    # reference counting as always.
    enabled = gc.isenabled()
    gc.disable()
    try:
        exit_after(lambda: _run_like_typer(spec.function, params))
    finally:
        # Frozen, the command's objects are left out of every later collection: re-enabling the collector
        # would otherwise start one over all of them at once, and so would the interpreter's exit.
        gc.freeze()
        if enabled:
            gc.enable()


def _run_like_typer(function, params: dict) -> int:
    """Call a command as Typer's Command.main calls one: the same exit for EOF, Ctrl-C and a closed pipe."""
    try:
        function(**params)
    except EOFError:
        sys.stderr.write("\n")
        sys.stderr.flush()
        echo(ABORTED, err=True)
        return 1
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        if error.errno != errno.EPIPE:
            raise
        # Typer exits 1, and keeps the interpreter's last flush of the broken pipe from printing anything.
        sys.stdout = _IgnoreBrokenPipeOnFlush(sys.stdout)
        sys.stderr = _IgnoreBrokenPipeOnFlush(sys.stderr)
        sys.exit(1)
    return 0


class _IgnoreBrokenPipeOnFlush:
    """A stream whose flush() ignores a broken pipe (as click.utils.PacifyFlushWrapper does)."""

    def __init__(self, wrapped) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        try:
            self.wrapped.flush()
        except OSError as error:
            if error.errno != errno.EPIPE:
                raise

    def __getattr__(self, attr: str):
        return getattr(self.wrapped, attr)
