"""What every import shares: the summary of what it did, the records already present, names that fit in, sorted output."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..core.model import NAME_MAX, CheckIn, Habit, Skip
from ..core.names import Taken


@dataclass
class ImportSummary:
    """What an import added (and what it found already there), for the summary line."""

    habits: int = 0
    checkins: int = 0
    skips: int = 0
    already: int = 0  # habits whose id was already here, left as they are
    restored: bool = False  # an empty home restored from a backup (its settings come along)
    config: dict | None = None  # the backup's settings, to apply when `restored`
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (name in the file, name here)

    @property
    def nothing_new(self) -> bool:
        return not (self.habits or self.checkins or self.skips)


def sorted_checkins(checkins: Sequence[CheckIn]) -> list[CheckIn]:
    return sorted(checkins, key=lambda c: (c.day, c.logged_at, c.id))


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


def add_checkins(transaction, checkins: list[CheckIn]) -> None:
    """Add check-ins in one go where the store can (one insert each costs time in the table's size)."""
    bulk = getattr(transaction, "add_checkins", None)
    if bulk is not None:
        bulk(checkins)
    else:
        for checkin in checkins:
            transaction.add_checkin(checkin)
    transaction.snapshot.checkins.extend(checkins)


def fit_in(habit: Habit, taken: Taken, label: str, summary: ImportSummary) -> Habit:
    """`habit` with a name and slug of its own among the `taken` (" (label)", then " (label 2)"… when taken)."""
    name = taken.free_name(habit.name, label, NAME_MAX)
    if name != habit.name:
        summary.renamed.append((habit.name, name))
    fitted = habit._replace(name=name, slug=taken.free_slug(name))
    taken.add(fitted)
    return fitted
