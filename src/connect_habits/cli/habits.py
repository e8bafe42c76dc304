"""Defining habits: `add`, `edit` and `remove` (`list` is an everyday command)."""

from __future__ import annotations

import sys

from ..core.words import counted
from ..errors import ConnectError, UsageError
from .context import Context
from .output import echo
from .spec import FLAG, MANY, NOTE, TEXT, Argument, Option, command, integer

EVERY = Option(
    ("--every",),
    "every",
    TEXT,
    None,
    "daily, weekdays, weekends, mon,wed,fri, 3/week, weekly, 'every 3 days', 2/month, '2 in 3 days', 'first sat'.",
)
GOAL = Option(("--goal",), "goal", TEXT, None, "An amount to reach: 30m/day, 2h/week, '3 compliments/day'.")
LIMIT = Option(("--limit",), "limit", TEXT, None, "An amount not to pass: 1h/day, 5h/week, '2 coffees/day'.")
AT = Option(("--at",), "at", MANY, None, "Reminder time HH:MM; repeat for several.")
FROM = Option(("--from",), "template", TEXT, None, "Start from a catalog template (see `connect catalog`).")
WHO = Option(
    ("--who",), "who", TEXT, None, "together (default: either partner's check-in counts), each, or a partner's name."
)

REMIND_ON = Option(
    ("--remind-on",),
    "remind_on",
    TEXT,
    None,
    "The days its reminder comes on (sat,sun; auto: every due day, or for N/week the rule's days).",
)
REPEAT = Option(("--repeat",), "repeat", TEXT, None, "Repeat a reminder every 30m until done (at most 4 times; none).")
LENGTH = Option(
    ("--for",), "length", TEXT, None, "A challenge: how long from its start, like 30d or 4w (none: no end)."
)
UNTIL = Option(("--until",), "until", TEXT, None, "A challenge: its last day, YYYY-MM-DD (none: no end).")
STARTS = Option(("--starts",), "starts", TEXT, None, "The first day it counts: YYYY-MM-DD, today or tomorrow.")
GROUP = Option(("--group",), "group", TEXT, None, 'Show it under a heading, like "Evenings" (none: no group).')


# The options that come last on both `add` and `edit`, in their parameters' order.
SHARED = (WHO, REMIND_ON, REPEAT, LENGTH, UNTIL, STARTS, GROUP)


def habit_options(
    every, goal, at, note, template_id, who=None, remind_on=None, repeat=None, limit=None, span=(None,) * 3, group=None
):
    """What `add` and `edit` were told, with the template looked up (`span`: --starts, --until and --for)."""
    from ..core.habits import HabitOptions

    template = None
    if template_id is not None:
        from ..core.catalog import find_template

        template = find_template(template_id)
    starts, until, length = span
    return HabitOptions(
        every=every,
        goal=goal,
        at=at or None,
        note=note,
        template=template,
        who=who,
        remind_on=remind_on,
        repeat=repeat,
        limit=limit,
        group=group,
    )._replace(starts=starts, until=until, length=length)


def described(habit, names=None) -> str:
    """`weekly, reminders at 19:00`: the habit's rhythm, reminder times, and whose it is when it is one partner's."""
    from ..core.words import reminders_text, rhythm_text, span_text
    from .render import who_text

    reminders = f", reminders at {reminders_text(habit)}" if habit.at else ""
    who = {"together": "", "each": ", each of you"}.get(habit.who, f", {who_text(habit.who, names)}'s")
    span = f", {span_text(habit)}" if habit.starts or habit.ends else ""
    group = f", in {habit.group}" if habit.group else ""
    return f"{rhythm_text(habit)}{span}{reminders}{who}{group}"


