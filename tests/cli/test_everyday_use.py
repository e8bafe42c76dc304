"""The rough edges a new couple hit in their first two weeks (issue 16), each through the real `connect`."""

from __future__ import annotations

import pytest

from support import one_error_line, run_connect
from support.sealed import shared_json


@pytest.fixture
def env_without_bus():
    return {"DBUS_SESSION_BUS_ADDRESS": "", "XDG_RUNTIME_DIR": "/nonexistent"}


def test_version_is_one_line_and_exit_0(home):
    result = run_connect(home, "--version")
    assert result.code == 0 and result.out.startswith("connect ") and result.out.count("\n") == 1


@pytest.mark.parametrize("args", [[], ["sync"], ["daemon"]])
def test_a_bare_command_shows_its_help_and_succeeds(home, args):
    result = run_connect(home, *args)
    assert result.code == 0 and "Usage: connect" in result.out and result.err == ""


@pytest.mark.parametrize("typed, suggestion", [("wek", "'week'"), ("stat", "'stats', 'status'")])
def test_an_unknown_command_suggests_the_right_one_once(home, typed, suggestion):
    said = one_error_line(run_connect(home, typed), code=2)
    assert said.count(f"Did you mean {suggestion}?") == 1 and "one of" not in said


def test_arguments_have_their_help(home):
    assert "A backup from `connect export" in run_connect(home, "import", "--help").out
    assert "The habit (a unique prefix" in run_connect(home, "done", "--help").out


def test_catalog_name_shows_that_template(home):
    shown = run_connect(home, "catalog", "walk-together")
    assert shown.code == 0 and "Prompts:" in shown.out and "connect add --from walk-together" in shown.out
    assert run_connect(home, "catalog", "walk", "--json").json()["id"] == "walk-together"
    assert "no template" in one_error_line(run_connect(home, "catalog", "juggling"))


def test_counts_are_in_the_right_number(tmp_path):
    alex, sam, folder = tmp_path / "alex", tmp_path / "sam", tmp_path / "shared"
    run_connect(alex, "add", "Walk")
    run_connect(alex, "done", "walk")
    code = run_connect(alex, "sync", "init", str(folder), "--me", "Alex").out.splitlines()[-1]
    joined = run_connect(sam, "sync", "join", str(folder), "--me", "Sam", "--code", code)
    assert "Joined 1 other device in" in joined.out and "(s)" not in joined.out
    left = run_connect(alex, "sync", "leave")
    assert "Copied 1 habit and 1 check-in to" in left.out


def test_without_a_session_bus_daemon_test_fails_in_one_sentence_and_status_says_why(home, env_without_bus):
    result = run_connect(home, "daemon", "test", env=env_without_bus)
    assert "no D-Bus session bus" in one_error_line(result)
    assert result.out == ""
    status = run_connect(home, "daemon", "status", env=env_without_bus)
    assert "backend: none" in status.out and "Notifications cannot be shown here" in status.out


def test_remind_leaves_out_what_is_not_due_and_says_what_quiet_hours_drop(home):
    run_connect(home, "add", "Walk", "--at", "19:00", "--every", "fri")  # NOW is a Thursday
    run_connect(home, "add", "Talk", "--at", "23:00")
    with open(home / "config.toml", "a") as config:
        config.write('quiet_hours = "22:30-07:30"\n')
    text = run_connect(home, "remind").out
    assert "today     19:00  Walk" not in text  # not one of its days: not listed
    assert "tomorrow  19:00  Walk" in text
    assert "today     23:00  Talk (quiet hours: not sent)" in text


@pytest.mark.parametrize(
    "at, says",
    [
        ("07:00", "that reminder comes at 07:30"),
        ("23:00", "that reminder will not be sent"),
        ("19:00", None),
    ],
)
def test_a_reminder_time_in_the_quiet_hours_is_pointed_out(home, at, says):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('quiet_hours = "22:30-07:30"\n')
    added = run_connect(home, "add", "Walk", "--at", at)
    assert added.code == 0
    if says is None:
        assert "quiet hours" not in added.out
    else:
        assert says in added.out


