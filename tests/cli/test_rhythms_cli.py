"""The new rhythms through the real `connect`: 2/month, N in M days and a weekday of the month."""

from __future__ import annotations

from support import one_error_line, run_connect

THURSDAY = "2026-11-26T18:00"


def test_a_month_based_habit_shows_the_months_progress_and_streaks_in_months(home):
    assert run_connect(home, "add", "Date night", "--every", "2 times a month", now="2026-10-01T12:00").code == 0
    for day in ("2026-10-03", "2026-10-17", "2026-11-06"):
        run_connect(home, "done", "date-night", "--date", day, now=THURSDAY)
    done = run_connect(home, "done", "date-night", now=THURSDAY)
    assert done.out.strip() == "'Date night' done today. This month 2/2, streak 2 months."
    [habit] = run_connect(home, "list", "--json", now=THURSDAY).json()
    assert habit["cadence"] == "2/month"
    [row] = run_connect(home, "week", "--json", now=THURSDAY).json()["habits"]
    assert (row["streak"], row["streak_unit"]) == (2, "months")


def test_a_rolling_window_says_how_many_are_in_the_window(home):
    run_connect(home, "add", "Long talk", "--every", "2 in 3 days", now="2026-11-01T12:00")
    run_connect(home, "done", "long-talk", "--date", "yesterday", now=THURSDAY)
    assert "Long talk  any time 1 of 2 in the last 3 days" in run_connect(home, "today", now=THURSDAY).out
    done = run_connect(home, "done", "long-talk", now=THURSDAY)
    assert done.out.strip() == "'Long talk' done today. 2 of 2 in the last 3 days, streak 1 day."


def test_a_weekday_of_the_month_is_due_on_that_day_and_exported_monthly(home):
    run_connect(home, "add", "Brunch", "--every", "first sat", "--at", "11:00", now="2026-10-01T12:00")
    assert "not one of its days" in run_connect(home, "done", "brunch", now=THURSDAY).out
    assert "not one of its days" not in run_connect(home, "done", "brunch", "--date", "2026-11-07", now=THURSDAY).out
    ics = run_connect(home, "export", "--format", "ics", now=THURSDAY).out
    assert "RRULE:FREQ=MONTHLY;BYDAY=1SA" in ics
    assert "20261205T110000" in ics  # it starts on the next first Saturday, 5 December


def test_a_daily_goal_on_a_rolling_window_is_refused(home):
    said = one_error_line(run_connect(home, "add", "Pages", "--every", "2 in 3 days", "--goal", "30m/day"))
    assert "A goal per day needs a day-based cadence" in said
