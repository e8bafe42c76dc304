"""Turning summaries into terminal text (colour and symbols when it helps) and JSON."""

from __future__ import annotations

import os
from collections import namedtuple
from collections.abc import Mapping, Sequence

from ..core.model import Habit
from ..core.streaks import DONE, FUTURE, MISSED, NOT_DUE, PENDING, SKIPPED
from ..core.week import WeekSummary
from ..core.words import (
    clean,
    display_width,
    fit,
    percent,
    person_name,
    progress_text,
    reminders_text,
    rhythm_text,
    row_label,
    span_text,
    streak_text,
)

TYPE_CHECKING = False  # typing's flag without importing typing: type checkers read it by name
if TYPE_CHECKING:
    from typing import TextIO

WIDTH = 80  # the width of a pipe, and the most a table's text needs when the names are short
MIN_WIDTH, MAX_WIDTH = 40, 250
_COLOURS = {"green": "32", "red": "31", "yellow": "33", "cyan": "36", "dim": "2", "bold": "1"}


class Style(namedtuple("Style", "colour unicode width", defaults=(False, True, WIDTH))):
    """How to draw: with ANSI colours or not, with Unicode symbols or ASCII, in how many columns."""

    __slots__ = ()

    @classmethod
    def for_stream(cls, stream: TextIO) -> Style:
        """Colour only on a terminal and never with NO_COLOR; Unicode when the stream can encode it; its width."""
        tty = hasattr(stream, "isatty") and stream.isatty()
        colour = tty and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        from .charset import locale_wants_ascii

        unicode = encoding.startswith("utf") and not locale_wants_ascii()
        return cls(colour=colour, unicode=unicode, width=_columns(stream, tty))

    def paint(self, text: str, colour: str) -> str:
        return f"\x1b[{_COLOURS[colour]}m{text}\x1b[0m" if self.colour else text

    def symbol(self, status: str) -> str:
        unicode, ascii_, colour = _SYMBOLS[status]
        return self.paint(unicode if self.unicode else ascii_, colour)


class Headings:
    """The lines before a habit's row: its group's heading when its group starts there (`── Evenings`)."""

    def __init__(self, style: Style):
        self.style, self.group = style, ""

    def __call__(self, habit: Habit) -> list[str]:
        if habit.group == self.group:
            return []
        self.group, rule = habit.group, "──" if self.style.unicode else "--"
        text = fit(clean(f"{rule} {habit.group or 'No group'}"), self.style.width, "…" if self.style.unicode else "...")
        return [self.style.paint(text.rstrip(), "bold")]


def _columns(stream: TextIO, tty: bool) -> int:
    """The width to draw in: COLUMNS, else the terminal's, else 80 (a pipe), kept between 40 and 250."""
    columns = os.environ.get("COLUMNS", "")
    width = int(columns) if columns.isdigit() and columns.isascii() else 0
    if not width and tty:
        try:
            width = os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            width = 0
    return max(MIN_WIDTH, min(width or WIDTH, MAX_WIDTH))


def shrink_to(width: int, others: int, droppable: Sequence[int], least: int = 16) -> tuple[int, int]:
    """How wide the name column can be in `width` beside `others` columns, and how many of the `droppable`
    ones (their widths, the least useful first) to leave out so that it is at least `least` wide."""
    dropped = 0
    room = width - others
    while room < least and dropped < len(droppable):
        room += droppable[dropped]
        dropped += 1
    return max(room, 8), dropped


_SYMBOLS = {
    DONE: ("✓", "#", "green"),
    MISSED: ("✗", "x", "red"),
    SKIPPED: ("~", "~", "yellow"),
    NOT_DUE: ("·", ".", "dim"),
    PENDING: ("○", "o", "cyan"),
    FUTURE: (" ", " ", "dim"),
}
_LEGEND = ((DONE, "done"), (MISSED, "missed"), (SKIPPED, "skipped"), (NOT_DUE, "not due"), (PENDING, "due today"))


# ---------------------------------------------------------------- JSON


def who_text(who: str, names: Mapping[str, str] | None = None) -> str:
    """together, each, or the name of the partner a habit belongs to."""
    return who if who in ("together", "each") else (names or {}).get(who, person_name(who))


