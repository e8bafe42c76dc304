"""harsh's habits and log in connect's terms (`connect import --from harsh`): github.com/wakatara/harsh.

harsh keeps two text files in one folder. `habits` holds `Name: N` (at least once in any N days), `Name: T/N`
(T times in any N days) or `Name: 0` (tracked, no target) lines, grouped under `! Heading` lines; `log` holds
`YYYY-MM-DD : Name : y|n|s : comment : amount` lines, the last line of a habit and day counting. Both are read
and checked whole first: a damaged line is refused with one sentence, and nothing is imported.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..core.model import NAME_MAX
from ..core.words import counted, plain_number
from .foreign import DONE, SKIP, ForeignEntry, ForeignFile, ForeignHabit, clean_text, refuse
from .importing import Report, counting
from .loop import loop_cadence

HARSH_LABEL = "harsh"
_HARSH_NAMESPACE = uuid.UUID("fb867021-b757-4c6c-aaba-71fb8f6dc264")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE = re.compile(r"[0-9]{1,9}")
_AMOUNT = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
# harsh writes " : " between fields (" :  : " for no comment and no amount); an editor may strip the space at
# the end of a line, so a colon with space before it and space (or the line's end) after it separates.
_SEPARATOR = re.compile(r"\s+:(?=\s|$)")
_STATUSES = ("y", "n", "s")
_LONGEST = 365  # connect's longest "N in M days" window


class Damaged(ValueError):
    """A line harsh's files should not have; its text says what is wrong, in words."""


@dataclass(frozen=True)
class HarshHabit:
    """One line of `habits`: its name, `target` times in any `interval` days (target 0: tracked only), its heading."""

    name: str
    target: int
    interval: int
    heading: str = ""


@dataclass(frozen=True)
class HarshLine:
    """One line of `log`: a habit's day, y (done), n (not done) or s (skipped), a comment and an amount (or None)."""

    day: date
    name: str
    status: str
    comment: str = ""
    amount: float | None = None


def read_harsh(path: Path, source: str, progress: Report | None = None) -> ForeignFile:
    """harsh's folder (or its `habits` or `log` file, with the other beside it) as connect's habits and entries."""
    habits_path, log_path = _files(path, source)
    habit_lines = _lines(habits_path, source, "habits")
    log_lines = _lines(log_path, source, "log")
    total = len(habit_lines) + len(log_lines)
    habits = _read_habits(counting(habit_lines, progress, "rows read", total), source)
    known = {h.name for h in habits}
    lines = counting(log_lines, progress, "rows read", total, len(habit_lines))
    return harsh_file(habits, _read_log(lines, source, known))


def parse_frequency(text: str) -> tuple[int, int]:
    """(target, interval) of a frequency: `N` is (1, N), `T/N` is (T, N), `0` is (0, 1), tracked with no target;
    an interval in weeks (`1w`, `3/2w`) is 7 days a week."""
    parts = [part.strip() for part in text.split("/")]
    weeks = parts[-1][-1:].lower() == "w" and parts[-1][:-1].strip() != ""
    if weeks:
        parts[-1] = parts[-1][:-1].strip()
    if len(parts) > 2 or not all(_WHOLE.fullmatch(part) for part in parts):
        raise Damaged(f"'{_quoted(text)}' is not a frequency (N, T/N, 1w or 0)")
    if len(parts) == 1:
        every = int(parts[0]) * (7 if weeks else 1)
        return (0, 1) if every == 0 else (1, every)
    target, interval = int(parts[0]), int(parts[1]) * (7 if weeks else 1)
    if interval == 0 or target > interval:
        raise Damaged(f"'{_quoted(text)}' is not a frequency (T/N needs T at most N, and N at least 1)")
    return target, interval


