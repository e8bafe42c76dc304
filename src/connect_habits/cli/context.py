"""What every command works with: where the files are, the couple's settings, the store, and who is at the keyboard."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from .. import clock
from ..storage.paths import resolve_paths
from .output import echo, warn_once

TYPE_CHECKING = False  # typing's flag without importing typing: type checkers read it by name
if TYPE_CHECKING:
    from datetime import date, datetime

    from ..core.model import Snapshot
    from ..storage.config import Config
    from ..storage.paths import Paths
    from ..storage.private import PrivateNotes
    from ..storage.store import Store
    from ..storage.transaction import Transaction


class Context:
    """One command's view of this home: its paths, config and store, read once."""

    def __init__(self, paths: Paths, config: Config, store: Store):
        self.paths = paths
        self.config = config
        self.store = store

    @classmethod
    def from_environment(cls) -> Context:
        """The home `$CONNECT_HOME` (or the XDG folders) names, with its config and store."""
        from ..storage.config import load_config
        from ..storage.store import Store

        paths = resolve_paths()
        config = load_config(paths.config_file)
        if "sync_waiting_devices" in config.extra:  # a key made here: the other device may have taken it now
            from ..storage.rekey import settle_keys

            config, said = settle_keys(paths, config)
            for line in said:
                echo(line, err=True)
        return cls(paths, config, Store(paths, config))

    def today(self, now: datetime | None = None) -> date:
        """The day it is for connect: the local date, or the day before until the config's `day_starts`.

        Every command asks this (not the calendar): at 00:30 with `day_starts = "04:00"` it is still the
        evening before. `now`: the clock reading the command already took (clock.now()).
        """
        from ..core.daystart import logical_day

        moment = clock.now() if now is None else now
        if moment.fold:  # the clock's second pass of a repeated hour: whether the day began takes the zone
            moment = clock.now_aware()
        return logical_day(moment, self.config.day_starts)

    @contextlib.contextmanager
    def transaction(self, since=None, select=None, private=True) -> Iterator[Transaction]:
        """A store transaction that first logs any tech-free session whose time is up.

        `since`: the first day the command looks at (None: the whole history); see `load`. `private`:
        the snapshot shows this machine's private words (storage/private.py; the transaction never
        writes them into the data files); False spares a command that shows no notes reading them.
        """
        from ..storage.actions import settle_sessions

        with self.store.transaction(since, self.today() if since is not None else None, select) as tx:
            warn(tx.snapshot)
            if tx.snapshot.sessions:  # the time zone's rules load only when a session may have ended
                settle_sessions(tx, clock.now_aware(), self.config.day_starts)
            if private:
                from ..storage.private import overlay

                overlay(tx.snapshot, tx.private.notes)
            yield tx

    def load(self, since=None, select=None, as_of=None, private=True) -> Snapshot:
        """The store, with ended tech-free sessions logged first (once), and this machine's private words.

        With `since`, the check-ins and skips from that day on and each habit's fold: streaks, strength
        and best runs stay whole. `as_of`, the earliest day whose standing the command shows, lets the
        store read the whole history when the folds come too late for it. Without `since`, all.
        `private`: lay this machine's private words over the records (False: the records as stored).
        """
        store = self.store
        today = self.today() if since is not None else None
        since = store.reading_from(since, today, as_of)
        snapshot = store.load(since, today, select)
        if snapshot.sessions and any(session.ends <= clock.now_aware() for session in snapshot.sessions):
            with self.transaction(since, select, private) as tx:
                pass
            if not tx.folds_outdated:
                return tx.snapshot
            snapshot = store.load(since, today, select)  # a session begun in a month the folds sum up
        else:
            warn(snapshot)
        if private:
            from ..storage.private import overlay

            overlay(snapshot, self.private_notes().notes)
        return snapshot

    def private_notes(self) -> PrivateNotes:
        """This machine's private notes (storage/private.py), as they are now (read without the lock)."""
        from ..storage.private import PrivateNotes

        return PrivateNotes.read(self.paths.data_dir)


def warn(snapshot) -> None:
    """Say which shared files could not be read this time (they are read again next time)."""
    for warning in getattr(snapshot, "warnings", ()):
        warn_once(warning)


def only(name: str):
    """A store `select` for the habit `name` names (all habits when it names none: the command then says why)."""
    from ..core.habits import resolve_active
    from ..errors import ConnectError

    def select(habits) -> set[str] | None:
        try:
            return {resolve_active(habits, name).id}
        except ConnectError:
            return None

    return select
