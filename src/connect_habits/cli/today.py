"""The day as this device's person sees it: `connect today` (what is left, then what is done), bare `connect`,
and `connect status`, the same in one line for a status bar; `open_on` gives `connect ask` its questions."""

from __future__ import annotations

import json

from .. import clock
from .context import Context
from .output import echo
from .spec import JSON, TEXT, Command, Option, command

STATUS_FORMATS = ("plain", "waybar", "i3blocks", "json")
STATUS_WIDTH = 60  # a bar's line


@command("today", JSON, fast=True)
def today(as_json: bool) -> None:
    """What is left today for you (each habit due and not yet done), then what is done."""
    show_today(Context.from_environment(), as_json)


def _week_of(ctx: Context, day, today):
    """The summary of the week holding `day` as seen on `today`, and the snapshot it was made from."""
    from ..core.cadence import week_start
    from ..core.week import week_summary

    first_weekday = ctx.config.first_weekday
    snapshot = ctx.load(week_start(day, first_weekday), as_of=today)
    summary = week_summary(
        snapshot.habits,
        snapshot.checkins,
        snapshot.skips,
        today,
        day,
        first_weekday,
        snapshot.persons,
        snapshot.folds,
        snapshot.since,
        snapshot.names,
    )
    return summary, snapshot


def _today(ctx: Context, day):
    """This week's summary as of `day`, what is left and what is done for this device's person, the snapshot."""
    from ..core.week import todays_rows

    summary, snapshot = _week_of(ctx, day, day)
    left, done = todays_rows(summary, snapshot.me)
    return summary, left, done, snapshot


