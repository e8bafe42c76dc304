"""Limits and amounts through the real `connect`: --limit, --goal '3 compliments/day', done --amount."""

from __future__ import annotations

from support import one_error_line, run_connect

THURSDAY = "2026-11-26T18:00"


def test_a_limit_is_listed_logged_and_missed_once_passed(home):
    added = run_connect(home, "add", "Screens", "--limit", "1h/day", "--at", "21:00", now="2026-11-20T09:00")
    assert added.out.startswith("Added 'Screens' (at most 1h/day, reminders at 21:00).")
    [habit] = run_connect(home, "list", "--json").json()
    assert (habit["limit"], habit["goal"]) == ({"minutes": 60, "per": "day"}, None)
    logged = run_connect(home, "done", "screens", "--minutes", "40", now=THURSDAY)
    assert "40 min of at most 60 min that day." in logged.out
    today = run_connect(home, "today", "--json", now=THURSDAY).json()
    assert today["left"] == [] and today["done"] == []  # a limit asks for nothing to be done
    assert "Limits: Screens kept so far." in run_connect(home, "today", now=THURSDAY).out
    over = run_connect(home, "done", "screens", "--minutes", "30", now=THURSDAY)
    assert "70 min of at most 60 min that day, over the limit." in over.out
    assert "today     21:00  Screens (over the limit)" in run_connect(home, "remind", now=THURSDAY).out
    [row] = run_connect(home, "week", "--json", now=THURSDAY).json()["habits"]
    assert row["days"]["2026-11-26"] == "missed" and row["days"]["2026-11-25"] == "done"
    assert row["streak"] == 0 and row["best_streak"] == 5  # the 21st to the 25th kept, nothing logged
    assert "Limits: Screens over." in run_connect(home, "today", now=THURSDAY).out


def test_an_amount_in_any_unit_is_logged_with_amount(home):
    run_connect(home, "add", "Compliments", "--goal", "3 compliments/day", now="2026-11-20T09:00")
    [habit] = run_connect(home, "list", "--json").json()
    assert habit["goal"] == {"amount": 3, "unit": "compliments", "per": "day"}
    logged = run_connect(home, "done", "compliments", "--amount", "2", now=THURSDAY)
    assert logged.out.startswith("Logged 2 compliments of 'Compliments' today.")
    assert run_connect(home, "log", now=THURSDAY).out.splitlines()[0].endswith("Compliments: 2 compliments")
    assert run_connect(home, "log", "--json", now=THURSDAY).json()[0]["unit"] == "compliments"
    assert "counts compliments; add --amount N" in one_error_line(
        run_connect(home, "done", "compliments", now=THURSDAY)
    )
    assert "give how many with --amount N" in one_error_line(
        run_connect(home, "done", "compliments", "--minutes", "2", now=THURSDAY)
    )
    run_connect(home, "done", "compliments", "-a", "1", now=THURSDAY)
    [row] = run_connect(home, "week", "--json", now=THURSDAY).json()["habits"]
    assert row["days"]["2026-11-26"] == "done" and row["progress"]["unit"] == "compliments"


def test_a_weekly_amount_shows_its_unit(home):
    run_connect(home, "add", "Reading", "--goal", "20 pages/week")
    shown = run_connect(home, "done", "reading", "--amount", "8")
    assert shown.out.strip() == "Logged 8 pages of 'Reading' today. This week 8/20 pages, streak 0 weeks."


def test_a_goal_and_a_limit_together_are_refused(home):
    assert "not both" in one_error_line(run_connect(home, "add", "X", "--goal", "1h/day", "--limit", "2h/day"), code=2)
    assert "minutes or a number of something" in one_error_line(run_connect(home, "add", "X", "--limit", "lots"))


def test_a_limit_can_replace_a_goal_and_be_dropped(home):
    run_connect(home, "add", "Screens", "--goal", "1h/day")
    changed = run_connect(home, "edit", "screens", "--limit", "2h/day")
    assert "rhythm goal 1h/day → at most 2h/day" in changed.out
    [habit] = run_connect(home, "list", "--json").json()
    assert (habit["goal"], habit["limit"]) == (None, {"minutes": 120, "per": "day"})
    run_connect(home, "edit", "screens", "--limit", "none")
    [habit] = run_connect(home, "list", "--json").json()
    assert (habit["goal"], habit["limit"]) == (None, None)


def test_a_wide_terminal_shows_a_long_goal_whole_in_the_list(connect):
    connect("add", "Reading", "--goal", "2.5 pages/month")
    wide = connect("list", env={"COLUMNS": "200"}).out
    assert "goal 2.5 pages/month" in wide
    assert "goal 2.5 page…" in connect("list", env={"COLUMNS": "80"}).out  # a narrow one gives way
