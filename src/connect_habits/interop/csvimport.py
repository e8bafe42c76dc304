"""A CSV of check-ins read as connect's (`connect import --from csv`): our own export, or a spreadsheet's.

The first row names the columns, in any order and case: `date` and `habit`, and optionally `minutes` (or
`amount`), `note` and `by`; other columns (our export's `source`) are left alone. Each row is one check-in.
A habit cell names a habit of this home (its name in any case, or its slug), or a habit to create as a daily
check habit (left out with `--create=no`, and said so). What `inert` added to a cell (a leading ' before a
formula's first character) comes off again, so `connect export --format csv` reads back as it was written.

A row that is already here (the same habit, day, amount, note and partner) adds nothing, and each row's
id comes from its content and how many such rows come before it: importing a file twice, or a home's own
export into it, adds only what is new. Everything is checked before anything is imported; a file that is not
such a CSV is refused with one sentence.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections import Counter, namedtuple
from dataclasses import dataclass
from datetime import date

from ..core.model import DAILY, NAME_MAX, NOTE_MAX, Goal, Habit, Snapshot, partner_id
from ..core.names import find_by_name
from ..core.words import counted, plain_number
from ..storage.records import MAX_AMOUNT, MAX_YEAR, MIN_YEAR
from .foreign import DONE, ForeignEntry, ForeignFile, ForeignHabit, _new, clean_text, refuse
from .importing import EVERY, Report, is_sqlite, is_zip

CSV_LABEL = "CSV"
_CSV_NAMESPACE = uuid.UUID("3f0c9b6e-8d2a-4e71-b5c4-61a7d90e2f38")
_NEEDED = ("date", "habit")
_KNOWN = ("date", "habit", "minutes", "amount", "note", "by", "source")
_SOURCE = re.compile(r"[a-z][a-z0-9_-]{0,19}")  # how a check-in came (cli, daemon, loop): our export's source column
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what csvfile.inert guards with a leading '
_DELIMITERS = (",", ";", "\t")  # ours writes commas; spreadsheets in some languages write semicolons or tabs
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _Row(namedtuple("_Row", "day name amount note by source", defaults=(None,))):
    """One check-in as the file has it, checked: `name` the habit cell cleaned, `note` cleaned as a stored note
    is, `by` the cell as written (trimmed), `source` our export's source column when it holds one."""

    __slots__ = ()


@dataclass
class _Target:
    """Where a habit cell's rows go: a habit of this home (`existing`), or one to create."""

    name: str
    existing: Habit | None
    rows: list[_Row]


def read_csv(
    raw: bytes, source: str, snapshot: Snapshot, create: bool = True, progress: Report | None = None
) -> ForeignFile:
    """Read and check a CSV of check-ins (`date,habit[,minutes|amount][,note][,by]`) for this home, changing nothing."""
    text = _decoded(raw, source)
    unit, rows, cut = _parse(text, source, progress)
    found = ForeignFile(CSV_LABEL, [], _CSV_NAMESPACE)
    found.inexact.extend(f"'{name}' cut to {NAME_MAX} characters" for name in cut)
    targets = _targets(rows, snapshot.habits)
    lacking = [t for t in targets if t.existing is None]
    if not create and lacking:
        listed = ", ".join(f"'{t.name}' ({len(t.rows)})" for t in lacking)
        total = sum(len(t.rows) for t in lacking)
        found.left_out.append(f"{counted(total, 'row')} of habits this home lacks (--create=no): {listed}")
        targets = [t for t in targets if t.existing is not None]
    mapper = _Partners(snapshot)
    here = _already_here(snapshot, [t.existing for t in targets if t.existing is not None])
    goal = Goal(minutes=1, per="day", unit="" if unit == "minutes" else "times")
    goal_habits: list[str] = []
    for target in targets:
        existing = target.existing
        habit = ForeignHabit(name=target.name, key=_fold(target.name), cadence=DAILY, existing=existing)
        measured = existing is not None and existing.measure is not None
        amounts = sum(1 for r in target.rows if r.amount is not None)
        if existing is None and amounts and amounts == len(target.rows):
            habit.goal, measured = goal, True  # every row has an amount: a goal habit keeps them all
            goal_habits.append(f"'{target.name}'")
        elif amounts and not measured:
            kind = "a check habit here" if existing is not None else "not every row has one"
            found.inexact.append(f"'{target.name}': {counted(amounts, 'amount')} kept in the notes ({kind})")
        habit.entries = _entries(target, unit, measured, mapper, here.get(existing.id) if existing else None)
        found.habits.append(habit)
    if goal_habits:
        what = "minutes" if unit == "minutes" else "amounts"
        found.inexact.append(
            f"{', '.join(goal_habits)} got a goal of {goal} to keep the {what} (a CSV holds no goals; "
            "`connect edit NAME --goal` sets the real one)"
        )
    found.inexact.extend(mapper.unknown_said())
    return found


