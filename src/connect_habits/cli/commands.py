"""The bodies of the everyday commands (done, week, stats, list) and the helpers every command shares.

Both the Typer CLI (cli.py) and the fast path (entry.py) call these, so each command has one
implementation. Nothing here imports typer, nor click unless a stream needs click to print on it:
`connect done` must not pay for them.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import sys

from .. import clock
from ..storage.paths import resolve_paths

# The ANSI sequences click.echo strips from a stream that is not a terminal (click._compat._ansi_re).
_ANSI_SEQUENCE = r"\033\[[0-?]*[ -/]*[@-~]"


def echo(text: str = "", err: bool = False) -> None:
    """Print a line to stdout (or stderr) byte for byte as click.echo would."""
    stream = sys.stderr if err else sys.stdout
    if not _written_as_is(stream):
        # click re-wraps such a stream (one set up for ASCII gets UTF-8): only click knows exactly how.
        import click

        click.echo(text, err=err)
        return
    text += "\n"
    if "\x1b" in text and not _isatty(stream):
        import re

        text = re.sub(_ANSI_SEQUENCE, "", text)
    stream.write(text)
    stream.flush()


def _written_as_is(stream) -> bool:
    """Whether click.echo would write to `stream` itself: a text stream with a known, non-ASCII encoding."""
    encoding = getattr(stream, "encoding", None)
    if not encoding or getattr(stream, "errors", None) is None or sys.platform == "win32":
        return False
    try:
        ascii_ = codecs.lookup(encoding).name == "ascii"
    except LookupError:
        return False
    # click leaves escapes alone for its pager and in a Jupyter kernel's streams.
    return not ascii_ and not hasattr(stream, "color") and not type(stream).__module__.startswith("ipykernel.")


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except Exception:  # noqa: BLE001 — click's isatty treats any failure as "not a terminal"
        return False


def _out(text: str = "") -> None:
    echo(text)


def _context():
    from ..storage.config import load_config
    from ..storage.store import Store

    paths = resolve_paths()
    config = load_config(paths.config_file)
    return paths, Store(paths, config), config


def _warn(snapshot) -> None:
    """Say which shared files could not be read this time (they are read again next time)."""
    for warning in getattr(snapshot, "warnings", ()):
        echo(f"Warning: {warning}", err=True)


def _me(config) -> str | None:
    me = config.extra.get("me")
    return me if isinstance(me, str) and me else None


@contextlib.contextmanager
def _transaction(store, since=None, select=None):
    """A store transaction that first logs any tech-free session whose time is up.

    `since`: the first day the command looks at (None: the whole history); see `_load`.
    """
    from ..storage.actions import settle_sessions

    with store.transaction(since, clock.today() if since is not None else None, select) as tx:
        _warn(tx.snapshot)
        if tx.snapshot.sessions:  # the time zone's rules load only when a session may have ended
            settle_sessions(tx, clock.now_aware())
        yield tx


def _load(store, since=None, select=None):
    """The store, with ended tech-free sessions logged first (once).

    With `since`, the check-ins and skips from that day (at the latest the first of its month, or of last month)
    and each habit's fold (summary.py): streaks, strength and best runs stay whole. Without, all.
    """
    snapshot = store.load(since, clock.today() if since is not None else None, select)
    if snapshot.sessions and any(session.ends <= clock.now_aware() for session in snapshot.sessions):
        with _transaction(store, since, select) as tx:
            pass
        if tx.folds_outdated:  # a session begun in a month the folds sum up: its minutes change them
            return store.load(since, clock.today(), select)
        return tx.snapshot
    _warn(snapshot)
    return snapshot


def _only(name: str):
    """A store `select` for the habit `name` names (all habits when it names none: the command then says why)."""
    from ..core.habits import resolve_active
    from ..errors import ConnectError

    def select(habits) -> set[str] | None:
        try:
            return {resolve_active(habits, name).id}
        except ConnectError:
            return None

    return select


def _style():
    from .render import Style

    return Style.for_stream(sys.stdout)


# ---------------------------------------------------------------- list


def list_habits(as_json: bool = False) -> None:
    """List the habits (archived ones too, at the end)."""
    from .render import habit_json, render_habits

    _, store, _ = _context()
    habits = _load(store, since=clock.today()).habits
    if as_json:
        _out(json.dumps([habit_json(h) for h in habits], ensure_ascii=False, indent=2))
    else:
        _out(render_habits(habits, _style()))


# ---------------------------------------------------------------- done


def done(name: str, day: str = "today", minutes: int | None = None, note: str | None = None,
         by: str | None = None) -> None:
    """Log a habit as done (today unless `day`)."""
    from ..core.habits import parse_person
    from ..core.model import parse_date, parse_minutes
    from ..core.words import short_date
    from ..storage.actions import record_done

    _, store, config = _context()
    now = clock.now()
    when = parse_date(day, now.date())
    amount = parse_minutes(minutes) if minutes is not None else None
    from ..core.cadence import week_start

    with _transaction(store, since=min(when, week_start(now.date(), config.first_weekday)), select=_only(name)) as tx:
        person = parse_person(by, tx.snapshot.persons) if by is not None else _me(config)
        outcome = record_done(tx, name, when, now, minutes=amount, note=note, by=person)
    habit, label = outcome.habit, short_date(when, now.date())
    if outcome.checkin is None:
        who = f" by {person}" if habit.who == "each" and person else ""
        _out(f"'{habit.name}' was already done{who} {label}; nothing changed.")
        return
    snapshot = tx.snapshot
    if tx.folds_outdated:  # the check-in (or a session it settled) changed a folded month: its streak needs them anew
        snapshot = store.load(week_start(now.date(), config.first_weekday), now.date(), _only(habit.id))
    row = _week_row(snapshot, habit, now.date(), config, person)
    logged = f"Logged {amount} min of '{habit.name}'" if amount else f"'{habit.name}' done"
    _out(f"{logged} {label}. {_progress_line(row)}")
    from ..core.cadence import is_due

    if not habit.week_based and not is_due(habit, when):
        _out(f"({when:%A} is not one of its days: it is in the log, but does not add to the streak.)")


def _week_row(snapshot, habit, today, config, person=None):
    from ..core.history import build_histories
    from ..core.week import habit_week

    mine = habit.who == "each" and person is not None
    fold = snapshot.folds.get((habit.id, person if mine else None))
    histories = build_histories(
        (c for c in snapshot.checkins if c.habit_id == habit.id and (not mine or c.by == person)),
        (s for s in snapshot.skips if s.habit_id == habit.id),
        {(habit.id, None): fold} if fold is not None else None, snapshot.since,
    )
    return habit_week(habit, histories[habit.id], today, today, config.first_weekday)


def _progress_line(row) -> str:
    from ..core.words import progress_text, streak_text

    return f"This week {progress_text(row)}, streak {streak_text(row.streak, row.streak_unit)}."


# ---------------------------------------------------------------- the week


def week(day: str = "today", as_json: bool = False, weeks: int = 1) -> None:
    """The weekly summary: every habit's days, streak and progress this week."""
    _, store, config = _context()
    _show_week(store, config, day, as_json, weeks)


