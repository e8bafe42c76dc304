"""Loop Habit Tracker's habits and check-ins, made connect's (`connect import --from loop`).

loop_csv.py reads Loop's export into LoopHabit records; here they become habits, check-ins and skips.
"""

from __future__ import annotations

import unicodedata
import uuid
from datetime import date

from ..core.model import (
    NAME_MAX,
    NOTE_MAX,
    WEEKLY,
    Cadence,
    CheckIn,
    Goal,
    Habit,
    Skip,
)
from ..core.names import Taken
from ..core.order import next_position
from .importing import ImportSummary, Report, add_checkins, counting, fit_in, known_ids
from .loop_csv import LoopHabit, parse_loop

LOOP_SOURCE = "loop"


_MINUTE_UNITS = {"m", "min", "mins", "minute", "minutes"}


_HOUR_UNITS = {"h", "hr", "hrs", "hour", "hours"}


_LOOP_NAMESPACE = uuid.UUID("7a1d6e2c-5b8f-4c1e-9f3a-2d4b6c8e0a1f")


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


def _loop_minutes(habit: LoopHabit) -> float | None:
    """How many minutes one unit of a measurable habit is (None: not a duration)."""
    unit = habit.unit.strip().casefold().rstrip(".")
    return 1.0 if unit in _MINUTE_UNITS else 60.0 if unit in _HOUR_UNITS else None


def _loop_goal(habit: LoopHabit) -> Goal | None:
    """The goal ("at least") or limit ("at most") of a measurable habit, in minutes when its unit is a time,
    else in its own unit: per day, or per week (another period's made weekly)."""
    if not habit.numerical:
        return None
    factor = _loop_minutes(habit)
    unit = "" if factor is not None else _unit_name(habit.unit)
    per = "day" if habit.denominator <= 1 else "week"
    scale = (factor or 1.0) * (1 if per == "day" else 7 / habit.denominator)
    amount = int(habit.target * scale + 0.5)
    most = (24 * 60 if per == "day" else 7 * 24 * 60) if not unit else 100_000
    return Goal(minutes=min(amount, most), per=per, unit=unit) if amount >= 1 else None


def _unit_name(unit: str) -> str:
    """A Loop unit as a goal's unit ("times" when it has none connect can show)."""
    from ..core.model import parse_goal
    from ..errors import InvalidInput

    text = " ".join(unit.split())[:40]
    try:
        return parse_goal(f"1 {text}/day").unit or "times"
    except InvalidInput:
        return "times"


def _clean_text(text: str, limit: int, newlines: bool = False) -> str:
    text = unicodedata.normalize("NFC", text)
    keep = "\n\t" if newlines else ""
    text = "".join(ch if unicodedata.category(ch) not in ("Cc", "Zl", "Zp") or ch in keep else " " for ch in text)
    return text.strip()[:limit].strip()


