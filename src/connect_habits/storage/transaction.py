"""A locked read-modify-write of this device's files: the changes a command makes, written atomically at its end."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from ..core.couple import ALIAS_KEY, COUPLE_KEY, DEVICE_KEY, PARTNER_KEY
from ..core.model import CheckIn, Habit, Ritual, Session, Skip, new_id
from ..core.privacy import KEPT_ON, is_private, join, split
from .bulkrecords import checkin_records_by_month
from .encoding import encode_all
from .fileio import check_writable, commit, remove_stale_temp_files
from .files import (
    CHANGES,
    CHECKINS,
    COUPLE,
    HISTORY_TABLES,
    META,
    REMOVALS,
    RITUALS,
    SCHEMA_VERSION,
    SESSIONS,
    SKIPS,
    Reading,
    device_of,
    meta_of,
    read_month,
    schema_of,
    split_device,
)
from .layout import EXPORT_CSV_FILE, EXPORT_JSON_FILE, LOG_LINES_FILE, month_file, month_files, month_of
from .merge import DeviceData
from .paths import ensure_private_dir, make_dirs
from .private import PRIVATE_FILE, PrivateNotes
from .records import checkin_record, habit_fields, ritual_record, session_record, skip_record
from .sealing import sealed_for
from .tables import Tables

TYPE_CHECKING = False  # typing's flag without importing typing: type checkers read it by name
if TYPE_CHECKING:
    from .ownrecord import OwnRecord


class Transaction:
    """A locked read-modify-write; changes go to this device's files when the block ends cleanly."""

    def __init__(self, path: Path, reading: Reading, max_stamp: int, journal: Path, record: OwnRecord | None = None):
        self.path = path  # this device's main file; its months lie beside it
        self.journal = journal  # where a commit of several files notes what it is doing (fileio.commit)
        self.record = record  # shared: this machine's private record of what it wrote (ownrecord.py)
        self._extra: list[tuple[Path, bytes]] = []
        self._own = reading.own_files
        self._main = Tables(reading.own_files.data)
        self._months: dict[str, Tables] = {m: Tables(d) for m, d in reading.own_months.items()}
        self.snapshot = reading.snapshot
        self.device = reading.own
        self._stamp = max_stamp
        self._split = False  # whether this transaction moved a schema 2 file's records into months
        self._new_months: set[str] = set()  # months with no records before this transaction
        self._private: PrivateNotes | None = None

    @property
    def private(self) -> PrivateNotes:
        """This machine's private notes (private.py, beside the journal, never shared), read when first needed."""
        if self._private is None:
            self._private = PrivateNotes.read(self.journal.parent)
        return self._private

    @property
    def folds_outdated(self) -> bool:
        """Whether this transaction changed a month the snapshot's folds sum up: read again to see it in streaks."""
        point = next((month_of(fold.at) for fold in self.snapshot.folds.values()), None)
        return point is not None and any(month < point and db.changed for month, db in self._months.items())

    def _next_stamp(self) -> int:
        # Later than anything this device has seen, so an edit made after reading another wins.
        self._stamp = max(int(time.time() * 1000), self._stamp + 1)
        return self._stamp

    def _month(self, month: str) -> Tables:
        """This device's tables of one month, read from its file the first time it is needed."""
        if month not in self._months:
            data = read_month(self.path, month, device_of(self._main.data))
            if set(data) == {META}:  # no records yet: whatever it holds at the save, this transaction made
                self._new_months.add(month)
            self._months[month] = Tables(data)
        return self._months[month]

    def _change(self, habit_id: str, fields: dict) -> None:
        self._main.insert(CHANGES, {"id": new_id(), "habit": habit_id, "stamp": self._next_stamp(), "fields": fields})

    def change_couple(self, key: str, value: object) -> None:
        """Record a change to the couple (a key of core/couple.py's) and show it in the snapshot at once."""
        self._main.insert(COUPLE, {"id": new_id(), "key": key, "value": value, "stamp": self._next_stamp()})
        couple = self.snapshot.couple
        if couple is None:
            return
        if key == COUPLE_KEY:
            couple.id = value
        elif key.startswith(PARTNER_KEY):
            pid = key[len(PARTNER_KEY) :]
            if isinstance(value, str) and value:
                couple.names[pid] = value
            else:
                couple.names.pop(pid, None)
        elif key.startswith(ALIAS_KEY):
            couple.aliases[key[len(ALIAS_KEY) :]] = value
            couple.names.pop(key[len(ALIAS_KEY) :], None)
        elif key.startswith(DEVICE_KEY):
            device = key[len(DEVICE_KEY) :]
            couple.devices = [
                d._replace(forgotten=value == "forgotten") if d.id == device else d for d in couple.devices
            ]
        self.snapshot.persons = couple.ids

    def keep_couple(self) -> None:
        """Write down the partners the snapshot knows only from older files or the config, and a couple id.

        Shared, only what the devices' files say counts: a private home's partners must be in its
        file before it is shared, or the other machine would never learn of them.
        """
        couple = self.snapshot.couple
        if couple is None:
            return
        written = {c["key"] for c in self.device.couple} | {c["key"] for c in self._main.rows(COUPLE)}
        if couple.id is None or COUPLE_KEY not in written:
            self.change_couple(COUPLE_KEY, couple.id or new_id())
        for pid, name in list(couple.names.items()):
            if PARTNER_KEY + pid not in written:
                self.change_couple(PARTNER_KEY + pid, name)

    def adopt(self, gone: DeviceData, partner: str | None) -> int:
        """Copy into this device's files what another device wrote and this one lacks; how many records.

        For a device that is gone for good (`connect sync forget`): its files may then be deleted without
        losing anything. A check-in it made without saying whose is its partner's.
        """
        own = self.device
        have = {c["id"] for c in own.changes} | {c["id"] for c in own.couple} | {r["id"] for r in own.removals}
        have |= {c.id for c in own.checkins} | {s.id for s in own.skips}
        changes = [c for c in gone.changes if c["id"] not in have]
        couple = [c for c in gone.couple if c["id"] not in have]
        if changes:
            self._main.insert_many(CHANGES, changes)
        if couple:
            self._main.insert_many(COUPLE, couple)
        checkins = [c if c.by is not None or partner is None else c._replace(by=partner) for c in gone.checkins]
        checkins = [c for c in checkins if c.id not in have]
        skips = [s for s in gone.skips if s.id not in have]
        self.add_checkins(checkins)
        self.add_skips(skips)
        # An undo goes in the month of what it undoes; one of a record never seen here stays in the main file.
        days = {r.id: r.day for r in [*own.checkins, *own.skips, *gone.checkins, *gone.skips]}
        removals = [r for r in gone.removals if r["id"] not in have]
        for removal in removals:
            day = days.get(removal["target"])
            target = self._month(month_of(day)) if day is not None else self._main
            target.insert(REMOVALS, removal)
        return len(changes) + len(couple) + len(checkins) + len(skips) + len(removals)

    def set_me(self, partner: str | None) -> None:
        """Say which partner uses this device (None: both of you)."""
        self._main.update_all(META, {"partner": partner})
        self.snapshot.me = partner
        self.device = self.device._replace(partner=partner)
        if self.snapshot.couple is not None:
            own = self.device.device
            self.snapshot.couple.devices = [
                d._replace(partner=partner) if d.id == own else d for d in self.snapshot.couple.devices
            ]

    def add_habit(self, habit: Habit) -> None:
        self._change(habit.id, habit_fields(habit))

    def replace_habit(self, habit: Habit) -> None:
        """Record the fields that differ from the habit as it is now."""
        current = next((h for h in self.snapshot.habits if h.id == habit.id), None)
        before = habit_fields(current) if current else {}
        after = habit_fields(habit)
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        if changed:
            self._change(habit.id, changed)
            self.snapshot.habits = [habit if h.id == habit.id else h for h in self.snapshot.habits]

    def purge_habit(self, habit_id: str) -> None:
        """Delete a habit with its history: hidden on every device, and gone from this device's files.

        What stays is its id with the mark that it was deleted, so every other device deletes its own
        records of it too at its next change (`forget_purged`).
        """
        self._change(habit_id, {"deleted": True})
        self.snapshot.purged.add(habit_id)
        self.forget_purged()

    def forget_purged(self) -> None:
        """Delete this device's records of every habit deleted for good, on whatever device that was done."""
        done = set(meta_of(self._main.data).get("purged") or [])
        pending = set(self.snapshot.purged) - done
        if not pending:
            return

        def of_purged(record: dict) -> bool:
            return record.get("habit") in pending

        def purged_change(change: dict) -> bool:
            return change.get("habit") in pending and not (change.get("fields") or {}).get("deleted")

        # TinyDB takes any function of a document as a condition.
        self._main.table(CHANGES).remove(purged_change)  # type: ignore[arg-type]
        for table in (CHECKINS, SKIPS, SESSIONS):
            self._main.table(table).remove(of_purged)  # type: ignore[arg-type]
        for month in month_files(self.path):
            db = self._month(month)
            self.drop_private(r.get("id") for r in db.rows(CHECKINS) if of_purged(r))
            for table in (CHECKINS, SKIPS):
                if any(of_purged(r) for r in db.rows(table)):
                    db.table(table).remove(of_purged)  # type: ignore[arg-type]
        self._main.update_all(META, {"purged": sorted(done | pending)})
        self._purging = True  # save() then deletes the kept texts (loglines.py): they show the habit's name and notes

    def add_checkin(self, checkin: CheckIn, private: bool = False) -> None:
        """Add a check-in; `private`: its note stays in this machine's private notes, and the record has none."""
        kept = self._private is not None and checkin.id in self._private.notes  # its words shown here: never written
        if (private or kept) and checkin.note:
            self.private.keep(checkin.id, {"note": checkin.note})
            checkin = checkin._replace(note="")
        self._month(month_of(checkin.day)).insert(CHECKINS, checkin_record(checkin))

    def add_checkins(self, checkins: Iterable[CheckIn]) -> None:
        """Many check-ins at once (an import): one insert per month instead of one per record."""
        for month, records in checkin_records_by_month(checkins).items():
            self._month(month).insert_many(CHECKINS, records)

    def remove_checkin(self, checkin: CheckIn) -> None:
        """An undo: a removal record, so it wins on every device that has seen the check-in; its private note goes."""
        self._remove(CHECKINS, checkin.id, checkin.day)
        self.drop_private([checkin.id])

    def drop_private(self, ids) -> None:
        """Forget the private words of records that are gone (read only when there is something to forget)."""
        ids = [i for i in ids if isinstance(i, str)]
        if ids and (self._private is not None or (self.journal.parent / PRIVATE_FILE).exists()):
            self.private.drop(ids)

    def add_skips(self, skips: Iterable[Skip]) -> None:
        # An empty insert would still mark a file as changed.
        for month, records in _by_month(skips, skip_record).items():
            self._month(month).insert_many(SKIPS, records)

    def remove_skip(self, skip: Skip) -> None:
        self._remove(SKIPS, skip.id, skip.day)

    def _remove(self, table: str, record_id: str, day: date) -> None:
        # The removal goes in the month of what it removes: a summary of that month then sees it.
        db = self._month(month_of(day))
        db.remove_id(table, record_id)
        db.insert(REMOVALS, {"id": new_id(), "target": record_id, "stamp": self._next_stamp()})

    def put_ritual(self, ritual: Ritual) -> None:
        """Add a ritual record, or replace this device's record of the same id (a check-in saved as it goes).

        A private one (core/privacy.py) is written without its words, which go to this machine's private
        notes in the same commit. One new here (no `kept_on` yet) says it is kept on this device.
        """
        stored = ritual
        if is_private(ritual):
            new = KEPT_ON not in ritual.fields
            stored, words = split(ritual, self.device.device if new else None)
            if new or words:
                self.private.keep(ritual.id, {"fields": words})
            ritual = join(stored, words)
        db = self._month(month_of(ritual.day))
        db.remove_id(RITUALS, ritual.id)
        db.insert(RITUALS, ritual_record(stored))
        self.snapshot.rituals = [r for r in self.snapshot.rituals if r.id != ritual.id] + [ritual]

    def add_session(self, session: Session) -> None:
        self._main.insert(SESSIONS, session_record(session))

    def remove_session(self, session_id: str) -> None:
        self._main.remove_id(SESSIONS, session_id)

    def split_history(self) -> None:
        """Move a schema 2 main file's check-ins, skips and undos into month files."""
        main = self._main.data
        if not any(main.get(table) for table in HISTORY_TABLES) and schema_of(main) == SCHEMA_VERSION:
            return
        known = [*self.device.checkins, *self.device.skips, *self.snapshot.checkins, *self.snapshot.skips]
        data, months = split_device(main, {r.id: r.day for r in known})
        self._split = True
        for month, tables in months.items():
            for table in HISTORY_TABLES:
                if tables.get(table):
                    self._month(month).insert_many(table, tables[table].values())
        self._main.write(data)

    def save(self) -> None:
        """Write every changed file, each atomically; every one is checked before the first is written.

        Order, for a crash between two files: a new habit's main file before its check-ins (so none
        is ever without its habit); a schema 2 file's records in their months before the main file
        loses them (duplicates, which the merge by id absorbs, never losses).
        """
        self.forget_purged()
        make_dirs(self.path.parent)  # a shared folder is the sync tool's: its permissions stay as they are
        remove_stale_temp_files(self.path, family=True)
        months = sorted(self._months.items())
        writes = [(month_file(self.path, m), db, self._made_here(m, db)) for m, db in months if db.changed]
        for path, _, _ in writes:
            check_writable(path)
        if self._main.changed:
            main = (self.path, self._main, False)
            writes = writes + [main] if self._split or not self._adds_habits() else [main] + writes
        notes = self._private if self._private is not None and self._private.changed else None
        if not writes and not self._extra and notes is None:
            return
        copies = []
        if self.record is not None and writes:
            ensure_private_dir(self.record.folder)
            seq = self.record.next_seq()
            for _, db, _ in writes:
                db.update_all(META, {"seq": seq})
        encoded = encode_all([db.data for _, db, _ in writes], [made for _, _, made in writes])
        files = [(path, sealed_for(path, raw)) for (path, _, _), raw in zip(writes, encoded)]
        if self.record is not None and writes:
            copies = self.record.copies(files, seq)
        if notes is not None:  # in the same commit as the records they belong to: both, or neither
            check_writable(notes.path)
            remove_stale_temp_files(notes.path)
            files.append((notes.path, notes.encoded()))
        commit(files + self._extra, self.journal, copies)
        if getattr(self, "_purging", False):  # the log's and exports' kept texts show its name and notes: they go too
            for kept in (LOG_LINES_FILE, EXPORT_JSON_FILE, EXPORT_CSV_FILE):
                with contextlib.suppress(OSError):
                    os.unlink(self.journal.parent / kept)

    def _made_here(self, month: str, db) -> bool:
        """Whether a month's file holds only records this transaction made: check-ins, skips and undos."""
        return not self._split and month in self._new_months and set(db.data) <= {META, CHECKINS, SKIPS, REMOVALS}

    def also_write(self, path: Path, data: bytes) -> None:
        """Write another file (a restore's settings, say) in the same commit as the data: both, or neither."""
        self._extra.append((path, data))

    def _adds_habits(self) -> bool:
        before = {c["habit"] for c in self.device.changes}
        return any(c.get("habit") not in before for c in self._main.rows(CHANGES))


def _by_month(records: Iterable, stored) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for record in records:
        row = stored(record)
        grouped.setdefault(row["date"][:7], []).append(row)  # the month of its day, from the date just written
    return grouped
