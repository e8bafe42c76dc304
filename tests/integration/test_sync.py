"""Two partners, two machines, one shared log (issue 4), through the real `connect` console script.

Each "device" is its own CONNECT_HOME. They share either one folder (both point at the same
directory), or each has its own folder and a simulated sync tool copies files between them,
late, out of order, half-written, stale, with conflict copies; or a bare git repository is the
transport. Whatever the route, once both have seen the same files they show the same week.

The clock is pinned with CONNECT_NOW per command (the week of Monday 2026-11-23; the final
comparisons run at NOW, Thursday 2026-11-26 10:00, so `today` agrees).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from connect_habits.storage.files import SCHEMA_VERSION
from connect_habits.storage.sealing import SECRET_KEY
from support import CONNECT, NOW, Result
from support.sealed import opened_bytes, sealed_bytes, shared_json

DEVICE_FILE = re.compile(r"connect-([0-9a-f]{12})\.json")  # a device's main file: habits' changes, sessions
MONTH_FILE = re.compile(r"connect-([0-9a-f]{12})\.(\d{4}-\d{2})\.json")  # its check-ins, skips, undos of a month
PRIVATE_FILE = re.compile(r"connect(\.\d{4}-\d{2})?\.json")  # a private home's main file and month files
CONFLICT_NAME = re.compile(r"sync-conflict|conflicted copy")
MON, TUE, WED, THU = "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"


def at(day: str, time: str = "10:00") -> str:
    return f"{day}T{time}"


def one_error_line(result: Result, code: int = 1) -> str:
    """The command failed with `code` and said so in one sentence, without a traceback."""
    assert result.code == code, (result.code, result.out, result.err)
    assert "Traceback" not in result.err + result.out
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.err
    return lines[0]


def only_warnings(result: Result) -> list[str]:
    """stderr holds nothing but `Warning: ...` lines about what was skipped; they are returned."""
    lines = result.err.strip().splitlines()
    assert all(line.startswith("Warning: ") and "skipped" in line for line in lines), result.err
    return lines


class Device:
    """One machine: a private connect home (CONNECT_HOME) and the folder it shares through."""

    def __init__(self, home: Path, folder: Path | None = None, name: str = "?"):
        self.home = home
        self.folder = folder
        self.name = name
        self.versions: list[dict[str, bytes]] = []  # every content of this device's own files, oldest first

    def run(self, *args: str, now: str = NOW, ok: bool = True, env: dict | None = None) -> Result:
        environ = {k: v for k, v in os.environ.items() if k not in ("CONNECT_NOW", "NO_COLOR", "CONNECT_HOME")}
        environ.update(CONNECT_HOME=str(self.home), CONNECT_NOW=now, **(env or {}))
        proc = subprocess.run([CONNECT, *map(str, args)], capture_output=True, text=True, env=environ, timeout=60)
        result = Result(proc.returncode, proc.stdout, proc.stderr)
        assert "Traceback" not in result.err + result.out, (self.name, args, result.err)
        if ok:
            assert result.code == 0, (self.name, args, result.code, result.out, result.err)
            only_warnings(result)
        self._record()
        return result

    __call__ = run

    def json(self, *args: str, now: str = NOW):
        return self.run(*args, "--json", now=now).json()

    @property
    def config(self) -> dict:
        path = self.home / "config.toml"
        return tomllib.loads(path.read_text()) if path.exists() else {}

    @property
    def device_id(self) -> str | None:
        return self.config.get("device")

    @property
    def code(self) -> str:
        """The couple's pairing code this device made or took (as `connect sync code` shows it)."""
        return self.config[SECRET_KEY]

    def data(self, path: Path) -> dict:
        """What a file of the shared folder holds, opened with this device's key."""
        return shared_json(path, self.code)

    @property
    def own_file(self) -> Path:
        assert self.device_id and self.folder is not None
        return self.folder / f"connect-{self.device_id}.json"

    @property
    def own_files(self) -> dict[str, Path]:
        """This device's files in its folder by name: its main file, then its month files, oldest first."""
        assert self.device_id and self.folder is not None
        months = sorted(
            p.name
            for p in self.folder.iterdir()
            if (match := MONTH_FILE.fullmatch(p.name)) and match[1] == self.device_id
        )
        names = [self.own_file.name] if self.own_file.exists() else []
        return {name: self.folder / name for name in names + months}

    def month_file(self, month: str) -> Path:
        """This device's file of one month ("2026-11") in its folder."""
        return self.own_file.with_name(f"{self.own_file.stem}.{month}.json")

    def _record(self) -> None:
        """Note the set of this device's files (name: bytes) when it differs from the last one noted."""
        if self.device_id and self.folder is not None and self.own_file.exists():
            files = {name: path.read_bytes() for name, path in self.own_files.items()}
            if not self.versions or self.versions[-1] != files:
                self.versions.append(files)

    def habit_id(self, name: str) -> str:
        """The id of the habit this device created under `name` (read from its own file)."""
        data = self.data(self.own_file)
        return next(c["habit"] for c in data["habit_changes"].values() if c["fields"].get("name") == name)


def device_files(folder: Path) -> list[str]:
    """The devices' main files in a folder (one per device)."""
    return sorted(p.name for p in folder.iterdir() if DEVICE_FILE.fullmatch(p.name))


def data_files(folder: Path) -> list[str]:
    """Every device file in a folder: the main files and their month files."""
    return sorted(p.name for p in folder.iterdir() if DEVICE_FILE.fullmatch(p.name) or MONTH_FILE.fullmatch(p.name))


def month_files_say_whose_they_are(folder: Path, code: str) -> None:
    """Each month file is a TinyDB file whose `_meta` names the device and the month its name promises."""
    for name in data_files(folder):
        if match := MONTH_FILE.fullmatch(name):
            data = shared_json(folder / name, code)
            meta = data["_meta"]["1"]
            assert (meta["schema"], meta["device"], meta["month"]) == (SCHEMA_VERSION, match[1], match[2]), (name, meta)
            assert set(data) <= {"_meta", "checkins", "skips", "removals"}, (name, sorted(data))


