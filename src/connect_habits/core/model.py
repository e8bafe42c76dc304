"""The domain's data (habits, check-ins, skips) and the parsing of what users type."""

from __future__ import annotations

import os
import re
import unicodedata
from collections import namedtuple
from datetime import date, datetime, timedelta

from ..errors import InvalidInput
from .text import BIDI, HIDDEN, NAME_MAX, NOTE_MAX, parse_name, parse_note, slugify  # noqa: F401 (their home was here)

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_ALIASES = {
    **{name: i for i, name in enumerate(WEEKDAY_NAMES)},
    **{name: i for i, name in enumerate(_FULL_DAY_NAMES)},
    **{"tues": 1, "weds": 2, "thur": 3, "thurs": 3},
}
ALL_DAYS = frozenset(range(7))
WEEKDAYS = frozenset(range(5))
WEEKENDS = frozenset((5, 6))


def new_id() -> str:
    """A new, globally unique record id."""
    return os.urandom(16).hex()  # 128 random bits, as uuid4 (whose module costs an import of `platform`)


# Records are namedtuple classes, not dataclasses: every command creates these classes at start-up,
# and `dataclasses` costs about 10 ms to import plus 0.6 ms a class.


class Cadence(
    namedtuple("Cadence", "weekdays per_week interval per_month nth rolling", defaults=(ALL_DAYS, 0, 0, 0, 0, ()))
):
    """How often a habit is due: on certain weekdays (a frozenset of 0-6), N times a week, every N days,
    N days a month (`per_month`), on the `nth` of its weekday in each month (1 to 4, or -1 for the last;
    `weekdays` holds that one weekday), or N times in any M days (`rolling` = (N, M))."""

    __slots__ = ()

    @property
    def week_based(self) -> bool:
        """Counted per period (a week, or a month for N/month) rather than per due day."""
        return self.per_week > 0 or self.per_month > 0

    def __str__(self) -> str:
        if self.per_week:
            return "weekly" if self.per_week == 1 else f"{self.per_week}/week"
        if self.per_month:
            return f"{self.per_month}/month"
        if self.rolling:
            return f"{self.rolling[0]} in {self.rolling[1]} days"
        if self.nth:
            return f"{ORDINALS[self.nth]} {WEEKDAY_NAMES[min(self.weekdays)]}"
        if self.interval:
            return f"every {self.interval} days"
        if self.weekdays == ALL_DAYS:
            return "daily"
        if self.weekdays == WEEKDAYS:
            return "weekdays"
        if self.weekdays == WEEKENDS:
            return "weekends"
        return ",".join(WEEKDAY_NAMES[d] for d in sorted(self.weekdays))


ORDINALS = {1: "first", 2: "2nd", 3: "3rd", 4: "4th", -1: "last"}
_ORDINAL_WORDS = {**{v: k for k, v in ORDINALS.items()}, "1st": 1, "second": 2, "third": 3, "fourth": 4}
DAILY = Cadence()
WEEKLY = Cadence(weekdays=frozenset(), per_week=1)
MONTHLY = Cadence(weekdays=frozenset(), per_month=1)


class Goal(namedtuple("Goal", "minutes per unit", defaults=("",))):
    """An amount per "day", "week" or "month" (`per`) to reach, or as a limit not to pass: `minutes` is the amount,
    in minutes when `unit` is empty, else in `unit` (compliments, pages; it may have decimals: 2.5 km)."""

    __slots__ = ()

    def __str__(self) -> str:
        if self.unit:
            return f"{self.minutes} {self.unit}/{self.per}"
        hours, minutes = divmod(self.minutes, 60)
        amount = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
        return f"{amount}/{self.per}"

    def as_dict(self) -> dict:
        if self.unit:
            return {"amount": self.minutes, "unit": self.unit, "per": self.per}
        return {"minutes": self.minutes, "per": self.per}


