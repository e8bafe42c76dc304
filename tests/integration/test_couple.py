"""The couple, first class: two partners with stable ids, on one laptop or two, that no typo can break.

Each test is a sequence a couple types (Maya and Jonas, a home each, one folder their sync tool keeps in
step; here the two homes simply share the folder), through the real `connect`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import NOW, one_error_line, run_connect


class Machine:
    """One partner's laptop: its own CONNECT_HOME."""

    def __init__(self, root: Path, name: str):
        self.home = root / name

    def __call__(self, *args: str, now: str = NOW, stdin: str = ""):
        return run_connect(self.home, *args, now=now, stdin=stdin)

    def ok(self, *args: str, now: str = NOW):
        result = self(*args, now=now)
        assert result.code == 0, (args, result.out, result.err)
        return result

    def partners(self) -> list[str]:
        return [p["name"] for p in self.ok("partners", "--json").json()]

    def week(self) -> dict:
        return self.ok("week", "--json").json()


@pytest.fixture
def maya(tmp_path) -> Machine:
    return Machine(tmp_path, "maya")


@pytest.fixture
def jonas(tmp_path) -> Machine:
    return Machine(tmp_path, "jonas")


@pytest.fixture
def folder(tmp_path) -> Path:
    return tmp_path / "Sync" / "connect"


def shared(maya: Machine, jonas: Machine, folder: Path) -> str:
    """Maya shares her home through `folder` and Jonas joins it; the couple's pairing code."""
    maya.ok("init", "--partner", "Maya", "--partner", "Jonas", "--yes")
    code = maya.ok("sync", "init", str(folder), "--me", "Maya").out.splitlines()[-1]
    jonas.ok("sync", "join", str(folder), "--me", "Jonas", "--code", code)
    return code


def test_sharing_keeps_both_partners_on_both_machines_and_in_every_backup(maya, jonas, folder, tmp_path):
    maya.ok("init", "--partner", "Maya", "--partner", "Jonas", "--yes")
    code = maya.ok("sync", "init", str(folder), "--me", "Maya").out.splitlines()[-1]
    assert "Maya & Jonas" in maya.ok("week").out
    assert "by Jonas" in maya.ok("done", "weekly", "--by", "Jonas").out
    jonas.ok("sync", "join", str(folder), "--me", "Jonas", "--code", code)
    assert maya.partners() == jonas.partners() == ["Maya", "Jonas"]
    assert "Maya & Jonas" in jonas.ok("week").out
    backup = tmp_path / "backup.json"
    jonas.ok("export", "-o", str(backup))
    restored = Machine(tmp_path, "restored")
    restored.ok("import", str(backup))
    assert restored.partners() == ["Maya", "Jonas"]
    [check_in] = [e for e in restored.ok("log", "--json").json() if e["kind"] == "checkin"]
    assert check_in["by"] == "Jonas"


def test_a_home_that_never_shares_has_both_partners_in_every_export(maya, tmp_path):
    maya.ok("init", "--partner", "Maya", "--partner", "Jonas", "--yes")
    data = json.loads(maya.ok("export").out)
    assert [p["name"] for p in data["couple"]["partners"]] == ["Maya", "Jonas"]
    restored = Machine(tmp_path, "restored")
    assert restored("import", "-", stdin=json.dumps(data)).code == 0
    assert restored.partners() == ["Maya", "Jonas"]


def test_me_in_another_case_is_the_same_partner_and_leave_then_join_leaves_no_ghost(maya, jonas, folder):
    maya.ok("init", "--partner", "Maya", "--partner", "Jonas", "--yes")
    made = maya.ok("sync", "init", str(folder), "--me", "maya").out
    assert "you log as Maya" in made
    code = made.splitlines()[-1]
    jonas.ok("sync", "join", str(folder), "--me", "jonas", "--code", code)
    maya.ok("sync", "leave")
    maya.ok("sync", "join", str(folder), "--me", "Maya", "--code", code)
    for machine in (maya, jonas):
        assert machine.partners() == ["Maya", "Jonas"]
        rows = [h["name"] for h in machine.week()["habits"]]
        assert len(rows) == len(set(rows))  # no row for a ghost
        odd = machine.ok("sync", "status", "--json").json()["odd"]
        assert not [line for line in odd if "partner" in line], odd


def test_me_must_be_a_partner_once_the_couple_has_two(maya, jonas, folder):
    code = shared(maya, jonas, folder)
    jonas.ok("sync", "leave")
    refusal = one_error_line(jonas("sync", "join", str(folder), "--me", "Jonsa", "--code", code))
    assert "'Jonsa' is not one of the partners (Maya, Jonas)" in refusal
    assert "prefix" not in refusal
    joined = jonas.ok("sync", "join", str(folder), "--me", "jo", "--code", code)
    assert "you log as Jonas" in joined.out  # a unique prefix


