"""What each command does to the data: build, change and log habits inside one store transaction.

The CLI parses and prints; these functions decide. They take `today`/`now` as parameters.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from datetime import date, datetime, timedelta

TYPE_CHECKING = False  # typing's flag without importing typing: type checkers read it by name
if TYPE_CHECKING:
    from .store import Transaction

from .errors import DuplicateHabit, HabitNotFound, InvalidInput, UsageError
from .model import (
    WEEKLY,
    Cadence,
    CheckIn,
    Goal,
    Habit,
    Session,
    Skip,
    new_id,
    parse_cadence,
    parse_goal,
    parse_name,
    parse_note,
    parse_time,
)
from .names import find_by_name, resolve, unique_slug

MAX_SKIP_DAYS = 366


def resolve_active(habits: Sequence[Habit], query: str) -> Habit:
    """The active habit `query` names (or whose id it is); an archived match gets a message that says so."""
    active = [h for h in habits if not h.archived]
    by_id = next((h for h in active if h.id == query), None)
    if by_id is not None:
        return by_id
    try:
        return resolve(active, query)
    except HabitNotFound:
        archived = [h for h in habits if h.archived]
        try:
            habit = resolve(archived, query)
        except HabitNotFound:
            pass
        else:
            raise HabitNotFound(
                f"'{habit.name}' is archived; bring it back with `connect edit {habit.slug} --restore`."
            ) from None
        raise


class HabitOptions(namedtuple("HabitOptions", "every goal at note template who", defaults=(None,) * 6)):
    """The options `add` and `edit` share, as typed by the user (None: not given; `template` a catalog Template)."""

    __slots__ = ()


def parse_person(text: str, persons: Sequence[str], option: str = "--by") -> str:
    """One of the partners, by name in any case."""
    if not persons:
        raise InvalidInput(f"{option} needs the partners' names first: connect init --partner A --partner B.")
    wanted = text.strip().casefold()
    match = next((p for p in persons if p.casefold() == wanted), None)
    if match is None:
        raise InvalidInput(f"'{text}' is not one of the partners ({', '.join(persons)}).")
    return match


def parse_who(text: str, persons: Sequence[str]) -> str:
    """`together` (either partner's check-in counts), `each` (a row and streak per partner), or a partner."""
    spec = text.strip().lower()
    if spec == "together":
        return "together"
    if spec == "each":
        if not persons:
            raise InvalidInput("--who each needs the partners' names first: connect init --partner A --partner B.")
        return "each"
    try:
        return parse_person(text, persons, "--who")
    except InvalidInput:
        raise InvalidInput(
            f"'{text}' is not a --who; use together, each, or a partner's name"
            + (f" ({', '.join(persons)})." if persons else ".")
        ) from None


def _cadence_and_goal(options: HabitOptions, cadence: Cadence, goal: Goal | None) -> tuple[Cadence, Goal | None]:
    if options.goal is not None:
        goal = None if options.goal.strip().lower() in ("none", "") else parse_goal(options.goal)
    if options.every is not None:
        cadence = parse_cadence(options.every)
        if goal is not None and goal.per == "week":
            raise UsageError("A goal per week sets its own rhythm; leave out --every (or use a goal per day).")
    if goal is not None and goal.per == "week":
        cadence = WEEKLY
    elif goal is not None and cadence.week_based:
        raise InvalidInput(
            "A goal per day needs a day-based cadence: daily, weekdays, weekends, a list of days or every N days."
        )
    return cadence, goal


def new_habit(habits: Sequence[Habit], name: str | None, options: HabitOptions, today: date,
              persons: Sequence[str] = ()) -> Habit:
    """A new habit from a name, a template and options; refuses a name that is taken."""
    template = options.template
    if name is None and template is None:
        raise UsageError("Give the habit a name, or a template with --from.")
    habit_name = parse_name(name if name is not None else template.name)  # type: ignore[union-attr]
    if (existing := find_by_name(habits, habit_name)) is not None:
        state = " (archived)" if existing.archived else ""
        raise DuplicateHabit(f"There is already a habit named '{existing.name}'{state}; choose another name.")
    base_cadence = template.cadence if template else Cadence()
    base_goal = template.goal if template else None
    cadence, goal = _cadence_and_goal(options, base_cadence, base_goal)
    at = options.at if options.at is not None else (template.at if template else ())
    return Habit(
        id=new_id(),
        name=habit_name,
        slug=unique_slug(habit_name, habits),
        cadence=cadence,
        created=today,
        goal=goal,
        at=_times(at),
        template=template.id if template else None,
        prompts=template.prompts if template else (),
        note=parse_note(options.note),
        who=parse_who(options.who, persons) if options.who is not None else "together",
    )


def changed_habit(habits: Sequence[Habit], habit: Habit, options: HabitOptions,
                  rename: str | None = None, restore: bool = False, persons: Sequence[str] = ()) -> Habit:
    """`habit` with the options applied; flags override the template they name."""
    template = options.template
    cadence = template.cadence if template else habit.cadence
    goal = template.goal if template else habit.goal
    cadence, goal = _cadence_and_goal(options, cadence, goal)
    name, slug = habit.name, habit.slug
    if rename is not None:
        name = parse_name(rename)
        other = find_by_name(habits, name)
        if other is not None and other.id != habit.id:
            raise DuplicateHabit(f"There is already a habit named '{other.name}'; choose another name.")
        slug = unique_slug(name, habits, own_id=habit.id)
    at = options.at if options.at is not None else (template.at if template else habit.at)
    return habit._replace(
        name=name,
        slug=slug,
        cadence=cadence,
        goal=goal,
        at=_times(at),
        template=template.id if template else habit.template,
        prompts=template.prompts if template else habit.prompts,
        note=parse_note(options.note) if options.note is not None else habit.note,
        archived=False if restore else habit.archived,
        who=parse_who(options.who, persons) if options.who is not None else habit.who,
    )


def _times(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted({parse_time(v) for v in values}))


# ---------------------------------------------------------------- logging


class DoneOutcome(namedtuple("DoneOutcome", "habit day checkin")):
    """What `done` did: the habit, the day, the new check-in (None when it was already done that day)."""

    __slots__ = ()


def record_done(
    transaction: Transaction,
    query: str,
    day: date,
    now: datetime,
    minutes: int | None = None,
    note: str | None = None,
    source: str = "cli",
    by: str | None = None,
) -> DoneOutcome:
    """Log a habit on `day`: once a day for a check habit, adding up for a minutes habit."""
    snapshot = transaction.snapshot
    habit = resolve_active(snapshot.habits, query)
    if day > now.date():
        raise InvalidInput(f"{day.isoformat()} is in the future; you can only log what has happened.")
    if habit.measured_in_minutes and minutes is None:
        raise InvalidInput(f"'{habit.name}' is measured in minutes; add --minutes N.")
    if habit.who == "each" and by is None and snapshot.persons:
        raise InvalidInput(f"Each of you does '{habit.name}': say who with --by ({', '.join(snapshot.persons)}).")
    # A check habit counts once a day: once for the two of you, or once per partner for `each`.
    if not habit.measured_in_minutes and any(
        c.habit_id == habit.id and c.day == day and (habit.who != "each" or c.by == by) for c in snapshot.checkins
    ):
        return DoneOutcome(habit, day, None)
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
    transaction.add_checkin(checkin)
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
    day_checkins = [(c.logged_at, i, c) for i, c in enumerate(snapshot.checkins)
                    if c.habit_id == habit.id and c.day == day and (habit.who != "each" or by is None or c.by == by)]
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


def skip_days(start: date, end: date) -> list[date]:
    """The days from `start` to `end`, inclusive, within the allowed span."""
    if end < start:
        raise InvalidInput(f"The range ends ({end.isoformat()}) before it starts ({start.isoformat()}).")
    span = (end - start).days + 1
    if span > MAX_SKIP_DAYS:
        raise InvalidInput(f"A skip can cover at most {MAX_SKIP_DAYS} days at once (this range has {span}).")
    return [start + timedelta(days=i) for i in range(span)]


class SkipOutcome(namedtuple("SkipOutcome", "habit added already")):
    """What `skip` did: the habit, the days newly skipped, and those that already were."""

    __slots__ = ()


def record_skips(transaction: Transaction, query: str, days: list[date], reason: str | None) -> SkipOutcome:
    """Mark days as skipped; days already skipped stay as they were."""
    snapshot = transaction.snapshot
    habit = resolve_active(snapshot.habits, query)
    skipped = {s.day for s in snapshot.skips if s.habit_id == habit.id}
    text = parse_note(reason, what="reason")
    new = [Skip(id=new_id(), habit_id=habit.id, day=d, reason=text) for d in days if d not in skipped]
    transaction.add_skips(new)
    snapshot.skips.extend(new)
    return SkipOutcome(habit, [s.day for s in new], [d for d in days if d in skipped])


# ---------------------------------------------------------------- tech-free sessions

MAX_SESSION_MINUTES = 24 * 60


def default_session_habit(habits: Sequence[Habit]) -> Habit:
    """The habit `connect unplug` logs to when none is named: the first with a minutes goal."""
    habit = next((h for h in habits if not h.archived and h.measured_in_minutes), None)
    if habit is None:
        raise InvalidInput(
            "No habit is measured in minutes; add one (connect add \"Tech-free time\" --goal 2h/week) "
            "or name one with --habit."
        )
    return habit


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


def _end_session(transaction: Transaction, session: Session, minutes: int, at: datetime) -> SessionEnd:
    snapshot = transaction.snapshot
    habit = next(h for h in snapshot.habits if h.id == session.habit_id)
    transaction.remove_session(session.id)
    snapshot.sessions.remove(session)
    checkin = None
    if minutes > 0:
        checkin = CheckIn(
            id=session.id,  # the session's own id: logged again after a crash, it is the same record
            habit_id=habit.id,
            day=session.started.date(),
            logged_at=at.replace(tzinfo=None).isoformat(timespec="seconds"),
            minutes=minutes,
            note="tech-free session",
            source="unplug",
        )
        if all(c.id != checkin.id for c in snapshot.checkins):  # not logged already before a crash
            transaction.add_checkin(checkin)
            snapshot.checkins.append(checkin)
    return SessionEnd(session, habit, checkin)


def settle_sessions(transaction: Transaction, now: datetime) -> list[SessionEnd]:
    """Log every session whose time is up, once: removing it and adding its check-in is one write."""
    ended = [s for s in transaction.snapshot.sessions if s.ends <= now]
    return [_end_session(transaction, s, s.minutes, s.ends) for s in ended]


def stop_session(transaction: Transaction, now: datetime) -> SessionEnd:
    """End the running session early, logging the whole minutes so far."""
    if not transaction.snapshot.sessions:
        raise InvalidInput("No tech-free session is running; start one with `connect unplug 90m`.")
    session = transaction.snapshot.sessions[0]
    elapsed = int((now - session.started).total_seconds() // 60)
    return _end_session(transaction, session, max(0, min(elapsed, session.minutes)), now)