@pytest.mark.parametrize(
    "text, expected",
    [
        ("today", "2026-11-26"),  # NOW is Thursday 26 November 2026
        ("yesterday", "2026-11-25"),
        ("wed", "2026-11-25"),
        ("Wednesday", "2026-11-25"),
        ("thu", "2026-11-26"),  # today is a Thursday: the last Thursday is today
        ("fri", "2026-11-20"),
        ("3 days ago", "2026-11-23"),
        ("1 day ago", "2026-11-25"),
        ("last", "2026-11-19"),
        ("last week", "2026-11-19"),
        ("2026-11-01", "2026-11-01"),
    ],
)
def test_dates_as_people_say_them(text, expected):
    from datetime import date

    from connect_habits.core.model import parse_date

    assert parse_date(text, date(2026, 11, 26)).isoformat() == expected


def test_done_and_week_take_those_dates(home):
    run_connect(home, "add", "Walk")
    assert run_connect(home, "done", "walk", "--date", "wed").code == 0
    log = run_connect(home, "log", "--json").json()
    assert [e["date"] for e in log] == ["2026-11-25"]
    assert run_connect(home, "week", "--date", "last", "--json").json()["week_start"] == "2026-11-16"
    assert "not a date" in one_error_line(run_connect(home, "done", "walk", "--date", "someday"))


def test_skip_leaves_a_done_day_as_it_is_and_says_so(home):
    run_connect(home, "add", "Walk", now="2026-11-20T09:00")
    run_connect(home, "done", "walk")
    kept = run_connect(home, "skip", "walk", "--date", "today")
    assert kept.code == 0
    assert "'Walk' is done on 2026-11-26, so that day was not skipped; nothing changed." in kept.out
    assert "connect undo walk --date 2026-11-26" in kept.out
    ranged = run_connect(home, "skip", "walk", "--from", "2026-11-25", "--to", "today")
    assert ranged.code == 0 and "Skipping 'Walk' on 2026-11-25." in ranged.out and "is done on 2026-11-26" in ranged.out
    kinds = sorted((e["date"], e["kind"]) for e in run_connect(home, "log", "--json").json())
    assert kinds == [("2026-11-25", "skip"), ("2026-11-26", "checkin")]


def test_log_is_newest_first_within_a_day_and_shows_when_each_was_logged(home):
    run_connect(home, "add", "Walk")
    run_connect(home, "add", "Talk")
    run_connect(home, "done", "walk", now="2026-11-26T08:10")
    run_connect(home, "done", "talk", now="2026-11-26T21:10")
    run_connect(home, "done", "walk", "--date", "yesterday", now="2026-11-26T21:15")
    lines = run_connect(home, "log", now="2026-11-26T22:00").out.splitlines()
    assert lines == [
        "2026-11-26 21:10  Talk: done",
        "2026-11-26 08:10  Walk: done",
        "2026-11-25 (logged 2026-11-26 21:15)  Walk: done",
    ]


@pytest.mark.parametrize("locale", [{"LANG": "C"}, {"LC_ALL": "C"}, {"LANG": "C.UTF-8", "LC_ALL": "POSIX"}])
def test_a_c_locale_gets_plain_ascii_everywhere(home, locale):
    run_connect(home, "init", "--partner", "Maya", "--partner", "Jonas", "--yes", "--habit", "ten-minute-talk")
    for day in ("2026-11-02", "2026-11-03", "2026-11-10", "2026-11-20", "2026-12-01", "2026-12-02"):
        run_connect(home, "done", "ten", "--date", day)
    shown = {
        args: run_connect(home, *args, env=locale)
        for args in [("week",), ("stats",), ("stats", "ten"), ("list",), ("catalog",), ("checkin", "--help"), ("log",)]
    }
    for args, result in shown.items():
        assert result.code == 0, (args, result.err)
        assert (result.out + result.err).isascii(), (args, [c for c in result.out if not c.isascii()][:5])
    week = shown[("week",)].out
    assert "# done  x missed" in week  # x never means done
    sparkline = shown[("stats",)].out.splitlines()[1][29:42]
    assert sparkline.strip() and not any(c.isdigit() for c in sparkline)
    assert run_connect(home, "week", env={"LANG": "C.UTF-8"}).out.count("✓") >= 1  # a UTF-8 locale keeps them