def week_title(summary: WeekSummary, partners: Sequence[str]) -> str:
    start, end = summary.week_start, summary.week_end
    span = f"{start:%a %d %b} – {end:%a %d %b %Y}"
    couple = f" · {' & '.join(clean(p) for p in partners)}" if partners else ""
    return f"Week {end.isocalendar()[1]}, {span}{couple}"


def render_week(summary: WeekSummary, style: Style, partners: Sequence[str] = (), notes: Sequence[str] = ()) -> str:
    """The weekly summary as a table: a row per habit, a column per day, streak and progress.

    In a narrow terminal the name is shortened, then the streak and the progress columns are left out.
    """
    labels = [clean(row_label(row, summary.names)) for row in summary.habits]
    room, dropped = shrink_to(style.width - 28 - 1, 23, (11, 11))
    name_width = min(room, max([28, *map(display_width, labels)]))
    show_streak, show_progress = dropped < 1, dropped < 2
    days = list(summary.habits[0].days) if summary.habits else []
    dash = "–" if style.unicode else "-"
    lines = [style.paint(week_title(summary, partners).replace("–", dash), "bold"), ""]
    header = " " * (name_width + 1)
    for day in days:
        label = f"{day:%a}"
        if day == summary.today:  # bold in colour; without colour, a mark that survives NO_COLOR and pipes
            header += style.paint(f"{label:<4}", "bold") if style.colour else f"{label + '*':<4}"
        else:
            header += f"{label:<4}"
    lines.append(
        (header + (f"{'Streak':<11}" if show_streak else "") + (f"{'This week':>11}" if show_progress else "")).rstrip()
    )
    ellipsis, headings = "…" if style.unicode else "...", Headings(style)
    for row, label in zip(summary.habits, labels, strict=True):
        lines += headings(row.habit)
        cells = "".join(f" {style.symbol(row.days[d])}  " for d in days)
        line = fit(label, name_width, ellipsis) + " " + cells
        if show_streak:
            line += f"{streak_text(row.streak, row.streak_unit):<11}"
        if show_progress:
            progress = progress_text(row)
            met = row.progress.target and row.progress.done >= row.progress.target
            line += style.paint(f"{progress:>11}", "green") if met else f"{progress:>11}"
        lines.append(line.rstrip() if not style.colour else line)
    lines.append("")
    lines.append("  ".join(f"{style.symbol(status)} {label}" for status, label in _LEGEND))
    lines += _note_lines(notes, style.width)
    return "\n".join(lines)


def _name_width(weeks: int, width: int = WIDTH) -> int:
    return width - 8 * weeks - 11 - 11 - 1


def check_weeks_fit(weeks: int, width: int = WIDTH) -> None:
    """Refuse more weeks side by side than fit in the width, with the most that do."""
    if weeks > 1 and _name_width(weeks, width) < 12:
        from ..errors import InvalidInput

        raise InvalidInput(f"{weeks} weeks do not fit in {width} columns; show at most {(width - 34) // 8}.")


def render_weeks(
    summaries: Sequence[WeekSummary], style: Style, partners: Sequence[str] = (), notes: Sequence[str] = ()
) -> str:
    """Several weeks side by side, oldest first: seven symbols a week, then this week's streak and progress."""
    count = len(summaries)
    check_weeks_fit(count, style.width)
    last = summaries[-1]
    longest = max((display_width(clean(row_label(r, last.names))) for r in last.habits), default=0)
    name_width = min(_name_width(count, style.width), max(_name_width(count), 28, longest))
    dash = "–" if style.unicode else "-"
    title = f"{summaries[0].week_start:%d %b} {dash} {last.week_end:%d %b %Y}"
    couple = f" · {' & '.join(clean(p) for p in partners)}" if partners else ""
    lines = [style.paint(f"The last {count} weeks, {title}{couple}", "bold"), ""]
    header = " " * (name_width + 1) + "".join(f"{s.week_start:%d %b}".ljust(8) for s in summaries)
    lines.append(header + f"{'Streak':<11}{'This week':>11}")
    rows: dict[tuple[str, str | None], list] = {(r.habit.id, r.person): [] for r in last.habits}
    headings = Headings(style)
    for summary in summaries:
        for r in summary.habits:
            rows.setdefault((r.habit.id, r.person), [])
    for key in rows:
        cells = ""
        for summary in summaries:
            row = next((r for r in summary.habits if (r.habit.id, r.person) == key), None)
            cells += ("".join(style.symbol(row.days[d]) for d in row.days) if row else " " * 7) + " "
        current = next((r for r in last.habits if (r.habit.id, r.person) == key), None)
        if current is None:
            continue
        lines += headings(current.habit)
        lines.append(
            fit(clean(row_label(current, last.names)), name_width, "…" if style.unicode else "...")
            + " "
            + cells
            + f"{streak_text(current.streak, current.streak_unit):<11}{progress_text(current):>11}"
        )
    lines.append("")
    lines.append("  ".join(f"{style.symbol(status)} {label}" for status, label in _LEGEND))
    lines += _note_lines(notes, style.width)
    return "\n".join(lines)


