"""This machine's private record of the files it writes to the shared folder: a sequence number each, and a copy.

A sync tool may put back an older copy of a device's own file: a version restore, a machine that was
offline announcing what it had, `git reset`, a stale copy winning a conflict. Every device is the only
writer of its files, so it alone can tell. Each commit gives the files it writes the next sequence
number (in their `_meta`), and this record, in the private data folder and never synced, keeps the
number and a copy of each file as last written. A file whose number is lower than the record's, or
that has gone, went back in time: the store puts the copy back and says so.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from ..errors import DataFileError
from .fileio import commit, read_bytes
from .paths import ensure_private_dir

INDEX = "index.json"


class OwnRecord:
    """The record in `folder`: `index.json` (the last sequence number, and each file's) and a copy of each file."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._index: dict | None = None

    def _read(self) -> dict:
        if self._index is None:
            try:
                raw = read_bytes(self.folder / INDEX)
                index = json.loads(raw) if raw else {}
                files = index.get("files", {}) if isinstance(index, dict) else {}
                seq = index.get("seq", 0) if isinstance(index, dict) else 0
                valid = isinstance(seq, int) and isinstance(files, dict)
                self._index = {"seq": seq, "files": files} if valid else {"seq": 0, "files": {}}
            except (ValueError, DataFileError):  # a record that cannot be read is started again
                self._index = {"seq": 0, "files": {}}
        return self._index

    @property
    def files(self) -> dict[str, int]:
        """Each file's sequence number as last written, by file name."""
        return {k: v for k, v in self._read()["files"].items() if isinstance(v, int)}

    def next_seq(self) -> int:
        """The number the next commit's files carry."""
        return self._read()["seq"] + 1

    def copies(self, files: list[tuple[Path, bytes]], seq: int) -> list[tuple[Path, bytes]]:
        """What to write beside `files` in the same commit: a copy of each, and the index that names them."""
        index = self._read()
        written = {path.name: seq for path, _ in files}
        updated = {"seq": seq, "files": {**index["files"], **written}}
        self._index = updated
        body = json.dumps(updated, sort_keys=True, separators=(",", ":")).encode()
        return [(self.folder / path.name, data) for path, data in files] + [(self.folder / INDEX, body)]

    def index_write(self) -> tuple[Path, bytes]:
        """The index as it stands, to write (after `forget`, say)."""
        return (self.folder / INDEX, json.dumps(self._read(), sort_keys=True, separators=(",", ":")).encode())

    def forget(self, name: str) -> None:
        """Stop holding the file `name` to its recorded number (there is no copy to put back)."""
        self._read()["files"].pop(name, None)

    def went_back(self, name: str, seq: object) -> bool:
        """Whether the file `name`, now carrying `seq`, is older than what this machine last wrote there."""
        recorded = self.files.get(name)
        return recorded is not None and (not isinstance(seq, int) or seq < recorded)

    def copy_of(self, name: str) -> bytes | None:
        """The file `name` as this machine last wrote it (None when the record holds no copy)."""
        try:
            return read_bytes(self.folder / name)
        except DataFileError:  # no copy to put back: the caller says so
            return None

    def holds_other(self, name: str, raw: bytes) -> bool:
        """Whether the record keeps a copy of `name` other than `raw`: for an own file that does not open, only this
        machine writes it, so it was damaged or changed by someone without the key, and the copy is what it wrote."""
        copy = self.copy_of(name)
        return copy is not None and copy != raw

    def put_back(self, folder: Path, names: list[str], journal: Path, usable, damaged: bool = False) -> list[str]:
        """Put back the copies of the files `names` in `folder` (they went back in time, or do not open); say so.

        A copy is put back only if `usable(path, data)`: copies are not forced to disk one by one
        (fileio.commit), so one a crash left unusable is dropped instead.
        """
        writes, missing = [], []
        for name in names:
            copy = self.copy_of(name)
            if copy is not None and not usable(folder / name, copy):
                with contextlib.suppress(OSError):
                    os.unlink(self.folder / name)
                copy = None
            if copy is None:
                missing.append(name)
            else:
                writes.append((folder / name, copy))
        for name in missing:  # nothing to put back: accept the file as it is, and say what may be lost
            self.forget(name)
        ensure_private_dir(self.folder)
        commit(writes + [self.index_write()], journal)
        said = []
        for name in names:
            if name in missing:
                said.append(
                    f"{name} in the shared folder is older than this machine wrote it, and no copy is kept here; "
                    "what it lacks may be lost"
                )
            elif damaged:
                said.append(
                    f"{name} in the shared folder did not open (damaged, or changed by someone without your key); "
                    "this machine put back what it had written"
                )
            else:
                said.append(
                    f"{name} in the shared folder had gone back to an older copy (a sync tool put it back?); "
                    "this machine put back what it had written"
                )
        return said
