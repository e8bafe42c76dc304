"""The one place that reads the clock, so that everything else can take `today`/`now` as a parameter."""

import os
from datetime import date, datetime

from .errors import InvalidInput

# Tests and demos can pin the clock for a whole process: CONNECT_NOW=2026-11-26T09:30
CLOCK_VARIABLE = "CONNECT_NOW"


def now() -> datetime:
    """The current local time, naive, or the time pinned by `CONNECT_NOW`."""
    pinned = os.environ.get(CLOCK_VARIABLE)
    if pinned:
        try:
            return datetime.fromisoformat(pinned).replace(tzinfo=None)
        except ValueError:
            raise InvalidInput(f"{CLOCK_VARIABLE}={pinned!r} is not an ISO date and time.") from None
    return datetime.now()


def today() -> date:
    """Today's local date."""
    return now().date()
