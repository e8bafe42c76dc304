"""Merging the files of several devices into one view, the same whatever order they arrived in.

Each device writes only its own file. Habits and the couple are built from change records, field
by field (a habit's) or key by key (the couple's), the later change winning (stamp, then device id,
then change id: a total order, so every device decides alike). Check-ins and skips merge by union
of their ids; a removal record (an undo) takes its target out everywhere. Whatever a record says of
who (a check-in's `by`, a habit's `who`) comes out as the id of a partner of the merged couple, also
when an older file wrote a name there.
"""

from __future__ import annotations

from collections import namedtuple
from itertools import chain
from operator import attrgetter

from ..core.couple import ALIAS_KEY, COUPLE_KEY, DEVICE_KEY, PARTNER_KEY, Couple, Device, partner_id
from ..core.model import Habit, Ritual, Snapshot
from ..core.order import in_order
from .records import RecordError, habit_from_fields


class DeviceData(
    namedtuple(
        "DeviceData",
        "path device person changes checkins skips removals sessions partner couple skipped rituals",
        defaults=(None, (), (), (), (), (), None, (), 0, ()),
    )
):
    """What one device's file holds.

    `changes` are habit change records {"id", "habit", "stamp", "fields"}, `removals` undo records
    {"id", "target", "stamp"}, `couple` couple changes {"id", "key", "value", "stamp"}; `checkins`,
    `skips` and `sessions` are model records. `partner` is the id of the device's person (None: both
    partners use it), `person` the name an older file gave instead.
    """

    __slots__ = ()

    @property
    def max_stamp(self) -> int:
        return max(self.stamps(), default=0)

    def stamps(self) -> list[int]:
        """Every change stamp in the file (habit changes, removals, couple changes)."""
        stamps = [c["stamp"] for c in self.changes] + [r["stamp"] for r in self.removals]
        return stamps + [c["stamp"] for c in self.couple]


def change_order(change: dict, device: str) -> tuple:
    return (change["stamp"], device, change["id"])


def merge(
    devices: list[DeviceData], own_device: str | None = None, partners: tuple[str, ...] = (), strict: bool = False
) -> Snapshot:
    """One snapshot from all devices' data; sessions are the own device's only.

    `strict` (a device alone, nothing shared): a habit whose fields do not add up is damage,
    raised as RecordError, not a habit whose creation has yet to arrive from another device.
    `partners`: names a private home's config gave before the couple was stored with the data.
    """
    devices = sorted(devices, key=lambda d: d.device)  # the same order on every device
    couple = merge_couple(devices, partners)
    ordered = sorted(((change_order(c, d.device), c) for d in devices for c in d.changes), key=lambda item: item[0])
    fields: dict[str, dict] = {}
    first: dict[str, tuple] = {}
    former: dict[str, list[str]] = {}
    for order, change in ordered:
        known = fields.setdefault(change["habit"], {})
        for key in ("name", "slug"):
            old, new = known.get(key), change["fields"].get(key)
            if isinstance(old, str) and new is not None and new != old:
                former.setdefault(change["habit"], []).append(old)  # `done walk` after a rename points on
        known.update(change["fields"])
        first.setdefault(change["habit"], order)
    habits: list[Habit] = []
    for habit_id in sorted(fields, key=lambda h: first[h]):
        values = fields[habit_id]
        if values.get("deleted"):
            continue
        try:
            habits.append(habit_from_fields(habit_id, values)._replace(aka=tuple(former.get(habit_id, ()))))
        except RecordError:
            if strict:
                raise
            continue  # only edits have arrived so far, not the habit itself: wait for its file
    habits = in_order([_owned(h, couple) for h in _unique_slugs(habits)])  # as they are shown: by group and position
    live = {h.id for h in habits}
    removed = {r["target"] for d in devices for r in d.removals}
    checkins = _union(chain.from_iterable(d.checkins for d in devices), live, removed, couple)
    skips = _union(chain.from_iterable(d.skips for d in devices), live, removed)
    # Stable sorts: ties keep device order, then each file's own order (the order things were logged). By
    # time logged, then by day: the order of sorting by (day, time logged), in less than half the time.
    checkins.sort(key=attrgetter("logged_at"))
    checkins.sort(key=attrgetter("day"))
    skips.sort(key=lambda s: s.day)
    sessions = [s for d in devices if d.device == own_device for s in d.sessions if s.habit_id in live]
    snapshot = Snapshot(habits, checkins, skips, sessions, persons=couple.ids)
    snapshot.couple = couple
    snapshot.rituals = _rituals((r for d in devices for r in d.rituals), removed, couple)
    snapshot.purged = {habit_id for habit_id, values in fields.items() if values.get("deleted")}
    own = next((d for d in couple.devices if d.id == own_device), None)
    snapshot.me = own.partner if own is not None else None
    return snapshot


