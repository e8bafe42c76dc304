"""The week's best moment, and a gentle word when something is slipping."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from .streaks import DONE, MISSED
from .week import HabitWeek, WeekSummary


def _label(row: HabitWeek, names) -> str:
    if not row.person:
        return row.habit.name
    return f"{row.habit.name} ({(names or {}).get(row.person, row.person)})"


def best_moment(summary: WeekSummary) -> str | None:
    """A new best streak made this week, else a goal reached this week; None when neither happened."""
    records = [r for r in summary.habits if r.streak >= 2 and r.streak == r.best_streak and DONE in r.days.values()]
    if records:
        row = max(records, key=lambda r: (r.streak, r.streak_unit == "weeks"))
        unit = row.streak_unit if row.streak != 1 else row.streak_unit[:-1]
        return f"A new best: {_label(row, summary.names)}, {row.streak} {unit} in a row."
    reached = [
        r
        for r in summary.habits
        if r.progress.target
        and r.progress.done >= r.progress.target
        and r.habit.limit is None  # a limit is not a goal
        and _each_day_met(r)
    ]
    if reached:
        from .words import period_progress

        row = max(reached, key=lambda r: r.progress.done / r.progress.target)
        return f"Goal reached: {_label(row, summary.names)}, {period_progress(row, capital=False)}."
    return None


def _each_day_met(row: HabitWeek) -> bool:
    """A goal per day is reached in a week only when every day it was due met it, whatever the week's sum."""
    measure = row.habit.measure
    if measure is None or measure.per != "day":
        return True
    return sum(1 for status in row.days.values() if status == DONE) >= round(row.progress.target / measure.minutes)


def slipping(summary: WeekSummary) -> HabitWeek | None:
    """The habit most in need of care: two or more missed days this week, or a streak that just broke."""
    missed = [(sum(1 for s in r.days.values() if s == MISSED), r) for r in summary.habits]
    worst = max(missed, key=lambda item: item[0], default=(0, None))
    if worst[0] >= 2:
        return worst[1]
    return next((r for r in summary.habits if r.streak == 0 and r.best_streak >= 3), None)


def suggestion(row: HabitWeek, prompts: Sequence[str], today: date, names=None) -> str:
    """One kind sentence for a slipping habit, with one prompt to restart with."""
    prompt = prompts[today.toordinal() % len(prompts)] if prompts else ""
    start = f"'{_label(row, names)}' has slipped a little; no blame, just begin again small."
    return f"{start} Try: {prompt}" if prompt else start


def reduced_by_skips(summary: WeekSummary) -> list[str]:
    """A sentence for each period-based habit whose target is smaller because days were skipped."""
    from .cadence import full_target, monthly

    notes = []
    for row in summary.habits:
        full, target = full_target(row.habit) if row.habit.week_based else 0, row.progress.target
        skipped = "skipped" in row.days.values()  # a challenge that starts mid-week has a smaller target too
        if row.habit.week_based and skipped and 0 < target < full:  # the skipped days may be ahead: no count
            unit = " min" if row.progress.unit == "minutes" else ""
            period = "month" if monthly(row.habit) else "week"
            notes.append(
                f"{_label(row, summary.names)}: {target}{unit} this {period} instead of {full}{unit}, "
                f"as days of this {period} are skipped."
            )
    return notes
