"""Our own JSON backup: a versioned file with every habit, check-in, skip and the couple's settings.

`export_json` (backupfile.py) is a pure function over a snapshot; `import_backup` reads and checks the whole file
first and refuses bad input with one sentence before it changes anything, then goes through the
store transaction, so it works alike in a private and in a shared home.
"""

from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Sequence

from ..core.couple import check_partner_names
from ..core.model import CheckIn, Habit, parse_time, partner_id
from ..core.names import Taken
from ..core.order import next_position
from ..errors import ConnectError, InvalidInput, UsageError
from ..storage.bulkrecords import checked_checkins
from ..storage.private import checked_notes
from ..storage.records import (
    RecordError,
    checked_checkin,
    checked_ritual,
    checked_skip,
    habit_from_fields,
)
from .backupfile import BACKUP_FORMAT, BACKUP_VERSION
from .backupsettings import backup_config
from .backupsettings import not_a_backup as _not_a_backup
from .importing import EVERY, BeforeAdding, ImportSummary, Report, add_checkins, fit_in, known_ids
from .jsontext import past_64_bits, quick_loads, type_problem


class _Backup(
    namedtuple(
        "_Backup",
        "habits checkins skips config partners couple_id aliases rituals private",
        defaults=(None, None, (), None),
    )
):
    """A backup read and checked: `partners` id -> name; `rituals` (newer backups only) check-ins for two,
    answers and messages; `private` record id -> its private words (storage/private.py). A tuple: the
    restore's path does without importing dataclasses."""

    __slots__ = ()


TYPE_CHECKING = False  # typing's flag without importing typing: type checkers read it by name
if TYPE_CHECKING:
    from typing import TypeGuard


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_backup(raw: bytes, source: str = "The file", progress: Report | None = None) -> _Backup:
    """Read and check a whole backup; anything unexpected is refused with one sentence (`progress` hears how far).

    Read by orjson where it can, and taken when it passes every check and holds no float that json could have
    read as an integer (the check-ins' and skips' fields are each checked for their type: there a float that
    big is refused); otherwise read again by json, which says what is wrong as it always did.
    """
    data = quick_loads(raw)
    if isinstance(data, dict):
        try:
            backup = _checked_backup(data, source, progress)
            small = {key: value for key, value in data.items() if key not in ("checkins", "skips")}
            if not past_64_bits(small):
                return backup
        except ConnectError:
            pass  # json's reading says what is wrong
        progress = None  # told once already
    return _checked_backup(_json_loads(raw, source), source, progress)


def _json_loads(raw: bytes, source: str) -> object:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_a_backup(source, "it is not UTF-8 text") from None
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        where = f" at line {error.lineno}, column {error.colno}" if isinstance(error, json.JSONDecodeError) else ""
        raise _not_a_backup(source, f"it is not valid JSON{where}") from None


