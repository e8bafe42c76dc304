"""HabitBull's CSV export in connect's terms (`connect import --from habitbull`).

HabitBull writes one row per habit and day: HabitName, HabitDescription, HabitCategory, CalendarDate, Value and
CommentText. The description becomes the habit's note, the category its group, a comment the check-in's note.
A habit with a value above 1 counts an amount, and gets the usual day's amount as its goal (the file holds no
target); the others are daily check habits. The whole file is read and checked before anything is imported: a
file that is not such an export, or a damaged row, is refused with one sentence.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from ..core.model import DAILY, NAME_MAX, Goal
from ..core.words import counted, plain_number
from ..storage.records import MAX_YEAR, MIN_YEAR
from .foreign import DONE, ForeignEntry, ForeignFile, ForeignHabit, clean_text, refuse
from .importing import Report, counting, is_sqlite, is_zip

HABITBULL_LABEL = "HabitBull"
HABITBULL_COLUMNS = ("HabitName", "HabitDescription", "HabitCategory", "CalendarDate", "Value", "CommentText")
_REQUIRED = ("HabitName", "CalendarDate", "Value")  # without these a row says nothing; the others may be missing
_NAMESPACE = uuid.UUID("2376ba75-fcbe-470e-9a35-8055cc9e918a")
_NOT_HABITBULL = "so it is not HabitBull's CSV export"
# A time after the date, as spreadsheets and HabitBull's versions write it: "T00:00:00", " 0:00", " 12:00:00 AM".
_TIME = r"(?:(?:T| +)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME)
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})" + _TIME)
_MINUTE_WORDS = {"m", "min", "mins", "minute", "minutes"}
_HOUR_WORDS = {"h", "hr", "hrs", "hour", "hours"}
_MOST = {"": 24 * 60, "times": 100_000}  # the most one day can hold: minutes, else an amount (as `connect done`)


@dataclass
class _Day:
    values: list[float] = field(default_factory=list)  # the day's positive values, one a row
    notes: list[str] = field(default_factory=list)  # its comments, each once, in the file's order


@dataclass
class _Rows:
    """What the file says of one habit (one name is one habit in HabitBull)."""

    name: str
    description: str = ""
    category: str = ""
    first_day: date | None = None
    days: dict[date, _Day] = field(default_factory=dict)


def habitbull_date(text: str) -> date:
    """A HabitBull CalendarDate (`YYYY-MM-DD` or `M/D/YYYY`, a time after it ignored); ValueError says what it is not."""
    spec = text.strip()
    iso, us = _ISO_DATE.fullmatch(spec), _US_DATE.fullmatch(spec)
    if iso:
        year, month, day = int(iso[1]), int(iso[2]), int(iso[3])
    elif us:
        year, month, day = int(us[3]), int(us[1]), int(us[2])
    else:
        raise ValueError("not a date (YYYY-MM-DD or M/D/YYYY)")
    try:
        found = date(year, month, day)
    except ValueError:
        raise ValueError("not a real date") from None
    if not MIN_YEAR <= found.year <= MAX_YEAR:
        raise ValueError(f"not a date connect keeps (the years {MIN_YEAR} to {MAX_YEAR})")
    return found


def read_habitbull(raw: bytes, source: str = "The file", progress: Report | None = None) -> ForeignFile:
    """Read and check HabitBull's CSV export, changing nothing; its habits in the order they first appear."""
    rows = _records(_text(raw, source), source)
    header = [cell.strip() for cell in rows[0][1]]
    column = {name.casefold(): i for i, name in reversed(list(enumerate(header)))}
    missing = [name for name in _REQUIRED if name.casefold() not in column]
    if missing:
        columns = f"column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
        raise refuse(source, f"lacks the {columns}, {_NOT_HABITBULL}")
    habits: dict[str, _Rows] = {}
    negative = 0
    body = rows[1:]
    for line, cells in counting(body, progress, "rows read", len(body)):
        if len(cells) < len(header) or any(cell.strip() for cell in cells[len(header) :]):
            raise refuse(source, f"line {line} has {len(cells)} cells where the header has {len(header)}")

        def cell(name: str, cells: list[str] = cells) -> str:
            i = column.get(name.casefold())  # a quoted cell's line breaks as the file wrote them: CRLF too
            return "" if i is None else cells[i].replace("\r\n", "\n").replace("\r", "\n")

        name = clean_text(cell("HabitName"), NAME_MAX)
        if not name:
            raise refuse(source, f"line {line} has no HabitName")
        try:
            day = habitbull_date(cell("CalendarDate"))
        except ValueError as error:
            raise refuse(
                source, f"line {line} has the CalendarDate '{_shown(cell('CalendarDate'))}', {error}"
            ) from None
        value = _value(cell("Value"))
        if value is None:
            raise refuse(source, f"line {line} has the Value '{_shown(cell('Value'))}', not a number")
        habit = habits.setdefault(name, _Rows(name))
        habit.description = habit.description or cell("HabitDescription").strip()
        habit.category = habit.category or cell("HabitCategory").strip()
        habit.first_day = day if habit.first_day is None else min(habit.first_day, day)
        if value < 0:
            negative += 1
            continue
        entry = habit.days.setdefault(day, _Day())
        if value > 0:
            entry.values.append(value)
        comment = cell("CommentText").strip()
        if comment and comment not in entry.notes:
            entry.notes.append(comment)
    found = ForeignFile(HABITBULL_LABEL, [], _NAMESPACE)
    found.habits = [_habit(habit, found.inexact) for habit in habits.values()]
    if negative:
        found.left_out.append(f"{counted(negative, 'negative value')} (connect counts nothing below 0)")
    unsaid = sum(len(d.notes) for h in habits.values() for d in h.days.values() if not d.values)
    if unsaid:
        found.left_out.append(
            f"{counted(unsaid, 'comment')} on days with a value of 0 (no check-in to hold {'it' if unsaid == 1 else 'them'})"
        )
    return found


