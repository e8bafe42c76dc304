"""One data file's tables in memory, as TinyDB keeps them; TinyDB itself only for what needs a query.

A transaction holds each file it may change as `{table: {"1": record, "2": record, ...}}`, TinyDB's
layout. `connect done`, `skip`, `add` and `edit` only add records and stamp the file's `_meta`: those
two are written here, numbered as TinyDB numbers them, and TinyDB (with `typing`, which it imports:
about 3 ms of a 35 ms command) is loaded only for a lookup or a removal by condition. Every change
writes the table anew, as TinyDB's own writes do, so a table dict read before keeps what it held (the
`_meta` stamp changes its records where they are, as TinyDB's update does).
"""

from __future__ import annotations

from collections.abc import Iterable

TYPE_CHECKING = False  # typing's flag without importing typing: type checkers read it by name
if TYPE_CHECKING:
    from tinydb import TinyDB
    from tinydb.table import Table


class Tables:
    """A file's data (`data`), whether anything changed it (`changed`), and a TinyDB over it when one is asked for."""

    __slots__ = ("data", "changed", "_db")

    def __init__(self, data: dict):
        self.data = data
        self.changed = False
        self._db: TinyDB | None = None

    def table(self, name: str) -> Table:
        """TinyDB's table `name` over this data, for a query or a removal (TinyDB is imported the first time).

        Use it there and then: a table kept across an insert or a stamp made here would still number new
        records from what it saw before them.
        """
        if self._db is None:
            self._db = _tinydb(self)
        return self._db.table(name)

    def remove_id(self, name: str, record_id: str) -> None:
        """Drop the records of table `name` with this id (a TinyDB query); a file without one is left as it is."""
        from tinydb import where

        if self.table(name).contains(where("id") == record_id):  # TinyDB's removal writes even when none match
            self.table(name).remove(where("id") == record_id)

    def rows(self, name: str) -> list[dict]:
        """The records of table `name` in their order (none when the file has no such table)."""
        return list((self.data.get(name) or {}).values())

    def insert(self, name: str, record: dict) -> None:
        """Add one record to table `name`, as TinyDB's insert does."""
        self.insert_many(name, (record,))

    def insert_many(self, name: str, records: Iterable[dict]) -> None:
        """Add records to table `name` under the next free numbers (1 in a new table), as TinyDB's insert_multiple.

        Like TinyDB's, an insert of nothing still creates the table and marks the file changed. Unlike it, the
        records are not copied (an import's 73,000 would be): they are the table's, and no caller changes them.
        """
        before = self.data.get(name) or {}
        start = max(map(int, before), default=0) + 1
        added = {str(number): record for number, record in enumerate(records, start=start)}
        self.write_table(name, {**before, **added} if before else added)

    def update_all(self, name: str, fields: dict) -> None:
        """Set `fields` in every record of table `name`, as TinyDB's update without a condition (which also
        creates a missing table, empty, and marks the file changed)."""
        rows = dict(self.data.get(name) or {})
        for record in rows.values():
            record.update(fields)
        self.write_table(name, rows)

    def write_table(self, name: str, rows: dict) -> None:
        """Put table `name` in place as `rows`."""
        self.data[name] = rows
        self.write(self.data)

    def write(self, data: dict) -> None:
        """Replace the whole data (TinyDB's storage write, and ours)."""
        self.data = data
        self.changed = True
        # A TinyDB made earlier caches each table's next number and its queries' answers: the next query
        # gets a new one over the data as it is now.
        self._db = None


def _tinydb(tables: Tables) -> TinyDB:
    from tinydb import TinyDB
    from tinydb.storages import Storage

    class TablesStorage(Storage):
        """TinyDB's storage over a Tables: the store decides when the data reaches the disk."""

        def __init__(self, held: Tables):
            self.held = held

        def read(self) -> dict:
            return self.held.data

        def write(self, data: dict) -> None:
            # Not Tables.write: the TinyDB writing here is the one that stays.
            self.held.data = data
            self.held.changed = True

    return TinyDB(tables, storage=TablesStorage)