def _note_lines(notes: Sequence[str], width: int = WIDTH) -> list[str]:
    """The notes under a table, wrapped to its width (textwrap loads only for a week that has some)."""
    if not notes:
        return []
    import textwrap

    return [
        line
        for note in notes
        for line in textwrap.wrap(clean(note), min(width, 100), break_long_words=False, break_on_hyphens=False) or [""]
    ]


UNREAD_HABITS = (
    "No habits to show, but a file of the shared folder cannot be read now (see the warning): they may be in it.\n"
    "Let the folder finish syncing, or upgrade connect if the file is from a newer version. Starting over\n"
    "with `connect init` would make every habit twice."
)
EMPTY_WEEK = (
    "No habits yet. Two ways to start:\n"
    "  connect init                                      a starter plan from the catalog\n"
    '  connect add "Walk together" --every mon,wed,sat   a habit of your own\n'
    "Then log with `connect done walk` and come back to `connect week`."
)


def render_habits(habits: Sequence[Habit], style: Style, names: Mapping[str, str] | None = None, results=None) -> str:
    """`connect list`: one line per active habit (with whose it is, when it is one partner's), then the finished
    challenges with their `results` (by habit id), then the archived."""
    from ..core.challenges import result_text

    results = results or {}
    over = [h for h in habits if not h.archived and h.id in results and results[h.id].finished]
    active = [h for h in habits if not h.archived and h not in over]
    archived = [h for h in habits if h.archived]
    if not habits:
        return "No habits yet; add one with `connect add NAME` or start with `connect init`."
    lines = []
    rows = [
        (
            clean(habit.name if habit.who in ("together", "each") else f"{habit.name} · {who_text(habit.who, names)}"),
            habit.slug,
            rhythm_text(habit),
            f"at {reminders_text(habit, short=True)}" if habit.at else "no reminder",
            span_text(habit),
        )
        for habit in active
    ]
    # The slug is what people type: never cut. The name gives way first, then the reminder and the rhythm.
    slug_width = max([20, *(len(r[1]) for r in rows)])
    at_width = max([11, *(len(r[3]) for r in rows)])
    room, dropped = shrink_to(style.width - slug_width - 1, 14 + 1 + at_width + 1, (at_width + 1, 15), 14)
    name_width = min(room, max([32, *(display_width(r[0]) for r in rows)]))
    # A rhythm longer than its 14 columns (`goal 2.5 pages/day`) takes what a wide terminal has to spare.
    spare = style.width - (name_width + 1 + slug_width + 1 + 14 + 1 + at_width)
    rhythm_width = 14 + max(0, min(spare, max([14, *(len(r[2]) for r in rows)]) - 14)) if not dropped else 14
    ellipsis, headings = "…" if style.unicode else "...", Headings(style)
    for habit, (label, slug, rhythm, at, span) in zip(active, rows, strict=True):
        lines += headings(habit)
        columns = [fit(label, name_width, ellipsis), f"{slug:<{slug_width}}", fit(rhythm, rhythm_width)]
        columns.append(f"{at:<{at_width}}")
        lines.append(" ".join(columns[: 4 - dropped] + ([span] if span and not dropped else [])).rstrip())
    if not active:
        lines.append("No active habits.")
    if over:
        lines.append(style.paint("Finished:", "bold"))
        for habit in over:
            lines.append(f"  {clean(habit.name)} ({habit.slug}): {result_text(results[habit.id])}, {span_text(habit)}")
    if archived:
        lines.append(style.paint("Archived: " + ", ".join(clean(h.name) for h in archived), "dim"))
    return "\n".join(lines)


