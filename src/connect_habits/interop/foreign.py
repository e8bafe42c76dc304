"""Other trackers' histories made connect's: every reader (Loop, HabitBull, harsh, CSV) turns its file into
ForeignHabit records, and `import_foreign` adds them to a home the same way for all.

What a reader could not map exactly, or left out, it says in the records (`inexact`, `left_out`): the summary's
last line repeats it, so nothing is dropped silently.
"""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date

from ..core.model import DAILY, NAME_MAX, NOTE_MAX, Cadence, CheckIn, Goal, Habit, Skip
from ..core.names import Taken
from ..core.order import next_position
from ..core.words import plain_number
from ..errors import ConnectError
from .importing import BeforeAdding, DryRun, ImportSummary, Report, add_checkins, counting, fit_in, known_ids

DONE, SKIP = "done", "skip"


_new = tuple.__new__  # a row, an entry or a check-in made without namedtuple's argument handling: 73,000 each


class ForeignEntry(
    namedtuple("ForeignEntry", "day kind amount note by key source", defaults=(DONE, None, "", None, "", None))
):
    """One day of a habit in another tracker: done (with an amount, for a goal or a limit) or skipped.

    `by`: the partner's stored id (core/couple.py), when the file says who; `key` tells apart two entries of one
    habit on one day (their ids must differ); `source`: how it was logged, when the file says (our CSV), else
    the tracker's name. A tuple: a ten-year file has 73,000, made faster so than a dataclass's.
    """

    __slots__ = ()


@dataclass
class ForeignHabit:
    """A habit as another tracker had it, already in connect's terms."""

    name: str
    key: str  # what makes its id: the same habit in a later file gets the same one
    cadence: Cadence = DAILY
    goal: Goal | None = None
    limit: Goal | None = None
    note: str = ""
    prompts: tuple[str, ...] = ()
    group: str = ""
    archived: bool = False
    at: tuple[str, ...] = ()
    remind_on: tuple[int, ...] = ()
    entries: list[ForeignEntry] = field(default_factory=list)
    existing: Habit | None = None  # a habit of this home the entries belong to (a CSV naming it)
    first_day: date | None = None  # the first day the tracker knew the habit (else its first entry)


@dataclass
class ForeignFile:
    """What a reader made of a file: its habits, in the tracker's order, and what did not fit exactly."""

    label: str  # the tracker's name, for the summary: "Loop", "HabitBull", "harsh", "CSV"
    habits: list[ForeignHabit]
    namespace: uuid.UUID  # ids of this tracker's records, with this device and each habit's key
    inexact: list[str] = field(default_factory=list)  # "'Read': 5 pages in 3 days became 2 pages/day"
    left_out: list[str] = field(default_factory=list)  # "4 check-marks Loop filled in by itself"


# The RFC 4122 variant in the hex digit at 16: its two high bits 10, whatever the digest had there.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def uuid5_hex(namespace: bytes, name: str) -> str:
    """`uuid.uuid5(UUID(bytes=namespace), name).hex`, without making a UUID object (one per imported row)."""
    hex_ = hashlib.sha1(namespace + name.encode("utf-8"), usedforsecurity=False).hexdigest()
    return f"{hex_[:12]}5{hex_[13:16]}{_VARIANT[hex_[16]]}{hex_[17:32]}"  # version 5, then the variant


def clean_text(text: str, limit: int, newlines: bool = False) -> str:
    """`text` as one NFC line (or lines, with `newlines`) without control characters, cut to `limit`."""
    text = unicodedata.normalize("NFC", text)
    if text.isprintable():  # nearly always: no control character or line separator in it
        return text.strip()[:limit].strip()
    keep = "\n\t" if newlines else ""
    text = "".join(ch if unicodedata.category(ch) not in ("Cc", "Zl", "Zp") or ch in keep else " " for ch in text)
    return text.strip()[:limit].strip()


