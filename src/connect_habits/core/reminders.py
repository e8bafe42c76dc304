"""When a reminder is due: pure rules over habits, history and a clock reading.

The daemon and `connect remind` share these functions. `now` is always an aware
datetime in the local zone; reminder times are local wall-clock times. A day is the logical
day of core/daystart.py: with `day_starts = "04:00"`, a reminder at 01:00 is the night after its
day (the next date on the clock), and what it looks at (done, due, skipped) is that day's.
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from ..errors import InvalidInput
from .cadence import day_met, in_span, is_due, period_days, period_start, rolling_met
from .daystart import MIDNIGHT, logical_day, parse_day_starts, wall_date
from .history import History
from .model import WEEKDAY_NAMES, Habit, parse_duration, parse_time
from .streaks import week_result

DEFAULT_GRACE = timedelta(hours=2)
DEFAULT_SUMMARY = "sun 19:00"
SNOOZE = timedelta(minutes=15)


# ---------------------------------------------------------------- settings


# The records here are namedtuples, not dataclasses: importing dataclasses (and inspect with it) cost about
# 8 ms in every command that reads a reminder setting (remind, add --at, edit).


class QuietHours(namedtuple("QuietHours", "start end")):
    """A daily window without notifications (times `start` to `end`); it may cross midnight (22:30-07:30)."""

    __slots__ = ()

    def __contains__(self, moment: object) -> bool:
        assert isinstance(moment, time)
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


class ReminderSettings(
    namedtuple(
        "ReminderSettings",
        "quiet summary_weekday summary_at grace first_weekday notify partner digest_at evening_at day_starts",
        defaults=(None, 6, "19:00", DEFAULT_GRACE, 0, True, "messages", None, "20:00", MIDNIGHT),
    )
):
    """The daemon's options from the config file.

    `notify`: `notifications = false` sends nothing (what falls due meanwhile is let go); `partner`:
    `partner_notifications`, all, messages or off (core/rituals.py); `digest_at`: one notification with
    all that is left, instead of one per habit; `evening_at`: when a reminder snoozed until "this evening"
    comes back; `day_starts`: before it, it is still the day before (core/daystart.py).
    """

    __slots__ = ()

    def today(self, now: datetime) -> date:
        """The day it is at `now`: the day before its date until `day_starts`."""
        return logical_day(now, self.day_starts)

    def instant(self, day: date, hhmm: str, zone: tzinfo) -> datetime:
        """When the wall-clock time `hhmm` of the day `day` comes: before `day_starts`, on the next date."""
        return wall_instant(wall_date(day, hhmm, self.day_starts), hhmm, zone)


def parse_quiet_hours(text: str) -> QuietHours | None:
    """`22:30-07:30` (may cross midnight); an empty text means none."""
    if not text.strip():
        return None
    match = re.fullmatch(r"\s*(\S+)\s*-\s*(\S+)\s*", text)
    if not match:
        raise InvalidInput(f"quiet_hours = '{text}' is not a window like 22:30-07:30.")
    start, end = (time.fromisoformat(parse_time(part)) for part in match.groups())
    return None if start == end else QuietHours(start, end)


def parse_summary_at(text: str) -> tuple[int, str]:
    """`sun 19:00` → (6, "19:00")."""
    parts = text.strip().lower().split()
    if len(parts) != 2 or parts[0][:3] not in WEEKDAY_NAMES:
        raise InvalidInput(f"summary_at = '{text}' is not a day and time like 'sun 19:00'.")
    return WEEKDAY_NAMES.index(parts[0][:3]), parse_time(parts[1])


def settings_from_config(
    values: Mapping[str, object], first_weekday: int = 0, problems: list[str] | None = None
) -> ReminderSettings:
    """Read `quiet_hours`, `summary_at`, `grace` and `notifications` from the config's values.

    With a `problems` list, a bad value falls back to its default and its message is added
    there (the daemon keeps reminding); without one, it raises InvalidInput.
    """

    def read(key: str, parse, default):
        try:
            return parse(str(values.get(key, default)))
        except InvalidInput as error:
            if problems is None:
                raise
            problems.append(error.message)
            return parse(default)

    quiet = read("quiet_hours", parse_quiet_hours, "")
    weekday, at = read("summary_at", parse_summary_at, DEFAULT_SUMMARY)
    grace = timedelta(minutes=read("grace", parse_duration, "2h"))
    notify = read("notifications", parse_switch, "true")
    from .rituals import parse_partner_notifications

    partner = read("partner_notifications", parse_partner_notifications, "messages")
    digest = read("digest_at", parse_digest_at, "")
    evening = read("evening_at", parse_evening_at, "20:00")
    starts = read("day_starts", parse_day_starts, "00:00")
    return ReminderSettings(quiet, weekday, at, grace, first_weekday, notify, partner, digest, evening, starts)


def parse_evening_at(text: str) -> str:
    """`20:00`: when "this evening" is, for a snoozed reminder."""
    try:
        return parse_time(text)
    except InvalidInput:
        raise InvalidInput(f"evening_at = '{text}' is not a time like 20:00.") from None


def parse_digest_at(text: str) -> str | None:
    """`19:00`: the time of the day's one reminder; empty, none or off: a reminder per habit at its own times."""
    value = text.strip().lower()
    if value in ("", "none", "off"):
        return None
    try:
        return parse_time(value)
    except InvalidInput:
        raise InvalidInput(f"digest_at = '{text}' is not a time like 19:00 (or off).") from None


