"""Export and import: a versioned JSON backup, CSV for spreadsheets, iCalendar reminders, Loop Habit Tracker.

Pure functions over a snapshot (exports) or a store transaction (imports); the clock is passed in.
Every import reads and checks its whole input first and refuses bad input with one sentence
before it changes anything. Imports go through the Transaction API (add_habit, add_checkin,
add_skips), so they work alike in a private and in a shared home.

Nothing here loads with `connect done` or `connect week`: the CLI imports this module inside
the export and import commands only, and `icalendar` loads inside `export_ics` only.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Sequence

from .errors import ConnectError, InvalidInput
from .model import (
    ALL_DAYS, NAME_MAX, NOTE_MAX, WEEKLY, Cadence, CheckIn, Goal, Habit, Skip, Snapshot, parse_time,
)
from .records import RecordError, checkin_from, checkin_record, habit_from_fields, skip_from, skip_record

BACKUP_FORMAT = "connect-backup"
BACKUP_VERSION = 1
# Keys that describe this machine, not the couple's settings: never exported, never imported.
DEVICE_KEYS = ("sync_folder", "device")
CSV_HEADER = ("date", "habit", "minutes", "note", "by", "source")
LOOP_SOURCE = "loop"


@dataclass
class ImportSummary:
    """What an import added (and what it found already there), for the summary line."""

    habits: int = 0
    checkins: int = 0
    skips: int = 0
    already: int = 0  # habits whose id was already here, left as they are
    restored: bool = False  # an empty home restored from a backup (its settings come along)
    config: dict | None = None  # the backup's settings, to apply when `restored`
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (name in the file, name here)

    @property
    def nothing_new(self) -> bool:
        return not (self.habits or self.checkins or self.skips)


# ---------------------------------------------------------------- JSON backup


def _sorted_checkins(checkins: Sequence[CheckIn]) -> list[CheckIn]:
    return sorted(checkins, key=lambda c: (c.day, c.logged_at, c.id))


def _sorted_skips(skips: Sequence[Skip]) -> list[Skip]:
    return sorted(skips, key=lambda s: (s.day, s.id))


def export_json(snapshot: Snapshot, config) -> str:
    """A complete, versioned backup: habits (with ids), check-ins, skips and settings.

    Deterministic (sorted keys; habits in their order, check-ins by date, time logged and id,
    skips by date and id), so exporting, importing into an empty home and exporting again gives
    the same text. Running tech-free sessions are left out: they end as check-ins.
    """
    settings = {key: value for key, value in (config.extra or {}).items() if key not in DEVICE_KEYS}
    settings.update(partners=list(config.partners), week_start=config.week_start)
    backup = {
        "format": BACKUP_FORMAT,
        "version": BACKUP_VERSION,
        "habits": [habit.as_dict() for habit in snapshot.habits],
        "checkins": [checkin_record(c) for c in _sorted_checkins(snapshot.checkins)],
        "skips": [skip_record(s) for s in _sorted_skips(snapshot.skips)],
        "config": settings,
    }
    return json.dumps(backup, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


@dataclass
class _Backup:
    habits: list[Habit]
    checkins: list[CheckIn]
    skips: list[Skip]
    config: dict


def _not_a_backup(source: str, why: str) -> ConnectError:
    return ConnectError(f"{source} is not a connect backup ({why}); nothing was imported.")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_backup(text: str, source: str = "The file") -> _Backup:
    """Read and check a whole backup; anything unexpected is refused with one sentence."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        where = f" at line {error.lineno}, column {error.colno}" if isinstance(error, json.JSONDecodeError) else ""
        raise _not_a_backup(source, f"it is not valid JSON{where}") from None
    if not isinstance(data, dict) or data.get("format") != BACKUP_FORMAT:
        raise _not_a_backup(source, f'it does not say "format": "{BACKUP_FORMAT}"; make one with '
                                    "`connect export --format json`")
    version = data.get("version")
    if not _is_int(version) or version < 1:
        raise _not_a_backup(source, "its version is not a positive whole number")
    if version > BACKUP_VERSION:
        raise ConnectError(f"{source} was written by a newer connect (backup version {version}; this one reads "
                           f"up to {BACKUP_VERSION}); upgrade connect to import it.")
    missing = [key for key in ("habits", "checkins", "skips", "config") if key not in data]
    if missing:
        raise _not_a_backup(source, f"it lacks {', '.join(repr(k) for k in missing)}")
    for key in ("habits", "checkins", "skips"):
        if not isinstance(data[key], list) or not all(isinstance(r, dict) for r in data[key]):
            raise _not_a_backup(source, f"'{key}' is not a list of records")
    habits = [_backup_habit(source, n, record) for n, record in enumerate(data["habits"], start=1)]
    _unique_ids(source, "habit", habits)
    known = {h.id for h in habits}
    checkins = [_backup_record(source, "check-in", n, record, checkin_from, known, _CHECKIN_TYPES)
                for n, record in enumerate(data["checkins"], start=1)]
    skips = [_backup_record(source, "skip", n, record, skip_from, known, _SKIP_TYPES)
             for n, record in enumerate(data["skips"], start=1)]
    _unique_ids(source, "check-in", checkins)
    _unique_ids(source, "skip", skips)
    return _Backup(habits, checkins, skips, _backup_config(source, data["config"]))