def _decoded(raw: bytes, source: str) -> str:
    if is_zip(raw):
        raise refuse(
            source, "is a zip file, not a CSV of check-ins (a Loop Habit Tracker export is read with --from loop)"
        )
    if is_sqlite(raw):
        raise refuse(source, "is an SQLite database, not a CSV of check-ins (a Loop backup is read with --from loop)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse(source, "is not UTF-8 text (save the CSV as UTF-8 and import it again)") from None


def _parse(text: str, source: str, progress: Report | None) -> tuple[str | None, list[_Row], list[str]]:
    """(the amount column or None, the rows, the habit names cut to NAME_MAX), all checked."""
    import csv

    try:
        reader, column = _header(text, source)
        unit = "minutes" if "minutes" in column else "amount" if "amount" in column else None
        rows: list[_Row] = []
        cut: dict[str, None] = {}
        # A row is padded to the known columns and given one empty cell more, at its end: a column the file
        # lacks is read from there (-1), whatever other columns the row has.
        width = max(column.values()) + 1
        habit_at, amount_at, note_at, by_at, how_at, day_at = (
            column.get(name, -1) for name in ("habit", unit or "", "note", "by", "source", "date")
        )
        # A ten-year file names twenty habits, a few thousand days, amounts and notes: each distinct cell is read once.
        names: dict[str, str] = {}
        amounts: dict[str, float | int | None] = {}
        days: dict[str, date] = {}
        notes: dict[str, str] = {"": ""}
        bys: dict[str, str] = {"": ""}
        origins: dict[str, str | None] = {}
        end = reader.line_num
        for number, cells in enumerate(reader):
            if progress is not None and number and number % EVERY == 0:
                progress(number, None, "rows read")
            line, end = end + 1, reader.line_num
            if not (cells and cells[0].strip()) and not "".join(cells).strip():  # a row of empty cells
                continue
            if len(cells) < width:
                cells += [""] * (width - len(cells))
            cells.append("")
            habit_cell, amount_cell, note_cell = cells[habit_at], cells[amount_at], cells[note_at]
            by_cell, how, day_cell = cells[by_at], cells[how_at], cells[day_at]
            name = names.get(habit_cell)
            if name is None:
                full = clean_text(uninert(habit_cell), 10 * NAME_MAX)
                if not full:
                    raise refuse(source, f"has no habit name on line {line}")
                name = names[habit_cell] = clean_text(full, NAME_MAX)
                if name != full:
                    cut.setdefault(name)
            amount = None
            if unit:
                amount = amounts[amount_cell] if amount_cell in amounts else _amount(amount_cell, unit, line, source)
                amounts[amount_cell] = amount
            note = notes.get(note_cell)
            if note is None:
                text = uninert(note_cell).replace("\r\n", "\n").replace("\r", "\n")
                note = notes[note_cell] = clean_text(text, NOTE_MAX, newlines=True)
            by = bys.get(by_cell)
            if by is None:
                by = bys[by_cell] = uninert(by_cell).strip()
            origin = origins.get(how, "")
            if origin == "":
                origin = origins[how] = how.strip() if _SOURCE.fullmatch(how.strip()) else None
            day = days.get(day_cell)
            if day is None:
                day = days[day_cell] = _day(day_cell, line, source)
            rows.append(_new(_Row, (day, name, amount, note, by, origin)))
    except csv.Error as error:
        raise refuse(source, f"is not a CSV file that can be read ({error})") from None
    return unit, rows, list(cut)


def _header(text: str, source: str):
    """The reader past the header row, and where each known column is (by its name in lower case)."""
    import csv
    import io

    first: list[str] | None = None
    for delimiter in _DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = next((row for row in reader if any(cell.strip() for cell in row)), None)
        if header is None:
            raise refuse(source, "is empty: a CSV of check-ins starts with a row naming its columns (date, habit, …)")
        names = [cell.strip().strip("\ufeff").casefold() for cell in header]
        if first is None:
            first = names
        if all(n in names for n in _NEEDED):
            break
    else:
        missing = [n for n in _NEEDED if n not in (first or [])]
        raise refuse(
            source,
            f"has no {' and '.join(missing)} column{'s' if len(missing) > 1 else ''} (its first row must name "
            "the columns: date, habit, and if it has them minutes or amount, note, by)",
        )
    column: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in _KNOWN:
            if name in column:
                raise refuse(source, f"names the column '{name}' twice")
            column[name] = i
    if "minutes" in column and "amount" in column:
        raise refuse(source, "has both a minutes and an amount column (keep one of them)")
    return reader, column


def uninert(cell: str) -> str:
    """A cell as it was before csvfile.inert: a leading ' before a formula's first character comes off."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in _FORMULA_STARTS else cell


def _shown(cell: str) -> str:
    """A cell for a one-line message: one line, not too long."""
    return clean_text(cell, 40)


def _day(cell: str, line: int, source: str) -> date:
    text = cell.strip()
    if not _DAY.fullmatch(text):
        raise refuse(source, f"has '{_shown(cell)}' on line {line}, which is not a date (YYYY-MM-DD)")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise refuse(source, f"has '{text}' on line {line}, which is not a real date") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise refuse(source, f"has '{text}' on line {line}, a year connect does not keep ({MIN_YEAR} to {MAX_YEAR})")
    return day


def _amount(cell: str, unit: str, line: int, source: str) -> float | int | None:
    text = cell.strip()
    if not text:
        return None
    value = float(text) if _NUMBER.fullmatch(text) else -1.0
    if not 0 <= value <= MAX_AMOUNT:
        raise refuse(
            source, f"has '{_shown(cell)}' as the {unit} on line {line}, which is not a number from 0 to {MAX_AMOUNT}"
        )
    return plain_number(value)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def _targets(rows: list[_Row], habits: list[Habit]) -> list[_Target]:
    """The rows by the habit they go to, in the order the file first names each: one target per habit."""
    slugs = {h.slug: h for h in habits}
    targets: dict[str, _Target] = {}
    named: dict[str, str] = {}  # a folded habit cell → its target's key
    folds: dict[str, str] = {}
    for row in rows:
        folded = folds.get(row.name)
        if folded is None:
            folded = folds[row.name] = _fold(row.name)
        key = named.get(folded)
        if key is None:
            habit = find_by_name(habits, row.name) or slugs.get(folded)
            key = named[folded] = f"id:{habit.id}" if habit is not None else f"new:{folded}"
            if key not in targets:
                targets[key] = _Target(habit.name if habit is not None else row.name, habit, [])
        targets[key].rows.append(row)
    return list(targets.values())


class _Partners:
    """A `by` cell as a partner of this home's couple (their stored id), and the names that are none."""

    def __init__(self, snapshot: Snapshot):
        self.snapshot = snapshot
        self.names = {unicodedata.normalize("NFC", n).casefold(): pid for pid, n in snapshot.names.items()}
        self.unknown: Counter[str] = Counter()

    def find(self, text: str) -> str | None:
        """The stored id of the partner `text` names (their name in any case, an earlier name, or their id)."""
        if not text:
            return None
        pid = self.names.get(unicodedata.normalize("NFC", text).strip().casefold())
        couple = self.snapshot.couple
        if pid is None and couple is not None:
            for candidate in (couple.resolve(partner_id(text)), couple.resolve(text)):
                if candidate in couple.names:
                    return candidate
        return pid

    def unknown_said(self) -> list[str]:
        """What happened to check-ins whose `by` names no partner here, for the summary."""
        if not self.unknown:
            return []
        me, couple = self.snapshot.me, self.snapshot.couple
        whose = f"{couple.name(me)}'s" if me and couple is not None else "nobody's in particular"
        listed = ", ".join(f"'{_shown(name)}'" for name in self.unknown)
        many = len(self.unknown) > 1
        return [
            f"{counted(sum(self.unknown.values()), 'check-in')} by {listed} "
            f"({'not partners' if many else 'not a partner'} here) logged as {whose}"
        ]


_Content = tuple[date, float | int | None, str, str | None]


def _already_here(snapshot: Snapshot, habits: list[Habit]) -> dict[str, Counter[_Content]]:
    """For each of `habits`, how many of its check-ins have each content (day, amount, note, partner)."""
    ids = {h.id for h in habits}
    couple = snapshot.couple
    here: dict[str, Counter[_Content]] = {}
    for c in snapshot.checkins:
        if c.habit_id in ids:
            by = couple.resolve(c.by) if couple is not None else c.by
            content = (c.day, None if c.minutes is None else plain_number(c.minutes), c.note, by)
            here.setdefault(c.habit_id, Counter())[content] += 1
    return here


def _entries(
    target: _Target, unit: str | None, measured: bool, partners: _Partners, here: Counter[_Content] | None
) -> list[ForeignEntry]:
    """The target's rows as check-ins, but those already here; each keyed by its content and occurrence."""
    me = partners.snapshot.me
    seen: dict[tuple, int] = {}  # the rows so far with each content as the file has it
    matched: Counter[_Content] = Counter()  # the check-ins here that earlier rows turned out to be
    entries = []
    # A file repeats a few amounts, notes and partners over 73,000 rows: what each triple gives is made once.
    # (Amounts are plain numbers, _amount's: a whole one is an int, so 1 and 1.0 never meet as keys.)
    made: dict[tuple, tuple] = {}
    kinds: dict[tuple, int] = {}  # the content a row is counted by (the partner as the file folds it): a number
    unknown: Counter[str] = Counter()  # rows by a name that is not a partner here
    for day, _, amount, note, cell, source in target.rows:
        triple = (amount, note, cell)
        found = made.get(triple)
        if found is None:
            by, fold = partners.find(cell), _fold(cell)
            written = (amount, note, fold)
            # the digest's text, made of these: 1 and 1.0 differ there
            digest = hashlib.sha256(repr(written).encode()).hexdigest()[:16]
            kept_amount, kept_note = amount, note
            if amount is not None and not measured:
                said = f"{amount} min" if unit == "minutes" else f"amount {amount}"
                kept_amount, kept_note = None, f"{said}: {note}" if note else said
            found = made[triple] = (by, kinds.setdefault(written, len(kinds)), f"/{digest}/", kept_amount, kept_note)
        by, kind, prefix, kept_amount, kept_note = found
        counted_as = (day, kind)
        occurrence = seen.get(counted_as, 0)
        seen[counted_as] = occurrence + 1
        if here is not None:
            content = (day, amount, note, by or me)
            if matched[content] < here[content]:
                matched[content] += 1  # this check-in is here already (logged here, or an earlier import)
                continue
        if by is None and cell:  # said of the rows this import adds, not of those already here
            unknown[cell] += 1
        entries.append(_new(ForeignEntry, (day, DONE, kept_amount, kept_note, by, f"{prefix}{occurrence}", source)))
    partners.unknown.update(unknown)
    return entries
