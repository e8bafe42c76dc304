"""How connect puts a habit's state into words: rhythms, streaks, progress, dates, and user text made safe.

The terminal tables (cli/render.py), the daemon's notifications and the calendar export all say
these things, and say them the same way.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date

from .model import WEEKDAY_NAMES, Habit

TYPE_CHECKING = False  # typing's flag without importing typing: type checkers read it by name
if TYPE_CHECKING:
    from .catalog import Template
    from .week import HabitWeek


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: wide East Asian characters and emoji take two."""
    return sum(
        0
        if unicodedata.combining(ch) or unicodedata.category(ch) == "Cf"
        else 2
        if unicodedata.east_asian_width(ch) in "WF"
        else 1
        for ch in text
    )


def fit(text: str, width: int, ellipsis: str = "…") -> str:
    """`text` cut to `width` columns (with an ellipsis) and padded to exactly that width.

    One pass that stops once `width` is passed, however long `text` is.
    """
    room = width - display_width(ellipsis)
    used, cut_at = 0, 0
    for index, ch in enumerate(text):
        used += display_width(ch)
        if used <= room:
            cut_at = index + 1
        if used > width:
            cut = text[:cut_at] + ellipsis
            return cut + " " * (width - display_width(cut))
    return text + " " * (width - used)


def clean(text: str) -> str:
    """User text made safe for a terminal line: control characters shown as spaces."""
    if text.isprintable():  # nearly always: a control character is never printable
        return text
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


def rhythm_text(habit: Habit | Template) -> str:
    """`goal 2h/week` for a minutes habit, `at most 1h/day` for a limit, else its cadence."""
    limit = getattr(habit, "limit", None)  # a catalog template has none
    if limit is not None:
        return f"at most {limit}"
    return f"goal {habit.goal}" if habit.goal else str(habit.cadence)


def span_text(habit: Habit) -> str:
    """`1 Jan 2027 to 30 Jan 2027`, `from 1 Feb 2027` or `until 31 Dec 2026`: a habit's start and end ("" without)."""
    starts, ends = habit.starts, habit.ends
    if starts is not None and ends is not None:
        return f"{long_date(starts)} to {long_date(ends)}"
    if starts is not None:
        return f"from {long_date(starts)}"
    return f"until {long_date(ends)}" if ends is not None else ""


def long_date(day: date) -> str:
    """`1 Jan 2027`."""
    return f"{day.day} {day:%b %Y}"


def streak_text(length: int, unit: str) -> str:
    """`1 day`, `3 weeks`."""
    return f"{length} {unit[:-1] if length == 1 else unit}"


def row_label(row: HabitWeek, names: Mapping[str, str] | None = None) -> str:
    """The habit's name, with whose it is: the partner's row of a habit each does, or one partner's habit."""
    person = row.person or (row.habit.who if row.habit.who not in ("together", "each") else None)
    if person is None:
        return row.habit.name
    return f"{row.habit.name} · {(names or {}).get(person, person_name(person))}"


def person_name(person: str) -> str:
    """A partner's name when only the id is at hand (ids are made from the first name, in lower case)."""
    return person[2:] if person.startswith("p:") else person


def progress_text(row: HabitWeek) -> str:
    """`2/3`, `95/120 min`, or `2/5 days` for a daily minutes goal; `none due` in a week without a due day (never `0/0`)."""
    done, target = plain_number(row.progress.done), plain_number(row.progress.target)
    unit = {"minutes": " min", "times": ""}.get(row.progress.unit, f" {row.progress.unit}")
    if not target:
        return f"{done}{unit}, none due" if done else "none due"
    measure = row.habit.measure
    if measure is not None and measure.per == "day":  # each day stands alone: how many days met the goal
        met = sum(1 for status in row.days.values() if status == "done")
        return f"{met}/{round(target / measure.minutes)} days"
    over = ", over the limit" if row.habit.limit is not None and done > target else ""
    return f"{done}/{target}{unit}{over}"


def period_progress(row: HabitWeek, capital: bool = True) -> str:
    """`This week 2/3`, `This month 1/2`, or `1 of 2 in the last 3 days` for a rolling window."""
    cadence = row.habit.cadence
    if cadence.rolling:
        text = f"{row.progress.done} of {cadence.rolling[0]} in the last {cadence.rolling[1]} days"
    else:
        text = f"this {'month' if cadence.per_month else 'week'} {progress_text(row)}"
    return text[0].upper() + text[1:] if capital else text


def short_date(day: date, today: date) -> str:
    """`today`, `yesterday` or `Mon 23 Nov`."""
    delta = (today - day).days
    return {0: "today", 1: "yesterday"}.get(
        delta, f"{day:%a %d %b %Y}" if day.year != today.year else f"{day:%a %d %b}"
    )


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def counted(n: int, noun: str) -> str:
    """`1 check-in`, `2 check-ins`: a number and its noun, in the right number."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


# Units written short take no plural s: 3 km, not 3 kms.
_ABBREVIATIONS = {"km", "kg", "g", "mg", "l", "ml", "cl", "dl", "mi", "oz", "lb", "m", "cm", "mm", "ft", "kcal", "cal"}


def plain_number(amount: float) -> int | float:
    """An amount as an int when it is whole (3.0 → 3), else to three decimals (2.5): as it is shown and stored."""
    rounded = round(amount, 3)
    return int(rounded) if rounded == int(rounded) else rounded


def amount_text(amount: float, habit: Habit) -> str:
    """`45 min`, or `3 compliments` (`1 compliment`, `2.5 pages`) for a habit measured in something else."""
    from .week import measure_unit

    unit = measure_unit(habit)
    amount = plain_number(amount)
    if unit == "minutes":
        return f"{amount} min"
    if amount == 1 and unit.endswith("s") and not unit.endswith("ss"):
        unit = unit[:-1]  # 1 coffee
    elif amount != 1 and not unit.endswith("s") and unit.casefold() not in _ABBREVIATIONS:
        unit += "s"  # 2 compliments, from a goal of "1 compliment/day"
    return f"{amount} {unit}"


def reminders_text(habit: Habit, short: bool = False) -> str:
    """`19:00 on sat, sun, repeated every 30 min until done`: a habit's reminder times, the days it reminds
    on when chosen, and its repeats ("" when it has no reminder time); `short`: `19:00 on sat,sun, every 30 min`."""
    if not habit.at:
        return ""
    days = f" on {(',' if short else ', ').join(WEEKDAY_NAMES[d] for d in habit.remind_on)}" if habit.remind_on else ""
    hours, minutes = divmod(habit.repeat, 60)
    every = " ".join(part for part in (f"{hours} h" if hours else "", f"{minutes} min" if minutes else "") if part)
    repeats = f", {'every' if short else 'repeated every'} {every}" if habit.repeat else ""
    repeats += " until done" if repeats and not short else ""
    return f"{', '.join(habit.at)}{days}{repeats}"


def wrap_words(text: str, width: int) -> list[str]:
    """textwrap.wrap(text, width) for a sentence of single-spaced words: without loading textwrap's regexes."""
    words = text.split(" ")
    if "" in words or any(len(word) > width or "-" in word or not word.isprintable() for word in words):
        import textwrap  # what only textwrap does the same: long or hyphenated words, other spaces

        return textwrap.wrap(text, width)
    lines = [words[0]]
    for word in words[1:]:
        if len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines
