"""Changing and reading the log: `undo`, `skip`, `unplug` (a tech-free session) and `log` (the raw history).

Logging a check-in is `done`, an everyday command.
"""

from __future__ import annotations

import json

from .. import clock
from ..errors import UsageError
from .context import Context
from .output import echo
from .spec import DATE, FLAG, JSON, TEXT, Argument, Option, command


@command(
    "undo",
    Argument("name", "The habit."),
    DATE,
    Option(("--by",), "by", TEXT, None, "Whose check-in, for a habit each of you does."),
)
def undo(name: str, day: str, by: str | None) -> None:
    """Remove the day's latest check-in (or, if it has none, the day's skip)."""
    from ..core.couple import find_partner
    from ..core.model import parse_date
    from ..core.words import short_date
    from ..storage.actions import undo as undo_day

    ctx = Context.from_environment()
    today = clock.today()
    when = parse_date(day, today)
    with ctx.transaction(since=when) as tx:
        person = find_partner(tx.snapshot.names, by) if by is not None else tx.snapshot.me
        outcome = undo_day(tx, name, when, by=person)
    label = short_date(when, today)
    if outcome.checkin is not None:
        amount = f" ({outcome.checkin.minutes} min)" if outcome.checkin.minutes else ""
        couple = tx.snapshot.couple
        whose = f" by {couple.name(outcome.checkin.by)}" if couple is not None and outcome.checkin.by else ""
        echo(f"Removed the check-in{amount} of '{outcome.habit.name}'{whose} for {label}.")
    else:
        echo(f"'{outcome.habit.name}' is no longer skipped {label}.")


@command(
    "skip",
    Argument("name", "The habit."),
    Option(
        ("--date",), "day", TEXT, None, "One day to skip: YYYY-MM-DD, today, yesterday, a weekday (wed) or N days ago."
    ),
    Option(("--from",), "start", TEXT, None, "First day of a range to skip."),
    Option(("--to",), "end", TEXT, None, "Last day of a range to skip."),
    Option(("--reason",), "reason", TEXT, None, "Why (kept with the skip)."),
)
def skip(name: str, day: str | None, start: str | None, end: str | None, reason: str | None) -> None:
    """Set days aside: skipped days neither count nor break a streak."""
    from ..core.habits import skip_days
    from ..core.model import parse_date
    from ..storage.actions import record_skips

    if day is not None and (start is not None or end is not None):
        raise UsageError("Use either --date or --from/--to, not both.")
    if day is None and (start is None or end is None):
        raise UsageError("Say which days: --date DATE, or --from DATE --to DATE.")
    ctx = Context.from_environment()
    today = clock.today()
    if day is not None:
        days = [parse_date(day, today)]
    else:
        days = skip_days(parse_date(start or "", today), parse_date(end or "", today))  # both given: checked above
    with ctx.transaction(since=min(days)) as tx:
        outcome = record_skips(tx, name, days, reason)
    name_ = outcome.habit.name
    if outcome.added:
        echo(f"Skipping '{name_}' on {_span(outcome.added)}.")
    elif outcome.already:
        echo(f"'{name_}' was already skipped on {_span(outcome.already)}; nothing changed.")
    if outcome.done:
        undo = f"connect undo {outcome.habit.slug} --date {outcome.done[0].isoformat()}"
        echo(
            f"'{name_}' is done on {_span(outcome.done)}, so {'that day was' if len(outcome.done) == 1 else 'those were'}"
            f" not skipped{'' if outcome.added else '; nothing changed'}. If it did not happen: {undo}, then skip."
        )


def _span(days) -> str:
    if len(days) == 1:
        return days[0].isoformat()
    return f"{len(days)} days, {days[0].isoformat()} to {days[-1].isoformat()}"


