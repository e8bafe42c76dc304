"""Loop Habit Tracker's habits and entries in connect's terms (`connect import --from loop`).

loop_csv.py reads Loop's CSV export and loop_db.py its full backup into LoopHabit records; here they become
ForeignHabits, mapped exactly: rhythms, goals in their unit and period, limits, reminders and notes.
"""

from __future__ import annotations

import uuid

from ..core.model import WEEKLY, Cadence, Goal
from ..core.words import counted, plain_number
from .foreign import DONE, SKIP, ForeignEntry, ForeignFile, ForeignHabit, clean_text
from .importing import Report
from .loop_csv import LoopHabit

LOOP_LABEL = "Loop"
_MINUTE_UNITS = {"m", "min", "mins", "minute", "minutes"}
_HOUR_UNITS = {"h", "hr", "hrs", "hour", "hours"}
_LOOP_NAMESPACE = uuid.UUID("7a1d6e2c-5b8f-4c1e-9f3a-2d4b6c8e0a1f")
_PERIODS = {1: "day", 7: "week", 30: "month", 31: "month"}
# Loop's reminder mask: bit 0 is Saturday, bit 1 Sunday, bit 2 Monday … bit 6 Friday (connect: 0 is Monday).
_MASK_DAYS = {0: 5, 1: 6, 2: 0, 3: 1, 4: 2, 5: 3, 6: 4}
_EVERY_DAY = 127


def loop_cadence(numerator: int, denominator: int) -> Cadence:
    """A cadence from Loop's frequency, `numerator` times in `denominator` days, exactly.

    N/N (or more often) → daily; 1/7 → weekly; N/7 → N/week; N/30 and N/31 → N/month (Loop's "N times
    per month"); any other N/M → `N in M days`, Loop's own meaning of it (1/5 "every 5 days" is at least
    once in any 5 days, not a fixed schedule).
    """
    if numerator >= denominator:
        return Cadence()
    if denominator == 7:
        return WEEKLY if numerator == 1 else Cadence(weekdays=frozenset(), per_week=numerator)
    if denominator in (30, 31) and numerator <= 28:
        return Cadence(weekdays=frozenset(), per_month=numerator)
    return Cadence(weekdays=frozenset(), rolling=(numerator, min(denominator, 365)))


def loop_file(habits: list[LoopHabit], progress: Report | None = None) -> ForeignFile:
    """What Loop's habits are in connect: their rhythms, goals, limits, reminders, notes and entries."""
    found = ForeignFile(LOOP_LABEL, [], _LOOP_NAMESPACE)
    seen: dict[str, int] = {}
    automatic = 0
    for loop in sorted(habits, key=lambda h: h.position):
        name = clean_text(loop.name, 200) or f"Loop habit {loop.position}"
        occurrence = seen.get(name.casefold(), 0)
        seen[name.casefold()] = occurrence + 1
        habit = ForeignHabit(name=name, key=f"{name}/{occurrence}", archived=loop.archived)
        _rhythm(loop, habit, found.inexact)
        _words(loop, habit)
        _reminder(loop, habit, found)
        automatic += sum(1 for e in loop.entries if e[1] == "auto")
        habit.entries = _entries(loop, habit)
        habit.first_day = min((e[0] for e in loop.entries), default=None)
        found.habits.append(habit)
    if automatic:
        found.left_out.append(
            f"{counted(automatic, 'check-mark')} Loop filled in by itself (connect counts the rhythm itself)"
        )
    return found


def _minutes_per_unit(unit: str) -> float | None:
    """How many minutes one unit of a measurable habit is (None: not a duration)."""
    unit = unit.strip().casefold().rstrip(".")
    return 1.0 if unit in _MINUTE_UNITS else 60.0 if unit in _HOUR_UNITS else None


