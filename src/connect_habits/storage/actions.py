"""What the commands do to the log inside one store transaction: check-ins, undos, skips, tech-free sessions.

The CLI and the daemon parse and print; these functions decide. They take `today`/`now` as parameters.
"""

from __future__ import annotations

from collections import namedtuple
from datetime import date, datetime, time

from ..core.daystart import MIDNIGHT, logical_day
from ..core.habits import default_session_habit, resolve_active
from ..core.model import CheckIn, Session, Skip, new_id, parse_note
from ..errors import InvalidInput

TYPE_CHECKING = False  # typing's flag without importing typing: type checkers read it by name
if TYPE_CHECKING:
    from .transaction import Transaction

MAX_SESSION_MINUTES = 24 * 60
MINUTES_A_DAY = 24 * 60


class DoneOutcome(namedtuple("DoneOutcome", "habit day checkin existing", defaults=(None,))):
    """What `done` did: the habit, the day, the new check-in (None when it was already done that day: then
    `existing` is the check-in that did it)."""

    __slots__ = ()


def record_done(
    transaction: Transaction,
    query: str,
    day: date,
    now: datetime,
    minutes: float | None = None,
    note: str | None = None,
    source: str = "cli",
    by: str | None = None,
    today: date | None = None,
    private: bool = False,
) -> DoneOutcome:
    """Log a habit on `day`: once a day for a check habit, adding up for a minutes habit.

    `today`: the day it is (the day before `now`'s date until a later `day_starts`); `now`'s date if None.
    `private`: the note stays on this machine (storage/private.py); the shared record has none.
    """
    snapshot = transaction.snapshot
    habit = resolve_active(snapshot.habits, query)
    if day > (now.date() if today is None else today):
        raise InvalidInput(f"{day.isoformat()} is in the future; you can only log what has happened.")
    if habit.measured and minutes is None:
        unit = habit.measure.unit if habit.measure is not None else ""
        raise InvalidInput(
            f"'{habit.name}' counts {unit}; add --amount N."
            if unit
            else f"'{habit.name}' is measured in minutes; add --minutes N."
        )
    if minutes and not (habit.measure is not None and habit.measure.unit):  # a day holds 24 hours, not 24 coffees
        logged = sum(
            c.minutes or 0
            for c in snapshot.checkins
            if c.habit_id == habit.id and c.day == day and (habit.who != "each" or c.by == by)
        )
        if logged + minutes > MINUTES_A_DAY:
            raise InvalidInput(
                f"'{habit.name}' already has {logged} min on {day.isoformat()}; a day holds at most 24 hours "
                f"({MINUTES_A_DAY} min), so {minutes} more will not fit."
            )
    if habit.who == "each" and by is None and snapshot.persons:
        listed = ", ".join(snapshot.names.values())
        raise InvalidInput(f"Each of you does '{habit.name}': say who with --by ({listed}).")
    # A check habit counts once a day: once for the two of you, or once per partner for `each`.
    if not habit.measured:
        existing = next(
            (
                c
                for c in snapshot.checkins
                if c.habit_id == habit.id and c.day == day and (habit.who != "each" or c.by == by)
            ),
            None,
        )
        if existing is not None:
            return DoneOutcome(habit, day, None, existing)
    checkin = CheckIn(
        id=new_id(),
        habit_id=habit.id,
        day=day,
        logged_at=now.isoformat(timespec="seconds"),
        minutes=minutes,
        note=parse_note(note),
        source=source,
        by=by,
    )
    transaction.add_checkin(checkin, private=private)
    snapshot.checkins.append(checkin)
    return DoneOutcome(habit, day, checkin)


class UndoOutcome(namedtuple("UndoOutcome", "habit day checkin skip", defaults=(None, None))):
    """What `undo` removed: a check-in or, when the day had none, a skip."""

    __slots__ = ()


def undo(transaction: Transaction, query: str, day: date, by: str | None = None) -> UndoOutcome:
    """Remove the day's latest check-in (the partner's own, for a habit each of you does), or else its skip."""
    snapshot = transaction.snapshot
    habit = resolve_active(snapshot.habits, query)
    # Insertion order breaks ties between check-ins logged in the same second.
    day_checkins = [
        (c.logged_at, i, c)
        for i, c in enumerate(snapshot.checkins)
        if c.habit_id == habit.id and c.day == day and (habit.who != "each" or by is None or c.by == by)
    ]
    if day_checkins:
        latest = max(day_checkins, key=lambda item: item[:2])[2]
        transaction.remove_checkin(latest)
        snapshot.checkins.remove(latest)
        return UndoOutcome(habit, day, checkin=latest)
    skip = next((s for s in snapshot.skips if s.habit_id == habit.id and s.day == day), None)
    if skip is not None:
        transaction.remove_skip(skip)
        snapshot.skips.remove(skip)
        return UndoOutcome(habit, day, skip=skip)
    raise InvalidInput(f"'{habit.name}' has nothing logged on {day.isoformat()} to undo.")