def private_files(home: Path) -> dict[str, bytes]:
    """A private home's data files (`connect.json` and its month files), by name, with their bytes."""
    return {p.name: p.read_bytes() for p in home.iterdir() if PRIVATE_FILE.fullmatch(p.name)}


def records(device: Device, table: str, month: str = "2026-11") -> list[dict]:
    """The records of one table ("checkins", "skips", "removals") in a device's file of one month."""
    path = device.month_file(month)
    return list(device.data(path).get(table, {}).values()) if path.exists() else []


def rows(week: dict) -> dict:
    """The week's rows by slug (and person, for a habit each partner does)."""
    return {(h["slug"], h["person"]): h for h in week["habits"]}


# ---------------------------------------------------------------- 1. two homes, one folder


def test_two_homes_sharing_one_folder_show_the_same_week(tmp_path):
    folder = tmp_path / "Sync" / "connect"
    a = Device(tmp_path / "alex", folder, "A")
    b = Device(tmp_path / "sam", folder, "B")
    assert "Shared through" in a("sync", "init", folder, "--me", "Alex", now=at(MON, "08:00")).out
    joined = b("sync", "join", folder, "--me", "Sam", "--code", a.code, now=at(MON, "08:01"))
    assert "Joined 1 other device" in joined.out
    assert len(device_files(folder)) == 2

    a("add", "Walk", "--every", "daily", now=at(MON, "08:02"))
    a("add", "Tech-free time", "--goal", "2h/week", now=at(MON, "08:03"))
    b("add", "Appreciation", "--every", "daily", "--who", "each", now=at(MON, "08:04"))
    b("add", "Old ritual", "--every", "weekly", now=at(MON, "08:05"))

    # Check-ins on both sides; a check habit counts once a day whoever logs it.
    a("done", "walk", now=at(MON, "19:00"))
    assert "already done" in b("done", "walk", "--date", MON, now=at(TUE, "07:00")).out
    b("done", "walk", now=at(TUE, "19:00"))
    a("done", "walk", now=at(WED, "19:00"))
    # B undoes the check-in A made: the removal wins on both devices.
    assert "Removed the check-in" in b("undo", "walk", "--date", WED, now=at(WED, "20:00")).out
    # Minutes from both add up.
    a("done", "tech", "--minutes", "30", now=at(TUE, "21:00"))
    b("done", "tech", "--minutes", "45", now=at(WED, "21:00"))

    # `each`: a row per partner; `done --by` logs for the other one.
    a("done", "appreciation", now=at(MON, "21:00"))  # as Alex
    assert "already done by Alex" in b("done", "appreciation", "--by", "alex", "--date", MON, now=at(MON, "22:00")).out
    b("done", "appreciation", "--date", MON, now=at(TUE, "08:00"))  # as Sam
    a("done", "appreciation", "--by", "Sam", "--date", TUE, now=at(WED, "08:00"))  # Alex logs Sam's Tuesday
    a("done", "appreciation", "--by", "Sam", "--date", WED, now=at(WED, "09:00"))
    b("undo", "appreciation", "--date", WED, now=at(WED, "10:00"))  # Sam removes the one Alex logged for him

    # Edits of one habit on both sides: different fields both apply; the same field, the later wins.
    a("edit", "walk", "--every", "mon,wed,sat", now=at(WED, "22:00"))
    b("edit", "walk", "--at", "19:00", now=at(WED, "22:01"))
    a("edit", "walk", "--rename", "Walk outside", now=at(WED, "22:02"))
    b("edit", "walk", "--rename", "Evening walk", now=at(WED, "22:03"))
    b("edit", "tech", "--goal", "3h/week", now=at(WED, "22:04"))
    a("edit", "tech", "--goal", "90m/week", now=at(WED, "22:05"))
    a("edit", "appreciation", "--at", "21:30", now=at(WED, "22:06"))
    # Skips, and archiving the other's habit.
    b("skip", "evening", "--date", WED, "--reason", "rain", now=at(THU, "08:00"))
    a("skip", "appreciation", "--date", THU, now=at(THU, "08:10"))
    assert rows(b.json("week"))["appreciation", "Sam"]["days"][THU] == "skipped"
    assert "no longer skipped" in b("undo", "appreciation", "--date", THU, now=at(THU, "08:20")).out  # A's skip
    assert "Archived 'Old ritual'" in a("remove", "old", now=at(THU, "08:30")).out

    week_a, week_b = a.json("week"), b.json("week")
    assert week_a == week_b
    list_a, list_b = a.json("list"), b.json("list")
    assert list_a == list_b

    habits = {h["slug"]: h for h in list_a}
    assert set(habits) == {"evening-walk", "tech-free-time", "appreciation", "old-ritual"}
    walk = habits["evening-walk"]
    assert (walk["name"], walk["cadence"], walk["at"]) == ("Evening walk", "mon,wed,sat", ["19:00"])
    assert habits["tech-free-time"]["goal"] == {"minutes": 90, "per": "week"}
    assert habits["appreciation"]["at"] == ["21:30"] and habits["appreciation"]["who"] == "each"
    assert habits["old-ritual"]["archived"] is True

    got = rows(week_a)
    assert set(got) == {
        ("evening-walk", None),
        ("tech-free-time", None),
        ("appreciation", "Alex"),
        ("appreciation", "Sam"),
    }  # archived: not in the week
    walk_days = got["evening-walk", None]["days"]
    assert walk_days[MON] == "done" and walk_days[TUE] == "done"
    assert walk_days[WED] == "skipped"  # A's Wednesday check-in was undone by B, then B skipped the day
    assert got["tech-free-time", None]["progress"] == {"done": 75, "target": 90, "unit": "minutes"}
    alex, sam = got["appreciation", "Alex"]["days"], got["appreciation", "Sam"]["days"]
    assert (alex[MON], alex[TUE], alex[WED]) == ("done", "missed", "missed")
    assert (sam[MON], sam[TUE], sam[WED]) == ("done", "done", "missed")
    assert alex[THU] == sam[THU] == "pending"  # the skip A made was undone by B
    assert (week_a["today"], week_a["week_start"]) == (THU, MON)
    # Each device wrote only its own files (its main file and this month's); nothing else landed in the folder.
    assert device_files(folder) == sorted({a.own_file.name, b.own_file.name})
    for device in (a, b):
        assert list(device.own_files) == [device.own_file.name, device.month_file("2026-11").name]
    assert data_files(folder) == sorted([*a.own_files, *b.own_files])
    assert sorted(p.name for p in folder.iterdir()) == data_files(folder)
    month_files_say_whose_they_are(folder, a.code)
    # The history is in the month files, the undo in the month of what it undoes: B's removal of A's Wednesday walk.
    walk_id = a.habit_id("Walk")
    (wednesday,) = [c for c in records(a, "checkins") if c["habit"] == walk_id and c["date"] == WED]
    assert wednesday["id"] in {r["target"] for r in records(b, "removals")}
    for device in (a, b):
        main = device.data(device.own_file)
        assert not main.get("checkins") and not main.get("skips"), sorted(main)