def _show_week(store, config, day: str, as_json: bool, weeks: int = 1) -> None:
    from datetime import timedelta

    from ..core.cadence import week_start
    from ..core.folds import fold_point
    from ..core.model import parse_date
    from ..core.week import week_summary
    from .render import (
        EMPTY_WEEK,
        check_weeks_fit,
        render_week,
        render_weeks,
        week_json,
    )

    today = clock.today()
    when = parse_date(day, today)
    if not as_json:
        check_weeks_fit(weeks)  # before reading: a refusal should not cost the time of the work
    first = week_start(when - timedelta(days=7 * (weeks - 1)), config.first_weekday)
    # A week before the folded months shows the streak as it stood then: that needs every month.
    since = first if min(first + timedelta(days=6), today) >= fold_point(today) else None
    snapshot = _load(store, since)
    summaries = [
        week_summary(snapshot.habits, snapshot.checkins, snapshot.skips, today, when - timedelta(days=7 * n),
                     config.first_weekday, snapshot.persons, snapshot.folds, snapshot.since)
        for n in range(weeks - 1, -1, -1)
    ]
    summary = summaries[-1]
    notes = _week_notes(summary, today)
    if as_json:
        body = [week_json(s) for s in summaries]
        for item in body:
            item.update(best_moment=None, suggestion=None)
        body[-1].update(notes)
        _out(json.dumps(body[0] if weeks == 1 else {"weeks": body}, ensure_ascii=False, indent=2))
    elif not summary.habits:
        _out(EMPTY_WEEK)
    else:
        partners = snapshot.persons or config.partners
        lines = [n for n in notes.values() if n]
        if weeks == 1:
            _out(render_week(summary, _style(), partners, lines))
        else:
            _out(render_weeks(summaries, _style(), partners, lines))


