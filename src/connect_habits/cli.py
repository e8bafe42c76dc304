"""The `connect` command line: parse, call the core, save, print.

Heavy or optional modules (the catalog's TOML files, the daemon) load inside the
commands that need them, so `connect done` stays quick.
"""

from __future__ import annotations

import json
import sys
from typing import List, Optional

import click
import typer

from . import clock
from .errors import ConnectError, UsageError
from .paths import resolve_paths

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


def _out(text: str = "") -> None:
    typer.echo(text)


def _context():
    from .config import load_config
    from .store import Store

    paths = resolve_paths()
    return paths, Store(paths), load_config(paths.config_file)


def _style():
    from .render import Style

    return Style.for_stream(sys.stdout)


def _template(template_id: str | None):
    if template_id is None:
        return None
    from .catalog import find_template

    return find_template(template_id)


def _habit_options(every, goal, at, note, template_id):
    from .actions import HabitOptions

    return HabitOptions(every=every, goal=goal, at=at or None, note=note, template=_template(template_id))


# ---------------------------------------------------------------- habits


@app.command()
def add(
    name: Optional[str] = typer.Argument(None, help="The habit's name (optional with --from)."),
    every: Optional[str] = EveryOption,
    goal: Optional[str] = GoalOption,
    at: Optional[List[str]] = AtOption,
    template: Optional[str] = FromOption,
    note: Optional[str] = NoteOption,
) -> None:
    """Add a habit."""
    from .actions import new_habit

    _, store, _ = _context()
    options = _habit_options(every, goal, at, note, template)
    with store.transaction() as tx:
        habit = new_habit(tx.snapshot.habits, name, options, clock.today())
        tx.add_habit(habit)
    _out(f"Added '{habit.name}' ({_rhythm(habit)}{_reminders(habit)}). Log it with `connect done {habit.slug}`.")


def _rhythm(habit) -> str:
    from .render import rhythm_text

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
    restore: bool = typer.Option(False, "--restore", help="Bring back an archived habit."),
) -> None:
    """Change a habit's name, cadence, goal, reminder times or note."""
    from .actions import changed_habit, resolve_active
    from .names import resolve

    if clear_at and at:
        raise UsageError("Use either --at or --clear-at, not both.")
    _, store, _ = _context()
    options = _habit_options(every, goal, [] if clear_at else at, note, template)
    if clear_at:
        from dataclasses import replace

        options = replace(options, at=())
    with store.transaction() as tx:
        habits = tx.snapshot.habits
        habit = resolve(habits, name) if restore else resolve_active(habits, name)
        updated = changed_habit(habits, habit, options, rename=rename, restore=restore)
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
    from dataclasses import replace

    from .names import resolve

    _, store, _ = _context()
    if purge and not yes:
        snapshot = store.load()
        habit = resolve(snapshot.habits, name)
        if not sys.stdin.isatty():
            raise UsageError(f"--purge deletes '{habit.name}' and its history for good; add --yes to confirm.")
        count = sum(1 for c in snapshot.checkins if c.habit_id == habit.id)
        typer.confirm(f"Delete '{habit.name}' and its {count} check-ins for good?", abort=True)
    with store.transaction() as tx:
        habit = resolve(tx.snapshot.habits, name)
        if purge:
            tx.purge_habit(habit.id)
        elif not habit.archived:
            tx.replace_habit(replace(habit, archived=True))
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
    from .render import habit_json, render_habits

    _, store, _ = _context()
    habits = store.load().habits
    if as_json:
        _out(json.dumps([habit_json(h) for h in habits], ensure_ascii=False, indent=2))
    else:
        _out(render_habits(habits, _style()))


# ---------------------------------------------------------------- logging


