"""The storage layer on real files: round trips, privacy, damaged files, failing writes, races, leftovers.

Most tests drive the real `connect` console script (the `connect` fixture); the ones that need
to fake a full disk or to race many writers quickly use the Store API in-process.
"""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import signal
import stat
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from connect_habits.core.habits import HabitOptions, new_habit
from connect_habits.core.model import DAILY, CheckIn, Habit, Skip, new_id
from connect_habits.errors import DataFileError
from connect_habits.storage import fileio
from connect_habits.storage.config import Config, load_config, save_config
from connect_habits.storage.files import SCHEMA_VERSION
from connect_habits.storage.paths import resolve_paths
from connect_habits.storage.store import Store
from support import CONNECT, NOW

TODAY = date(2026, 11, 26)  # NOW's day, a Thursday
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_non_root = pytest.mark.skipif(
    IS_ROOT, reason="root bypasses file permissions, so a permission failure cannot be provoked"
)


# ---------------------------------------------------------------- helpers


def store_of(home: Path) -> Store:
    return Store(resolve_paths({"CONNECT_HOME": str(home)}))


def data_file(home: Path) -> Path:
    return home / "connect.json"


def month_file(home: Path, month: str = "2026-11") -> Path:
    """The file of one month of check-ins, skips and undos, beside the main file."""
    return home / f"connect.{month}.json"


def seed(home: Path) -> tuple[Store, Habit]:
    """A real data file holding habit 'Walk' (daily), done on Tue 24 Nov and skipped on Wed 25 Nov."""
    store = store_of(home)
    walk = Habit(id=new_id(), name="Walk", slug="walk", cadence=DAILY, created=date(2026, 11, 1))
    with store.transaction() as tx:
        tx.add_habit(walk)
        tx.add_checkin(checkin(walk.id, date(2026, 11, 24)))
        tx.add_skips([Skip(id=new_id(), habit_id=walk.id, day=date(2026, 11, 25))])
    return store, walk


def checkin(habit_id: str, day: date, checkin_id: str | None = None) -> CheckIn:
    return CheckIn(id=checkin_id or new_id(), habit_id=habit_id, day=day, logged_at=f"{day.isoformat()}T20:00:00")


def fingerprint(path: Path) -> tuple[bytes, int, int]:
    """What must not move when nothing was written: the bytes, the mtime and the inode."""
    info = path.stat()
    return path.read_bytes(), info.st_mtime_ns, info.st_ino


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".connect.*.tmp"))


def assert_one_line_error(result, mentions: Path) -> None:
    assert result.code == 1, result
    assert "Traceback" not in result.out + result.err
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("Error:"), result.err
    assert str(mentions) in lines[0], result.err


def cli_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CONNECT_NOW", "NO_COLOR")}
    env.update(CONNECT_HOME=str(home), CONNECT_NOW=NOW)
    return env


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ---------------------------------------------------------------- 1. round trip


def test_cli_writes_round_trip_through_the_real_file(connect, home):
    for args in (
        ("add", "Café walk"),
        ("add", "Date night", "--goal", "2h/week"),
        ("done", "café", "--date", "2026-11-24"),
        ("skip", "café", "--date", "2026-11-25"),
        ("done", "date", "--minutes", "30"),
        ("done", "date", "--minutes", "45", "--date", "2026-11-23"),
    ):
        assert connect(*args).code == 0, args

    raw = data_file(home).read_bytes()
    assert "Café walk".encode() in raw  # UTF-8 as is, not \u escapes
    data = json.loads(raw)
    assert set(data) == {"_meta", "habit_changes"}
    meta = data["_meta"]["1"]
    assert meta["schema"] == SCHEMA_VERSION and len(meta["device"]) == 12
    month = json.loads(month_file(home).read_bytes())
    assert set(month) == {"_meta", "checkins", "skips"}
    assert month["_meta"]["1"] == {"schema": SCHEMA_VERSION, "device": meta["device"], "month": "2026-11"}
    assert sorted(p.name for p in home.glob("connect*.json")) == ["connect.2026-11.json", "connect.json"]
    assert all(isinstance(doc_id, str) for table in [*data.values(), *month.values()] for doc_id in table)
    names = {r["habit"]: r["fields"]["name"] for r in data["habit_changes"].values()}
    data = month
    assert sorted(names.values()) == ["Café walk", "Date night"]
    assert sorted((names[c["habit"]], c["date"], c["minutes"]) for c in data["checkins"].values()) == [
        ("Café walk", "2026-11-24", None),
        ("Date night", "2026-11-23", 45),
        ("Date night", "2026-11-26", 30),
    ]
    assert [(names[s["habit"]], s["date"]) for s in data["skips"].values()] == [("Café walk", "2026-11-25")]

    listed = {h["name"]: h for h in connect("list", "--json").json()}
    assert set(listed) == {"Café walk", "Date night"}
    assert listed["Date night"]["goal"] == {"minutes": 120, "per": "week"}
    assert listed["Café walk"]["cadence"] == "daily"

    week = {h["name"]: h for h in connect("week", "--json").json()["habits"]}
    assert week["Café walk"]["days"]["2026-11-24"] == "done"
    assert week["Café walk"]["days"]["2026-11-25"] == "skipped"
    assert week["Date night"]["progress"] == {"done": 75, "target": 120, "unit": "minutes"}


