"""`connect export` and `connect import`: backups, spreadsheets, calendars, and other trackers' histories.

Everything they need loads inside them (the formats, csv, zipfile, icalendar), so other commands pay
nothing for them. Work that runs for more than a second shows a progress line on a terminal (cli/progress.py):
the formats are handed it as a plain callback.
"""

from __future__ import annotations

import sys

from .. import clock
from ..core.words import counted
from ..errors import ConnectError, UsageError
from .context import Context
from .output import echo
from .spec import FLAG, TEXT, Argument, Option, command

FORMATS = ("json", "csv", "ics")
SOURCES = ("connect", "loop", "habitbull", "harsh", "csv")


@command(
    "export",
    Option(
        ("--format", "-f"),
        "format",
        TEXT,
        "json",
        "json (a complete backup), csv (check-ins) or ics (reminders for a calendar).",
    ),
    Option(("--output", "-o"), "output", TEXT, None, "Write to this file instead of stdout."),
    fast=True,
)
def export(format: str, output: str | None) -> None:
    """Export a backup (json), the check-ins for a spreadsheet (csv), or the reminders for a calendar (ics)."""
    kind = format.strip().lower()
    if kind not in FORMATS:
        raise UsageError(f"'{format}' is not an export format; use json, csv or ics.")
    from .progress import Progress

    with Progress("Exporting") as progress:
        ctx = Context.from_environment()
        kept = _kept_export(ctx, kind, progress)
        if kept is not None:
            text, what = kept
        else:
            text, what = _export(ctx, kind, progress)
        data = text.encode("utf-8")
    if output is None or output == "-":
        _write_stdout(data)
        return
    from pathlib import Path

    from ..storage.fileio import atomic_write
    from ..storage.layout import is_connect_file

    path = Path(output).expanduser()
    from ..storage.private import PRIVATE_FILE

    if is_connect_file(path, ctx.paths, ctx.store.layout) or path.absolute() == ctx.paths.data_dir / PRIVATE_FILE:
        raise ConnectError(f"{path} is one of connect's own files (or in its folder); export somewhere else.")
    atomic_write(path, data)
    echo(f"Wrote {what} to {path}.")


def _kept_export(ctx: Context, kind: str, progress) -> tuple[str, str] | None:
    """The export's text from each month's part as kept (storage/loglines.py), and what it holds in words;
    None: read the records (a calendar; a backup with private words beside its records; no cache)."""
    from ..storage import loglines

    if kind == "json":
        if any(ctx.private_notes().notes.values()):
            return None  # the backup lists the words of the records it holds: those are gathered from a whole read
        from ..interop.backupfile import backup_month, backup_text, is_backup_month

        made = loglines.kept_months(
            ctx.store, loglines.EXPORT_JSON, backup_month, clock.now_aware, is_backup_month, progress
        )
        if made is None:
            return None
        base, months = made
        parts = [months[month] for month in sorted(months)]
        checkins = sum(part[0] for part in parts)
        what = _backup_words(len(base.habits), checkins)
        return backup_text(base, ctx.config, parts), what
    if kind == "csv":
        from ..interop.csvfile import csv_month, csv_text, is_csv_month

        made = loglines.kept_months(ctx.store, loglines.EXPORT_CSV, csv_month, clock.now_aware, is_csv_month, progress)
        if made is None:
            return None
        parts = [made[1][month] for month in sorted(made[1])]
        return csv_text(part[1] for part in parts), counted(sum(part[0] for part in parts), "check-in")
    return None


def _export(ctx: Context, kind: str, progress) -> tuple[str, str]:
    """The export's text from the records read, and what it holds in words."""
    # A backup keeps the records as stored, and this machine's private words beside them (export_json);
    # a spreadsheet has every note in its place.
    # A calendar holds the habits' reminder times only: the recent months and the folds are enough.
    since = ctx.today() if kind == "ics" else None
    snapshot = ctx.load(since=since, private=kind != "json")
    if kind == "json":
        from ..interop.backupfile import export_json

        text = export_json(snapshot, ctx.config, progress=progress, private=ctx.private_notes().of(snapshot))
        what = _backup_words(len(snapshot.habits), len(snapshot.checkins))
    elif kind == "csv":
        from ..interop.csvfile import export_csv

        text = export_csv(snapshot, progress=progress)
        what = counted(len(snapshot.checkins), "check-in")
    else:
        from ..interop.ics import export_ics

        text = export_ics(
            snapshot, clock.local_zone(), ctx.today(), stamp=clock.now_aware(), day_starts=ctx.config.day_starts
        )
        events = sum(len(h.at) for h in snapshot.habits if not h.archived)
        what = f"{counted(events, 'reminder')} as calendar events"
    return text, what