def _text(raw: bytes, source: str) -> str:
    """The file as text, or the one sentence saying why it is not HabitBull's CSV."""
    if is_zip(raw):
        raise refuse(source, f"is a zip file, {_NOT_HABITBULL} (a .csv file)")
    if is_sqlite(raw):
        raise refuse(source, f"is an SQLite database, {_NOT_HABITBULL} (a .csv file)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse(source, f"is not UTF-8 text, {_NOT_HABITBULL}") from None
    if "\x00" in text:
        raise refuse(source, f"is not a text file, {_NOT_HABITBULL}")
    if not text.strip():
        raise refuse(source, "is empty, so it holds no HabitBull habits")
    return text


def _records(text: str, source: str) -> list[tuple[int, list[str]]]:
    """The file's non-blank CSV records, each with the line it starts on (quoted cells may span lines)."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text, newline=""))
    records, start = [], 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        raise refuse(source, f"line {start} is not CSV that can be read ({error})") from None
    return records


def _value(text: str) -> float | None:
    """A row's Value: a number (empty is 0), or None when it is none."""
    spec = text.strip()
    if not spec:
        return 0.0
    try:
        value = float(spec)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _shown(text: str) -> str:
    """A cell as a refusal quotes it: one short line."""
    return clean_text(text, 40)


def _habit(rows: _Rows, inexact: list[str]) -> ForeignHabit:
    """A daily habit: a check habit, or one counting an amount (any value above 1) with the usual day as its goal."""
    habit = ForeignHabit(
        name=rows.name,
        key=rows.name,
        cadence=DAILY,
        note=rows.description,
        group=rows.category,
        first_day=rows.first_day,
    )
    done = sorted(day for day, entry in rows.days.items() if entry.values)
    values = [v for day in done for v in rows.days[day].values]
    several = sum(1 for day in done if len(rows.days[day].values) > 1)
    if several:  # one check-in a day: its rows' values added up, their comments kept in turn
        inexact.append(f"'{rows.name}': {counted(several, 'day')} with more than one row became one check-in each")
    if not any(v > 1 for v in values):
        habit.entries = [ForeignEntry(day, DONE, note="\n".join(rows.days[day].notes)) for day in done]
        if any(v != 1 for v in values):
            inexact.append(f"'{rows.name}': its values between 0 and 1 became done")
        return habit
    unit, factor = _unit(rows.name, rows.description)
    most = _MOST.get(unit, _MOST["times"])
    exact = {day: sum(rows.days[day].values) * factor for day in done}
    amounts = {day: min(most, plain_number(amount)) for day, amount in exact.items()}  # 2.5 pages stay 2.5
    middle = median(amounts.values())
    target = min(most, _rounded(middle) if not unit else max(0.001, plain_number(middle)))  # a minutes goal is whole
    habit.goal = Goal(minutes=target, per="day", unit=unit)
    usual = f"{target} {unit or 'minutes'}" if target != 1 else f"1 {(unit or 'minutes').removesuffix('s')}"
    inexact.append(f"'{rows.name}': HabitBull's file has no target; the goal is the usual day's {usual}")
    changed = sum(1 for day in done if amounts[day] != plain_number(exact[day]))
    if changed:
        inexact.append(f"'{rows.name}': {counted(changed, 'day')} cut to the most one day holds ({most})")
    habit.entries = [ForeignEntry(day, DONE, amount=amounts[day], note="\n".join(rows.days[day].notes)) for day in done]
    return habit


def _rounded(amount: float) -> int:
    """A number of minutes as a goal keeps it: rounded half up, at least 1."""
    return max(1, math.floor(plain_number(amount) + 0.5))


def _unit(name: str, description: str) -> tuple[str, int]:
    """What a habit's amounts count, from its name or description: ("", minutes per unit) for a duration, else
    (the unit, 1): "Read (pages)" counts pages, "Yoga minutes" or "(hours)" a duration; "times" when nothing says."""
    for text in (name, description):
        for inside in re.findall(r"\(([^()]{1,40})\)", text):
            word = " ".join(inside.split()).casefold().rstrip(".")
            if word in _MINUTE_WORDS or word in _HOUR_WORDS:
                return "", 1 if word in _MINUTE_WORDS else 60
            unit = _unit_name(word)
            if unit:
                return unit, 1
    for text in (name, description):
        if _MINUTE_WORDS.intersection(re.findall(r"[^\W\d_]+", text.casefold())) - {"m"}:
            return "", 1
    return "times", 1


def _unit_name(text: str) -> str:
    """`text` as a goal's unit ("pages"), or "" when connect would not take it as one."""
    from ..core.model import parse_goal
    from ..errors import InvalidInput

    try:
        return parse_goal(f"1 {text}/day").unit
    except InvalidInput:
        return ""
