"""Merging the files of several devices into one view, the same whatever order they arrived in.

Each device writes only its own file. Habits are built from change records, field by field,
the later change winning (stamp, then device id, then change id: a total order, so every
device decides alike). Check-ins and skips merge by union of their ids; a removal record
(an undo) takes its target out everywhere.
"""

from __future__ import annotations

from collections import namedtuple
from operator import attrgetter

from ..core.model import Habit, Snapshot
from .records import RecordError, habit_from_fields


class DeviceData(
    namedtuple(
        "DeviceData",
        "path device person changes checkins skips removals sessions",
        defaults=(None, (), (), (), (), ()),
    )
):
    """What one device's file holds.

    `changes` are habit change records {"id", "habit", "stamp", "fields"}, `removals` undo records
    {"id", "target", "stamp"}; `checkins`, `skips` and `sessions` are model records.
    """

    __slots__ = ()

    @property
    def max_stamp(self) -> int:
        return max([c["stamp"] for c in self.changes] + [r["stamp"] for r in self.removals], default=0)


def change_order(change: dict, device: str) -> tuple:
    return (change["stamp"], device, change["id"])


def merge(
    devices: list[DeviceData], own_device: str | None = None, partners: tuple[str, ...] = (), strict: bool = False
) -> Snapshot:
    """One snapshot from all devices' data; sessions are the own device's only.

    `strict` (a device alone, nothing shared): a habit whose fields do not add up is damage,
    raised as RecordError, not a habit whose creation has yet to arrive from another device.
    """
    devices = sorted(devices, key=lambda d: d.device)  # the same order on every device
    ordered = sorted(((change_order(c, d.device), c) for d in devices for c in d.changes), key=lambda item: item[0])
    fields: dict[str, dict] = {}
    first: dict[str, tuple] = {}
    for order, change in ordered:
        fields.setdefault(change["habit"], {}).update(change["fields"])
        first.setdefault(change["habit"], order)
    habits: list[Habit] = []
    for habit_id in sorted(fields, key=lambda h: first[h]):
        values = fields[habit_id]
        if values.get("deleted"):
            continue
        try:
            habits.append(habit_from_fields(habit_id, values))
        except RecordError:
            if strict:
                raise
            continue  # only edits have arrived so far, not the habit itself: wait for its file
    habits = _unique_slugs(habits)
    live = {h.id for h in habits}
    removed = {r["target"] for d in devices for r in d.removals}
    checkins = _union((c for d in devices for c in d.checkins), live, removed)
    skips = _union((s for d in devices for s in d.skips), live, removed)
    # Stable sorts: ties keep device order, then each file's own order (the order things were logged).
    checkins.sort(key=attrgetter("day", "logged_at"))
    skips.sort(key=lambda s: s.day)
    sessions = [s for d in devices if d.device == own_device for s in d.sessions if s.habit_id in live]
    persons = sorted({p for p in partners} | {d.person for d in devices if d.person})
    return Snapshot(habits, checkins, skips, sessions, persons=persons)


def _unique_slugs(habits: list[Habit]) -> list[Habit]:
    """Two machines may each add a `walk` before they sync: the later one is `walk-2`, alike everywhere."""
    taken: set[str] = set()
    result = []
    for habit in habits:
        slug, n = habit.slug, 2
        while slug in taken:
            slug, n = f"{habit.slug}-{n}", n + 1
        taken.add(slug)
        result.append(habit if slug == habit.slug else habit._replace(slug=slug))
    return result


def _union(records, live: set[str], removed: set[str]) -> list:
    seen: dict[str, object] = {}
    for record in records:
        if record.id not in seen and record.id not in removed and record.habit_id in live:
            seen[record.id] = record
    return list(seen.values())