def _checked_backup(data: object, source: str, progress: Report | None) -> _Backup:
    if not isinstance(data, dict) or data.get("format") != BACKUP_FORMAT:
        raise _not_a_backup(
            source, f'it does not say "format": "{BACKUP_FORMAT}"; make one with `connect export --format json`'
        )
    version = data.get("version")
    if not _is_int(version) or version < 1:
        raise _not_a_backup(source, "its version is not a positive whole number")
    if version > BACKUP_VERSION:
        raise ConnectError(
            f"{source} was written by a newer connect (backup version {version}; this one reads "
            f"up to {BACKUP_VERSION}); upgrade connect to import it."
        )
    missing = [key for key in ("habits", "checkins", "skips", "config") if key not in data]
    if missing:
        raise _not_a_backup(source, f"it lacks {', '.join(repr(k) for k in missing)}")
    for key in ("habits", "checkins", "skips"):
        if not isinstance(data[key], list) or not all(isinstance(r, dict) for r in data[key]):
            raise _not_a_backup(source, f"'{key}' is not a list of records")
    habits = [_backup_habit(source, n, record) for n, record in enumerate(data["habits"], start=1)]
    _unique_ids(source, "habit", habits)
    known = {h.id for h in habits}
    checkins = _backup_checkins(source, data["checkins"], known, progress)
    skips = [
        _backup_record(source, "skip", n, record, checked_skip, known, _SKIP_TYPES)
        for n, record in enumerate(data["skips"], start=1)
    ]
    _unique_ids(source, "check-in", checkins)
    _unique_ids(source, "skip", skips)
    _unique_names(source, habits)
    config = backup_config(source, data["config"])
    if version == 1:  # the partners were names in the settings
        named = config.pop("partners", [])
        try:
            names = {partner_id(n): n for n in check_partner_names(named)}
        except (InvalidInput, UsageError) as error:
            raise _not_a_backup(source, f"its partners will not do: {error.message}") from None
        _check_who(source, habits, checkins, names, {})
        return _Backup(habits, checkins, skips, config, names)
    couple = data.get("couple")
    if not isinstance(couple, dict):
        raise _not_a_backup(source, "it lacks 'couple'")
    partners = couple.get("partners", [])
    if not isinstance(partners, list) or not all(
        isinstance(p, dict) and isinstance(p.get("id"), str) and isinstance(p.get("name"), str) for p in partners
    ):
        raise _not_a_backup(source, "the partners in 'couple' are not a list of ids and names")
    try:
        names = dict(zip((p["id"] for p in partners), check_partner_names([p["name"] for p in partners])))
        if not all(pid.startswith("p:") and len(pid) <= 90 for pid in names):
            raise InvalidInput("a partner's id is not one connect makes")
    except (InvalidInput, UsageError) as error:
        raise _not_a_backup(source, f"its partners will not do: {error.message}") from None
    aliases = couple.get("aliases", {})
    if not isinstance(aliases, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in aliases.items()):
        raise _not_a_backup(source, "the aliases in 'couple' are not ids")
    couple_id = couple.get("id")
    if couple_id is not None and not isinstance(couple_id, str):
        raise _not_a_backup(source, "the couple's id is not text")
    config.pop("partners", None)
    _check_who(source, habits, checkins, names, aliases)
    try:
        private = checked_notes(data.get("private_notes", {}))
    except ValueError as error:
        raise _not_a_backup(source, f"its private notes will not do: {error}") from None
    return _Backup(habits, checkins, skips, config, names, couple_id, aliases, _backup_rituals(source, data), private)


def _backup_checkins(source: str, records: list, habits: set[str], progress: Report | None) -> list[CheckIn]:
    """The check-ins of a backup, checked EVERY at a time in one loop (storage/bulkrecords.py), one by one where
    that finds something wrong: then the first wrong one is said. `progress` hears of each EVERY as before."""
    checkins: list[CheckIn] = []
    for start in range(0, len(records), EVERY):
        part = records[start : start + EVERY]
        fast = checked_checkins(part, habits)
        if fast is None:
            fast = [
                _backup_record(source, "check-in", n, record, checked_checkin, habits, _CHECKIN_TYPES)
                for n, record in enumerate(part, start=start + 1)
            ]
        checkins += fast
        if progress is not None and start + EVERY < len(records):
            progress(start + EVERY, len(records), "check-ins checked")
    return checkins


def _backup_rituals(source: str, data: dict) -> list:
    """The ritual records of a backup, each checked as a partner's file is; one that fails refuses the file."""
    records = data.get("rituals", [])
    if not isinstance(records, list):
        raise _not_a_backup(source, "'rituals' is not a list")
    rituals = []
    for n, record in enumerate(records, start=1):
        try:
            if not isinstance(record, dict):
                raise RecordError("not a record")
            rituals.append(checked_ritual(record))
        except RecordError as error:
            raise _not_a_backup(source, f"ritual record {n} will not do: {error}") from None
    _unique_ids(source, "ritual", rituals)
    return rituals


def _unique_names(source: str, habits: list[Habit]) -> None:
    from ..core.names import find_by_name

    for n, habit in enumerate(habits):
        twin = find_by_name(habits[:n], habit.name)
        if twin is not None:
            raise _not_a_backup(source, f"two habits are named '{twin.name}'")


