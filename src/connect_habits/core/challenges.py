"""Challenges: a habit with an end (`--for 30d`, `--until 2026-12-31`), and maybe a later start (`--starts`).

The rules (README's "Challenges"): a habit counts from its start (`starts`; the day it was added when it
has none) to its end (`ends`), both days included. Days before the start and after the end are not due:
not missed, not reminded of, neutral to streaks and to the strength score. After its end the habit is
finished: no reminders, out of `week` from the week after its last day, and its result is the periods met
of the periods it had: due days for a habit counted by the day ("27 of 30 days"), weeks for one counted by
the week, each week the span touches with its target prorated to its days within the span. A skipped day
(or a week skipped whole) is in neither number; every other due day is, the first one too.

Nothing here reads the clock: every function takes `today`.
"""

from __future__ import annotations

import re
from collections import namedtuple
from datetime import date, timedelta

from ..errors import InvalidInput, UsageError
from .cadence import day_met, first_day, is_due, week_start
from .history import History, history_start
from .model import Habit, parse_date
from .streaks import ONE_DAY, week_result

MAX_DAYS = 3660  # ten years: a challenge, not a life
_NONE = ("none", "off", "no", "")


def parse_length(text: str) -> int:
    """Days from `30d`, `30 days`, `4w` or `4 weeks`."""
    spec = " ".join(text.strip().lower().split())
    match = re.fullmatch(r"([0-9]{1,6}) ?(d|days?|w|weeks?)", spec)
    if not match:
        raise InvalidInput(f"'{text}' is not a length; use a number of days or weeks, like 30d or 4w.")
    days = int(match[1]) * (7 if match[2].startswith("w") else 1)
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"'{text}' is not a length a challenge can have; use 1 to {MAX_DAYS} days, like 30d or 4w.")
    return days


def parse_day(text: str, today: date, option: str) -> date | None:
    """A day as `parse_date` reads it; None for `none` (no start or end)."""
    spec = text.strip().lower()
    if spec in _NONE:
        return None
    try:
        return parse_date(text, today)
    except InvalidInput as error:
        raise InvalidInput(f"{option}: {error.message}") from None


def with_span(habit: Habit, starts: str | None, until: str | None, length: str | None, today: date) -> Habit:
    """`habit` with the start and end `--starts`, `--until` and `--for` give (None: not given).

    `--for N` ends N days after the start (the one given, or the one the habit has, else the day it
    was added), that day included; `--until none` (or `--for none`) makes it open-ended again. A habit
    with an end always has its start written down.
    """
    if until is not None and length is not None:
        raise UsageError(
            "Use either --for or --until, not both: --for counts days from the start, --until names the end."
        )
    start = habit.starts if starts is None else parse_day(starts, today, "--starts")
    ends = habit.ends
    if until is not None:
        ends = parse_day(until, today, "--until")
    elif length is not None:
        ends = (
            None
            if length.strip().lower() in _NONE
            else (start or habit.created) + timedelta(days=parse_length(length) - 1)
        )
    if ends is not None:
        start = start or habit.created
        if ends < start:
            raise InvalidInput(
                f"The end ({ends.isoformat()}) is before the start ({start.isoformat()}); "
                "a challenge ends on or after the day it starts."
            )
        if ends.year > 2999:
            raise InvalidInput("That end is too far in the future; a challenge ends by 2999.")
    elif start == habit.created:
        start = None  # open-ended from the day it was added: the habit it was
    return habit._replace(starts=start, ends=ends)


# ---------------------------------------------------------------- the result


class Result(namedtuple("Result", "done of unit finished")):
    """A challenge's result: the days (or weeks) met, `done`, of those it has, `of`; `finished` once it is over.

    While it runs, `of` holds the periods still to come as well: "12 of 30 days" so far.
    """

    __slots__ = ()

    def as_dict(self) -> dict:
        return {"done": self.done, "of": self.of, "unit": self.unit}


def tally_scan(
    habit: Habit,
    history: History,
    start: date,
    today: date,
    tally: tuple[int, int] = (0, 0),
    first_weekday: int = 0,
    stop: date | None = None,
) -> tuple[int, int]:
    """(met, counted) of a challenge's periods decided from `start` to `today` (or before `stop`), onto `tally`.

    A period is decided once met, or once over (a day before `today`; a week whose last day within the span
    is). A habit without an end has no tally.
    """
    if habit.ends is None:
        return tally
    met, counted = tally
    begin = max(start, first_day(habit))
    if habit.week_based:
        week, last = week_start(begin, first_weekday), week_start(min(today, habit.ends), first_weekday)
        while week <= last and (stop is None or week < stop):
            result = week_result(habit, history, week)
            if result.unskipped and (result.met or min(week + timedelta(days=6), habit.ends) < today):
                met, counted = met + result.met, counted + 1
            week += timedelta(days=7)
        return met, counted
    day, last = begin, min(today, habit.ends)
    while day <= last and (stop is None or day < stop):
        if is_due(habit, day):
            if day_met(habit, history.count.get(day, 0), history.minutes.get(day, 0)):
                met, counted = met + 1, counted + 1
            elif day < today and day not in history.skipped:
                counted += 1
        day += ONE_DAY
    return met, counted


def _ahead(habit: Habit, history: History, today: date, first_weekday: int) -> int:
    """The periods of a challenge not decided on `today`: to come (today's while open), and not skipped."""
    assert habit.ends is not None
    begin = max(today, first_day(habit))
    ahead = 0
    if habit.week_based:
        this_week = week_start(today, first_weekday)
        week = week_start(begin, first_weekday)
        while week <= habit.ends:
            result = week_result(habit, history, week)
            ahead += bool(result.unskipped) and (week > this_week or not result.met)
            week += timedelta(days=7)
        return ahead
    day = begin
    while day <= habit.ends:
        if is_due(habit, day):
            met = day_met(habit, history.count.get(day, 0), history.minutes.get(day, 0))
            ahead += (day > today or not met) and (met or day not in history.skipped)
        day += ONE_DAY
    return ahead


def challenge_result(habit: Habit, history: History, today: date, first_weekday: int = 0) -> Result | None:
    """A challenge's result as of `today` (None: the habit has no end); resumed from the history's fold."""
    if habit.ends is None:
        return None
    resume = history.resume_point(habit, first_weekday, today)
    if resume is None or history.fold is None:
        met, counted = tally_scan(habit, history, history_start(habit, history), today, (0, 0), first_weekday)
    else:
        met, counted = tally_scan(habit, history, resume, today, tuple(history.fold.tally), first_weekday)
    over = today > habit.ends
    planned = counted if over else counted + _ahead(habit, history, today, first_weekday)
    return Result(met, planned, "weeks" if habit.week_based else "days", over)


def result_text(result: Result) -> str:
    """`27 of 30 days`; `12 of 30 days so far` while it runs."""
    unit = result.unit[:-1] if result.of == 1 else result.unit
    return f"{result.done} of {result.of} {unit}" + ("" if result.finished else " so far")