def show_today(ctx: Context, as_json: bool) -> None:
    """Print today's open and done habits, as text or JSON (`{"date", "left", "done"}`)."""
    from ..core.daystart import day_order
    from ..core.week import rows_for
    from ..core.words import clean, period_progress, row_label
    from .jsonforms import week_json
    from .render import UNREAD_HABITS

    day = ctx.today()
    summary, left, done, snapshot = _today(ctx, day)
    if as_json:
        rows = {id(r): h for r, h in zip(summary.habits, week_json(summary)["habits"], strict=True)}
        for row in left + done:
            rows[id(row)]["at"] = list(row.habit.at)
        echo(
            json.dumps(
                {"date": day.isoformat(), "left": [rows[id(r)] for r in left], "done": [rows[id(r)] for r in done]},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if not summary.habits:
        echo(UNREAD_HABITS if snapshot.warnings else "No habits yet; `connect init` starts a plan.")
        return
    if not left:
        echo(f"Nothing left today ({day:%a %d %b}).")
    else:
        echo(f"Left today ({day:%a %d %b}):")
        width = max(len(clean(row_label(r, summary.names))) for r in left)
        starts = ctx.config.day_starts
        first = {id(r): min(r.habit.at, key=lambda at: day_order(at, starts)) if r.habit.at else None for r in left}
        for row in sorted(
            left, key=lambda r: (first[id(r)] is None, day_order(first[id(r)] or "", starts), r.habit.name.casefold())
        ):
            at = ", ".join(row.habit.at) or "any time"
            unit = row.streak_unit[:-1]
            streak = f", a {row.streak}-{unit} streak at stake" if row.streak else ""
            week = period_progress(row, capital=False) if row.progress.target else ""
            echo(f"  {clean(row_label(row, summary.names)):<{width}}  {at:<8} {week}{streak}".rstrip())
        echo("Log one with `connect done NAME`.")
    if done:
        echo("Done today: " + ", ".join(clean(row_label(r, summary.names)) for r in done) + ".")
    limits = [r for r in rows_for(summary, snapshot.me) if r.habit.limit is not None]
    if limits:
        kept = {"done": "kept", "pending": "kept so far", "missed": "over"}
        shown = (f"{clean(row_label(r, summary.names))} {kept.get(r.days.get(day, ''), 'not counted')}" for r in limits)
        echo("Limits: " + ", ".join(shown) + ".")


def has_data() -> bool:
    """Whether this home has anything to show yet (bare `connect` shows the help until it has)."""
    from ..storage.paths import resolve_paths

    try:
        paths = resolve_paths()
        return paths.data_file.exists() or paths.config_file.exists()
    except (OSError, RuntimeError):  # no home directory, say: the full CLI reports it
        return False


def _bare() -> None:
    show_today(Context.from_environment(), False)
    echo("(`connect --help` lists every command.)")


BARE = Command("", _bare, (), None, True)


@command(
    "status",
    Option(("--format",), "form", TEXT, "plain", "plain (one line), waybar (its JSON), i3blocks (its lines) or json."),
    fast=True,
)
def status(form: str) -> None:
    """One line for a status bar: how many are left today, the next one and its time, the longest streak."""
    from ..core.daystart import day_order
    from ..core.week import rows_for
    from ..core.words import clean, row_label
    from ..errors import InvalidInput

    if form not in STATUS_FORMATS:
        raise InvalidInput(f"There is no format '{form}'; choose {', '.join(STATUS_FORMATS[:-1])} or json.")
    now = clock.now()
    ctx = Context.from_environment()
    today = ctx.today(now)
    summary, left, done, snapshot = _today(ctx, today)
    me = snapshot.me
    starts = ctx.config.day_starts

    def order(at: str) -> tuple:  # the times of the night after the day (before its start) come after its evening
        return day_order(at, starts)

    later = order(f"{now:%H:%M}")
    nexts = ((min((t for t in r.habit.at if order(t) >= later), key=order, default=None), r) for r in left)
    timed = sorted(nexts, key=lambda pair: (pair[0] is None, order(pair[0] or ""), pair[1].habit.name.casefold()))
    upcoming = timed[0] if timed else None
    best = max(rows_for(summary, me), key=lambda r: (r.streak, r.streak_unit == "weeks"), default=None)
    parts = [f"{len(left)} left" if left else ("all done" if done else "nothing due")]
    if upcoming is not None:
        at, row = upcoming
        parts.append(f"{row.habit.slug} {at}" if at else row.habit.slug)
    if best is not None and best.streak:
        parts.append(f"{best.streak}-{best.streak_unit[:-1]} streak")
    text = " · ".join(parts)
    if len(text) > STATUS_WIDTH:
        text = text[: STATUS_WIDTH - 3] + "..."
    state = "left" if left else ("done" if done else "none")
    if form == "plain":
        echo(text)
    elif form == "i3blocks":  # full text, short text, colour
        echo(f"{text}\n{parts[0]}\n{'#e5c07b' if left else '#98c379'}")
    else:
        names = summary.names
        item = {
            "text": text,
            "date": today.isoformat(),
            "left": [clean(row_label(r, names)) for r in left],
            "done": [clean(row_label(r, names)) for r in done],
        }
        if form == "waybar":
            tooltip = "\n".join([*(f"{n}: left" for n in item["left"]), *(f"{n}: done" for n in item["done"])])
            item = {"text": text, "tooltip": tooltip or "Nothing due today", "class": state, "alt": state}
        echo(json.dumps(item, ensure_ascii=False))


def open_on(ctx: Context, day, today) -> tuple[list, dict]:
    """The rows of this device's person still open on `day`: due and not met, nor skipped; with the names."""
    from ..core.cadence import in_span
    from ..core.streaks import MISSED, NOT_DUE, PENDING
    from ..core.week import rows_for

    summary, snapshot = _week_of(ctx, day, today)
    rows = []
    for row in rows_for(summary, snapshot.me):
        status = row.days.get(day)
        if row.habit.limit is not None:  # a limit asks for nothing: a day still within it is there to log
            if status == PENDING:
                rows.append(row)
            continue
        unmet_week = row.habit.week_based and row.progress.done < row.progress.target
        open_week = unmet_week and day >= row.habit.created and in_span(row.habit, day)
        if status in (PENDING, MISSED) or (status == NOT_DUE and open_week):
            rows.append(row)
    return rows, summary.names