def _check_who(source: str, habits: list[Habit], checkins: list[CheckIn], names: dict, aliases: dict) -> None:
    """Every partner a habit or a check-in names is one of the backup's partners (by id, or by name in version 1)."""
    known = set(names) | set(aliases) | {n.casefold() for n in names.values()}

    def known_partner(value: str) -> bool:
        return value in known or value.casefold() in known or partner_id(value) in known

    for n, habit in enumerate(habits, start=1):
        if habit.who not in ("together", "each") and not known_partner(habit.who):
            raise _not_a_backup(source, f"habit {n} belongs to '{habit.who}', who is not one of its partners")
    partners = {checkin.by for checkin in checkins}  # a few, in 73,000 check-ins: each is looked up once
    if all(by is None or known_partner(by) for by in partners):
        return
    for n, checkin in enumerate(checkins, start=1):
        if checkin.by is not None and not known_partner(checkin.by):
            raise _not_a_backup(source, f"check-in {n} was logged by '{checkin.by}', who is not one of its partners")


_TEXT, _OPTIONAL_TEXT, _OPTIONAL_INT = (str,), (str, type(None)), (int, type(None))
_OPTIONAL_NUMBER = (int, float, type(None))  # an amount may have decimals (2.5 pages)
_CHECKIN_TYPES = {
    "id": _TEXT,
    "habit": _TEXT,
    "date": _TEXT,
    "minutes": _OPTIONAL_NUMBER,
    "note": _TEXT,
    "logged_at": _TEXT,
    "source": _TEXT,
    "by": _OPTIONAL_TEXT,
}
_SKIP_TYPES = {"id": _TEXT, "habit": _TEXT, "date": _TEXT, "reason": _TEXT}
_HABIT_TYPES = {
    "id": _TEXT,
    "name": _TEXT,
    "slug": _TEXT,
    "cadence": _TEXT,
    "created": _TEXT,
    "archived": (bool,),
    "at": (list,),
    "prompts": (list,),
    "note": _TEXT,
    "who": _TEXT,
    "template": _OPTIONAL_TEXT,
    "goal": (dict, type(None)),
    "starts": _OPTIONAL_TEXT,
    "ends": _OPTIONAL_TEXT,
    "group": _OPTIONAL_TEXT,
    "position": (int,),
}


# Fields a record may leave out (restored with their defaults); every other one must be there.
_OPTIONAL_FIELDS = frozenset(
    "minutes note logged_at source by reason goal at archived template prompts who starts ends group position".split()
)


def _check_types(source: str, what: str, number: int, record: dict, types: dict) -> None:
    problem = type_problem(record, types, _OPTIONAL_FIELDS)
    if problem is not None:
        raise _not_a_backup(source, f"{what} {number} {problem}")


def _backup_habit(source: str, number: int, record: dict) -> Habit:
    _check_types(source, "habit", number, record, _HABIT_TYPES)
    if not record["id"]:
        raise _not_a_backup(source, f"habit {number} has an empty id")
    try:
        habit = habit_from_fields(record["id"], record, checked=True)
        if any(parse_time(t) != t for t in habit.at):
            raise RecordError("a reminder time is not HH:MM")
    except (RecordError, InvalidInput) as error:
        raise _not_a_backup(source, f"habit {number} does not parse: {error}") from None
    return habit


def _backup_record(source: str, what: str, number: int, record: dict, parse, habits: set[str], types: dict):
    _check_types(source, what, number, record, types)
    try:
        parsed = parse(record)
    except RecordError as error:
        raise _not_a_backup(source, f"{what} {number} does not parse: {error}") from None
    if not parsed.id:
        raise _not_a_backup(source, f"{what} {number} has an empty id")
    if parsed.habit_id not in habits:
        raise _not_a_backup(source, f"{what} {number} belongs to a habit the backup does not hold")
    if getattr(parsed, "minutes", None) is not None and parsed.minutes < 0:
        raise _not_a_backup(source, f"{what} {number} has negative minutes")
    return parsed


def _unique_ids(source: str, what: str, records: Sequence) -> None:
    ids = [record.id for record in records]
    if len(set(ids)) == len(ids):  # ten years: 73,000 ids in one set, made in C
        return
    seen: set[str] = set()
    for id_ in ids:
        if id_ in seen:
            raise _not_a_backup(source, f"two {what}s share the id {id_}")
        seen.add(id_)


