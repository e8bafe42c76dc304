"""Loop Habit Tracker's CSV export (a zip), read into habits and check-ins (`connect import --from loop`)."""

from __future__ import annotations

import math
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
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
from ..errors import ConnectError
from .importing import ImportSummary, add_checkins, fit_in, known_ids

LOOP_SOURCE = "loop"


LOOP_COLUMNS = ("Position", "Name", "FrequencyNumerator", "FrequencyDenominator")


# Older Loop versions (1.x) named the frequency columns differently.
_LOOP_ALIASES = {"NumRepetitions": "FrequencyNumerator", "Interval": "FrequencyDenominator"}


_MINUTE_UNITS = {"m", "min", "mins", "minute", "minutes"}


_HOUR_UNITS = {"h", "hr", "hrs", "hour", "hours"}


_LOOP_WORDS = {"YES_MANUAL": "yes", "YES_AUTO": "auto", "NO": "no", "SKIP": "skip", "UNKNOWN": "unknown"}


# Loop's own numbers for a yes/no habit (older exports wrote them): 2 checked, 1 checked automatically,
# 0 not, -1 unknown, -3 skipped (3 in some versions).
_LOOP_NUMBERS = {2: "yes", 1: "auto", 0: "no", -1: "unknown", -3: "skip", 3: "skip"}


_MAX_MEMBER = 32 * 1024 * 1024


_LOOP_NAMESPACE = uuid.UUID("7a1d6e2c-5b8f-4c1e-9f3a-2d4b6c8e0a1f")


@dataclass
class _LoopHabit:
    position: int
    name: str
    numerical: bool
    numerator: int
    denominator: int
    unit: str
    at_most: bool
    target: float
    archived: bool
    question: str
    description: str
    entries: list[tuple[date, str, float, str]] = field(default_factory=list)  # (day, kind, amount, note)


def loop_cadence(numerator: int, denominator: int) -> Cadence:
    """A cadence from Loop's frequency, `numerator` times every `denominator` days.

    1/1 (or more often) → daily; 1/7 → weekly; N/7 → N/week; 1/N → every N days. Other fractions
    go to the nearest: at least once a week → N/week with N the times per week rounded (7 → daily,
    1 → weekly); less often → every N days with N the days per time rounded (2/30 → every 15 days).
    """
    if numerator >= denominator:
        return Cadence()
    if denominator == 7:
        return WEEKLY if numerator == 1 else Cadence(weekdays=frozenset(), per_week=numerator)
    if numerator == 1:
        return Cadence(weekdays=frozenset(), interval=min(denominator, 365))
    per_week = 7 * numerator / denominator
    if per_week >= 1:
        times = min(7, int(per_week + 0.5))
        return Cadence() if times == 7 else WEEKLY if times == 1 else Cadence(weekdays=frozenset(), per_week=times)
    return Cadence(weekdays=frozenset(), interval=min(365, int(denominator / numerator + 0.5)))


def _loop_minutes(habit: _LoopHabit) -> float | None:
    """How many minutes one unit of a measurable habit is (None: not a duration)."""
    unit = habit.unit.strip().casefold().rstrip(".")
    return 1.0 if unit in _MINUTE_UNITS else 60.0 if unit in _HOUR_UNITS else None


def _loop_goal(habit: _LoopHabit) -> Goal | None:
    """A minutes goal for a measurable "at least N minutes" habit: per day, or per week (a month's made weekly)."""
    factor = _loop_minutes(habit)
    if not habit.numerical or habit.at_most or factor is None:
        return None
    if habit.denominator <= 1:
        minutes, per = habit.target * factor, "day"
    else:
        minutes, per = habit.target * factor * 7 / habit.denominator, "week"
    minutes = int(minutes + 0.5)
    limit = 24 * 60 if per == "day" else 7 * 24 * 60
    return Goal(minutes=min(minutes, limit), per=per) if minutes >= 1 else None