class Habit(
    namedtuple(
        "Habit",
        "id name slug cadence created goal at template prompts note archived who aka remind_on repeat limit starts ends "
        "group position",
        defaults=(None, (), None, (), "", False, "together", (), (), 0, None, None, None, "", 0),
    )
):
    """A ritual the couple wants to repeat. `at` holds reminder times ("HH:MM"), `prompts` the template's questions, `goal` a Goal or None;
    `who` is "together" (either partner's check-in counts), "each", or one partner's name; `aka` the
    names and slugs it had before a rename (the change records hold them); `remind_on` the weekdays (0 is
    Monday) a week-based habit reminds on, `repeat` the minutes between a reminder's repeats (0: none);
    `limit` a Goal not to pass (at most 1h/day of screens), in place of a goal; `starts` and `ends` the first
    and last day it counts (None: from its creation, and open-ended), a challenge's span (core/challenges.py);
    `group` the heading it is shown under ("": none), `position` its place in the order (core/order.py)."""

    __slots__ = ()

    @property
    def week_based(self) -> bool:
        """Counted per period (N/week, weekly, N/month, per-week goals and limits) rather than per due day."""
        return self.cadence.week_based or (self.measure is not None and self.measure.per in ("week", "month"))

    @property
    def measure(self) -> Goal | None:
        """What is measured: the goal, or the limit (None for a habit that is simply done)."""
        return self.goal if self.goal is not None else self.limit

    @property
    def measured(self) -> bool:
        """Logged as an amount (minutes, or the goal's unit) rather than done once a day."""
        return self.measure is not None

    def as_dict(self) -> dict:
        """Plain data: the stored record and the public JSON (`connect list --json`) alike."""
        return {
            "id": self.id,
            "name": self.name,
            "slug": self.slug,
            "cadence": str(self.cadence),
            "goal": self.goal.as_dict() if self.goal else None,
            "at": list(self.at),
            "archived": self.archived,
            "created": self.created.isoformat(),
            "template": self.template,
            "prompts": list(self.prompts),
            "note": self.note,
            "who": self.who,
            "remind_on": [WEEKDAY_NAMES[d] for d in self.remind_on],
            "repeat": self.repeat or None,
            "limit": self.limit.as_dict() if self.limit else None,
            "starts": self.starts.isoformat() if self.starts else None,
            "ends": self.ends.isoformat() if self.ends else None,
            "group": self.group or None,
            "position": self.position,
        }


class CheckIn(
    namedtuple("CheckIn", "id habit_id day logged_at minutes note source by", defaults=(None, "", "cli", None))
):
    """One logged occurrence of a habit on a day (`minutes` for a minutes habit, `by` the partner)."""

    __slots__ = ()


class Ritual(namedtuple("Ritual", "id kind day by fields", defaults=(None, {}))):
    """A moment of a ritual for two (core/rituals.py): a weekly check-in ("talk"), an answer to the day's
    question, a message or a thank-you, or a note that a message was seen. `fields` holds the rest."""

    __slots__ = ()


class Skip(namedtuple("Skip", "id habit_id day reason", defaults=("",))):
    """A day a habit is deliberately set aside: it neither counts nor breaks a streak."""

    __slots__ = ()


class Session(namedtuple("Session", "id habit_id started minutes")):
    """A running tech-free session (`connect unplug`, `started` aware): logged as minutes when it ends."""

    __slots__ = ()

    @property
    def ends(self) -> datetime:
        return self.started + timedelta(minutes=self.minutes)


def partner_id(name: str) -> str:
    """The id a partner gets when first named `name`."""
    return "p:" + unicodedata.normalize("NFC", name).strip().casefold()


class Device(namedtuple("Device", "id partner last_change forgotten", defaults=(None, None, False))):
    """A device that writes to the shared log: its id, its partner's id (None: both use it), when it last wrote."""

    __slots__ = ()


class Couple:
    """The partners (id -> name, in the order they were named), aliases of merged ghosts, and the devices."""

    __slots__ = ("id", "names", "aliases", "devices")

    def __init__(
        self,
        couple_id: str | None = None,
        names: dict[str, str] | None = None,
        aliases: dict[str, str] | None = None,
        devices: list[Device] | None = None,
    ):
        self.id = couple_id
        self.names = {} if names is None else names
        self.aliases = {} if aliases is None else aliases
        self.devices = [] if devices is None else devices

    @property
    def ids(self) -> list[str]:
        return list(self.names)

    def resolve(self, person: str | None) -> str | None:
        """The partner a stored id stands for: itself, the one a ghost was merged into, or the id of an old name."""
        if person is None or person in self.names:
            return person
        seen = set()
        while person in self.aliases and person not in seen:
            seen.add(person)
            person = self.aliases[person]
        if person in self.names:
            return person
        legacy = partner_id(person)  # files written before partners had ids hold names
        return self.resolve(legacy) if legacy != person and (legacy in self.names or legacy in self.aliases) else person

    def name(self, person: str | None) -> str:
        """A partner's name for people (an unknown id as it is)."""
        if person is None:
            return ""
        return self.names.get(person, person[2:] if person.startswith("p:") else person)