def parse_switch(text: str) -> bool:
    """on/off, true/false, yes/no (any case)."""
    value = {"on": True, "true": True, "yes": True, "off": False, "false": False, "no": False}.get(text.strip().lower())
    if value is None:
        raise InvalidInput(f"notifications = '{text}' is not on or off.")
    return value


# ---------------------------------------------------------------- wall-clock times


def wall_instant(day: date, hhmm: str, zone: tzinfo) -> datetime:
    """The instant `hhmm` happens on `day` in `zone`.

    On a spring-forward day a time in the gap happens at the first valid time after
    it (02:30 → 03:00); on a fall-back day a repeated time happens at its first occurrence.
    """
    wall = datetime.combine(day, time.fromisoformat(hhmm))
    candidate = wall
    for _ in range(24 * 60):
        aware = candidate.replace(tzinfo=zone, fold=0)
        if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == candidate:
            return aware
        candidate += timedelta(minutes=1)  # inside a gap: walk to its end
    return wall.replace(tzinfo=zone)


class Slot:
    """One reminder: a habit's time on a day, and the instant it falls on (equal by value, like a tuple)."""

    __slots__ = ("habit_id", "day", "at", "instant")

    def __init__(self, habit_id: str, day: date, at: str, instant: datetime):
        self.habit_id, self.day, self.at, self.instant = habit_id, day, at, instant

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for cls in type(self).__mro__ for name in getattr(cls, "__slots__", ()))

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._values()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self._values()!r}"

    @property
    def key(self) -> str:
        return f"{self.habit_id}/{self.day.isoformat()}/{self.at}"


def slots_on(habits: Iterable[Habit], day: date, zone: tzinfo, day_starts: time = MIDNIGHT) -> list[Slot]:
    """Every reminder time of every active habit on the day `day` (within its span: a challenge's), in time
    order (those before `day_starts` the night after it)."""
    slots = [
        Slot(h.id, day, at, wall_instant(wall_date(day, at, day_starts), at, zone))
        for h in habits
        if not h.archived and in_span(h, day)
        for at in h.at
    ]
    return sorted(slots, key=lambda s: (s.instant, s.habit_id))


# ---------------------------------------------------------------- the rules


