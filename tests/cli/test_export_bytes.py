"""`connect export --format json|csv` of years of history writes, byte for byte, what the plain writers write
from a full read (tests/support/exports.py): a private home, a shared one on two devices, and with a conflict copy.
"""

from __future__ import annotations

import pytest
from test_history_reads import age
from test_long_history import home, long_home  # noqa: F401  (fixtures)

from connect_habits.cli.context import Context
from support import run_connect
from support.exports import plain_backup_text, plain_csv

NOW = "2026-11-26T21:00"
TRICKY = 'a "},\n      {" b, =1+1 % ü 🙂 \\ \t'


def full_read(home, monkeypatch, private: bool):
    """The snapshot a full read of `home` gives, as `connect export` reads it."""
    monkeypatch.setenv("CONNECT_HOME", str(home))
    monkeypatch.setenv("CONNECT_NOW", NOW)
    monkeypatch.setenv("CONNECT_NO_SUMMARY", "1")
    return Context.from_environment().load(private=private)


def exports_as_the_plain_writers(home, tmp_path, monkeypatch) -> None:
    backup, sheet = tmp_path / "backup.json", tmp_path / "sheet.csv"
    for kind, target in (("json", backup), ("csv", sheet)):
        result = run_connect(home, "export", "--format", kind, "-o", str(target), now=NOW)
        assert result.code == 0, result.err
    written = backup.read_bytes().decode("utf-8")
    assert written == plain_backup_text(written, full_read(home, monkeypatch, private=False))
    assert sheet.read_bytes().decode("utf-8") == plain_csv(full_read(home, monkeypatch, private=True))


@pytest.fixture
def lived(home):
    """The long history with tricky notes, amounts with decimals, an undo, private words, an archived habit."""
    for args in (
        ("done", "walk", "--date", "2026-11-20", "--note", TRICKY),
        ("done", "run", "--minutes", "25", "--date", "2025-01-02", "--note", "-starts like a formula"),
        ("add", "Read", "--goal", "2.5 pages/day"),
        ("done", "read", "--amount", "2.5", "--date", "2026-11-02"),
        ("done", "read", "--amount", "0.1", "--date", "2026-11-03"),
        ("done", "plants", "--date", "2026-11-24"),
        ("undo", "plants", "--date", "2026-11-24"),
        ("done", "dinner", "--date", "2026-11-25", "--note", "kept here", "--private"),
        ("remove", "perfect"),
    ):
        result = run_connect(home, *args, now=NOW)
        assert result.code == 0, (args, result.err)
    age(home)
    return home


def test_a_private_home_exports_what_the_plain_writers_write(lived, tmp_path, monkeypatch):
    exports_as_the_plain_writers(lived, tmp_path, monkeypatch)


def test_a_shared_home_with_a_conflict_copy_exports_what_the_plain_writers_write(lived, tmp_path, monkeypatch):
    folder, alex = tmp_path / "shared", tmp_path / "alex"
    made = run_connect(lived, "sync", "init", str(folder), "--me", "Sam", now=NOW)
    assert made.code == 0, made.err
    code = made.out.splitlines()[-1]
    assert run_connect(alex, "sync", "join", str(folder), "--me", "Alex", "--code", code, now=NOW).code == 0
    for day in ("2024-03-05", "2025-09-30", "2026-02-14"):
        assert run_connect(alex, "done", "walk", "--date", day, "--note", TRICKY, now=NOW).code == 0
    assert run_connect(alex, "thank", "for the plants", now=NOW).code == 0  # a ritual record
    age(lived, alex, folder)
    for person in (lived, alex):
        exports_as_the_plain_writers(person, tmp_path, monkeypatch)
    month = sorted(folder.glob("connect-*.2025-09.json"))[0]
    copy = month.with_name(month.name.replace(".json", ".sync-conflict-20261120-101010-ABCDEFG.json"))
    copy.write_bytes(month.read_bytes())
    age(folder)
    for person in (lived, alex):
        exports_as_the_plain_writers(person, tmp_path, monkeypatch)