def import_loop(
    transaction,
    zip_bytes: bytes,
    today: date,
    by: str | None = None,
    source: str = "The file",
    progress: Report | None = None,
) -> ImportSummary:
    """Import a Loop Habit Tracker CSV export: habits, their manual check-marks as check-ins, skips as skips.

    Mapping: frequencies as `loop_cadence` says; YES_MANUAL → a check-in (source "loop"); SKIP →
    a skip; YES_AUTO (Loop's own fill-in), NO and UNKNOWN are left out, as are days after today.
    A measurable habit in minutes (or hours) aiming at least at a target becomes a minutes goal
    (per day, or per week; a month's target is made weekly) with check-ins of value/1000 minutes;
    any other measurable habit becomes a check habit where a value above zero counts (for an
    "at most" target: a value at or under it), the amount kept in the check-in's note. Loop's
    question becomes the habit's prompt, its description the note; archived stays archived; a
    name taken here gets " (Loop)". Ids come from the export and this device, so importing the
    same (or a later) export again adds only what is new. `progress` hears of the rows read, then imported.
    """
    habits = parse_loop(zip_bytes, source, progress)
    snapshot = transaction.snapshot
    taken = Taken(snapshot.habits)
    habit_ids, checkin_ids, skip_ids = known_ids(transaction)
    live = {h.id for h in snapshot.habits}
    summary = ImportSummary()
    place = next_position(snapshot.habits)  # each new habit after every other, in Loop's order
    seen_names: dict[str, int] = {}
    salt = getattr(transaction.device, "device", "") or ""
    done, total = 0, sum(len(loop.entries) for loop in habits)  # rows, for `progress`
    for loop in habits:
        name = _clean_text(loop.name, NAME_MAX) or f"Loop habit {loop.position}"
        occurrence = seen_names.get(name.casefold(), 0)
        seen_names[name.casefold()] = occurrence + 1
        habit_id = uuid.uuid5(_LOOP_NAMESPACE, f"{salt}/{name}/{occurrence}").hex
        entries = [e for e in loop.entries if e[0] <= today]
        before, done = done, done + len(loop.entries)
        if habit_id in habit_ids:
            if habit_id not in live:
                continue  # deleted here: it stays deleted
            summary.already += 1
        else:
            habit = _loop_habit(loop, habit_id, name, entries, today)
            habit = fit_in(habit, taken, "Loop", summary)._replace(position=place)
            place += 1
            transaction.add_habit(habit)
            snapshot.habits.append(habit)
            live.add(habit_id)
            summary.habits += 1
        goal_minutes = (_loop_minutes(loop) or 1.0) if _loop_goal(loop) else None
        new_skips, new_checkins = [], []
        skipped = {s.day for s in snapshot.skips if s.habit_id == habit_id}
        for day, kind, amount, note in counting(entries, progress, "rows imported", total, before):
            record_id = uuid.uuid5(_LOOP_NAMESPACE, f"{habit_id}/{day.isoformat()}").hex
            if kind == "skip":
                if record_id not in skip_ids and day not in skipped:
                    skip_ids.add(record_id)
                    skipped.add(day)
                    new_skips.append(
                        Skip(
                            id=record_id, habit_id=habit_id, day=day, reason=_clean_text(note, NOTE_MAX, newlines=True)
                        )
                    )
                continue
            checkin = _loop_checkin(loop, record_id, habit_id, day, kind, amount, note, goal_minutes, by)
            if checkin is not None and record_id not in checkin_ids:
                checkin_ids.add(record_id)
                new_checkins.append(checkin)
        add_checkins(transaction, new_checkins)
        summary.checkins += len(new_checkins)
        transaction.add_skips(new_skips)
        snapshot.skips.extend(new_skips)
        summary.skips += len(new_skips)
    return summary


def _loop_habit(loop: LoopHabit, habit_id: str, name: str, entries: list, today: date) -> Habit:
    measure = _loop_goal(loop)
    goal, limit = (None, measure) if loop.at_most else (measure, None)
    cadence = loop_cadence(loop.numerator, loop.denominator)
    if measure is not None:
        cadence = WEEKLY if measure.per == "week" else Cadence()
    notes = [_clean_text(loop.description, NOTE_MAX, newlines=True)]
    if loop.numerical and measure is None:
        most = "at most" if loop.at_most else "at least"
        period = {1: "a day", 7: "a week"}.get(loop.denominator, f"every {loop.denominator} days")
        notes.append(f"From Loop: {most} {_amount(loop.target)} {loop.unit.strip()} {period}.".replace("  ", " "))
    question = _clean_text(loop.question, NOTE_MAX)
    return Habit(
        id=habit_id,
        name=name,
        slug="",  # set by fit_in
        cadence=cadence,
        created=min((e[0] for e in entries), default=today),
        goal=goal,
        limit=limit,
        prompts=(question,) if question else (),
        note="\n".join(n for n in notes if n)[:NOTE_MAX],
        archived=loop.archived,
    )


def _amount(value: float) -> str:
    return f"{value:g}"


def _loop_checkin(
    loop: LoopHabit,
    record_id: str,
    habit_id: str,
    day: date,
    kind: str,
    amount: float,
    note: str,
    goal_minutes: float | None,
    by: str | None,
) -> CheckIn | None:
    text = _clean_text(note, NOTE_MAX, newlines=True)
    minutes = None
    if loop.numerical:
        if kind != "amount":
            return None
        if goal_minutes is not None:
            cap = 24 * 60 if _loop_minutes(loop) is not None else 100_000  # minutes, or the habit's own unit
            minutes = min(cap, int(amount * goal_minutes + 0.5))
            if minutes < 1:
                return None
        else:
            if loop.at_most and amount > loop.target:
                return None
            unit = loop.unit.strip()
            text = (f"{_amount(amount)} {unit}".strip() + (f": {text}" if text else ""))[:NOTE_MAX]
    elif kind != "yes":
        return None
    return CheckIn(
        id=record_id,
        habit_id=habit_id,
        day=day,
        logged_at=f"{day.isoformat()}T12:00:00",
        minutes=minutes,
        note=text,
        source=LOOP_SOURCE,
        by=by,
    )
