"""`connect partners`: the two of you by name, whose each device is, a rename, and merging a ghost a typo made."""

from __future__ import annotations

import json

from ..core.words import counted
from ..errors import InvalidInput, UsageError
from .context import Context
from .output import echo
from .spec import JSON, TEXT, Argument, Option, command


def partners_report(ctx: Context) -> list[dict]:
    """Each partner with their id, whether this device is theirs, and their devices with each one's last change."""
    from ..storage.syncstatus import device_reports

    snapshot = ctx.load(since=ctx.today())
    couple = snapshot.couple
    layout = ctx.store.layout
    last = {}
    if layout.folder is not None:
        last = {entry["device"]: entry.get("last_change") for _, entry in device_reports(layout.folder, layout, [])}
    devices = [d for d in (couple.devices if couple is not None else []) if not d.forgotten]
    return [
        {
            "id": pid,
            "name": name,
            "me": pid == snapshot.me,
            "devices": [{"id": d.id, "last_change": last.get(d.id)} for d in devices if d.partner == pid],
        }
        for pid, name in snapshot.names.items()
    ]


@command("", JSON, group="partners")
def partners(as_json: bool) -> None:
    """The two of you, and whose each device is."""
    ctx = Context.from_environment()
    report = partners_report(ctx)
    if as_json:
        echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    if not report:
        echo("No partners yet; `connect init --partner A --partner B` names you.")
        return
    for partner in report:
        mine = " (this device)" if partner["me"] else ""
        devices = ", ".join(d["id"] for d in partner["devices"]) or "no device of their own"
        echo(f"{partner['name']}{mine}: {devices}")
    if not any(p["me"] for p in report):
        echo("This device is both of yours; `connect partners me NAME` says whose it is.")


@command(
    "rename",
    Argument("old", "A partner's name (any case, or the start of it)."),
    Argument("new", "The new name."),
    group="partners",
)
def rename(old: str, new: str) -> None:
    """Give a partner a new name: everything they logged stays theirs, on both machines."""
    from ..core.couple import PARTNER_KEY, renamed

    ctx = Context.from_environment()
    with ctx.transaction(since=ctx.today()) as tx:
        pid, name = renamed(tx.snapshot.names, old, new)
        before = tx.snapshot.names[pid]
        if before != name:
            tx.change_couple(PARTNER_KEY + pid, name)
        tx.keep_couple()
    echo(f"'{before}' is now '{name}'." if before != name else f"'{name}' already has that name; nothing changed.")


@command("me", Argument("name", "A partner's name, or 'none' when both of you use this device."), group="partners")
def me(name: str) -> None:
    """Say whose this device is: what is logged here without --by is theirs, and reminders are for them."""
    set_me(Context.from_environment(), name)


def set_me(ctx: Context, text: str) -> None:
    """Make this device the named partner's (or both partners', for `none`), in the data and the config."""
    from ..core.couple import find_partner
    from ..storage.config import save_config

    with ctx.transaction(since=ctx.today()) as tx:
        pid = None if text.strip().lower() in ("none", "both", "") else find_partner(tx.snapshot.names, text, "me")
        tx.set_me(pid)
        tx.keep_couple()
    extra = {k: v for k, v in ctx.config.extra.items() if k != "me"}
    if pid is not None:
        extra["me"] = pid
    save_config(ctx.paths.config_file, ctx.config._replace(extra=extra))
    echo(f"This device is {tx.snapshot.names[pid]}'s." if pid is not None else "This device is both of yours.")


@command(
    "remove",
    Argument("name", "The partner to remove: a ghost a typo made, say."),
    Option(("--into",), "into", TEXT, None, "The partner whose name it should have been: their check-ins join."),
    group="partners",
)
def remove(name: str, into: str | None) -> None:
    """Remove a partner that should not be there; with --into, what they logged becomes the other's."""
    from ..core.couple import ALIAS_KEY, PARTNER_KEY, find_partner

    ctx = Context.from_environment()
    with ctx.transaction() as tx:
        snapshot = tx.snapshot
        pid = find_partner(snapshot.names, name, "remove")
        ghost = snapshot.names[pid]
        target = find_partner(snapshot.names, into, "--into") if into is not None else None
        if target == pid:
            raise UsageError("--into must name the other partner.")
        logged = sum(1 for c in snapshot.checkins if c.by == pid)
        owned = [h.name for h in snapshot.habits if h.who == pid]
        devices = [d.id for d in (snapshot.couple.devices if snapshot.couple else []) if d.partner == pid]
        if target is None and (logged or owned or devices):
            raise InvalidInput(
                f"{ghost} has {counted(logged, 'check-in')}, {counted(len(owned), 'habit')} and "
                f"{counted(len(devices), 'device')}; "
                "say whose they become with --into NAME."
            )
        if target is not None:
            tx.change_couple(ALIAS_KEY + pid, target)
        tx.change_couple(PARTNER_KEY + pid, None)
        tx.keep_couple()
    if target is not None:
        echo(f"Removed {ghost}; what they logged is {snapshot.names[target]}'s now.")
    else:
        echo(f"Removed {ghost}.")
