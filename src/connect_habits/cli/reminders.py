"""Reminders and the daemon: `remind` (what comes next) and the `daemon` group (run, test, status, install)."""

from __future__ import annotations

import json
import sys

from .. import clock
from ..errors import ConnectError, InvalidInput
from .context import Context
from .output import echo
from .spec import JSON, Argument, command


def upcoming_reminders(ctx: Context) -> list[dict]:
    """The reminders of today and tomorrow, each with whether and when it fires (the daemon's rules)."""
    from datetime import timedelta

    from ..core.cadence import week_start
    from ..core.reminders import needs_reminder, reminder_view, settings_from_config, upcoming

    # This week and the last: a reminder's streak comes from the folds.
    window = week_start(ctx.today(), ctx.config.first_weekday) - timedelta(days=7)
    snapshot = ctx.load(since=window)
    settings = settings_from_config(ctx.config.extra, ctx.config.first_weekday)
    names = {h.id: h for h in snapshot.habits}
    habits, histories = reminder_view(
        snapshot.habits, snapshot.checkins, snapshot.skips, snapshot.me, snapshot.folds, snapshot.since
    )
    now = clock.now_aware()
    held = _snoozed(ctx, now)
    items = []
    for slot, status, fires in upcoming(habits, histories, now, settings):
        until = held.get((slot.habit_id, slot.day))
        if until is not None and status == "will_fire" and slot.instant < until:
            status = "snoozed"  # the snooze holds it, and sends its own
        items.append(
            {
                "habit": names[slot.habit_id].name,
                "slug": names[slot.habit_id].slug,
                "date": slot.day.isoformat(),
                "at": slot.at,
                "time": slot.instant.isoformat(timespec="minutes"),
                "status": status,
                "fires_at": fires.isoformat(timespec="minutes") if status == "will_fire" else None,
            }
        )
    for (habit_id, day), until in held.items():
        habit = names.get(habit_id)
        # Done or skipped since it was snoozed: the daemon lets it go unsent (daemon/buttons.py), as it checks then.
        if (
            until > now
            and habit is not None
            and needs_reminder(habit, histories[habit_id], day, settings.first_weekday, asked=True)
        ):
            at, time = f"{until:%H:%M}", until.isoformat(timespec="minutes")
            items.append(
                {"habit": habit.name, "slug": habit.slug, "date": day.isoformat(), "at": at, "time": time}
                | {"status": "will_fire", "fires_at": time, "snooze": True}
            )
    return sorted(items, key=lambda item: item["time"])


def _snoozed(ctx: Context, now) -> dict:
    """The snoozes that still hold (asked for in a shell, or clicked on a notification), by habit and day:
    when each ends."""
    from datetime import date

    from ..daemon.state import load_state
    from ..storage.snoozes import read_snoozes

    held = {(s.habit_id, s.day): s.until for s in read_snoozes(ctx.paths) if s.until > now}
    for owed in load_state(ctx.paths.state_file).pending:
        if owed.habit and owed.day and "/snooze/" in owed.key and owed.due > now:
            held[(owed.habit, date.fromisoformat(owed.day))] = owed.due  # the daemon's word is the latest
    return held


@command("remind", JSON, fast=True)
def remind(as_json: bool) -> None:
    """The next reminders (today and tomorrow), from the same rules the daemon uses."""
    ctx = Context.from_environment()
    items = upcoming_reminders(ctx)
    if as_json:
        echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    if not items:
        echo("No reminders in the next two days; give a habit a time with `connect edit NAME --at 19:00`.")
        return
    if all(item["status"] == "not_due" for item in items):
        echo("No reminders in the next two days: no habit with a time is due today or tomorrow.")
        return
    labels = {
        "will_fire": "",
        "done": "(done)",
        "not_due": "(not due)",
        "skipped": "(skipped)",
        "quiet_hours": "(quiet hours: not sent)",
        "notifications_off": "(notifications off)",
        "snoozed": "(snoozed)",
        "over": "(over the limit)",
    }
    today = ctx.today().isoformat()
    for item in items:
        if item["status"] == "not_due":
            continue  # not one of its days: nothing to say about it
        when = "today" if item["date"] == today else "tomorrow"
        label = "(snoozed to then)" if item.get("snooze") else labels[item["status"]]
        if item["fires_at"] and item["fires_at"][11:16] != item["at"]:
            label = f"(after quiet hours, at {item['fires_at'][11:16]})"
        echo(f"{when:<9} {item['at']}  {item['habit']} {label}".rstrip())


