"""The store: files per device, an inter-process lock, atomic writes, a schema version.

This device writes only its own files; reading merges every device's files (merge.py). Every transaction
takes the lock, re-reads the files inside it and writes each changed file once, atomically, at the end.
The main file (`connect.json`; shared: `connect-<device id>.json`) holds the habits' change records and
running sessions; check-ins, skips and undos live in one file per month beside it (`connect.2026-11.json`),
so a write costs the same after ten years as after one week, and a command reads the recent months and
the summary cache (cache.py), not years. Schema 2 files (all in the main file) are split on the next write.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from ..core.folds import fold_point, month_start
from ..core.model import Habit, Snapshot
from ..core.words import counted
from ..errors import DataFileError
from .cache import CACHE_FILE, SummaryCache
from .fileio import check_writable, finish_commit, locked, read_bytes
from .files import (
    CHECKINS,
    HISTORY_TABLES,
    META,
    SCHEMA_VERSION,
    SESSIONS,
    SKIPS,
    DeviceFiles,
    Reading,
    check_month,
    decode,
    device_of,
    habits_named,
    meta_of,
    parse_device,
    records_of,
    unreadable,
    upgrade,
    with_history,
)
from .layout import (
    JOURNAL_FILE,
    OWN_RECORD,
    SLICES_DIR,
    Layout,
    conflict_copies,
    folder_listing,
    month_file,
    month_files,
    month_of,
    months_of,
    new_device_id,
)
from .merge import DeviceData, merge
from .otherfiles import read_conflict_copies, read_other_mains
from .ownrecord import OwnRecord
from .paths import Paths, ensure_private_dir
from .records import RecordError
from .sealing import KEY_MADE_THERE, home_layout, refresh_secret, secret_of
from .slices import MonthSlices

TYPE_CHECKING = False  # typing's flag without importing typing: type checkers read it by name
if TYPE_CHECKING:
    from .transaction import Transaction


STAMP_LEAD_MS = 24 * 3600 * 1000  # how far ahead of this machine's clock another's stamps may run


class Store:
    """This device's data files, the other devices' files it reads, and the summary cache."""

    def __init__(self, paths: Paths, config=None, layout: Layout | None = None):
        self.paths, self.layout = paths, layout or home_layout(paths, config)
        self.path: Path = self.layout.own_file
        self.lock_path: Path = self.layout.lock_file
        self.cache_path: Path = paths.data_dir / CACHE_FILE
        self.journal: Path = paths.data_dir / JOURNAL_FILE
        # Shared, this machine keeps its own record of what it wrote there: a stale copy put back is noticed.
        self.record = OwnRecord(paths.data_dir / OWN_RECORD) if self.layout.folder is not None else None
        self.restored: list[str] = []  # files put back from that record by this store (said as warnings)
        self.first_weekday: int = getattr(config, "first_weekday", 0) if config is not None else 0
        # A diagnosis switch (and the tests' reference): read every month, never the summary cache.
        self.summaries = os.environ.get("CONNECT_NO_SUMMARY", "") != "1"

    def load(
        self, since: date | None = None, today: date | None = None, select=None, as_of: date | None = None
    ) -> Snapshot:
        """Read without the lock: writers replace files atomically, so each read is consistent.

        Without `since`, everything. With it, the check-ins and skips from `since` on (from the first of this
        month when `since` is in it, else at the latest from the first of last month), and each habit's fold
        up to there. `select(habits)` may name the ids of the habits whose check-ins and skips the command
        needs (None: all); the others' are not parsed. Every habit and fold is there still. `as_of`: the
        earliest day whose standing (streak, best runs) the command shows; one before the first of last
        month is before the folds: the whole history is read then.
        """
        if self.journal.exists():  # a commit a killed process left half done: finish it first
            with locked(self.lock_path):
                finish_commit(self.journal)
        try:
            return self._read(self.reading_from(since, today, as_of), today, select, sliced=True).snapshot
        except _WentBack as went:
            with locked(self.lock_path):
                self._put_back(went.names, went.damaged)
            return self.load(since, today, select, as_of)

    @staticmethod
    def reading_from(since: date | None, today: date | None, as_of: date | None) -> date | None:
        """The first day to read for a command that looks from `since` and shows standings from `as_of`."""
        if since is not None and as_of is not None and as_of < fold_point(today or since):
            return None  # before the folds: only the whole history knows how things stood then
        return since

    @contextlib.contextmanager
    def transaction(self, since: date | None = None, today: date | None = None, select=None) -> Iterator[Transaction]:
        """Lock, re-read (as `load`), let the block change things, then write the changed files atomically."""
        note = ensure_private_dir(self.lock_path.parent)
        if note is not None and note not in self.restored:
            self.restored.append(note)
        with locked(self.lock_path):
            finish_commit(self.journal)
            refresh_secret(self.paths, self.layout.folder)
            check_writable(self.path)
            try:
                reading = self._read(since, today, select)
            except _WentBack as went:
                self._put_back(went.names, went.damaged)
                reading = self._read(since, today, select)
            # New stamps follow the newest seen, but not one from a clock far ahead (or damage): it would carry on.
            ceiling = int(time.time() * 1000) + STAMP_LEAD_MS
            stamp = max((s for d in [reading.own, *reading.others] for s in d.stamps() if s <= ceiling), default=0)
            from .transaction import Transaction  # a command that only reads does not load the writing side

            transaction = Transaction(self.path, reading, stamp, self.journal, self.record)
            transaction.split_history()
            for _, copy in reading.copies:  # a conflict copy of this device's own file: take in what it has
                if copy.device == reading.own.device:
                    transaction.adopt(copy, None)
            yield transaction
            transaction.save()

    def _own_data(self) -> dict:
        raw = read_bytes(self.path)
        if raw is None:
            # A main file moved aside (damaged) leaves its months: the new one takes their device, so they still fit.
            device = self.layout.device or self._device_of_months() or new_device_id()
            return {META: {"1": {"schema": SCHEMA_VERSION, "device": device, "partner": self.layout.me}}}
        try:
            return upgrade(self.path, decode(self.path, raw), self.layout)
        except DataFileError as error:
            if self._has_other_copy(self.path, raw):
                raise _WentBack([self.path.name], damaged=True) from None
            raise DataFileError(f"{error.message} {self._recovery()}") from None

    def _has_other_copy(self, path: Path, raw: bytes) -> bool:
        return self.record is not None and self.record.holds_other(path.name, raw)

    def _device_of_months(self) -> str | None:
        for path in month_files(self.path).values():
            try:
                device = meta_of(decode(path, read_bytes(path) or b"")).get("device")
            except DataFileError:
                continue
            if isinstance(device, str) and device:
                return device
        return None

    def _recovery(self) -> str:
        """What to do about a damaged own file: the way back this home has."""
        if self.record is not None and self.record.copy_of(self.path.name) is not None:  # a record to put back
            return (
                f"To recover, move it aside (mv {self.path} {self.path}.damaged): connect then puts back "
                "the copy this machine last wrote."
            )
        return f"To recover, move it aside (mv {self.path} {self.path}.damaged) and bring back your last backup with `connect import FILE`."

    def device_files(self) -> tuple[DeviceFiles, list[DeviceFiles], list[str], list[str]]:
        """This device's files (checked against its record, when shared), the others', their warnings, the listing."""
        own_main = self._own_data()
        listing = folder_listing(self.path.parent)
        own_files = DeviceFiles(self.path, own_main, months_of(self.path, listing))
        if self.record is not None:
            self._check_own(own_main, listing)
        others, warnings = read_other_mains(self.layout, listing if self.layout.folder else None)
        return own_files, others, warnings, listing

    def _read(self, since: date | None, today: date | None, select=None, sliced: bool = False) -> Reading:
        since = since if self.summaries else None
        own_files, others, warnings, listing = self.device_files()
        copies = read_conflict_copies(self.layout.folder, listing, warnings) if self.layout.folder else []
        if self.layout.folder and secret_of(self.layout.folder) is None and any(n.endswith(".key") for n in listing):
            warnings.append(KEY_MADE_THERE)  # the other device is sealing the folder: this one needs the code
        if copies:  # a conflict copy may hold any month's records, any habit's: the folds do not know them
            since, select = None, None
        at = None
        if since is not None:
            today = today or since
            at = month_start(today) if since >= month_start(today) else fold_point(today)
        first_month = None if at is None or since is None else min(month_of(since), month_of(at))
        keep = select(self._habits_of(own_files, others)) if select is not None else None
        reading = self.read_months(own_files, others, first_month, warnings, keep=keep, copies=copies, sliced=sliced)
        if at is not None and today is not None:
            cache = SummaryCache(self.cache_path, self.first_weekday, self.read_months)
            reading = cache.attach(reading, own_files, others, at, today, warnings)
        return reading

    def _check_own(self, own_main: dict, listing: list[str]) -> None:
        """Raise _WentBack when this device's main file, or a month file it wrote, is older than it wrote them."""
        assert self.record is not None
        names = set(listing)
        gone = [name for name in self.record.files if name not in names and name.startswith(self.path.stem)]
        if self.path.name in names and self.record.went_back(self.path.name, meta_of(own_main).get("seq")):
            gone.append(self.path.name)
        if gone:
            raise _WentBack(gone)

    def _put_back(self, names: list[str], damaged: bool = False) -> None:
        """Put back the files of this device that went back in time (or do not open), from this machine's record."""
        assert self.record is not None
        self.restored += self.record.put_back(self.path.parent, names, self.journal, _opens, damaged)

    def habits_alone(self) -> list[Habit] | None:
        """The habits from the main files (a completion's), or None when only the whole read can tell them."""
        if self.journal.exists() or not self.summaries:  # also a conflict copy, a file gone back, a warning
            return None
        try:
            own, others, warnings, listing = self.device_files()
        except (_WentBack, DataFileError):
            return None
        unknown_key = self.layout.folder is not None and secret_of(self.layout.folder) is None
        if warnings or self.restored or conflict_copies(listing) or unknown_key:
            return None
        return self._habits_of(own, others, strict=self.layout.folder is None) or None

    def _habits_of(self, own_files: DeviceFiles, others: list[DeviceFiles], strict: bool = False) -> list[Habit]:
        """The habits alone, from the main files (an unreadable one shows up again in the full read)."""
        try:
            mains = [f for f in [own_files, *others] if f.data is not None]
            tables = [{k: v for k, v in f.data.items() if k not in HISTORY_TABLES} for f in mains]
            devices = [parse_device(f.main, data, self.layout, f.expected) for f, data in zip(mains, tables)]
            return merge(devices, device_of(own_files.data), (), strict=strict).habits
        except (DataFileError, RecordError):
            return []

    def read_months(
        self,
        own_files: DeviceFiles,
        others: list[DeviceFiles],
        first_month: str | None,
        warnings: list[str],
        last_month: str | None = None,
        keep: set[str] | None = None,
        copies: list[tuple[Path, str | None, dict]] | None = None,
        sliced: bool = False,
    ) -> Reading:
        """Each device's history from `first_month` (all of it when None) up to `last_month`, merged.

        `keep`: only the check-ins and skips of these habits (None: all). `sliced`: from the months' slices
        (slices.py; a read without the lock only, never one that rewrites months). `copies`: conflict copies
        (path, month or None, data), read as more of the device they copy.
        """

        def wanted(month: str) -> bool:
            return (first_month is None or month >= first_month) and (last_month is None or month <= last_month)

        slices = MonthSlices(self.paths.data_dir / SLICES_DIR if sliced and self.summaries else None, keep)

        own_months = {}
        for month in own_files.months:
            if wanted(month):
                path = month_file(own_files.main, month)
                raw = b""
                try:
                    data = slices.read(path)
                    if data is None:
                        raw = read_bytes(path) or b""
                        data = slices.decode(path, raw)
                    check_month(path, data, device_of(own_files.data), month)
                except DataFileError as error:
                    if self._has_other_copy(path, raw):
                        raise _WentBack([path.name], damaged=True) from None
                    raise DataFileError(
                        f"{error.message} To recover, move it aside (mv {path} {path}.damaged): the rest reads "
                        "as before, and `connect import FILE --merge` brings that month back from your last backup."
                    ) from None
                if self.record is not None and self.record.went_back(path.name, meta_of(data).get("seq")):
                    raise _WentBack([path.name])
                own_months[month] = data
        own = parse_device(self.path, with_history(own_files.data, own_months.values(), wanted, keep), self.layout)
        devices = []
        warnings = list(warnings)
        for files in others:
            if files.data is None:  # its main file cannot be read this time (warned about already)
                continue
            months = []
            for month in files.months:
                if not wanted(month):
                    continue
                path = month_file(files.main, month)
                try:
                    data = slices.month(path)
                    check_month(path, data, files.expected, month)
                    months.append(data)
                except DataFileError as error:
                    warnings.append(f"{unreadable(path, error)}; it is skipped until it can")
            try:
                device = parse_device(
                    files.main,
                    with_history(files.data, months, wanted, keep),
                    self.layout,
                    files.expected,
                    lenient=True,
                )
                if device.skipped:
                    warnings.append(
                        f"skipped {counted(device.skipped, 'record')} of {files.main.name} (and its months) that "
                        f"{'does' if device.skipped == 1 else 'do'} not parse"
                    )
                devices.append(device)
            except DataFileError as error:
                warnings.append(f"{unreadable(files.main, error)}; it is skipped until it can")
        read_copies = []
        for path, month, data in copies or ():
            if month is not None and not wanted(month):
                continue
            stub = {META: data[META]} if month is not None else data
            history = with_history(stub, [data] if month is not None else [], wanted, keep)
            try:
                copy = parse_device(path, history, lenient=True)
            except DataFileError as error:
                warnings.append(f"skipped {path.name}: {error.message}")
                continue
            if copy.skipped:
                warnings.append(
                    f"skipped {counted(copy.skipped, 'record')} of {path.name} that {'does' if copy.skipped == 1 else 'do'} not parse"
                )
            read_copies.append((path, copy._replace(sessions=[])))  # a running session is the live file's only
        devices += [copy for _, copy in read_copies]
        snapshot = self._merge(own, devices, own_files.data, own_months)
        snapshot.warnings = [*self.restored, *warnings]
        if first_month is not None:
            snapshot.since = date.fromisoformat(first_month + "-01")
        return Reading(snapshot, own, devices, own_months, own_files, read_copies)

    def _merge(self, own: DeviceData, others: list[DeviceData], own_main: dict, own_months: dict) -> Snapshot:
        try:
            # Shared, only the devices' files say who the partners are, so every device agrees on who has a row;
            # a private home's config may still name them as versions before partner ids wrote them there.
            partners = self.layout.partners if self.layout.folder is None else ()
            snapshot = merge([own, *others], own.device, partners, strict=self.layout.folder is None)
        except RecordError as error:
            raise DataFileError(f"The data file {self.path} is damaged: a record does not parse ({error}).") from None
        known = {c["habit"] for c in own.changes}
        # With no habit at all, the main file is new (the old one moved aside, damaged): the months' history
        # waits for its habits to come back from a backup, so it is kept, not called damage.
        if self.layout.folder is None and known:
            tables = (CHECKINS, SKIPS, SESSIONS)
            _check_orphans(self.path, known, set().union(*(habits_named(records_of(own_main, t)) for t in tables)))
            for month, data in own_months.items():
                named = habits_named(records_of(data, CHECKINS)) | habits_named(records_of(data, SKIPS))
                _check_orphans(month_file(self.path, month), known, named)
        return snapshot


def _check_orphans(path: Path, known: set[str], named: set) -> None:
    # Alone, a device's history for a habit it never created can only be damage.
    if not named <= known:
        raise DataFileError(f"The data file {path} is damaged: it holds history for a habit that does not exist.")


def _opens(path: Path, data: bytes) -> bool:
    try:
        decode(path, data)
        return True
    except DataFileError:
        return False


class _WentBack(Exception):
    """Files of this device in the shared folder are older than what it wrote there (ownrecord.py)."""

    def __init__(self, names: list[str], damaged: bool = False):
        super().__init__(", ".join(names))
        self.names, self.damaged = names, damaged
