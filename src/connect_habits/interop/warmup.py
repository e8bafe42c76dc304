"""The summary cache after an import into an empty private home, its older folds made from the records in memory.

The import has just written every month file. The store makes the folds by reading them back month by month and
resuming every scan at each month's end (storage/cache.py): as slow as the import itself. When the home was
empty and is this machine's alone, the records the import holds are all its history: the fold at the first
of last month is made from them in one scan per habit (the same fold: scans resumed from a fold end where the
whole scan does), and kept in the cache as the store keeps one, with the files' fingerprints taken before.
The store then makes the rest as ever (the fold at the first of this month: one month's reading), so the
cache is the one the files would have given.
"""

from __future__ import annotations

from ..core.folds import fold_point
from ..core.model import CheckIn, Skip, Snapshot
from ..storage.cache import Cache, fold_keys, fold_step, write_cache
from ..storage.fingerprints import fingerprints
from ..storage.layout import month_of


def warm_from_records(store, checkins: list[CheckIn], skips: list[Skip], today) -> bool:
    """Make the summary cache from `checkins` and `skips`, all of a private home's history; False when it cannot."""
    if store.layout.folder is not None or not store.summaries:
        return False
    own_files, others, warnings, _ = store.device_files()
    if others or warnings:
        return False
    at = fold_point(today)
    # Taken before the folds are made, as the store takes them: a file written meanwhile no longer matches.
    prints = fingerprints([own_files], month_of(at), racy=True)
    # This month's reading as every command makes it: the habits, the couple, the partners, from the files.
    snapshot = store.read_months(own_files, others, month_of(today), warnings).snapshot
    if not snapshot.habits:
        return False
    couple = snapshot.couple
    names = couple.names if couple is not None else {}
    live = {h.id for h in snapshot.habits}
    before = []
    for checkin in checkins:
        if checkin.day < at and checkin.habit_id in live:
            if couple is not None and checkin.by is not None and checkin.by not in names:  # as the merge has it
                checkin = checkin._replace(by=couple.resolve(checkin.by))
            before.append(checkin)
    skipped = [s for s in skips if s.day < at and s.habit_id in live]
    step = Snapshot(snapshot.habits, checkins=before, skips=skipped, persons=snapshot.persons)
    folds = fold_step(
        step, fold_keys(snapshot), {}, None, at, store.first_weekday
    )  # the store's own step, from the start
    with_history = {c.habit_id for c in before} | {s.habit_id for s in skipped}
    write_cache(store.cache_path, [Cache(at, prints, with_history, folds, [])])
    store.load(since=today, today=today)  # the fold at the first of this month, from this one: last month's reading
    return True