@command(
    "snooze",
    Argument("name", "The habit whose reminder should wait."),
    Argument("duration", "How long: 15m, 1h, a time like 21:30, or evening."),
)
def snooze(name: str, duration: str) -> None:
    """Hold a habit's reminder until later today, as Snooze on its notification does."""
    from datetime import timedelta

    from ..core.cadence import week_start
    from ..core.habits import resolve_active
    from ..core.reminders import is_quiet, needs_reminder, quiet_end, reminder_view, settings_from_config
    from ..core.repeats import snooze_until
    from ..daemon.folders import DAEMON_LOCK
    from ..storage.fileio import is_locked
    from ..storage.snoozes import Snooze, add_snooze

    ctx = Context.from_environment()
    now, first = clock.now_aware(), ctx.config.first_weekday
    settings = settings_from_config(ctx.config.extra, first)
    today = settings.today(now)
    snapshot = ctx.load(since=week_start(today, first) - timedelta(days=7))
    habit = resolve_active(snapshot.habits, name)
    mine, histories = reminder_view(
        snapshot.habits, snapshot.checkins, snapshot.skips, snapshot.me, snapshot.folds, snapshot.since
    )
    if habit not in mine:
        raise InvalidInput(
            f"'{habit.name}' is {snapshot.names.get(habit.who, habit.who)}'s; this device does not remind of it."
        )
    history = histories[habit.id]
    if not needs_reminder(habit, history, today, first, asked=True):
        why = "skipped" if today in history.skipped else "done" if history.logged(today) else "not due"
        raise InvalidInput(f"'{habit.name}' is {why} today: there is no reminder to snooze.")
    until = snooze_until(duration, now, settings)
    add_snooze(ctx.paths, Snooze(habit.id, today, until), now)
    echo(f"Snoozed '{habit.name}' until {until:%H:%M}; its reminders wait until then.")
    later = [at for at in habit.at if settings.instant(today, at, until.tzinfo) > until]  # type: ignore[arg-type]
    if later:
        echo(f"Its reminder at {', '.join(later)} still comes.")
    if is_quiet(until, settings):
        late = quiet_end(until, settings) - until >= settings.grace
        comes = "so it will not come (they end after the grace)" if late else "it comes when they end"
        echo(f"Note: {until:%H:%M} falls in your quiet hours ({settings.quiet}); {comes}.")
    if not is_locked(ctx.paths.data_dir / DAEMON_LOCK):
        echo("Note: the daemon is not running, so no reminder will come; start it with `connect daemon install`.")


# ---------------------------------------------------------------- the daemon


@command("run", group="daemon")
def daemon_run() -> int:
    """Run the daemon in the foreground (what the systemd unit starts)."""
    from ..daemon.journal import configure_logging
    from ..daemon.loop import Daemon
    from ..daemon.notify import choose_notifier
    from ..storage.paths import resolve_paths

    configure_logging()
    return Daemon(resolve_paths(), choose_notifier()).run()


@command("test", group="daemon")
def daemon_test() -> None:
    """Send one test notification now and say whether the desktop accepted it."""
    from ..daemon.notify import Notification, choose_notifier

    notifier = choose_notifier()
    delivery = notifier.send(
        Notification("connect: test notification", "If you can read this, your reminders will reach you.")
    )
    notifier.close()
    if not delivery.ok:
        raise ConnectError(f"The test notification was not delivered via {delivery.backend}: {delivery.error}.")
    if delivery.id is not None:
        echo(f"Sent via {delivery.backend}: the desktop accepted it (notification id {delivery.id}).")
    else:
        echo(f"Sent via {delivery.backend}: handed over, but this backend cannot confirm delivery.")


@command("status", JSON, group="daemon")
def daemon_status(as_json: bool) -> None:
    """Whether the daemon runs, the backend it uses, the next reminders and the last ones sent."""
    from ..daemon.folders import DAEMON_LOCK
    from ..daemon.notify import choose_notifier
    from ..daemon.state import load_state
    from ..storage.fileio import is_locked

    ctx = Context.from_environment()
    state = load_state(ctx.paths.state_file)
    running = is_locked(ctx.paths.data_dir / DAEMON_LOCK)
    backend = state.backend if running and state.backend else choose_notifier().name
    # In the order they go out: one held by quiet hours goes when they end.
    firing = [item for item in upcoming_reminders(ctx) if item["status"] == "will_fire"]
    upcoming = sorted(firing, key=lambda item: item["fires_at"])[:5]
    report = {
        "running": running,
        "pid": state.pid if running else None,
        "backend": backend,
        "next": upcoming,
        "last": state.last[-5:],
    }
    if as_json:
        echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    echo(f"Daemon: {f'running (pid {state.pid})' if running else 'not running'}; backend: {backend}.")
    if backend == "none":
        from ..daemon.notify import NO_BUS

        echo(f"Notifications cannot be shown here: {NO_BUS}.")
    echo("Next reminders:" if upcoming else "Next reminders: none in the next two days.")
    for item in upcoming:
        fires = item["fires_at"]
        held = f" (due {item['at']}, after quiet hours)" if fires[11:16] != item["at"] else ""
        echo(f"  {fires[:10]} {fires[11:16]}  {item['habit']}{held}")
    if state.last:
        echo("Last sent:")
        for entry in state.last[-5:]:
            outcome = "delivered" if entry.get("ok") else f"failed ({entry.get('detail', '')})"
            echo(
                f"  {entry.get('time', '?')[:16].replace('T', ' ')}  {entry.get('title', '')} via "
                f"{entry.get('backend', '?')}: {outcome}"
            )
    if not running:
        echo("Start it with `connect daemon install` (systemd) or `connect daemon run`.")


@command("install", group="daemon")
def daemon_install() -> None:
    """Write the systemd --user unit, then enable and start it (or print the commands to run)."""
    import os

    from ..daemon.service import install

    report = install(_own_executable(), dict(os.environ))
    for line in report.done:
        echo(line)
    if report.to_run:
        echo("Run these to enable and start it:")
        for line in report.to_run:
            echo(f"  {line}")


def _own_executable() -> str:
    import os
    import shutil

    candidate = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if os.path.basename(candidate) == "connect" and os.access(candidate, os.X_OK):
        return candidate
    found = shutil.which("connect")
    if found:
        return os.path.abspath(found)
    raise ConnectError("Cannot find the installed `connect` command to put in the unit; install it with pipx first.")
