"""Turning summaries into terminal text (colour and symbols when it helps) and JSON."""

from __future__ import annotations

import os
import sys
import textwrap
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Sequence, TextIO

from .catalog import STRATEGIES, Template
from .model import Habit
from .streaks import DONE, FUTURE, MISSED, NOT_DUE, PENDING, SKIPPED, HabitWeek, WeekSummary

WIDTH = 80
_COLOURS = {"green": "32", "red": "31", "yellow": "33", "cyan": "36", "dim": "2", "bold": "1"}


@dataclass(frozen=True)
class Style:
    """How to draw: with ANSI colours or not, with Unicode symbols or ASCII."""

    colour: bool = False
    unicode: bool = True

    @classmethod
    def for_stream(cls, stream: TextIO) -> "Style":
        """Colour only on a terminal and never with NO_COLOR; Unicode when the stream can encode it."""
        tty = hasattr(stream, "isatty") and stream.isatty()
        colour = tty and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        return cls(colour=colour, unicode=encoding.startswith("utf"))

    def paint(self, text: str, colour: str) -> str:
        return f"\x1b[{_COLOURS[colour]}m{text}\x1b[0m" if self.colour else text

    def symbol(self, status: str) -> str:
        unicode, ascii_, colour = _SYMBOLS[status]
        return self.paint(unicode if self.unicode else ascii_, colour)


_SYMBOLS = {
    DONE: ("✓", "x", "green"),
    MISSED: ("✗", "!", "red"),
    SKIPPED: ("~", "~", "yellow"),
    NOT_DUE: ("·", ".", "dim"),
    PENDING: ("○", "o", "cyan"),
    FUTURE: (" ", " ", "dim"),
}
_LEGEND = ((DONE, "done"), (MISSED, "missed"), (SKIPPED, "skipped"), (NOT_DUE, "not due"), (PENDING, "due today"))


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: wide East Asian characters and emoji take two."""
    return sum(
        0 if unicodedata.combining(ch) or unicodedata.category(ch) == "Cf"
        else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def fit(text: str, width: int, ellipsis: str = "…") -> str:
    """`text` cut to `width` columns (with an ellipsis) and padded to exactly that width."""
    if display_width(text) > width:
        while text and display_width(text + ellipsis) > width:
            text = text[:-1]
        text += ellipsis
    return text + " " * (width - display_width(text))


def clean(text: str) -> str:
    """User text made safe for a terminal line: control characters shown as spaces."""
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


# ---------------------------------------------------------------- JSON


def habit_json(habit: Habit) -> dict:
    """The public JSON form of a habit (`connect list --json`)."""
    return habit.as_dict()


def rhythm_text(habit: Habit | Template) -> str:
    """`goal 2h/week` for a minutes habit, else its cadence."""
    return f"goal {habit.goal}" if habit.goal else str(habit.cadence)


def week_json(summary: WeekSummary) -> dict:
    """The public JSON form of a weekly summary (`connect week --json`)."""
    return {
        "week_start": summary.week_start.isoformat(),
        "week_end": summary.week_end.isoformat(),
        "today": summary.today.isoformat(),
        "habits": [
            {
                "name": row.habit.name,
                "slug": row.habit.slug,
                "who": row.habit.who,
                "person": row.person,
                "cadence": str(row.habit.cadence),
                "goal": row.habit.goal.as_dict() if row.habit.goal else None,
                "streak": row.streak,
                "best_streak": row.best_streak,
                "streak_unit": row.streak_unit,
                "progress": {"done": row.progress.done, "target": row.progress.target, "unit": row.progress.unit},
                "days": {day.isoformat(): status for day, status in row.days.items()},
                "by": {day.isoformat(): people for day, people in row.by.items()},
            }
            for row in summary.habits
        ],
    }


# ---------------------------------------------------------------- text


def streak_text(length: int, unit: str) -> str:
    """`1 day`, `3 weeks`."""
    return f"{length} {unit[:-1] if length == 1 else unit}"


def row_label(row: HabitWeek) -> str:
    """The habit's name, with whose row it is for a habit each partner does."""
    return f"{row.habit.name} · {row.person}" if row.person else row.habit.name


def progress_text(row: HabitWeek) -> str:
    """`2/3` or `95/120 min`."""
    done, target = row.progress.done, row.progress.target
    return f"{done}/{target} min" if row.progress.unit == "minutes" else f"{done}/{target}"