def _backup_words(habits: int, checkins: int) -> str:
    return f"a backup of {counted(habits, 'habit')} and {counted(checkins, 'check-in')}"


def _write_stdout(data: bytes) -> None:
    # Bytes as they are (CSV and iCalendar lines end in CRLF): the same as with -o.
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        sys.stdout.write(data.decode("utf-8"))
    else:
        sys.stdout.flush()
        stream.write(data)
    sys.stdout.flush()


@command(
    "import",
    Argument(
        "file",
        "A backup from `connect export --format json` (- for stdin), or another tracker's file with --from: "
        "Loop's full backup (.db) or CSV export (.zip), HabitBull's CSV, harsh's folder, or a CSV of check-ins.",
    ),
    Option(("--merge",), "merge", FLAG, False, "Add what the backup holds to a home that has habits (no duplicates)."),
    Option(("--from",), "source", TEXT, "connect", "connect (a JSON backup), loop, habitbull, harsh or csv."),
    Option(("--dry-run",), "dry_run", FLAG, False, "Say what would be imported, changing nothing."),
    Option(
        ("--create",),
        "create",
        TEXT,
        "yes",
        "With --from csv: yes (default) adds habits the file names and this home lacks; no leaves their rows out.",
    ),
    fast=True,
)
def import_(file: str, merge: bool, source: str, dry_run: bool, create: str) -> None:
    """Restore or merge a JSON backup, or import another tracker's history (Loop, HabitBull, harsh, CSV)."""
    kind = source.strip().lower()
    if kind not in SOURCES:
        raise UsageError(
            f"'{source}' is not something connect imports from; use --from connect, loop, habitbull, harsh or csv."
        )
    creating = create.strip().lower()
    if creating not in ("yes", "no"):
        raise UsageError(f"--create is yes or no, not '{create}'.")
    from ..interop.importing import DryRun
    from .progress import Progress

    progress = Progress("Importing")  # its clock starts now; the line, if any, goes before the summary
    path, raw, name = _read_input(file, folder=kind == "harsh")
    ctx = Context.from_environment()
    try:
        if kind != "connect":
            _import_foreign(ctx, kind, path, raw, name, creating == "yes", dry_run, progress)
        else:
            _import_backup(ctx, raw, name, merge, dry_run, progress)
    except DryRun as run:
        echo(_foreign_line(run.summary, dry_run=True) if run.summary.label else _dry_backup_line(run.summary, name))


def _import_foreign(ctx, kind, path, raw, name, create, dry_run, progress) -> None:
    from ..interop.foreign import import_foreign
    from ..interop.readers import read_foreign
    from ..interop.warmup import FoldsAhead

    with FoldsAhead() as ahead:
        with progress, ctx.transaction() as tx:
            empty = _is_empty(tx.snapshot)
            found = read_foreign(kind, path, raw, name, tx.snapshot, create, progress)
            summary = import_foreign(
                tx,
                found,
                ctx.today(),
                by=tx.snapshot.me,
                progress=progress,
                dry_run=dry_run,
                before_adding=_folds_ahead(ctx, tx, ahead) if empty else None,
            )
        echo(_foreign_line(summary))
        _warm_summaries(tx.snapshot if empty else None, ahead)


def _import_backup(ctx, raw: bytes, name: str, merge: bool, dry_run: bool, progress) -> None:
    from ..interop.importing import is_sqlite, is_zip

    if is_zip(raw):
        raise ConnectError(
            f"{name} is a zip file, not a connect backup; for a Loop Habit Tracker export add --from loop."
        )
    if is_sqlite(raw):
        raise ConnectError(
            f"{name} is an SQLite file, not a connect backup; for Loop Habit Tracker's full backup add --from loop."
        )
    from ..interop.backup import import_backup
    from ..interop.backupsettings import restored_config
    from ..interop.importing import DryRun
    from ..interop.warmup import FoldsAhead
    from ..storage.config import config_bytes
    from ..storage.paths import ensure_private_dir

    with FoldsAhead() as ahead:
        with progress, ctx.transaction() as tx:
            restoring = _is_empty(tx.snapshot) and not dry_run
            folds = _folds_ahead(ctx, tx, ahead) if restoring else None
            summary = import_backup(tx, raw, merge, source=name, progress=progress, before_adding=folds)
            if dry_run:
                raise DryRun(summary)
            if summary.restored:  # the settings come with the data, in the same commit: whole or not at all
                ensure_private_dir(ctx.paths.config_file.parent)
                tx.also_write(ctx.paths.config_file, config_bytes(restored_config(ctx.config, summary.config or {})))
        if summary.restored:
            echo(f"Restored {_counts(summary, last=False)} and the settings from {name}.")
        else:
            _report(summary, f"from {name}")
        _warm_summaries(tx.snapshot if summary.restored else None, ahead)


