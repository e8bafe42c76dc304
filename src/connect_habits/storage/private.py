"""This machine's private notes (`--private`): the words of notes, answers and check-ins that never leave it.

`private-notes.json` lies in this device's data folder, never in the shared folder, readable by its
owner only (0600). It maps a record's id (a check-in's, an answer's or a weekly check-in's) to its words:
`{"note": TEXT}` for a check-in, `{"fields": {...}}` for a ritual record (core/privacy.py says which).
A transaction writes it in the same commit as the records (transaction.py), so a crash never leaves a
record without its words, or words without their record; reading lays the words back over the records
(`overlay`), for this machine to show and export. `connect sync leave` keeps every record's id, so the
words find their records again after it; an undo takes its check-in's words with it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from operator import attrgetter
from pathlib import Path

from ..core.model import Snapshot
from ..core.privacy import BEST_PRIVATE, WORD_LISTS, WORD_TEXTS, join
from ..errors import DataFileError
from .fileio import read_bytes
from .records import field_texts, note_ok

PRIVATE_FILE = "private-notes.json"
FORMAT = "connect-private-notes"
VERSION = 1


class PrivateNotes:
    """The private notes of one home, as read; `keep` and `drop` change them, `encoded` is what to write."""

    __slots__ = ("path", "notes", "changed")

    def __init__(self, path: Path, notes: dict[str, dict] | None = None):
        self.path = path
        self.notes: dict[str, dict] = {} if notes is None else notes
        self.changed = False

    @classmethod
    def read(cls, data_dir: Path) -> PrivateNotes:
        """The notes in `data_dir` (none when there is no file); a damaged file is a DataFileError."""
        path = data_dir / PRIVATE_FILE
        raw = read_bytes(path)
        if raw is None:
            return cls(path)
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("it is not connect's private notes")
            if not isinstance(data.get("version"), int) or data["version"] > VERSION:
                raise ValueError("it was written by a newer connect")
            return cls(path, checked_notes(data.get("notes", {})))
        except (ValueError, RecursionError) as error:
            raise DataFileError(
                f"The private notes file {path} cannot be read ({error}); move it aside "
                f"(mv {path} {path}.damaged) to go on without its words, and bring them back from a backup "
                "with `connect import FILE --merge`."
            ) from None

    def keep(self, record_id: str, words: dict) -> None:
        """Keep a record's words (replacing what was kept for it)."""
        self.notes[record_id] = words
        self.changed = True

    def add(self, notes: Mapping[str, dict], snapshot: Snapshot) -> None:
        """Take in words from a backup, for the snapshot's records that have none kept here."""
        ids = _ids(snapshot)
        for record_id, words in notes.items():
            if record_id in ids and not self.notes.get(record_id):
                self.keep(record_id, words)

    def drop(self, ids: Iterable[str]) -> None:
        """Forget the words of records that are gone (an undo, a habit deleted for good)."""
        for record_id in ids:
            if self.notes.pop(record_id, None) is not None:
                self.changed = True

    def encoded(self) -> bytes:
        data = {"format": FORMAT, "version": VERSION, "notes": self.notes}
        return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()

    def of(self, snapshot: Snapshot) -> dict[str, dict]:
        """The words of the records a snapshot holds (for a backup of it)."""
        if not any(self.notes.values()):
            return {}  # (most homes: no need to gather the ids of ten years of check-ins)
        ids = _ids(snapshot)
        return {record_id: words for record_id, words in self.notes.items() if record_id in ids and words}


def _ids(snapshot: Snapshot) -> set[str]:
    return set(map(attrgetter("id"), snapshot.checkins)) | {r.id for r in snapshot.rituals}


def overlay(snapshot: Snapshot, notes: Mapping[str, dict]) -> None:
    """Lay this machine's private words over the snapshot's records, in place: what this machine shows."""
    if not notes:
        return
    checkins = snapshot.checkins
    for n, checkin in enumerate(checkins):
        note = notes.get(checkin.id, {}).get("note")
        if isinstance(note, str) and note:
            checkins[n] = checkin._replace(note=note)
    rituals = snapshot.rituals
    for n, ritual in enumerate(rituals):
        words = notes.get(ritual.id, {}).get("fields")
        if isinstance(words, dict):
            rituals[n] = join(ritual, words)


def checked_notes(value: object) -> dict[str, dict]:
    """Private notes as read (from the file, or a backup), checked: a ValueError says what will not do."""
    if not isinstance(value, dict):
        raise ValueError("its notes are not a table")
    for record_id, words in value.items():
        if not isinstance(record_id, str) or not 0 < len(record_id) <= 120 or not record_id.isprintable():
            raise ValueError("a record id is not one connect makes")
        if not isinstance(words, dict) or not set(words) <= {"note", "fields"}:
            raise ValueError(f"the words of {record_id} are not a note or fields")
        if not isinstance(words.get("note", ""), str) or not _fields_ok(words.get("fields", {})):
            raise ValueError(f"the words of {record_id} are not a note or fields")
        for text in field_texts(words):  # a RecordError is a ValueError
            if not text.isprintable() and not note_ok(text):  # printable text is a note (records.checked_checkin)
                raise ValueError(f"the words of {record_id} hold a text connect would not take")
    return value


def _fields_ok(fields: object) -> bool:
    """A ritual's words are only what core/privacy.split keeps: texts, lists of items, the answers as typed."""
    if not isinstance(fields, dict):
        return False
    for key, value in fields.items():
        if key in WORD_TEXTS:
            ok = isinstance(value, str)
        elif key in WORD_LISTS:
            ok = isinstance(value, list) and all(isinstance(item, dict) for item in value)
        elif key == "answers":
            ok = isinstance(value, list) and all(isinstance(a, list) and len(a) == 2 for a in value)
        else:
            ok = key == BEST_PRIVATE and value is True
        if not ok:
            return False
    return True