# ---------------------------------------------------------------- 2. a simulated sync tool


class SyncTool:
    """Copies device files between two folders, late, out of order and badly, from a seeded generator.

    A delivery carries a set of the sender's files (its main file and its month files) as they
    were at one moment: one of `Device.versions`.
    """

    KINDS = ("full", "half", "stale", "conflict")

    def __init__(self, rng: random.Random, a: Device, b: Device):
        self.rng = rng
        self.devices = {"A": a, "B": b}
        self.delivered: dict[str, int] = {}  # receiver -> index of the sender's version last delivered in full
        self.seen: set[tuple[str, str]] = set()  # (receiver, kind): a command ran there while such a file was in place
        self.state: dict[str, str] = {}  # receiver -> what kind of copy of the sender's files is there now

    def other(self, name: str) -> str:
        return "B" if name == "A" else "A"

    def deliver(self, receiver: str, kind: str = "full") -> bool:
        """One delivery of the sender's files into the receiver's folder; False if the kind cannot happen now."""
        sender, dst = self.devices[self.other(receiver)], self.devices[receiver]
        versions = sender.versions
        if not versions:
            return False
        if kind == "full":  # every file of the latest version
            write_files(dst.folder, versions[-1])
            self.delivered[receiver] = len(versions) - 1
        elif kind == "half":  # the latest version, its main file still being written, under the real name
            files = dict(versions[-1])
            main = sender.own_file.name
            files[main] = files[main][: len(files[main]) // 2]
            write_files(dst.folder, files)
            self.delivered.pop(receiver, None)
        elif kind == "stale":  # an older version after a newer one had arrived: each of its files as it was then
            newest = self.delivered.get(receiver, 0)
            if newest < 1:
                return False
            # A month file the older version did not have yet stays as it is (nothing is ever deleted).
            write_files(dst.folder, versions[self.rng.randrange(newest)])
            self.delivered.pop(receiver, None)
        elif kind == "conflict":  # conflict copies of either device's files, with content connect must not read
            owner = self.rng.choice([sender, dst])
            write_files(dst.folder, self.conflict_copies(owner, self.rng.choice(owner.versions)))
        else:
            raise AssertionError(kind)
        if kind != "conflict":
            self.state[receiver] = kind
        return True

    def conflict_copies(self, owner: Device, version: dict[str, bytes]) -> dict[str, bytes]:
        """A conflict copy of each file of one (often older) version, under a sync tool's name.

        connect reads such a copy as more of its device's records (they carry ids, and merge by union):
        an older version adds nothing, and nothing of it may make the two devices disagree.
        """
        copies = {}
        for name, raw in version.items():
            data = json.loads(opened_bytes(name, raw, owner.code))
            stem = name.removesuffix(".json")
            copy_name = self.rng.choice(
                [
                    f"{stem}.sync-conflict-20261126-{self.rng.randrange(10**6):06d}-ABCDEFG.json",
                    f"{stem} (conflicted copy).json",
                    f"{stem} (Sam's conflicted copy 2026-11-26).json",
                ]
            )
            copies[copy_name] = sealed_bytes(copy_name, owner.code, json.dumps(data).encode())
        return copies

    def check_warnings(self, receiver: str, result: Result) -> None:
        """A half-written file gets exactly one warning naming it; otherwise the command says nothing on stderr."""
        folder = self.devices[receiver].folder
        self.seen.add((receiver, self.state.get(receiver, "none")))
        if any(CONFLICT_NAME.search(p.name) for p in folder.iterdir()):
            self.seen.add((receiver, "conflict"))
        if self.state.get(receiver) != "half":
            assert result.err == "", result.err
        else:
            name = self.devices[self.other(receiver)].own_file.name
            lines = only_warnings(result)
            assert len(lines) == 1 and lines[0].startswith(f"Warning: {name} "), lines

    def visible(self, receiver: str, habit_ids: list[str]) -> bool:
        """Whether the receiver can read, right now, the creation of each of these habits."""
        dst = self.devices[receiver]
        known = set()
        for name in device_files(dst.folder):
            try:
                data = dst.data(dst.folder / name)
            except ValueError:  # half-written: it does not open, or is not JSON
                continue
            # The change that created the habit (edits alone do not make a habit appear).
            known |= {c["habit"] for c in data.get("habit_changes", {}).values() if "created" in c["fields"]}
        return all(h in known for h in habit_ids)

    def mess(self) -> None:
        """Between two commands: maybe some deliveries, in a random order and of random kinds."""
        receivers = ["A", "B"]
        self.rng.shuffle(receivers)
        for receiver in receivers:
            if self.rng.random() < 0.55:
                self.deliver(receiver, self.rng.choice(self.KINDS))


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    """Write a set of files ({name: bytes}) into a folder, as a sync tool does, each under its own name."""
    for name, data in files.items():
        (folder / name).write_bytes(data)


# (device, command, day and time, habits that must be visible first, or "fresh": the other's latest first)
# Habits are named by key; the harness uses their ids, since a rename may or may not have arrived yet.
SCRIPT = [
    ("A", ("add", "Walk", "--every", "daily"), at(MON, "08:00"), ()),
    ("A", ("add", "Tech-free time", "--goal", "2h/week"), at(MON, "08:01"), ()),
    ("A", ("add", "Appreciation", "--every", "daily", "--who", "each"), at(MON, "08:02"), ()),
    ("B", ("add", "Dishes", "--every", "weekdays"), at(MON, "08:03"), ()),
    ("B", ("add", "Old ritual", "--every", "weekly"), at(MON, "08:04"), ()),
    ("A", ("done", "{walk}"), at(MON, "19:00"), ()),
    ("B", ("done", "{walk}"), at(MON, "20:00"), ("walk",)),  # maybe "already done", maybe a second check-in
    ("B", ("done", "{dishes}"), at(MON, "21:00"), ()),
    ("A", ("done", "{dishes}", "--date", TUE), at(TUE, "21:00"), ("dishes",)),
    ("A", ("done", "{tech}", "--minutes", "30"), at(TUE, "21:30"), ()),
    ("B", ("done", "{tech}", "--minutes", "45"), at(TUE, "22:00"), ("tech",)),
    ("A", ("done", "{appreciation}"), at(TUE, "22:30"), ()),  # as Alex
    ("B", ("done", "{appreciation}"), at(TUE, "22:40"), ("appreciation",)),  # as Sam
    ("A", ("done", "{appreciation}", "--by", "Sam", "--date", MON), at(TUE, "23:00"), "fresh"),
    ("B", ("undo", "{appreciation}", "--date", MON), at(WED, "07:00"), "fresh"),  # Sam undoes what Alex logged
    ("A", ("done", "{walk}"), at(WED, "19:00"), ()),
    ("B", ("undo", "{walk}", "--date", WED), at(WED, "20:00"), "fresh"),  # B undoes A's check-in
    ("A", ("edit", "{walk}", "--every", "mon,wed,sat"), at(WED, "21:00"), ()),
    ("B", ("edit", "{walk}", "--at", "19:00"), at(WED, "21:01"), ("walk",)),
    ("A", ("edit", "{walk}", "--rename", "Walk outside"), at(WED, "21:02"), ()),
    ("B", ("edit", "{walk}", "--rename", "Evening walk"), at(WED, "21:03"), ("walk",)),
    ("A", ("edit", "{tech}", "--goal", "3h/week"), at(WED, "21:04"), ()),
    ("B", ("edit", "{tech}", "--goal", "90m/week"), at(WED, "21:05"), ("tech",)),
    ("B", ("skip", "{walk}", "--date", WED), at(THU, "07:00"), ("walk",)),
    ("A", ("skip", "{dishes}", "--date", THU, "--reason", "away"), at(THU, "07:30"), ("dishes",)),
    ("B", ("done", "{dishes}"), at(THU, "08:00"), ()),
    ("A", ("remove", "Old ritual"), at(THU, "08:30"), ("old",)),
    ("B", ("done", "{appreciation}", "--by", "Alex", "--date", WED), at(THU, "09:00"), "fresh"),
    ("A", ("done", "{walk}", "--date", TUE), at(THU, "09:30"), ()),
]
CREATED = {
    "walk": ("A", "Walk"),
    "tech": ("A", "Tech-free time"),
    "appreciation": ("A", "Appreciation"),
    "dishes": ("B", "Dishes"),
    "old": ("B", "Old ritual"),
}


@pytest.mark.parametrize("seed", [1, 7, 2026])
def test_a_sync_tool_that_delivers_late_out_of_order_and_badly_still_converges(tmp_path, seed):
    rng = random.Random(seed)
    a = Device(tmp_path / "alex", tmp_path / "alex-sync", "A")
    b = Device(tmp_path / "sam", tmp_path / "sam-sync", "B")
    b.folder.mkdir()  # the sync tool's folder on Sam's machine, empty until something arrives
    tool = SyncTool(rng, a, b)
    devices = {"A": a, "B": b}

    a("sync", "init", a.folder, "--me", "Alex", now=at(MON, "07:00"))
    tool.deliver("B")  # the folder has to have synced before Sam can join
    b("sync", "join", b.folder, "--me", "Sam", "--code", a.code, now=at(MON, "07:10"))
    tool.deliver("A")
    ids: dict[str, str] = {}

    for device, command, now, needs in SCRIPT:
        tool.mess()
        if needs == "fresh":
            tool.deliver(device)
        elif needs and not tool.visible(device, [ids[k] for k in needs]):
            tool.deliver(device)
        args = [part.format(**ids) if part.startswith("{") else part for part in command]
        result = devices[device](*args, now=now)  # exit 0, never a traceback
        tool.check_warnings(device, result)
        for key, (creator, name) in CREATED.items():
            if key not in ids and creator == device and command[:2] == ("add", name):
                ids[key] = devices[creator].habit_id(name)

    # Make sure a command met every kind of bad copy at least once on each side (the generator may have missed one).
    for receiver in ("A", "B"):
        for kind in ("half", "stale", "conflict"):
            if (receiver, kind) not in tool.seen:
                tool.deliver(receiver, "full")
                tool.deliver(receiver, kind)
                tool.check_warnings(receiver, devices[receiver]("week", "--json"))
    assert {(r, k) for r in "AB" for k in ("full", "half", "stale", "conflict")} <= tool.seen

    # The last delivery, both ways: the folders now hold the same device files, byte for byte.
    tool.deliver("A")
    tool.deliver("B")
    assert device_files(a.folder) == device_files(b.folder) == sorted([a.own_file.name, b.own_file.name])
    for device in (a, b):  # a main file and this month's file each, and no other device file
        assert list(device.own_files) == [device.own_file.name, device.month_file("2026-11").name]
    assert data_files(a.folder) == data_files(b.folder) == sorted([*a.own_files, *b.own_files])
    for name in data_files(a.folder):
        assert (a.folder / name).read_bytes() == (b.folder / name).read_bytes()
    month_files_say_whose_they_are(a.folder, a.code)
    conflict_copies = [p for p in [*a.folder.iterdir(), *b.folder.iterdir()] if CONFLICT_NAME.search(p.name)]
    # Copies of main files and of month files: they are there, and ignored.
    of_months = [p for p in conflict_copies if ".2026-11" in p.name]
    assert of_months and len(of_months) < len(conflict_copies)
    for folder in (a.folder, b.folder):  # besides the device files, only the conflict copies (no temp file)
        assert sorted(p.name for p in folder.iterdir() if not CONFLICT_NAME.search(p.name)) == data_files(folder)

    results = {name: (d.run("week", "--json"), d.run("list", "--json")) for name, d in devices.items()}
    for week, listing in results.values():
        assert week.err == listing.err == ""  # nothing unreadable any more
    (week_a, list_a), (week_b, list_b) = [(w.json(), l.json()) for w, l in results.values()]
    assert week_a == week_b
    assert list_a == list_b

    # What a single folder gives: a third device that reads just the two devices' final files.
    ref_folder = tmp_path / "single"
    ref_folder.mkdir()
    for name in data_files(a.folder):
        shutil.copyfile(a.folder / name, ref_folder / name)
    ref = Device(tmp_path / "reader", ref_folder, "R")
    ref("sync", "join", ref_folder, "--me", "Alex", "--code", a.code)
    assert ref.json("week") == week_a
    assert ref.json("list") == list_a

    # The results that do not depend on the order of delivery.
    habits = {h["slug"]: h for h in list_a}
    assert set(habits) == {"evening-walk", "tech-free-time", "appreciation", "dishes", "old-ritual"}
    assert habits["evening-walk"]["cadence"] == "mon,wed,sat" and habits["evening-walk"]["at"] == ["19:00"]
    assert habits["tech-free-time"]["goal"] == {"minutes": 90, "per": "week"}
    assert habits["old-ritual"]["archived"] is True
    got = rows(week_a)
    assert ("old-ritual", None) not in got
    assert got["evening-walk", None]["days"][WED] == "skipped"
    assert got["evening-walk", None]["days"][MON] == got["evening-walk", None]["days"][TUE] == "done"
    assert got["tech-free-time", None]["progress"]["done"] == 75
    # Alex logged it for Sam, Sam undid it: the day it was added counts only when done
    assert got["appreciation", "Sam"]["days"][MON] == "not_due"
    assert got["appreciation", "Sam"]["days"][TUE] == "done"
    assert got["appreciation", "Alex"]["days"][TUE] == got["appreciation", "Alex"]["days"][WED] == "done"
    dishes = got["dishes", None]["days"]
    assert (dishes[MON], dishes[TUE], dishes[THU]) == ("done", "done", "done")


# ---------------------------------------------------------------- 3. git as the transport


def git_env(tmp_path: Path) -> dict:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Test\n\temail = test@example.invalid\n"
        "[commit]\n\tgpgsign = false\n[init]\n\tdefaultBranch = main\n"
        "[advice]\n\tdetachedHead = false\n"
    )
    environ.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=str(gitconfig),
        HOME=str(tmp_path),
        GIT_TERMINAL_PROMPT="0",
        LC_ALL="C",
    )
    return environ


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed: the git transport test needs it")
def test_git_as_the_transport_never_conflicts(tmp_path):
    environ = git_env(tmp_path)

    def git(cwd: Path, *args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=environ, timeout=60)
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        assert "CONFLICT" not in proc.stdout + proc.stderr
        return proc.stdout

    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--bare", "--initial-branch=main", str(remote))
    clone_a, clone_b = tmp_path / "clone-a", tmp_path / "clone-b"
    for clone, who in ((clone_a, "Alex"), (clone_b, "Sam")):
        git(tmp_path, "clone", "--quiet", str(remote), str(clone))
        git(clone, "config", "user.name", who)
        git(clone, "config", "user.email", f"{who.lower()}@example.invalid")
    a = Device(tmp_path / "alex", clone_a, "A")
    b = Device(tmp_path / "sam", clone_b, "B")

    def only_own_files_changed(device: Device) -> None:
        """The device changed (or added) nothing but its own main and month files."""
        status = git(device.folder, "status", "--porcelain", "--untracked-files=all")
        changed = [line[3:] for line in status.splitlines()]
        assert set(changed) <= set(device.own_files), (changed, list(device.own_files))

    def commit(device: Device, message: str) -> None:
        only_own_files_changed(device)
        git(device.folder, "add", "-A")
        if git(device.folder, "status", "--porcelain"):
            git(device.folder, "commit", "--quiet", "-m", message)

    def pull(device: Device) -> None:
        git(device.folder, "pull", "--rebase", "--quiet", "origin", "main")

    def push(device: Device) -> None:
        git(device.folder, "push", "--quiet", "origin", "HEAD:main")

    a("sync", "init", clone_a, "--me", "Alex", now=at(MON, "07:00"))
    a("add", "Walk", "--every", "daily", now=at(MON, "07:01"))
    a("add", "Appreciation", "--every", "daily", "--who", "each", now=at(MON, "07:02"))
    commit(a, "Alex starts sharing")
    push(a)
    pull(b)
    b("sync", "join", clone_b, "--me", "Sam", "--code", a.code, now=at(MON, "07:10"))
    b("add", "Tech-free time", "--goal", "2h/week", now=at(MON, "07:11"))
    commit(b, "Sam joins")
    pull(b)
    push(b)
    pull(a)

    # Rounds where both commit before either pushes: the second push needs a real rebase.
    rounds = [
        ([("done", "walk"), ("done", "appreciation")], [("done", "appreciation"), ("done", "tech", "--minutes", "40")]),
        (
            [("edit", "walk", "--at", "19:00"), ("done", "tech", "--minutes", "20")],
            [("edit", "walk", "--every", "mon,wed,sat"), ("done", "walk")],
        ),
        (
            [("edit", "walk", "--rename", "Walk outside"), ("done", "appreciation", "--by", "Sam", "--date", WED)],
            [("undo", "walk", "--date", TUE), ("skip", "tech", "--date", MON)],
        ),
        ([("undo", "appreciation", "--by", "Sam", "--date", WED)], [("edit", "walk", "--rename", "Evening walk")]),
    ]
    days = [TUE, WED, WED, THU]
    for n, ((ops_a, ops_b), day) in enumerate(zip(rounds, days)):
        for i, (op_a, op_b) in enumerate(zip(ops_a + [None] * 2, ops_b + [None] * 2)):
            if op_a:
                a(*op_a, now=at(day, f"0{n}:{i}0"))
            if op_b:
                b(*op_b, now=at(day, f"0{n}:{i}5"))
        commit(a, f"Alex, round {n}")
        commit(b, f"Sam, round {n}")
        first, second = (a, b) if n % 2 == 0 else (b, a)
        pull(first)
        push(first)
        pull(second)
        push(second)
        pull(first)
    pull(a)
    pull(b)
    assert git(clone_a, "rev-parse", "HEAD") == git(clone_b, "rev-parse", "HEAD")
    assert sorted(p.name for p in clone_a.iterdir() if p.name != ".git") == data_files(clone_a)
    assert len(device_files(clone_a)) == 2
    assert data_files(clone_a) == sorted([*a.own_files, *b.own_files])
    for device in (a, b):  # a main file each, and the month of the check-ins
        assert list(device.own_files) == [device.own_file.name, device.month_file("2026-11").name]

    week_a, week_b = a.json("week"), b.json("week")
    assert week_a == week_b
    assert a.json("list") == b.json("list")
    got = rows(week_a)
    assert set(got) == {
        ("evening-walk", None),
        ("tech-free-time", None),
        ("appreciation", "Alex"),
        ("appreciation", "Sam"),
    }
    assert got["evening-walk", None]["days"][WED] == "done"
    assert got["tech-free-time", None]["progress"]["done"] == 60
    assert got["appreciation", "Sam"]["days"][WED] == "missed"