def merge_couple(devices: list[DeviceData], legacy_names: tuple[str, ...] = ()) -> Couple:
    """The couple all devices' couple changes add up to, key by key, the later change winning.

    Names that files and configs of older versions held instead (a private home's partners, a
    device's person) count as changes older than any other: they name a partner until a change says
    otherwise, and among themselves the first one found names it (the config's, then by device id).
    """
    entries = [((0, "", f"{n:04d}"), PARTNER_KEY + partner_id(name), name) for n, name in enumerate(legacy_names)]
    for device in devices:
        if device.person:
            entries.append(((0, device.device, ""), PARTNER_KEY + partner_id(device.person), device.person))
        entries += [(change_order(c, device.device), c["key"], c["value"]) for c in device.couple]
    entries.sort(key=lambda entry: entry[0])
    values: dict[str, object] = {}
    first: dict[str, tuple] = {}
    for order, key, value in entries:
        if order[0] == 0 and key in values:
            continue  # an older version's names: the first spelling stands
        values[key] = value
        first.setdefault(key, order)
    aliases = {k[len(ALIAS_KEY) :]: v for k, v in values.items() if k.startswith(ALIAS_KEY) and isinstance(v, str)}
    named = [k for k, v in values.items() if k.startswith(PARTNER_KEY) and isinstance(v, str) and v]
    names: dict[str, str] = {}
    for key in sorted(named, key=lambda k: first[k]):
        if key[len(PARTNER_KEY) :] not in aliases:
            names[key[len(PARTNER_KEY) :]] = str(values[key])
    couple_id = values.get(COUPLE_KEY)
    couple = Couple(couple_id if isinstance(couple_id, str) else None, names, aliases)
    couple.devices = [
        Device(d.device, couple.resolve(d.partner), None, values.get(DEVICE_KEY + d.device) == "forgotten")
        for d in devices
    ]
    return couple


def _owned(habit: Habit, couple: Couple) -> Habit:
    """The habit, its `who` the id of the partner it belongs to when it is one partner's."""
    who = habit.who
    if who in ("together", "each") or who in couple.names:
        return habit
    return habit._replace(who=couple.resolve(who))


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


def _rituals(records, removed: set[str], couple: Couple) -> list:
    """Every ritual record once (by id, its latest revision: a check-in is saved as it goes), by day."""
    seen: dict[str, Ritual] = {}
    for record in records:
        if record.id in removed:
            continue
        if record.by is not None and record.by not in couple.names:  # a name an older file wrote, or a ghost
            record = record._replace(by=couple.resolve(record.by))
        known = seen.get(record.id)
        if known is None or _revision(record) > _revision(known):
            seen[record.id] = record
    return sorted(seen.values(), key=attrgetter("day"))


def _revision(ritual: Ritual) -> int:
    rev = ritual.fields.get("rev", 0)
    return rev if type(rev) is int else 0


_ID, _HABIT, _BY = attrgetter("id"), attrgetter("habit_id"), attrgetter("by")


def _union(records, live: set[str], removed: set[str], couple: Couple | None = None) -> list:
    """Every record once (the first of an id), none undone, none of a habit gone, `by` a partner's id."""
    records = list(records)
    names = couple.names if couple is not None else {}
    # The usual case, told in C: no id twice, none undone, every habit live, every `by` a partner's id.
    ids = set(map(_ID, records))
    if (
        len(ids) == len(records)
        and ids.isdisjoint(removed)
        and live.issuperset(map(_HABIT, records))
        and (couple is None or names.keys() | {None} >= set(map(_BY, records)))
    ):
        return records
    seen: dict[str, object] = {}
    for record in records:
        if record.id not in seen and record.id not in removed and record.habit_id in live:
            by = getattr(record, "by", None) if couple is not None else None
            if by is not None and by not in names:  # a name an older file wrote, or a ghost merged into a partner
                record = record._replace(by=couple.resolve(by))  # type: ignore[union-attr]
            seen[record.id] = record
    return list(seen.values())
