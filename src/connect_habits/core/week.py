"""The weekly summary: each habit's days, streak and progress in one week, for the table a couple reads together.

Nothing here reads the clock: every function takes `today`.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from .cadence import day_met, first_day, in_span, is_due, monthly, period_start, week_days, week_start
from .history import Folds, History, build_histories, history_start, person_histories
from .model import CheckIn, Habit, Skip
from .streaks import current_streak, day_status, streak_runs, week_result


class Progress(namedtuple("Progress", "done target unit")):
    """How far a habit has come in one week (`unit` is "times" or "minutes")."""

    __slots__ = ()


class HabitWeek(
    namedtuple(
        "HabitWeek",
        "habit streak best_streak streak_unit progress days person by",
        defaults=(None, None),
    )
):
    """One habit's row in the weekly summary.

    `streak_unit` is "days" or "weeks"; `days` maps each day to its status; `person` is whose row (a
    partner's id), for a habit each partner does; `by` says who logged it, day by day (a dict of ids,
    from `week_summary`).
    """

    __slots__ = ()


class WeekSummary(namedtuple("WeekSummary", "week_start week_end today habits names", defaults=(None,))):
    """The week that contains a given day, for every active habit (a list of HabitWeek).

    `names` gives each partner's name by id, in the order they were named, for whoever shows the week.
    """

    __slots__ = ()


def week_progress(habit: Habit, history: History, start: date, today: date | None = None) -> Progress:
    """Progress over the week beginning `start`: times, minutes or an amount done against the week's target
    (or, for a limit, against what it allows).

    The day a habit was added (or starts) is in the target while it can still be done (`today`), and after that
    only if it was.
    """
    unit = progress_unit(habit)
    as_of = min(start + timedelta(days=6), today or start + timedelta(days=6))
    if habit.week_based:  # a month's habit: the month the week (so far) ends in
        if as_of < history_start(habit, history):
            return Progress(0, 0, unit)  # a week over before the habit began: nothing was due (as for a daily one)
        result = week_result(habit, history, period_start(habit, as_of) if monthly(habit) else start)
        return Progress(result.amount, result.target, unit)
    if habit.cadence.rolling:  # how many in the window that ends on the week's last day so far
        times, days = habit.cadence.rolling
        return Progress(sum(1 for n in range(days) if history.logged(as_of - timedelta(days=n))), times, unit)
    begin = history_start(habit, history)
    days = [d for d in week_days(start) if d >= begin and in_span(habit, d)]
    met = {d for d in days if day_met(habit, history.count.get(d, 0), history.minutes.get(d, 0))}
    first = first_day(habit)
    due = [
        d
        for d in days
        if is_due(habit, d)
        and (d in met or (d not in history.skipped and not (d == first and today is not None and d < today)))
    ]
    if habit.measure is not None:
        return Progress(sum(history.minutes.get(d, 0) for d in days), habit.measure.minutes * len(due), unit)
    return Progress(sum(1 for d in due if d in met), len(due), unit)


def progress_unit(habit: Habit) -> str:
    """What a habit's progress counts: "times", "minutes", or the unit of its goal or limit ("compliments")."""
    return measure_unit(habit) if habit.measured else "times"


def measure_unit(habit: Habit) -> str:
    """What a check-in's amount counts: "minutes", or the unit of the habit's goal or limit."""
    measure = habit.measure
    return measure.unit if measure is not None and measure.unit else "minutes"


def streak_unit(habit: Habit) -> str:
    """What a habit's streak counts: days, weeks, or months for N/month."""
    return "months" if monthly(habit) else "weeks" if habit.week_based else "days"


def habit_week(
    habit: Habit,
    history: History,
    day: date,
    today: date,
    first_weekday: int = 0,
    person: str | None = None,
    best: int | None = None,
) -> HabitWeek:
    """A habit's row for the week containing `day`, with streaks as of that week's end (or today).

    `best`: the best streak up to today, when `history` stops after the week (a past week's reading).
    """
    start = week_start(day, first_weekday)
    end = start + timedelta(days=6)
    as_of = min(end, today)
    if best is None or as_of == today:
        runs = streak_runs(habit, history, today, first_weekday)
        current = runs.current.length if as_of == today else current_streak(habit, history, as_of, first_weekday)
        best = runs.longest
    else:
        current = current_streak(habit, history, as_of, first_weekday)
    after = as_of + timedelta(days=1)
    if as_of < today and habit.limit is not None and not habit.week_based:
        # A past week's last day is over: kept, it counts (as its own "today" it would still be open). Seen from
        # the day after, which is open then unless that day went over the limit.
        if day_met(habit, history.count.get(after, 0), history.minutes.get(after, 0)):
            current = current_streak(habit, history, after, first_weekday)
    return HabitWeek(
        habit=habit,
        streak=current,
        best_streak=best,
        streak_unit=streak_unit(habit),
        progress=week_progress(habit, history, start, today),
        days={d: day_status(habit, history, d, today, first_weekday) for d in week_days(start)},
        person=person,
        by={},
    )