def needs_reminder(habit: Habit, history: History, day: date, first_weekday: int = 0, asked: bool = False) -> bool:
    """Whether `habit` is due on `day` and not yet met, skipped or archived (never before its start or after
    its end).

    `asked`: a reminder the user asked for (a snooze) comes whenever the habit is still open that day,
    also on a day the rules would not remind on (a 3/week habit on a Monday, a window already kept)."""
    if habit.archived or day in history.skipped or day < habit.created or not in_span(habit, day):
        return False
    if habit.remind_on and not habit.week_based and not asked and day.weekday() not in habit.remind_on:
        return False  # a day-based habit reminds only on the days chosen (Loop's reminder days)
    if habit.limit is not None:  # a nudge while it is kept; nothing once it has been passed
        if habit.week_based:
            return week_result(habit, history, period_start(habit, day, first_weekday)).met
        return is_due(habit, day) and day_met(habit, history.count.get(day, 0), history.minutes.get(day, 0))
    if habit.cadence.rolling:  # only when the window would fall short without today
        return not history.logged(day) and (asked or not rolling_met(habit, history, day))
    if habit.week_based:
        start = period_start(habit, day, first_weekday)
        result = week_result(habit, history, start)
        if history.logged(day) or result.met:
            return False
        if asked:
            return True
        if habit.remind_on:
            return day.weekday() in habit.remind_on  # the days the couple chose
        if habit.measured:
            return True  # how many minutes a day can hold is the couple's to say: every day until it is met
        # A count a period: only once it can no longer be met without this day (3/week, none done: Friday).
        left = [d for d in period_days(habit, start) if d >= day and d not in history.skipped and in_span(habit, d)]
        return result.target - result.amount >= len(left)
    if not is_due(habit, day):
        return False
    return not day_met(habit, history.count.get(day, 0), history.minutes.get(day, 0))


def one_click(habit: Habit, history: History, day: date, me: str | None, couple: bool) -> int | None:
    """What a Done button on `habit`'s reminder would log: 0 for a check, N minutes for a daily minutes
    goal (what is left of it), or None when one click cannot say enough (a weekly minutes goal; a habit
    each of you does, on a device that does not know whose it is)."""
    if habit.who == "each" and couple and me is None:
        return None
    if not habit.measured:
        return 0
    if habit.goal is None or habit.goal.per != "day":  # a limit, too: one click cannot say how much
        return None
    left = habit.goal.minutes - history.minutes.get(day, 0)
    return left if left > 0 else None


def reminder_view(
    habits: Iterable[Habit], checkins, skips, me: str | None, folds: dict | None = None, since: date | None = None
) -> tuple[list[Habit], dict[str, History]]:
    """The habits this device reminds of, with the histories that decide it (and give its streaks).

    On a shared log each device reminds its own person: of a habit each partner does when
    that person has not done it; of a habit that is one partner's only on that partner's
    device; of a habit done together when nobody has done it.
    """
    from .history import build_histories

    checkins, skips = list(checkins), list(skips)
    mine = [h for h in habits if me is None or h.who in ("together", "each", me)]
    histories = build_histories(checkins, skips, folds, since)
    if me is not None:
        own = build_histories([c for c in checkins if c.by == me], skips)
        for habit in mine:
            if habit.who == "each":
                histories[habit.id] = own[habit.id]
                fold = (folds or {}).get((habit.id, me))
                if fold is not None:
                    histories[habit.id].attach(fold, since)
    return mine, histories


def is_quiet(now: datetime, settings: ReminderSettings) -> bool:
    """Whether `now` falls in the quiet hours."""
    return settings.quiet is not None and now.time().replace(tzinfo=None) in settings.quiet


def quiet_end(moment: datetime, settings: ReminderSettings) -> datetime:
    """When the quiet hours around `moment` end (`moment` itself when it is not quiet)."""
    if not is_quiet(moment, settings):
        return moment
    end = settings.quiet.end
    day = moment.date() if moment.time().replace(tzinfo=None) < end else moment.date() + timedelta(days=1)
    return wall_instant(day, f"{end:%H:%M}", moment.tzinfo)  # type: ignore[arg-type]


class Decision(namedtuple("Decision", "send drop")):
    """What to do at one moment: reminders to send now, and missed ones to drop for good."""

    __slots__ = ()