@command(
    "add",
    Argument("name", "The habit's name (optional with --from).", required=False),
    EVERY,
    GOAL,
    LIMIT,
    AT,
    FROM,
    NOTE,
    *SHARED,
    fast=True,
)
def add(
    name: str | None,
    every: str | None,
    goal: str | None,
    limit: str | None,
    at: list[str] | None,
    template: str | None,
    note: str | None,
    who: str | None,
    remind_on: str | None,
    repeat: str | None,
    length: str | None,
    until: str | None,
    starts: str | None,
    group: str | None,
) -> None:
    """Add a habit; with --for or --until, a challenge (and with --starts, one that starts later)."""
    from ..core.habits import new_habit

    ctx = Context.from_environment()
    span = (starts, until, length)
    options = habit_options(every, goal, at, note, template, who, remind_on, repeat, limit, span, group)
    with ctx.transaction(since=ctx.today()) as tx:
        habit = new_habit(tx.snapshot.habits, name, options, ctx.today(), tx.snapshot.names)
        tx.add_habit(habit)
    echo(f"Added '{habit.name}' ({described(habit, tx.snapshot.names)}). Log it with `connect done {habit.slug}`.")
    _quiet_note(ctx, habit)


def _changes(before, after, names) -> list[str]:
    """What an edit changed, field by field: `rhythm daily → mon,wed,sat` (a template may change several)."""
    from ..core.words import reminders_text, rhythm_text
    from .render import who_text

    def shown(habit) -> dict[str, str]:
        from ..core.words import span_text

        return {
            "name": habit.name,
            "rhythm": rhythm_text(habit),
            "dates": span_text(habit) or "none",
            "reminders": reminders_text(habit) or "none",
            "note": habit.note or "none",
            "whose": who_text(habit.who, names) if habit.who not in ("together", "each") else habit.who,
            "prompts": "its template's" if habit.template else ("its own" if habit.prompts else "none"),
            "group": habit.group or "none",
        }

    old, new = shown(before), shown(after)
    return [f"{key} {old[key]} → {new[key]}" for key in old if old[key] != new[key]]


def _quiet_note(ctx, habit) -> None:
    """Say so when a reminder time falls in the quiet hours: held until they end, or not sent at all."""
    if not habit.at:
        return
    from datetime import datetime

    from ..core.reminders import quiet_end, settings_from_config

    try:
        settings = settings_from_config(ctx.config.extra, ctx.config.first_weekday)
    except ConnectError:
        return  # a bad setting is said where settings are read
    if settings.quiet is None:
        return
    for at in habit.at:
        moment = datetime.combine(ctx.today(), datetime.strptime(at, "%H:%M").time())
        fires = quiet_end(moment, settings)
        if fires == moment:
            continue
        if fires - moment < settings.grace:
            echo(f"Note: {at} falls in your quiet hours ({settings.quiet}); that reminder comes at {fires:%H:%M}.")
        else:
            echo(
                f"Note: {at} falls in your quiet hours ({settings.quiet}), which end more than "
                f"{_hours(settings.grace)} (the grace) later: that reminder will not be sent. Choose another time, "
                "or change quiet_hours."
            )


