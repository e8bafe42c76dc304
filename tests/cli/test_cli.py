"""The `connect` command line, run through its real entry point in a temp CONNECT_HOME.

The clock is pinned to Thursday 2026-11-26 10:00 (CONNECT_NOW) unless a test says otherwise.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from support import NOW, one_error_line, raw_tables


def test_the_tour_from_the_issue(connect):
    assert connect("add", "Walk together", "--every", "mon,wed,sat", "--at", "19:00").code == 0
    assert connect("add", "Tech-free time", "--goal", "2h/week").code == 0
    assert connect("add", "--from", "weekly-check-in").code == 0
    assert connect("done", "walk", "--date", "yesterday").code == 0
    assert connect("done", "tech", "--minutes", "45", "--note", "board games, phones in the drawer").code == 0
    assert (
        connect("skip", "walk", "--from", "2026-12-24", "--to", "2026-12-27", "--reason", "visiting family").code == 0
    )
    week = connect("week", "--json").json()
    rows = {h["slug"]: h for h in week["habits"]}
    assert (week["week_start"], week["week_end"], week["today"]) == ("2026-11-23", "2026-11-29", "2026-11-26")
    assert rows["walk-together"]["days"]["2026-11-25"] == "done"
    assert rows["walk-together"]["streak"] == 1 and rows["walk-together"]["streak_unit"] == "days"
    assert rows["tech-free-time"]["progress"] == {"done": 45, "target": 120, "unit": "minutes"}
    assert rows["tech-free-time"]["streak_unit"] == "weeks"
    assert rows["weekly-check-in"]["days"]["2026-11-26"] == "pending"
    assert rows["weekly-check-in"]["progress"] == {"done": 0, "target": 1, "unit": "times"}


def test_list_json_has_the_contract_fields(connect):
    connect("add", "Walk together", "--every", "Mon,WED,saturday", "--at", "19:00", "--at", "7:30")
    connect("add", "Tech-free time", "--goal", "1h30m/week")
    habits = connect("list", "--json").json()
    assert habits[0] | {"id": None, "created": None} == {
        "id": None,
        "created": None,
        "name": "Walk together",
        "slug": "walk-together",
        "cadence": "mon,wed,sat",
        "goal": None,
        "at": ["07:30", "19:00"],
        "archived": False,
        "template": None,
        "note": "",
        "prompts": [],
        "who": "together",
        "remind_on": [],  # the days a week-based habit reminds on (--remind-on), none chosen
        "repeat": None,  # the minutes between a reminder's repeats (--repeat), none
        "limit": None,  # an amount not to pass (--limit), none
        "starts": None,  # a challenge's first and last day (--starts, --for, --until), none
        "ends": None,
        "finished": False,
        "result": None,  # a challenge's days (or weeks) met of those it has
        "group": None,  # the heading it is shown under (--group), none
    }
    assert habits[1]["goal"] == {"minutes": 90, "per": "week"}
    assert habits[1]["cadence"] == "weekly"


@pytest.mark.parametrize(
    "cadence, canonical",
    [
        ("daily", "daily"),
        ("weekdays", "weekdays"),
        ("weekends", "weekends"),
        ("mon,wed,fri", "mon,wed,fri"),
        ("3/week", "3/week"),
        ("weekly", "weekly"),
        ("every 3 days", "every 3 days"),
    ],
)
def test_every_cadence_of_the_contract_is_accepted(connect, cadence, canonical):
    assert connect("add", "Ritual", "--every", cadence).code == 0
    assert connect("list", "--json").json()[0]["cadence"] == canonical


def test_add_from_a_template_copies_it_and_flags_override(connect):
    assert connect("add", "--from", "weekly-check-in", "--at", "20:15").code == 0
    assert connect("add", "Our walk", "--from", "walk-together").code == 0
    first, second = connect("list", "--json").json()
    assert (first["name"], first["cadence"], first["at"], first["template"]) == (
        "Weekly check-in",
        "weekly",
        ["20:15"],
        "weekly-check-in",
    )
    assert (second["name"], second["cadence"]) == ("Our walk", "mon,wed,sat")
    assert connect("prompt", "our walk").out.strip()


def test_a_check_habit_counts_once_a_day(connect):
    connect("add", "Walk together")
    assert connect("done", "walk").code == 0
    again = connect("done", "walk")
    assert again.code == 0 and "already done" in again.out
    week = connect("week", "--json").json()
    assert week["habits"][0]["progress"] == {"done": 1, "target": 4, "unit": "times"}


def test_minutes_add_up_and_undo_removes_the_latest(connect):
    connect("add", "Tech-free time", "--goal", "2h/week")
    connect("done", "tech", "--minutes", "45")
    connect("done", "tech", "--minutes", "50", "--date", "2026-11-24")
    connect("done", "tech", "--minutes", "30")
    assert connect("week", "--json").json()["habits"][0]["progress"]["done"] == 125
    undone = connect("undo", "tech")
    assert undone.code == 0 and "30 min" in undone.out
    assert connect("week", "--json").json()["habits"][0]["progress"]["done"] == 95


def test_streak_and_best_streak_through_the_cli(connect):
    connect("add", "Talk")
    for day in ("2026-11-20", "2026-11-21", "2026-11-22", "2026-11-24", "2026-11-25"):
        assert connect("done", "talk", "--date", day).code == 0
    row = connect("week", "--json").json()["habits"][0]
    assert (row["streak"], row["best_streak"]) == (2, 3)
    assert row["days"]["2026-11-23"] == "missed"
    assert row["days"]["2026-11-26"] == "pending"
    connect("skip", "talk", "--date", "2026-11-23", "--reason", "ill")
    row = connect("week", "--json").json()["habits"][0]
    assert (row["streak"], row["days"]["2026-11-23"]) == (5, "skipped")


def test_undo_of_a_day_without_check_ins_removes_its_skip(connect):
    connect("add", "Talk")
    connect("skip", "talk", "--date", "today")
    assert connect("undo", "talk").code == 0
    assert connect("week", "--json").json()["habits"][0]["days"]["2026-11-26"] == "pending"
    one_error_line(connect("undo", "talk"))


def test_week_of_another_date(connect):
    connect("add", "Talk")
    connect("done", "talk", "--date", "2026-11-18")
    week = connect("week", "--date", "2026-11-18", "--json").json()
    assert (week["week_start"], week["week_end"]) == ("2026-11-16", "2026-11-22")
    assert week["habits"][0]["days"]["2026-11-18"] == "done"


@pytest.mark.parametrize("day", ["2026-11-27", "tomorrow"])
def test_a_future_date_is_refused_and_changes_nothing(connect, home, day):
    connect("add", "Talk")
    before = (home / "connect.json").read_bytes()
    message = one_error_line(connect("done", "talk", "--date", day))
    assert message == "Error: 2026-11-27 is in the future; you can only log what has happened."
    assert (home / "connect.json").read_bytes() == before


def test_tomorrow_can_be_skipped_ahead_and_taken_back(connect):
    connect("add", "Talk")
    assert connect("skip", "talk", "--date", "tomorrow").out == "Skipping 'Talk' on 2026-11-27.\n"
    assert connect("unskip", "talk", "--date", "tomorrow").out == "Took back 1 skipped day of 'Talk', 2026-11-27.\n"


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("done", "nope"), "no habit 'nope'"),
        (("done", "wlak"), "did you mean 'Walk together'"),
        (("done", "w"), "'Walk together' (walk-together), 'Wash up' (wash-up)"),
        (("done", "walk", "--date", "2026-02-30"), "not a real date"),
        (("done", "walk", "--date", "someday"), "not a date"),
        (("add", "walk together"), "already a habit"),
        (("add", "New", "--every", "fortnightly"), "not a cadence"),
        (("add", "New", "--goal", "lots"), "not a goal"),
        (("add", "New", "--at", "25:00"), "not a time"),
        (("add", "  "), "cannot be empty"),
        (("add", "x" * 81), "at most 80"),
        (("add", "--from", "no-such-template"), "no template"),
        (("done", "walk", "--minutes", "0"), "without minutes; leave out --minutes"),  # done or not: no minutes
        (("done", "walk", "--amount", "2"), "without an amount; leave out --amount"),  # nor an amount
        (("done", "walk", "--amount", "1.5"), "without an amount; leave out --amount"),
        (("skip", "walk", "--from", "2026-12-27", "--to", "2026-12-24"), "before it starts"),
        (("edit", "walk", "--rename", "Wash up"), "already a habit"),
    ],
)
def test_user_errors_are_one_sentence_and_exit_1(connect, args, fragment):
    connect("add", "Walk together")
    connect("add", "Wash up")
    assert fragment in one_error_line(connect(*args))


@pytest.mark.parametrize(
    "args",
    [
        ("frobnicate",),
        ("done",),
        ("done", "walk", "--minutes", "abc"),
        ("skip", "walk"),
        ("skip", "walk", "--date", "today", "--from", "today", "--to", "today"),
        ("add",),
    ],
)
def test_usage_errors_exit_2(connect, args):
    connect("add", "Walk together")
    result = connect(*args)
    assert result.code == 2, result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    "args, said",
    [
        (
            ("add", "X", "--goal", "2", "hours/week"),
            "Got unexpected extra argument (hours/week). See `connect add --help`.",
        ),
        (("frobnicate",), "No such command 'frobnicate'. See `connect --help`."),
    ],
)
def test_a_usage_error_is_one_sentence_then_where_to_look(connect, args, said):
    assert one_error_line(connect(*args), code=2) == f"Error: {said}"


def test_names_resolve_by_exact_name_slug_or_unique_prefix(connect):
    connect("add", "Walk")
    connect("add", "Walk together")
    connect("add", "Ten minutes of real talk")
    assert "'Walk' done" in connect("done", "WALK").out  # exact beats prefix
    assert "'Walk together' done" in connect("done", "walk-t").out
    assert "'Ten minutes of real talk' done" in connect("done", "ten-minutes").out


def test_remove_archives_and_keeps_history_purge_deletes(connect, home):
    connect("add", "Walk")
    connect("done", "walk")
    assert connect("remove", "walk").code == 0
    habits = connect("list", "--json").json()
    assert habits[0]["archived"] is True
    assert connect("week", "--json").json()["habits"] == []
    assert "archived" in one_error_line(connect("done", "walk"))
    assert len(raw_tables(home)["checkins"]) == 1
    assert connect("edit", "walk", "--restore").code == 0
    assert connect("list", "--json").json()[0]["archived"] is False
    assert connect("remove", "walk", "--purge").code == 2  # no terminal to confirm on
    assert connect("remove", "walk", "--purge", "--yes").code == 0
    assert raw_tables(home).get("checkins", []) == []
    assert connect("list", "--json").json() == []


def test_edit_takes_the_options_of_add(connect):
    connect("add", "Walk", "--at", "19:00")
    assert connect("edit", "walk", "--rename", "Evening walk", "--every", "weekends", "--at", "18:00").code == 0
    habit = connect("list", "--json").json()[0]
    assert (habit["name"], habit["slug"], habit["cadence"], habit["at"]) == (
        "Evening walk",
        "evening-walk",
        "weekends",
        ["18:00"],
    )
    connect("edit", "evening", "--goal", "30m/day", "--clear-at")
    habit = connect("list", "--json").json()[0]
    assert (habit["goal"], habit["at"]) == ({"minutes": 30, "per": "day"}, [])


def test_week_on_an_empty_home_explains_how_to_start(connect):
    result = connect("week")
    assert result.code == 0
    assert "connect init" in result.out and "connect add" in result.out
    assert connect("week", "--json").json()["habits"] == []


def test_the_week_table_fits_80_columns_and_has_no_colour_when_piped(connect):
    connect("add", "A very long habit name that goes on and on and on, longer than any column")
    connect("add", "散歩と会話の時間をふたりで大切にする習慣", "--every", "3/week")
    connect("done", "a very", "--date", "yesterday")
    out = connect("week").out
    assert "\x1b[" not in out
    assert all(len(line) <= 80 for line in out.splitlines())
    assert "Mon" in out and "Streak" in out and "This week" in out


def test_catalog_json_and_prompts(connect):
    templates = connect("catalog", "--json").json()
    assert len(templates) >= 12
    assert {"id", "name", "strategy", "prompts"} <= set(templates[0])
    ids = {t["id"] for t in templates}
    assert "weekly-check-in" in ids
    check_in = next(t for t in templates if t["id"] == "weekly-check-in")
    assert connect("prompt", "weekly-check-in").out.strip() in check_in["prompts"]
    all_prompts = {p for t in templates for p in t["prompts"]}
    assert connect("prompt").out.strip() in all_prompts
    assert "Weekly check-in" in connect("catalog").out


def test_init_with_flags_adds_a_starter_plan_and_shows_the_week(connect, home):
    result = connect("init", "--partner", "Alex", "--partner", "Sam", "--yes")
    assert result.code == 0, result.err
    assert "Alex & Sam" in result.out and "Streak" in result.out
    names = [h["template"] for h in connect("list", "--json").json()]
    assert "weekly-check-in" in names and len(names) >= 3
    # The partners are data (shared, in every backup), no longer a line of this machine's config.
    assert [p["name"] for p in connect("partners", "--json").json()] == ["Alex", "Sam"]
    again = connect("init", "--yes")
    assert again.code == 0 and "already there" in again.out
    assert len(connect("list", "--json").json()) == len(names)


def test_init_without_a_terminal_uses_defaults(connect):
    result = connect("init", stdin="")
    assert result.code == 0, result.err
    assert len(connect("list", "--json").json()) >= 3


def test_init_with_chosen_templates(connect):
    assert connect("init", "--habit", "walk-together", "--habit", "appreciation", "--yes").code == 0
    assert [h["template"] for h in connect("list", "--json").json()] == ["walk-together", "appreciation"]


def test_user_text_cannot_break_the_json_or_the_table(connect):
    name = '<b>x</b> & "co" \u00e9vil'
    assert connect("add", name).code == 0
    assert "direction-changing" in one_error_line(connect("add", "evil \u202eturned"))
    assert connect("done", "<b>", "--note", "line one\nline two").code == 0
    assert connect("list", "--json").json()[0]["name"] == name
    assert connect("week", "--json").json()["habits"][0]["name"] == name
    assert re.search(r"<b>x</b>", connect("week").out)


def test_init_on_a_terminal_asks_for_names_and_starter_habits(home):
    """Drive the interactive first run through a pseudo-terminal, as a person would."""
    import os
    import pty
    import select
    import time

    from support import CONNECT, NOW

    pid, fd = pty.fork()
    if pid == 0:  # the child: the real command on a terminal
        os.environ.update(CONNECT_HOME=str(home), CONNECT_NOW=NOW)
        os.execv(CONNECT, [CONNECT, "init"])
    screen = b""

    def read_until(text: bytes, timeout: float = 20) -> None:
        nonlocal screen
        deadline = time.time() + timeout
        while text not in screen and time.time() < deadline:
            if select.select([fd], [], [], 0.1)[0]:
                try:
                    screen += os.read(fd, 4096)
                except OSError:
                    return

    from connect_habits.core.catalog import load_catalog

    ids = [t.id for t in load_catalog()]
    choice = f"{ids.index('weekly-check-in') + 1},{ids.index('tech-free-dinner') + 1}\r".encode()
    for question, answer in ((b"Partner 1", b"Alex\r"), (b"Partner 2", b"Sam\r"), (b"Which ones?", choice)):
        read_until(question)
        os.write(fd, answer)
    read_until(b"due today")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.WEXITSTATUS(status) == 0, screen.decode(errors="replace")
    text = screen.decode()
    assert "Alex & Sam" in text and "Added: Weekly check-in (weekly), Tech-free dinner (3/week)." in text


@pytest.mark.parametrize("args", [("week",), ("done", "talk"), ("list", "--json")])
def test_the_cli_path_does_not_import_the_daemons_dependencies(connect, home, args):
    import os
    import subprocess
    import sys

    connect("add", "Talk")
    probe = (
        "import sys\nfrom connect_habits.cli.app import main\n"
        f"try:\n    main({list(args)!r})\nexcept SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in ('schedule', 'plyer', 'jeepney', 'pydantic', 'icalendar', 'dateutil',"
        " 'connect_habits.interop.backup', 'connect_habits.core.stats') if m in sys.modules))"
    )
    env = dict(os.environ, CONNECT_HOME=str(home), CONNECT_NOW=NOW)
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60)
    assert "LOADED []" in result.stdout, result.stdout + result.stderr


def test_an_unplugged_session_is_logged_once_by_the_next_command(connect):
    connect("add", "Talk")
    connect("add", "Tech-free time", "--goal", "2h/week")
    started = connect("unplug", "90m", now="2026-11-26T20:00")
    assert started.code == 0 and "until 21:30" in started.out and "'Tech-free time'" in started.out
    assert "already running" in one_error_line(connect("unplug", "30m", now="2026-11-26T20:10"))
    assert connect("week", "--json", now="2026-11-26T21:00").json()["habits"][1]["progress"]["done"] == 0
    for _ in range(2):  # settled once, whichever command comes first, however many follow
        week = connect("week", "--json", now="2026-11-26T21:31").json()
        assert week["habits"][1]["progress"]["done"] == 90


@pytest.mark.parametrize(
    "command, shows",
    [
        (
            ("week", "--json"),
            lambda result: [result.json()["habits"][0][k] for k in ("streak", "best_streak")] == [9, 9],
        ),
        (("done", "unplug", "--minutes", "10"), lambda result: "streak 9 weeks" in result.out),
    ],
)
def test_a_session_begun_last_month_counts_in_the_streak_the_command_that_logs_it_shows(connect, command, shows):
    connect("add", "Unplug", "--goal", "2h/week", now="2026-12-01T09:00")
    for day in (
        "2026-12-01",
        "2026-12-08",
        "2026-12-15",
        "2026-12-22",
        "2026-12-29",
        "2027-01-05",
        "2027-01-12",
        "2027-01-19",
    ):
        connect("done", "unplug", "--minutes", "150", "--date", day, now="2027-01-31T20:00")
    connect("done", "unplug", "--minutes", "40", "--date", "2027-01-26", now="2027-01-31T20:00")
    assert connect("unplug", "90m", "--habit", "unplug", now="2027-01-31T23:00").code == 0  # ends 1 Feb 00:30
    # The first command of February reads February alone; the session's 90 minutes land in January's last
    # week and complete it (130 of 120): nine weeks in a row, not a broken streak.
    result = connect(*command, now="2027-02-01T08:00")
    assert result.code == 0 and shows(result), result.out


def test_unplug_stop_logs_the_minutes_so_far(connect):
    connect("add", "Tech-free time", "--goal", "2h/week")
    connect("unplug", "2h", now="2026-11-26T20:00")
    stopped = connect("unplug", "--stop", now="2026-11-26T20:45:30")
    assert stopped.code == 0 and "45 min" in stopped.out
    assert connect("week", "--json", now="2026-11-26T23:00").json()["habits"][0]["progress"]["done"] == 45
    assert "No tech-free session" in one_error_line(connect("unplug", "--stop"))


@pytest.mark.parametrize(
    "args, code, fragment",
    [
        (("unplug", "90m"), 1, "No habit is measured in minutes"),
        (("unplug",), 2, "duration"),
        (("unplug", "90m", "--stop"), 2, "duration"),
        (("unplug", "soon"), 1, "not a duration"),
        (("unplug", "25h", "--habit", "talk"), 1, "at most 24 hours"),
    ],
)
def test_unplug_refuses_what_it_cannot_do(connect, args, code, fragment):
    connect("add", "Talk")
    result = connect(*args)
    assert result.code == code and fragment in result.err, result.err


def test_remind_lists_the_next_reminders_from_the_daemons_rules(connect, home):
    connect("add", "Walk", "--at", "19:00", "--at", "09:00")
    connect("add", "Talk", "--at", "23:00")
    connect("add", "Done already", "--at", "20:00")
    connect("add", "Early", "--at", "07:00")
    connect("done", "done already")
    (home / "config.toml").write_text('quiet_hours = "22:30-07:30"\n')
    items = connect("remind", "--json").json()
    assert [(i["date"], i["at"], i["habit"], i["status"]) for i in items] == [
        ("2026-11-26", "19:00", "Walk", "will_fire"),
        ("2026-11-26", "20:00", "Done already", "done"),
        ("2026-11-26", "23:00", "Talk", "quiet_hours"),
        ("2026-11-27", "07:00", "Early", "will_fire"),
        ("2026-11-27", "09:00", "Walk", "will_fire"),
        ("2026-11-27", "19:00", "Walk", "will_fire"),
        ("2026-11-27", "20:00", "Done already", "will_fire"),
        ("2026-11-27", "23:00", "Talk", "quiet_hours"),
    ]
    assert items[3]["fires_at"].startswith("2026-11-27T07:30")
    text = connect("remind").out
    assert "today     19:00  Walk" in text and "(quiet hours: not sent)" in text
    assert "tomorrow  07:00  Early (after quiet hours, at 07:30)" in text


def test_the_week_names_its_best_moment_and_a_gentle_suggestion(connect):
    connect("add", "Talk", "--from", "ten-minute-talk")
    connect("add", "Walk")
    for day in ("2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25"):
        connect("done", "talk", "--date", day)
    connect("done", "walk", "--date", "2026-11-20")  # then missed Mon to Wed
    week = connect("week", "--json").json()
    assert week["best_moment"] == "A new best: Talk, 6 days in a row."
    assert week["suggestion"].startswith("'Walk' has slipped a little")
    text = connect("week").out
    assert "A new best: Talk" in text and "has slipped" in text
    assert all(len(line) <= 80 for line in text.splitlines())


@pytest.mark.parametrize(
    "goal, logged, moment",
    [
        ("20m/day", {"2026-11-23": "150"}, None),  # 150 minutes on Monday are not seven days of 20
        ("20m/day", {f"2026-11-{d}": "20" for d in (23, 24, 25, 26)}, "A new best: Read, 4 days in a row."),
        ("60m/week", {"2026-11-23": "90"}, "Goal reached: Read, this week 90/60 min."),
    ],
)
def test_a_goal_is_reached_in_a_week_only_as_its_period_counts_it(connect, goal, logged, moment):
    connect("add", "Read", "--goal", goal, now="2026-11-16T10:00")  # a week before this one
    for day, minutes in logged.items():
        assert connect("done", "read", "--date", day, "--minutes", minutes).code == 0
    assert connect("week", "--json").json()["best_moment"] == moment


def test_several_weeks_side_by_side(connect):
    connect("add", "Talk")
    connect("done", "talk", "--date", "2026-11-10")
    weeks = connect("week", "--weeks", "3", "--json").json()["weeks"]
    assert [w["week_start"] for w in weeks] == ["2026-11-09", "2026-11-16", "2026-11-23"]
    assert weeks[0]["habits"][0]["days"]["2026-11-10"] == "done"
    text = connect("week", "--weeks", "3").out
    assert "09 Nov" in text and "23 Nov" in text and all(len(line) <= 80 for line in text.splitlines())
    assert "do not fit" in connect("week", "--weeks", "9").err


def test_an_old_week_after_a_session_ended_shows_the_streak_as_it_stood_then(connect):
    # The session is settled by the reading command; that command still needs the whole history.
    connect("add", "Walk", now="2026-08-01T09:00")
    connect("add", "Unplug", "--goal", "2h/week", now="2026-08-01T09:00")
    for n in range(61):  # 1 August to 30 September
        day = (date(2026, 8, 1) + timedelta(days=n)).isoformat()
        assert connect("done", "walk", "--date", day, now="2026-10-01T09:00").code == 0
    assert connect("unplug", "30m", now="2026-11-26T10:00").code == 0
    week = connect("week", "--date", "2026-09-10", "--json", now="2026-11-26T11:00")
    assert week.code == 0, week.err
    [walk] = [h for h in week.json()["habits"] if h["slug"] == "walk"]
    assert walk["streak"] == 44  # 1 August to 13 September, the week's Sunday


def test_a_prompt_for_a_habit_names_a_damaged_config_rather_than_a_missing_template(connect, home):
    connect("add", "Zebra")
    (home / "config.toml").write_text("partners = [\n")
    assert "config file" in one_error_line(connect("prompt", "zeb"))
