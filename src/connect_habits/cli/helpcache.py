"""`connect --help` without Typer: the text Typer printed the last time, while nothing it depends on changed.

Importing typer, click and rich and rendering the help takes ten times as long as starting Python. The
text depends only on the command line, connect's modules, the installed typer, click and rich, the
streams (stdin, stdout and stderr: terminals or not, their sizes, their encodings) and the variables
rich and Typer read. The first `--help` for each of these goes through Typer and keeps what it printed,
under a name made from all of them, in the user's cache folder; later ones print that, checked whole by
its digest. Under an ASCII locale click writes to a stream of its own, so that help is never kept. A
cache that cannot be read or written is passed by: the help then comes from Typer, as always.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Everything in the environment that changes what rich or Typer print (colours, width, boxes).
VARIABLES = (
    "COLUMNS",
    "LINES",
    "TERM",
    "COLORTERM",
    "NO_COLOR",
    "FORCE_COLOR",
    "PY_COLORS",
    "GITHUB_ACTIONS",
    "TERMINAL_WIDTH",
    "_TYPER_FORCE_DISABLE_TERMINAL",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "JUPYTER_COLUMNS",
    "JUPYTER_LINES",
    "DATABRICKS_RUNTIME_VERSION",
    "LC_ALL",
    "LC_CTYPE",
    "LANG",
)
LIBRARIES = ("typer", "click", "rich")
DISABLE_VARIABLE = "CONNECT_NO_HELP_CACHE"  # any value: every help through Typer (tests compare the two)


def is_help_request(args: list[str]) -> bool:
    """Whether `args` looks like `connect [GROUP] [COMMAND] --help`: words, then --help, nothing else.

    Whether the words name a command is Typer's to say: only a help it printed and exited 0 on is kept.
    """
    return 0 < len(args) <= 3 and args[-1] == "--help" and all(w.isascii() and w.isalpha() for w in args[:-1])


def cache_file(args: list[str]) -> Path | None:
    """Where the help for `args`, as these streams and this installation would show it, is kept (None: not kept)."""
    if DISABLE_VARIABLE in os.environ or not is_help_request(args):
        return None
    from .charset import locale_wants_ascii

    if locale_wants_ascii():  # click then writes past sys.stdout, to a stream of its own: nothing to keep
        return None
    import hashlib

    streams = []
    # rich takes its width from the first terminal among stdin, stdout and stderr: each one counts.
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        try:
            terminal = stream.isatty()
            size = tuple(os.get_terminal_size(stream.fileno())) if terminal else None
        except (AttributeError, OSError, ValueError):
            terminal, size = None, None
        streams.append(f"{terminal} {size} {getattr(stream, 'encoding', None)} {getattr(stream, 'errors', None)}")
    parts = [
        "\0".join(args),
        sys.version,
        *streams,
        *(f"{name}={os.environ.get(name)}" for name in VARIABLES),
        *_stamps(),
    ]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    base = os.environ.get("XDG_CACHE_HOME", "")
    try:
        folder = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    except (RuntimeError, KeyError):  # no home to be found (a service's user without one): Typer's help as ever
        return None
    return folder / "connect" / "help" / digest


def _stamps() -> list[str]:
    """The size and time of connect's modules and of the libraries' first files: a change makes a new name."""
    stamps = []
    package = Path(__file__).parent.parent
    for folder in (package, *sorted(p for p in package.iterdir() if (p / "__init__.py").exists())):
        for path in sorted(folder.glob("*.py")):
            stat = path.stat()
            stamps.append(f"{path.relative_to(package)} {stat.st_size} {stat.st_mtime_ns}")
    for library in LIBRARIES:
        for entry in sys.path:
            path = Path(entry or ".") / library / "__init__.py"
            try:
                stat = path.stat()
            except OSError:
                continue
            stamps.append(f"{path} {stat.st_size} {stat.st_mtime_ns} {stat.st_ino}")
            break
    return stamps


HEADER = "connect-help-1 "  # then the digest of the text, so a file cut short or emptied is never printed


def kept_text(path: Path | None) -> str | None:
    """The help kept at `path`, whole; None when there is none (or it is not all there)."""
    if path is None:
        return None
    try:
        header, _, text = path.read_text(encoding="utf-8", errors="surrogateescape").partition("\n")
    except (OSError, UnicodeError):
        return None
    import hashlib

    if not text or header != HEADER + hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]:
        return None
    return text


def print_help(text: str) -> None:
    """Write a kept help as Typer would have (an ASCII locale never has one kept)."""
    sys.stdout.write(text)
    sys.stdout.flush()


def keep(path: Path, text: str) -> None:
    """Keep `text` at `path` for the next time (written whole, or not at all)."""
    if not text:
        return
    import hashlib

    header = HEADER + hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(f"{header}\n{text}", encoding="utf-8", errors="surrogateescape")
        os.replace(partial, path)
    except OSError:
        pass


class Recorder:
    """A stream that writes through to another and keeps a copy of what was written."""

    def __init__(self, wrapped) -> None:
        self.wrapped = wrapped
        self.written: list[str] = []

    def write(self, text: str) -> int:
        written = self.wrapped.write(text)  # first: click tries a write of b"" to learn the kind of stream
        self.written.append(text)
        return written

    def __getattr__(self, attr: str):
        return getattr(self.wrapped, attr)