def _unit_name(unit: str) -> str:
    """A Loop unit as a goal's unit ("times" when it has none connect can show)."""
    from ..core.model import parse_goal
    from ..errors import InvalidInput

    text = " ".join(unit.split())[:40]
    try:
        return parse_goal(f"1 {text}/day").unit or "times"
    except InvalidInput:
        return "times"


def _rhythm(loop: LoopHabit, habit: ForeignHabit, inexact: list[str]) -> None:
    """The cadence, and for a measurable habit its goal or limit, in minutes or its own unit, per its period."""
    if not loop.numerical:
        habit.cadence = loop_cadence(loop.numerator, loop.denominator)
        if loop.numerator < loop.denominator and loop.denominator > 365 and loop.denominator not in (30, 31):
            inexact.append(f"'{habit.name}': {loop.numerator} in {loop.denominator} days became {habit.cadence}")
        return
    factor = _minutes_per_unit(loop.unit)
    unit = "" if factor is not None else _unit_name(loop.unit)
    per = _PERIODS.get(loop.denominator)
    days = loop.denominator
    if per is None:  # Loop's window is the whole period: the nearest of ours, the target scaled to it
        per = "day" if days < 7 else "week" if days < 30 else "month"
        days = {"day": 1, "week": 7, "month": 30}[per]
    amount = plain_number(loop.target * (factor or 1.0) * days / loop.denominator)
    if amount <= 0:
        inexact.append(f"'{habit.name}': its target is 0, so it is a plain check habit here")
        return
    measure = Goal(minutes=amount, per=per, unit=unit)
    if loop.at_most:
        habit.limit = measure
    else:
        habit.goal = measure
    habit.cadence = (
        WEEKLY if per == "week" else Cadence(weekdays=frozenset(), per_month=1) if per == "month" else Cadence()
    )
    if days != loop.denominator:
        plain = f"{plain_number(loop.target)} {loop.unit.strip() or 'times'} in {loop.denominator} days"
        inexact.append(f"'{habit.name}': {plain} became {measure}")


def _words(loop: LoopHabit, habit: ForeignHabit) -> None:
    """Loop's question is asked when logging; the description (else the question) is the habit's note."""
    question = loop.question.strip()
    habit.prompts = (question,) if question else ()
    habit.note = loop.description.strip() or question


def _reminder(loop: LoopHabit, habit: ForeignHabit, found: ForeignFile) -> None:
    """The reminder's time, and its weekdays (`--remind-on`) when Loop reminds on some days only."""
    if loop.reminder is None:
        return
    hour, minute, mask = loop.reminder
    if not (0 <= hour < 24 and 0 <= minute < 60) or not mask & _EVERY_DAY:
        found.left_out.append(f"'{habit.name}': its reminder (no day or no valid time)")
        return
    habit.at = (f"{hour:02d}:{minute:02d}",)
    if mask & _EVERY_DAY != _EVERY_DAY:
        habit.remind_on = tuple(sorted(_MASK_DAYS[bit] for bit in range(7) if mask >> bit & 1))


def _entries(loop: LoopHabit, habit: ForeignHabit) -> list[ForeignEntry]:
    """Loop's entries as check-ins and skips: a hand-made check, an amount, or a skip; the rest is no record."""
    factor = _minutes_per_unit(loop.unit) or 1.0
    measured = habit.goal is not None or habit.limit is not None
    entries = []
    for day, kind, amount, note in loop.entries:
        if kind == "skip":
            entries.append(ForeignEntry(day, SKIP, note=note))
        elif kind == "yes" and not loop.numerical:
            entries.append(ForeignEntry(day, DONE, note=note))
        elif kind == "amount" and measured:
            entries.append(ForeignEntry(day, DONE, amount=plain_number(amount * factor), note=note))
        elif kind == "amount":  # a target of 0: done, the amount kept in the note
            text = f"{plain_number(amount)} {loop.unit.strip()}".strip()
            entries.append(ForeignEntry(day, DONE, note=f"{text}: {note}" if note else text))
    return entries