_TEXT, _OPTIONAL_TEXT, _OPTIONAL_INT = (str,), (str, type(None)), (int, type(None))
_CHECKIN_TYPES = {"id": _TEXT, "habit": _TEXT, "date": _TEXT, "minutes": _OPTIONAL_INT, "note": _TEXT,
                  "logged_at": _TEXT, "source": _TEXT, "by": _OPTIONAL_TEXT}
_SKIP_TYPES = {"id": _TEXT, "habit": _TEXT, "date": _TEXT, "reason": _TEXT}
_HABIT_TYPES = {"id": _TEXT, "name": _TEXT, "slug": _TEXT, "cadence": _TEXT, "created": _TEXT, "archived": (bool,),
                "at": (list,), "prompts": (list,), "note": _TEXT, "who": _TEXT, "template": _OPTIONAL_TEXT,
                "goal": (dict, type(None))}


# Fields a record may leave out (restored with their defaults); every other one must be there.
_OPTIONAL_FIELDS = {"minutes", "note", "logged_at", "source", "by", "reason", "goal", "at", "archived", "template",
                    "prompts", "who"}


def _check_types(source: str, what: str, number: int, record: dict, types: dict) -> None:
    for key, allowed in types.items():
        if key not in record:
            if key in _OPTIONAL_FIELDS:
                continue
            raise _not_a_backup(source, f"{what} {number} has no '{key}'")
        value = record[key]
        if (isinstance(value, bool) and bool not in allowed) or not isinstance(value, allowed):
            raise _not_a_backup(source, f"{what} {number} has an invalid '{key}'")


def _backup_habit(source: str, number: int, record: dict) -> Habit:
    _check_types(source, "habit", number, record, _HABIT_TYPES)
    if not record["id"]:
        raise _not_a_backup(source, f"habit {number} has an empty id")
    try:
        habit = habit_from_fields(record["id"], record)
        if any(parse_time(t) != t for t in habit.at):
            raise RecordError("a reminder time is not HH:MM")
    except (RecordError, InvalidInput) as error:
        raise _not_a_backup(source, f"habit {number} does not parse: {error}") from None
    return habit