@command(
    "unplug",
    Argument("duration", "How long: 90m, 2h, 1h30m.", required=False),
    Option(("--habit",), "habit", TEXT, None, "The habit to log to (default: the first with a minutes goal)."),
    Option(("--stop",), "stop", FLAG, False, "End the running session now and log the minutes so far."),
)
def unplug(duration: str | None, habit: str | None, stop: bool) -> None:
    """Start a tech-free session; when it is over, its minutes are logged (and the daemon tells you)."""
    from datetime import timedelta

    from ..core.model import parse_duration
    from ..daemon.loop import DAEMON_LOCK
    from ..storage.actions import start_session, stop_session
    from ..storage.fileio import is_locked

    if stop == (duration is not None):
        raise UsageError("Give a duration (connect unplug 90m) or --stop, one of the two.")
    ctx = Context.from_environment()
    now = clock.now_aware()
    recent = now.date() - timedelta(days=2)  # a session may have begun before midnight
    if stop:
        with ctx.transaction(since=recent) as tx:
            ended = stop_session(tx, now)
        minutes = ended.checkin.minutes if ended.checkin else 0
        echo(
            f"Ended the tech-free session: {minutes} min logged to '{ended.habit.name}'."
            if minutes
            else "Ended the tech-free session before a minute had passed; nothing logged."
        )
        return
    minutes = parse_duration(duration or "")  # given: checked above
    with ctx.transaction(since=recent) as tx:
        session = start_session(tx, habit, minutes, now)
    name = next(h.name for h in tx.snapshot.habits if h.id == session.habit_id)
    echo(f"Tech-free for {minutes} min, until {session.ends:%H:%M}, logged to '{name}'. Phones away; enjoy.")
    if not is_locked(ctx.paths.data_dir / DAEMON_LOCK):
        echo("(The daemon is not running: the next connect command after that time logs the minutes.)")


@command(
    "log",
    Argument("name", "One habit (all when left out).", required=False),
    Option(
        ("--since",),
        "since",
        TEXT,
        None,
        "From this date: YYYY-MM-DD, today, yesterday, a weekday (wed) or N days ago.",
    ),
    JSON,
)
def history_log(name: str | None, since: str | None, as_json: bool) -> None:
    """The raw history, newest first, with notes and who logged it."""
    from ..core.habits import resolve_active
    from ..core.model import parse_date
    from ..core.words import clean

    start = parse_date(since, clock.today()) if since else None  # before reading: a refusal changes nothing
    snapshot = Context.from_environment().load()
    couple = snapshot.couple
    habit_ids = {resolve_active(snapshot.habits, name).id} if name else {h.id for h in snapshot.habits}
    names = {h.id: h for h in snapshot.habits}
    entries = [
        {
            "kind": "checkin",
            "date": c.day.isoformat(),
            "habit": names[c.habit_id].name,
            "slug": names[c.habit_id].slug,
            "minutes": c.minutes,
            "note": c.note,
            "by": couple.name(c.by) if couple is not None and c.by else c.by,
            "source": c.source,
            "logged_at": c.logged_at,
        }
        for c in snapshot.checkins
        if c.habit_id in habit_ids and (start is None or c.day >= start)
    ] + [
        {
            "kind": "skip",
            "date": s.day.isoformat(),
            "habit": names[s.habit_id].name,
            "slug": names[s.habit_id].slug,
            "minutes": None,
            "note": s.reason,
            "by": None,
            "source": "skip",
            "logged_at": "",
        }
        for s in snapshot.skips
        if s.habit_id in habit_ids and (start is None or s.day >= start)
    ]
    entries.sort(key=lambda e: (e["date"], e["logged_at"]), reverse=True)
    if as_json:
        echo(json.dumps(entries, ensure_ascii=False, indent=2))
        return
    if not entries:
        echo("Nothing logged yet.")
        return
    for entry in entries:
        what = "skipped" if entry["kind"] == "skip" else (f"{entry['minutes']} min" if entry["minutes"] else "done")
        who = f" by {entry['by']}" if entry["by"] else ""
        note = f" — {clean(entry['note'])}" if entry["note"] else ""
        # The time it was logged, and the day too when that was another one (logged later, with --date).
        logged = entry["logged_at"] or ""
        at = (
            logged[11:16]
            if logged[:10] == entry["date"]
            else (f"(logged {logged[:10]} {logged[11:16]})" if logged else "")
        )
        echo(f"{entry['date']} {at:<5}  {clean(entry['habit'])}: {what}{who}{note}")