def reminders_due(
    habits: Iterable[Habit],
    histories: Mapping[str, History],
    now: datetime,
    sent: Iterable[str],
    settings: ReminderSettings,
) -> Decision:
    """The reminders to send at `now`: due, unmet, not sent yet, and less than `grace` late.

    Never a backlog: a habit with several missed times gets one reminder, for the latest.
    """
    habits = [h for h in habits if not h.archived]
    by_id = {h.id: h for h in habits}
    already = set(sent)
    today = settings.today(now)
    latest: dict[str, Slot] = {}
    drop: list[Slot] = []
    for day in (today - timedelta(days=1), today):
        for slot in slots_on(habits, day, now.tzinfo, settings.day_starts):  # type: ignore[arg-type]
            if slot.key in already or slot.instant > now:
                continue
            late = now - slot.instant
            habit = by_id[slot.habit_id]
            if late >= settings.grace or not needs_reminder(
                habit, histories[habit.id], slot.day, settings.first_weekday
            ):
                continue
            if slot.habit_id in latest:
                drop.append(latest[slot.habit_id])
            latest[slot.habit_id] = slot
    if not settings.notify:
        return Decision([], drop + list(latest.values()))
    if is_quiet(now, settings):
        return Decision([], drop)
    return Decision(sorted(latest.values(), key=lambda s: s.instant), drop)


def same_minute(slots: Sequence[Slot]) -> list[list[Slot]]:
    """The reminders to send, those of one minute together: they arrive as one notification naming each."""
    groups: dict[datetime, list[Slot]] = {}
    for slot in sorted(slots, key=lambda s: (s.instant, s.habit_id)):
        groups.setdefault(slot.instant.replace(second=0, microsecond=0), []).append(slot)
    return list(groups.values())


def digest_due(now: datetime, sent: Iterable[str], settings: ReminderSettings) -> str | None:
    """The key of today's digest to send at `now`: its time has come, less than `grace` ago, not sent yet."""
    if settings.digest_at is None or not settings.notify:
        return None
    today = settings.today(now)
    key = f"digest/{today.isoformat()}"
    at = settings.instant(today, settings.digest_at, now.tzinfo)  # type: ignore[arg-type]
    if key in set(sent) or now < at or now - at >= settings.grace:
        return None
    return key


def summary_due(now: datetime, sent: Iterable[str], settings: ReminderSettings) -> str | None:
    """The key of the weekly summary to send at `now`, if one is due and less than `grace` late."""
    if not settings.notify:
        return None
    already = set(sent)
    for back in range(7):
        day = settings.today(now) - timedelta(days=back)
        if day.weekday() != settings.summary_weekday:
            continue
        instant = settings.instant(day, settings.summary_at, now.tzinfo)  # type: ignore[arg-type]
        key = f"summary/{day.isoformat()}"
        if instant <= now < instant + settings.grace and key not in already and not is_quiet(now, settings):
            return key
    return None


def upcoming(
    habits: Iterable[Habit],
    histories: Mapping[str, History],
    now: datetime,
    settings: ReminderSettings,
    days: int = 2,
) -> list[tuple[Slot, str, datetime]]:
    """Reminders still to come over `days` days: each with `will_fire` or why it will not (`done`,
    `not_due`, `skipped`, `quiet_hours`, `notifications_off`), and when it would go out (after quiet
    hours, if within grace)."""
    habits = [h for h in habits if not h.archived]
    by_id = {h.id: h for h in habits}
    result = []
    for offset in range(days):
        day = settings.today(now) + timedelta(days=offset)
        for slot in slots_on(habits, day, now.tzinfo, settings.day_starts):  # type: ignore[arg-type]
            if slot.instant <= now:
                continue
            habit = by_id[slot.habit_id]
            fires = quiet_end(slot.instant, settings)
            outlook = _outlook(habit, histories[habit.id], slot, fires, settings)
            result.append(
                (slot, "notifications_off" if outlook == "will_fire" and not settings.notify else outlook, fires)
            )
    return result


def _outlook(habit: Habit, history: History, slot: Slot, fires: datetime, settings: ReminderSettings) -> str:
    if needs_reminder(habit, history, slot.day, settings.first_weekday):
        return "will_fire" if fires - slot.instant < settings.grace else "quiet_hours"
    if habit.limit is not None and slot.day not in history.skipped and in_span(habit, slot.day):
        return "over"  # passed: nothing to remind of
    if slot.day in history.skipped:
        return "skipped"
    if history.logged(slot.day):
        return "done"
    if habit.week_based and week_result(habit, history, period_start(habit, slot.day, settings.first_weekday)).met:
        return "done"
    return "not_due"  # not one of its days, or a week that does not need this day yet