def week_summary(
    habits: Iterable[Habit],
    checkins: Iterable[CheckIn],
    skips: Iterable[Skip],
    today: date,
    day: date | None = None,
    first_weekday: int = 0,
    persons: Iterable[str] = (),
    folds: Folds | None = None,
    since: date | None = None,
    names: Mapping[str, str] | None = None,
    best: Mapping[tuple[str, str | None], int] | None = None,
) -> WeekSummary:
    """The weekly summary of every active habit for the week containing `day` (default: today).

    A habit whose end (a challenge's) is before the week is left out. A habit each partner does (`who = each`) gets a row per partner. `persons` are the partners' ids,
    `names` their names (each id stands for itself when not given). `best`: each row's (habit id,
    partner id or None) best streak up to today, for check-ins that stop after the week (best_streaks).
    """
    day = day or today
    checkins, skips, partners = list(checkins), list(skips), list(persons)
    histories = build_histories(checkins, skips, folds, since)
    start = week_start(day, first_weekday)
    end = start + timedelta(days=6)
    attributed: dict[tuple[str, date], list[str]] = defaultdict(list)
    for checkin in checkins:
        if checkin.by and start <= checkin.day <= end and checkin.by not in attributed[checkin.habit_id, checkin.day]:
            attributed[checkin.habit_id, checkin.day].append(checkin.by)
    rows = []
    for habit in habits:
        if habit.archived or (habit.ends is not None and habit.ends < start):
            continue
        if habit.who == "each" and partners:
            rows += [
                habit_week(habit, history, day, today, first_weekday, person, _best(best, habit.id, person))
                for person, history in person_histories(habit, checkins, skips, partners, folds, since)
            ]
        else:
            rows.append(
                habit_week(habit, histories[habit.id], day, today, first_weekday, best=_best(best, habit.id, None))
            )
    shown = dict(names) if names is not None else {p: p for p in partners}
    return WeekSummary(start, end, today, [row._replace(by=_attribution(row, attributed)) for row in rows], shown)


def _best(best: Mapping[tuple[str, str | None], int] | None, habit_id: str, person: str | None) -> int | None:
    return None if best is None else best.get((habit_id, person))


def best_streaks(
    habits: Iterable[Habit],
    checkins: Iterable[CheckIn],
    skips: Iterable[Skip],
    today: date,
    first_weekday: int = 0,
    persons: Iterable[str] = (),
    folds: Folds | None = None,
    since: date | None = None,
) -> dict[tuple[str, str | None], int]:
    """Each habit's (and each partner's, for an `each` habit) best streak up to today: week_summary's `best`."""
    checkins, skips, partners = list(checkins), list(skips), list(persons)
    found = {}
    for habit in habits:
        for person, history in person_histories(habit, checkins, skips, partners, folds, since):
            found[habit.id, person] = streak_runs(habit, history, today, first_weekday).longest
    return found


def _attribution(row: HabitWeek, attributed: dict[tuple[str, date], list[str]]) -> dict[date, list[str]]:
    """Who logged the habit on each day of the row (just the row's partner, for an `each` row)."""
    by = {}
    for day in row.days:
        people = attributed.get((row.habit.id, day), [])
        if row.person is not None:
            people = [row.person] if row.person in people else []
        if people:
            by[day] = sorted(people)
    return by


def todays_rows(summary: WeekSummary, me: str | None) -> tuple[list[HabitWeek], list[HabitWeek]]:
    """What is left today (due and not met) and what is done, for `me` (None: for both of you).

    A habit each of you does counts your own row; one that belongs to the other partner is theirs to do.
    """
    left, done = [], []
    for row in rows_for(summary, me):
        if row.habit.limit is not None:
            continue  # a limit asks for nothing to be done: neither left nor done (`today` shows where it stands)
        status = row.days.get(summary.today)
        if status == "pending":
            left.append(row)
        elif status == "done":
            done.append(row)
    return left, done


def rows_for(summary: WeekSummary, me: str | None) -> list[HabitWeek]:
    """The rows that are `me`'s to do: shared habits, their own row of one each of you does, their own habits."""
    if me is None:
        return list(summary.habits)
    return [r for r in summary.habits if r.person in (None, me) and r.habit.who in ("together", "each", me)]
