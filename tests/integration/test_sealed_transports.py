"""What a server sees of a sealed folder: a real bare git remote after a week of two homes pushing and pulling,
every object read with `git cat-file`, holds none of the couple's words; nor does any file of a real Syncthing pair."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_syncthing import pair  # noqa: F401  (a fixture, found by its name)

from support import run_connect

DAYS = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29"]
NAMES = ["Maya", "Jonas"]
HABITS = ["Tech-free dinner", "Evening walk", "Say thank you"]
FILE_NAME = re.compile(r"connect-[0-9a-f]{12}(\.\d{4}-\d{2})?\.json")


def words_of(day: int) -> dict[str, str]:
    """What the couple writes on day `day`: every string must stay out of the remote."""
    return {
        "note": f"we laughed about the burnt rice {day}",
        "answer": f"the summer by the lake {day}",
        "message": f"thinking of you at the dentist {day}",
        "thanks": f"for the tea in bed {day}",
        "checkin": f"you listened when I was tired {day}",
    }


def git(where: Path, *args: str) -> bytes:
    done = subprocess.run(["git", *args], cwd=where, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


@pytest.fixture
def remote(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    return remote


class Partner:
    def __init__(self, root: Path, name: str, remote: Path):
        self.name, self.home, self.clone = name, root / f"{name}-home", root / f"{name}-clone"
        git(root, "clone", "--quiet", str(remote), str(self.clone))
        # The commits' own author and message are git's, not connect's: neutral, so only connect's files are judged.
        git(self.clone, "config", "user.name", "laptop")
        git(self.clone, "config", "user.email", "laptop@example.invalid")

    def __call__(self, *args: str, day: str = DAYS[0], time: str = "20:00", stdin: str = "") -> str:
        done = run_connect(self.home, *args, now=f"{day}T{time}", stdin=stdin)
        assert done.code == 0, (self.name, args, done.out, done.err)
        assert "Warning" not in done.err, done.err
        return done.out

    def push(self, when: str) -> None:
        git(self.clone, "add", "-A")
        if git(self.clone, "status", "--porcelain"):
            git(self.clone, "commit", "--quiet", "-m", "sync")
        self.pull()
        git(self.clone, "push", "--quiet", "origin", "HEAD:main")

    def pull(self) -> None:
        if git(self.clone, "ls-remote", "--heads", "origin", "main"):
            git(self.clone, "pull", "--quiet", "--rebase", "origin", "main")


def every_object(remote: Path) -> bytes:
    """Every object of the remote (commits, trees and blobs), as `git cat-file` prints them."""
    return git(remote, "cat-file", "--batch-all-objects", "--batch")


def test_a_week_through_a_bare_git_remote_leaves_no_word_of_ours_in_any_object(tmp_path, remote):
    maya, jonas = Partner(tmp_path, "Maya", remote), Partner(tmp_path, "Jonas", remote)
    maya("init", "--partner", "Maya", "--partner", "Jonas", "--yes", "--habit", "say-thank-you")
    maya("add", "Tech-free dinner")
    maya("add", "Evening walk", "--every", "3/week")
    code = maya("sync", "init", str(maya.clone), "--me", "Maya").splitlines()[-1]
    maya.push("Maya shares")
    jonas.pull()
    jonas("sync", "join", str(jonas.clone), "--me", "Jonas", "--code", code)
    jonas.push("Jonas joins")
    written: list[str] = []
    for n, day in enumerate(DAYS):
        maya.pull()
        jonas.pull()
        words = words_of(n)
        maya("done", "Tech-free dinner", "--note", words["note"], day=day)
        jonas("question", day=day, time="08:00")
        maya("answer", words["answer"], day=day)
        jonas("answer", f"a quiet morning {n}", day=day)
        jonas("send", words["message"], day=day, time="09:00")
        maya.push(f"Maya, {day}")
        jonas.push(f"Jonas, {day}")
        maya.pull()
        jonas("thank", words["thanks"], day=day, time="21:00")
        jonas.push(f"Jonas thanks, {day}")
        written += [*words.values(), f"a quiet morning {n}"]
    maya.pull()
    checkin = [words_of(0)["checkin"], "", "you made soup", "", "Sunday breakfast", "skip", "a walk on Sunday", ""]
    maya("checkin", day=DAYS[-1], stdin="\n".join(checkin) + "\n")
    maya.push("the check-in")
    jonas.pull()
    # Both see everything ...
    maya.pull()
    inbox = maya("inbox", "--json", day=DAYS[-1], time="22:00")
    assert words_of(6)["message"] in inbox and words_of(6)["thanks"] in inbox
    assert words_of(3)["note"] in jonas("log", day=DAYS[-1], time="22:00")
    assert "you made soup" in jonas("checkins", day=DAYS[-1], time="22:00")
    # ... and the remote, object by object, none of it.
    objects = every_object(remote)
    assert len(re.findall(rb"^[0-9a-f]{40} blob ", objects, re.MULTILINE)) > 20  # the files of a week are there
    for secret in [*written, *NAMES, *HABITS, "you made soup", "Sunday breakfast", "a walk on Sunday", code]:
        assert secret.encode() not in objects, secret
        assert secret.lower().encode() not in objects, secret
    for name in git(remote, "ls-tree", "-r", "--name-only", "main").decode().split():
        assert FILE_NAME.fullmatch(name), name


def test_the_files_of_a_real_syncthing_pair_hold_no_word_of_ours(pair, tmp_path):
    from test_syncthing import Device

    alex = Device("Alex", tmp_path / "alex" / "connect-home", pair.alex, pair.deadline)
    sam = Device("Sam", tmp_path / "sam" / "connect-home", pair.sam, pair.deadline)
    words = words_of(1)
    alex.connect("init", "--partner", "Maya", "--partner", "Jonas", "--yes", "--habit", "say-thank-you")
    alex.connect("add", "Tech-free dinner")
    alex.connect("done", "Tech-free dinner", "--note", words["note"])
    code = alex.connect("sync", "init", str(alex.folder), "--me", "Maya").splitlines()[-1]
    pair.sync("Maya's sealed files reach Jonas's folder")
    sam.connect("sync", "join", str(sam.folder), "--me", "Jonas", "--code", code)
    sam.connect("send", words["message"])
    sam.connect("thank", words["thanks"])
    alex.connect("answer", words["answer"])
    pair.sync("both devices' files cross over")
    assert words["message"] in alex.connect("inbox", "--json")
    assert words["note"] in sam.connect("log")
    for device in (alex, sam):
        files = [p for p in device.folder.rglob("*") if p.is_file()]
        ours = [p for p in files if p.name.startswith("connect")]
        assert len(ours) >= 4 and all(FILE_NAME.fullmatch(p.name) for p in ours), ours
        everything = b"".join(p.read_bytes() for p in files)  # Syncthing's own files in the folder too
        for secret in [*words.values(), *NAMES, "Tech-free dinner", "Say thank you", code]:
            assert secret.encode() not in everything, (device.person, secret)