@pytest.mark.parametrize("args", [("week",), ("list", "--json"), ("week", "--json")])
def test_reading_commands_create_no_files(connect, home, args):
    assert connect(*args).code == 0
    assert not home.exists()


# ---------------------------------------------------------------- 2. privacy


def run_with_umask_0(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CONNECT, *args],
        env=cli_env(home),
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.umask(0),
    )


@pytest.mark.parametrize("folder_before", [None, 0o755, 0o777], ids=["new-folder", "folder-0755", "folder-0777"])
def test_files_are_private_even_with_umask_0(home, folder_before):
    if folder_before is not None:
        home.mkdir()
        os.chmod(home, folder_before)
    assert run_with_umask_0(home, "init", "--yes").returncode == 0
    assert run_with_umask_0(home, "add", "Walk").returncode == 0  # a second write replaces the file

    assert mode(home) == 0o700
    for name in ("connect.json", "connect.lock", "config.toml"):
        assert mode(home / name) == 0o600, name


# ---------------------------------------------------------------- 3. damaged data file


def _edit(change):
    """A damage made by editing the parsed valid file."""

    def damage(valid: bytes) -> bytes:
        data = json.loads(valid)
        change(data)
        return json.dumps(data).encode()

    return damage


def _drop_habit_name(data):
    del data["habit_changes"]["1"]["fields"]["name"]


def _orphan_checkin(data):
    data["checkins"]["1"]["habit"] = "no-such-habit"


def _bad_created_date(data):
    data["habit_changes"]["1"]["fields"]["created"] = "2026-13-45"


