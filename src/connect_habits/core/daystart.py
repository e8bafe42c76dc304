"""When a day begins: `day_starts = "04:00"` in config.toml keeps a late night on the evening before.

Pure rules over a clock reading, like the rest of core. The rule: before `day_starts` on the local clock it
is still the day before, for every command and for the daemon. A wall-clock time of a day (a reminder's
`--at`, the digest, "this evening") belongs to the logical day that holds it: a time before the day start is
the night after that day, on the next calendar date (01:00 of Monday, with the day starting at 04:00, is
Tuesday 01:00 on the clock). With the default, midnight, the logical day is the calendar date.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ..errors import InvalidInput

MIDNIGHT = time(0, 0)
LATEST = time(12, 0)  # a day start after noon would make most of a day its day before
DEFAULT_DAY_STARTS = "00:00"
ONE_DAY = timedelta(days=1)


def parse_day_starts(text: str) -> time:
    """`04:00` (HH:MM on a 24-hour clock, from 00:00 to 12:00) → time(4, 0)."""
    value = str(text).strip()
    hours, colon, minutes = value.partition(":")
    if (
        colon
        and 1 <= len(hours) <= 2
        and len(minutes) == 2
        and (hours + minutes).isascii()
        and (hours + minutes).isdigit()
        and int(hours) < 24
        and int(minutes) < 60
    ):
        moment = time(int(hours), int(minutes))
        if moment <= LATEST:
            return moment
        raise InvalidInput(
            f"day_starts = '{text}' is after noon; a day can start from 00:00 (midnight) to 12:00, like 04:00."
        )
    raise InvalidInput(f"day_starts = '{text}' is not a time like 04:00 (HH:MM, from 00:00 to 12:00).")


def logical_day(now: datetime, day_starts: time) -> date:
    """The day `now` belongs to: before `day_starts` on the clock, the day before.

    `now` is local wall-clock time, naive or aware. In a daylight-saving change the clock's own reading
    counts: a day start skipped by a spring-forward gap comes with the first time after the gap, and one
    in an autumn's repeated hour comes at its first pass, and does not go away on the second (that takes an
    aware `now`, or a naive one whose `fold` is 0).
    """
    day = now.date()
    if now.time() >= day_starts:
        return day
    if now.fold and now.tzinfo is not None and _shown_twice(day, day_starts, now):
        return day  # the second pass of a repeated hour the day start is in: the first pass began the day
    return day - ONE_DAY


def wall_date(day: date, at: str | time, day_starts: time) -> date:
    """The calendar date on which the clock shows `at` (HH:MM) of the logical day `day`."""
    moment = at if isinstance(at, time) else time.fromisoformat(at)
    return day + ONE_DAY if moment < day_starts else day


def day_order(at: str, day_starts: time) -> tuple[bool, str]:
    """A sort key for the HH:MM times of one logical day: from its start on, then the night after it."""
    return (at < f"{day_starts:%H:%M}", at)


def _shown_twice(day: date, moment: time, now: datetime) -> bool:
    """Whether the clock shows `moment` twice on `day` in `now`'s zone (a fall-back change)."""
    first = datetime.combine(day, moment, tzinfo=now.tzinfo)
    before, after = first.utcoffset(), first.replace(fold=1).utcoffset()
    return before is not None and after is not None and before > after