def parse_habit_line(text: str, heading: str = "") -> HarshHabit:
    """A `Name: frequency` line of `habits` (the frequency is after the last colon), under `heading`."""
    name, colon, frequency = text.rpartition(":")
    if not colon:
        raise Damaged(f"'{_quoted(text)}' has no ': frequency'")
    if not name.strip():
        raise Damaged(f"'{_quoted(text)}' names no habit")
    target, interval = parse_frequency(frequency)
    return HarshHabit(name.strip(), target, interval, heading)


def parse_log_line(text: str, known: Collection[str] = ()) -> HarshLine:
    """A `YYYY-MM-DD : Name : y|n|s [: comment [: amount]]` line of `log`; `known` names may hold ' : '."""
    fields = [field.strip() for field in _SEPARATOR.split(text.strip())]
    if len(fields) < 3:
        raise Damaged(f"'{_quoted(text)}' is not 'YYYY-MM-DD : habit : y, n or s'")
    day = _day(fields[0])
    at = next(
        (k for k in range(3, len(fields)) if fields[k] in _STATUSES and " : ".join(fields[1:k]) in known),
        2,
    )
    name, status, rest = " : ".join(fields[1:at]), fields[at], fields[at + 1 :]
    if not name:
        raise Damaged("it names no habit")
    if status not in _STATUSES:
        raise Damaged(f"'{_quoted(status)}' is not y, n or s")
    if len(rest) < 2:
        return HarshLine(day, name, status, rest[0] if rest else "")
    return HarshLine(day, name, status, " : ".join(rest[:-1]), _amount(rest[-1]))


def harsh_file(habits: list[HarshHabit], log: dict[str, list[HarshLine]]) -> ForeignFile:
    """What harsh's habits (in their order, then those only the log names) and log lines are in connect."""
    found = ForeignFile(HARSH_LABEL, [], _HARSH_NAMESPACE)
    said = _Unmapped()
    seen: set[str] = set()
    listed = {h.name for h in habits}
    heard = [(h, False) for h in habits] + [(HarshHabit(n, 1, 1), True) for n in log if n not in listed]
    for harsh, only_logged in heard:
        name = clean_text(harsh.name, NAME_MAX) or "harsh habit"
        if harsh.name in seen:
            said.doubled.append(name)
            continue
        seen.add(harsh.name)
        lines = log.get(harsh.name, [])
        habit = ForeignHabit(name=name, key=harsh.name, group=harsh.heading, archived=only_logged)
        habit.first_day = min((line.day for line in lines), default=None)
        if harsh.target == 0:
            said.tracked.append(name)
        else:
            habit.cadence = loop_cadence(harsh.target, harsh.interval)
            if harsh.target < harsh.interval and harsh.interval > _LONGEST and harsh.interval not in (30, 31):
                found.inexact.append(f"'{name}': {harsh.target} in {harsh.interval} days became {habit.cadence}")
        habit.entries = _entries(lines, name, said)
        if only_logged:
            said.unknown.append(name)
        found.habits.append(habit)
    said.say(found)
    return found


def _entries(lines: list[HarshLine], name: str, said: _Unmapped) -> list[ForeignEntry]:
    """The last line of each day (as harsh keeps it): y a check-in, s a skip, n no record."""
    last = {line.day: line for line in lines}
    entries = []
    for day in sorted(last):
        line = last[day]
        if line.status == "n":
            said.quiet += bool(line.comment)
            continue
        if line.amount is not None and name not in said.measured:
            said.measured.append(name)
        entries.append(ForeignEntry(day, DONE if line.status == "y" else SKIP, note=_note(line)))
    return entries