def _hours(delta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


@command(
    "edit",
    Argument("name", "The habit to change."),
    Option(("--rename",), "rename", TEXT, None, "A new name."),
    EVERY,
    GOAL.with_help("30m/day, 2h/week, '3 compliments/day', or 'none' to drop the goal."),
    LIMIT.with_help("1h/day, 5h/week, '2 coffees/day', or 'none' to drop the limit."),
    AT,
    Option(("--clear-at",), "clear_at", FLAG, False, "Remove all reminder times."),
    FROM,
    NOTE,
    *SHARED,
    Option(("--restore",), "restore", FLAG, False, "Bring back an archived habit."),
    fast=True,
)
def edit(
    name: str,
    rename: str | None,
    every: str | None,
    goal: str | None,
    limit: str | None,
    at: list[str] | None,
    clear_at: bool,
    template: str | None,
    note: str | None,
    who: str | None,
    remind_on: str | None,
    repeat: str | None,
    length: str | None,
    until: str | None,
    starts: str | None,
    group: str | None,
    restore: bool,
) -> None:
    """Change a habit's name, cadence, goal, reminder times, note, group, or a challenge's start and end."""
    from ..core.habits import changed_habit, resolve_active
    from ..core.names import resolve

    if clear_at and at:
        raise UsageError("Use either --at or --clear-at, not both.")
    ctx = Context.from_environment()
    span = (starts, until, length)
    at_given = [] if clear_at else at
    options = habit_options(every, goal, at_given, note, template, who, remind_on, repeat, limit, span, group)
    if clear_at:
        options = options._replace(at=())
    with ctx.transaction(since=ctx.today()) as tx:
        habits = tx.snapshot.habits
        habit = resolve(habits, name) if restore else resolve_active(habits, name)
        updated = changed_habit(habits, habit, options, rename, restore, tx.snapshot.names, ctx.today())
        if updated != habit:
            tx.replace_habit(updated)
    if updated == habit:
        echo(f"'{habit.name}' is unchanged.")
    else:
        echo(f"Updated '{updated.name}' ({described(updated, tx.snapshot.names)}).")
        changes = _changes(habit, updated, tx.snapshot.names)
        if changes:
            echo("Changed: " + "; ".join(changes) + ".")
        if updated.at != habit.at:
            _quiet_note(ctx, updated)


@command(
    "move",
    Argument("name", "The habit to move."),
    Option(("--before",), "before", TEXT, None, "Put it just before this habit."),
    Option(("--to",), "to", integer(), None, "Put it at this place among the active habits (1 is first)."),
    fast=True,
)
def move(name: str, before: str | None, to: int | None) -> None:
    """Change the order habits are shown in (week, list, stats); a group's habits stay together."""
    from ..core.habits import resolve_active
    from ..core.order import moved

    if before is not None and to is not None:
        raise UsageError("Use either --before or --to, not both.")
    if before is None and to is None:
        raise UsageError("Say where it goes: --before OTHER or --to N.")
    ctx = Context.from_environment()
    with ctx.transaction(since=ctx.today()) as tx:
        habits = tx.snapshot.habits
        habit = resolve_active(habits, name)
        other = resolve_active(habits, before) if before is not None else None
        changed, order = moved(habits, habit, other, to)
        for each in changed:
            tx.replace_habit(each)
    ids = [h.id for h in order]
    place = ids.index(habit.id) + 1
    where = f"place {place} of {len(ids)}" + (f", in {habit.group}" if habit.group else "")
    echo(f"Moved '{habit.name}' to {where}." if changed else f"'{habit.name}' is already there: {where}.")
    if place != (to if other is None else ids.index(other.id)):
        echo("(The habits of a group stay together, and those without a group come first.)")


@command(
    "remove",
    Argument("name", "The habit to remove."),
    Option(("--purge",), "purge", FLAG, False, "Delete it and all of its history for good."),
    Option(("--yes", "-y"), "yes", FLAG, False, "Do not ask for confirmation."),
)
def remove(name: str, purge: bool, yes: bool) -> None:
    """Archive a habit (its history is kept), or delete it for good with --purge --yes."""
    from ..core.names import resolve

    ctx = Context.from_environment()
    if purge and not yes:
        snapshot = ctx.load()
        habit = resolve(snapshot.habits, name)
        if not sys.stdin.isatty():
            raise UsageError(f"--purge deletes '{habit.name}' and its history for good; add --yes to confirm.")
        import click

        count = sum(1 for c in snapshot.checkins if c.habit_id == habit.id)
        click.confirm(f"Delete '{habit.name}' and its {counted(count, 'check-in')} for good?", abort=True)
    with ctx.transaction(since=ctx.today()) as tx:
        habit = resolve(tx.snapshot.habits, name)
        if purge:
            tx.purge_habit(habit.id)
        elif not habit.archived:
            tx.replace_habit(habit._replace(archived=True))
    if purge:
        echo(f"Deleted '{habit.name}' and its history.")
    elif habit.archived:
        echo(f"'{habit.name}' was already archived.")
    else:
        echo(f"Archived '{habit.name}'; its history is kept (`connect edit {habit.slug} --restore` brings it back).")
