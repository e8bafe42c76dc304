"""The `sync` group: share one log between two machines through a folder a sync tool keeps in step."""

from __future__ import annotations

import json
import sys

from ..core.words import counted
from ..errors import ConnectError
from .context import Context
from .output import echo, read_line
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


CODE = Option(("--code",), "code", TEXT, None, "The pairing code `connect sync init` printed on the other machine.")


@command("join", Argument("folder", "The shared folder, once it has synced to this machine."), ME, CODE, group="sync")
def sync_join(folder: str, me: str, code: str | None) -> None:
    """On the other machine: join the shared folder with the pairing code (this home's data, if any, comes along)."""
    from pathlib import Path

    from ..storage.sharing import folder_keys, share

    ctx = Context.from_environment()
    if code is None and sys.stdin.isatty() and folder_keys(Path(folder).expanduser())[0]:
        code = read_line("The pairing code (`connect sync code` shows it on the other machine): ")
    for line in share(ctx.paths, ctx.config, folder, me, joining=True, code=code).lines:
        echo(line)


@command(
    "code",
    Argument("code", "The new code the other device made (`sync rekey` there): this device takes it.", False),
    group="sync",
)
def sync_code(code: str | None) -> None:
    """Show the pairing code again (alone on the last line), or take the new one the other device made."""
    from ..storage.sealing import code_for, secret_from_config

    ctx = Context.from_environment()
    if code is not None:
        from ..storage.rekey import take_code

        for line in take_code(ctx.paths, ctx.config, code).lines:
            echo(line)
        return
    folder = ctx.config.extra.get("sync_folder")
    if not isinstance(folder, str):
        raise ConnectError("This home is not shared, so it has no pairing code; `connect sync init` shares it.")
    secret = secret_from_config(ctx.config.extra)
    if secret is None:
        raise ConnectError(f"{folder} is not sealed yet, so it has no pairing code; `connect sync rekey` seals it.")
    echo(f"The pairing code of {folder} (on the other machine: connect sync join {folder} --me NAME --code CODE):")
    echo(code_for(secret))


@command("rekey", group="sync")
def sync_rekey() -> None:
    """Make a new key (or seal a folder shared before keys) and seal this device's files with it."""
    from ..storage.rekey import rekey

    ctx = Context.from_environment()
    for line in rekey(ctx.paths, ctx.config).lines:
        echo(line)


SEALED_SAYS = {
    "yes": "Sealed with your couple's key: the folder reveals nothing (`connect sync code` shows the code).",
    "waiting": "Your couple's key is made; this device writes plain files until your partner's device takes the code "
    "(`connect sync code` shows it).",
    "no": "Not sealed: the folder is in plain text (shared before keys); `connect sync rekey` seals it.",
}


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
    echo(SEALED_SAYS[report["sealed"]])
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
