"""The shared folder reveals nothing: a couple's pairing code, sealed files, damage and replays, a new key, and the
upgrade of a folder shared in plain text, through the real `connect` on two homes sharing one folder."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from connect_habits.storage.crypto import Tampered
from support import CONNECT, files_of, one_error_line, run_connect
from support.sealed import opened, pairing_code, shared_json, write_sealed

MON, TUE, WED = "2026-11-23T20:00", "2026-11-24T20:00", "2026-11-25T20:00"
SECRETS = ["Tech-free dinner", "Walk by the river", "I felt unheard on Sunday", "Alex", "Sam", "Jonas", "Maya"]


class Home:
    def __init__(self, root: Path, name: str):
        self.home = root / name

    def __call__(self, *args: str, now: str = MON, stdin: str = ""):
        return run_connect(self.home, *args, now=now, stdin=stdin)

    def ok(self, *args: str, now: str = MON, stdin: str = ""):
        result = self(*args, now=now, stdin=stdin)
        assert result.code == 0, (args, result.out, result.err)
        return result

    def log(self, now: str = WED) -> list[dict]:
        return self.ok("log", "--json", now=now).json()


def note_of(home: Home, now: str = WED) -> set[str]:
    return {c["note"] for c in home.ok("log", "--json", now=now).json() if c.get("note")}


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "shared"


@pytest.fixture
def couple(tmp_path, folder):
    """Alex and Sam on two machines sharing one sealed folder (read directly, as if synced at once)."""
    alex, sam = Home(tmp_path, "alex"), Home(tmp_path, "sam")
    alex.ok("add", "Tech-free dinner")
    alex.ok("add", "Walk by the river", "--every", "weekly")
    alex.ok("done", "Tech-free dinner", "--note", "I felt unheard on Sunday")
    shared = alex.ok("sync", "init", str(folder), "--me", "Alex")
    code = shared.out.splitlines()[-1]
    sam.ok("sync", "join", str(folder), "--me", "Sam", "--code", code)
    return alex, sam, code


def shared_text(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_sync_init_prints_the_code_alone_on_its_last_line_and_sync_code_shows_it_again(couple):
    alex, sam, code = couple
    assert re.fullmatch(r"([0-9A-Z]{4}-){6}[0-9A-Z*~$=]{3}", code)
    assert pairing_code(alex.home) == code == pairing_code(sam.home)
    assert alex.ok("sync", "status", "--json").json()["sealed"] == "yes"
    assert "Sealed with your couple's key" in sam.ok("sync", "status").out


def test_nothing_a_couple_wrote_is_in_the_folder_in_plain_text(couple, folder):
    alex, sam, code = couple
    sam.ok("done", "Walk by the river", "--note", "Jonas and Maya came along", now=TUE)
    everything = shared_text(folder)
    for secret in [*SECRETS, "Jonas and Maya came along", "unheard", "dinner"]:
        assert secret.encode() not in everything, secret
        assert secret.encode("utf-16-le") not in everything
    names = sorted(p.name for p in folder.iterdir())
    assert all(re.fullmatch(r"connect-[0-9a-f]{12}(\.\d{4}-\d{2})?\.json", n) for n in names), names
    assert any("Jonas and Maya came along" in json.dumps(shared_json(p, code)) for p in folder.iterdir())
    assert note_of(alex) == note_of(sam) == {"I felt unheard on Sunday", "Jonas and Maya came along"}


def test_the_key_lives_only_in_each_devices_private_config(couple, folder):
    alex, sam, code = couple
    for home in (alex, sam):
        config = home.home / "config.toml"
        assert code in config.read_text()
        assert config.stat().st_mode & 0o077 == 0
    assert code.encode() not in shared_text(folder)
    assert code.replace("-", "").encode() not in shared_text(folder)


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (None, "add the pairing code"),
        ("2KK8-WM98", "not a pairing code: a pairing code has 27 symbols"),
        ("TYPO", "not a pairing code"),
        ("another couple's", "does not open"),
        ("a typo", "typo"),
    ],
)
def test_a_missing_wrong_or_mistyped_code_is_refused_before_anything_is_written(tmp_path, couple, folder, code, says):
    alex, sam, right = couple
    jonas = Home(tmp_path, "jonas")
    jonas.ok("add", "Morning coffee")
    if code == "another couple's":
        other = Home(tmp_path, "other")
        other.ok("add", "Reading")
        code = other.ok("sync", "init", str(tmp_path / "elsewhere"), "--me", "Maya").out.splitlines()[-1]
    elif code == "a typo":
        code = right[:5] + ("X" if right[5] != "X" else "Y") + right[6:]
    before, before_folder = files_of(jonas.home), files_of(folder)
    args = ["sync", "join", str(folder), "--me", "Jonas"] + (["--code", code] if code else [])
    assert says in one_error_line(jonas(*args))
    assert files_of(jonas.home) == before and files_of(folder) == before_folder


@pytest.mark.parametrize("fresh", [True, False], ids=["a new home", "a home with data"])
def test_a_join_refused_for_its_name_keeps_nothing_of_the_folder(tmp_path, couple, folder, fresh):
    """The right code, but the couple has two partners already: refused, and no opened copy stays behind."""
    _, _, code = couple
    jonas = Home(tmp_path, "jonas")
    if not fresh:
        jonas.ok("add", "Morning coffee")
    before = files_of(jonas.home)
    refused = jonas("sync", "join", str(folder), "--me", "Jonas", "--code", code)
    assert "not one of the partners" in one_error_line(refused)
    assert files_of(jonas.home) == before
    assert not (jonas.home / "opened").exists()
    kept = b"".join(p.read_bytes() for p in jonas.home.rglob("*") if p.is_file())
    assert b"Alex" not in kept and b"Tech-free dinner" not in kept


def test_joining_at_a_terminal_asks_for_the_code(tmp_path):
    from support.terminal import Terminal

    maya, jonas = Home(tmp_path, "maya"), Home(tmp_path, "jonas")
    maya.ok("add", "Reading")
    code = maya.ok("sync", "init", str(tmp_path / "ours"), "--me", "Maya").out.splitlines()[-1]
    term = Terminal(jonas.home, MON, "sync", "join", str(tmp_path / "ours"), "--me", "Jonas")
    term.expect("The pairing code")
    term.type(code.lower())
    term.expect("you log as Jonas")
    assert term.wait() == 0
    assert pairing_code(jonas.home) == code


def alex_file(alex: Home, folder: Path, month: str = ".2026-11") -> Path:
    device = re.search(r'device = "([0-9a-f]{12})"', (alex.home / "config.toml").read_text())[1]
    return folder / f"connect-{device}{month}.json"


DAMAGES = {
    "a flipped byte": lambda raw, code: raw[:-20] + bytes([raw[-20] ^ 0x40]) + raw[-19:],
    "cut short": lambda raw, code: raw[: len(raw) // 2],
    "another couple's key": lambda raw, code: b"connect-sealed-1\n" + bytes(8) + raw[25:],
    "plain text from outside": lambda raw, code: json.dumps(json.loads(b"{}")).encode(),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_or_foreign_file_is_skipped_with_a_warning_and_nothing_is_lost(couple, folder, damage):
    alex, sam, code = couple
    target = alex_file(alex, folder)
    good = target.read_bytes()
    target.write_bytes(DAMAGES[damage](good, code))
    seen = sam("log", "--json", now=WED)
    assert seen.code == 0 and target.name in seen.err  # named in a warning
    assert "I felt unheard on Sunday" not in seen.out  # nothing of the damaged file is merged
    sam.ok("done", "Walk by the river", now=WED)
    # Alex's own machine puts its file back from its own record: nothing was lost.
    alex.ok("done", "Tech-free dinner", now=WED)
    assert note_of(alex) == note_of(sam) == {"I felt unheard on Sunday"}
    assert len(sam.log()) == len(alex.log()) == 3


def test_an_older_copy_put_back_loses_nothing(couple, folder):
    alex, sam, code = couple
    target = alex_file(alex, folder)
    old = target.read_bytes()
    alex.ok("done", "Tech-free dinner", "--note", "second evening", now=TUE)
    assert len(sam.log()) == 2
    target.write_bytes(old)  # a sync tool's rollback: a valid, older file sealed with the right key
    alex.ok("week", now=WED)  # Alex's machine sees its file went back, and puts its copy back
    assert note_of(sam) == note_of(alex) == {"I felt unheard on Sunday", "second evening"}
    assert shared_json(target, code)


def test_a_renamed_file_put_in_anothers_place_does_not_open(couple, folder):
    alex, sam, code = couple
    sam.ok("done", "Walk by the river", now=TUE)
    own = alex_file(alex, folder)
    other = [p for p in folder.glob("connect-*.2026-11.json") if p != own][0]
    other.write_bytes(own.read_bytes())  # Alex's month where Sam's belongs
    assert other.name in alex("log", now=WED).err


def test_a_new_key_made_on_one_device_and_taken_on_the_other(couple, folder):
    alex, sam, old = couple
    sam.ok("add", "Morning coffee", now=MON)
    made = alex.ok("sync", "rekey", now=TUE)
    new = made.out.splitlines()[-1]
    assert new != old and "connect sync code CODE" in made.out
    assert pairing_code(alex.home) == new
    # Until Sam takes the new code, both keep logging and reading what the other can.
    sam.ok("done", "Morning coffee", "--note", "logged before taking it", now=TUE)
    assert "logged before taking it" in note_of(alex)
    waiting = sam("log", now=TUE)
    assert "connect sync code CODE" in waiting.err
    # Alex's habit is in a file Sam cannot open yet: a name not found says so, not "add one"; each warning once.
    lost = sam("done", "Tech-free dinner", now=TUE)
    assert lost.code == 1 and "Traceback" not in lost.err
    [warning, error] = lost.err.splitlines()
    assert warning.startswith("Warning: ") and "connect sync code CODE" in warning
    assert error == (
        "Error: There is no habit 'Tech-free dinner' in the files that can be read now; one of the shared folder "
        "cannot (see the warning), and it may be there."
    )
    assert "already uses" in sam.ok("sync", "code", old, now=TUE).out
    took = sam.ok("sync", "code", new, now=WED)
    assert "now uses the new pairing code" in took.out
    assert pairing_code(sam.home) == new
    for path in folder.glob("connect-*.json"):
        with pytest.raises(Tampered, match="another key"):
            opened(path, old)
        opened(path, new)
    assert note_of(alex) == note_of(sam) == {"I felt unheard on Sunday", "logged before taking it"}
    assert "This device already uses" in sam.ok("sync", "code", new, now=WED).out
    # Sam has the new key: Alex stops accepting the old one, even from Sam's device.
    assert "sync_previous_secret" not in (alex.home / "config.toml").read_text()
    sams_main = next(
        p for p in folder.glob("connect-*.json") if p.name.count(".") == 1 and p != alex_file(alex, folder, "")
    )
    write_sealed(sams_main, old, opened(sams_main, new))
    assert sams_main.name in alex("log", now=WED).err


def test_a_code_that_opens_nothing_in_the_folder_is_not_taken(tmp_path, couple, folder):
    alex, sam, code = couple
    other = Home(tmp_path, "other")
    other.ok("add", "Reading")
    foreign = other.ok("sync", "init", str(tmp_path / "elsewhere"), "--me", "Maya").out.splitlines()[-1]
    before = files_of(sam.home), files_of(folder)
    assert "opens no file" in one_error_line(sam("sync", "code", foreign))
    assert "not a pairing code" in one_error_line(sam("sync", "code", "1234"))
    assert (files_of(sam.home), files_of(folder)) == before


def test_code_and_rekey_in_a_private_home_say_it_is_not_shared(tmp_path):
    alone = Home(tmp_path, "alone")
    alone.ok("add", "Reading")
    assert "not shared" in one_error_line(alone("sync", "code"))
    assert "not shared" in one_error_line(alone("sync", "rekey"))


def make_plain(folder: Path, code: str, *homes: Home) -> None:
    """The folder as a connect without keys wrote it: plain files, and no secret in either config."""
    for path in folder.glob("connect-*.json"):
        path.write_bytes(opened(path, code))
    for home in homes:
        config = home.home / "config.toml"
        config.write_text(
            "".join(
                line for line in config.read_text().splitlines(True) if "sync_" not in line or "sync_folder" in line
            )
        )


def log_in_parallel(home: Home, notes: list[str], habit: str, first_day: int) -> list[subprocess.Popen]:
    env = {**os.environ, "CONNECT_HOME": str(home.home), "CONNECT_NOW": "2026-11-24T21:00"}
    return [
        subprocess.Popen(
            [CONNECT, "done", habit, "--note", note, "--date", f"2026-11-{first_day + n:02d}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n, note in enumerate(notes)
    ]


def finished(processes: list[subprocess.Popen]) -> str:
    """Wait for every process, each of which must succeed; what they said on stderr."""
    said = ""
    for process in processes:
        _, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        said += err.decode()
    return said


def test_a_plain_folder_is_upgraded_with_both_devices_logging_and_nothing_is_lost(couple, folder):
    alex, sam, code = couple
    make_plain(folder, code, alex, sam)
    assert b"Tech-free dinner" in shared_text(folder)
    assert "not sealed yet" in one_error_line(alex("sync", "code"))
    assert alex.ok("sync", "status", "--json").json()["sealed"] == "no"
    # Alex makes the key while Sam logs; Alex keeps writing plain files while Sam has no key, so Sam reads on.
    sam_logging = log_in_parallel(sam, ["walk 1", "walk 2", "walk 3"], "Walk by the river", 17)
    made = alex.ok("sync", "rekey", now=TUE)
    finished(sam_logging)
    new = made.out.splitlines()[-1]
    assert pairing_code(alex.home) == new and "connect sync code CODE" in made.out
    assert alex.ok("sync", "status", "--json", now=TUE).json()["sealed"] == "waiting"
    alex.ok("done", "Tech-free dinner", "--note", "alex waits", now=TUE)
    assert "alex waits" in note_of(sam)
    told = sam("log", now=TUE).err  # Sam reads everything, and is told how to take the key
    assert "your partner's device made your couple's key" in told and "connect sync code CODE" in told
    assert b"alex waits" in shared_text(folder)  # not sealed until Sam has the key
    # A wrong code is refused on Sam's side (it is checked against the key file Alex left in the folder).
    other = new[:5] + ("X" if new[5] != "X" else "Y") + new[6:]
    assert "not a pairing code" in one_error_line(sam("sync", "code", other, now=TUE))
    # Sam takes the code while Alex logs.
    alex_logging = log_in_parallel(alex, ["dinner 1", "dinner 2", "dinner 3"], "Tech-free dinner", 10)
    sam.ok("sync", "code", new, now=WED)
    said = finished(alex_logging)
    said += alex.ok("week", now=WED).err  # Alex sees Sam sealed, and seals its own files (once)
    assert said.count("sealed its files too") == 1, said
    everything = shared_text(folder)
    for secret in ["Tech-free dinner", "alex waits", "walk 1", "dinner 2", "unheard", "Sam", "Alex"]:
        assert secret.encode() not in everything, secret
    assert not list(folder.glob("*.key"))
    assert [h.ok("sync", "status", "--json", now=WED).json()["sealed"] for h in (alex, sam)] == ["yes", "yes"]
    expected = {
        "I felt unheard on Sunday",
        "alex waits",
        "walk 1",
        "walk 2",
        "walk 3",
        "dinner 1",
        "dinner 2",
        "dinner 3",
    }
    assert note_of(alex) == note_of(sam) == expected
    assert alex("log", now=WED).err == sam("log", now=WED).err == ""
    # Now that both are sealed, a plain file from outside is not read.
    stranger = folder / "connect-0000000000aa.json"
    stranger.write_text(json.dumps({"_meta": {"1": {"schema": 4, "device": "0000000000aa"}}}))
    assert stranger.name in alex("log", now=WED).err


def test_a_device_without_the_key_is_told_how_to_take_it(couple, folder):
    alex, sam, code = couple
    config = sam.home / "config.toml"
    config.write_text("".join(line for line in config.read_text().splitlines(True) if "sync_secret" not in line))
    told = sam("log", now=TUE)
    assert "sealed with the couple's key, which this device does not have yet" in told.err
    assert "connect sync code CODE" in told.err
    sam.ok("sync", "code", code, now=TUE)
    assert note_of(sam) == {"I felt unheard on Sunday"}


def test_a_sealed_file_written_by_a_device_with_the_key_is_read(couple, folder):
    alex, sam, code = couple
    target = alex_file(alex, folder)
    data = json.loads(opened(target, code))
    write_sealed(target, code, json.dumps(data).encode())
    assert sam("log", now=WED).err == ""


def test_a_copy_a_crash_left_unusable_is_never_put_back(couple, folder):
    alex, sam, code = couple
    target = alex_file(alex, folder)
    copy = alex.home / "own-files" / target.name
    assert copy.read_bytes() == target.read_bytes()
    copy.write_bytes(copy.read_bytes()[:40])  # the record's copies are not forced to disk one by one
    target.write_bytes(DAMAGES["a flipped byte"](target.read_bytes(), code))
    damaged = target.read_bytes()
    refused = alex("log", now=WED)
    assert refused.code == 1 and "move it aside" in refused.err
    assert target.read_bytes() == damaged and not copy.exists()


def test_leaving_and_joining_again_brings_no_false_twins_and_leaves_nothing_of_the_folder_behind(couple, folder):
    alex, sam, code = couple
    left = alex.ok("sync", "leave", now=TUE)
    assert "private again" in left.out
    assert not (alex.home / "opened").exists() and not (alex.home / "own-files").exists()
    again = alex.ok("sync", "join", str(folder), "--me", "Alex", "--code", code, now=WED)
    assert "twice" not in again.out
    assert sorted(h["name"] for h in alex.ok("list", "--json", now=WED).json()) == [
        "Tech-free dinner",
        "Walk by the river",
    ]


def test_the_data_folder_itself_cannot_be_shared(tmp_path):
    alone = Home(tmp_path, "alone")
    alone.ok("add", "Reading")
    before = files_of(alone.home)
    assert "where this machine keeps its own data" in one_error_line(
        alone("sync", "init", str(alone.home), "--me", "Maya")
    )
    assert files_of(alone.home) == before


def test_sync_init_into_a_sealed_folder_says_to_join_with_the_code(tmp_path, couple, folder):
    other = Home(tmp_path, "other")
    other.ok("add", "Reading")
    assert f"sync join {folder} --me NAME --code CODE" in one_error_line(
        other("sync", "init", str(folder), "--me", "Jo")
    )
