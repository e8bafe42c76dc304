"""`connect export --format json` and `--format csv` from each month's part as kept (storage/loglines.py): byte
for byte what reading every month (CONNECT_NO_SUMMARY=1) exports, after every kind of change; and the old
months are not read again.
"""

from __future__ import annotations

import json
import marshal

import pytest
from test_history_reads import age, garble, shared_long  # noqa: F401  (fixtures)
from test_log_lines import CHANGES
from test_long_history import (  # noqa: F401  (fixtures)
    home,
    long_home,
    same_as_a_full_read,
)

from connect_habits.storage.layout import EXPORT_CSV_FILE, EXPORT_JSON_FILE
from support import run_connect

KEPT = {"json": EXPORT_JSON_FILE, "csv": EXPORT_CSV_FILE}
EXPORTS = [("export", "--format", "json"), ("export", "--format", "csv")]
ANSWER = ("answer", "the sea at dawn", "--by", "Alex")
PRIVATE_ANSWER = ("answer", "a long dinner", "--by", "Sam", "--private")


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_an_export_is_what_a_full_read_exports_after_every_change(connect, home, kind):
    export = [("export", "--format", kind)]
    same_as_a_full_read(connect, export)
    assert (home / KEPT[kind]).exists() and (home / KEPT[kind]).stat().st_mode & 0o777 == 0o600
    same_as_a_full_read(connect, export)  # from the parts kept
    for change in [ANSWER, *CHANGES, PRIVATE_ANSWER]:  # private words last: a backup with them is a whole read
        before = state(home / KEPT[kind])
        done = connect(*change)
        assert done.code == 0, (change, done.err)
        same_as_a_full_read(connect, export)
        # The export came from the kept parts (which it wrote again), not from a whole read that fell back.
        unchanged = "nothing changed" in done.out
        assert state(home / KEPT[kind]) != before or unchanged or (kind == "json" and private_words(home)), change
        same_as_a_full_read(connect, export)
    shown = connect(*export[0]).out
    assert "Evening walk" in shown and "Samantha" in shown
    if kind == "json":
        backup = json.loads(shown)
        assert sorted(r["text"] for r in backup["rituals"]) == ["", "the sea at dawn"]  # Sam's words kept here only
        assert {"note": "long ago, only here"} in backup["private_notes"].values()
    else:
        assert "long ago, only here" in shown
    if kind == "csv":  # shown in the spreadsheet, made each time: never kept (a backup with them is a whole read)
        assert b"only here" not in (home / KEPT[kind]).read_bytes()


def state(path) -> tuple[int, int]:
    info = path.stat()
    return info.st_ino, info.st_mtime_ns


def private_words(home) -> bool:
    from connect_habits.storage.private import PrivateNotes

    return any(PrivateNotes.read(home).notes.values())


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_a_second_export_reads_no_old_month(connect, home, kind):
    made = connect("export", "--format", kind)
    assert made.code == 0
    garble(home / "connect.2024-05.json")
    again = connect("export", "--format", kind)
    assert again.code == 0 and again.out == made.out
    full = connect("export", "--format", kind, env={"CONNECT_NO_SUMMARY": "1"})
    assert full.code == 1 and "connect.2024-05.json" in full.err  # the whole read does read it, and refuses it
    (home / KEPT[kind]).unlink()  # derived data: without it, the export reads every month again
    assert connect("export", "--format", kind).code == 1


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_a_changed_month_alone_is_made_again(connect, home, kind):
    assert connect("export", "--format", kind).code == 0
    assert connect("undo", "perfect", "--date", "2025-03-04").code == 0
    assert connect("done", "perfect", "--date", "2025-03-04", "--note", "a new one").code == 0  # too new: its digest
    garble(home / "connect.2024-05.json")  # after the change: the change's own read reads it
    again = connect("export", "--format", kind)  # 2025-03 read again; 2024-05 still from its part
    assert again.code == 0 and "a new one" in again.out


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # torn
        lambda raw: raw[:-20] + bytes(20),  # zeros at the end: the checksum tells
        lambda raw: b"",
        lambda raw: _sealed({"key": "another", "months": marshal.loads(raw.partition(b"\n")[2])["months"]}),
        lambda raw: raw.replace(b"connect-kept-1", b"connect-kept-0"),
    ],
)
@pytest.mark.parametrize("kind", ["json", "csv"])
def test_a_damaged_kept_file_is_made_again_not_believed(connect, home, kind, damage):
    made = connect("export", "--format", kind)
    kept = home / KEPT[kind]
    kept.write_bytes(damage(kept.read_bytes()))
    again = connect("export", "--format", kind)
    assert (again.code, again.out, again.err) == (0, made.out, made.err)
    assert connect("export", "--format", kind).out == made.out


