"""The plain `connect log` from the lines kept per month (log-lines.json): byte for byte what reading every
month (CONNECT_NO_SUMMARY=1) shows, after every kind of change; and the old months are not read again.
"""

from __future__ import annotations

import os
import time

from test_history_reads import age, garble, shared_long  # noqa: F401  (fixtures)
from test_long_history import (  # noqa: F401  (fixtures)
    home,
    long_home,
    same_as_a_full_read,
)

from connect_habits.storage.loglines import LOG_FILE
from support import run_connect

LOG = [("log",)]
CHANGES = [
    ("done", "walk"),
    ("done", "dinner", "--date", "2024-03-06", "--note", "back-dated"),
    ("undo", "walk"),
    ("undo", "perfect", "--date", "2025-01-15"),
    ("skip", "talk", "--date", "2026-11-20", "--reason", "away"),
    ("edit", "walk", "--rename", "Evening walk"),
    ("edit", "run", "--goal", "3 laps/day"),
    ("partners", "rename", "Sam", "Samantha"),
    ("done", "plants", "--note", "only here", "--private"),
    ("undo", "perfect", "--date", "2023-10-02"),
    ("done", "perfect", "--date", "2023-10-02", "--note", "long ago, only here", "--private"),
]


def test_the_log_shows_what_a_full_read_shows_after_every_change(connect, home):
    same_as_a_full_read(connect, LOG)
    assert (home / LOG_FILE).exists()
    assert (home / LOG_FILE).stat().st_mode & 0o777 == 0o600
    same_as_a_full_read(connect, LOG)  # from the lines kept
    for change in CHANGES:
        done = connect(*change)
        assert done.code == 0, (change, done.err)
        same_as_a_full_read(connect, LOG)
        same_as_a_full_read(connect, LOG)
    shown = connect("log").out
    assert "Evening walk: done" in shown and "by Samantha" in shown and "— long ago, only here" in shown
    assert "laps" in shown
    assert b"only here" not in (home / LOG_FILE).read_bytes()  # private words stay in their own file


def test_a_second_log_reads_no_old_month(connect, home):
    made = connect("log")
    assert made.code == 0
    garble(home / "connect.2024-05.json")
    again = connect("log")
    assert again.code == 0 and again.out == made.out
    full = connect("log", env={"CONNECT_NO_SUMMARY": "1"})
    assert full.code == 1 and "connect.2024-05.json" in full.err  # the whole read does read it, and refuses it
    (home / LOG_FILE).unlink()  # derived data: without it, the log reads every month again
    assert connect("log").code == 1


def test_a_month_changed_within_its_second_with_the_same_size_is_read_again(connect, home):
    assert connect("done", "walk", "--date", "2026-11-20", "--note", "ok").code == 0
    month = home / "connect.2026-11.json"
    os.utime(month, ns=(time.time_ns(), time.time_ns()))  # just written: too new for its time to tell
    same_as_a_full_read(connect, LOG)
    info = month.stat()
    raw = month.read_bytes()
    assert b'"ok"' in raw
    month.write_bytes(raw.replace(b'"ok"', b'"no"'))  # the same size, the same time
    os.utime(month, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert month.stat().st_size == info.st_size
    same_as_a_full_read(connect, LOG)


def test_an_empty_log_says_so(tmp_path):
    shown = run_connect(tmp_path / "empty", "log")
    assert shown.code == 0 and shown.out == "Nothing logged yet.\n"
    assert run_connect(tmp_path / "empty", "log").out == "Nothing logged yet.\n"


def test_a_log_since_a_day_with_nothing_after_it_says_since_when(tmp_path):
    home = tmp_path / "home"
    assert run_connect(home, "add", "Walk").code == 0
    assert run_connect(home, "done", "walk", "--date", "2026-11-20").code == 0
    assert run_connect(home, "log", "--since", "2026-11-21").out == "Nothing logged since 2026-11-21.\n"
    assert "Walk" in run_connect(home, "log", "--since", "2026-11-20").out


def test_a_shared_log_shows_what_a_full_read_shows_for_both(shared_long):
    sam, alex, folder = shared_long
    for person in (sam, alex):

        def connect(*args, now="2026-11-26T21:00", env=None, person=person):
            return run_connect(person, *args, now=now, env=env)

        same_as_a_full_read(connect, LOG)
        assert (person / LOG_FILE).exists()
        same_as_a_full_read(connect, LOG)
    assert run_connect(alex, "undo", "perfect", "--date", "2025-09-29").code == 0
    assert run_connect(alex, "done", "perfect", "--date", "2025-09-29", "--note", "from alex").code == 0
    assert run_connect(sam, "edit", "walk", "--rename", "Stroll").code == 0
    age(sam, alex, folder)
    for person in (sam, alex):

        def connect(*args, now="2026-11-26T21:00", env=None, person=person):
            return run_connect(person, *args, now=now, env=env)

        same_as_a_full_read(connect, LOG)
        shown = connect("log").out
        assert "Perfect: done by Alex — from alex" in shown and "Stroll: done" in shown


def test_a_conflict_copy_sends_the_log_to_the_whole_read(shared_long):
    sam, alex, folder = shared_long
    assert run_connect(alex, "undo", "perfect", "--date", "2024-03-05").code == 0  # a month file of Alex's
    assert run_connect(alex, "done", "perfect", "--date", "2024-03-05").code == 0
    age(sam, alex, folder)

    def connect(*args, now="2026-11-26T21:00", env=None):
        return run_connect(sam, *args, now=now, env=env)

    made = connect("log")
    assert made.code == 0  # the lines kept
    sams = {p.name.split(".")[0] for p in folder.glob("connect-*.2023-10.json")}
    (alexs,) = [p for p in folder.glob("connect-*.2024-03.json") if p.name.split(".")[0] not in sams]
    garble(alexs)  # the other device's old month: not read while the lines kept hold
    kept = connect("log")
    assert kept.code == 0 and kept.out == made.out and alexs.name not in kept.err
    (month,) = [p for p in folder.glob("connect-*.2025-09.json") if p.name.split(".")[0] in sams]
    copy = month.with_name(month.name.replace(".json", ".sync-conflict-20261120-101010-ABCDEFG.json"))
    copy.write_bytes(month.read_bytes())
    whole = connect("log")
    assert whole.code == 0 and alexs.name in whole.err  # read, and said unreadable
    same_as_a_full_read(connect, LOG)


def test_a_habit_deleted_for_good_leaves_nothing_of_it_in_the_kept_lines(connect, home):
    assert connect("add", "Garden").code == 0
    assert connect("done", "garden", "--note", "about the roses").code == 0
    assert connect("log").code == 0
    assert b"about the roses" in (home / LOG_FILE).read_bytes()
    assert connect("remove", "garden", "--purge", "--yes").code == 0
    assert not (home / LOG_FILE).exists()  # its name and notes must not outlive its records
    same_as_a_full_read(connect, LOG)
    assert b"about the roses" not in (home / LOG_FILE).read_bytes() and b"Garden" not in (home / LOG_FILE).read_bytes()


def test_a_damaged_fingerprint_is_a_change_not_a_crash():
    from connect_habits.storage.fingerprints import matches

    assert matches({"a.json": 5}, {"a.json": [1, 2, 3]}) == (False, False)
    assert matches({"a.json": [1, 2]}, {"a.json": [1, 2, 3]}) == (False, False)
    assert matches({"a.json": [1, 2, 3]}, {"a.json": [1, 2, 3]}) == (True, False)
