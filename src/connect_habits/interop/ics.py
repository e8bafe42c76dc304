"""iCalendar: each habit's reminder times as recurring events, in the local time zone (`connect export --format ics`).

`icalendar` loads inside `export_ics` only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from ..core.cadence import next_due
from ..core.daystart import MIDNIGHT, wall_date
from ..core.model import ALL_DAYS, Habit, Snapshot

_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def zone_key(zone: tzinfo) -> str | None:
    """The IANA name of a zone (`Europe/Berlin`), or None when it has none.

    A zone read from /etc/localtime is named `localtime`; its real name is where the link points.
    """
    from zoneinfo import ZoneInfo

    key = getattr(zone, "key", None)
    if key == "localtime":
        key = _system_zone_name()
    if not isinstance(key, str) or not key:
        return None
    try:
        ZoneInfo(key)
    except (ValueError, OSError, LookupError):
        return None
    return key


def _system_zone_name() -> str | None:
    """The name of the zone in /etc/localtime: where the link points, or (a copy) what /etc/timezone says."""
    import os

    target = os.path.realpath("/etc/localtime")
    if "/zoneinfo/" in target:
        return target.split("/zoneinfo/", 1)[1]
    try:
        with open("/etc/timezone", encoding="utf-8") as handle:
            name = handle.read().strip()
        with open("/etc/localtime", "rb") as copy, open(f"/usr/share/zoneinfo/{name}", "rb") as named:
            return name if name and copy.read() == named.read() else None
    except (OSError, ValueError):
        return None


def recurrence(habit: Habit) -> dict:
    """The RRULE of a habit's reminders.

    Day-based cadences map one to one: daily → FREQ=DAILY; a list of days, weekdays and
    weekends → FREQ=WEEKLY;BYDAY=…; every N days → FREQ=DAILY;INTERVAL=N (from its anchor day); a
    weekday of the month → FREQ=MONTHLY;BYDAY=1SA (or -1SU for the last). Habits counted per
    period (N/week, weekly, a goal per week, N/month) have no fixed days: a calendar cannot know
    when the target is met, so they recur daily; `N in M days` recurs every M/N days, the even
    spread that keeps every window.
    """
    cadence = habit.cadence
    if habit.week_based:
        return {"FREQ": "DAILY"}
    if cadence.nth:  # first sat → the first Saturday of every month; last sun → -1SU
        return {"FREQ": "MONTHLY", "BYDAY": [f"{cadence.nth}{_BYDAY[min(cadence.weekdays)]}"]}
    if cadence.rolling:  # N in M days: every M/N days is the even spread that keeps every window
        return {"FREQ": "DAILY", "INTERVAL": max(1, cadence.rolling[1] // cadence.rolling[0])}
    if cadence.interval:
        return {"FREQ": "DAILY", "INTERVAL": cadence.interval}
    if cadence.weekdays == ALL_DAYS:
        return {"FREQ": "DAILY"}
    return {"FREQ": "WEEKLY", "BYDAY": [_BYDAY[d] for d in sorted(cadence.weekdays)]}


def first_reminder_day(habit: Habit, today: date) -> date:
    """The first day on or after today (or the habit's creation, or its start) that the recurrence holds, so
    DTSTART is in it. For a habit whose end (a challenge's) comes before it: a day after that end."""
    anchor = habit.starts or habit.created
    start = max(today, habit.created, anchor)
    cadence = habit.cadence
    if habit.week_based or cadence.rolling:
        return start
    if cadence.nth:  # its next day, or (past a challenge's end) the day after that end
        return next_due(habit, start) or start
    if cadence.interval:
        return start + timedelta(days=-(start - anchor).days % cadence.interval)
    days = (start + timedelta(days=i) for i in range(7))
    return next(day for day in days if day.weekday() in cadence.weekdays)


def _description(habit: Habit) -> str:
    from ..core.words import rhythm_text

    lines = [habit.prompts[0]] if habit.prompts else []
    lines.append(f"{habit.name} ({rhythm_text(habit)}). When it is done: connect done {habit.slug}")
    return "\n".join(lines)


def export_ics(
    snapshot: Snapshot, zone: tzinfo, today: date, stamp: datetime | None = None, day_starts: time = MIDNIGHT
) -> str:
    """The active habits' reminder times as recurring events with an alarm each (RFC 5545).

    One VEVENT per habit and reminder time, at that local time in the zone: TZID (the zone's
    IANA name) with its VTIMEZONE; in UTC itself, UTC times. A zone without an IANA name (a POSIX
    `TZ` rule, a copied /etc/localtime) gets floating local times, which a calendar shows at that
    wall-clock time wherever it is: never times anchored in UTC, which a DST change would shift.
    UIDs are stable (`<habit id>-<HHMM>@connect`), so importing a newer export updates the
    events instead of doubling them. `stamp` (DTSTAMP) defaults to the start of `today`. A time before
    `day_starts` is the night after its day (core/daystart.py): on the next date, and the next weekday.
    """
    from icalendar import Alarm, Calendar, Event

    key = zone_key(zone)
    local = zone
    if key is not None:
        from zoneinfo import ZoneInfo

        local = ZoneInfo(key)
    when = (stamp or datetime.combine(today, time(0), tzinfo=zone)).astimezone(UTC)
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
        if habit.ends is not None and day > habit.ends:
            continue  # a finished challenge (or one with no due day left) has no reminders to come
        first_day = min(first_day or day, day)
        for at in habit.at:
            start = datetime.combine(wall_date(day, at, day_starts), time.fromisoformat(at), tzinfo=local)
            rule = recurrence(habit)
            if start.date() != day and "BYDAY" in rule and set(rule["BYDAY"]) <= set(_BYDAY):  # plain weekdays
                rule = {**rule, "BYDAY": [_BYDAY[(_BYDAY.index(d) + 1) % 7] for d in rule["BYDAY"]]}
            if habit.ends is not None:  # its last reminder: on the end day (UTC when the start has a zone, RFC 5545)
                last = datetime.combine(wall_date(habit.ends, at, day_starts), time.fromisoformat(at), tzinfo=local)
                rule["UNTIL"] = last.astimezone(UTC) if key is not None else last.replace(tzinfo=None)
            event = Event()
            event.add("uid", f"{habit.id}-{at.replace(':', '')}@connect")
            event.add("dtstamp", when)
            event.add("dtstart", start if key is not None else start.replace(tzinfo=None))
            event.add("rrule", rule)
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
        for component in calendar.walk("VTIMEZONE"):
            _fix_onsets(component, local)
    return calendar.to_ical().decode("utf-8")


def _fix_onsets(timezone, zone: tzinfo) -> None:
    """Write each change of offset at the local time it happens by the clock before it (RFC 5545 3.6.5).

    icalendar writes a spring-forward onset at the hour after the gap (03:00 instead of 02:00 in Berlin).
    """
    for part in timezone.subcomponents:
        if "TZOFFSETFROM" not in part or "DTSTART" not in part:
            continue
        before, after = part["TZOFFSETFROM"].td, part["TZOFFSETTO"].td
        if before == after:
            continue
        onsets = [part.decoded("DTSTART")]
        rdates = part.pop("RDATE", None)
        for rdate in rdates if isinstance(rdates, list) else [rdates] if rdates else []:
            onsets += [period.dt for period in rdate.dts]
        fixed = [_onset(wall, zone, before, after) for wall in onsets]
        part.pop("DTSTART")
        part.add("dtstart", fixed[0])
        if len(fixed) > 1:
            part.add("rdate", fixed[1:])


def _onset(wall: datetime, zone: tzinfo, before: timedelta, after: timedelta) -> datetime:
    """The local time, by the clock before it, at which `zone` changes from `before` to `after` near `wall`."""
    wall = wall.replace(tzinfo=None)
    low = (wall - before - timedelta(hours=6)).replace(tzinfo=UTC)
    high = low + timedelta(hours=12)
    if low.astimezone(zone).utcoffset() != before or high.astimezone(zone).utcoffset() != after:
        return wall
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    change = high.replace(second=0, microsecond=0)
    return (change + before).replace(tzinfo=None)
