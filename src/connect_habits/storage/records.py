"""The stored form of every record, and its checked way back into the domain.

What comes back from a file (this device's, a partner's, a backup) is checked as the command line checks
what is typed: a name as `connect add` takes it, a time as `--at` does, a date between 1900 and 2999. A
record that fails is a RecordError, never a half-valid habit.
"""

from __future__ import annotations

from datetime import date, datetime
from operator import itemgetter

from ..core.habits import day_list, parse_repeat
from ..core.model import (
    CheckIn,
    Goal,
    Habit,
    Ritual,
    Session,
    Skip,
    parse_cadence,
    parse_goal,
    parse_name,
    parse_note,
    parse_time,
)
from ..core.words import plain_number
from ..errors import InvalidInput

HABIT_FIELDS = (
    "name slug cadence goal at created archived template prompts note who remind_on repeat limit starts ends group "
    "position"
).split()
MAX_POSITION = 10**9
MAX_AMOUNT = 100_000  # the most of anything one check-in or goal holds (minutes stay under a day's or a month's)


class RecordError(ValueError):
    """A stored record does not have the expected shape."""


def habit_fields(habit: Habit) -> dict:
    """A habit's fields as stored in a change record (everything but its id)."""
    values = habit.as_dict()
    return {name: values[name] for name in HABIT_FIELDS}


def check_fields(fields: dict) -> None:
    """Check each field a habit change sets (a change may set a few); RecordError names the first that is wrong."""
    for name, value in fields.items():
        check = _FIELD_CHECKS.get(name)
        if check is None:
            continue  # a field of a newer version: kept, and ignored
        try:
            ok = check(value)
        except (InvalidInput, TypeError, ValueError, AttributeError, KeyError):
            ok = False
        if not ok:
            raise RecordError(f"its {name} is not one connect would take")


def _name_ok(value: object) -> bool:
    try:
        return isinstance(value, str) and parse_name(value) == value
    except InvalidInput:
        return False


def note_ok(value: object) -> bool:
    """Whether a stored text is one the command line would take as a note."""
    try:
        return isinstance(value, str) and (not value or parse_note(value) == value.strip())
    except InvalidInput:
        return False


def _short_text_ok(value: object, limit: int = 120) -> bool:
    """An id, a slug, a partner: printable, on one line, not too long."""
    return isinstance(value, str) and 0 < len(value) <= limit and value.isprintable()


def _day_ok(value: object) -> bool:
    return isinstance(value, str) and MIN_YEAR <= date.fromisoformat(value).year <= MAX_YEAR


def _goal_ok(value: object) -> bool:
    if value is None:
        return True
    if not isinstance(value, dict) or type(value.get("minutes", value.get("amount"))) not in (int, float):
        return False
    goal = goal_from(value)
    return goal == parse_goal(str(goal)) and set(value) == set(goal.as_dict())


def goal_from(value: dict) -> Goal:
    """A goal (or limit) from its stored form: `{"minutes", "per"}`, or `{"amount", "unit", "per"}`."""
    per = _choice(value["per"], ("day", "week", "month"))
    if "unit" in value:
        return Goal(minutes=_amount(value["amount"]), per=per, unit=_text(value["unit"]))
    return Goal(minutes=int(value["minutes"]), per=per)


def _amount(value: object) -> int | float:
    """A stored amount: a whole number, or one with decimals (2.5 pages), finite and not negative."""
    try:  # written as text by an old version: "30"
        number = float(value) if type(value) in (int, float, str) else -1.0  # type: ignore[arg-type]
    except ValueError:
        number = -1.0
    if not 0 <= number <= MAX_AMOUNT:
        raise RecordError(f"an amount that is not a number from 0 to {MAX_AMOUNT}")
    return plain_number(number)


def _times_ok(value: object) -> bool:
    return (
        isinstance(value, list)
        and len(value) <= 24
        and all(isinstance(t, str) and parse_time(t) == t for t in value)
        and len(set(value)) == len(value)
    )


_FIELD_CHECKS = {
    "name": _name_ok,
    "slug": _short_text_ok,
    "cadence": lambda v: isinstance(v, str) and bool(parse_cadence(v)),
    "goal": _goal_ok,
    "limit": _goal_ok,
    "at": _times_ok,
    "created": _day_ok,
    "archived": lambda v: isinstance(v, bool),
    "template": lambda v: v is None or (_short_text_ok(v, 64) and v.replace("-", "").isalnum()),
    "prompts": lambda v: isinstance(v, list) and len(v) <= 50 and all(note_ok(p) for p in v),
    "note": note_ok,
    "who": _short_text_ok,
    "remind_on": lambda v: isinstance(v, list) and all(isinstance(d, str) and day_list(d) for d in v),
    "repeat": lambda v: v is None or (type(v) is int and parse_repeat(f"{v}m") == v),
    "starts": lambda v: v is None or _day_ok(v),
    "ends": lambda v: v is None or _day_ok(v),
    "group": lambda v: v is None or _name_ok(v),
    "position": lambda v: type(v) is int and 0 <= v <= MAX_POSITION,
    "deleted": lambda v: isinstance(v, bool),
}
MIN_YEAR, MAX_YEAR = 1900, 2999


