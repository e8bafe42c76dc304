"""The stored form of every record, and its checked way back into the domain."""

from __future__ import annotations

from datetime import date, datetime

from ..core.model import CheckIn, Goal, Habit, Session, Skip, parse_cadence
from ..errors import InvalidInput

HABIT_FIELDS = ("name", "slug", "cadence", "goal", "at", "created", "archived", "template", "prompts", "note", "who")


class RecordError(ValueError):
    """A stored record does not have the expected shape."""


def habit_fields(habit: Habit) -> dict:
    """A habit's fields as stored in a change record (everything but its id)."""
    values = habit.as_dict()
    return {name: values[name] for name in HABIT_FIELDS}


def habit_from_fields(habit_id: str, fields: dict) -> Habit:
    """A habit from the fields its changes add up to."""
    goal = fields.get("goal")
    try:
        return Habit(
            id=habit_id,
            name=_text(fields["name"]),
            slug=_text(fields["slug"]),
            cadence=parse_cadence(_text(fields["cadence"])),
            created=date.fromisoformat(_text(fields["created"])),
            goal=Goal(minutes=int(goal["minutes"]), per=_choice(goal["per"], ("day", "week"))) if goal else None,
            at=tuple(_text(t) for t in fields.get("at", [])),
            template=fields.get("template") if isinstance(fields.get("template"), str) else None,
            prompts=tuple(_text(p) for p in fields.get("prompts", [])),
            note=_text(fields.get("note", "")),
            archived=bool(fields.get("archived", False)),
            who=_text(fields.get("who", "together")),
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


def checkin_from(record: dict) -> CheckIn:
    """A check-in from its stored form; RecordError when the record does not have that form."""
    # The common case, checked inline: reading a month of check-ins is most of what a command does.
    try:
        get = record.get
        id_, habit, day, logged_at = get("id"), get("habit"), get("date"), get("logged_at", "")
        note, source, minutes, by = get("note", ""), get("source", "cli"), get("minutes"), get("by")
        if (
            type(id_) is str
            and type(habit) is str
            and type(day) is str
            and type(logged_at) is str
            and type(note) is str
            and type(source) is str
            and (minutes is None or type(minutes) is int)
            and (by is None or type(by) is str)
        ):
            return CheckIn(id_, habit, date.fromisoformat(day), logged_at, minutes, note, source, by)
    except (AttributeError, ValueError):
        pass
    return _checked_checkin(record)


def _checked_checkin(record: dict) -> CheckIn:
    try:
        minutes = record.get("minutes")
        by = record.get("by")
        return CheckIn(
            id=_text(record["id"]),
            habit_id=_text(record["habit"]),
            day=date.fromisoformat(_text(record["date"])),
            logged_at=_text(record.get("logged_at", "")),
            minutes=None if minutes is None else int(minutes),
            note=_text(record.get("note", "")),
            source=_text(record.get("source", "cli")),
            by=_text(by) if by is not None else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise RecordError(_reason(error)) from None


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
