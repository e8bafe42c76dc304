"""Snoozes asked for in a shell (`connect snooze walk 1h`): a small file of this device's that the daemon reads.

The daemon's state file has one writer, the daemon. A snooze typed in a shell goes here instead, under its
own lock and written atomically; the daemon takes each one up once, as it would a click on Snooze.
"""

from __future__ import annotations

import json
from collections import namedtuple
from datetime import date, datetime, timedelta
from pathlib import Path

from .fileio import atomic_write, locked, read_bytes
from .paths import Paths, ensure_private_dir

SNOOZE_FILE = "snoozes.json"
KEEP = timedelta(days=2)  # the daemon has taken a snooze up long before


class Snooze(namedtuple("Snooze", "habit_id day until")):
    """A habit's reminders of `day` held until `until` (aware), when one comes."""

    __slots__ = ()


def snooze_file(paths: Paths) -> Path:
    """Where this device's shell snoozes are kept."""
    return paths.data_dir / SNOOZE_FILE


def add_snooze(paths: Paths, snooze: Snooze, now: datetime) -> None:
    """Keep `snooze`, in place of an earlier one of the same habit and day; old ones are let go."""
    ensure_private_dir(paths.data_dir)
    with locked(paths.data_dir / "snoozes.lock"):
        kept = [
            s
            for s in read_snoozes(paths)
            if s.until > now - KEEP and (s.habit_id, s.day) != (snooze.habit_id, snooze.day)
        ]
        records = [
            {"habit": s.habit_id, "day": s.day.isoformat(), "until": s.until.isoformat(timespec="seconds")}
            for s in [*kept, snooze]
        ]
        atomic_write(snooze_file(paths), json.dumps(records, indent=1).encode("utf-8"))


def read_snoozes(paths: Paths) -> list[Snooze]:
    """The snoozes asked for; a damaged file or entry counts as none (at worst a reminder comes on time)."""
    try:
        values = json.loads(read_bytes(snooze_file(paths)) or b"[]")
    except ValueError:
        return []
    snoozes = []
    for value in values if isinstance(values, list) else []:
        try:
            until = datetime.fromisoformat(value["until"])
            if until.tzinfo is None or not isinstance(value["habit"], str):
                continue
            snoozes.append(Snooze(value["habit"], date.fromisoformat(value["day"]), until))
        except (KeyError, TypeError, ValueError):
            continue
    return snoozes
