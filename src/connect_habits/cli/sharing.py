"""The `sync` group: share one log between two machines through a folder a sync tool keeps in step."""

from __future__ import annotations

import json

from ..core.words import counted
from .context import Context
from .output import echo
from .spec import JSON, TEXT, Argument, Option, command

ME = Option(("--me",), "me", TEXT, None, "Your name: what you log here is logged as you.", required=True)


@command(
    "init", Argument("folder", "A folder your sync tool keeps in step (Syncthing, Nextcloud, git…)."), ME, group="sync"
)
def sync_init(folder: str, me: str) -> None:
    """On the first machine: move this home's data into the shared folder."""
    from ..storage.sharing import share

    ctx = Context.from_environment()
    for line in share(ctx.paths, ctx.config, folder, me, joining=False).lines:
        echo(line)


@command("join", Argument("folder", "The shared folder, once it has synced to this machine."), ME, group="sync")
def sync_join(folder: str, me: str) -> None:
    """On the other machine: join the shared folder (this home's data, if any, comes along)."""
    from ..storage.sharing import share

    ctx = Context.from_environment()
    for line in share(ctx.paths, ctx.config, folder, me, joining=True).lines:
        echo(line)


@command("status", JSON, group="sync")
def sync_status(as_json: bool) -> None:
    """Devices seen, the last change from each, and anything odd."""
    from ..storage.syncstatus import status

    ctx = Context.from_environment()
    report = status(ctx.paths, ctx.config)
    if as_json:
        echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    if not report["shared"]:
        echo("Not shared: this home is private. `connect sync init FOLDER --me NAME` shares it.")
        _copies(report)
        return
    logging = f", logging as {report['me']}" if report["me"] else ""
    echo(f"Shared through {report['folder']}; this device is {report['device']}{logging}.")
    for device in report["devices"]:
        mark = " (this device)" if device["this_device"] else ""
        if device["readable"]:
            last = (device["last_change"] or "never")[:16].replace("T", " ")
            echo(
                f"  {device['device']}  {device['person'] or '?'}{mark}: {counted(device['checkins'], 'check-in')}, "
                f"last change {last}"
            )
        else:
            echo(f"  {device['device']}{mark}: unreadable for now")
    if report["partners"]:
        echo(f"Partners: {' & '.join(p['name'] for p in report['partners'])}.")
    _copies(report)
    for line in report["odd"]:
        echo(f"Note: {line}.")
    if not report["odd"]:
        echo("Nothing odd.")


def _copies(report: dict) -> None:
    if report["copies"]:
        echo("Private copies kept from before sharing (safe to keep, or to restore from):")
        for copy in report["copies"]:
            echo(f"  {copy}")


@command("leave", group="sync")
def sync_leave() -> None:
    """Copy the merged data back into a private home and stop sharing."""
    from ..storage.sharing import leave

    ctx = Context.from_environment()
    for line in leave(ctx.paths, ctx.config).lines:
        echo(line)


@command(
    "forget",
    Argument("device", "The device's id (or the start of it), as `connect sync status` shows it."),
    group="sync",
)
def sync_forget(device: str) -> None:
    """A device that is gone: keep its history here (as its partner's), and stop showing it."""
    from ..storage.sharing import forget

    ctx = Context.from_environment()
    for line in forget(ctx.paths, ctx.config, device).lines:
        echo(line)
