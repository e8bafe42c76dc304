"""The `connect` command line: parse, call the core, save, print.

Heavy or optional modules (the catalog's TOML files, the daemon) load inside the
commands that need them. The everyday commands' bodies live in commands.py, which the fast
path (entry.py) runs without importing this module, typer or click at all.
"""

from __future__ import annotations

import json
import sys
from typing import List, Optional

import click
import typer

from .. import clock
from ..errors import ConnectError, UsageError
from ..storage.paths import resolve_paths
from . import commands
from .commands import _context, _load, _me, _out, _show_week, _style, _transaction
from .entry import ABORTED, exit_after, printable

app = typer.Typer(
    name="connect",
    help="Small rituals, repeated on purpose: a habit tracker for two.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

STARTER_TEMPLATES = ("weekly-check-in", "ten-minute-talk", "tech-free-dinner", "appreciation", "tech-free-time")

EveryOption = typer.Option(None, "--every", help="daily, weekdays, weekends, mon,wed,fri, 3/week, weekly, 'every 3 days'.")
GoalOption = typer.Option(None, "--goal", help="Minutes to reach: 30m/day, 2h/week, 1h30m/week.")
AtOption = typer.Option(None, "--at", help="Reminder time HH:MM; repeat for several.")
FromOption = typer.Option(None, "--from", help="Start from a catalog template (see `connect catalog`).")
NoteOption = typer.Option(None, "--note", help="A note to keep with it.")
DateOption = typer.Option("today", "--date", help="YYYY-MM-DD, today or yesterday.")
JsonOption = typer.Option(False, "--json", help="Print JSON for scripts.")
WhoOption = typer.Option(None, "--who", help="together (default: either partner's check-in counts), each, or a partner's name.")


def _template(template_id: str | None):
    if template_id is None:
        return None
    from ..core.catalog import find_template

    return find_template(template_id)


def _habit_options(every, goal, at, note, template_id, who=None):
    from ..core.habits import HabitOptions

    return HabitOptions(every=every, goal=goal, at=at or None, note=note, template=_template(template_id), who=who)


# ---------------------------------------------------------------- habits


@app.command()
def add(
    name: Optional[str] = typer.Argument(None, help="The habit's name (optional with --from)."),
    every: Optional[str] = EveryOption,
    goal: Optional[str] = GoalOption,
    at: Optional[List[str]] = AtOption,
    template: Optional[str] = FromOption,
    note: Optional[str] = NoteOption,
    who: Optional[str] = WhoOption,
) -> None:
    """Add a habit."""
    from ..core.habits import new_habit

    _, store, _ = _context()
    options = _habit_options(every, goal, at, note, template, who)
    with _transaction(store, since=clock.today()) as tx:
        habit = new_habit(tx.snapshot.habits, name, options, clock.today(), tx.snapshot.persons)
        tx.add_habit(habit)
    _out(f"Added '{habit.name}' ({_rhythm(habit)}{_reminders(habit)}). Log it with `connect done {habit.slug}`.")


def _rhythm(habit) -> str:
    from ..core.words import rhythm_text

    return rhythm_text(habit)


def _reminders(habit) -> str:
    return f", reminders at {', '.join(habit.at)}" if habit.at else ""


@app.command()
def edit(
    name: str = typer.Argument(..., help="The habit to change."),
    rename: Optional[str] = typer.Option(None, "--rename", help="A new name."),
    every: Optional[str] = EveryOption,
    goal: Optional[str] = typer.Option(None, "--goal", help="30m/day, 2h/week, or 'none' to drop the goal."),
    at: Optional[List[str]] = AtOption,
    clear_at: bool = typer.Option(False, "--clear-at", help="Remove all reminder times."),
    template: Optional[str] = FromOption,
    note: Optional[str] = NoteOption,
    who: Optional[str] = WhoOption,
    restore: bool = typer.Option(False, "--restore", help="Bring back an archived habit."),
) -> None:
    """Change a habit's name, cadence, goal, reminder times or note."""
    from ..core.habits import changed_habit, resolve_active
    from ..core.names import resolve

    if clear_at and at:
        raise UsageError("Use either --at or --clear-at, not both.")
    _, store, _ = _context()
    options = _habit_options(every, goal, [] if clear_at else at, note, template, who)
    if clear_at:
        options = options._replace(at=())
    with _transaction(store, since=clock.today()) as tx:
        habits = tx.snapshot.habits
        habit = resolve(habits, name) if restore else resolve_active(habits, name)
        updated = changed_habit(habits, habit, options, rename=rename, restore=restore, persons=tx.snapshot.persons)
        if updated != habit:
            tx.replace_habit(updated)
    if updated == habit:
        _out(f"'{habit.name}' is unchanged.")
    else:
        _out(f"Updated '{updated.name}' ({_rhythm(updated)}{_reminders(updated)}).")


@app.command()
def remove(
    name: str = typer.Argument(..., help="The habit to remove."),
    purge: bool = typer.Option(False, "--purge", help="Delete it and all of its history for good."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Archive a habit (its history is kept), or delete it for good with --purge --yes."""
    from ..core.names import resolve

    _, store, _ = _context()
    if purge and not yes:
        snapshot = _load(store)
        habit = resolve(snapshot.habits, name)
        if not sys.stdin.isatty():
            raise UsageError(f"--purge deletes '{habit.name}' and its history for good; add --yes to confirm.")
        count = sum(1 for c in snapshot.checkins if c.habit_id == habit.id)
        typer.confirm(f"Delete '{habit.name}' and its {count} check-ins for good?", abort=True)
    with _transaction(store, since=clock.today()) as tx:
        habit = resolve(tx.snapshot.habits, name)
        if purge:
            tx.purge_habit(habit.id)
        elif not habit.archived:
            tx.replace_habit(habit._replace(archived=True))
    if purge:
        _out(f"Deleted '{habit.name}' and its history.")
    elif habit.archived:
        _out(f"'{habit.name}' was already archived.")
    else:
        _out(f"Archived '{habit.name}'; its history is kept (`connect edit {habit.slug} --restore` brings it back).")


@app.command("list")
def list_habits(
    as_json: bool = JsonOption,
) -> None:
    """List the habits (archived ones too, at the end)."""
    commands.list_habits(as_json)


# ---------------------------------------------------------------- logging


@app.command()
def done(
    name: str = typer.Argument(..., help="The habit (a unique prefix of its name or slug is enough)."),
    day: str = DateOption,
    minutes: Optional[int] = typer.Option(None, "--minutes", "-m", help="Minutes spent (for minutes goals)."),
    note: Optional[str] = NoteOption,
    by: Optional[str] = typer.Option(None, "--by", help="Log it for a partner (default: you)."),
) -> None:
    """Log a habit as done (today unless --date)."""
    commands.done(name, day, minutes, note, by)


@app.command()
def undo(
    name: str = typer.Argument(..., help="The habit."),
    day: str = DateOption,
    by: Optional[str] = typer.Option(None, "--by", help="Whose check-in, for a habit each of you does."),
) -> None:
    """Remove the day's latest check-in (or, if it has none, the day's skip)."""
    from ..core.habits import parse_person
    from ..core.model import parse_date
    from ..core.words import short_date
    from ..storage.actions import undo as undo_day

    _, store, config = _context()
    today = clock.today()
    when = parse_date(day, today)
    with _transaction(store, since=when) as tx:
        person = parse_person(by, tx.snapshot.persons) if by is not None else _me(config)
        outcome = undo_day(tx, name, when, by=person)
    label = short_date(when, today)
    if outcome.checkin is not None:
        amount = f" ({outcome.checkin.minutes} min)" if outcome.checkin.minutes else ""
        _out(f"Removed the check-in{amount} of '{outcome.habit.name}' for {label}.")
    else:
        _out(f"'{outcome.habit.name}' is no longer skipped {label}.")


@app.command()
def skip(
    name: str = typer.Argument(..., help="The habit."),
    day: Optional[str] = typer.Option(None, "--date", help="One day to skip: YYYY-MM-DD, today or yesterday."),
    start: Optional[str] = typer.Option(None, "--from", help="First day of a range to skip."),
    end: Optional[str] = typer.Option(None, "--to", help="Last day of a range to skip."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (kept with the skip)."),
) -> None:
    """Set days aside: skipped days neither count nor break a streak."""
    from ..core.habits import skip_days
    from ..core.model import parse_date
    from ..storage.actions import record_skips

    if day is not None and (start is not None or end is not None):
        raise UsageError("Use either --date or --from/--to, not both.")
    if day is None and (start is None or end is None):
        raise UsageError("Say which days: --date DATE, or --from DATE --to DATE.")
    _, store, _ = _context()
    today = clock.today()
    days = [parse_date(day, today)] if day is not None else skip_days(parse_date(start, today), parse_date(end, today))
    with _transaction(store, since=min(days)) as tx:
        outcome = record_skips(tx, name, days, reason)
    name_ = outcome.habit.name
    if not outcome.added:
        _out(f"'{name_}' was already skipped on {_span(outcome.already)}; nothing changed.")
    else:
        _out(f"Skipping '{name_}' on {_span(outcome.added)}.")


def _span(days) -> str:
    if len(days) == 1:
        return days[0].isoformat()
    return f"{len(days)} days, {days[0].isoformat()} to {days[-1].isoformat()}"


# ---------------------------------------------------------------- the week


@app.command()
def week(
    day: str = DateOption,
    as_json: bool = JsonOption,
    weeks: int = typer.Option(1, "--weeks", min=1, max=52, help="Show the last N weeks side by side."),
) -> None:
    """The weekly summary: every habit's days, streak and progress this week."""
    commands.week(day, as_json, weeks)


# ---------------------------------------------------------------- insight


@app.command()
def stats(
    name: Optional[str] = typer.Argument(None, help="One habit in depth; all of them in a line each when left out."),
    weeks: int = typer.Option(26, "--weeks", min=1, max=520, help="How many weeks the calendar shows."),
    as_json: bool = JsonOption,
) -> None:
    """How your rituals are going: calendar, streaks, completion, strength."""
    commands.stats(name, weeks, as_json)


@app.command("log")
def history_log(
    name: Optional[str] = typer.Argument(None, help="One habit (all when left out)."),
    since: Optional[str] = typer.Option(None, "--since", help="From this date: YYYY-MM-DD, today or yesterday."),
    as_json: bool = JsonOption,
) -> None:
    """The raw history, newest first, with notes and who logged it."""
    from ..core.habits import resolve_active
    from ..core.model import parse_date
    from ..core.words import clean

    start = parse_date(since, clock.today()) if since else None  # before reading: a refusal changes nothing
    _, store, _ = _context()
    snapshot = _load(store)
    habit_ids = {resolve_active(snapshot.habits, name).id} if name else {h.id for h in snapshot.habits}
    names = {h.id: h for h in snapshot.habits}
    entries = [
        {"kind": "checkin", "date": c.day.isoformat(), "habit": names[c.habit_id].name,
         "slug": names[c.habit_id].slug, "minutes": c.minutes, "note": c.note, "by": c.by, "source": c.source,
         "logged_at": c.logged_at}
        for c in snapshot.checkins if c.habit_id in habit_ids and (start is None or c.day >= start)
    ] + [
        {"kind": "skip", "date": s.day.isoformat(), "habit": names[s.habit_id].name,
         "slug": names[s.habit_id].slug, "minutes": None, "note": s.reason, "by": None, "source": "skip",
         "logged_at": ""}
        for s in snapshot.skips if s.habit_id in habit_ids and (start is None or s.day >= start)
    ]
    entries.sort(key=lambda e: (e["date"], e["logged_at"]), reverse=True)
    if as_json:
        _out(json.dumps(entries, ensure_ascii=False, indent=2))
        return
    if not entries:
        _out("Nothing logged yet.")
        return
    for entry in entries:
        what = "skipped" if entry["kind"] == "skip" else (f"{entry['minutes']} min" if entry["minutes"] else "done")
        who = f" by {entry['by']}" if entry["by"] else ""
        note = f" — {clean(entry['note'])}" if entry["note"] else ""
        _out(f"{entry['date']}  {clean(entry['habit'])}: {what}{who}{note}")


# ---------------------------------------------------------------- catalog and first run


@app.command()
def catalog(as_json: bool = JsonOption) -> None:
    """Browse the habit templates, grouped by the strategy they serve."""
    from ..core.catalog import load_catalog
    from .render import render_catalog

    templates = load_catalog()
    if as_json:
        _out(json.dumps([t.as_dict() for t in templates], ensure_ascii=False, indent=2))
    else:
        _out(render_catalog(templates, _style()))


@app.command()
def prompt(
    source: Optional[str] = typer.Argument(None, help="A template id or one of your habits; any when left out."),
) -> None:
    """Print one conversation starter or prompt at random."""
    from ..core.catalog import find_template, load_catalog, random_prompt
    from ..errors import HabitNotFound

    if source is None:
        prompts = [p for t in load_catalog() for p in t.prompts]
    else:
        try:
            prompts = list(find_template(source).prompts)
        except HabitNotFound as not_a_template:
            prompts = _habit_prompts(source, not_a_template)
    _out(random_prompt(prompts))


def _habit_prompts(query: str, not_a_template: ConnectError) -> list[str]:
    from ..core.catalog import find_template
    from ..core.habits import resolve_active

    _, store, _ = _context()
    try:
        habit = resolve_active(_load(store, since=clock.today()).habits, query)
    except ConnectError:
        raise not_a_template from None
    prompts = list(habit.prompts) or (list(find_template(habit.template).prompts) if habit.template else [])
    if not prompts:
        raise ConnectError(f"'{habit.name}' has no prompts; try `connect prompt` for any of the catalog's.")
    return prompts


@app.command()
def init(
    partner: Optional[List[str]] = typer.Option(None, "--partner", help="A partner's name; give it twice."),
    habit: Optional[List[str]] = typer.Option(None, "--habit", help="A starter template id; repeat for several."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Ask nothing; use the flags and the defaults."),
) -> None:
    """First run: your names, a starter plan from the catalog, and the week."""
    from ..core.catalog import find_template, load_catalog
    from ..core.habits import HabitOptions, new_habit
    from ..core.model import parse_name
    from ..storage.config import save_config

    paths, store, config = _context()
    interactive = sys.stdin.isatty() and not yes
    partners = [parse_name(p) for p in partner or []]
    if len(partners) > 2:
        raise UsageError("A couple is two people: give --partner at most twice.")
    if not partners and interactive:
        defaults = list(config.partners) + ["", ""]
        partners = [parse_name(typer.prompt(f"Partner {i + 1}'s name", default=defaults[i] or None))
                    for i in range(2)]
    ids = list(habit or [])
    if not ids and interactive:
        ids = _ask_starters(load_catalog())
    elif not ids:
        ids = list(STARTER_TEMPLATES)
    templates = [find_template(i) for i in ids]

    today = clock.today()
    added = []
    with _transaction(store, since=today) as tx:
        existing = tx.snapshot.habits
        used = {h.template for h in existing} | {h.name.casefold() for h in existing}
        for template in templates:
            if template.id in used or template.name.casefold() in used:
                continue
            new = new_habit(existing, None, HabitOptions(template=template), today)
            tx.add_habit(new)
            existing.append(new)
            added.append(new)
    if partners:
        config = config.with_partners(tuple(partners))
    save_config(paths.config_file, config)

    who = " & ".join(config.partners) if config.partners else "you two"
    _out(f"Welcome, {who}. Your data lives in {paths.data_dir}.")
    if added:
        _out("Added: " + ", ".join(f"{h.name} ({_rhythm(h)})" for h in added) + ".")
    else:
        _out("Your starter habits were already there; nothing added.")
    _out()
    _show_week(store, config, "today", as_json=False)


def _ask_starters(templates) -> list[str]:
    _out("Starter habits (you can add, edit or remove any later):")
    for number, template in enumerate(templates, start=1):
        mark = "*" if template.id in STARTER_TEMPLATES else " "
        _out(f" {mark}{number:>2}. {template.name} ({_rhythm(template)})")
    default = ",".join(str(i) for i, t in enumerate(templates, start=1) if t.id in STARTER_TEMPLATES)
    answer = typer.prompt("Which ones? Numbers separated by commas (or 'none')", default=default)
    if answer.strip().lower() == "none":
        return []
    chosen = []
    for part in answer.replace(" ", ",").split(","):
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= len(templates):
            raise UsageError(f"'{part}' is not one of the numbers 1 to {len(templates)}.")
        chosen.append(templates[int(part) - 1].id)
    return chosen


# ---------------------------------------------------------------- reminders and the daemon

daemon_app = typer.Typer(help="The reminder daemon: install it, check it, test a notification, run it.",
                         no_args_is_help=True)
app.add_typer(daemon_app, name="daemon")


@daemon_app.command("run")
def daemon_run() -> None:
    """Run the daemon in the foreground (what the systemd unit starts)."""
    from ..daemon.journal import configure_logging
    from ..daemon.loop import Daemon
    from ..daemon.notify import choose_notifier

    configure_logging()
    raise typer.Exit(Daemon(resolve_paths(), choose_notifier()).run())


@daemon_app.command("test")
def daemon_test() -> None:
    """Send one test notification now and say whether the desktop accepted it."""
    from ..daemon.notify import Notification, choose_notifier

    notifier = choose_notifier()
    delivery = notifier.send(Notification(
        "connect: test notification", "If you can read this, your reminders will reach you."))
    notifier.close()
    if not delivery.ok:
        raise ConnectError(f"The test notification was not delivered via {delivery.backend}: {delivery.error}.")
    if delivery.id is not None:
        _out(f"Sent via {delivery.backend}: the desktop accepted it (notification id {delivery.id}).")
    else:
        _out(f"Sent via {delivery.backend}: handed over, but this backend cannot confirm delivery.")


@daemon_app.command("status")
def daemon_status(as_json: bool = JsonOption) -> None:
    """Whether the daemon runs, the backend it uses, the next reminders and the last ones sent."""
    from ..daemon.loop import DAEMON_LOCK
    from ..daemon.notify import choose_notifier
    from ..daemon.state import load_state
    from ..storage.fileio import is_locked

    paths, store, config = _context()
    state = load_state(paths.state_file)
    running = is_locked(paths.data_dir / DAEMON_LOCK)
    backend = state.backend if running and state.backend else choose_notifier().name
    upcoming = [item for item in _upcoming(store, config) if item["status"] == "will_fire"][:5]
    report = {"running": running, "pid": state.pid if running else None, "backend": backend,
              "next": upcoming, "last": state.last[-5:]}
    if as_json:
        _out(json.dumps(report, ensure_ascii=False, indent=2))
        return
    _out(f"Daemon: {'running (pid %s)' % state.pid if running else 'not running'}; backend: {backend}.")
    _out("Next reminders:" if upcoming else "Next reminders: none in the next two days.")
    for item in upcoming:
        _out(f"  {item['date']} {item['at']}  {item['habit']}")
    if state.last:
        _out("Last sent:")
        for entry in state.last[-5:]:
            outcome = "delivered" if entry.get("ok") else f"failed ({entry.get('detail', '')})"
            _out(f"  {entry.get('time', '?')[:16].replace('T', ' ')}  {entry.get('title', '')} via "
                 f"{entry.get('backend', '?')}: {outcome}")
    if not running:
        _out("Start it with `connect daemon install` (systemd) or `connect daemon run`.")


@daemon_app.command("install")
def daemon_install() -> None:
    """Write the systemd --user unit, then enable and start it (or print the commands to run)."""
    import os

    from ..daemon.service import install

    report = install(_own_executable(), dict(os.environ))
    for line in report.done:
        _out(line)
    if report.to_run:
        _out("Run these to enable and start it:")
        for command in report.to_run:
            _out(f"  {command}")


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


def _reminder_window(config):
    """The days a reminder looks at: this week and the last (its streak comes from the folds)."""
    from datetime import timedelta

    from ..core.cadence import week_start

    return week_start(clock.today(), config.first_weekday) - timedelta(days=7)


def _upcoming(store, config) -> list[dict]:
    from ..core.reminders import reminder_view, settings_from_config, upcoming

    snapshot = _load(store, since=_reminder_window(config))
    settings = settings_from_config(config.extra, config.first_weekday)
    names = {h.id: h for h in snapshot.habits}
    habits, histories = reminder_view(snapshot.habits, snapshot.checkins, snapshot.skips, store.layout.me,
                                      snapshot.folds, snapshot.since)
    return [
        {"habit": names[slot.habit_id].name, "slug": names[slot.habit_id].slug, "date": slot.day.isoformat(),
         "at": slot.at, "time": slot.instant.isoformat(timespec="minutes"), "status": status,
         "fires_at": fires.isoformat(timespec="minutes") if status == "will_fire" else None}
        for slot, status, fires in upcoming(habits, histories, clock.now_aware(), settings)
    ]


@app.command()
def remind(as_json: bool = JsonOption) -> None:
    """The next reminders (today and tomorrow), from the same rules the daemon uses."""
    _, store, config = _context()
    items = _upcoming(store, config)
    if as_json:
        _out(json.dumps(items, ensure_ascii=False, indent=2))
        return
    if not items:
        _out("No reminders in the next two days; give a habit a time with `connect edit NAME --at 19:00`.")
        return
    labels = {"will_fire": "", "done": "(done)", "not_due": "(not due)", "skipped": "(skipped)",
              "quiet_hours": "(quiet hours)"}
    today = clock.today().isoformat()
    for item in items:
        when = "today" if item["date"] == today else "tomorrow"
        label = labels[item["status"]]
        if item["fires_at"] and item["fires_at"][11:16] != item["at"]:
            label = f"(after quiet hours, at {item['fires_at'][11:16]})"
        _out(f"{when:<9} {item['at']}  {item['habit']} {label}".rstrip())


@app.command()
def unplug(
    duration: Optional[str] = typer.Argument(None, help="How long: 90m, 2h, 1h30m."),
    habit: Optional[str] = typer.Option(None, "--habit", help="The habit to log to (default: the first with a minutes goal)."),
    stop: bool = typer.Option(False, "--stop", help="End the running session now and log the minutes so far."),
) -> None:
    """Start a tech-free session; when it is over, its minutes are logged (and the daemon tells you)."""
    from ..core.model import parse_duration
    from ..daemon.loop import DAEMON_LOCK
    from ..storage.actions import start_session, stop_session
    from ..storage.fileio import is_locked

    if stop == (duration is not None):
        raise UsageError("Give a duration (connect unplug 90m) or --stop, one of the two.")
    from datetime import timedelta

    paths, store, _ = _context()
    now = clock.now_aware()
    recent = now.date() - timedelta(days=2)  # a session may have begun before midnight
    if stop:
        with _transaction(store, since=recent) as tx:
            ended = stop_session(tx, now)
        minutes = ended.checkin.minutes if ended.checkin else 0
        _out(f"Ended the tech-free session: {minutes} min logged to '{ended.habit.name}'."
             if minutes else "Ended the tech-free session before a minute had passed; nothing logged.")
        return
    minutes = parse_duration(duration)
    with _transaction(store, since=recent) as tx:
        session = start_session(tx, habit, minutes, now)
    name = next(h.name for h in tx.snapshot.habits if h.id == session.habit_id)
    _out(f"Tech-free for {minutes} min, until {session.ends:%H:%M}, logged to '{name}'. Phones away; enjoy.")
    if not is_locked(paths.data_dir / DAEMON_LOCK):
        _out("(The daemon is not running: the next connect command after that time logs the minutes.)")


# ---------------------------------------------------------------- sharing between two machines

sync_app = typer.Typer(help="Share one log between your two machines through a synced folder.",
                       no_args_is_help=True)
app.add_typer(sync_app, name="sync")


@sync_app.command("init")
def sync_init(
    folder: str = typer.Argument(..., help="A folder your sync tool keeps in step (Syncthing, Nextcloud, git…)."),
    me: str = typer.Option(..., "--me", help="Your name: what you log here is logged as you."),
) -> None:
    """On the first machine: move this home's data into the shared folder."""
    from ..storage.sharing import share

    paths, _, config = _context()
    for line in share(paths, config, folder, me, joining=False).lines:
        _out(line)


@sync_app.command("join")
def sync_join(
    folder: str = typer.Argument(..., help="The shared folder, once it has synced to this machine."),
    me: str = typer.Option(..., "--me", help="Your name: what you log here is logged as you."),
) -> None:
    """On the other machine: join the shared folder (this home's data, if any, comes along)."""
    from ..storage.sharing import share

    paths, _, config = _context()
    for line in share(paths, config, folder, me, joining=True).lines:
        _out(line)


@sync_app.command("status")
def sync_status(as_json: bool = JsonOption) -> None:
    """Devices seen, the last change from each, and anything odd."""
    from ..storage.sharing import status

    paths, _, config = _context()
    report = status(paths, config)
    if as_json:
        _out(json.dumps(report, ensure_ascii=False, indent=2))
        return
    if not report["shared"]:
        _out("Not shared: this home is private. `connect sync init FOLDER --me NAME` shares it.")
        return
    _out(f"Shared through {report['folder']}; this device is {report['device']}, logging as {report['me']}.")
    for device in report["devices"]:
        mark = " (this device)" if device["this_device"] else ""
        if device["readable"]:
            last = (device["last_change"] or "never")[:16].replace("T", " ")
            _out(f"  {device['device']}  {device['person'] or '?'}{mark}: {device['checkins']} check-ins, "
                 f"last change {last}")
        else:
            _out(f"  {device['device']}{mark}: unreadable for now")
    for line in report["odd"]:
        _out(f"Note: {line}.")
    if not report["odd"]:
        _out("Nothing odd.")


@sync_app.command("leave")
def sync_leave() -> None:
    """Copy the merged data back into a private home and stop sharing."""
    from ..storage.sharing import leave

    paths, _, config = _context()
    for line in leave(paths, config).lines:
        _out(line)


from .transfer import register  # noqa: E402  (export and import live in their own module)

register(app)


# ---------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> None:
    """Run the Typer CLI: user errors become one sentence on stderr and an exit code, never a traceback."""
    exit_after(lambda: _run(argv))


def _run(argv: list[str] | None) -> int:
    """The Typer app on `argv`; a command-line mistake is one sentence on stderr and its exit code."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="connect", standalone_mode=False)
    except click.ClickException as error:
        hint = ""
        if isinstance(error, click.UsageError) and error.ctx is not None:
            hint = f" See `{error.ctx.command_path} --help`."
        commands.echo(f"Error: {printable(error.format_message())}{hint}", err=True)
        return error.exit_code
    except click.exceptions.Abort:
        commands.echo(ABORTED, err=True)
        return 1
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    main()
