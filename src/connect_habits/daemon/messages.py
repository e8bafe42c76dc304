"""What the daemon's notifications say: a reminder with the day's prompt, and the weekly summary."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ..core.cadence import week_start
from ..core.catalog import find_template
from ..core.history import History
from ..core.model import Habit, Snapshot
from ..core.week import habit_week, week_summary
from ..core.words import amount_text, period_progress, progress_text, row_label, streak_text
from ..errors import ConnectError
from .notify import DONE_ACTION, SNOOZE_ACTION, SNOOZE_EVENING_ACTION, SNOOZE_HOUR_ACTION, Notification


def reminder_notification(
    habit: Habit,
    history: History,
    now: datetime,
    first_weekday: int = 0,
    done: int | None = 0,
    evening: bool = False,
    today: date | None = None,
) -> Notification:
    """A reminder: the habit's name, a prompt of the day, the week's progress and the streak; Done where one
    click can log it (`done`: 0 for a check, N for N minutes, None for no Done button), then Snooze 15 min,
    1 hour, and "This evening" when `evening` (while the evening is still some way off). `today`: the day
    it is (core/daystart.py), `now`'s date unless given; so in the other notifications."""
    today = now.date() if today is None else today
    row = habit_week(habit, history, today, today, first_weekday)
    prompt = _pick_prompt(habit, today)
    progress = f"{period_progress(row)} · streak {streak_text(row.streak, row.streak_unit)}"
    body = f"{prompt}\n{progress}" if prompt else progress
    snooze: tuple[tuple[str, str], ...] = ((SNOOZE_ACTION, "Snooze 15 min"), (SNOOZE_HOUR_ACTION, "Snooze 1 hour"))
    if evening:
        snooze += ((SNOOZE_EVENING_ACTION, "This evening"),)
    if done is None:
        return Notification(habit.name, body, snooze)
    return Notification(
        habit.name, body, ((DONE_ACTION, f"Done ({amount_text(done, habit)})" if done else "Done"), *snooze)
    )


def together_notification(
    items: list[tuple[Habit, History]], now: datetime, first_weekday: int = 0, today: date | None = None
) -> Notification:
    """Reminders due in the same minute, as one: the title names each, the body has a line for each."""
    names = [habit.name for habit, _ in items]
    title = f"{', '.join(names[:-1])} and {names[-1]}"
    lines = []
    today = now.date() if today is None else today
    for habit, history in items:
        row = habit_week(habit, history, today, today, first_weekday)
        lines.append(f"{habit.name}: {period_progress(row, False)} · streak {streak_text(row.streak, row.streak_unit)}")
    return Notification(title, "\n".join(lines))


def digest_notification(
    items: list[tuple[Habit, History]], now: datetime, first_weekday: int = 0, today: date | None = None
) -> Notification:
    """The day's one reminder: what is left today, a line each."""
    body = together_notification(items, now, first_weekday, today).body
    left = len(items)
    return Notification(f"{left} left today" if left != 1 else "1 left today", body)


def summary_notification(
    snapshot: Snapshot, now: datetime, first_weekday: int = 0, today: date | None = None
) -> Notification:
    """The weekly summary: each habit's progress and streak, one line each."""
    # On the first day of a week, the week worth summing up is the one that just ended.
    first = first_weekday
    today = now.date() if today is None else today
    day = today - timedelta(days=1) if week_start(today, first) == today else today
    summary = week_summary(
        snapshot.habits,
        snapshot.checkins,
        snapshot.skips,
        today,
        day,
        first,
        snapshot.persons,
        snapshot.folds,
        snapshot.since,
        snapshot.names,
    )
    lines = [
        f"{row_label(row, summary.names)}: {progress_text(row)}, streak {streak_text(row.streak, row.streak_unit)}"
        for row in summary.habits
    ]
    return Notification("Your week together", "\n".join(lines) or "No habits yet.")


def _pick_prompt(habit: Habit, today: date) -> str:
    prompts = list(habit.prompts)
    if not prompts and habit.template:
        try:
            prompts = list(find_template(habit.template).prompts)
        except ConnectError:
            prompts = []
    # A different prompt each day, the same one all day (a snooze repeats it).
    return prompts[today.toordinal() % len(prompts)] if prompts else ""
