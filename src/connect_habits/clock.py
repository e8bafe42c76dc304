"""The one place that reads the clock and the time zone; everything else takes `today`/`now`."""

from __future__ import annotations

import os
from datetime import date, datetime, tzinfo
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
    """The local time zone with its DST rules: `$TZ`, else /etc/localtime, else the current fixed offset."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    key = os.environ.get("TZ", "").lstrip(":")
    if key:
        try:
            return ZoneInfo(key)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    try:
        with open("/etc/localtime", "rb") as handle:
            return ZoneInfo.from_file(handle, key="localtime")
    except (OSError, ValueError):
        return datetime.now().astimezone().tzinfo  # type: ignore[return-value]
