"""The everyday commands: `done`, `week`, `stats` and `list`, which the fast path runs without Typer.

Nothing here imports typer or click at module level, nor anything heavy: each command imports what
it needs inside, so `connect done` pays for `done` alone.
"""

from __future__ import annotations

import json

from .. import clock
from .context import Context, only
from .output import echo, style
from .spec import DATE, JSON, NOTE, PRIVATE, TEXT, Argument, Option, command, integer

TYPE_CHECKING = False  # typing's flag without importing typing: type checkers read it by name
if TYPE_CHECKING:
    from ..core.week import HabitWeek

# ---------------------------------------------------------------- done


@command(
    "done",
    Argument("name", "The habit (a unique prefix of its name or slug is enough)."),
    DATE,
    Option(("--minutes", "-m"), "minutes", integer(), None, "Minutes spent (for a goal or limit in minutes)."),
    Option(
        ("--amount", "-a"), "amount", TEXT, None, "How many (2 or 2.5; for a goal or limit like '3 compliments/day')."
    ),
    NOTE,
    Option(("--by",), "by", TEXT, None, "Log it for a partner (default: you)."),
    PRIVATE.with_help("Keep the note (--note) on this machine only: never in the shared folder."),
    fast=True,
)
def done(
    name: str, day: str, minutes: int | None, amount: str | None, note: str | None, by: str | None, private: bool
) -> None:
    """Log a habit as done (today unless --date)."""
    from ..core.amounts import measured_amount
    from ..core.cadence import in_span, is_due, next_due, week_start
    from ..core.couple import find_partner
    from ..core.habits import resolve_active, who_logs
    from ..core.model import parse_date
    from ..core.words import amount_text, short_date
    from ..storage.actions import record_done

    if (minutes is not None and amount is not None) or (private and note is None):
        from ..errors import UsageError

        if private and note is None:
            raise UsageError('--private keeps a note on this machine only: give it with --note "…".')
        raise UsageError("Give either --minutes or --amount, not both.")
    ctx = Context.from_environment()
    now = clock.now()
    today = ctx.today(now)  # at 00:30 with a later day start, still the evening before
    when = parse_date(day, today)
    first = ctx.config.first_weekday
    with ctx.transaction(since=min(when, week_start(today, first)), select=only(name), private=False) as tx:
        names = tx.snapshot.names
        habit = resolve_active(tx.snapshot.habits, name)
        person = who_logs(habit, tx.snapshot.me, find_partner(names, by) if by is not None else None, names)
        logged = measured_amount(habit, minutes, amount)
        outcome = record_done(
            tx, habit.id, when, now, minutes=logged, note=note, by=person, today=today, private=private
        )
    label = short_date(when, today)
    couple = tx.snapshot.couple
    if outcome.checkin is None:
        done_by = outcome.existing.by if outcome.existing is not None else None
        who = f" by {couple.name(done_by)}" if couple is not None and done_by else ""
        echo(f"'{habit.name}' was already done{who} {label}; nothing changed.")
        return
    snapshot = tx.snapshot
    if tx.folds_outdated:  # the check-in (or a session it settled) changed a folded month: its streak needs them anew
        snapshot = ctx.store.load(week_start(today, first), today, only(habit.id))
    row = _week_row(snapshot, habit, today, first, person)
    said = f"Logged {amount_text(logged, habit)} of '{habit.name}'" if logged else f"'{habit.name}' done"
    who = f" by {couple.name(person)}" if couple is not None and person else ""
    echo(f"{said} {label}{who}. {_limit_line(habit, snapshot, when, person)}{_progress_line(row)}")
    if private and outcome.checkin.note:
        echo("Its note stays on this machine.")
    if not in_span(habit, when):
        from ..core.words import long_date

        before = habit.starts is not None and when < habit.starts
        edge = f"starts on {long_date(habit.starts)}" if before else f"ended on {long_date(habit.ends)}"
        echo(f"('{habit.name}' {edge}: {when:%A} is in the log, but does not count.)")
    elif not habit.week_based and not is_due(habit, when):
        upcoming = next_due(habit, when)
        upcoming_text = f"next: {short_date(upcoming, today)}" if upcoming else "no more before its end"
        echo(f"({when:%A} is not one of its days ({upcoming_text}): it is in the log, but does not add to the streak.)")