class Snapshot:
    """Everything the core needs: habits, check-ins, skips and running sessions, as plain data.

    `persons` are the partners' ids, in the order they were named; `warnings` name files
    that could not be read this time (a shared file still syncing, say). A snapshot of the
    recent months only has `since` (the first day its check-ins and skips cover) and `folds`
    (core/folds.py: every habit's scans up to there).
    """

    __slots__ = (
        "habits",
        "checkins",
        "skips",
        "sessions",
        "persons",
        "warnings",
        "since",
        "folds",
        "couple",
        "me",
        "purged",
        "rituals",
    )

    def __init__(
        self,
        habits: list[Habit] | None = None,
        checkins: list[CheckIn] | None = None,
        skips: list[Skip] | None = None,
        sessions: list[Session] | None = None,
        persons: list[str] | None = None,
        warnings: list[str] | None = None,
        since: date | None = None,
        folds: dict | None = None,
    ) -> None:
        self.habits = [] if habits is None else habits
        self.checkins = [] if checkins is None else checkins
        self.skips = [] if skips is None else skips
        self.sessions = [] if sessions is None else sessions
        self.persons = [] if persons is None else persons
        self.warnings = [] if warnings is None else warnings
        self.since = since
        self.folds = {} if folds is None else folds
        self.couple: Couple | None = None  # the partners' names, aliases and devices (set by the store)
        self.me: str | None = None  # the id of the partner who uses this device (None: both do, or nobody said)
        self.purged: set[str] = set()  # habits deleted for good (`remove --purge`), on any device
        self.rituals: list[Ritual] = []  # check-ins for two, answers, messages (of the months read), by day

    @property
    def names(self) -> dict[str, str]:
        """Each partner's name, by id, in the order they were named."""
        return self.couple.names if self.couple is not None else {}


# ---------------------------------------------------------------- parsing user text


def parse_cadence(text: str) -> Cadence:
    """Parse `daily`, `weekdays`, `weekends`, `mon,wed,fri`, `3/week`, `weekly`, `every N days`, `2/month`,
    `2 in 3 days` or `first sat` / `2nd fri` / `last sun` (a pattern only where its words are: 0.2 ms each)."""
    spec = " ".join(text.strip().lower().split())
    if spec in ("daily", "every day", "each day"):
        return DAILY
    if spec == "weekdays":
        return Cadence(weekdays=WEEKDAYS)
    if spec == "weekends":
        return Cadence(weekdays=WEEKENDS)
    if spec == "weekly":
        return WEEKLY
    if spec.endswith("week") and (match := re.fullmatch(r"([0-9]{1,6})\s*(?:/|x|times?\s+(?:a|per))\s*week", spec)):
        times = int(match[1])
        if not 1 <= times <= 7:
            raise InvalidInput(f"'{text}' asks for {times} days a week; use 1 to 7.")
        return Cadence(weekdays=frozenset(), per_week=times)
    if spec == "every other day":
        return Cadence(weekdays=frozenset(), interval=2)
    if spec.startswith("every ") and (match := re.fullmatch(r"every ([0-9]{1,6}) days?", spec)):
        interval = int(match[1])
        if not 1 <= interval <= 365:
            raise InvalidInput(f"'{text}' is not a usable interval; use every 1 to 365 days.")
        return DAILY if interval == 1 else Cadence(weekdays=frozenset(), interval=interval)
    if spec.endswith("month") and (match := re.fullmatch(r"([0-9]{1,6})\s*(?:/|x|times?\s+(?:a|per))\s*month", spec)):
        times = int(match[1])
        if not 1 <= times <= 28:
            raise InvalidInput(f"'{text}' asks for {times} days a month; use 1 to 28.")
        return Cadence(weekdays=frozenset(), per_month=times)
    if " in " in spec and (match := re.fullmatch(r"([0-9]{1,6}) (?:times? )?in ([0-9]{1,6}) days?", spec)):
        times, days = int(match[1]), int(match[2])
        if not 1 <= times <= days <= 365:
            raise InvalidInput(f"'{text}' is not a usable window; use N in M days with 1 <= N <= M <= 365.")
        return DAILY if times == days else Cadence(weekdays=frozenset(), rolling=(times, days))
    if spec.partition(" ")[0] in _ORDINAL_WORDS and (match := re.fullmatch(r"(\S+) (\S+?)(?: of the month)?", spec)):
        if match[2] in DAY_ALIASES:
            return Cadence(weekdays=frozenset([DAY_ALIASES[match[2]]]), nth=_ORDINAL_WORDS[match[1]])
    parts = [p.strip() for p in spec.replace(" ", ",").split(",") if p.strip()]
    if parts and all(p in DAY_ALIASES for p in parts):
        return Cadence(weekdays=frozenset(DAY_ALIASES[p] for p in parts))
    raise InvalidInput(
        f"'{text}' is not a cadence; use daily, weekdays, weekends, a list like mon,wed,fri, 3/week, weekly, "
        "'every 3 days', 2/month, '2 in 3 days' or a weekday of the month like 'first sat' or 'last sun'."
    )