LONG = "Evening walk together by the river"


def test_at_60_columns_every_table_keeps_one_row_per_habit(home):
    started = run_connect(
        home, "init", "--partner", "Maya", "--partner", "Jonas", "--yes", "--habit", "ten-minute-talk",
        "--habit", "tech-free-time", env={"COLUMNS": "60"},
    )  # fmt: skip
    run_connect(home, "add", LONG, "--every", "mon,wed")
    assert all(len(line) <= 60 for line in started.out.splitlines() if str(home) not in line), started.out
    for args in (("week",), ("week", "--weeks", "3"), ("stats",), ("list",)):
        lines = run_connect(home, *args, env={"COLUMNS": "60"}).out.splitlines()
        assert all(len(line) <= 60 for line in lines), (args, lines)
        assert len([line for line in lines if line.startswith(("Ten minutes", "Tech-free", "Evening walk"))]) == 3
    listed = run_connect(home, "list", env={"COLUMNS": "60"}).out
    assert "evening-walk-together-by-the-river" in listed  # what people type is never cut


def test_at_200_columns_names_and_slugs_are_whole(home):
    run_connect(home, "add", LONG, "--every", "mon,wed")
    for args in (("week",), ("stats",), ("list",)):
        assert LONG in run_connect(home, *args, env={"COLUMNS": "200"}).out
    assert "evening-walk-together-by-the-river " in run_connect(home, "list", env={"COLUMNS": "200"}).out


def test_without_colour_todays_column_is_still_marked(home):
    run_connect(home, "add", "Walk")
    header = run_connect(home, "week", env={"NO_COLOR": "1"}).out.splitlines()[2]
    assert "Thu*" in header and "\x1b[" not in header  # NOW is a Thursday


@pytest.mark.parametrize(
    "add, prompted",
    [
        (["Morning coffee"], False),  # the couple's own: no prompt from some other template
        (["Walk", "--from", "walk-together", "--every", "daily"], True),  # a template's: one of its own
    ],
)
def test_a_slipping_habit_gets_a_prompt_only_from_its_own_template(tmp_path, add, prompted):
    home = tmp_path / "home"
    run_connect(home, "add", *add, now="2026-11-16T08:00")
    suggestion = run_connect(home, "week", "--json").json()["suggestion"]
    assert "has slipped a little" in suggestion
    assert ("Try:" in suggestion) is prompted


def test_a_best_streak_in_weeks_ends_with_the_end_of_its_last_week(home):
    run_connect(home, "add", "Date night", "--every", "weekly", now="2026-11-02T10:00")
    run_connect(home, "done", "date", "--date", "2026-11-10")
    run_connect(home, "done", "date", "--date", "2026-11-17")
    assert "2 weeks    09 Nov 2026 – 22 Nov 2026" in run_connect(home, "stats", "date").out
    [run] = run_connect(home, "stats", "date", "--json").json()["best_streaks"]
    assert (run["first"], run["last"]) == ("2026-11-09", "2026-11-22")


def test_an_every_14_days_habit_says_when_it_is_next_due_and_never_shows_0_of_0(home):
    run_connect(home, "add", "Massage", "--every", "every 14 days", now="2026-11-16T10:00")
    done = run_connect(home, "done", "massage")
    assert "Not due this week" in done.out and "(next: Mon 30 Nov)" in done.out and "0/0" not in done.out
    week = run_connect(home, "week").out
    assert "none due" in week and "0/0" not in week


def test_after_a_rename_the_old_name_points_to_the_new_one(home):
    run_connect(home, "add", "Walk")
    run_connect(home, "edit", "walk", "--rename", "Evening walk")
    for old in ("walk", "Walk"):
        said = one_error_line(run_connect(home, "done", old))
        assert "There is no habit '" + old + "' any more: it was renamed 'Evening walk' (evening-walk)." in said
    assert run_connect(home, "done", "evening").code == 0


def test_edit_from_a_template_says_what_it_changed(home):
    run_connect(home, "add", "Walk", "--every", "daily")
    edited = run_connect(home, "edit", "walk", "--from", "walk-together")
    assert "Changed: rhythm daily → mon,wed,sat; reminders none → 19:00" in edited.out
    assert "Changed: name Walk → Stroll." in run_connect(home, "edit", "walk", "--rename", "Stroll").out