# ---------------------------------------------------------------- stats

_CALENDAR = {
    DONE: ("■", "#", "green"),
    "partial": ("◧", "+", "yellow"),
    MISSED: ("✗", "x", "red"),
    SKIPPED: ("~", "~", "cyan"),
    NOT_DUE: ("·", ".", "dim"),
    PENDING: ("○", "o", "cyan"),
    FUTURE: (" ", " ", "dim"),
}
_SPARKS = "▁▂▃▄▅▆▇█"
_ASCII_SPARKS = "_.:-=+*#"  # no digits: "87" would read as a number


def sparkline(values, style: Style) -> str:
    """One character per value (0 to 1): taller is better; a gap where there is no value."""
    if not style.unicode:
        return "".join(" " if v is None else _ASCII_SPARKS[min(7, int(v * 8))] for v in values)
    return "".join(" " if v is None else _SPARKS[min(7, int(v * 8))] for v in values)


def render_habit_stats(stats, style: Style, first_weekday: int = 0, whose: str | None = None) -> str:
    """`connect stats NAME`: a calendar heatmap, streaks, completion rates, weekdays and strength.

    `whose`: the partner's name, for one partner's habit or one partner's record of a habit each does.
    """
    unit = stats.streak_unit
    title = f"{stats.habit.name} · {whose}" if whose else stats.habit.name
    span = span_text(stats.habit)
    lines = [style.paint(clean(title), "bold") + f"  ({rhythm_text(stats.habit)}{', ' + span if span else ''})", ""]
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    columns = stats.calendar
    months = ""
    for n, week in enumerate(columns):
        first = week[0][0]
        months += f"{first:%b}"[0] if n == 0 or first.month != columns[n - 1][0][0].month else " "
    lines.append("     " + months)
    for row in range(7):
        cells = ""
        for week in columns:
            status = week[row][1]
            u, a, colour = _CALENDAR.get(status, _CALENDAR[NOT_DUE])
            cells += style.paint(u if style.unicode else a, colour)
        lines.append(f"{names[(first_weekday + row) % 7]}  {cells}")
    legend = "  ".join(
        f"{style.paint((_CALENDAR[s][0] if style.unicode else _CALENDAR[s][1]), _CALENDAR[s][2])} {t}"
        for s, t in (
            (DONE, "done"),
            ("partial", "partly"),
            (MISSED, "missed"),
            (SKIPPED, "skipped"),
            (NOT_DUE, "not due"),
        )
    )
    lines += ["", legend, ""]
    lines.append(
        f"Streak {streak_text(stats.streak, unit)} · best {streak_text(stats.best_streak, unit)} · "
        f"strength {percent(stats.strength)}"
    )
    rates = stats.rates
    lines.append(
        f"Completion: 4 weeks {percent(rates[4])} · 12 weeks {percent(rates[12])} · 52 weeks {percent(rates[52])}"
    )
    lines.append("By weekday: " + "  ".join(f"{names[i]} {percent(v)}" for i, v in enumerate(stats.weekdays)))
    if stats.result is not None:
        from ..core.challenges import result_text

        lines.append(f"{'Finished' if stats.result.finished else 'Challenge'}: {result_text(stats.result)}")
    if stats.best_streaks:
        lines.append("Best streaks:")
        for run in stats.best_streaks:
            last = run_end(run, stats.habit)
            lines.append(f"  {streak_text(run.length, unit):<10} {run.first:%d %b %Y} – {last:%d %b %Y}")
    return "\n".join(lines)


def run_end(run, habit):
    """The last day a streak covers: for a habit counted in weeks or months, the end of its last period."""
    from datetime import timedelta

    from ..core.cadence import next_period

    return next_period(habit, run.last) - timedelta(days=1) if habit.week_based else run.last