def test_me_names_a_new_partner_while_the_couple_has_room(maya, jonas, folder):
    code = maya.ok("sync", "init", str(folder), "--me", "Maya").out.splitlines()[-1]  # a home that never ran init
    jonas.ok("sync", "join", str(folder), "--me", "Jonas", "--code", code)
    assert maya.partners() == jonas.partners() == ["Maya", "Jonas"]
    jonas.ok("add", "Walk")
    assert "done today by Jonas" in jonas.ok("done", "walk").out


def test_every_copy_set_aside_by_sharing_is_kept_and_named(maya, jonas, folder):
    code = shared(maya, jonas, folder)
    maya.ok("sync", "leave")
    maya.ok("sync", "join", str(folder), "--me", "Maya", "--code", code)
    maya.ok("sync", "leave")
    maya.ok("sync", "join", str(folder), "--me", "Maya", "--code", code)
    copies = maya.ok("sync", "status", "--json").json()["copies"]
    assert len(copies) == 3 and len(set(copies)) == 3
    assert all(Path(c).exists() for c in copies)
    assert "Private copies kept" in maya.ok("sync", "status").out


def test_partner_names_are_unique_in_any_case_and_come_out_in_one_order(maya):
    assert "differ in more than case" in one_error_line(maya("init", "--partner", "Ana", "--partner", "ana", "--yes"))
    first = maya.ok("init", "--partner", "Sam", "--partner", "Alex", "--yes").out
    assert "Welcome, Sam & Alex." in first and "· Sam & Alex" in first
    assert "· Sam & Alex" in maya.ok("week").out
    assert maya.partners() == ["Sam", "Alex"]
    assert "Welcome, Sam & Alex." in maya.ok("init", "--partner", "alex", "--yes").out  # the same people
    refusal = one_error_line(maya("init", "--partner", "Robin", "--yes"), code=2)
    assert "connect partners rename" in refusal
    assert maya.partners() == ["Sam", "Alex"]


def test_one_partners_habit_is_theirs_wherever_it_is_logged(maya, jonas, folder):
    shared(maya, jonas, folder)
    assert "Jonas's" in maya.ok("add", "Journal", "--who", "Jonas").out
    refusal = one_error_line(maya("done", "journal"))
    assert "'Journal' is Jonas's habit" in refusal and "--by Jonas" in refusal
    assert "done today by Jonas" in maya.ok("done", "journal", "--by", "Jonas").out
    assert "already done by Jonas today" in jonas.ok("done", "journal").out
    assert "Journal · Jonas" in maya.ok("list").out
    assert "Journal · Jonas" in maya.ok("week").out
    assert "Journal · Jonas" in maya.ok("stats").out
    [row] = [h for h in maya.week()["habits"] if h["slug"] == "journal"]
    assert row["who"] == "Jonas"


def test_a_habit_of_one_partner_on_a_laptop_both_use_is_logged_for_them(maya):
    maya.ok("init", "--partner", "Maya", "--partner", "Jonas", "--yes")
    maya.ok("add", "Journal", "--who", "jonas")
    assert "done today by Jonas" in maya.ok("done", "journal").out
    [entry] = [e for e in maya.ok("log", "--json").json() if e["kind"] == "checkin"]
    assert entry["by"] == "Jonas"


def test_each_habits_have_a_row_per_partner_in_stats_and_one_partners_record_on_request(maya):
    maya.ok("init", "--partner", "Maya", "--partner", "Jonas", "--yes")
    maya.ok("add", "Run", "--who", "each")
    maya.ok("done", "run", "--by", "maya")
    rows = [(h["name"], h["person"]) for h in maya.ok("stats", "--json").json()["habits"] if h["slug"] == "run"]
    assert rows == [("Run", "Maya"), ("Run", "Jonas")]
    mine = maya.ok("stats", "run", "--by", "Maya", "--json").json()
    theirs = maya.ok("stats", "run", "--by", "Jonas", "--json").json()
    assert (mine["person"], mine["streak"], theirs["person"], theirs["streak"]) == ("Maya", 1, "Jonas", 0)
    assert "Run · Jonas" in maya.ok("stats", "run", "--by", "Jonas").out
    assert "not a habit each of you does" in one_error_line(maya("stats", "weekly", "--by", "Jonas"), code=2)
    # Without --by: never the two records mixed into one (a streak of 1 nobody has) but a question, on a laptop
    # both use, and this laptop's partner's record on one that is somebody's.
    asked = one_error_line(maya("stats", "run"), code=2)
    assert asked == "Error: 'Run' is a habit each of you does: say whose record with --by Maya or --by Jonas."
    maya.ok("partners", "me", "Jonas")
    jonas_record = maya.ok("stats", "run", "--json").json()
    assert (jonas_record["person"], jonas_record["streak"]) == ("Jonas", 0)
    assert "Run · Jonas" in maya.ok("stats", "run").out