# ---------------------------------------------------------------- the first run


def test_init_reads_piped_answers_like_typed_ones_and_ends_with_the_next_steps(home):
    result = run_connect(home, "init", stdin="Maya\nJonas\n1\n")
    assert result.code == 0, result.err
    assert "Welcome, Maya & Jonas." in result.out and "Added: Notice and appreciate (daily)." in result.out
    assert "Reminders are set: Notice and appreciate at 20:00" in result.out
    assert "connect daemon install" in result.out


def test_init_asks_again_after_a_bad_answer_instead_of_ending(home):
    answers = "   \nMaya\nmaya\nJonas\n99\nsome\n13-15\n"
    result = run_connect(home, "init", stdin=answers)
    assert result.code == 0, result.err
    assert "A partner's name cannot be empty. Please try again." in result.err
    assert "must differ in more than case" in result.err
    assert "'99' is not within the numbers 1 to" in result.err and "'some' is not a number" in result.err
    assert [h["name"] for h in run_connect(home, "list", "--json").json()] == [
        "Tech-free dinner",
        "Tech-free time",
        "Ten minutes of real talk",
    ]


@pytest.mark.parametrize(
    "text, count, expected",
    [("1,3", 5, [1, 3]), ("2-4", 5, [2, 3, 4]), ("all", 3, [1, 2, 3]), ("none", 3, []), ("3, 1-2, 3", 5, [3, 1, 2])],
)
def test_starter_choices_take_numbers_ranges_all_and_none(text, count, expected):
    from connect_habits.cli.firstrun import chosen_numbers

    assert chosen_numbers(text, count) == expected


def test_choosing_no_starter_habits_says_so(home):
    result = run_connect(home, "init", stdin="Maya\nJonas\nnone\n")
    assert "No starter habits; add your own" in result.out and "already there" not in result.out


def test_init_on_a_terminal_asks_again_too(home):
    from support.terminal import Terminal

    term = Terminal(home, "2026-11-26T10:00", "init")
    for prompt, answer in [
        ("Partner 1's name", "Maya"),
        ("Partner 2's name", "maya"),
        ("Please try again", None),
        ("Partner 2's name", "Jonas"),
        ("Which ones?", "all"),
    ]:
        term.expect(prompt)
        if answer is not None:
            term.type(answer)
    term.expect("Next:")
    assert term.wait() == 0
    assert len(run_connect(home, "list", "--json").json()) >= 15


def test_joining_with_the_same_starter_habits_says_they_are_there_twice(tmp_path):
    maya, jonas, folder = tmp_path / "maya", tmp_path / "jonas", tmp_path / "shared"
    for home in (maya, jonas):
        run_connect(home, "init", "--partner", "Maya", "--partner", "Jonas", "--yes", "--habit", "weekly-check-in")
    code = run_connect(maya, "sync", "init", str(folder), "--me", "Maya").out.splitlines()[-1]
    joined = run_connect(jonas, "sync", "join", str(folder), "--me", "Jonas", "--code", code)
    assert "Both of you already had Weekly check-in: the shared log now has it twice" in joined.out


def test_a_holiday_is_one_skip_for_every_habit_listed_as_ranges_and_taken_back_at_once(home):
    run_connect(home, "add", "Walk", now="2026-11-20T09:00")
    run_connect(home, "add", "Dinner", now="2026-11-20T09:00")
    run_connect(home, "done", "walk", "--date", "2026-11-24")
    skipped = run_connect(home, "skip", "--all", "--from", "2026-11-23", "--to", "2026-11-25", "--reason", "away")
    assert "Skipping 2 habits on 3 days, 2026-11-23 to 2026-11-25." in skipped.out
    assert "'Walk' is done on 2026-11-24: left as it is." in skipped.out
    listed = run_connect(home, "skips").out.splitlines()
    assert listed == [
        "2026-11-23 to 2026-11-25  Dinner (away)",
        "2026-11-25  Walk (away)",
        "2026-11-23  Walk (away)",
    ]
    assert len(run_connect(home, "skips", "walk", "--json").json()) == 2
    back = run_connect(home, "unskip", "--all", "--from", "2026-11-23", "--to", "2026-11-24")
    assert "Took back 3 skipped days of 2 habits, 2 days, 2026-11-23 to 2026-11-24." in back.out
    assert [s["date"] for s in run_connect(home, "skips", "--json").json()] == ["2026-11-25", "2026-11-25"]
    assert run_connect(home, "week", "--json").json()["habits"][0]["days"]["2026-11-24"] == "done"


