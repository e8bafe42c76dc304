"""Reminders that fit a day, from the shell: `--remind-on`, `--repeat`, and `connect snooze`."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from support import one_error_line, run_connect

THURSDAY = "2026-11-26T18:00"


def test_a_week_based_habit_reminds_on_the_days_given_and_says_so(home):
    added = run_connect(home, "add", "Date night", "--every", "weekly", "--at", "19:00", "--remind-on", "fri,sat")
    assert added.code == 0, added.err
    assert "reminders at 19:00 on fri, sat" in added.out
    [habit] = run_connect(home, "list", "--json").json()
    assert habit["remind_on"] == ["fri", "sat"]
    edited = run_connect(home, "edit", "date-night", "--remind-on", "auto")
    assert "Changed: reminders 19:00 on fri, sat → 19:00." in edited.out
    assert run_connect(home, "list", "--json").json()[0]["remind_on"] == []


def test_a_daily_habit_reminds_only_on_the_days_given(home):
    assert run_connect(home, "add", "Walk", "--at", "07:30", "--remind-on", "sat,sun").code == 0
    assert run_connect(home, "remind", now=THURSDAY).out == (  # Thursday evening: nothing today or tomorrow
        "No reminders in the next two days: no habit with a time is due today or tomorrow.\n"
    )
    assert run_connect(home, "remind", now="2026-11-27T18:00").out == "tomorrow  07:30  Walk\n"


def test_remind_on_changes_which_reminders_will_fire(home):
    run_connect(home, "add", "Date night", "--every", "weekly", "--at", "19:00", "--remind-on", "thu")
    run_connect(home, "add", "Pottery", "--every", "weekly", "--at", "19:00")
    today = [r for r in run_connect(home, "remind", "--json", now=THURSDAY).json() if r["date"] == "2026-11-26"]
    shown = {r["habit"]: r["status"] for r in today}
    assert shown == {"Date night": "will_fire", "Pottery": "not_due"}  # Pottery: Sunday, once the week needs it


def test_a_repeat_is_shown_stored_and_dropped_with_the_last_reminder_time(home):
    added = run_connect(home, "add", "Walk", "--at", "19:00", "--repeat", "30m")
    assert "reminders at 19:00, repeated every 30 min until done" in added.out
    assert run_connect(home, "list", "--json").json()[0]["repeat"] == 30
    cleared = run_connect(home, "edit", "walk", "--clear-at")
    assert "reminders 19:00, repeated every 30 min until done → none" in cleared.out
    assert run_connect(home, "list", "--json").json()[0]["repeat"] is None


@pytest.mark.parametrize(
    "args, says",
    [
        (("add", "Walk", "--remind-on", "sat"), "with --at"),
        (("add", "Walk", "--every", "3/week", "--remind-on", "someday", "--at", "19:00"), "not a list of days"),
        (("add", "Walk", "--repeat", "30m"), "with --at"),
        (("add", "Walk", "--at", "19:00", "--repeat", "1m"), "5 minutes to 4 hours"),
    ],
)
def test_reminder_rules_that_cannot_work_are_refused_in_one_sentence(home, args, says):
    assert says in one_error_line(run_connect(home, *args))
    assert run_connect(home, "list", "--json").json() == []


def test_snooze_keeps_the_snooze_for_the_daemon_and_says_until_when(home):
    run_connect(home, "add", "Walk", "--at", "18:00")
    snoozed = run_connect(home, "snooze", "walk", "1h", now=THURSDAY)
    assert snoozed.code == 0, snoozed.err
    assert snoozed.out.splitlines()[0] == "Snoozed 'Walk' until 19:00; its reminders wait until then."
    assert "the daemon is not running" in snoozed.out
    from connect_habits.storage.paths import resolve_paths
    from connect_habits.storage.snoozes import read_snoozes

    [snooze] = read_snoozes(resolve_paths({"CONNECT_HOME": str(home)}))
    assert snooze.day == date(2026, 11, 26) and f"{snooze.until:%H:%M}" == "19:00"
    again = run_connect(home, "snooze", "walk", "evening", now=THURSDAY)
    assert "until 20:00" in again.out
    [latest] = read_snoozes(resolve_paths({"CONNECT_HOME": str(home)}))  # the latest word counts
    assert f"{latest.until:%H:%M}" == "20:00"


def test_snooze_says_when_its_end_falls_in_the_quiet_hours(home):
    run_connect(home, "add", "Walk", "--at", "18:00")
    run_connect(home, "config", "set", "quiet_hours", "21:00-07:00")
    assert (
        "falls in your quiet hours (21:00-07:00); so it will not come"
        in run_connect(home, "snooze", "walk", "21:30", now=THURSDAY).out
    )


@pytest.mark.parametrize(
    "setup, args, says",
    [
        (("done", "walk"), ("walk", "1h"), "'Walk' is done today: there is no reminder to snooze."),
        (("skip", "walk", "--date", "today"), ("walk", "1h"), "'Walk' is skipped today"),
        (("add", "Pottery", "--every", "sat"), ("pottery", "1h"), "'Pottery' is not due today"),
        (("list",), ("walk", "7h"), "A snooze lasts until the end of the day at most"),
        (("list",), ("walk", "17:00"), "17:00 has already passed today"),
        (("list",), ("walk", "soon"), "'soon' is not a snooze"),
        (("list",), ("run", "1h"), "run"),
    ],
)
def test_a_snooze_that_cannot_be_kept_is_refused_and_nothing_is_kept(home, setup, args, says):
    run_connect(home, "add", "Walk", "--at", "18:00")
    run_connect(home, *setup, now=THURSDAY)
    assert says in one_error_line(run_connect(home, "snooze", *args, now=THURSDAY))
    assert not (home / "snoozes.json").exists()


def test_the_daemon_takes_up_a_snooze_made_in_the_shell(home):
    from connect_habits.clock import local_zone
    from connect_habits.daemon.loop import Daemon
    from connect_habits.daemon.notify import RecordingNotifier
    from connect_habits.storage.paths import resolve_paths

    run_connect(home, "add", "Walk", "--at", "18:30")
    run_connect(home, "snooze", "walk", "19:00", now=THURSDAY)
    moment = [datetime(2026, 11, 26, 18, 30, tzinfo=local_zone())]
    daemon = Daemon(resolve_paths({"CONNECT_HOME": str(home)}), RecordingNotifier(), now=lambda: moment[0])
    daemon.reload()
    daemon.scan(moment[0])
    assert daemon.notifier.sent == []  # 18:30: the reminder waits for the snooze
    moment[0] = datetime(2026, 11, 26, 19, 0, tzinfo=local_zone())
    daemon.scan(moment[0])
    assert [n.title for n in daemon.notifier.sent] == ["Walk"]


def test_remind_shows_what_a_snooze_holds_and_when_it_comes(home):
    run_connect(home, "add", "Walk", "--at", "19:00")
    run_connect(home, "snooze", "walk", "19:30", now=THURSDAY)
    today = [r for r in run_connect(home, "remind", "--json", now=THURSDAY).json() if r["date"] == "2026-11-26"]
    assert [(r["at"], r["status"], r.get("snooze", False)) for r in today] == [
        ("19:00", "snoozed", False),
        ("19:30", "will_fire", True),
    ]
    assert "today     19:00  Walk (snoozed)" in run_connect(home, "remind", now=THURSDAY).out


@pytest.mark.parametrize("then", [("done", "walk"), ("skip", "walk", "--date", "today")], ids=["done", "skipped"])
def test_a_snoozed_reminder_done_or_skipped_meanwhile_is_no_longer_listed(home, then):
    """The daemon lets such a snooze go unsent (it asks needs_reminder when it comes due): `remind` says the same."""
    run_connect(home, "add", "Walk", "--at", "19:00")
    run_connect(home, "snooze", "walk", "19:30", now=THURSDAY)
    assert run_connect(home, *then, now=THURSDAY).code == 0
    today = [r for r in run_connect(home, "remind", "--json", now=THURSDAY).json() if r["date"] == "2026-11-26"]
    assert [r for r in today if r.get("snooze")] == []
    assert "snoozed to then" not in run_connect(home, "remind", now=THURSDAY).out
    undone = ("undo", "walk") if then[0] == "done" else ("unskip", "walk", "--date", "today")
    assert run_connect(home, *undone, now=THURSDAY).code == 0
    again = [r for r in run_connect(home, "remind", "--json", now=THURSDAY).json() if r.get("snooze")]
    assert [(r["at"], r["status"]) for r in again] == [("19:30", "will_fire")]  # open again: the snooze holds