def test_undo_done_and_log_say_whose_check_in_it_is(maya):
    maya.ok("init", "--partner", "Maya", "--partner", "Jonas", "--yes")
    assert "by Jonas" in maya.ok("done", "ten", "--by", "Jonas").out
    assert "already done by Jonas" in maya.ok("done", "ten", "--by", "Maya").out
    assert "by Jonas" in maya.ok("log").out
    assert "Removed the check-in of 'Ten minutes of real talk' by Jonas" in maya.ok("undo", "ten").out


def test_a_rename_on_one_machine_reaches_the_other_and_keeps_every_check_in(maya, jonas, folder):
    shared(maya, jonas, folder)
    maya.ok("done", "weekly", "--by", "Jonas")
    jonas.ok("add", "Run", "--who", "each")
    jonas.ok("done", "run")
    assert "'Jonas' is now 'Jo'" in jonas.ok("partners", "rename", "jonas", "Jo").out
    for machine in (maya, jonas):
        assert machine.partners() == ["Maya", "Jo"]
        by = {e["habit"]: e["by"] for e in machine.ok("log", "--json").json() if e["kind"] == "checkin"}
        assert by == {"Weekly check-in": "Jo", "Run": "Jo"}
        assert [h["person"] for h in machine.week()["habits"] if h["slug"] == "run"] == ["Maya", "Jo"]
    assert "Maya" in one_error_line(maya("partners", "rename", "jo", "maya"))  # the other partner's name


def test_whose_this_device_is_can_change(maya):
    maya.ok("init", "--partner", "Maya", "--partner", "Jonas", "--yes")
    assert "both of yours" in maya.ok("partners").out
    assert "This device is Jonas's." in maya.ok("partners", "me", "jon").out
    assert "done today by Jonas" in maya.ok("done", "ten").out
    assert [p["me"] for p in maya.ok("partners", "--json").json()] == [False, True]
    assert maya.ok("config", "get", "me").out.strip() == "Jonas"
    maya.ok("config", "set", "me", "none")
    assert "done today." in maya.ok("done", "tech-free-d").out  # nobody's in particular


def test_a_device_that_is_gone_is_forgotten_and_its_history_stays_as_its_partners(maya, jonas, folder):
    shared(maya, jonas, folder)
    jonas.ok("done", "ten")
    jonas.ok("add", "Guitar")
    device = jonas.ok("sync", "status", "--json").json()["device"]
    told = maya.ok("sync", "forget", device[:5]).out  # Jonas's laptop is gone
    assert "forgotten" in told and "as Jonas's" in told
    for path in list(folder.glob(f"connect-{device}*")):  # and now its files too
        path.unlink()
    status = maya.ok("sync", "status", "--json").json()
    assert device not in [d["device"] for d in status["devices"]]
    by = {e["habit"]: e["by"] for e in maya.ok("log", "--json").json() if e["kind"] == "checkin"}
    assert by == {"Ten minutes of real talk": "Jonas"}
    assert "guitar" in [h["slug"] for h in maya.ok("list", "--json").json()]
    assert "this device" in one_error_line(maya("sync", "forget", maya.ok("sync", "status", "--json").json()["device"]))


def test_sync_status_says_what_is_odd_about_partners(maya, jonas, folder):
    maya.ok("init", "--partner", "Maya", "--partner", "Jonas", "--yes")
    code = maya.ok("sync", "init", str(folder), "--me", "Maya").out.splitlines()[-1]
    odd = maya.ok("sync", "status", "--json").json()["odd"]
    assert any("Jonas has no device" in line for line in odd), odd
    jonas.ok("sync", "join", str(folder), "--me", "Jonas", "--code", code)
    assert not [line for line in maya.ok("sync", "status", "--json").json()["odd"] if "Jonas" in line]


def test_config_reads_and_writes_every_setting_checked_as_the_daemon_reads_it(maya):
    maya.ok("init", "--partner", "Maya", "--partner", "Jonas", "--yes")
    assert maya.ok("config", "set", "quiet_hours", "22:30-07:30").out.strip() == "quiet_hours = 22:30-07:30"
    assert maya.ok("config", "get", "quiet_hours").out.strip() == "22:30-07:30"
    before = (maya.home / "config.toml").read_bytes()
    for key, value in [
        ("quiet_hours", "late"),
        ("grace", "soon"),
        ("week_start", "tuesday"),
        ("summary_at", "someday"),
        ("notifications", "maybe"),
        ("colour", "blue"),
    ]:
        one_error_line(maya("config", "set", key, value))
    assert (maya.home / "config.toml").read_bytes() == before
    maya.ok("config", "set", "notifications", "off")
    values = maya.ok("config", "list", "--json").json()
    assert values["notifications"] is False and values["partners"] == ["Maya", "Jonas"]
    assert values["week_start"] == "monday" and values["me"] is None
    maya.ok("edit", "ten", "--at", "23:00")
    assert "(notifications off)" in maya.ok("remind", now="2026-11-26T22:00").out
    maya.ok("config", "set", "week_start", "Sunday")
    assert maya.week()["week_start"] == "2026-11-22"
    assert "connect partners rename" in one_error_line(maya("config", "set", "partners", "Ann, Bob"))