# ---------------------------------------------------------------- 4. warnings


@pytest.fixture
def pair(tmp_path):
    """Alex and Sam, each with their own folder; `copy` plays the sync tool."""
    a = Device(tmp_path / "alex", tmp_path / "alex-sync", "A")
    b = Device(tmp_path / "sam", tmp_path / "sam-sync", "B")
    a("sync", "init", a.folder, "--me", "Alex", now=at(MON))
    b.folder.mkdir()
    copy_all(a, b)
    b("sync", "join", b.folder, "--me", "Sam", "--code", a.code, now=at(MON, "10:05"))
    return a, b


def copy(src: Device, dst: Device, data: bytes | None = None, name: str | None = None) -> Path:
    """One file into dst's folder: src's main file (or `data`), under its name (or `name`)."""
    target = dst.folder / (name or src.own_file.name)
    target.write_bytes(src.own_file.read_bytes() if data is None else data)
    return target


def copy_all(src: Device, dst: Device) -> list[Path]:
    """The partner's data arrives: every file of src (main and months) into dst's folder, months first."""
    files = src.own_files
    names = [*(name for name in files if name != src.own_file.name), src.own_file.name]
    write_files(dst.folder, {name: files[name].read_bytes() for name in names})
    return [dst.folder / name for name in names]