def _backup_record(source: str, what: str, number: int, record: dict, parse, habits: set[str], types: dict):
    _check_types(source, what, number, record, types)
    try:
        parsed = parse(record)
    except RecordError as error:
        raise _not_a_backup(source, f"{what} {number} does not parse: {error}") from None
    if not parsed.id:
        raise _not_a_backup(source, f"{what} {number} has an empty id")
    if parsed.habit_id not in habits:
        raise _not_a_backup(source, f"{what} {number} belongs to a habit the backup does not hold")
    if getattr(parsed, "minutes", None) is not None and parsed.minutes < 0:
        raise _not_a_backup(source, f"{what} {number} has negative minutes")
    return parsed


def _unique_ids(source: str, what: str, records: Sequence) -> None:
    seen: set[str] = set()
    for record in records:
        if record.id in seen:
            raise _not_a_backup(source, f"two {what}s share the id {record.id}")
        seen.add(record.id)


_CONFIG_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _config_value(value: object) -> bool:
    if isinstance(value, (str, bool, int, float)):
        return True
    return isinstance(value, list) and all(isinstance(v, (str, bool, int, float)) for v in value)


def _backup_config(source: str, settings: object) -> dict:
    from .cadence import WEEK_STARTS

    if not isinstance(settings, dict):
        raise _not_a_backup(source, "'config' is not a table of settings")
    partners = settings.get("partners", [])
    if not isinstance(partners, list) or not all(isinstance(p, str) for p in partners):
        raise _not_a_backup(source, "the partners in 'config' are not a list of names")
    if settings.get("week_start", "monday") not in WEEK_STARTS:
        raise _not_a_backup(source, 'week_start in \'config\' is not "monday" or "sunday"')
    for key, value in settings.items():
        if not _CONFIG_KEY.fullmatch(key) or not _config_value(value):
            raise _not_a_backup(source, f"the setting '{key}' in 'config' cannot be kept")
    return {key: value for key, value in settings.items() if key not in DEVICE_KEYS}


def restored_config(current, settings: dict):
    """The home's config after a restore: the backup's settings, with this machine's own keys kept."""
    from .config import Config

    extra = {key: value for key, value in settings.items() if key not in ("partners", "week_start")}
    if isinstance(current.extra.get("sync_folder"), str):
        # A shared home stays shared, and this device stays who it is.
        extra.update({key: current.extra[key] for key in (*DEVICE_KEYS, "me") if key in current.extra})
    return Config(partners=tuple(settings.get("partners", [])), week_start=settings.get("week_start", "monday"),
                  extra=extra)


def _known_ids(transaction) -> tuple[set[str], set[str], set[str]]:
    """Habit, check-in and skip ids this home has, including the own file's deleted and undone ones.

    Adding a record whose id was removed here would be hidden by the removal anyway, and would
    add a record on every import: leaving it out keeps a second import a true no-op.
    """
    snapshot, device = transaction.snapshot, transaction.device
    habits = {h.id for h in snapshot.habits} | {c["habit"] for c in device.changes}
    removed = {r["target"] for r in device.removals}
    checkins = {c.id for c in snapshot.checkins} | {c.id for c in device.checkins} | removed
    skips = {s.id for s in snapshot.skips} | {s.id for s in device.skips} | removed
    return habits, checkins, skips


