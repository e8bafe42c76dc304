"""Changing and reading the log: `undo`, `skip`, `unplug` (a tech-free session) and `log` (the raw history).

Logging a check-in is `done`, an everyday command.
"""

from __future__ import annotations

import json

from .. import clock
from ..errors import UsageError
from .context import Context, only
from .output import echo
from .spec import DATE, FLAG, JSON, TEXT, Argument, Option, command

TYPE_CHECKING = False  # typing's flag without importing typing: type checkers read it by name
if TYPE_CHECKING:
    from datetime import date


@command(
    "undo",
    Argument("name", "The habit."),
    DATE,
    Option(("--by",), "by", TEXT, None, "Whose check-in, for a habit each of you does."),
    fast=True,
)
def undo(name: str, day: str, by: str | None) -> None:
    """Remove the day's latest check-in (or, if it has none, the day's skip)."""
    from ..core.couple import find_partner
    from ..core.model import parse_date
    from ..core.words import short_date
    from ..storage.actions import undo as undo_day

    ctx = Context.from_environment()
    today = ctx.today()
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


ALL_HABITS = Option(("--all",), "every", FLAG, False, "Every active habit (a holiday, an illness).")
RANGE = (
    Option(
        ("--date",),
        "day",
        TEXT,
        None,
        "One day: YYYY-MM-DD, today, yesterday, tomorrow, a weekday (wed) or N days ago.",
    ),
    Option(("--from",), "start", TEXT, None, "First day of a range."),
    Option(("--to",), "end", TEXT, None, "Last day of a range."),
)


def _days(ctx: Context, day: str | None, start: str | None, end: str | None):
    """The days --date, or --from and --to, name; one sentence when they are missing or mixed."""
    from ..core.habits import skip_days
    from ..core.model import parse_date

    if day is not None and (start is not None or end is not None):
        raise UsageError("Use either --date or --from/--to, not both.")
    if day is None and (start is None or end is None):
        raise UsageError("Say which days: --date DATE, or --from DATE --to DATE.")
    today = ctx.today()
    if day is not None:
        return [parse_date(day, today)]
    return skip_days(parse_date(start or "", today), parse_date(end or "", today))  # both given: checked above


def _which(name: str | None, every: bool) -> None:
    if name is not None and every:
        raise UsageError("Name one habit or use --all, not both.")
    if name is None and not every:
        raise UsageError("Say which habit (a name or slug), or --all for every active habit.")


@command(
    "skip",
    Argument("name", "The habit (or --all).", required=False),
    *RANGE,
    Option(("--reason",), "reason", TEXT, None, "Why (kept with the skip)."),
    ALL_HABITS,
    fast=True,
)
def skip(
    name: str | None, day: str | None, start: str | None, end: str | None, reason: str | None, every: bool
) -> None:
    """Set days aside: skipped days neither count nor break a streak. `connect skips` lists them, `unskip` takes them back."""
    from ..storage.actions import record_skips

    _which(name, every)
    ctx = Context.from_environment()
    days = _days(ctx, day, start, end)
    with ctx.transaction(since=min(days)) as tx:
        queries = [h.id for h in tx.snapshot.habits if not h.archived] if every else [name or ""]
        outcomes = [record_skips(tx, query, days, reason) for query in queries]
    if every:
        from ..core.words import counted

        added = [o for o in outcomes if o.added]
        echo(
            f"Skipping {counted(len(added), 'habit')} on {_span(days)}."
            if added
            else f"Every habit was already skipped or done on {_span(days)}; nothing changed."
        )
        for outcome in outcomes:
            if outcome.done:
                echo(f"'{outcome.habit.name}' is done on {_span(outcome.done)}: left as it is.")
        return
    [outcome] = outcomes
    name_ = outcome.habit.name
    if outcome.added:
        echo(f"Skipping '{name_}' on {_span(outcome.added)}.")
    elif outcome.already:
        echo(f"'{name_}' was already skipped on {_span(outcome.already)}; nothing changed.")
    if outcome.before:
        echo(
            f"'{name_}' was added on {outcome.habit.created.isoformat()}: the days before are not its to skip"
            f"{'' if outcome.added or outcome.already or outcome.done else '; nothing changed'}."
        )
    if outcome.done:
        undo = f"connect undo {outcome.habit.slug} --date {outcome.done[0].isoformat()}"
        echo(
            f"'{name_}' is done on {_span(outcome.done)}, so {'that day was' if len(outcome.done) == 1 else 'those were'}"
            f" not skipped{'' if outcome.added else '; nothing changed'}. If it did not happen: {undo}, then skip."
        )