def _limit_line(habit, snapshot, day, person) -> str:
    """`61 min of 1h today, over the limit. `: where a day's limit stands after a check-in ("" for others)."""
    from ..core.words import amount_text

    limit = habit.limit
    if limit is None or limit.per != "day":
        return ""
    used = sum(
        c.minutes or 0
        for c in snapshot.checkins
        if c.habit_id == habit.id and c.day == day and (habit.who != "each" or c.by == person)
    )
    over = ", over the limit" if used > limit.minutes else ""
    return f"{amount_text(used, habit)} of at most {amount_text(limit.minutes, habit)} that day{over}. "


def _week_row(snapshot, habit, today, first_weekday, person=None) -> HabitWeek:
    from ..core.history import build_histories
    from ..core.week import habit_week

    mine = habit.who == "each" and person is not None
    fold = snapshot.folds.get((habit.id, person if mine else None))
    histories = build_histories(
        (c for c in snapshot.checkins if c.habit_id == habit.id and (not mine or c.by == person)),
        (s for s in snapshot.skips if s.habit_id == habit.id),
        {(habit.id, None): fold} if fold is not None else None,
        snapshot.since,
    )
    return habit_week(habit, histories[habit.id], today, today, first_weekday)


def _progress_line(row: HabitWeek) -> str:
    from ..core.words import period_progress, streak_text

    week = period_progress(row) if row.progress.target else "Not due this week"
    return f"{week}, streak {streak_text(row.streak, row.streak_unit)}."


# ---------------------------------------------------------------- the week


@command(
    "week",
    DATE,
    JSON,
    Option(("--weeks",), "weeks", integer(1, 52), 1, "Show the last N weeks side by side."),
    fast=True,
)
def week(day: str, as_json: bool, weeks: int) -> None:
    """The weekly summary: every habit's days, streak and progress this week."""
    show_week(Context.from_environment(), day, as_json, weeks)


def show_week(ctx: Context, day: str, as_json: bool, weeks: int = 1) -> None:
    """Print the week containing `day` (and the `weeks - 1` before it), as a table or JSON."""
    from datetime import timedelta

    from ..core.cadence import week_start
    from ..core.model import parse_date
    from ..core.week import week_summary
    from .jsonforms import week_json
    from .pastweek import week_reading
    from .render import (
        EMPTY_WEEK,
        UNREAD_HABITS,
        check_weeks_fit,
        render_week,
        render_weeks,
    )

    today = ctx.today()
    when = parse_date(day, today)
    if not as_json:
        check_weeks_fit(weeks, style().width)  # before reading: a refusal should not cost the time of the work
    first_weekday = ctx.config.first_weekday
    first = week_start(when - timedelta(days=7 * (weeks - 1)), first_weekday)
    # The first week shows its streaks as they stood at its end.
    snapshot, best = week_reading(ctx, first, when, today)
    weekly = snapshot if best is None else best[0]
    summaries = [
        week_summary(
            snapshot.habits,
            weekly.checkins,
            weekly.skips,
            today,
            when - timedelta(days=7 * n),
            first_weekday,
            snapshot.persons,
            weekly.folds,
            weekly.since,
            snapshot.names,
            best[1] if best is not None else None,
        )
        for n in range(weeks - 1, -1, -1)
    ]
    summary = summaries[-1]
    notes = _week_notes(summary, today)
    promises, shown = _promises(snapshot)
    if as_json:
        body = [week_json(s) for s in summaries]
        for item in body:
            item.update(best_moment=None, suggestion=None, promises=[])
        body[-1].update(notes, promises=promises)
        echo(json.dumps(body[0] if weeks == 1 else {"weeks": body}, ensure_ascii=False, indent=2))
    elif not summary.habits:
        echo(UNREAD_HABITS if snapshot.warnings else EMPTY_WEEK)
    else:
        partners = list(snapshot.names.values())
        from ..core.insight import reduced_by_skips

        lines = [n for n in notes.values() if n] + reduced_by_skips(summary)
        if weeks == 1:
            echo(render_week(summary, style(), partners, lines))
        else:
            echo(render_weeks(summaries, style(), partners, lines))
    if promises and not as_json:
        echo("Promises until your next check-in:")
        for promise, text in zip(promises, shown, strict=True):
            echo(f"  {promise['from']} to {promise['to']}: {text}")