def test_a_half_written_file_is_skipped_with_one_warning_until_it_arrives_whole(pair):
    a, b = pair
    a("add", "Walk", now=at(MON))
    copy_all(a, b)
    b("done", "walk", now=at(TUE))
    b("add", "Dishes", now=at(TUE))
    copy_all(b, a)  # Sam's month file arrives whole; his main file is still being written
    whole = b.own_file.read_bytes()
    half = copy(b, a, whole[: len(whole) // 2])

    week = a.run("week", "--json")
    assert week.code == 0
    assert only_warnings(week) == [line for line in week.err.splitlines()]
    assert len(week.err.strip().splitlines()) == 1
    assert week.err.startswith(f"Warning: {half.name} ")
    assert [h["slug"] for h in week.json()["habits"]] == ["walk"]  # Sam's part is not there yet
    assert week.json()["habits"][0]["days"][TUE] != "done"  # nor his check-in: his month is not read without his main
    # A command that writes works as well, with the same warning.
    done = a.run("done", "walk", "--date", MON)
    assert done.code == 0 and done.err.count("Warning: ") == 1
    status = a.json("sync", "status")
    unreadable = [d for d in status["devices"] if not d["readable"]]
    assert [d["file"] for d in unreadable] == [half.name]

    empty = copy(b, a, b"")  # the sync tool has created the file, nothing written yet
    week = a.run("week")
    assert week.code == 0 and week.err.startswith(f"Warning: {empty.name} ")
    assert len(week.err.strip().splitlines()) == 1

    copy_all(b, a)  # the rest arrives
    week = a.run("week", "--json")
    assert week.err == ""
    assert [h["slug"] for h in week.json()["habits"]] == ["walk", "dishes"]
    assert week.json()["habits"][0]["days"][TUE] == "done"


def test_a_half_written_month_file_is_skipped_with_one_warning_until_it_arrives_whole(pair):
    a, b = pair
    a("add", "Walk", "--every", "daily", now=at(MON))
    a("done", "walk", now=at(MON, "19:00"))
    copy_all(a, b)
    b("add", "Dishes", "--every", "daily", now=at(TUE))
    b("done", "walk", now=at(TUE, "19:00"))
    b("done", "dishes", now=at(TUE, "20:00"))
    copy_all(b, a)  # Sam's main file arrives whole; his month file is still being written
    whole = b.month_file("2026-11").read_bytes()
    half = copy(b, a, whole[: len(whole) // 2], b.month_file("2026-11").name)

    week = a.run("week", "--json")
    assert week.code == 0
    lines = only_warnings(week)
    assert len(lines) == 1 and lines[0].startswith(f"Warning: {half.name} "), lines
    got = rows(week.json())
    assert list(got) == [("walk", None), ("dishes", None)]  # Sam's habit is there: his main file was read
    assert got["walk", None]["days"][MON] == "done"  # Alex's own check-in
    assert got["walk", None]["days"][TUE] != "done" and got["dishes", None]["days"][TUE] != "done"  # Sam's: not yet
    assert [h["name"] for h in a.json("list")] == ["Walk", "Dishes"]  # with the same warning, on stderr
    # A command that writes works as well, with the same one warning.
    done = a.run("done", "dishes", "--date", WED)
    assert done.code == 0 and len(only_warnings(done)) == 1 and half.name in done.err
    assert any(half.name in note for note in a.json("sync", "status")["odd"])  # status names it too

    empty = copy(b, a, b"", half.name)  # the sync tool has created the file, nothing written yet
    week = a.run("week")
    lines = only_warnings(week)
    assert week.code == 0 and len(lines) == 1 and lines[0].startswith(f"Warning: {empty.name} "), lines

    copy_all(b, a)  # the rest arrives
    week = a.run("week", "--json")
    assert week.err == ""
    got = rows(week.json())
    assert got["walk", None]["days"][TUE] == got["dishes", None]["days"][TUE] == "done"
    assert got["walk", None]["days"][MON] == got["dishes", None]["days"][WED] == "done"
    copy_all(a, b)  # and Alex's Wednesday reaches Sam: the same week on both
    assert b.json("week") == week.json()


def test_a_half_written_file_of_an_older_month_is_not_summed_up_without_it(pair):
    """An older month is read for the summary (storage/cache.py keeps it): a skipped one must not stick there."""
    a, b = pair
    a("add", "Walk", "--every", "daily", now=at("2026-09-01"))
    copy_all(a, b)
    for day in ("2026-09-14", "2026-09-15", "2026-09-16", "2026-10-20"):  # Sam's best run: three days
        b("done", "walk", "--date", day, now=at(MON))
    copy_all(b, a)
    september = b.month_file("2026-09")
    whole = september.read_bytes()
    half = copy(b, a, whole[: len(whole) // 2], september.name)

    for args in (("week",), ("week",), ("stats",)):  # the second week may come from the summary cache
        result = a.run(*args, "--json")
        lines = only_warnings(result)
        assert len(lines) == 1 and lines[0].startswith(f"Warning: {half.name} "), (args, lines)
    assert result.json()["habits"][0]["best_streak"] == 1  # October's day alone

    copy_all(b, a)  # the rest arrives
    week, stats = a.run("week", "--json"), a.run("stats", "--json")
    assert week.err == stats.err == ""
    assert stats.json()["habits"][0]["best_streak"] == 3
    assert (week.json(), stats.json()) == (b.json("week"), b.json("stats"))


def test_a_conflict_copy_is_read_record_by_record_and_reported_by_status(pair):
    """Its records carry ids and merge by union; one that does not parse (a stamp past the year 3000) is skipped."""
    a, b = pair
    a("add", "Walk", now=at(MON))
    b("add", "Dishes", now=at(MON, "11:00"))
    b("done", "dishes", now=at(MON, "11:30"))
    copy_all(b, a)
    before = a.json("week")
    assert rows(before)["dishes", None]["days"][MON] == "done"
    data = b.data(b.own_file)
    data["habit_changes"]["99"] = {
        "id": "x" * 32,
        "habit": "y" * 32,
        "stamp": 2**52,
        "fields": {**next(iter(data["habit_changes"].values()))["fields"], "name": "Conflict", "slug": "conflict"},
    }
    stem = b.own_file.stem

    def conflict_copy(data: dict, name: str) -> Path:
        """Sealed, as Sam's machine wrote it before the sync tool copied it under another name."""
        return copy(b, a, sealed_bytes(name, b.code, json.dumps(data).encode()), name)

    syncthing = conflict_copy(data, f"{stem}.sync-conflict-20261126-1234-XYZ.json")
    dropbox = conflict_copy(data, f"{stem} (conflicted copy).json")
    month = b.data(b.month_file("2026-11"))  # a copy of the month that undoes its check-ins
    month["removals"] = {
        str(n): {"id": f"x{n}", "target": c["id"], "stamp": 2**52}
        for n, c in enumerate(month["checkins"].values(), start=1)
    }
    of_month = conflict_copy(month, f"{stem}.2026-11.sync-conflict-20261126-123456-ABCDEFG.json")

    week = a.run("week", "--json")
    assert week.json() == before  # every record of the copies is in the live files, or does not parse
    assert "skipped 1 record of" in week.err and syncthing.name in week.err and of_month.name in week.err
    status = a.json("sync", "status")
    assert len(status["devices"]) == 2
    for copy_ in (syncthing, dropbox, of_month):
        assert any(copy_.name in line and "conflict copy" in line for line in status["odd"]), status["odd"]
    text = a("sync", "status").out
    assert f"Note: {syncthing.name} is a sync tool's conflict copy" in text


# ---------------------------------------------------------------- 5. status, leave, and private homes


def test_status_lists_both_devices_and_leave_keeps_the_shared_week(pair, tmp_path):
    loner = Device(tmp_path / "loner", None, "C")
    loner("add", "Read", "--every", "daily", now=at(MON))
    loner("done", "read", now=at(TUE))
    private_list = loner.json("list")
    private_bytes = private_files(loner.home)
    assert set(private_bytes) == {"connect.json", "connect.2026-11.json"}

    a, b = pair
    a("add", "Walk", "--every", "daily", now=at(MON, "11:00"))
    a("add", "Appreciation", "--who", "each", now=at(MON, "11:01"))
    a("add", "Old ritual", now=at(MON, "11:02"))
    a("done", "walk", now=at(MON, "19:00"))
    a("done", "appreciation", now=at(MON, "19:00"))
    copy_all(a, b)
    b("add", "Dishes", "--every", "weekdays", now=at(TUE))
    b("add", "Read", now=at(TUE))
    b("done", "appreciation", now=at(TUE))
    b("done", "walk", "--date", WED, now=at(WED))
    b("remove", "old", now=at(WED))
    copy_all(b, a)

    status = a.json("sync", "status")
    assert status["shared"] is True and status["me"] == "Alex" and status["device"] == a.device_id
    assert status["odd"] == []
    by_person = {d["person"]: d for d in status["devices"]}
    assert set(by_person) == {"Alex", "Sam"}
    assert by_person["Alex"]["this_device"] and not by_person["Sam"]["this_device"]
    assert by_person["Alex"]["device"] == a.device_id and by_person["Sam"]["device"] == b.device_id
    assert by_person["Sam"]["checkins"] == 2 and all(d["readable"] for d in status["devices"])
    assert {d["person"] for d in b.json("sync", "status")["devices"]} == {"Alex", "Sam"}

    shared_week, shared_list = b.json("week"), b.json("list")
    assert shared_week == a.json("week")
    assert list(rows(shared_week)) == [
        ("walk", None),
        ("appreciation", "Alex"),
        ("appreciation", "Sam"),
        ("dishes", None),
        ("read", None),
    ]  # in the order they were added

    # The home that never shared saw none of this: sync stays invisible until `sync init`.
    assert loner.json("list") == private_list
    assert private_files(loner.home) == private_bytes
    assert loner.json("sync", "status") == {
        "shared": False,
        "folder": None,
        "devices": [],
        "partners": [],
        "copies": [],
        "odd": [],
    }
    assert "Not shared" in loner("sync", "status").out
    assert "sync_folder" not in loner.config and "device" not in loner.config
    assert not [p.name for p in loner.home.iterdir() if "before-sync" in p.name or DEVICE_FILE.fullmatch(p.name)]

    left = b("sync", "leave")
    assert "private again" in left.out
    assert set(private_files(b.home)) == {"connect.json", "connect.2026-11.json"}  # the main file and the month
    assert b.json("sync", "status")["shared"] is False
    assert "sync_folder" not in b.config
    assert a.json("week") == shared_week  # the folder was left as it is, and Alex goes on
    private_list, private_week = b.json("list"), b.json("week")
    assert sorted(private_list, key=lambda h: h["id"]) == sorted(shared_list, key=lambda h: h["id"])
    assert rows(private_week) == rows(shared_week)  # the partner's row too, without the shared folder
    assert [h["name"] for h in private_list] == [h["name"] for h in shared_list]  # in the same order
    assert private_week == shared_week


def test_leaving_and_joining_again_keeps_the_undos_and_edits_made_while_shared(tmp_path):
    folder = tmp_path / "shared"
    a = Device(tmp_path / "alex", folder, "A")
    b = Device(tmp_path / "sam", folder, "B")
    a("sync", "init", folder, "--me", "Alex", now=at(MON))
    b("sync", "join", folder, "--me", "Sam", "--code", a.code, now=at(MON))
    a("add", "Walk", now=at(MON))
    a("done", "walk", now=at(TUE))
    b("undo", "walk", "--date", TUE, now=at(TUE, "11:00"))  # B removes A's check-in
    a("edit", "walk", "--rename", "Walk outside", now=at(WED))
    b("edit", "walk", "--rename", "Evening walk", now=at(WED, "11:00"))  # the later rename
    shared_week, shared_list = a.json("week"), a.json("list")
    assert rows(shared_week)["evening-walk", None]["days"][TUE] == "missed"

    b("sync", "leave")
    b("sync", "join", folder, "--me", "Sam", "--code", a.code)  # back again (a new laptop, a second thought)
    assert a.json("list") == b.json("list") == shared_list  # still 'Evening walk'
    assert a.json("week") == b.json("week") == shared_week  # and A's Tuesday check-in stays undone


def test_habits_added_under_one_name_on_both_machines_can_be_told_apart(pair):
    a, b = pair
    a("add", "Walk", now=at(MON))
    b("add", "Walk", "--every", "weekdays", now=at(MON, "10:30"))  # before anything synced
    copy_all(a, b)
    copy_all(b, a)
    assert a.json("list") == b.json("list")
    notes = a.json("sync", "status")["odd"]
    assert any("two habits are named 'Walk'" in note for note in notes), notes
    # The note says "rename or remove one": the CLI must give a way to name each of them.
    slugs = [h["slug"] for h in a.json("list")]
    assert len(set(slugs)) == 2, slugs
    b("edit", slugs[1], "--rename", "Weekday walk")
    copy_all(b, a)
    assert a.json("sync", "status")["odd"] == []
    assert sorted(h["name"] for h in a.json("list")) == ["Walk", "Weekday walk"]


# ---------------------------------------------------------------- 6. errors


def test_sync_refuses_what_it_cannot_do(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "connect-abc.sync-conflict-20261126-1234-XYZ.json").write_text("{}")  # not a device file
    sam = Device(tmp_path / "sam", empty, "B")
    assert "holds no shared connect data" in one_error_line(sam.run("sync", "join", empty, "--me", "Sam", ok=False))
    assert sam.json("sync", "status")["shared"] is False

    folder = tmp_path / "shared"
    alex = Device(tmp_path / "alex", folder, "A")
    alex("sync", "init", folder, "--me", "Alex")
    before = sorted(p.name for p in folder.iterdir())
    other = Device(tmp_path / "other", folder, "C")
    assert "already holds shared connect data" in one_error_line(
        other.run("sync", "init", folder, "--me", "Sam", ok=False)
    )
    assert "already shared" in one_error_line(
        alex.run("sync", "init", tmp_path / "elsewhere", "--me", "Alex", ok=False)
    )
    assert "already shared" in one_error_line(alex.run("sync", "init", folder, "--me", "Alex", ok=False))
    assert "already shared" in one_error_line(alex.run("sync", "join", folder, "--me", "Alex", ok=False))
    assert sorted(p.name for p in folder.iterdir()) == before
    assert not (tmp_path / "elsewhere").exists()

    alex("add", "Walk")
    sam.folder = folder
    sam("sync", "join", folder, "--me", "Sam", "--code", alex.code)
    assert "'Nobody' is not one of the partners (Alex, Sam)" in one_error_line(
        alex.run("done", "walk", "--by", "Nobody", ok=False)
    )
    assert alex.json("week")["habits"][0]["days"][THU] == "pending"  # nothing was logged
    assert "not shared" in one_error_line(Device(tmp_path / "loner").run("sync", "leave", ok=False))


def test_the_week_says_who_logged_a_habit_done_together(tmp_path):
    """`connect week --json` attributes each day's check-ins: `by` maps a date to the partners who logged it."""
    import json as _json
    import os as _os
    import subprocess as _subprocess

    from support import CONNECT

    def run(home, *args):
        env = dict(_os.environ, CONNECT_HOME=str(tmp_path / home), CONNECT_NOW="2026-11-26T10:00")
        result = _subprocess.run([CONNECT, *args], env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    run("a", "add", "Walk")
    code = run("a", "sync", "init", str(tmp_path / "shared"), "--me", "Alex").splitlines()[-1]
    run("b", "sync", "join", str(tmp_path / "shared"), "--me", "Sam", "--code", code)
    run("a", "done", "walk", "--date", "2026-11-24")
    run("b", "done", "walk", "--date", "2026-11-25")
    run("b", "done", "walk")
    row = _json.loads(run("a", "week", "--json"))["habits"][0]
    assert row["by"] == {"2026-11-24": ["Alex"], "2026-11-25": ["Sam"], "2026-11-26": ["Sam"]}