@command("unskip", Argument("name", "The habit (or --all).", required=False), *RANGE, ALL_HABITS, fast=True)
def unskip(name: str | None, day: str | None, start: str | None, end: str | None, every: bool) -> None:
    """Take back skipped days, one or a whole range (a holiday called off); check-ins are left alone."""
    from ..core.habits import resolve_active
    from ..core.words import counted
    from ..storage.actions import remove_skips

    _which(name, every)
    ctx = Context.from_environment()
    days = _days(ctx, day, start, end)
    with ctx.transaction(since=min(days)) as tx:
        habits = (
            [h for h in tx.snapshot.habits if not h.archived]
            if every
            else [resolve_active(tx.snapshot.habits, name or "")]
        )
        gone = remove_skips(tx, {h.id for h in habits}, set(days))
    what = "any habit" if every else f"'{habits[0].name}'"
    if not gone:
        echo(f"Nothing of {what} was skipped on {_span(days)}; nothing changed.")
        return
    whose = f"of {counted(len({s.habit_id for s in gone}), 'habit')}" if every else f"of '{habits[0].name}'"
    echo(f"Took back {counted(len(gone), 'skipped day')} {whose}, {_span(days)}.")


@command("skips", Argument("name", "Only this habit.", required=False), JSON, fast=True)
def skips(name: str | None, as_json: bool) -> None:
    """The days you set aside, newest first, a range on one line; `connect unskip` takes them back."""
    from ..core.habits import resolve_active

    snapshot = Context.from_environment().load()
    habits = {h.id: h for h in snapshot.habits}
    if name is not None:
        habits = {h.id: h for h in [resolve_active(snapshot.habits, name)]}
    found = sorted((s for s in snapshot.skips if s.habit_id in habits), key=lambda s: (s.day, s.habit_id), reverse=True)
    if as_json:
        items = [
            {
                "habit": habits[s.habit_id].name,
                "slug": habits[s.habit_id].slug,
                "date": s.day.isoformat(),
                "reason": s.reason or None,
            }
            for s in found
        ]
        echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    from ..core.words import clean

    if not found:
        echo("No days set aside.")
        return
    runs = sorted(_ranges(found), key=lambda r: (-r[2].toordinal(), habits[r[0]].name.casefold()))
    for habit_id, first, last, reason in runs:
        span = first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"
        why = f" ({clean(reason)})" if reason else ""
        echo(f"{span}  {clean(habits[habit_id].name)}{why}")


