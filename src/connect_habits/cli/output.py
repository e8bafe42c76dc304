"""Printing and ending: lines byte for byte as click.echo writes them, user text made printable, the terminal's
style, and how every command ends (`exit_after`).

Nothing here imports click unless a stream needs click to print on it: `connect done` must not pay for it.
"""

from __future__ import annotations

import codecs
import sys

from ..errors import ConnectError
from .charset import ascii_text, locale_wants_ascii

TYPE_CHECKING = False  # typing's flag without importing typing: type checkers read it by name
if TYPE_CHECKING:
    from .render import Style

# The ANSI sequences click.echo strips from a stream that is not a terminal (click._compat._ansi_re).
_ANSI_SEQUENCE = r"\033\[[0-?]*[ -/]*[@-~]"


# What a terminal would act on, wherever it came from (a partner's file, a backup, an older version's data):
# every control character but a newline and a tab, and any escape sequence but connect's own colours.
_UNSAFE = r"\x1b(?!\[[0-9;]*m)|[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
_SUSPECT = frozenset(
    [*map(chr, range(0x20)), *map(chr, range(0x7F, 0xA0)), *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"]
) - {"\n", "\t"}


def harmless(text: str) -> str:
    """`text` with whatever a terminal would act on (see _UNSAFE) shown as an escape instead."""
    if _SUSPECT.isdisjoint(text):  # nearly always: no need for the pattern
        return text
    import re

    return re.sub(_UNSAFE, lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


def echo(text: str = "", err: bool = False) -> None:
    """Print a line to stdout (or stderr) byte for byte as click.echo would, with nothing a terminal would act on."""
    text = harmless(text)
    if locale_wants_ascii():
        text = ascii_text(text)
    stream = sys.stderr if err else sys.stdout
    if not _written_as_is(stream):
        # click re-wraps such a stream (one set up for ASCII gets UTF-8): only click knows exactly how.
        import click

        click.echo(text, err=err)
        return
    text += "\n"
    if "\x1b" in text and not _isatty(stream):
        import re

        text = re.sub(_ANSI_SEQUENCE, "", text)
    stream.write(text)
    stream.flush()


def _written_as_is(stream) -> bool:
    """Whether click.echo would write to `stream` itself: a text stream with a known, non-ASCII encoding."""
    encoding = getattr(stream, "encoding", None)
    if not encoding or getattr(stream, "errors", None) is None or sys.platform == "win32":
        return False
    try:
        ascii_ = codecs.lookup(encoding).name == "ascii"
    except LookupError:
        return False
    # click leaves escapes alone for its pager and in a Jupyter kernel's streams.
    return not ascii_ and not hasattr(stream, "color") and not type(stream).__module__.startswith("ipykernel.")


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except Exception:  # noqa: BLE001 — click's isatty treats any failure as "not a terminal"
        return False


def printable(message: str) -> str:
    """One line, with whatever the user typed that a terminal would act on shown as escapes."""
    import unicodedata

    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") else ch
        for ch in message
    )


def style() -> Style:
    """How stdout wants to be drawn: colours on a terminal, Unicode where it can be encoded."""
    from .render import Style

    return Style.for_stream(sys.stdout)


ABORTED = "Aborted; nothing changed."


WARNED: list[str] = []  # the warnings this process printed, each once


def warn_once(warning: str) -> None:
    """`Warning: ...` on stderr, once per process however many reads came upon it."""
    if warning not in WARNED:
        WARNED.append(warning)
        echo(f"Warning: {warning}", err=True)


def exit_after(run) -> None:
    """Call `run` and exit with the code it returns; a ConnectError becomes one line on stderr and its code."""
    try:
        result = run()
    except ConnectError as error:
        echo(f"Error: {printable(_error_message(error))}", err=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        echo("Interrupted.", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (`connect week | head`); say nothing more.
        sys.stderr.close()
        sys.exit(0)
    sys.exit(result if isinstance(result, int) else 0)


def _error_message(error: ConnectError) -> str:
    from ..errors import HabitNotFound

    query = getattr(error, "query", None)
    if isinstance(error, HabitNotFound) and query is not None and WARNED:  # not "add one": it may be in that file
        return (
            f"There is no habit '{query}' in the files that can be read now; one of the shared folder cannot "
            "(see the warning), and it may be there."
        )
    return error.message


def read_line(prompt: str = "") -> str:
    """The next line typed or piped in, without its line end; EOFError when input has ended."""
    if prompt:
        sys.stdout.write(prompt)
        sys.stdout.flush()
    if sys.stdin.isatty():
        _wait_for_typing()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\r\n")


def _wait_for_typing() -> None:
    # A Ctrl-C that lands just before input() starts its read is only acted on once a line comes, so
    # the prompt would hang; waiting in short slices lets the interpreter raise KeyboardInterrupt.
    import select

    while not select.select([sys.stdin], [], [], 0.2)[0]:
        pass
