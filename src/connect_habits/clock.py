"""The one place that reads the clock and the time zone; everything else takes `today`/`now`."""

from __future__ import annotations

import os
import time
from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache

from .errors import InvalidInput

# Tests and demos can pin the clock for a whole process: CONNECT_NOW=2026-11-26T09:30
CLOCK_VARIABLE = "CONNECT_NOW"


def _pinned() -> datetime | None:
    pinned = os.environ.get(CLOCK_VARIABLE)
    if not pinned:
        return None
    try:
        moment = datetime.fromisoformat(pinned)
    except ValueError:
        raise InvalidInput(f"{CLOCK_VARIABLE}={pinned!r} is not an ISO date and time.") from None
    if not 1900 <= moment.year <= 2999:  # the range every date connect takes lies in
        raise InvalidInput(f"{CLOCK_VARIABLE}={pinned!r} is outside the years 1900 to 2999.")
    return moment


def now() -> datetime:
    """The current local wall-clock time, naive, or the time pinned by `CONNECT_NOW`."""
    pinned = _pinned()
    if pinned is not None:
        return pinned.astimezone(local_zone()).replace(tzinfo=None) if pinned.tzinfo else pinned
    return datetime.now()


def now_aware() -> datetime:
    """The current instant in the local time zone (with its daylight-saving rules)."""
    pinned = _pinned()
    if pinned is not None:
        return pinned.astimezone(local_zone()) if pinned.tzinfo else pinned.replace(tzinfo=local_zone())
    return datetime.now(local_zone())


def today() -> date:
    """Today's local date."""
    return now().date()


@lru_cache(maxsize=1)
def local_zone() -> tzinfo:
    """The local time zone with its DST rules, as the C library sees it: `$TZ`, else /etc/localtime.

    A zone name or file becomes a ZoneInfo (which the calendar export can name); a POSIX rule
    (`CET-1CEST,M3.5.0,M10.5.0/3`) or anything else only the C library understands is asked of it.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    setting = os.environ.get("TZ")
    if setting is None:
        try:
            with open("/etc/localtime", "rb") as handle:
                return ZoneInfo.from_file(handle, key="localtime")
        except (OSError, ValueError):
            return LibcZone()
    name = setting.lstrip(":")
    try:
        if name.startswith("/"):
            with open(name, "rb") as handle:
                return ZoneInfo.from_file(handle, key=name.split("/zoneinfo/", 1)[-1] if "/zoneinfo/" in name else None)
        if name:
            return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    return LibcZone()


_EPOCH = datetime(1970, 1, 1)
_DAY = 86400


class LibcZone(tzinfo):
    """The local zone exactly as the C library computes it, for a `TZ` Python's zone data cannot read."""

    def _instants(self, wall: datetime) -> list[float]:
        """The POSIX times whose local time is `wall`: one, two in a repeated hour, none in a skipped one."""
        as_utc = (wall.replace(tzinfo=None) - _EPOCH).total_seconds()
        offsets = {time.localtime(as_utc + shift).tm_gmtoff for shift in (-_DAY, 0, _DAY)}
        return sorted(as_utc - o for o in offsets if time.localtime(as_utc - o).tm_gmtoff == o)

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        if dt is None:
            return None
        as_utc = (dt.replace(tzinfo=None) - _EPOCH).total_seconds()
        instants = self._instants(dt)
        if not instants:  # skipped by a change: the offset from before it, as PEP 495 has it
            return timedelta(seconds=time.localtime(as_utc - _DAY).tm_gmtoff)
        return timedelta(seconds=as_utc - instants[min(dt.fold, len(instants) - 1)])

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        if dt is None:
            return time.strftime("%Z")
        instants = self._instants(dt) or [(dt.replace(tzinfo=None) - _EPOCH).total_seconds()]
        return time.strftime("%Z", time.localtime(instants[min(dt.fold, len(instants) - 1)]))

    def fromutc(self, dt: datetime) -> datetime:
        stamp = (dt.replace(tzinfo=None) - _EPOCH).total_seconds()
        wall = dt.replace(tzinfo=None) + timedelta(seconds=time.localtime(stamp).tm_gmtoff)
        fold = int(bool(self._instants(wall)) and self._instants(wall)[0] < stamp)
        return wall.replace(tzinfo=self, fold=fold)

    def __repr__(self) -> str:
        return f"LibcZone({os.environ.get('TZ', '')!r})"


def zone_disagreement(moment: float | None = None) -> str | None:
    """Why Python's zone data and the C library disagree about the local time now, or None when they agree."""
    stamp = time.time() if moment is None else moment
    zone = local_zone()
    ours = datetime.fromtimestamp(stamp, zone).utcoffset()
    theirs = timedelta(seconds=time.localtime(stamp).tm_gmtoff)
    if ours == theirs:
        return None
    return (
        f"the C library puts local time at UTC{_offset(theirs)} but the zone data at UTC{_offset(ours)} "
        f"(TZ={os.environ.get('TZ', '(unset)')}); connect follows the zone data"
    )


def _offset(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta(0)).total_seconds() // 60)
    sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