def week_title(summary: WeekSummary, partners: Sequence[str]) -> str:
    start, end = summary.week_start, summary.week_end
    span = f"{start:%a %d %b} – {end:%a %d %b %Y}"
    couple = f" · {' & '.join(clean(p) for p in partners)}" if partners else ""
    return f"Week {end.isocalendar()[1]}, {span}{couple}"


def render_week(summary: WeekSummary, style: Style, partners: Sequence[str] = ()) -> str:
    """The weekly summary as a table: a row per habit, a column per day, streak and progress."""
    name_width = WIDTH - 28 - 11 - 12 - 1
    days = list(summary.habits[0].days) if summary.habits else []
    dash = "–" if style.unicode else "-"
    lines = [style.paint(week_title(summary, partners).replace("–", dash), "bold"), ""]
    header = " " * (name_width + 1)
    for day in days:
        label = f"{day:%a}"
        header += style.paint(f"{label:<4}", "bold") if day == summary.today else f"{label:<4}"
    lines.append(header + f"{'Streak':<11}{'This week':>11}")
    for row in summary.habits:
        ellipsis = "…" if style.unicode else "..."
        cells = "".join(f" {style.symbol(row.days[d])}  " for d in days)
        streak = streak_text(row.streak, row.streak_unit)
        progress = progress_text(row)
        met = row.progress.target and row.progress.done >= row.progress.target
        lines.append(
            fit(clean(row_label(row)), name_width, ellipsis) + " " + cells
            + f"{streak:<11}" + (style.paint(f"{progress:>11}", "green") if met else f"{progress:>11}")
        )
    lines.append("")
    lines.append("  ".join(f"{style.symbol(status)} {label}" for status, label in _LEGEND))
    best = max(summary.habits, key=lambda r: r.streak, default=None)
    if best is not None and best.streak > 1:
        lines.append(f"Longest run going: {clean(row_label(best))}, {streak_text(best.streak, best.streak_unit)}.")
    return "\n".join(lines)


EMPTY_WEEK = (
    "No habits yet. Two ways to start:\n"
    "  connect init                                      a starter plan from the catalog\n"
    '  connect add "Walk together" --every mon,wed,sat   a habit of your own\n'
    "Then log with `connect done walk` and come back to `connect week`."
)


def render_habits(habits: Sequence[Habit], style: Style) -> str:
    """`connect list`: one line per active habit, then the archived ones by name."""
    active = [h for h in habits if not h.archived]
    archived = [h for h in habits if h.archived]
    if not habits:
        return "No habits yet; add one with `connect add NAME` or start with `connect init`."
    lines = []
    for habit in active:
        rhythm = rhythm_text(habit)
        at = ("at " + ", ".join(habit.at)) if habit.at else "no reminder"
        lines.append(f"{fit(clean(habit.name), 32)} {fit(habit.slug, 20)} {fit(rhythm, 14)} {at}")
    if not active:
        lines.append("No active habits.")
    if archived:
        lines.append(style.paint("Archived: " + ", ".join(clean(h.name) for h in archived), "dim"))
    return "\n".join(lines)


def render_catalog(templates: Sequence[Template], style: Style) -> str:
    """`connect catalog`: templates grouped by the strategy they serve."""
    lines: list[str] = []
    for strategy, title in STRATEGIES.items():
        group = [t for t in templates if t.strategy == strategy]
        if not group:
            continue
        lines.append(style.paint(title, "bold"))
        for t in group:
            rhythm = rhythm_text(t)
            at = f" at {', '.join(t.at)}" if t.at else ""
            lines.append(f"  {fit(t.id, 22)} {fit(t.name, 26)} {rhythm}{at}")
            for line in textwrap.wrap(t.why, WIDTH - 25):
                lines.append(style.paint(f"  {'':22} {line}", "dim"))
        lines.append("")
    lines.append("Add one with `connect add --from ID`; `connect prompt ID` gives a prompt from it.")
    return "\n".join(lines)


def short_date(day: date, today: date) -> str:
    """`today`, `yesterday` or `Mon 23 Nov`."""
    delta = (today - day).days
    return {0: "today", 1: "yesterday"}.get(delta, f"{day:%a %d %b %Y}" if day.year != today.year else f"{day:%a %d %b}")
