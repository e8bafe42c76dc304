"""A reminder's second life: its repeats (`--repeat 30m`) and snoozes (15 min, 1 hour, this evening).

Pure rules, like core/reminders.py: the daemon keeps what was sent and what is owed, these functions
decide from it. A repeat's key is its reminder's key with `/repeat/N`, so it is sent once, whatever restarts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta

from ..errors import InvalidInput
from .daystart import MIDNIGHT
from .history import History
from .model import Habit, parse_duration, parse_time
from .reminders import Decision, ReminderSettings, Slot, is_quiet, needs_reminder, slots_on, wall_instant

REPEATS = 4  # a reminder comes again at most this many times
EVENING_LEAD = timedelta(minutes=30)  # "this evening" is offered until this long before the evening


class Repeat(Slot):
    """A reminder sent again: the `number`th repeat of the reminder at `at` on `day`."""

    __slots__ = ("number",)

    def __init__(self, habit_id: str, day: date, at: str, instant: datetime, number: int = 1):
        super().__init__(habit_id, day, at, instant)
        self.number = number

    @property
    def key(self) -> str:
        return f"{super().key}/repeat/{self.number}"


def repeats_due(
    habits: Iterable[Habit],
    histories: Mapping[str, History],
    now: datetime,
    sent: Mapping[str, str],
    settings: ReminderSettings,
    held: Mapping[str, datetime] | None = None,
) -> Decision:
    """The repeats to send at `now`: every `habit.repeat` minutes after its reminder went out, while it is
    still due and not done or skipped, at most REPEATS times, and only on its day. Quiet hours end them;
    a snooze holds them (those that fall within it are dropped); a missed repeat is dropped, never sent late."""
    send: list[Slot] = []
    drop: list[Slot] = []
    if not settings.notify or settings.digest_at is not None:
        return Decision(send, drop)  # the digest is the day's one reminder: nothing repeats it
    for habit in habits:
        reminder = _last_reminder(habit, now, sent, settings)
        if reminder is None or not needs_reminder(habit, histories[habit.id], reminder.day, settings.first_weekday):
            continue
        slot, went_out = reminder, _instant(sent[reminder.key], now)
        interval = timedelta(minutes=habit.repeat)
        quiet_from = _quiet_start_after(went_out, settings)
        owed = []
        for number in range(1, REPEATS + 1):
            instant = went_out + interval * number
            repeat = Repeat(slot.habit_id, slot.day, slot.at, instant, number)
            if instant > now or repeat.key in sent:
                continue
            if settings.today(instant) != slot.day or (quiet_from is not None and instant >= quiet_from):
                continue  # its day is over, or quiet hours came: the repeats end there
            owed.append(repeat)
        if not owed:
            continue
        latest = owed[-1]
        on_hold = held is not None and habit.id in held and held[habit.id] > now
        if on_hold or now - latest.instant >= min(interval, settings.grace) or is_quiet(now, settings):
            drop += owed
        else:
            drop += owed[:-1]
            send.append(latest)
    return Decision(sorted(send, key=lambda s: s.instant), drop)


def repeat_times(
    habits: Iterable[Habit], now: datetime, sent: Mapping[str, str], settings: ReminderSettings | None = None
) -> list[datetime]:
    """When the daemon must wake for a repeat today (the rules above decide whether it goes out)."""
    times = []
    for habit in habits:
        reminder = _last_reminder(habit, now, sent, settings or ReminderSettings())
        if reminder is not None:
            went_out = _instant(sent[reminder.key], now)
            times += [went_out + timedelta(minutes=habit.repeat) * n for n in range(1, REPEATS + 1)]
    return times


def ended_by_snooze(habit: Habit, day: date, until: datetime, day_starts: time = MIDNIGHT) -> list[str]:
    """The repeat keys a snooze until `until` ends: those of the habit's reminders of `day` before then (the
    snoozed reminder comes back once, with its own Snooze)."""
    return [
        Repeat(slot.habit_id, slot.day, slot.at, slot.instant, number).key
        for slot in slots_on([habit], day, until.tzinfo, day_starts)  # type: ignore[arg-type]
        if slot.instant < until
        for number in range(1, REPEATS + 1)
    ]


def hold(decision: Decision, held: Mapping[str, datetime], now: datetime) -> Decision:
    """The reminders to send at `now`, less those of a habit snoozed until later (dropped: the snooze
    sends its own)."""
    waiting = [slot for slot in decision.send if held.get(slot.habit_id, now) > now]
    return Decision([s for s in decision.send if s not in waiting], decision.drop + waiting)


def snooze_until(text: str, now: datetime, settings: ReminderSettings) -> datetime:
    """When a snooze of `text` ends: a duration (`15m`, `1h`), `evening` (`evening_at`) or a time (`21:30`);
    always later today (the day of `day_starts`: with a later day start, 01:00 is the night after the evening)."""
    spec = " ".join(text.strip().lower().split())
    today = settings.today(now)
    if spec in ("evening", "this evening", "tonight"):
        until = settings.instant(today, settings.evening_at, now.tzinfo)  # type: ignore[arg-type]
        what = f"the evening ({settings.evening_at})"
    elif re.fullmatch(r"[0-9]{1,2}:[0-9]{2}", spec):
        until = settings.instant(today, parse_time(spec), now.tzinfo)  # type: ignore[arg-type]
        what = spec
    else:
        try:
            until = now + timedelta(minutes=parse_duration(spec))
        except InvalidInput:
            raise InvalidInput(
                f"'{text}' is not a snooze; use a duration like 15m or 1h, a time, or evening."
            ) from None
        what = f"{until:%H:%M}"
    if until <= now:
        raise InvalidInput(f"{what[0].upper()}{what[1:]} has already passed today; snooze until later.")
    if settings.today(until) != today:
        raise InvalidInput(f"A snooze lasts until the end of the day at most; {text} from now is tomorrow.")
    return until


def evening_offered(now: datetime, settings: ReminderSettings) -> bool:
    """Whether a reminder at `now` offers "this evening": only while the evening is still some way off."""
    evening = settings.instant(settings.today(now), settings.evening_at, now.tzinfo)  # type: ignore[arg-type]
    return now + EVENING_LEAD <= evening


def snooze_key(habit_id: str, day: date, until: datetime) -> str:
    """The key of a snooze: one per habit, day and end, so a snooze is taken up once."""
    return f"{habit_id}/{day.isoformat()}/snooze/{until:%H%M%S}"


def _last_reminder(habit: Habit, now: datetime, sent: Mapping[str, str], settings: ReminderSettings) -> Slot | None:
    """Today's latest reminder time of a repeating habit that has come, when it went out."""
    if not habit.repeat or habit.archived:
        return None
    today = settings.today(now)
    past = [s for s in slots_on([habit], today, now.tzinfo, settings.day_starts) if s.instant <= now]  # type: ignore[arg-type]
    last = past[-1] if past else None
    return last if last is not None and last.key in sent else None


def _instant(text: str, now: datetime) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return now
    return value if value.tzinfo is not None else value.replace(tzinfo=now.tzinfo)


def _quiet_start_after(moment: datetime, settings: ReminderSettings) -> datetime | None:
    """When quiet hours next begin after `moment` (today or tomorrow), if there are any."""
    if settings.quiet is None:
        return None
    for day in (moment.date(), moment.date() + timedelta(days=1)):
        start = wall_instant(day, f"{settings.quiet.start:%H:%M}", moment.tzinfo)  # type: ignore[arg-type]
        if start > moment:
            return start
    return None