def _week_notes(summary, today) -> dict:
    """The week's best moment, and a gentle suggestion (from the catalog) when a habit is slipping."""
    from ..core.insight import best_moment, slipping, suggestion

    notes = {"best_moment": best_moment(summary), "suggestion": None}
    row = slipping(summary)
    if row is not None:
        prompts = row.habit.prompts
        if not prompts:
            from ..core.catalog import prompts_for

            prompts = prompts_for(row.habit.template, today)
        notes["suggestion"] = suggestion(row, prompts, today)
    return notes


# ---------------------------------------------------------------- stats


def stats(name: str | None = None, weeks: int = 26, as_json: bool = False) -> None:
    """How your rituals are going: calendar, streaks, completion, strength."""
    from datetime import timedelta

    from ..core.cadence import week_start
    from ..core.habits import resolve_active
    from ..core.history import build_histories
    from ..core.stats import habit_stats, weekly_rates
    from ..core.words import percent, streak_text
    from .render import render_habit_stats, sparkline

    _, store, config = _context()
    today = clock.today()
    first = config.first_weekday
    # The calendar's weeks, and a year of completion rates, read day by day; the rest comes from the folds.
    shown = week_start(today, first) - timedelta(days=7 * ((weeks if name is not None else 1) - 1))
    snapshot = _load(store, since=min(shown, today - timedelta(days=7 * 53)),
                     select=_only(name) if name is not None else None)
    histories = build_histories(snapshot.checkins, snapshot.skips, snapshot.folds, snapshot.since)
    if name is not None:
        habit = resolve_active(snapshot.habits, name)
        result = habit_stats(habit, histories[habit.id], today, weeks, first)
        if as_json:
            _out(json.dumps(_stats_json(result), ensure_ascii=False, indent=2))
        else:
            _out(render_habit_stats(result, _style(), first))
        return
    rows = []
    for habit in (h for h in snapshot.habits if not h.archived):
        result = habit_stats(habit, histories[habit.id], today, 1, first)
        rows.append((result, weekly_rates(habit, histories[habit.id], today, 12, first)))
    rates = [r.rates[12] for r, _ in rows if r.rates[12] is not None]
    overall = sum(rates) / len(rates) if rates else None
    if as_json:
        _out(json.dumps({"habits": [
            {"name": r.habit.name, "slug": r.habit.slug, "streak": r.streak, "best_streak": r.best_streak,
             "streak_unit": r.streak_unit, "strength": round(r.strength, 4), "weekly": w,
             "completion": {str(k): v for k, v in r.rates.items()}} for r, w in rows],
            "consistency": overall}, ensure_ascii=False, indent=2))
        return
    if not rows:
        _out("No habits yet; `connect init` starts a plan.")
        return
    style = _style()
    _out(f"{'':28} {'last 12 weeks':<13}  {'streak':<10} {'best':<10} strength")
    for result, weekly in rows:
        from ..core.words import clean, fit

        _out(f"{fit(clean(result.habit.name), 28)} {sparkline(weekly, style):<13}  "
             f"{streak_text(result.streak, result.streak_unit):<10} "
             f"{streak_text(result.best_streak, result.streak_unit):<10} {percent(result.strength)}")
    _out(f"\nTogether you kept {percent(overall)} of what you planned over the last 12 weeks.")


def _stats_json(result) -> dict:
    return {
        "name": result.habit.name, "slug": result.habit.slug, "streak": result.streak,
        "best_streak": result.best_streak, "streak_unit": result.streak_unit,
        "strength": round(result.strength, 4),
        "best_streaks": [{"length": r.length, "first": r.first.isoformat(), "last": r.last.isoformat()}
                         for r in result.best_streaks],
        "completion": {str(k): v for k, v in result.rates.items()},
        "weekdays": dict(zip(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), result.weekdays)),
        "calendar": {d.isoformat(): status for week in result.calendar for d, status in week},
    }