def _promises(snapshot) -> tuple[list[dict], list[str]]:
    """The promises of the last weekly check-in still waiting for the next one, with the partners' names,
    and each one's text as shown (a private one's words kept on the other machine: where they are)."""
    if not snapshot.rituals:
        return [], []
    from ..core.privacy import kept_on, withheld
    from ..core.rituals import open_promises

    names = snapshot.names
    found = open_promises(snapshot.rituals)
    items = [
        {
            "from": names.get(p.get("from"), p.get("from")),
            "to": names.get(p.get("to"), p.get("to")),
            "text": p.get("text"),
            **({"private": True} if p.get("private") else {}),
        }
        for p in found
    ]
    return items, [kept_on(p, snapshot.couple) if withheld(p, "text") else str(p.get("text")) for p in found]


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
        notes["suggestion"] = suggestion(row, prompts, today, summary.names)
    return notes


# ---------------------------------------------------------------- stats


@command(
    "stats",
    Argument("name", "One habit in depth; all of them in a line each when left out.", required=False),
    Option(("--weeks",), "weeks", integer(1, 520), 26, "How many weeks the calendar shows."),
    Option(("--by",), "by", TEXT, None, "Whose record, of a habit each of you does (else this laptop's partner's)."),
    JSON,
    fast=True,
)
def stats(name: str | None, weeks: int, by: str | None, as_json: bool) -> None:
    """How your rituals are going: calendar, streaks, completion, strength."""
    from datetime import timedelta

    from ..core.cadence import week_start
    from ..core.couple import find_partner
    from ..core.habits import resolve_active
    from ..core.history import build_histories, person_histories
    from ..core.stats import habit_stats, recent_outcomes, weekly_rates
    from ..core.words import clean, display_width, fit, percent, streak_text, wrap_words
    from ..errors import UsageError
    from .jsonforms import stats_json
    from .render import UNREAD_HABITS, Headings, render_habit_stats, shrink_to, sparkline, who_text

    if by is not None and name is None:
        raise UsageError("--by goes with one habit: connect stats NAME --by PARTNER.")
    ctx = Context.from_environment()
    today, first = ctx.today(), ctx.config.first_weekday
    # The calendar's weeks, and a year of completion rates, read day by day; the rest comes from the folds.
    shown = week_start(today, first) - timedelta(days=7 * ((weeks if name is not None else 1) - 1))
    back = timedelta(days=7 * 53 if name is not None or as_json else 7 * 13 + 31)  # the rates' weeks, and a month
    snapshot = ctx.load(since=min(shown, today - back), select=only(name) if name is not None else None, private=False)
    names = snapshot.names
    histories = build_histories(snapshot.checkins, snapshot.skips, snapshot.folds, snapshot.since)

    def per_partner(habit):
        """(partner id or None, history): a row per partner for a habit each of you does, else one."""
        if habit.who != "each" or not snapshot.persons:
            return [(None, histories[habit.id])]
        return person_histories(
            habit, snapshot.checkins, snapshot.skips, snapshot.persons, snapshot.folds, snapshot.since
        )

    if name is not None:
        habit = resolve_active(snapshot.habits, name)
        history, person = histories[habit.id], None
        if by is not None and habit.who != "each":
            raise UsageError(f"'{habit.name}' is not a habit each of you does; --by shows one partner's record.")
        if habit.who == "each" and snapshot.persons:  # one partner's record, never the two mixed into one
            records = dict(per_partner(habit))
            person = find_partner(names, by) if by is not None else snapshot.me
            if person not in records:  # nobody's laptop (or a `me` that is no partner): ask whose
                choices = " or ".join(f"--by {names.get(p, p)}" for p in snapshot.persons)
                raise UsageError(f"'{habit.name}' is a habit each of you does: say whose record with {choices}.")
            history = records[person]
        result = habit_stats(habit, history, today, weeks, first)
        if as_json:
            body = stats_json(result)
            body.update(who=who_text(habit.who, names), person=names.get(person) if person else None)
            echo(json.dumps(body, ensure_ascii=False, indent=2))
        else:
            owner = person or (habit.who if habit.who not in ("together", "each") else None)
            echo(render_habit_stats(result, style(), first, who_text(owner, names) if owner else None))
        return
    rows = []
    for habit in (h for h in snapshot.habits if not h.archived):
        for person, history in per_partner(habit):
            scanned = recent_outcomes(habit, history, today, 52 if as_json else 12, first)  # rates' and sparkline's
            result = habit_stats(habit, history, today, 0, first, (4, 12, 52) if as_json else (12,), scanned)
            rows.append((result, person, weekly_rates(habit, history, today, 12, first, scanned)))
    rates = [r.rates[12] for r, _, _ in rows if r.rates[12] is not None]
    overall = sum(rates) / len(rates) if rates else None
    if as_json:
        entries = [
            {
                "name": r.habit.name,
                "slug": r.habit.slug,
                "group": r.habit.group or None,
                "who": who_text(r.habit.who, names),
                "person": names.get(person) if person else None,
                "streak": r.streak,
                "best_streak": r.best_streak,
                "streak_unit": r.streak_unit,
                "strength": round(r.strength, 4),
                "weekly": w,
                "completion": {str(k): v for k, v in r.rates.items()},
                "finished": r.result is not None and r.result.finished,
                "result": r.result.as_dict() if r.result is not None else None,
            }
            for r, person, w in rows
        ]
        echo(json.dumps({"habits": entries, "consistency": overall}, ensure_ascii=False, indent=2))
        return
    if not rows:
        echo(UNREAD_HABITS if snapshot.warnings else "No habits yet; `connect init` starts a plan.")
        return
    drawn = style()
    labels = []
    for result, person, _ in rows:
        owner = person or (result.habit.who if result.habit.who not in ("together", "each") else None)
        labels.append(clean(f"{result.habit.name} · {who_text(owner, names)}" if owner else result.habit.name))
    # In a narrow terminal the name gives way, then the best streak and the sparkline are left out.
    room, dropped = shrink_to(drawn.width, 1 + 13 + 2 + 11 + 11 + 8, (11, 15), 14)
    name_width = min(room, max([28, *map(display_width, labels)]))
    best, spark = dropped < 1, dropped < 2
    echo(
        f"{'':{name_width}} "
        + (f"{'last 12 weeks':<13}  " if spark else "")
        + f"{'streak':<10} "
        + (f"{'best':<10} " if best else "")
        + "strength"
    )
    headings = Headings(drawn)
    for (result, _, weekly), label in zip(rows, labels, strict=True):
        for heading in headings(result.habit):
            echo(heading)
        echo(
            f"{fit(label, name_width, '…' if drawn.unicode else '...')} "
            + (f"{sparkline(weekly, drawn):<13}  " if spark else "")
            + f"{streak_text(result.streak, result.streak_unit):<10} "
            + (f"{streak_text(result.best_streak, result.streak_unit):<10} " if best else "")
            + percent(result.strength)
        )
    if overall is None:
        closing = "Nothing was due yet in the last 12 weeks: your first days count from here."
    else:
        closing = f"Together you kept {percent(overall)} of what you planned over the last 12 weeks."
    echo("\n" + "\n".join(wrap_words(closing, min(drawn.width, 100))))
    over = [(r, label) for (r, _, _), label in zip(rows, labels, strict=True) if r.result and r.result.finished]
    if over:
        from ..core.challenges import result_text

        echo("Finished: " + "; ".join(f"{label}, {result_text(r.result)}" for r, label in over) + ".")