@pytest.mark.parametrize(
    "args, says",
    [
        (["skip", "--date", "today"], "--all for every active habit"),
        (["skip", "walk", "--all", "--date", "today"], "not both"),
        (["unskip", "walk"], "Say which days"),
    ],
)
def test_skip_and_unskip_say_what_is_missing(home, args, says):
    run_connect(home, "add", "Walk")
    assert says in one_error_line(run_connect(home, *args), code=2)


def test_a_habit_added_in_the_evening_is_not_missed_that_day(home):
    run_connect(home, "add", "Walk", now="2026-11-26T21:30")
    week = run_connect(home, "week", "--json", now="2026-11-27T09:00").json()["habits"][0]
    assert week["days"]["2026-11-26"] == "not_due" and week["progress"]["target"] == 3
    assert "slipped" not in run_connect(home, "week", now="2026-11-28T09:00").out


PUT_BACK = "did not open (damaged, or changed by someone without your key); this machine put back what it had written"


def test_a_damaged_own_file_in_a_shared_home_is_put_back_and_sync_status_still_runs(tmp_path):
    home, folder = tmp_path / "home", tmp_path / "shared"
    run_connect(home, "add", "Walk")
    run_connect(home, "done", "walk")
    code = run_connect(home, "sync", "init", str(folder), "--me", "Maya").out.splitlines()[-1]
    [own] = [p for p in folder.glob("connect-*.json") if p.name.count(".") == 1]
    good = own.read_bytes()
    own.write_bytes(good[:60])  # half-written
    week = run_connect(home, "week", "--json")
    [warning] = week.err.splitlines()
    assert week.code == 0 and warning.startswith(f"Warning: {own.name} in the shared folder {PUT_BACK}")
    assert week.json()["habits"][0]["days"]["2026-11-26"] == "done"
    assert own.read_bytes() == good  # this machine's own record put it back
    own.write_bytes(good[:60])
    status = run_connect(home, "sync", "status")
    assert status.code == 0 and [line for line in status.out.splitlines() if own.name in line] == [
        f"Note: {own.name} in the shared folder {PUT_BACK}."
    ]
    assert "(The data file" not in status.out  # one message, not one inside another
    assert shared_json(own, code) and "Nothing odd." in run_connect(home, "sync", "status").out
    assert run_connect(home, "week", "--json").json()["habits"][0]["days"]["2026-11-26"] == "done"


def test_a_damaged_private_file_comes_back_from_the_last_backup_with_every_later_check_in(home, tmp_path):
    run_connect(home, "add", "Walk", now="2026-10-20T09:00")
    run_connect(home, "done", "walk", "--date", "2026-10-21")
    backup = tmp_path / "backup.json"
    run_connect(home, "export", "--format", "json", "-o", str(backup))
    run_connect(home, "done", "walk", "--date", "2026-11-24")  # after the backup
    main = home / "connect.json"
    main.write_text("{")
    refused = one_error_line(run_connect(home, "list"))
    assert f"mv {main} {main}.damaged" in refused and "connect import FILE" in refused
    main.rename(main.with_name("connect.json.damaged"))  # as it says
    assert run_connect(home, "import", str(backup)).code == 0
    logged = [e["date"] for e in run_connect(home, "log", "--json").json()]
    assert logged == ["2026-11-24", "2026-10-21"]