def import_backup(transaction, text: str, merge: bool, source: str = "The file") -> ImportSummary:
    """Restore a backup into an empty home, or (with `merge`) add what a non-empty home lacks.

    Restoring keeps every id and field. Merging adds the habits, check-ins and skips whose ids
    are not here yet: a habit with the same id is left as it is, so importing a file twice
    changes nothing. A merged habit whose name is taken here gets " (imported)" added.
    """
    backup = parse_backup(text, source)
    snapshot = transaction.snapshot
    empty = not snapshot.habits and not snapshot.checkins and not snapshot.skips
    if not empty and not merge:
        raise ConnectError(f"This home already has habits; add --merge to add what {source} holds "
                           "without duplicates (or import it into an empty home to restore it).")
    summary = ImportSummary(restored=empty, config=backup.config if empty else None)
    habit_ids, checkin_ids, skip_ids = _known_ids(transaction)
    live = {h.id for h in snapshot.habits}
    for habit in backup.habits:
        if habit.id in habit_ids:
            summary.already += int(habit.id in live)
            continue
        if not empty:
            habit = _fit_in(habit, snapshot.habits, "imported", summary)
        transaction.add_habit(habit)
        snapshot.habits.append(habit)
        live.add(habit.id)
        summary.habits += 1
    skipped_days = {(s.habit_id, s.day) for s in snapshot.skips}
    new_checkins = [c for c in backup.checkins if c.id not in checkin_ids and c.habit_id in live]
    _add_checkins(transaction, new_checkins)
    summary.checkins = len(new_checkins)
    new_skips = []
    for skip in backup.skips:
        if skip.id not in skip_ids and skip.habit_id in live and (skip.habit_id, skip.day) not in skipped_days:
            skipped_days.add((skip.habit_id, skip.day))
            new_skips.append(skip)
    transaction.add_skips(new_skips)
    snapshot.skips.extend(new_skips)
    summary.skips = len(new_skips)
    return summary


def _add_checkins(transaction, checkins: list[CheckIn]) -> None:
    """Add check-ins in one go where the store can (one insert each costs time in the table's size)."""
    bulk = getattr(transaction, "add_checkins", None)
    if bulk is not None:
        bulk(checkins)
    else:
        for checkin in checkins:
            transaction.add_checkin(checkin)
    transaction.snapshot.checkins.extend(checkins)


def _fit_in(habit: Habit, habits: Sequence[Habit], label: str, summary: ImportSummary) -> Habit:
    """`habit` with a name and slug of its own among `habits` (" (label)", then " (label 2)"… when taken)."""
    from .names import find_by_name, unique_slug

    name, n = habit.name, 1
    while find_by_name(habits, name) is not None:
        suffix = f" ({label})" if n == 1 else f" ({label} {n})"
        name, n = habit.name[: NAME_MAX - len(suffix)].rstrip() + suffix, n + 1
    if name != habit.name:
        summary.renamed.append((habit.name, name))
    return habit._replace(name=name, slug=unique_slug(name, habits))


# ---------------------------------------------------------------- CSV


def export_csv(snapshot: Snapshot) -> str:
    """One row per check-in (`date,habit,minutes,note,by,source`), oldest first, quoted as RFC 4180 says.

    Notes are written as they are (commas, quotes and newlines quoted, nothing escaped away),
    so the file reads back exactly with any CSV reader.
    """
    import csv
    import io

    names = {h.id: h.name for h in snapshot.habits}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for c in _sorted_checkins(snapshot.checkins):
        minutes = "" if c.minutes is None else str(c.minutes)
        writer.writerow((c.day.isoformat(), names.get(c.habit_id, c.habit_id), minutes, c.note, c.by or "", c.source))
    return out.getvalue()


# ---------------------------------------------------------------- iCalendar

_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def zone_key(zone: tzinfo) -> str | None:
    """The IANA name of a zone (`Europe/Berlin`), or None when it has none.

    A zone read from /etc/localtime is named `localtime`; its real name is where the link points.
    """
    from zoneinfo import ZoneInfo

    key = getattr(zone, "key", None)
    if key == "localtime":
        import os

        target = os.path.realpath("/etc/localtime")
        key = target.split("/zoneinfo/", 1)[1] if "/zoneinfo/" in target else None
    if not isinstance(key, str) or not key:
        return None
    try:
        ZoneInfo(key)
    except (ValueError, OSError, LookupError):
        return None
    return key