def parse_duration(text: str) -> int:
    """Minutes from `90m`, `2h`, `1h30m` or a bare number of minutes."""
    spec = text.strip().lower().replace(" ", "")
    match = re.fullmatch(r"(?:([0-9]{1,6})h)?(?:([0-9]{1,7})(?:m|min|mins|minutes?)?)?", spec)
    if not spec or not match or not (match[1] or match[2]):
        raise InvalidInput(f"'{text}' is not a duration; use minutes and hours like 45m, 2h or 1h30m.")
    minutes = int(match[1] or 0) * 60 + int(match[2] or 0)
    if minutes <= 0:
        raise InvalidInput(f"'{text}' is not a positive duration.")
    return minutes


def parse_goal(text: str, what: str = "goal") -> Goal:
    """Parse an amount per day, week or month: minutes (`30m/day`, `2h/week`, `10h/month`) or a number of
    anything (`3 compliments/day`, `20 pages/week`, `2.5 km/day`)."""
    spec = " ".join(text.strip().split())
    head, slash, unit = spec.rpartition("/")
    period = _PERIODS.get(unit.strip().lower())
    counted = " " in head and re.fullmatch(r"([0-9]{1,6}(?:\.[0-9]{1,3})?) ([^\W\d][\w .'-]{0,39})", head.strip())
    if slash and period and counted and counted[2].strip().lower() not in _TIME_UNITS:
        number = float(counted[1])
        amount = int(number) if number.is_integer() else number
        if not 0 < amount <= 100_000:
            raise InvalidInput(f"'{text}' asks for {amount}; use more than 0 and at most 100000 a {period}.")
        return Goal(minutes=amount, per=period, unit=counted[2].strip())
    compact = head.lower().replace(" ", "")
    if not slash or period is None or not re.fullmatch(r"([0-9]+h)?([0-9]+m(in|ins|inutes?)?)?", compact or "-"):
        raise InvalidInput(
            f"'{text}' is not a {what}; use minutes or a number of something per day, week or month, like 30m/day, "
            "2h/week or '3 compliments/day'."
        )
    minutes = parse_duration(compact)
    if minutes > 24 * 60 * {"day": 1, "week": 7, "month": 31}[period]:
        raise InvalidInput(f"'{text}' is more minutes than a {period} has.")
    return Goal(minutes=minutes, per=period)


_TIME_UNITS = {"m", "min", "mins", "minute", "minutes", "h", "hour", "hours"}
_PERIODS = {"d": "day", "day": "day", "w": "week", "week": "week", "month": "month", "mo": "month"}


def parse_time(text: str) -> str:
    """A reminder time `HH:MM` (24-hour clock), returned zero-padded."""
    spec = text.strip()
    stored = len(spec) == 5 and spec.isascii() and spec[2] == ":" and (spec[:2] + spec[3:]).isdigit()
    if stored and spec[:2] < "24" and spec[3] < "6":  # HH:MM as stored: no pattern to compile
        return spec
    match = re.fullmatch(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", spec)
    if not match:
        raise InvalidInput(f"'{text}' is not a time; use HH:MM on a 24-hour clock, like 19:00.")
    return f"{int(match[1]):02d}:{match[2]}"


def parse_date(text: str, today: date) -> date:
    """A date from `YYYY-MM-DD`, `today`, `yesterday`, `tomorrow`, a weekday (`wed`: the last one, today
    included), `N days ago`, or `last` / `last week` (a week ago)."""
    spec = " ".join(text.strip().lower().split())
    if spec == "today":
        return today
    if spec in ("yesterday", "tomorrow"):  # tomorrow: a skip planned ahead; a check-in is told it is the future
        return today + timedelta(days=1 if spec == "tomorrow" else -1)
    if spec in ("last", "last week"):
        return today - timedelta(days=7)
    for number, name in enumerate(_FULL_DAY_NAMES):
        if spec in (name, name[:3]):
            return today - timedelta(days=(today.weekday() - number) % 7)
    ago = spec.endswith(" ago") and re.fullmatch(r"([0-9]{1,4}) days? ago", spec)
    if ago:
        return parse_date((today - timedelta(days=int(ago[1]))).isoformat(), today)
    if len(spec) == 10 and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", spec):
        try:
            value = date.fromisoformat(spec)
        except ValueError:
            raise InvalidInput(f"'{text}' is not a real date.") from None
        if not 1900 <= value.year <= 2999:  # far from the calendar's ends, where week arithmetic overflows
            raise InvalidInput(f"'{text}' is too far in the past or future; use a year from 1900 to 2999.")
        return value
    raise InvalidInput(
        f"'{text}' is not a date; use YYYY-MM-DD, today, yesterday, tomorrow, a weekday (wed) or N days ago."
    )