@dataclass
class _Unmapped:
    """What harsh has that connect keeps otherwise (or not), to say once each in the summary's last line."""

    tracked: list[str] = field(default_factory=list)  # `Name: 0`, no target: daily here
    measured: list[str] = field(default_factory=list)  # amounts on its lines: kept in the notes
    unknown: list[str] = field(default_factory=list)  # only in the log: an archived daily habit here
    doubled: list[str] = field(default_factory=list)  # a second habits line of one name
    quiet: int = 0  # comments on days marked n: harsh's "not done" is no record here

    def say(self, found: ForeignFile) -> None:
        """Add what did not map exactly, and what was left out, to `found`."""
        if self.tracked:
            one = len(self.tracked) == 1
            found.inexact.append(
                f"{_names(self.tracked)}: harsh only tracks {'it' if one else 'them'} (no target); "
                f"{'it is' if one else 'they are'} daily here"
            )
        if self.measured:
            found.inexact.append(
                f"the amounts of {_names(self.measured)} are in the notes (harsh gives them no target)"
            )
        if self.unknown:
            one = len(self.unknown) == 1
            found.inexact.append(
                f"{_names(self.unknown)}: in the log but not in habits; "
                f"{'it is an archived daily habit' if one else 'they are archived daily habits'} here"
            )
        if self.doubled:
            found.left_out.append(f"a second habits line for {_names(self.doubled)} (one habit here)")
        if self.quiet:
            found.left_out.append(f"{counted(self.quiet, 'comment')} on days marked n (not done is no record here)")


def _files(path: Path, source: str) -> tuple[Path, Path]:
    """harsh's `habits` and `log` files, from its folder or either file."""
    if path.is_dir():
        folder = path
    elif path.name in ("habits", "log") and path.is_file():
        folder = path.parent
    elif not path.exists():
        raise refuse(source, "does not exist")
    else:
        raise refuse(source, "is not harsh's folder, nor its habits or log file")
    habits = folder / "habits"
    if not habits.is_file():
        raise refuse(
            source,
            "has no habits file, so it is not harsh's folder" if folder == path else "has no habits file beside it",
        )
    return habits, folder / "log"


def _lines(path: Path, source: str, what: str) -> list[str]:
    """The lines of one of harsh's files (none when it is missing), as harsh reads them."""
    from ..storage.fileio import read_bytes

    raw = read_bytes(path)
    if raw is None:
        return []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse(source, f"cannot be read: {what} is not UTF-8 text") from None
    lines = text.split("\n")
    if lines[-1] == "":  # the end of the last line
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def _read_habits(lines: Iterable[str], source: str) -> list[HarshHabit]:
    habits = []
    heading = ""
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith("!"):
            heading = text[1:].strip()
            continue
        try:
            habits.append(parse_habit_line(text, heading))
        except Damaged as problem:
            raise refuse(source, f"has a damaged line: habits line {number}, {problem}") from None
    return habits


def _read_log(lines: Iterable[str], source: str, known: Collection[str]) -> dict[str, list[HarshLine]]:
    """The log's lines by habit, in the order the log first names each habit."""
    log: dict[str, list[HarshLine]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            entry = parse_log_line(line, known)
        except Damaged as problem:
            raise refuse(source, f"has a damaged line: log line {number}, {problem}") from None
        log.setdefault(entry.name, []).append(entry)
    return log


def _day(text: str) -> date:
    if not _DATE.fullmatch(text):
        raise Damaged(f"'{_quoted(text)}' is not a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Damaged(f"'{text}' is not a real date") from None


def _amount(text: str) -> float | None:
    """harsh's amount: None for none (harsh writes 0 or nothing when it was not asked for one)."""
    if not text:
        return None
    value = float(text) if _AMOUNT.fullmatch(text) else math.nan
    if not math.isfinite(value):
        raise Damaged(f"'{_quoted(text)}' is not an amount")
    return value or None


def _note(line: HarshLine) -> str:
    """The comment, after the amount when there is one ("3.5: leg day")."""
    if line.amount is None:
        return line.comment
    rounded = plain_number(line.amount)
    amount = str(rounded if rounded else line.amount)
    return f"{amount}: {line.comment}" if line.comment else amount


def _names(names: list[str]) -> str:
    quoted = [f"'{name}'" for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def _quoted(text: str) -> str:
    """User text for a one-line refusal: one line, not too long."""
    return clean_text(text, 60)