def import_foreign(
    transaction,
    found: ForeignFile,
    today: date,
    by: str | None = None,
    progress: Report | None = None,
    dry_run: bool = False,
    before_adding: BeforeAdding | None = None,
) -> ImportSummary:
    """Add `found`'s habits (new ones after this home's own, in the file's order), check-ins and skips.

    Ids come from the tracker, this device and each record's key, so importing the same (or a later) file
    again adds only what is new. A name taken here or earlier in the file gets " (2)", " (3)"… Days after
    `today` are left out. With `dry_run`, DryRun is raised once all is counted, and nothing is written;
    without, `before_adding` is given the new check-ins and skips before they are added.
    """
    snapshot = transaction.snapshot
    taken = Taken(snapshot.habits)
    habit_ids, checkin_ids, skip_ids = known_ids(transaction)
    live = {h.id: h for h in snapshot.habits}
    summary = ImportSummary(label=found.label, inexact=list(found.inexact), left_out=list(found.left_out))
    place = next_position(snapshot.habits)
    salt = getattr(transaction.device, "device", "") or ""
    total, done = sum(len(h.entries) for h in found.habits), 0
    space = found.namespace.bytes
    all_checkins: list[CheckIn] = []
    all_skips: list[Skip] = []
    later = 0
    isos: dict[date, str] = {}  # each day's text, made once: ten years are 3,650 days in 73,000 rows
    made = _CheckIns()
    source = found.label.lower()
    for foreign in found.habits:
        entries = [e for e in foreign.entries if e.day <= today]
        later += len(foreign.entries) - len(entries)
        before, done = done, done + len(foreign.entries)
        if foreign.existing is not None:
            habit = foreign.existing
        else:
            habit_id = uuid.uuid5(found.namespace, f"{salt}/{foreign.key}").hex
            if habit_id in habit_ids:
                if habit_id not in live:
                    continue  # deleted here: it stays deleted
                summary.already += 1
                habit = live[habit_id]
            else:
                habit = fit_in(_new_habit(foreign, habit_id, entries, today), taken, "", summary)
                habit = habit._replace(position=place)
                place += 1
                transaction.add_habit(habit)
                snapshot.habits.append(habit)
                live[habit_id] = habit
                summary.habits += 1
        skipped = {s.day for s in snapshot.skips if s.habit_id == habit.id}
        habit_id, measured = habit.id, habit.measure is not None  # once a habit, not once a row
        new_checkins: list[CheckIn] = []
        new_skips: list[Skip] = []
        for entry in counting(entries, progress, "rows imported", total, before):
            iso = isos.get(entry.day)
            if iso is None:
                iso = isos[entry.day] = entry.day.isoformat()
            record_id = uuid5_hex(space, f"{habit_id}/{iso}{entry.key}")
            if entry.kind == SKIP:
                if record_id not in skip_ids and entry.day not in skipped:
                    skip_ids.add(record_id)
                    skipped.add(entry.day)
                    reason = clean_text(entry.note, NOTE_MAX, newlines=True)
                    new_skips.append(Skip(id=record_id, habit_id=habit_id, day=entry.day, reason=reason))
            elif record_id not in checkin_ids:
                checkin_ids.add(record_id)
                new_checkins.append(made(record_id, habit_id, measured, entry, by, source, iso))
        all_checkins += new_checkins
        summary.checkins += len(new_checkins)
        all_skips += new_skips
        snapshot.skips.extend(new_skips)
        summary.skips += len(new_skips)
    if before_adding is not None and not dry_run:
        before_adding(summary, all_checkins, all_skips)
    # In one go (per month, in the same order as habit by habit): an insert costs time in the table's size.
    add_checkins(transaction, all_checkins)
    transaction.add_skips(all_skips)
    if later:
        summary.left_out.append(f"{later} dated after today")
    if dry_run:
        raise DryRun(summary)
    return summary


def _new_habit(foreign: ForeignHabit, habit_id: str, entries: list[ForeignEntry], today: date) -> Habit:
    created = foreign.first_day or min((e.day for e in entries), default=today)
    return Habit(
        id=habit_id,
        name=clean_text(foreign.name, NAME_MAX) or "Imported habit",
        slug="",  # set by fit_in
        cadence=foreign.cadence,
        created=min(created, today),
        goal=foreign.goal,
        limit=foreign.limit,
        at=tuple(sorted(set(foreign.at))),
        prompts=tuple(p for p in (clean_text(q, NOTE_MAX) for q in foreign.prompts) if p),
        note=clean_text(foreign.note, NOTE_MAX, newlines=True),
        archived=foreign.archived,
        remind_on=tuple(sorted(set(foreign.remind_on))) if foreign.at else (),
        group=clean_text(foreign.group, NAME_MAX),
    )


class _CheckIns:
    """The check-in of each entry; a file repeats a few notes and amounts over its rows: each is made once."""

    def __init__(self) -> None:
        self.notes: dict[str, str] = {"": ""}
        self.amounts: dict[float, float] = {}

    def __call__(
        self, record_id: str, habit_id: str, measured: bool, entry: ForeignEntry, by: str | None, source: str, iso: str
    ):
        """The check-in of an entry for a habit (`measured`: one that keeps amounts; `source`: the tracker's, where
        the entry says none; `iso`: its day's text)."""
        amount = entry.amount if measured else None
        if amount is not None:
            # An amount and its plain form are equal numbers: 3.0 is looked up as 3, whose plain form is the same.
            shown = self.amounts.get(amount)
            if shown is None:
                shown = self.amounts[amount] = plain_number(amount)
            amount = shown
        note = self.notes.get(entry.note)
        if note is None:
            note = self.notes[entry.note] = clean_text(entry.note, NOTE_MAX, newlines=True)
        return _new(
            CheckIn,
            (record_id, habit_id, entry.day, f"{iso}T12:00:00", amount, note, entry.source or source, entry.by or by),
        )


def refuse(source: str, problem: str) -> ConnectError:
    """The one-sentence refusal of a file that is not what it should be (nothing was imported)."""
    return ConnectError(f"{source} {problem}; nothing was imported.")
