"""The export writers as they were before they were made fast: the yardsticks of the differential tests."""

from __future__ import annotations

import csv
import io
import json

from connect_habits.core.model import Snapshot
from connect_habits.interop.csvfile import CSV_HEADER, inert
from connect_habits.storage.records import checkin_record


def plain_csv(snapshot: Snapshot) -> str:
    """export_csv as it was: a row per check-in, built one by one."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    names = {h.id: inert(h.name) for h in snapshot.habits}
    couple = snapshot.couple
    for c in _plain_order(snapshot.checkins):
        by = inert(couple.name(c.by) if couple is not None else c.by) if c.by else ""
        habit = names[c.habit_id] if c.habit_id in names else inert(c.habit_id)
        minutes = "" if c.minutes is None else str(c.minutes)
        writer.writerow((c.day.isoformat(), habit, minutes, inert(c.note), by, c.source))
    return out.getvalue()


def plain_backup_text(written: str, snapshot: Snapshot) -> str:
    """A backup's text as json.dumps writes its data, with the check-ins' records made one by one from `snapshot`.

    Equal to `written` only when export_json wrote what json.dumps writes and its check-ins are the snapshot's.
    """
    data = json.loads(written)
    data["checkins"] = [checkin_record(c) for c in _plain_order(snapshot.checkins)]
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _plain_order(checkins):
    return sorted(checkins, key=lambda c: (c.day, c.logged_at, c.id))