def _ranges(found: list) -> list[tuple]:
    """Skips (newest first) joined into runs of days in a row of one habit with one reason: (habit, first, last, reason)."""
    from datetime import timedelta

    runs: list[list] = []
    for s in found:
        run = next(
            (r for r in runs if r[0] == s.habit_id and r[3] == (s.reason or "") and r[1] - timedelta(days=1) == s.day),
            None,
        )
        if run is not None:
            run[1] = s.day
        else:
            runs.append([s.habit_id, s.day, s.day, s.reason or ""])
    return [(h, first, last, reason) for h, first, last, reason in runs]


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
    from ..daemon.folders import DAEMON_LOCK
    from ..storage.actions import start_session, stop_session
    from ..storage.fileio import is_locked

    if stop == (duration is not None):
        raise UsageError("Give a duration (connect unplug 90m) or --stop, one of the two.")
    ctx = Context.from_environment()
    now = clock.now_aware()
    recent = now.date() - timedelta(days=2)  # a session may have begun before midnight
    if stop:
        with ctx.transaction(since=recent) as tx:
            ended = stop_session(tx, now, ctx.config.day_starts)
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
    fast=True,
)
def history_log(name: str | None, since: str | None, as_json: bool) -> None:
    """The raw history, newest first, with notes and who logged it."""
    from ..core.habits import resolve_active
    from ..core.model import parse_date
    from ..core.week import measure_unit

    ctx = Context.from_environment()
    if name is None and since is None and not as_json:
        from ..storage.loglines import month_texts

        # Each month's lines as they were made, while none of what they show changed: ten years are not read.
        texts = month_texts(ctx.store, _log_lines, clock.now_aware)
        if texts is not None:
            echo("\n".join(texts) if texts else "Nothing logged yet.")
            return
    start = parse_date(since, ctx.today()) if since else None  # before reading: a refusal changes nothing
    # From `start` on only: the months before it are not read (nor, with a name, the other habits' records).
    snapshot = ctx.load() if start is None else ctx.load(since=start, select=only(name) if name else None)
    couple = snapshot.couple
    habit_ids = {resolve_active(snapshot.habits, name).id} if name else {h.id for h in snapshot.habits}
    names = {h.id: h for h in snapshot.habits}
    checkins = [c for c in snapshot.checkins if c.habit_id in habit_ids and (start is None or c.day >= start)]
    skips = [s for s in snapshot.skips if s.habit_id in habit_ids and (start is None or s.day >= start)]
    if not as_json:
        _print_log(checkins, skips, names, couple, start)
        return
    entries = [
        {
            "kind": "checkin",
            "date": c.day.isoformat(),
            "habit": names[c.habit_id].name,
            "slug": names[c.habit_id].slug,
            "minutes": c.minutes,
            "unit": measure_unit(names[c.habit_id]) if c.minutes else None,
            "note": c.note,
            "by": couple.name(c.by) if couple is not None and c.by else c.by,
            "source": c.source,
            "logged_at": c.logged_at,
        }
        for c in checkins
    ] + [
        {
            "kind": "skip",
            "date": s.day.isoformat(),
            "habit": names[s.habit_id].name,
            "slug": names[s.habit_id].slug,
            "minutes": None,
            "unit": None,
            "note": s.reason,
            "by": None,
            "source": "skip",
            "logged_at": "",
        }
        for s in skips
    ]
    entries.sort(key=lambda e: (e["date"], e["logged_at"]), reverse=True)
    from ..interop.jsontext import flat_list

    # As json.dumps(entries, ensure_ascii=False, indent=2) writes them, by json's C encoder.
    echo(flat_list(entries, 0, sort_keys=False))


def _print_log(checkins: list, skips: list, habits: dict, couple, since: date | None = None) -> None:
    """The log's lines, newest first (as `--json` orders its entries), written as one string.

    Ten years of lines echoed one by one, each built from a dict, cost more than reading them.
    """
    if not checkins and not skips:
        echo("Nothing logged yet." if since is None else f"Nothing logged since {since.isoformat()}.")
        return
    echo("\n".join(_log_lines(checkins, skips, habits, couple)))


def _log_lines(checkins: list, skips: list, habits: dict, couple) -> list[str]:
    """The lines of these check-ins and skips, newest first (the plain log's, kept per month by storage/loglines.py)."""
    from operator import itemgetter

    from ..core.words import amount_text, clean

    rows = [(c.day.isoformat(), c.logged_at, c, False) for c in checkins]
    rows += [(s.day.isoformat(), "", s, True) for s in skips]
    rows.sort(key=itemgetter(0, 1), reverse=True)  # stable: ties keep check-ins first, in the snapshot's order
    names = {habit_id: clean(habit.name) for habit_id, habit in habits.items()}
    amounts: dict[tuple, str] = {}  # (habit, amount) -> its words: the same few amounts, over and over
    lines: list[str] = []
    add = lines.append
    for day, logged, record, skipped in rows:
        if skipped:
            what, who, note = "skipped", "", record.reason
        else:
            minutes, by = record.minutes, record.by
            what = "done"
            if minutes:
                key = (record.habit_id, minutes)
                what = amounts.get(key) or amounts.setdefault(key, amount_text(minutes, habits[record.habit_id]))
            if couple is not None and by:
                by = couple.name(by)
            who, note = f" by {by}" if by else "", record.note
        note = f" — {clean(note)}" if note else ""
        # The time it was logged, and the day too when that was another one (logged later, with --date).
        at = logged[11:16] if logged[:10] == day else (f"(logged {logged[:10]} {logged[11:16]})" if logged else "")
        add(f"{day} {at:<5}  {names[record.habit_id]}: {what}{who}{note}")
    return lines
