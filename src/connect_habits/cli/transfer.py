"""`connect export` and `connect import`: the command functions, added to the app by `register(app)`.

Everything they need loads inside them (transfer.py, csv, zipfile, icalendar), so other
commands pay nothing for them; `_context` and `_transaction` come from commands.py, the helpers
every command shares.
"""

from __future__ import annotations

import sys
from typing import Optional

import typer

FORMATS = ("json", "csv", "ics")
SOURCES = ("connect", "loop")


def export(
    format: str = typer.Option("json", "--format", "-f", help="json (a complete backup), csv (check-ins) or ics "
                                                                "(reminders for a calendar)."),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
) -> None:
    """Export a backup (json), the check-ins for a spreadsheet (csv), or the reminders for a calendar (ics)."""
    from .. import clock
    from ..errors import UsageError
    from ..interop.backup import export_json
    from ..interop.csvfile import export_csv
    from ..interop.ics import export_ics
    from .commands import _context, _load

    kind = format.strip().lower()
    if kind not in FORMATS:
        raise UsageError(f"'{format}' is not an export format; use json, csv or ics.")
    _, store, config = _context()
    snapshot = _load(store)
    if kind == "json":
        text = export_json(snapshot, config)
        what = f"a backup of {_count(len(snapshot.habits), 'habit')} and {_count(len(snapshot.checkins), 'check-in')}"
    elif kind == "csv":
        text = export_csv(snapshot)
        what = _count(len(snapshot.checkins), "check-in")
    else:
        text = export_ics(snapshot, clock.local_zone(), clock.today(), stamp=clock.now_aware())
        events = sum(len(h.at) for h in snapshot.habits if not h.archived)
        what = f"{_count(events, 'reminder')} as calendar events"
    data = text.encode("utf-8")
    if output is None or output == "-":
        _write_stdout(data)
        return
    from pathlib import Path

    from ..storage.fileio import atomic_write

    path = Path(output).expanduser()
    atomic_write(path, data)
    typer.echo(f"Wrote {what} to {path}.")


def _write_stdout(data: bytes) -> None:
    # Bytes as they are (CSV and iCalendar lines end in CRLF): the same as with -o.
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        sys.stdout.write(data.decode("utf-8"))
    else:
        sys.stdout.flush()
        stream.write(data)
    sys.stdout.flush()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def import_(
    file: str = typer.Argument(..., help="A backup from `connect export --format json` (- for stdin), or with "
                                         "--from loop a Loop Habit Tracker CSV export (.zip)."),
    merge: bool = typer.Option(False, "--merge", help="Add what the backup holds to a home that has habits "
                                                      "(no duplicates)."),
    source: str = typer.Option("connect", "--from", help="connect (a JSON backup) or loop (Loop Habit Tracker)."),
) -> None:
    """Restore a JSON backup into an empty home, merge one with --merge, or import Loop Habit Tracker's export."""
    from .. import clock
    from ..errors import ConnectError, UsageError
    from .commands import _context, _me, _transaction

    kind = source.strip().lower()
    if kind not in SOURCES:
        raise UsageError(f"'{source}' is not something connect imports from; use --from connect or --from loop.")
    raw, name = _read_input(file)
    paths, store, config = _context()
    if kind == "loop":
        from ..interop.loop import import_loop

        with _transaction(store) as tx:
            summary = import_loop(tx, raw, clock.today(), by=_me(config), source=name)
        _report(summary, f"from Loop ({name})")
        return
    if raw[:4] == b"PK\x03\x04":
        raise ConnectError(f"{name} is a zip file, not a connect backup; for a Loop Habit Tracker export add "
                           "--from loop.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConnectError(f"{name} is not a connect backup (it is not UTF-8 text); nothing was imported.") from None
    from ..interop.backup import import_backup, restored_config

    with _transaction(store) as tx:
        summary = import_backup(tx, text, merge, source=name)
    if summary.restored:
        from ..storage.config import save_config

        save_config(paths.config_file, restored_config(config, summary.config or {}))
        typer.echo(f"Restored {_counts(summary, last=False)} and the settings from {name}.")
        return
    _report(summary, f"from {name}")


def _read_input(file: str) -> tuple[bytes, str]:
    from pathlib import Path

    from ..errors import ConnectError
    from ..storage.fileio import read_bytes

    if file == "-":
        return sys.stdin.buffer.read(), "The input"
    path = Path(file).expanduser()
    raw = read_bytes(path)
    if raw is None:
        raise ConnectError(f"There is no file {path}.")
    return raw, str(path)


def _counts(summary, last: bool = True) -> str:
    return (f"{_count(summary.habits, 'habit')}, {_count(summary.checkins, 'check-in')}{' and' if last else ','} "
            f"{_count(summary.skips, 'skip')}")


def _report(summary, origin: str) -> None:
    if summary.nothing_new:
        typer.echo(f"Nothing new {origin}: everything in it is already here.")
    else:
        already = f" ({_count(summary.already, 'habit')} already here)" if summary.already else ""
        typer.echo(f"Imported {_counts(summary)} {origin}{already}.")
    for old, new in summary.renamed:
        typer.echo(f"'{old}' is called '{new}' here: the name was taken.")


def register(app: typer.Typer) -> None:
    """Add `connect export` and `connect import` to the app."""
    app.command("export")(export)
    app.command("import")(import_)
