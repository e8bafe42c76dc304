"""The summary cache after an import into an empty private home, its folds made from the records in memory.

The import has just written every month file. The store makes the folds by reading them back month by month and
resuming every scan at each month's end (storage/cache.py): as slow as the import itself. When the home was
empty and is this machine's alone, the records the import holds are all its history: the fold at the first
of last month is made from them in one scan per habit (the same fold: scans resumed from a fold end where the
whole scan does), the fold at the first of this month from that one and last month's records, and both are
kept in the cache as the store keeps them, with the files' fingerprints taken before: the cache the files
would have given.

Those scans take about as long as adding the records and writing the files (0.15 to 0.3 s each for ten years),
and need nothing the writing makes: a big import starts them in a child process (FoldsAhead) once its habits are
in place, on another core, while this one adds and writes. The child's folds are taken only when what it made
them from (the habits, the partners, the first weekday, the fold point) is what the written files say; otherwise,
or when the child fails, this process makes them as before.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal

from ..core.folds import fold_point, month_start
from ..core.model import CheckIn, Skip, Snapshot
from ..storage.cache import Cache, fold_keys, fold_step, write_cache
from ..storage.fingerprints import fingerprints, month_in
from ..storage.layout import month_of

# Check-ins from which the folds are made in a child process (ten years are 73,000): below, the scans take less
# than the fork and the pages either process then writes to, which the system copies.
HELPER_FROM = 20_000


def warm_from_records(
    store, checkins: list[CheckIn], skips: list[Skip], today, ahead: FoldsAhead | None = None
) -> bool:
    """Make the summary cache from `checkins` and `skips`, all of a private home's history; False when it cannot.

    `ahead`: the folds being made in a child process from the same records (taken when they fit the files).
    """
    if not _warmed_here(store):
        return False
    own_files, others, warnings, _ = store.device_files()
    if others or warnings:
        return False
    at, this_month = fold_point(today), month_start(today)
    # Taken before the folds are made, as the store takes them: a file written meanwhile no longer matches.
    prints = fingerprints([own_files], month_of(this_month), racy=True)
    # This month's reading as every command makes it (keeping its slice, as a command's read does, once the file
    # is old enough): the habits, the couple, the partners, from the files.
    snapshot = store.read_months(own_files, others, month_of(today), warnings, sliced=True).snapshot
    if not snapshot.habits:
        return False
    made = ahead.take(fold_inputs(snapshot, at, store.first_weekday)) if ahead is not None else None
    folds, with_history = made or folds_before(snapshot, checkins, skips, at, store.first_weekday)
    # The fold at the first of this month, from that one and last month's records, as the store makes it.
    step = _records_between(snapshot, checkins, skips, at, this_month)
    recent = fold_step(step, fold_keys(snapshot), folds, at, this_month, store.first_weekday)
    recent_history = with_history | {c.habit_id for c in step.checkins} | {s.habit_id for s in step.skips}
    before_at = {path: print_ for path, print_ in prints.items() if (month_in(path) or "") < month_of(at)}
    write_cache(
        store.cache_path,
        [Cache(this_month, prints, recent_history, recent, []), Cache(at, before_at, with_history, folds, [])],
    )
    return True


def _warmed_here(store) -> bool:
    """Whether an import makes this store's summary cache from its records: a private home that keeps one."""
    return store.layout.folder is None and store.summaries


def fold_inputs(snapshot: Snapshot, at, first_weekday: int) -> tuple:
    """Everything besides the records that the folds at `at` are made from: equal inputs, equal folds."""
    couple = snapshot.couple
    partners = (tuple(couple.names.items()), tuple(couple.aliases.items())) if couple is not None else None
    return at, first_weekday, tuple(snapshot.habits), tuple(snapshot.persons), partners


def folds_before(snapshot: Snapshot, checkins: list[CheckIn], skips: list[Skip], at, first_weekday: int):
    """(the folds at `at` of the snapshot's habits, the habits with history before it), from every record."""
    step = _records_between(snapshot, checkins, skips, None, at)
    folds = fold_step(step, fold_keys(snapshot), {}, None, at, first_weekday)  # the store's own step, from the start
    return folds, {c.habit_id for c in step.checkins} | {s.habit_id for s in step.skips}