def habit_from_fields(habit_id: str, fields: dict, checked: bool = False) -> Habit:
    """A habit from the fields its changes add up to; `checked`: each value as the command line checks it too."""
    if checked:
        check_fields(fields)
    goal = fields.get("goal")
    try:
        return Habit(
            id=habit_id,
            name=_text(fields["name"]),
            slug=_text(fields["slug"]),
            cadence=parse_cadence(_text(fields["cadence"])),
            created=date.fromisoformat(_text(fields["created"])),
            goal=goal_from(goal) if goal else None,
            at=tuple(_text(t) for t in fields.get("at", [])),
            template=fields.get("template") if isinstance(fields.get("template"), str) else None,
            prompts=tuple(_text(p) for p in fields.get("prompts", [])),
            note=_text(fields.get("note", "")),
            archived=bool(fields.get("archived", False)),
            who=_text(fields.get("who", "together")),
            remind_on=tuple(sorted(day_list(",".join(fields.get("remind_on") or [])) or ())),
            repeat=int(fields.get("repeat") or 0),
            limit=goal_from(fields["limit"]) if fields.get("limit") else None,
            starts=_optional_day(fields.get("starts")),
            ends=_optional_day(fields.get("ends")),
            group=_text(fields.get("group") or ""),
            position=int(fields.get("position") or 0),
        )
    except (KeyError, TypeError, ValueError, AttributeError, InvalidInput) as error:
        raise RecordError(_reason(error)) from None


def checkin_record(checkin: CheckIn) -> dict:
    """The stored form of a check-in."""
    return {
        "id": checkin.id,
        "habit": checkin.habit_id,
        "date": checkin.day.isoformat(),
        "minutes": checkin.minutes,
        "note": checkin.note,
        "logged_at": checkin.logged_at,
        "source": checkin.source,
        "by": checkin.by,
    }


_STORED = itemgetter("id", "habit", "date", "logged_at", "note", "source", "minutes", "by")
_new = tuple.__new__
_fromiso = date.fromisoformat


def _checkin_fields_ok(id_, habit, day, logged_at, note, source, minutes, by) -> bool:
    """Whether a check-in's stored fields have their types (an amount within bounds)."""
    return (
        type(id_) is str
        and type(habit) is str
        and type(day) is str
        and type(logged_at) is str
        and type(note) is str
        and type(source) is str
        and (minutes is None or type(minutes) is int or (type(minutes) is float and 0 <= minutes <= MAX_AMOUNT))
        and (by is None or type(by) is str)
    )


def checkin_from(record: dict) -> CheckIn:
    """A check-in from its stored form; RecordError when the record does not have that form."""
    # The common case, checked inline: reading a month of check-ins is most of what a command does.
    # A record as connect writes it has all eight fields: taken in one call, made without namedtuple's defaults.
    try:
        id_, habit, day, logged_at, note, source, minutes, by = _STORED(record)
        if _checkin_fields_ok(id_, habit, day, logged_at, note, source, minutes, by):
            return _new(CheckIn, (id_, habit, _fromiso(day), logged_at, minutes, note, source, by))
    except (KeyError, TypeError, ValueError):
        pass
    try:
        get = record.get
        id_, habit, day, logged_at = get("id"), get("habit"), get("date"), get("logged_at", "")
        note, source, minutes, by = get("note", ""), get("source", "cli"), get("minutes"), get("by")
        if _checkin_fields_ok(id_, habit, day, logged_at, note, source, minutes, by):
            return CheckIn(id_, habit, date.fromisoformat(str(day)), logged_at, minutes, note, source, by)
    except (AttributeError, ValueError):
        pass
    return _checked_checkin(record)