def import_backup(
    transaction,
    raw: bytes,
    merge: bool,
    source: str = "The file",
    progress: Report | None = None,
    before_adding: BeforeAdding | None = None,
) -> ImportSummary:
    """Restore a backup into an empty home, or (with `merge`) add what a non-empty home lacks.

    Restoring keeps every id and field. Merging adds the habits, check-ins and skips whose ids
    are not here yet: a habit with the same id is left as it is, so importing a file twice
    changes nothing. A merged habit whose name is taken here gets " (imported)" added. `progress` hears how far;
    `before_adding` is given the new check-ins and skips once the habits are in the snapshot.
    """
    backup = parse_backup(raw, source, progress)
    snapshot = transaction.snapshot
    taken = Taken(snapshot.habits)
    empty = not snapshot.habits and not snapshot.checkins and not snapshot.skips
    if not empty and not merge:
        raise ConnectError(
            f"This home already has habits; add --merge to add what {source} holds "
            "without duplicates (or import it into an empty home to restore it)."
        )
    summary = ImportSummary(restored=empty, config=backup.config if empty else None)
    _take_couple(transaction, backup, restore=empty)
    habit_ids, checkin_ids, skip_ids = known_ids(transaction)
    place = next_position(snapshot.habits)  # a merged habit goes after this home's own
    live = {h.id for h in snapshot.habits}
    for habit in backup.habits:
        if habit.id in habit_ids:
            summary.already += int(habit.id in live)
            continue
        if not empty:
            habit = fit_in(habit, taken, "imported", summary)._replace(position=place)
            place += 1
        transaction.add_habit(habit)
        snapshot.habits.append(habit)
        live.add(habit.id)
        summary.habits += 1
    skipped_days = {(s.habit_id, s.day) for s in snapshot.skips}
    new_checkins = [c for c in backup.checkins if c.id not in checkin_ids and c.habit_id in live]
    new_skips = []
    for skip in backup.skips:
        if skip.id not in skip_ids and skip.habit_id in live and (skip.habit_id, skip.day) not in skipped_days:
            skipped_days.add((skip.habit_id, skip.day))
            new_skips.append(skip)
    if before_adding is not None:
        before_adding(summary, new_checkins, new_skips)
    add_checkins(transaction, new_checkins, progress)
    summary.checkins = len(new_checkins)
    transaction.add_skips(new_skips)
    snapshot.skips.extend(new_skips)
    summary.skips = len(new_skips)
    known = {r.id for r in snapshot.rituals}
    for ritual in backup.rituals:
        if ritual.id not in known:
            transaction.put_ritual(ritual)
    if backup.private:  # in the same commit: the private words of what came in, on this machine only
        transaction.private.add(backup.private, snapshot)
    return summary


def _take_couple(transaction, backup: _Backup, restore: bool) -> None:
    """The backup's partners (and merged ghosts) join this home's couple; a partner already here keeps their name.

    A restore takes the backup's couple id too, so the restored home is the same couple as the one backed up.
    """
    from ..core.couple import ALIAS_KEY, COUPLE_KEY, PARTNER_KEY

    snapshot = transaction.snapshot
    taken = {name.casefold() for name in snapshot.names.values()}
    for pid, name in backup.partners.items():
        if pid not in snapshot.names and name.casefold() not in taken:
            transaction.change_couple(PARTNER_KEY + pid, name)
            taken.add(name.casefold())
    couple = snapshot.couple
    for ghost, target in (backup.aliases or {}).items():
        if couple is not None and ghost not in couple.aliases:
            transaction.change_couple(ALIAS_KEY + ghost, target)
    if backup.couple_id and couple is not None and (couple.id is None or (restore and couple.id != backup.couple_id)):
        transaction.change_couple(COUPLE_KEY, backup.couple_id)
    if restore and backup.couple_id is None and not backup.partners:
        return  # a home that never named its couple is restored as it was (its next export is the same file)
    transaction.keep_couple()
