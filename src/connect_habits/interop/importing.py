"""What every import shares: the summary of what it did, the records already present, names that fit in, sorted output,
and telling a progress callback how far the work has got.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import attrgetter

from ..core.model import NAME_MAX, CheckIn, Habit, Skip
from ..core.names import Taken

TYPE_CHECKING = False  # typing's flag without importing typing (a restore's start-up): type checkers read it by name
if TYPE_CHECKING:
    from typing import TypeVar

    _T = TypeVar("_T")

# What long work is told as it goes: `report(done, total, what)`, total None when not known yet (the command
# line's cli/progress.py draws it on a terminal). The long imports and exports take one as `progress=None`.
Report = Callable[[int, int | None, str], None]
# What an import tells before it adds its records, the habits already in the transaction's snapshot:
# `before_adding(summary, checkins, skips)` (the command line starts making the folds then: interop/warmup.py).
BeforeAdding = Callable[["ImportSummary", list[CheckIn], list[Skip]], None]
EVERY = 500  # items between two reports: the calls cost nothing next to the work
CHUNK = 5000  # check-ins added at once when progress is told (each add is one insert per month)


class ImportSummary:
    """What an import added (and what it found already there), for the summary line.

    `already`: habits whose id was already here, left as they are; `restored`: an empty home restored from a
    backup (its settings, `config`, come along); `renamed`: (name in the file, name here); `label`: the
    tracker a foreign import came from ("Loop"); `inexact`: what it could not map exactly; `left_out`: what
    it did not import, and why. (A plain class: the restore's path does without importing dataclasses.)
    """

    __slots__ = (
        "habits",
        "checkins",
        "skips",
        "already",
        "restored",
        "config",
        "renamed",
        "label",
        "inexact",
        "left_out",
    )

    def __init__(
        self,
        restored: bool = False,
        config: dict | None = None,
        label: str = "",
        inexact: list[str] | None = None,
        left_out: list[str] | None = None,
    ) -> None:
        self.habits = self.checkins = self.skips = self.already = 0
        self.restored, self.config, self.label = restored, config, label
        self.renamed: list[tuple[str, str]] = []
        self.inexact = [] if inexact is None else inexact
        self.left_out = [] if left_out is None else left_out

    @property
    def nothing_new(self) -> bool:
        return not (self.habits or self.checkins or self.skips)


class DryRun(Exception):
    """Raised at the end of a --dry-run import, so the transaction writes nothing; carries the summary."""

    def __init__(self, summary: ImportSummary):
        super().__init__("dry run")
        self.summary = summary


SQLITE_MAGIC = b"SQLite format 3\x00"


def is_sqlite(raw: bytes) -> bool:
    """Whether `raw` starts as an SQLite database does (Loop's full backup is one)."""
    return raw[:16] == SQLITE_MAGIC


def is_zip(raw: bytes) -> bool:
    """Whether `raw` starts as a zip file does (Loop's CSV export is one)."""
    return raw[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def sorted_checkins(checkins: Sequence[CheckIn]) -> list[CheckIn]:
    """The check-ins by date, time logged and id (the key taken in C: ten years are sorted for an export)."""
    return sorted(checkins, key=attrgetter("day", "logged_at", "id"))


def sorted_skips(skips: Sequence[Skip]) -> list[Skip]:
    return sorted(skips, key=lambda s: (s.day, s.id))


def known_ids(transaction) -> tuple[set[str], set[str], set[str]]:
    """Habit, check-in and skip ids this home has, including the own file's deleted and undone ones.

    Adding a record whose id was removed here would be hidden by the removal anyway, and would
    add a record on every import: leaving it out keeps a second import a true no-op.
    """
    snapshot, device = transaction.snapshot, transaction.device
    habits = {h.id for h in snapshot.habits} | {c["habit"] for c in device.changes}
    removed = {r["target"] for r in device.removals}
    checkins = {c.id for c in snapshot.checkins} | {c.id for c in device.checkins} | removed
    skips = {s.id for s in snapshot.skips} | {s.id for s in device.skips} | removed
    return habits, checkins, skips


def counting(
    items: Iterable[_T], progress: Report | None, what: str, total: int | None = None, before: int = 0
) -> Iterable[_T]:
    """`items` as they are, telling `progress` every EVERY items how many have gone by (`items` itself without one).

    `before`: how many went by in earlier batches of the same work, so that many small ones are told too.
    """
    return items if progress is None else _counting(items, progress, what, total, before)


def _counting(items: Iterable[_T], progress: Report, what: str, total: int | None, before: int) -> Iterator[_T]:
    for done, item in enumerate(items, start=before):
        if done and done % EVERY == 0:
            progress(done, total, what)
        yield item


def add_checkins(transaction, checkins: list[CheckIn], progress: Report | None = None) -> None:
    """Add check-ins in one go where the store can (one insert each costs time in the table's size).

    With `progress`, in chunks of CHUNK, each told as "check-ins added": the same records, in the same order.
    """
    bulk = getattr(transaction, "add_checkins", None)
    if bulk is None:
        for checkin in counting(checkins, progress, "check-ins added", len(checkins)):
            transaction.add_checkin(checkin)
    elif progress is None:
        bulk(checkins)
    else:
        for start in range(0, len(checkins), CHUNK):
            bulk(checkins[start : start + CHUNK])
            progress(min(start + CHUNK, len(checkins)), len(checkins), "check-ins added")
    transaction.snapshot.checkins.extend(checkins)


def fit_in(habit: Habit, taken: Taken, label: str, summary: ImportSummary) -> Habit:
    """`habit` with a name and slug of its own among the `taken` (" (label)", then " (label 2)"… when taken)."""
    name = taken.free_name(habit.name, label, NAME_MAX)
    if name != habit.name:
        summary.renamed.append((habit.name, name))
    fitted = habit._replace(name=name, slug=taken.free_slug(name))
    taken.add(fitted)
    return fitted