def _clean_text(text: str, limit: int, newlines: bool = False) -> str:
    text = unicodedata.normalize("NFC", text)
    keep = "\n\t" if newlines else ""
    text = "".join(ch if unicodedata.category(ch) not in ("Cc", "Zl", "Zp") or ch in keep else " " for ch in text)
    return text.strip()[:limit].strip()


def _decode_member(source: str, archive, info) -> str:
    if info.file_size > _MAX_MEMBER:
        raise ConnectError(f"{source}: {info.filename} is too large to be a Loop export; nothing was imported.")
    with archive.open(info) as handle:
        raw = handle.read(_MAX_MEMBER + 1)
    if len(raw) > _MAX_MEMBER:
        raise ConnectError(f"{source}: {info.filename} is too large to be a Loop export; nothing was imported.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConnectError(f"{source}: {info.filename} is not UTF-8 text; nothing was imported.") from None


def _rows(text: str) -> list[list[str]]:
    import csv
    import io

    return [row for row in csv.reader(io.StringIO(text, newline="")) if any(cell.strip() for cell in row)]


def _whole(source: str, where: str, column: str, text: str, minimum: int) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise ConnectError(f"{source}: in {where}, {column} '{text}' is not a whole number of at least {minimum}; "
                           "nothing was imported.")
    return value


def _parse_loop_habits(source: str, text: str) -> list[_LoopHabit]:
    rows = _rows(text)
    if not rows:
        raise ConnectError(f"{source}: Habits.csv is empty; nothing was imported.")
    header = [_LOOP_ALIASES.get(cell.strip(), cell.strip()) for cell in rows[0]]
    column = {name.casefold(): i for i, name in reversed(list(enumerate(header)))}
    missing = [name for name in LOOP_COLUMNS if name.casefold() not in column]
    if missing:
        raise ConnectError(f"{source}: Habits.csv lacks the column{'s' if len(missing) > 1 else ''} "
                           f"{', '.join(missing)}, so it is not a Loop Habit Tracker export; nothing was imported.")

    habits = []
    for line, row in enumerate(rows[1:], start=2):
        def cell(name: str, default: str = "") -> str:
            i = column.get(name.casefold())
            return row[i] if i is not None and i < len(row) else default

        where = f"Habits.csv line {line}"
        kind = cell("Type", "0").strip().upper()
        target_text = cell("Target Value", "0").strip() or "0"
        try:
            target = float(target_text)
        except ValueError:
            target = -1.0
        if not (math.isfinite(target) and target >= 0):
            raise ConnectError(f"{source}: in {where}, Target Value '{target_text}' is not a number; "
                               "nothing was imported.")
        habits.append(_LoopHabit(
            position=_whole(source, where, "Position", cell("Position"), 0),
            name=cell("Name"),
            numerical=kind in ("1", "NUMERICAL"),
            numerator=_whole(source, where, "FrequencyNumerator", cell("FrequencyNumerator"), 1),
            denominator=_whole(source, where, "FrequencyDenominator", cell("FrequencyDenominator"), 1),
            unit=cell("Unit"),
            at_most=cell("Target Type", "0").strip().upper() in ("1", "AT_MOST"),
            target=target,
            archived=cell("Archived?", "false").strip().casefold() in ("true", "1", "yes"),
            question=cell("Question"),
            description=cell("Description"),
        ))
    return habits


def _parse_checkmarks(source: str, where: str, text: str, numerical: bool) -> list[tuple[date, str, float, str]]:
    entries = []
    for line, row in enumerate(_rows(text), start=1):
        first = row[0].strip()
        if line == 1 and first.casefold() == "date":
            continue  # a header row
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", first):
            raise ConnectError(f"{source}: in {where} line {line}, '{first}' is not a date (YYYY-MM-DD); "
                               "nothing was imported.")
        try:
            day = date.fromisoformat(first)
        except ValueError:
            raise ConnectError(f"{source}: in {where} line {line}, '{first}' is not a real date; "
                               "nothing was imported.") from None
        value = row[1].strip() if len(row) > 1 else ""
        # Notes with commas that Loop did not quote come as more cells: they belong together.
        note = ",".join(row[2:]).strip()
        kind, amount = _LOOP_WORDS.get(value.upper()), 0.0
        if kind is None:
            try:
                number = float(value)
                if not math.isfinite(number):
                    raise ValueError(value)
            except ValueError:
                raise ConnectError(f"{source}: in {where} line {line}, '{value}' is not a Loop value (YES_MANUAL, "
                                   "YES_AUTO, NO, SKIP, UNKNOWN or a number); nothing was imported.") from None
            if numerical:
                kind, amount = ("amount", number / 1000) if number > 0 else ("no", 0.0)
            else:
                kind = _LOOP_NUMBERS.get(int(number), "unknown") if number == int(number) else "unknown"
        entries.append((day, kind, amount, note))
    return entries


def parse_loop(zip_bytes: bytes, source: str = "The file") -> list[_LoopHabit]:
    """Read and check a Loop Habit Tracker CSV export (a zip) without changing anything."""
    import io
    import zipfile
    import zlib

    try:
        archive = zipfile.ZipFile(io.BytesIO(zip_bytes))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise ConnectError(f"{source} is not a zip file; Loop Habit Tracker exports its CSV files as one "
                           "(Settings, Export as CSV); nothing was imported.") from None
    with archive:
        listed = sorted((i for i in infos if i.filename.rsplit("/", 1)[-1] == "Habits.csv"),
                        key=lambda i: (i.filename.count("/"), i.filename))
        if not listed:
            raise ConnectError(f"{source} holds no Habits.csv, so it is not a Loop Habit Tracker CSV export; "
                               "nothing was imported.")
        base = listed[0].filename[: -len("Habits.csv")]
        try:
            habits = _parse_loop_habits(source, _decode_member(source, archive, listed[0]))
            folders: dict[int, object] = {}
            for info in sorted(infos, key=lambda i: i.filename):
                parts = info.filename[len(base):].split("/") if info.filename.startswith(base) else []
                if len(parts) != 2 or parts[1] != "Checkmarks.csv":
                    continue
                # Loop names the folder "%03d <name with only [ a-zA-Z0-9._-]>", trimmed: "001 Meditate", or "007".
                match = re.match(r"(\d+)(?: |$)", parts[0])
                if match:
                    folders.setdefault(int(match[1]), info)
            for habit in habits:
                info = folders.get(habit.position)
                if info is not None:
                    where = info.filename[len(base):]
                    habit.entries = _parse_checkmarks(source, where, _decode_member(source, archive, info),
                                                      habit.numerical)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, NotImplementedError,
                RuntimeError):  # RuntimeError: an encrypted member
            raise ConnectError(f"{source} is a damaged zip file; nothing was imported.") from None
    return habits


