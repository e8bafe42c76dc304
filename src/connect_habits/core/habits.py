"""Habits as the user describes them: finding the one meant, building a new one, changing one, who does it.

The CLI parses and prints; these functions decide. They take `today` as a parameter.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from ..errors import DuplicateHabit, HabitNotFound, InvalidInput, UsageError
from .couple import find_partner
from .model import (
    DAY_ALIASES,
    MONTHLY,
    WEEKLY,
    Cadence,
    Goal,
    Habit,
    new_id,
    parse_cadence,
    parse_duration,
    parse_goal,
    parse_name,
    parse_note,
    parse_time,
)
from .names import find_by_name, resolve, unique_slug
from .order import joined_position, next_position, parse_group

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


class HabitOptions(
    namedtuple(
        "HabitOptions",
        "every goal at note template who remind_on repeat limit starts until length group",
        defaults=(None, None, None, None, None, None, None, None, None, None, None, None, None),
    )
):
    """The options `add` and `edit` share, as typed by the user (None: not given; `template` a catalog Template;
    `starts`, `until` and `length` a challenge's `--starts`, `--until` and `--for`)."""

    __slots__ = ()


def day_list(text: str) -> frozenset[int] | None:
    """The weekdays (0 is Monday) of a list like `sat,sun` or `sat sun`; None when it is not one."""
    parts = [p.strip() for p in text.strip().lower().replace(" ", ",").split(",") if p.strip()]
    return frozenset(DAY_ALIASES[p] for p in parts) if parts and all(p in DAY_ALIASES for p in parts) else None


def parse_remind_on(text: str) -> tuple[int, ...]:
    """`sat,sun`: the days a week-based habit reminds on; `auto`: only once the week needs that day."""
    spec = text.strip().lower()
    if spec in ("", "auto", "default", "none"):
        return ()
    days = day_list(spec)
    if days is None:
        raise InvalidInput(f"'{text}' is not a list of days like sat,sun (or auto).")
    return tuple(sorted(days))


def parse_repeat(text: str) -> int:
    """`30m`: the minutes between a reminder's repeats (5 minutes to 4 hours); `none` or `off`: no repeats."""
    if text.strip().lower() in ("", "none", "off", "no", "0"):
        return 0
    minutes = parse_duration(text)
    if not 5 <= minutes <= 240:
        raise InvalidInput(f"'{text}' is not a usable --repeat; repeat every 5 minutes to 4 hours (or none).")
    return minutes


def _reminder_rules(habit: Habit, options: HabitOptions) -> Habit:
    """`habit` with the days it reminds on and its repeats as told; what its rhythm or times no longer allow
    is refused when asked for now, dropped when it was set before."""
    remind_on = parse_remind_on(options.remind_on) if options.remind_on is not None else habit.remind_on
    repeat = parse_repeat(options.repeat) if options.repeat is not None else habit.repeat
    if remind_on and not habit.at:
        if options.remind_on is not None:
            raise InvalidInput(
                f"--remind-on says on which days a reminder comes; give '{habit.name}' a time with --at."
            )
        remind_on = ()
    if repeat and not habit.at:
        if options.repeat is not None:
            raise InvalidInput(f"--repeat repeats a reminder; give '{habit.name}' a time with --at as well.")
        repeat = 0
    return habit._replace(remind_on=remind_on, repeat=repeat)


def parse_who(text: str, names: Mapping[str, str]) -> str:
    """`together` (either partner's check-in counts), `each` (a row and streak per partner), or a partner's id."""
    spec = text.strip().lower()
    if spec == "together":
        return "together"
    if spec == "each":
        if not names:
            raise InvalidInput("--who each needs the partners' names first: connect init --partner A --partner B.")
        return "each"
    try:
        return find_partner(names, text, "--who")
    except InvalidInput:
        raise InvalidInput(
            f"'{text}' is not a --who; use together, each, or a partner's name"
            + (f" ({', '.join(names.values())})." if names else ".")
        ) from None


def who_logs(habit: Habit, me: str | None, by: str | None, names: Mapping[str, str]) -> str | None:
    """Whose check-in `done` makes: `by` when given, else this device's partner; one partner's habit is theirs.

    A habit that is one partner's is logged for them on a device both use; on the other partner's
    device it takes `--by`, so nobody logs a check-in as someone else by accident.
    """
    if by is not None:
        return by
    if habit.who not in ("together", "each"):
        if me is not None and me != habit.who:
            owner = names.get(habit.who, habit.who)
            raise InvalidInput(f"'{habit.name}' is {owner}'s habit; to log it for them, add --by {owner}.")
        return habit.who
    return me


def _rhythm(
    options: HabitOptions, cadence: Cadence, goal: Goal | None, limit: Goal | None
) -> tuple[Cadence, Goal | None, Goal | None]:
    """The cadence, goal and limit a habit gets from the options (a habit has a goal or a limit, not both)."""
    if options.goal is not None and options.limit is not None and not _none(options.goal) and not _none(options.limit):
        raise UsageError("A habit has a goal or a limit, not both.")
    if options.goal is not None:
        goal = None if _none(options.goal) else parse_goal(options.goal)
        limit = None if goal is not None else limit
    if options.limit is not None:
        limit = None if _none(options.limit) else parse_goal(options.limit, "limit")
        goal = None if limit is not None else goal
    measure, word = (goal, "goal") if goal is not None else (limit, "limit")
    if options.every is not None:
        cadence = parse_cadence(options.every)
        if measure is not None and measure.per != "day":
            raise UsageError(
                f"A {word} per {measure.per} sets its own rhythm; leave out --every (or use a {word} per day)."
            )
    if measure is not None and measure.per == "week":
        cadence = WEEKLY
    elif measure is not None and measure.per == "month":
        cadence = MONTHLY
    elif measure is not None and (cadence.week_based or cadence.rolling):
        raise InvalidInput(
            f"A {word} per day needs a day-based cadence: daily, weekdays, weekends, a list of days, every N days "
            "or a weekday of the month."
        )
    return cadence, goal, limit


def _none(text: str) -> bool:
    return text.strip().lower() in ("none", "")


def new_habit(
    habits: Sequence[Habit],
    name: str | None,
    options: HabitOptions,
    today: date,
    names: Mapping[str, str] | None = None,
) -> Habit:
    """A new habit from a name, a template and options; refuses a name that is taken."""
    template = options.template
    if name is None and template is None:
        raise UsageError("Give the habit a name, or a template with --from.")
    habit_name = parse_name(name if name is not None else template.name)
    if (existing := find_by_name(habits, habit_name)) is not None:
        state = " (archived)" if existing.archived else ""
        raise DuplicateHabit(f"There is already a habit named '{existing.name}'{state}; choose another name.")
    base_cadence = template.cadence if template else Cadence()
    base_goal = template.goal if template else None
    cadence, goal, limit = _rhythm(options, base_cadence, base_goal, None)
    at = options.at if options.at is not None else (template.at if template else ())
    habit = Habit(
        id=new_id(),
        name=habit_name,
        slug=unique_slug(habit_name, habits),
        cadence=cadence,
        created=today,
        goal=goal,
        limit=limit,
        at=_times(at),
        template=template.id if template else None,
        prompts=template.prompts if template else (),
        note=parse_note(options.note),
        who=parse_who(options.who, names or {}) if options.who is not None else "together",
        group=parse_group(options.group, habits) if options.group is not None else "",
        position=next_position(habits),
    )
    return _reminder_rules(_span(habit, options, today), options)


def changed_habit(
    habits: Sequence[Habit],
    habit: Habit,
    options: HabitOptions,
    rename: str | None = None,
    restore: bool = False,
    names: Mapping[str, str] | None = None,
    today: date | None = None,
) -> Habit:
    """`habit` with the options applied; flags override the template they name (`today` reads --starts and --until)."""
    template = options.template
    cadence = template.cadence if template else habit.cadence
    goal = template.goal if template else habit.goal
    limit = None if template else habit.limit
    cadence, goal, limit = _rhythm(options, cadence, goal, limit)
    name, slug = habit.name, habit.slug
    if rename is not None:
        name = parse_name(rename)
        other = find_by_name(habits, name)
        if other is not None and other.id != habit.id:
            raise DuplicateHabit(f"There is already a habit named '{other.name}'; choose another name.")
        slug = unique_slug(name, habits, own_id=habit.id)
    at = options.at if options.at is not None else (template.at if template else habit.at)
    group = parse_group(options.group, habits) if options.group is not None else habit.group
    changed = habit._replace(
        name=name,
        slug=slug,
        cadence=cadence,
        goal=goal,
        limit=limit,
        at=_times(at),
        template=template.id if template else habit.template,
        prompts=template.prompts if template else habit.prompts,
        note=parse_note(options.note) if options.note is not None else habit.note,
        archived=False if restore else habit.archived,
        who=parse_who(options.who, names or {}) if options.who is not None else habit.who,
        group=group,
        position=joined_position(habits, habit, group),
    )
    return _reminder_rules(_span(changed, options, today or habit.created), options)


def _span(habit: Habit, options: HabitOptions, today: date) -> Habit:
    """The habit with a challenge's start and end, when any option gives them (core/challenges.py)."""
    if options.starts is None and options.until is None and options.length is None:
        return habit
    from .challenges import with_span

    return with_span(habit, options.starts, options.until, options.length, today)


def _times(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted({parse_time(v) for v in values}))


def skip_days(start: date, end: date) -> list[date]:
    """The days from `start` to `end`, inclusive, within the allowed span."""
    if end < start:
        raise InvalidInput(f"The range ends ({end.isoformat()}) before it starts ({start.isoformat()}).")
    span = (end - start).days + 1
    if span > MAX_SKIP_DAYS:
        raise InvalidInput(f"A skip can cover at most {MAX_SKIP_DAYS} days at once (this range has {span}).")
    return [start + timedelta(days=i) for i in range(span)]


# ---------------------------------------------------------------- tech-free sessions


def default_session_habit(habits: Sequence[Habit]) -> Habit:
    """The habit `connect unplug` logs to when none is named: the first with a minutes goal."""
    habit = next((h for h in habits if not h.archived and h.goal is not None and not h.goal.unit), None)
    if habit is None:
        raise InvalidInput(
            'No habit is measured in minutes; add one (connect add "Tech-free time" --goal 2h/week) '
            "or name one with --habit."
        )
    return habit