def recurrence(habit: Habit) -> dict:
    """The RRULE of a habit's reminders.

    Day-based cadences map one to one: daily → FREQ=DAILY; a list of days, weekdays and
    weekends → FREQ=WEEKLY;BYDAY=…; every N days → FREQ=DAILY;INTERVAL=N (from its anchor day).
    Week-based habits (N/week, weekly, a goal per week) have no fixed days: like the daemon,
    which reminds every day until the week's target is met, they recur daily (a calendar
    cannot know when the target is met, so it reminds every day).
    """
    cadence = habit.cadence
    if habit.week_based:
        return {"FREQ": "DAILY"}
    if cadence.interval:
        return {"FREQ": "DAILY", "INTERVAL": cadence.interval}
    if cadence.weekdays == ALL_DAYS:
        return {"FREQ": "DAILY"}
    return {"FREQ": "WEEKLY", "BYDAY": [_BYDAY[d] for d in sorted(cadence.weekdays)]}


def first_reminder_day(habit: Habit, today: date) -> date:
    """The first day on or after today (or the habit's creation) that the recurrence holds, so DTSTART is in it."""
    start = max(today, habit.created)
    cadence = habit.cadence
    if habit.week_based:
        return start
    if cadence.interval:
        return start + timedelta(days=-(start - habit.created).days % cadence.interval)
    days = (start + timedelta(days=i) for i in range(7))
    return next(day for day in days if day.weekday() in cadence.weekdays)


def _description(habit: Habit) -> str:
    from .render import rhythm_text

    lines = [habit.prompts[0]] if habit.prompts else []
    lines.append(f"{habit.name} ({rhythm_text(habit)}). When it is done: connect done {habit.slug}")
    return "\n".join(lines)


def export_ics(snapshot: Snapshot, zone: tzinfo, today: date, stamp: datetime | None = None) -> str:
    """The active habits' reminder times as recurring events with an alarm each (RFC 5545).

    One VEVENT per habit and reminder time, at that local time in the zone: TZID (the zone's
    IANA name) with its VTIMEZONE; in UTC itself, UTC times. A zone without an IANA name is
    written as UTC times at today's offset (exact for a fixed offset; a DST change shifts them).
    UIDs are stable (`<habit id>-<HHMM>@connect`), so importing a newer export updates the
    events instead of doubling them. `stamp` (DTSTAMP) defaults to the start of `today`.
    """
    from icalendar import Alarm, Calendar, Event

    key = zone_key(zone)
    local = zone
    if key is not None:
        from zoneinfo import ZoneInfo

        local = ZoneInfo(key)
    when = (stamp or datetime.combine(today, time(0), tzinfo=zone)).astimezone(timezone.utc)
    calendar = Calendar()
    calendar.add("prodid", "-//connect//connect habit reminders//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "connect reminders")
    first_day = None
    for habit in snapshot.habits:
        if habit.archived or not habit.at:
            continue
        day = first_reminder_day(habit, today)
        first_day = min(first_day or day, day)
        for at in habit.at:
            start = datetime.combine(day, time.fromisoformat(at), tzinfo=local)
            event = Event()
            event.add("uid", f"{habit.id}-{at.replace(':', '')}@connect")
            event.add("dtstamp", when)
            event.add("dtstart", start if key is not None else start.astimezone(timezone.utc))
            event.add("rrule", recurrence(habit))
            event.add("summary", habit.name)
            event.add("description", _description(habit))
            event.add("transp", "TRANSPARENT")  # a reminder, not busy time
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", habit.name)
            alarm.add("trigger", timedelta(0))  # at the reminder time (icalendar writes the zero duration as P0D)
            event.add_component(alarm)
            calendar.add_component(event)
    if first_day is not None:
        # The zone's VTIMEZONE, first (none when the times are UTC ones, which need none).
        calendar.add_missing_timezones(first_date=first_day)
    return calendar.to_ical().decode("utf-8")


# ---------------------------------------------------------------- Loop Habit Tracker

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
    habit_ids, checkin_ids, skip_ids = _known_ids(transaction)
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
            habit = _fit_in(habit, snapshot.habits, "Loop", summary)
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
        _add_checkins(transaction, new_checkins)
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
        slug="",  # set by _fit_in
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