def _is_empty(snapshot) -> bool:
    return not snapshot.habits and not snapshot.checkins and not snapshot.skips


def _folds_ahead(ctx: Context, tx, ahead):
    """What an import into an empty home calls before adding its records: the folds of a private home's
    history start in a child process (interop/warmup.py), with the settings a restore brings."""

    def start(summary, checkins, skips) -> None:
        weekday = ctx.store.first_weekday
        if summary.config is not None:
            from ..interop.backupsettings import restored_config

            weekday = restored_config(ctx.config, summary.config).first_weekday
        ahead.start(ctx.store, tx.snapshot, checkins, skips, ctx.today(), weekday)

    return start


def _warm_summaries(imported=None, ahead=None) -> None:
    """Make the summary cache now, for what the import just wrote: the next command reads recent months.

    `imported`: the transaction's snapshot when the home was empty before, so its records are all the history:
    the folds are made from them in memory (interop/warmup.py), not from the files read back; `ahead`, the
    child process making them meanwhile.

    They are too new for their times to be trusted, so the cache keeps their contents' digests (storage/cache.py);
    otherwise every command of the next seconds would read all the years again. After the import's last
    line: the import went through, and a Ctrl-C or an error here only leaves the cache to the next command.
    """
    try:
        ctx = Context.from_environment()  # a restore brings its settings (the first weekday): the folds follow them
        if ctx.store.summaries:
            today = ctx.today()
            if imported is not None:
                from ..interop.warmup import warm_from_records

                if warm_from_records(ctx.store, imported.checkins, imported.skips, today, ahead):
                    return
            ctx.store.load(since=today, today=today)
    except (ConnectError, KeyboardInterrupt):
        pass  # said by the next command that reads them, as ever


def _read_input(file: str, folder: bool = False):
    """(the path or None for stdin, its bytes, its name for messages); with `folder`, a folder is not read."""
    from pathlib import Path

    from ..storage.fileio import read_bytes

    if file == "-":
        return None, sys.stdin.buffer.read(), "The input"
    path = Path(file).expanduser()
    if folder and path.is_dir():
        return path, b"", str(path)
    if path.is_dir():
        raise ConnectError(f"{path} is a folder; give the file to import.")
    raw = read_bytes(path)
    if raw is None:
        raise ConnectError(f"There is no file {path}.")
    return path, raw, str(path)


def _counts(summary, last: bool = True) -> str:
    return (
        f"{counted(summary.habits, 'habit')}, {counted(summary.checkins, 'check-in')}{' and' if last else ','} "
        f"{counted(summary.skips, 'skip')}"
    )


def _report(summary, origin: str) -> None:
    if summary.nothing_new:
        echo(f"Nothing new {origin}: everything in it is already here.")
    else:
        already = f" ({counted(summary.already, 'habit')} already here)" if summary.already else ""
        echo(f"Imported {_counts(summary)} {origin}{already}.")
    for old, new in summary.renamed:
        echo(f"'{old}' is called '{new}' here: the name was taken.")


def _foreign_line(summary, dry_run: bool = False) -> str:
    """The last line of a foreign import: what came in (or would), renamed duplicates, what was not exact or left out."""
    counts = ", ".join(
        (counted(summary.habits, "habit"), counted(summary.checkins, "check-in"), counted(summary.skips, "skip"))
    )
    parts = [f"{'Would import' if dry_run else 'Imported'} {counts} from {summary.label}"]
    if summary.already:
        parts[0] += f" ({counted(summary.already, 'habit')} already here)"
    if summary.renamed:
        names = ", ".join(f"'{old}' as '{new}'" for old, new in summary.renamed)
        parts.append(f"renamed {counted(len(summary.renamed), 'duplicate')}: {names}")
    if summary.inexact:
        parts.append(f"not mapped exactly: {', '.join(summary.inexact)}")
    if summary.left_out:
        parts.append(f"left out: {', '.join(summary.left_out)}")
    return "; ".join(parts) + (". Nothing was changed (--dry-run)." if dry_run else ".")


def _dry_backup_line(summary, name: str) -> str:
    return f"Would import {_counts(summary)} from {name}. Nothing was changed (--dry-run)."