DAMAGES = {
    "empty": lambda valid: b"",
    "whitespace-only": lambda valid: b" \n\t \r\n",
    "truncated": lambda valid: valid[: len(valid) // 2],
    "nul-bytes": lambda valid: b"\x00" * len(valid),
    "invalid-utf8": lambda valid: valid.replace(b'"Walk"', b'"W\xff\xfealk"'),
    "a-list": lambda valid: b"[1, 2]",
    "table-is-a-list": lambda valid: b'{"habits": [1, 2]}',
    "record-is-text": lambda valid: b'{"habits": {"1": "x"}}',
    "no-schema-version": lambda valid: b'{"habits": {}}',
    "future-schema": lambda valid: b'{"_meta": {"1": {"schema": 99}}}',
    "record-missing-fields": _edit(_drop_habit_name),
    "record-with-bad-date": _edit(_bad_created_date),
    "checkin-of-missing-habit": _edit(_orphan_checkin),
    "deeply-nested": lambda valid: b"[" * 100_000 + b"]" * 100_000,
}
COMMANDS = {
    "week": ("week",),
    "list-json": ("list", "--json"),
    "add": ("add", "New"),
    "done": ("done", "walk"),
}


MAIN_DAMAGES = {k: v for k, v in DAMAGES.items() if k != "checkin-of-missing-habit"}
MONTH_DAMAGES = {
    k: v for k, v in DAMAGES.items() if k not in ("record-missing-fields", "record-with-bad-date", "invalid-utf8")
}
MONTH_DAMAGES["invalid-utf8"] = lambda valid: valid.replace(b'"checkins"', b'"check\xff\xfeins"')
MONTH_DAMAGES["other-device"] = _edit(lambda data: data["_meta"]["1"].update(device="0123456789ab"))
MONTH_DAMAGES["other-month"] = _edit(lambda data: data["_meta"]["1"].update(month="2026-10"))
TARGETS = [(data_file, damage) for damage in MAIN_DAMAGES.items()] + [
    (month_file, damage) for damage in MONTH_DAMAGES.items()
]


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
@pytest.mark.parametrize(
    "file_of, damage", [(f, d) for f, (_, d) in TARGETS], ids=[f"{f.__name__}-{name}" for f, (name, _) in TARGETS]
)
def test_damaged_data_file_is_refused_and_left_untouched(connect, home, file_of, damage, command):
    seed(home)
    path = file_of(home)
    path.write_bytes(damage(path.read_bytes()))
    before = fingerprint(path)

    result = connect(*command)

    assert_one_line_error(result, path)
    assert fingerprint(path) == before
    assert temp_files(home) == []


# ---------------------------------------------------------------- 4. failing writes


@needs_non_root
@pytest.mark.parametrize("command", [("week",), ("done", "walk")], ids=["week", "done"])
def test_unreadable_data_file_is_an_error_naming_it(connect, home, command):
    seed(home)
    path = data_file(home)
    os.chmod(path, 0)
    try:
        result = connect(*command)
    finally:
        os.chmod(path, 0o600)
    assert_one_line_error(result, path)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc, where no folder can be made")
@pytest.mark.parametrize(
    "variables, folder",
    [
        ({"CONNECT_HOME": "/proc/connect-test"}, "/proc/connect-test"),
        (
            {"CONNECT_HOME": "", "XDG_DATA_HOME": "", "XDG_CONFIG_HOME": "", "HOME": "/proc/connect-test-home"},
            "/proc/connect-test-home",
        ),
        (
            {
                "CONNECT_HOME": "",
                "XDG_CONFIG_HOME": "/proc/connect-test-data",
                "XDG_DATA_HOME": "/proc/connect-test-data",
            },
            "/proc/connect-test-data",
        ),
    ],
    ids=["CONNECT_HOME", "HOME", "XDG_DATA_HOME"],
)
@pytest.mark.parametrize("command", [("add", "Walk"), ("done", "walk")], ids=["add", "done"])
def test_a_data_folder_that_cannot_be_made_is_one_sentence_not_a_traceback(connect, variables, folder, command):
    result = connect(*command, env=variables)
    assert_one_line_error(result, Path(folder))
    assert "Cannot create the folder" in result.err


@needs_non_root
def test_read_only_data_folder_refuses_the_write_and_keeps_the_file(connect, home):
    seed(home)
    before = fingerprint(data_file(home))
    os.chmod(home, 0o500)
    try:
        result = connect("done", "walk", "--date", "2026-11-23")
    finally:
        os.chmod(home, 0o700)
    assert_one_line_error(result, home)
    assert fingerprint(data_file(home)) == before
    assert temp_files(home) == []


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize(
    "module, function, names",
    [
        (os, "fsync", "file"),
        (os, "replace", "file"),
        (fileio, "open_temp", "folder"),  # the temp file cannot even be created: the folder is named
    ],
    ids=["fsync", "replace", "temp-file"],
)
def test_full_disk_raises_data_file_error_and_changes_nothing(home, monkeypatch, module, function, names):
    store, walk = seed(home)
    path = month_file(home)  # the check-in's month: the first file the transaction writes
    before = fingerprint(path)

    monkeypatch.setattr(module, function, _no_space)
    with pytest.raises(DataFileError) as caught:
        with store.transaction() as tx:
            tx.add_checkin(checkin(walk.id, date(2026, 11, 23)))
    monkeypatch.undo()

    message = caught.value.message
    assert str(path if names == "file" else home) in message
    assert "No space left on device" in message
    assert "\n" not in message
    assert fingerprint(path) == before
    assert temp_files(home) == []
    # The lock was released: the next transaction goes through.
    with store.transaction() as tx:
        tx.add_checkin(checkin(walk.id, date(2026, 11, 23)))
    assert len(store.load().checkins) == 2


# ---------------------------------------------------------------- 5. concurrency


RACE_HABITS, RACE_DAYS = 8, 25
RACE_LOOP = 'for d in $(seq -w 1 {days}); do "$0" done "$1" --date "2026-10-$d" >/dev/null || exit 1; done'


def test_racing_cli_processes_lose_no_check_in(home):
    store = store_of(home)
    with store.transaction() as tx:
        for i in range(RACE_HABITS):
            habit = new_habit(tx.snapshot.habits, f"habit {i}", HabitOptions(), TODAY)
            tx.add_habit(habit)
            tx.snapshot.habits.append(habit)
    slugs = {h.id: h.slug for h in store.load().habits}
    assert sorted(slugs.values()) == [f"habit-{i}" for i in range(RACE_HABITS)]

    script = RACE_LOOP.format(days=RACE_DAYS)
    procs = [
        subprocess.Popen(
            ["sh", "-c", script, CONNECT, slug],
            env=cli_env(home),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for slug in slugs.values()
    ]
    # Meanwhile, lock-free reads must always see a whole file.
    reads = 0
    while any(p.poll() is None for p in procs):
        store.load()
        reads += 1
        time.sleep(0.002)  # leave the CPUs to the writers
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * RACE_HABITS, errors
    assert reads > 0

    data = json.loads(month_file(home, "2026-10").read_bytes())
    records = data["checkins"]
    assert sorted(int(doc_id) for doc_id in records) == list(range(1, RACE_HABITS * RACE_DAYS + 1))
    pairs = Counter((slugs[r["habit"]], r["date"]) for r in records.values())
    expected = {(slug, f"2026-10-{d:02d}") for slug in slugs.values() for d in range(1, RACE_DAYS + 1)}
    assert set(pairs) == expected
    assert set(pairs.values()) == {1}


def _add_checkins_in_process(home: str, habit_id: str, worker: int, count: int) -> None:
    store = store_of(Path(home))
    for n in range(count):
        with store.transaction() as tx:
            tx.add_checkin(checkin(habit_id, date(2026, 1, 1) + timedelta(days=n), f"w{worker}-{n}"))


def test_racing_store_writers_lose_no_check_in(home):
    workers, each = 4, 50
    store = store_of(home)
    walk = Habit(id=new_id(), name="Walk", slug="walk", cadence=DAILY, created=date(2026, 1, 1))
    with store.transaction() as tx:
        tx.add_habit(walk)

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    procs = [
        context.Process(target=_add_checkins_in_process, args=(str(home), walk.id, w, each)) for w in range(workers)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0] * workers

    ids = Counter(c.id for c in store.load().checkins)
    assert set(ids) == {f"w{w}-{n}" for w in range(workers) for n in range(each)}
    assert set(ids.values()) == {1}


# ---------------------------------------------------------------- 6. leftovers


def test_stale_lock_and_temp_files_do_not_block_a_write(connect, home):
    seed(home)
    (home / "connect.lock").write_text("12345 some stale content\n")
    stale = home / ".connect.json.123.tmp"
    stale.write_text('{"half a file')

    assert connect("week").code == 0
    result = connect("done", "walk", "--date", "2026-11-23")

    assert result.code == 0, result
    assert not stale.exists()
    assert temp_files(home) == []
    assert sorted(c.day.isoformat() for c in store_of(home).load().checkins) == ["2026-11-23", "2026-11-24"]


HOLD_THE_LOCK = """
import sys, time
from connect_habits.storage.paths import resolve_paths
from connect_habits.storage.store import Store

with Store(resolve_paths({"CONNECT_HOME": sys.argv[1]})).transaction():
    print("holding", flush=True)
    time.sleep(60)
"""


def test_lock_of_a_killed_process_does_not_block(home):
    seed(home)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_LOCK, str(home)], stdout=subprocess.PIPE, text=True)
    done = None
    try:
        assert holder.stdout.readline().strip() == "holding"
        done = subprocess.Popen(
            [CONNECT, "done", "walk", "--date", "2026-11-23"],
            env=cli_env(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(0.5)
        assert done.poll() is None, "connect done did not wait for the lock"
        os.kill(holder.pid, signal.SIGKILL)
        assert holder.wait(timeout=5) == -signal.SIGKILL
        started = time.monotonic()
        out, err = done.communicate(timeout=5)
    finally:
        for proc in (holder, done):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        holder.stdout.close()

    assert done.returncode == 0, err
    assert time.monotonic() - started < 3
    assert "2026-11-23" in {c.day.isoformat() for c in store_of(home).load().checkins}


def test_stale_temp_cleanup_spares_a_config_write_in_flight(home, monkeypatch):
    """With CONNECT_HOME the config and the data share a folder: a data write must not delete
    the temp file of a config save that is between its fsync and its rename."""
    store, walk = seed(home)
    config_file = resolve_paths({"CONNECT_HOME": str(home)}).config_file
    real_fsync = os.fsync

    def fsync_while_another_process_logs(fd):
        real_fsync(fd)
        monkeypatch.setattr(os, "fsync", real_fsync)
        with store.transaction() as tx:
            tx.add_checkin(checkin(walk.id, date(2026, 11, 23)))

    monkeypatch.setattr(os, "fsync", fsync_while_another_process_logs)
    save_config(config_file, Config(partners=("Ana", "Ben")))

    assert load_config(config_file).partners == ("Ana", "Ben")
    assert len(store.load().checkins) == 2


# ---------------------------------------------------------------- 7. nothing changes


REJECTED = {
    "done-in-the-future": ("done", "walk", "--date", "2030-01-01"),
    "add-existing-name": ("add", "Walk"),
    "add-existing-name-other-case": ("add", "walk"),
    "done-unknown-habit": ("done", "nosuch"),
    "undo-day-with-nothing": ("undo", "walk", "--date", "2026-11-20"),
    "skip-reversed-range": ("skip", "walk", "--from", "2026-11-20", "--to", "2026-11-10"),
}


@pytest.mark.parametrize("args", REJECTED.values(), ids=REJECTED.keys())
def test_rejected_write_leaves_the_file_untouched(connect, home, args):
    seed(home)
    before = fingerprint(data_file(home))

    result = connect(*args)

    assert result.code == 1, result
    assert "Traceback" not in result.out + result.err
    assert len(result.err.splitlines()) == 1 and result.err.startswith("Error:"), result.err
    assert fingerprint(data_file(home)) == before


NO_OPS = {
    "done-twice": ("done", "walk", "--date", "2026-11-24"),
    "skip-twice": ("skip", "walk", "--date", "2026-11-25"),
    "edit-nothing": ("edit", "walk"),
}


@pytest.mark.parametrize("args", NO_OPS.values(), ids=NO_OPS.keys())
def test_command_that_changes_nothing_does_not_rewrite_the_file(connect, home, args):
    seed(home)
    before = fingerprint(data_file(home))

    result = connect(*args)

    assert result.code == 0, result
    assert fingerprint(data_file(home)) == before


# ---------------------------------------------------------------- 8. writes across files


def test_a_write_across_months_checks_every_file_before_writing_any(home):
    store, walk = seed(home)  # a November month file exists
    november = month_file(home)
    os.chmod(november, 0o400)
    before = {p.name: p.read_bytes() for p in home.glob("connect*.json")}
    with pytest.raises(DataFileError) as caught:
        with store.transaction() as tx:
            tx.add_skips(
                [
                    Skip(id=new_id(), habit_id=walk.id, day=date(2026, 10, 30)),
                    Skip(id=new_id(), habit_id=walk.id, day=date(2026, 11, 2)),
                ]
            )
    os.chmod(november, 0o600)
    assert "read-only" in caught.value.message
    assert {p.name: p.read_bytes() for p in home.glob("connect*.json")} == before  # October was not written


@pytest.mark.parametrize("first", ["one by one", "in bulk"])
def test_bulk_inserts_number_records_as_tinydb_does_and_later_inserts_follow_them(home, first):
    """A month new to the transaction gets its table in one go: numbered 1..n, and an insert after it goes on at n+1."""
    store, walk = seed(home)  # November holds a check-in and a skip; October has no file yet
    october = [checkin(walk.id, date(2026, 10, day)) for day in (3, 1, 2)]
    with store.transaction() as tx:
        if first == "one by one":
            tx.add_checkin(october[0])
            tx.add_checkins(october[1:])
        else:
            tx.add_checkins(october[:2])
            tx.add_checkin(october[2])
        tx.add_checkins([checkin(walk.id, date(2026, 11, 20))])  # a month with check-ins: TinyDB's own insert
        tx.add_skips([Skip(id=new_id(), habit_id=walk.id, day=date(2026, 10, 9))])
        tx.add_skips([Skip(id=new_id(), habit_id=walk.id, day=date(2026, 9, 9))])  # the bulk insert alone: written
    assert [r["date"] for r in json.loads(month_file(home, "2026-09").read_text())["skips"].values()] == ["2026-09-09"]
    stored = json.loads(month_file(home, "2026-10").read_text())
    assert list(stored["checkins"]) == ["1", "2", "3"]
    assert [r["id"] for r in stored["checkins"].values()] == [c.id for c in october]
    assert [r["date"] for r in stored["skips"].values()] == ["2026-10-09"]
    assert list(json.loads(month_file(home).read_text())["checkins"]) == ["1", "2"]
    snapshot = store.load()
    assert sorted(c.day.day for c in snapshot.checkins if c.day.month == 10) == [1, 2, 3]


def test_a_crash_between_the_files_of_one_commit_is_finished_by_the_next_command(home, monkeypatch):
    """A power cut after the first of a commit's files was replaced: the next read replaces the others too."""
    from connect_habits.storage import fileio

    store, _ = seed(home)
    real = os.replace
    replaced = []

    def power_cut_after_the_first(source, target):
        if len(replaced) == 2:  # the journal, then the first of the commit's files
            raise KeyboardInterrupt("power cut")
        replaced.append(target)
        real(source, target)

    monkeypatch.setattr(fileio.os, "replace", power_cut_after_the_first)
    talk = Habit(id=new_id(), name="Talk", slug="talk", cadence=DAILY, created=date(2026, 10, 1))
    with pytest.raises(KeyboardInterrupt):
        with store.transaction() as tx:
            tx.add_habit(talk)
            tx.add_checkins([checkin(talk.id, date(2026, 10, 5))])
    monkeypatch.undo()
    assert len(replaced) == 2 and (home / "commit-journal.json").exists()
    snapshot = store.load()  # finishes the commit first: the habit and its check-in, together
    assert "talk" in {h.slug for h in snapshot.habits}
    assert [c.day for c in snapshot.checkins if c.habit_id == talk.id] == [date(2026, 10, 5)]
    assert not (home / "commit-journal.json").exists() and not list(home.glob(".*.tmp"))


def test_a_commit_of_many_new_months_encodes_them_by_orjson_and_every_other_file_by_json(tmp_path, monkeypatch):
    from connect_habits.core.model import Ritual
    from connect_habits.storage import encoding

    store, walk = seed(tmp_path)
    before = month_file(tmp_path).read_bytes()
    quick: list[dict] = []
    by_orjson = encoding._by_orjson
    monkeypatch.setattr(encoding, "_by_orjson", lambda datas: quick.extend(datas) or by_orjson(datas))
    days = [date(2022, 1, 15) + timedelta(days=31 * n) for n in range(30)]
    mood = Ritual(id=new_id(), kind="talk", day=date(2022, 2, 15), fields={"mood": float("nan")})
    with store.transaction() as tx:
        tx.add_checkins([checkin(walk.id, day) for day in days])
        tx.add_checkin(checkin(walk.id, date(2026, 11, 26)))  # a month with records already
        tx.put_ritual(mood)  # a field connect does not read, as a backup or a partner's file may hold
    # The 29 new months of check-ins alone: not the main file, not this month's, not the ritual's.
    assert len(quick) == 29 and all(set(data) == {"_meta", "checkins"} for data in quick)
    assert b'"mood":NaN' in month_file(tmp_path, "2022-02").read_bytes()  # json's, where orjson writes null
    assert month_file(tmp_path).read_bytes() != before
    assert len(store.load().checkins) == 1 + 31
