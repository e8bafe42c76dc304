"""A past stretch of the history, read from a fold at its first month: `connect week --date` long ago.

Shared homes too: the partner's files are read as the store reads them (opened with the key), and a
folder holding anything only the whole read handles (a conflict copy, a file to put back) is read whole.

The summary cache (cache.py) keeps folds at the first of last month and of this month: a week long
past is before them, and its streaks would need every month before it. So the folds at past points
are kept too, in a cache of their own (`summary-past.json`, beside the summary cache, so the everyday
commands never read it): every fold made for a past week, and one at the first of every quarter the
making passed. Each holds while the month files before it are unchanged, as the summary cache's do.
A past week then reads its months, and a quarter's at most before them, and of the forty-odd folds
kept at ten years it decodes only its own (each is a line of the file, cachefile.py).
"""

from __future__ import annotations

from datetime import date, timedelta

from ..core.folds import month_start
from ..core.model import Snapshot
from .cache import SummaryCache
from .layout import month_of

PAST_CACHE_FILE = "summary-past.json"
MARKS = 3  # a fold kept at the first of every third month on the way: January, April, July, October


def load_past(store, first: date, last: date, select=None) -> Snapshot | None:
    """The check-ins and skips from the first of `first`'s month to the end of `last`'s, with every habit's fold there.

    None when the summaries are switched off, or a shared folder holds what only the whole read handles
    (a conflict copy, an own file older than this machine wrote it or damaged): the caller then reads
    everything, and puts back what needs it.
    """
    from .otherfiles import read_conflict_copies
    from .store import _WentBack

    if not store.summaries:
        return None
    at = month_start(first)
    try:
        own_files, others, warnings, listing = store.device_files()
        folder = store.layout.folder
        if folder is not None and read_conflict_copies(folder, listing, list(warnings)):
            return None
        keep = select(store._habits_of(own_files, others)) if select is not None else None
        reading = store.read_months(
            own_files, others, month_of(at), warnings, last_month=month_of(last), keep=keep, sliced=True
        )
    except _WentBack:
        return None
    cache = SummaryCache(store.paths.data_dir / PAST_CACHE_FILE, store.first_weekday, store.read_months)
    after = (at + timedelta(days=31)).replace(day=1)  # the "today" whose fold point is `at`
    try:
        return cache.attach(reading, own_files, others, at, after, warnings, marks=MARKS).snapshot
    except _WentBack:  # a month before it, older than this machine wrote it: the whole read puts it back
        return None