def test_a_damaged_month_file_says_how_to_bring_that_month_back(home, tmp_path):
    run_connect(home, "add", "Walk", now="2026-10-20T09:00")
    run_connect(home, "done", "walk", "--date", "2026-10-21")
    run_connect(home, "done", "walk")
    backup = tmp_path / "backup.json"
    run_connect(home, "export", "--format", "json", "-o", str(backup))
    october = home / "connect.2026-10.json"
    october.write_text("{")
    refused = one_error_line(run_connect(home, "log"))
    assert f"mv {october} {october}.damaged" in refused and "connect import FILE --merge" in refused
    october.rename(october.with_name(october.name + ".damaged"))
    assert [e["date"] for e in run_connect(home, "log", "--json").json()] == ["2026-11-26"]
    run_connect(home, "import", str(backup), "--merge")
    assert [e["date"] for e in run_connect(home, "log", "--json").json()] == ["2026-11-26", "2026-10-21"]


def test_a_half_written_partner_file_is_one_plain_note_in_sync_status(tmp_path):
    maya, sam, folder = tmp_path / "maya", tmp_path / "sam", tmp_path / "shared"
    run_connect(maya, "add", "Walk")
    code = run_connect(maya, "sync", "init", str(folder), "--me", "Maya").out.splitlines()[-1]
    run_connect(sam, "sync", "join", str(folder), "--me", "Sam", "--code", code)
    run_connect(sam, "done", "walk")
    before = {p for p in folder.glob("connect-*.json") if p.name.count(".") == 1}
    theirs = next(p for p in before if run_connect(sam, "sync", "status", "--json").json()["device"] in p.name)
    theirs.write_bytes(theirs.read_bytes()[:50])
    [note] = [line for line in run_connect(maya, "sync", "status").out.splitlines() if theirs.name in line]
    assert note.startswith(f"Note: {theirs.name} does not open with the couple's key (")  # the name, not the path
    assert note.endswith("; it is skipped until it can.")


def test_a_daily_minutes_goal_shows_the_days_that_met_it(home):
    run_connect(home, "add", "Real talk", "--goal", "30m/day", now="2026-11-16T09:00")
    run_connect(home, "done", "real", "--minutes", "45", "--date", "2026-11-24")
    run_connect(home, "done", "real", "--minutes", "10", "--date", "2026-11-25")
    row = next(line for line in run_connect(home, "week").out.splitlines() if line.startswith("Real talk"))
    assert row.endswith("1/7 days")  # of the seven days of the week, only Tuesday met the goal so far
    assert run_connect(home, "week", "--json").json()["habits"][0]["progress"] == {
        "done": 55,
        "target": 210,
        "unit": "minutes",
    }


def test_a_target_made_smaller_by_skips_says_why(home):
    run_connect(home, "add", "Tech-free", "--goal", "2h/week", now="2026-11-16T09:00")
    run_connect(home, "skip", "tech", "--from", "2026-11-23", "--to", "2026-11-25")
    shown = " ".join(run_connect(home, "week").out.split())
    assert "Tech-free: 69 min this week instead of 120 min, as days of this week are skipped." in shown


def test_a_real_60_column_terminal_is_measured_without_columns_set(home):
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import termios

    from support import CONNECT, NOW

    run_connect(home, "add", LONG, "--every", "mon,wed")
    run_connect(home, "add", "Walk")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 60, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(CONNECT_HOME=str(home), CONNECT_NOW=NOW, NO_COLOR="1")
    process = subprocess.Popen([CONNECT, "week"], stdout=slave, stderr=slave, env=env)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait(timeout=20) == 0
    os.close(master)
    lines = shown.decode().replace("\r\n", "\n").splitlines()
    assert all(len(line) <= 60 for line in lines), lines
    assert any(line.startswith("Evening walk") for line in lines)


def test_a_skip_before_the_habit_existed_changes_nothing_and_says_so(home):
    run_connect(home, "add", "Talk", now="2026-11-20T09:00")
    said = run_connect(home, "skip", "talk", "--from", "2026-01-01", "--to", "2026-11-21").out
    assert "Skipping 'Talk' on 2 days, 2026-11-20 to 2026-11-21." in said
    assert "'Talk' was added on 2026-11-20: the days before are not its to skip." in said
    assert len(run_connect(home, "skips", "--json").json()) == 2
    assert sorted(p.name for p in home.glob("connect.2026-*.json")) == ["connect.2026-11.json"]