@app.command()
def done(
    name: str = typer.Argument(..., help="The habit (a unique prefix of its name or slug is enough)."),
    day: str = DateOption,
    minutes: Optional[int] = typer.Option(None, "--minutes", "-m", help="Minutes spent (for minutes goals)."),
    note: Optional[str] = NoteOption,
) -> None:
    """Log a habit as done (today unless --date)."""
    from .actions import record_done
    from .model import parse_date, parse_minutes
    from .render import short_date

    _, store, config = _context()
    now = clock.now()
    when = parse_date(day, now.date())
    amount = parse_minutes(minutes) if minutes is not None else None
    with store.transaction() as tx:
        outcome = record_done(tx, name, when, now, minutes=amount, note=note)
    habit, label = outcome.habit, short_date(when, now.date())
    if outcome.checkin is None:
        _out(f"'{habit.name}' was already done {label}; nothing changed.")
        return
    row = _week_row(tx.snapshot, habit, now.date(), config)
    logged = f"Logged {amount} min of '{habit.name}'" if amount else f"'{habit.name}' done"
    _out(f"{logged} {label}. {_progress_line(row)}")
    from .cadence import is_due

    if not habit.week_based and not is_due(habit, when):
        _out(f"({when:%A} is not one of its days: it is in the log, but does not add to the streak.)")


def _week_row(snapshot, habit, today, config):
    from .streaks import build_histories, habit_week

    histories = build_histories(
        (c for c in snapshot.checkins if c.habit_id == habit.id),
        (s for s in snapshot.skips if s.habit_id == habit.id),
    )
    return habit_week(habit, histories[habit.id], today, today, config.first_weekday)


def _progress_line(row) -> str:
    from .render import progress_text, streak_text

    return f"This week {progress_text(row)}, streak {streak_text(row.streak, row.streak_unit)}."


@app.command()
def undo(
    name: str = typer.Argument(..., help="The habit."),
    day: str = DateOption,
) -> None:
    """Remove the day's latest check-in (or, if it has none, the day's skip)."""
    from .actions import undo as undo_day
    from .model import parse_date
    from .render import short_date

    _, store, _ = _context()
    today = clock.today()
    when = parse_date(day, today)
    with store.transaction() as tx:
        outcome = undo_day(tx, name, when)
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
    from .actions import record_skips, skip_days
    from .model import parse_date

    if day is not None and (start is not None or end is not None):
        raise UsageError("Use either --date or --from/--to, not both.")
    if day is None and (start is None or end is None):
        raise UsageError("Say which days: --date DATE, or --from DATE --to DATE.")
    _, store, _ = _context()
    today = clock.today()
    days = [parse_date(day, today)] if day is not None else skip_days(parse_date(start, today), parse_date(end, today))
    with store.transaction() as tx:
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
) -> None:
    """The weekly summary: every habit's days, streak and progress this week."""
    _, store, config = _context()
    _show_week(store, config, day, as_json)


def _show_week(store, config, day: str, as_json: bool) -> None:
    from .model import parse_date
    from .render import EMPTY_WEEK, render_week, week_json
    from .streaks import week_summary

    today = clock.today()
    when = parse_date(day, today)
    snapshot = store.load()
    summary = week_summary(snapshot.habits, snapshot.checkins, snapshot.skips, today, when, config.first_weekday)
    if as_json:
        _out(json.dumps(week_json(summary), ensure_ascii=False, indent=2))
    elif not summary.habits:
        _out(EMPTY_WEEK)
    else:
        _out(render_week(summary, _style(), config.partners))


# ---------------------------------------------------------------- catalog and first run


@app.command()
def catalog(as_json: bool = JsonOption) -> None:
    """Browse the habit templates, grouped by the strategy they serve."""
    from .catalog import load_catalog
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
    from .catalog import find_template, load_catalog, random_prompt
    from .errors import HabitNotFound

    if source is None:
        prompts = [p for t in load_catalog() for p in t.prompts]
    else:
        try:
            prompts = list(find_template(source).prompts)
        except HabitNotFound as not_a_template:
            prompts = _habit_prompts(source, not_a_template)
    _out(random_prompt(prompts))


def _habit_prompts(query: str, not_a_template: ConnectError) -> list[str]:
    from .actions import resolve_active
    from .catalog import find_template

    _, store, _ = _context()
    try:
        habit = resolve_active(store.load().habits, query)
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
    from .actions import HabitOptions, new_habit
    from .catalog import find_template, load_catalog
    from .config import save_config
    from .model import parse_name

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
    with store.transaction() as tx:
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


# ---------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> None:
    """Run the CLI: user errors become one sentence on stderr and an exit code, never a traceback."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="connect", standalone_mode=False)
    except ConnectError as error:
        typer.echo(f"Error: {error.message}", err=True)
        sys.exit(error.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        typer.echo("Aborted; nothing changed.", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo("Interrupted.", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (`connect week | head`); say nothing more.
        sys.stderr.close()
        sys.exit(0)
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
