"""Build a habit and its history from a compact picture, for table-driven tests.

A picture is one character per day from START (a Monday): `x` done, `.` nothing,
`s` skipped, `S` skipped and done. Minutes habits take a list: a number of minutes,
or "s" for a skipped day.
"""

from __future__ import annotations

from datetime import date, timedelta

from connect_habits.core.history import History, build_histories
from connect_habits.core.model import (
    WEEKLY,
    CheckIn,
    Habit,
    Skip,
    parse_cadence,
    parse_goal,
)

START = date(2026, 11, 2)  # a Monday


def day(n: int) -> date:
    return START + timedelta(days=n)


def make_habit(cadence: str = "daily", goal: str | None = None, created: int = 0) -> Habit:
    parsed_goal = parse_goal(goal) if goal else None
    rhythm = WEEKLY if parsed_goal and parsed_goal.per == "week" else parse_cadence(cadence)
    return Habit(id="h", name="H", slug="h", cadence=rhythm, created=day(created), goal=parsed_goal)


def make_history(picture: str | list = "") -> History:
    checkins, skips = [], []
    for n, mark in enumerate(picture):
        if mark in ("x", "S"):
            checkins.append(CheckIn(id=f"c{n}", habit_id="h", day=day(n), logged_at=""))
        if isinstance(mark, int) and mark:
            checkins.append(CheckIn(id=f"c{n}", habit_id="h", day=day(n), logged_at="", minutes=mark))
        if mark in ("s", "S"):
            skips.append(Skip(id=f"s{n}", habit_id="h", day=day(n)))
    return build_histories(checkins, skips)["h"]