class SkipOutcome(namedtuple("SkipOutcome", "habit added already done before", defaults=((), ()))):
    """What `skip` did: the habit, the days newly skipped, those that already were, those left as
    they are because the habit was done on them, and those before its history began (nothing to skip)."""

    __slots__ = ()


def record_skips(transaction: Transaction, query: str, days: list[date], reason: str | None) -> SkipOutcome:
    """Mark days as skipped; days already skipped stay as they were, and so do days it was done on."""
    snapshot = transaction.snapshot
    habit = resolve_active(snapshot.habits, query)
    skipped = {s.day for s in snapshot.skips if s.habit_id == habit.id}
    done = {c.day for c in snapshot.checkins if c.habit_id == habit.id}
    text = parse_note(reason, what="reason")
    start = min([habit.created, habit.starts or habit.created, *done])  # a challenge may start before it was added
    before = [d for d in days if d < start]
    days = [d for d in days if d >= start]
    new = [Skip(id=new_id(), habit_id=habit.id, day=d, reason=text) for d in days if d not in skipped and d not in done]
    transaction.add_skips(new)
    snapshot.skips.extend(new)
    return SkipOutcome(
        habit,
        [s.day for s in new],
        [d for d in days if d in skipped and d not in done],
        [d for d in days if d in done],
        before,
    )


def remove_skips(transaction: Transaction, habit_ids: set[str], days: set[date]) -> list[Skip]:
    """Take back the skips of these habits on these days (a holiday called off); check-ins stay as they are."""
    gone = [s for s in transaction.snapshot.skips if s.habit_id in habit_ids and s.day in days]
    for skip in gone:
        transaction.remove_skip(skip)
    transaction.snapshot.skips[:] = [s for s in transaction.snapshot.skips if s not in gone]
    return gone


def start_session(transaction: Transaction, query: str | None, minutes: int, now: datetime) -> Session:
    """Start a tech-free session of `minutes` from `now` (aware); only one runs at a time."""
    snapshot = transaction.snapshot
    if snapshot.sessions:
        running = snapshot.sessions[0]
        raise InvalidInput(
            f"A tech-free session is already running until {running.ends.astimezone(now.tzinfo):%H:%M}; "
            "end it with `connect unplug --stop`."
        )
    if minutes > MAX_SESSION_MINUTES:
        raise InvalidInput("A tech-free session can last at most 24 hours.")
    habit = resolve_active(snapshot.habits, query) if query else default_session_habit(snapshot.habits)
    session = Session(id=new_id(), habit_id=habit.id, started=now, minutes=minutes)
    transaction.add_session(session)
    snapshot.sessions.append(session)
    return session


class SessionEnd(namedtuple("SessionEnd", "session habit checkin")):
    """A session that ended, and the check-in it became (None when under a minute)."""

    __slots__ = ()


def _end_session(
    transaction: Transaction, session: Session, minutes: int, at: datetime, day_starts: time
) -> SessionEnd:
    snapshot = transaction.snapshot
    habit = next(h for h in snapshot.habits if h.id == session.habit_id)
    transaction.remove_session(session.id)
    snapshot.sessions.remove(session)
    checkin = None
    if minutes > 0:
        checkin = CheckIn(
            id=session.id,  # the session's own id: logged again after a crash, it is the same record
            habit_id=habit.id,
            day=logical_day(session.started, day_starts),  # begun at 00:30, before a 04:00 day start: the evening's
            logged_at=at.replace(tzinfo=None).isoformat(timespec="seconds"),
            minutes=minutes,
            note="tech-free session",
            source="unplug",
        )
        if all(c.id != checkin.id for c in snapshot.checkins):  # not logged already before a crash
            transaction.add_checkin(checkin)
            snapshot.checkins.append(checkin)
    return SessionEnd(session, habit, checkin)


def settle_sessions(transaction: Transaction, now: datetime, day_starts: time = MIDNIGHT) -> list[SessionEnd]:
    """Log every session whose time is up, once: removing it and adding its check-in is one write.

    Its minutes count for the day it began on (`day_starts`: when a day begins, see core/daystart.py).
    """
    ended = [s for s in transaction.snapshot.sessions if s.ends <= now]
    return [_end_session(transaction, s, s.minutes, s.ends, day_starts) for s in ended]


def stop_session(transaction: Transaction, now: datetime, day_starts: time = MIDNIGHT) -> SessionEnd:
    """End the running session early, logging the whole minutes so far."""
    if not transaction.snapshot.sessions:
        raise InvalidInput("No tech-free session is running; start one with `connect unplug 90m`.")
    session = transaction.snapshot.sessions[0]
    elapsed = int((now - session.started).total_seconds() // 60)
    return _end_session(transaction, session, max(0, min(elapsed, session.minutes)), now, day_starts)