def import_loop(transaction, zip_bytes: bytes, today: date, by: str | None = None,
                source: str = "The file") -> ImportSummary:
    """Import a Loop Habit Tracker CSV export: habits, their manual check-marks as check-ins, skips as skips.

    Mapping: frequencies as `loop_cadence` says; YES_MANUAL → a check-in (source "loop"); SKIP →
    a skip; YES_AUTO (Loop's own fill-in), NO and UNKNOWN are left out, as are days after today.
    A measurable habit in minutes (or hours) aiming at least at a target becomes a minutes goal
    (per day, or per week; a month's target is made weekly) with check-ins of value/1000 minutes;
    any other measurable habit becomes a check habit where a value above zero counts (for an
    "at most" target: a value at or under it), the amount kept in the check-in's note. Loop's
    question becomes the habit's prompt, its description the note; archived stays archived; a
    name taken here gets " (Loop)". Ids come from the export and this device, so importing the
    same (or a later) export again adds only what is new.
    """
    habits = parse_loop(zip_bytes, source)
    snapshot = transaction.snapshot
    habit_ids, checkin_ids, skip_ids = known_ids(transaction)
    live = {h.id for h in snapshot.habits}
    summary = ImportSummary()
    seen_names: dict[str, int] = {}
    salt = getattr(transaction.device, "device", "") or ""
    for loop in habits:
        name = _clean_text(loop.name, NAME_MAX) or f"Loop habit {loop.position}"
        occurrence = seen_names.get(name.casefold(), 0)
        seen_names[name.casefold()] = occurrence + 1
        habit_id = uuid.uuid5(_LOOP_NAMESPACE, f"{salt}/{name}/{occurrence}").hex
        entries = [e for e in loop.entries if e[0] <= today]
        if habit_id in habit_ids:
            if habit_id not in live:
                continue  # deleted here: it stays deleted
            summary.already += 1
        else:
            habit = _loop_habit(loop, habit_id, name, entries, today)
            habit = fit_in(habit, snapshot.habits, "Loop", summary)
            transaction.add_habit(habit)
            snapshot.habits.append(habit)
            live.add(habit_id)
            summary.habits += 1
        goal_minutes = _loop_minutes(loop) if _loop_goal(loop) else None
        new_skips, new_checkins = [], []
        skipped = {s.day for s in snapshot.skips if s.habit_id == habit_id}
        for day, kind, amount, note in entries:
            record_id = uuid.uuid5(_LOOP_NAMESPACE, f"{habit_id}/{day.isoformat()}").hex
            if kind == "skip":
                if record_id not in skip_ids and day not in skipped:
                    skip_ids.add(record_id)
                    skipped.add(day)
                    new_skips.append(Skip(id=record_id, habit_id=habit_id, day=day,
                                          reason=_clean_text(note, NOTE_MAX, newlines=True)))
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


