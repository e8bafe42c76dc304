"""`connect ask`: one question per open habit, answered in one go, from a pipe and at a real terminal."""

from __future__ import annotations

import os
import signal

import pytest

from connect_habits.cli.ask import Reply, parse_reply
from connect_habits.errors import InvalidInput
from support import NOW, run_connect
from support.terminal import Terminal


@pytest.mark.parametrize(
    "text, in_minutes, reply",
    [
        ("y", False, Reply("done", None, None)),
        ("Y: under the stars", False, Reply("done", None, "under the stars")),
        ("n", False, Reply("leave", None, None)),
        ("", False, Reply("leave", None, None)),
        ("s", False, Reply("skip", None, None)),
        ("s: a cold", False, Reply("skip", None, "a cold")),
        ("45", True, Reply("done", 45, None)),
        ("30: board games", True, Reply("done", 30, "board games")),
        ("0", True, Reply("leave", None, None)),
        ("1", False, Reply("done", None, None)),  # a count for a once-a-day habit: done
    ],
)
def test_answers(text, in_minutes, reply):
    assert parse_reply(text, in_minutes) == reply


@pytest.mark.parametrize("text, in_minutes", [("maybe", False), ("y", True), ("-5", True), ("4.5", True)])
def test_what_is_not_an_answer(text, in_minutes):
    with pytest.raises(InvalidInput):
        parse_reply(text, in_minutes)


@pytest.fixture
def plan(home):
    run_connect(home, "add", "Walk", now="2026-11-20T09:00")
    run_connect(home, "add", "Dinner", now="2026-11-20T09:00")
    run_connect(home, "add", "Tech-free", "--goal", "30m/day", now="2026-11-20T09:00")
    run_connect(home, "add", "Pottery", "--every", "sat", now="2026-11-20T09:00")  # not due on Thursdays
    return home


def test_a_round_from_a_pipe_logs_skips_and_leaves(plan):
    result = run_connect(plan, "ask", stdin="y: by the river\nmaybe\ns: a cold\n45\n")
    assert result.code == 0, result.err
    assert "Walk?" in result.out and "Tech-free (minutes)?" in result.out and "Pottery" not in result.out
    assert "'maybe' is not an answer here" in result.err  # asked again
    assert result.out.rstrip().endswith("2 done, 1 skipped, 0 left open.")
    days = {h["slug"]: h["days"]["2026-11-26"] for h in run_connect(plan, "week", "--json").json()["habits"]}
    assert days == {"walk": "done", "dinner": "skipped", "tech-free": "done", "pottery": "not_due"}
    logged = run_connect(plan, "log", "--json").json()
    assert any(e["note"] == "by the river" and e["source"] == "ask" for e in logged)
    assert run_connect(plan, "ask").out.startswith("Nothing open today")


def test_a_round_for_yesterday_and_an_end_of_input_keeps_what_was_answered(plan):
    stopped = run_connect(plan, "ask", "--date", "yesterday", stdin="y\n")
    assert stopped.code == 1 and "1 done, 0 skipped, 2 left open; what was answered is saved" in stopped.err
    walk = next(h for h in run_connect(plan, "week", "--json").json()["habits"] if h["slug"] == "walk")
    assert walk["days"]["2026-11-25"] == "done"


def test_a_round_at_a_real_terminal_and_ctrl_c(plan):
    term = Terminal(plan, NOW, "ask")
    term.expect("Walk?")
    term.type("y")
    term.expect("Dinner?")
    os.killpg(term.process.pid, signal.SIGINT)
    assert term.wait() == 130
    days = {h["slug"]: h["days"]["2026-11-26"] for h in run_connect(plan, "week", "--json").json()["habits"]}
    assert days["walk"] == "done" and days["dinner"] == "pending"
