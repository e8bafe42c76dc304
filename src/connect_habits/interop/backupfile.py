"""Our own JSON backup as written: `export_json` over a snapshot, or `backup_text` over months written apart.

A pure function of the records: habits in their order, check-ins by date, time logged and id, skips and
rituals by date and id, sorted keys. Each month's records are written alone (`backup_month`), so an export
can keep them per month (storage/loglines.py) and write ten years without reading them; months in order
give the same text as the whole at once. backup.py reads a backup back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..core.model import CheckIn, Skip, Snapshot
from ..storage.records import ritual_record, skip_record
from ..storage.sealing import SEALING_KEYS
from .checkinrows import checkins_block
from .importing import Report, counting, sorted_checkins, sorted_skips
from .jsontext import indented_json, rows_pieces

BACKUP_FORMAT = "connect-backup"
BACKUP_VERSION = 2  # 2: the couple (partners with ids); check-ins and habits name partners by id
# Keys that describe this machine, not the couple's settings: never exported, never imported. The couple's
# key (storage/sealing.py) among them: a backup may be kept anywhere, the key only in the private config.
DEVICE_KEYS = ("sync_folder", "device", *SEALING_KEYS)


def export_json(snapshot: Snapshot, config, progress: Report | None = None, private: dict | None = None) -> str:
    """A complete, versioned backup: habits (with ids), check-ins, skips and settings.

    Deterministic (sorted keys; habits in their order, check-ins by date, time logged and id,
    skips by date and id), so exporting, importing into an empty home and exporting again gives
    the same text. Running tech-free sessions are left out: they end as check-ins. `progress` hears of the check-ins.
    `private`: this machine's private words of the snapshot's records (storage/private.py), kept beside them
    as `private_notes`, as the records are stored: a restore puts both back where they were.
    """
    checkins = counting(sorted_checkins(snapshot.checkins), progress, "check-ins", len(snapshot.checkins))
    whole = _written(len(snapshot.checkins), checkins, snapshot.skips, snapshot.rituals)
    return backup_text(snapshot, config, [whole], private)


def backup_month(records) -> tuple[int, str, list[dict], list[dict]]:
    """What a backup holds of one month's records (storage/loglines.py's MonthRecords), written, to keep:
    its check-ins' count and rows, its skips' and rituals' records. Months in order make the whole backup's."""
    return _written(len(records.checkins), sorted_checkins(records.checkins), records.skips, records.rituals)


def is_backup_month(value: object) -> bool:
    """Whether a kept value has backup_month's shape."""
    return (
        isinstance(value, tuple)
        and len(value) == 4
        and type(value[0]) is int
        and isinstance(value[1], str)
        and all(isinstance(part, list) and all(isinstance(r, dict) for r in part) for part in value[2:])
    )


def _written(count: int, checkins: Iterable[CheckIn], skips: Sequence[Skip], rituals: Sequence) -> tuple:
    return (
        count,
        checkins_block(checkins),
        [skip_record(s) for s in sorted_skips(skips)],
        [ritual_record(r) for r in sorted(rituals, key=lambda r: (r.day, r.id))],
    )


def backup_text(snapshot: Snapshot, config, months: Sequence[tuple], private: dict | None = None) -> str:
    """export_json's text: the habits and couple of `snapshot`, the records of `months` (backup_month's, in order)."""
    settings = {key: value for key, value in (config.extra or {}).items() if key not in (*DEVICE_KEYS, "me")}
    settings.update(week_start=config.week_start)
    couple = snapshot.couple
    backup = {
        "format": BACKUP_FORMAT,
        "version": BACKUP_VERSION,
        "couple": {
            "id": couple.id if couple is not None else None,
            "partners": [{"id": pid, "name": name} for pid, name in snapshot.names.items()],
            "aliases": dict(couple.aliases) if couple is not None else {},
        },
        "habits": [habit.as_dict() for habit in snapshot.habits],
        "checkins": [],  # written by checkins_block, as checkin_record's records would be
        "skips": [record for month in months for record in month[2]],
        "rituals": [record for month in months for record in month[3]],
        "config": settings,
        **({"private_notes": private} if private else {}),
    }
    written: dict[str, str | list[str]] = {"checkins": rows_pieces((month[1] for month in months), 2)}
    return indented_json(backup, flat=("skips",), encoded=written, end="\n")  # as json.dumps(indent=2, sort_keys=True)