def _sealed(kept: dict) -> bytes:
    """A kept file as connect writes one (its checksum right), holding `kept`."""
    import zlib

    from connect_habits.storage.loglines import _MAGIC

    raw = marshal.dumps(kept)
    return _MAGIC + b"%d\n" % zlib.crc32(raw) + raw


def test_a_kept_part_of_the_wrong_shape_is_made_again(connect, home):
    made = connect("export", "--format", "json")
    kept = home / KEPT["json"]
    body = marshal.loads(kept.read_bytes().partition(b"\n")[2])
    for entry in body["months"].values():
        entry["text"] = ("not", "a", "month")  # a valid file, of values some other version may have kept
    kept.write_bytes(_sealed(body))
    assert connect("export", "--format", "json").out == made.out


def test_a_backup_with_private_words_beside_it_is_a_whole_read(connect, home):
    assert connect("undo", "perfect", "--date", "2025-03-04").code == 0
    assert connect("done", "perfect", "--date", "2025-03-04", "--note", "only ours", "--private").code == 0
    age(home)
    same_as_a_full_read(connect, EXPORTS)
    backup = json.loads(connect("export").out)
    assert list(backup["private_notes"].values()) == [{"note": "only ours"}]
    assert b"only ours" not in (home / KEPT["csv"]).read_bytes()  # the spreadsheet shows it, made each time


@pytest.mark.parametrize("kept_before", [True, False])
@pytest.mark.parametrize(
    ("file", "day", "other"), [("2024-05", "2024-06-15", "2024-06-20"), ("2024-06", "2024-05-15", "2024-05-20")]
)
def test_a_record_in_a_month_file_not_its_days_is_placed_by_the_whole_read(
    connect, home, kept_before, file, day, other
):
    if kept_before:
        for args in EXPORTS:
            assert connect(*args).code == 0
    path = home / f"connect.{file}.json"
    data = json.loads(path.read_text())
    record = next(iter(data["checkins"].values()))
    record["date"] = day  # a hand edit: the record now says a day of another month's file
    path.write_text(json.dumps(data))
    same_as_a_full_read(connect, EXPORTS)
    for _ in range(2):  # then the month of its day changes, alone, twice: it must not be lost from the export
        assert connect("undo", "perfect", "--date", other).code == 0
        assert connect("done", "perfect", "--date", other).code == 0
        same_as_a_full_read(connect, EXPORTS)
        assert record["id"] in connect("export").out


def test_shared_exports_are_what_a_full_read_exports_for_both(shared_long):
    sam, alex, folder = shared_long
    for person in (sam, alex):
        same_as_a_full_read(lambda *a, person=person, **k: run_connect(person, *a, **k), EXPORTS)
        assert (person / EXPORT_JSON_FILE).exists()
    assert run_connect(alex, "undo", "perfect", "--date", "2025-09-29").code == 0
    assert run_connect(alex, "done", "perfect", "--date", "2025-09-29", "--note", "from alex").code == 0
    assert run_connect(sam, "edit", "walk", "--rename", "Stroll").code == 0
    assert run_connect(sam, "send", "see you at eight").code == 0
    age(sam, alex, folder)
    for person in (sam, alex):
        same_as_a_full_read(lambda *a, person=person, **k: run_connect(person, *a, **k), EXPORTS)
        shown = run_connect(person, "export").out
        assert "from alex" in shown and "Stroll" in shown and "see you at eight" in shown


def test_a_conflict_copy_sends_the_export_to_the_whole_read(shared_long):
    sam, alex, folder = shared_long

    def connect(*args, **kwargs):
        return run_connect(sam, *args, **kwargs)

    assert connect("export").code == 0
    month = sorted(folder.glob("connect-*.2025-09.json"))[0]
    copy = month.with_name(month.name.replace(".json", ".sync-conflict-20261120-101010-ABCDEFG.json"))
    copy.write_bytes(month.read_bytes())
    same_as_a_full_read(connect, EXPORTS)


def test_a_habit_deleted_for_good_leaves_nothing_of_it_in_the_kept_exports(connect, home):
    assert connect("add", "Garden").code == 0
    assert connect("done", "garden", "--note", "about the roses").code == 0
    for args in EXPORTS:
        assert connect(*args).code == 0
    assert b"about the roses" in (home / EXPORT_JSON_FILE).read_bytes()
    assert b"Garden" in (home / EXPORT_CSV_FILE).read_bytes()
    assert connect("remove", "garden", "--purge", "--yes").code == 0
    assert not (home / EXPORT_JSON_FILE).exists() and not (home / EXPORT_CSV_FILE).exists()
    same_as_a_full_read(connect, EXPORTS)
    assert b"about the roses" not in (home / EXPORT_JSON_FILE).read_bytes()
    assert b"Garden" not in (home / EXPORT_CSV_FILE).read_bytes()