def checked_checkin(record: dict) -> CheckIn:
    """A check-in from a file connect did not write itself (a partner's, a backup): also its values are checked."""
    checkin = checkin_from(record)
    if not MIN_YEAR <= checkin.day.year <= MAX_YEAR:
        raise RecordError("a date outside 1900 to 2999")
    if checkin.minutes is not None and not 0 <= checkin.minutes <= MAX_AMOUNT:
        raise RecordError(f"an amount outside 0 to {MAX_AMOUNT}")
    if checkin.note and not checkin.note.isprintable() and not note_ok(checkin.note):
        raise RecordError("a note connect would not take")
    if checkin.by is not None and not _short_text_ok(checkin.by):
        raise RecordError("a partner that is not a name or an id")
    return checkin


def checked_skip(record: dict) -> Skip:
    """A skip from a file connect did not write itself: also its values are checked."""
    skip = skip_from(record)
    if not MIN_YEAR <= skip.day.year <= MAX_YEAR or not note_ok(skip.reason):
        raise RecordError("a date outside 1900 to 2999, or a reason connect would not take")
    return skip


def _checked_checkin(record: dict) -> CheckIn:
    try:
        minutes = record.get("minutes")
        by = record.get("by")
        return CheckIn(
            id=_text(record["id"]),
            habit_id=_text(record["habit"]),
            day=date.fromisoformat(_text(record["date"])),
            logged_at=_text(record.get("logged_at", "")),
            minutes=None if minutes is None else _amount(minutes),
            note=_text(record.get("note", "")),
            source=_text(record.get("source", "cli")),
            by=_text(by) if by is not None else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise RecordError(_reason(error)) from None


RITUAL_KINDS = ("talk", "answer", "message", "thanks", "seen")
_RITUAL_TEXT_MAX = 20_000  # a whole check-in's answers; each typed answer is held to NOTE_MAX when typed


def ritual_record(ritual: Ritual) -> dict:
    """The stored form of a ritual record."""
    return {**ritual.fields, "id": ritual.id, "kind": ritual.kind, "date": ritual.day.isoformat(), "by": ritual.by}


def ritual_from(record: dict) -> Ritual:
    """A ritual record from its stored form; RecordError when it does not have that form."""
    try:
        by = record.get("by")
        fields = {k: v for k, v in record.items() if k not in ("id", "kind", "date", "by")}
        return Ritual(
            id=_text(record["id"]),
            kind=_choice(record["kind"], RITUAL_KINDS),
            day=date.fromisoformat(_text(record["date"])),
            by=_text(by) if by is not None else None,
            fields=fields,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise RecordError(_reason(error)) from None


def checked_ritual(record: dict) -> Ritual:
    """A ritual record from a file connect did not write itself: every text in it as a note is checked."""
    ritual = ritual_from(record)
    if not MIN_YEAR <= ritual.day.year <= MAX_YEAR:
        raise RecordError("a date outside 1900 to 2999")
    if ritual.by is not None and not _short_text_ok(ritual.by):
        raise RecordError("a partner that is not a name or an id")
    if len(str(ritual.fields)) > _RITUAL_TEXT_MAX or not all(note_ok(t) for t in field_texts(ritual.fields)):
        raise RecordError("a text connect would not take")
    return ritual


def field_texts(value: object, depth: int = 0):
    """Every string inside a record's fields (keys too), to a bounded depth."""
    if depth > 4:
        raise RecordError("fields nested too deep")
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from field_texts(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from field_texts(item, depth + 1)


def skip_record(skip: Skip) -> dict:
    """The stored form of a skip."""
    return {"id": skip.id, "habit": skip.habit_id, "date": skip.day.isoformat(), "reason": skip.reason}


def skip_from(record: dict) -> Skip:
    try:
        return Skip(
            id=_text(record["id"]),
            habit_id=_text(record["habit"]),
            day=date.fromisoformat(_text(record["date"])),
            reason=_text(record.get("reason", "")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise RecordError(_reason(error)) from None


def session_record(session: Session) -> dict:
    """The stored form of a running session."""
    return {
        "id": session.id,
        "habit": session.habit_id,
        "started": session.started.isoformat(timespec="seconds"),
        "minutes": session.minutes,
    }


def session_from(record: dict) -> Session:
    try:
        started = datetime.fromisoformat(_text(record["started"]))
        if started.tzinfo is None:
            raise ValueError("a session start without a time zone")
        return Session(
            id=_text(record["id"]), habit_id=_text(record["habit"]), started=started, minutes=int(record["minutes"])
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise RecordError(_reason(error)) from None


def _optional_day(value: object) -> date | None:
    return None if value is None else date.fromisoformat(_text(value))


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return value


def _choice(value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"expected one of {allowed}")
    return value


def _reason(error: Exception) -> str:
    if isinstance(error, InvalidInput):
        return error.message
    if isinstance(error, KeyError):
        return f"missing field {error}"
    return str(error)
