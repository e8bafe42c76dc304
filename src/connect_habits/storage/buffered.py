"""A file's tables, changed in memory until the transaction writes them: TinyDB's table operations over a dict.

The data files are TinyDB's format (`{"table": {"1": {...}, "2": {...}}}`), and a write used to
change them through TinyDB itself; importing it costs a write about 8 ms (its queries module imports
typing), more than all it does here. This module does the few operations the transaction needs the
way TinyDB 4 does them, down to the ids a new record takes, the order of the tables and a table
created by a change that changes nothing, so a file is written byte for byte as before
(test_buffered.py checks it against TinyDB).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


class BufferedTable:
    """One table of a buffered file: records by id (a string in the file, an int here as in TinyDB)."""

    def __init__(self, owner: BufferedFile, name: str):
        self._owner = owner
        self._name = name
        self._next_id: int | None = None  # as TinyDB, once known it is counted on, not read again

    def _records(self) -> dict:
        return self._owner.data.get(self._name) or {}

    def _change(self, change: Callable[[dict[int, dict]], None]) -> None:
        """Apply `change` to the table by id; the table is written back (and made) even when nothing changed."""
        data = self._owner.data
        table = {int(record_id): record for record_id, record in data.get(self._name, {}).items()}
        change(table)
        data[self._name] = {str(record_id): record for record_id, record in table.items()}
        self._owner.write(data)

    def _new_id(self) -> int:
        if self._next_id is None:
            records = self._records()
            self._next_id = max((int(record_id) for record_id in records), default=0) + 1
        new_id, self._next_id = self._next_id, self._next_id + 1
        return new_id

    def insert(self, record: dict) -> int:
        """Add a record under the next id."""
        new_id = self._new_id()

        def add(table: dict[int, dict]) -> None:
            if new_id in table:
                raise ValueError(f"Document with ID {new_id} already exists")
            table[new_id] = dict(record)

        self._change(add)
        return new_id

    def insert_multiple(self, records: Iterable[dict]) -> None:
        """Add each record under the next id."""

        def add(table: dict[int, dict]) -> None:
            for record in records:
                table[self._new_id()] = dict(record)

        self._change(add)

    def all(self) -> list[dict]:
        """A copy of each record, in the file's order."""
        return [dict(record) for record in self._records().values()]

    def contains(self, matches: Callable[[dict], bool]) -> bool:
        return any(matches(record) for record in self._records().values())

    def remove(self, matches: Callable[[dict], bool]) -> None:
        """Remove every record that `matches`."""

        def drop(table: dict[int, dict]) -> None:
            for record_id in list(table):
                if matches(table[record_id]):
                    table.pop(record_id)

        self._change(drop)

    def update(self, fields: dict) -> None:
        """Set `fields` in every record."""

        def set_fields(table: dict[int, dict]) -> None:
            for record in table.values():
                record.update(fields)

        self._change(set_fields)


class BufferedFile:
    """A file's tables in memory (the dict it was read into, changed in place); `changed` once anything is written."""

    def __init__(self, data: dict):
        self.data = data
        self.changed = False
        self._tables: dict[str, BufferedTable] = {}

    def table(self, name: str) -> BufferedTable:
        if name not in self._tables:
            self._tables[name] = BufferedTable(self, name)
        return self._tables[name]

    def write(self, data: dict) -> None:
        """Replace what the file holds."""
        self.data = data
        self.changed = True


def field_is(field: str, value) -> Callable[[dict], bool]:
    """A condition: the record has `field` and it equals `value` (TinyDB's `where(field) == value`)."""
    return lambda record: field in record and record[field] == value