def _loop_habit(loop: _LoopHabit, habit_id: str, name: str, entries: list, today: date) -> Habit:
    goal = _loop_goal(loop)
    cadence = loop_cadence(loop.numerator, loop.denominator)
    if goal is not None:
        cadence = WEEKLY if goal.per == "week" else Cadence()
    notes = [_clean_text(loop.description, NOTE_MAX, newlines=True)]
    if loop.numerical and goal is None:
        limit = "at most" if loop.at_most else "at least"
        period = {1: "a day", 7: "a week"}.get(loop.denominator, f"every {loop.denominator} days")
        notes.append(f"From Loop: {limit} {_amount(loop.target)} {loop.unit.strip()} {period}.".replace("  ", " "))
    question = _clean_text(loop.question, NOTE_MAX)
    return Habit(
        id=habit_id,
        name=name,
        slug="",  # set by fit_in
        cadence=cadence,
        created=min((e[0] for e in entries), default=today),
        goal=goal,
        prompts=(question,) if question else (),
        note="\n".join(n for n in notes if n)[:NOTE_MAX],
        archived=loop.archived,
    )


def _amount(value: float) -> str:
    return f"{value:g}"


def _loop_checkin(loop: _LoopHabit, record_id: str, habit_id: str, day: date, kind: str, amount: float,
                  note: str, goal_minutes: float | None, by: str | None) -> CheckIn | None:
    text = _clean_text(note, NOTE_MAX, newlines=True)
    minutes = None
    if loop.numerical:
        if kind != "amount":
            return None
        if goal_minutes is not None:
            minutes = min(24 * 60, int(amount * goal_minutes + 0.5))
            if minutes < 1:
                return None
        else:
            if loop.at_most and amount > loop.target:
                return None
            unit = loop.unit.strip()
            text = (f"{_amount(amount)} {unit}".strip() + (f": {text}" if text else ""))[:NOTE_MAX]
    elif kind != "yes":
        return None
    return CheckIn(id=record_id, habit_id=habit_id, day=day, logged_at=f"{day.isoformat()}T12:00:00",
                   minutes=minutes, note=text, source=LOOP_SOURCE, by=by)