def _records_between(snapshot: Snapshot, checkins: list[CheckIn], skips: list[Skip], start, end) -> Snapshot:
    """The snapshot's habits with the records of them from `start` (None: the first) to before `end`, each
    check-in's partner as the merge has it."""
    couple = snapshot.couple
    names = couple.names if couple is not None else {}
    live = {h.id for h in snapshot.habits}
    step = Snapshot(snapshot.habits, persons=snapshot.persons)
    for checkin in checkins:
        if checkin.day < end and (start is None or checkin.day >= start) and checkin.habit_id in live:
            if couple is not None and checkin.by is not None and checkin.by not in names:  # as the merge has it
                checkin = checkin._replace(by=couple.resolve(checkin.by))
            step.checkins.append(checkin)
    step.skips = [s for s in skips if s.day < end and (start is None or s.day >= start) and s.habit_id in live]
    return step


class FoldsAhead:
    """The folds of an import's records, made by a child process while this one adds and writes them.

    A context: whatever happens, the child is stopped and let go at its end.
    """

    def __init__(self) -> None:
        self.pid, self.reader = 0, -1

    def __enter__(self) -> FoldsAhead:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(
        self, store, snapshot: Snapshot, checkins: list[CheckIn], skips: list[Skip], today, first_weekday: int
    ) -> None:
        """Start making the folds of `checkins` and `skips`, all the history of `snapshot`'s habits once written.

        `snapshot`: the transaction's, its habits and partners as the written files will have them. Nothing
        starts where warm_from_records will not take folds (a shared home, no summaries), for a small history
        (not worth a process), or where there is no second core or no fork.
        """
        if not _warmed_here(store) or len(checkins) < HELPER_FROM or not hasattr(os, "fork") or _cores() < 2:
            return
        at = fold_point(today)
        persons = list(snapshot.couple.names) if snapshot.couple is not None else snapshot.persons
        shown = Snapshot(list(snapshot.habits), persons=persons)
        shown.couple = snapshot.couple
        # Ctrl-C waits while the process forks: the child must not take one before it ignores them, and the
        # parent acts on one held meanwhile as soon as it lets it through (its `with` then stops the child).
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            reader, writer = os.pipe()
            try:
                pid = os.fork()
            except OSError:
                os.close(reader)
                os.close(writer)
                return
            if pid == 0:
                code = 1
                try:
                    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is the parent's to act on
                    signal.pthread_sigmask(signal.SIG_SETMASK, held)
                    _close_all_but(writer)  # the store's lock among them: it stays the parent's alone
                    made = folds_before(shown, checkins, skips, at, first_weekday)
                    data = pickle.dumps((fold_inputs(shown, at, first_weekday), made), pickle.HIGHEST_PROTOCOL)
                    view = memoryview(data)
                    while view:
                        view = view[os.write(writer, view) :]
                    code = 0
                finally:
                    os._exit(code)  # never the parent's exit: no atexit, no buffers flushed twice
            os.close(writer)
            self.pid, self.reader = pid, reader
        except OSError:
            return  # no pipe to be had (too many open files): the folds are made here, as without a child
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)

    def take(self, inputs: tuple):
        """The child's (folds, habits with history) when it made them from `inputs`, else None; the child is done."""
        if not self.pid:
            return None
        try:
            chunks = []
            while chunk := os.read(self.reader, 1 << 20):
                chunks.append(chunk)
            _, status = os.waitpid(self.pid, 0)
            self.pid = 0
            if status != 0:
                return None
            made_from, made = pickle.loads(b"".join(chunks))
        except (OSError, pickle.UnpicklingError, EOFError, ValueError):
            return None
        finally:
            self.close()
        return made if made_from == inputs else None

    def close(self) -> None:
        """Stop the child if it still runs, and let it go."""
        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            self.pid = 0
        if self.reader >= 0:
            with contextlib.suppress(OSError):
                os.close(self.reader)
            self.reader = -1


def _cores() -> int:
    """The processors this process may run on (where the system says; else all of them)."""
    if hasattr(os, "sched_getaffinity"):
        with contextlib.suppress(OSError):
            return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _close_all_but(keep: int) -> None:
    """Close every file descriptor of this process but `keep`: those the system lists, else up to its limit."""
    for listing in ("/proc/self/fd", "/dev/fd"):
        try:
            open_now = [int(name) for name in os.listdir(listing)]
        except (OSError, ValueError):
            continue
        for fd in open_now:
            if fd != keep:
                with contextlib.suppress(OSError):  # the listing's own, closed already
                    os.close(fd)
        return
    os.closerange(0, keep)
    os.closerange(keep + 1, 65536)