# ---------------------------------------------------------------- list


@command("list", JSON, fast=True)
def list_habits(as_json: bool) -> None:
    """List the habits (archived ones too, at the end)."""
    from .jsonforms import habit_json
    from .render import UNREAD_HABITS, render_habits

    ctx = Context.from_environment()
    snapshot = ctx.load(since=ctx.today(), private=False)  # no note shows: the private ones stay unread
    habits, names = snapshot.habits, snapshot.names
    results = challenge_results(snapshot, ctx.today(), ctx.config.first_weekday)
    if as_json:
        echo(json.dumps([habit_json(h, names, results.get(h.id)) for h in habits], ensure_ascii=False, indent=2))
    elif not habits and snapshot.warnings:
        echo(UNREAD_HABITS)
    else:
        echo(render_habits(habits, style(), names, results))


def challenge_results(snapshot, today, first_weekday: int) -> dict:
    """Each challenge's result (core/challenges.py), by habit id; from the snapshot's months and folds."""
    challenges = [h for h in snapshot.habits if h.ends is not None]
    if not challenges:
        return {}
    from ..core.challenges import challenge_result
    from ..core.history import build_histories

    histories = build_histories(snapshot.checkins, snapshot.skips, snapshot.folds, snapshot.since)
    return {h.id: challenge_result(h, histories[h.id], today, first_weekday) for h in challenges}
