"""The daemon's decisions, in-process, with its clock injected and a recording notifier.

The same daemon against a real D-Bus notification server: tests/integration/test_daemon_dbus.py.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from connect_habits.clock import local_zone
from connect_habits.core.habits import HabitOptions, new_habit
from connect_habits.core.model import CheckIn, new_id
from connect_habits.core.reminders import wall_instant
from connect_habits.daemon.loop import MAX_SLEEP, Daemon
from connect_habits.daemon.notify import ActionEvent, RecordingNotifier
from connect_habits.storage.actions import start_session
from connect_habits.storage.paths import resolve_paths
from connect_habits.storage.store import Store

THURSDAY = date(2026, 11, 26)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, hhmm: str, day: date = THURSDAY):
        self.value = wall_instant(day, hhmm, local_zone())

    def __call__(self) -> datetime:
        return self.value

    def advance(self, **delta) -> datetime:
        self.value += timedelta(**delta)
        return self.value


@pytest.fixture
def paths(tmp_path):
    return resolve_paths({"CONNECT_HOME": str(tmp_path / "home")})


def add(paths, name, **options):
    with Store(paths).transaction() as tx:
        habit = new_habit(tx.snapshot.habits, name, HabitOptions(**options), THURSDAY - timedelta(days=7))
        tx.add_habit(habit)
    return habit


def log_done(paths, habit, day=THURSDAY, minutes=None):
    with Store(paths).transaction() as tx:
        tx.add_checkin(CheckIn(id=new_id(), habit_id=habit.id, day=day, logged_at="", minutes=minutes))


def daemon(paths, clock, notifier=None) -> Daemon:
    d = Daemon(paths, notifier or RecordingNotifier(), now=clock)
    d.reload()
    return d


def titles(d: Daemon) -> list[str]:
    return [n.title for n in d.notifier.sent]


def test_a_due_habit_is_reminded_once(paths):
    add(paths, "Walk together", at=["19:00"])
    clock = Clock("18:59")
    d = daemon(paths, clock)
    d.scan(clock())
    assert titles(d) == []
    d.scan(clock.advance(minutes=1))
    d.scan(clock.advance(seconds=30))
    assert titles(d) == ["Walk together"]


def test_a_done_before_the_time_means_no_reminder(paths):
    walk = add(paths, "Walk together", at=["19:00"])
    clock = Clock("18:00")
    d = daemon(paths, clock)
    log_done(paths, walk)
    d.scan(clock.advance(hours=1))
    assert titles(d) == []


def test_a_challenge_reminds_until_its_last_day_and_not_after(paths):
    add(paths, "Thanks", at=["19:00"], until=(THURSDAY - timedelta(days=1)).isoformat())  # ended yesterday
    add(paths, "Later", at=["19:10"], starts=(THURSDAY + timedelta(days=1)).isoformat())  # starts tomorrow
    add(paths, "Walk together", at=["19:20"])
    clock = Clock("18:50", THURSDAY - timedelta(days=1))
    d = daemon(paths, clock)
    for expected in (["Thanks", "Walk together"], ["Walk together"], ["Later", "Walk together"]):
        for _ in range(4):  # 18:50 to 19:20
            d.scan(clock())
            clock.advance(minutes=10)
        assert titles(d) == expected  # its last day reminded; the day after its end (and before the start) not
        d.notifier.sent.clear()
        clock.advance(days=1, minutes=-40)


def test_a_restart_does_not_repeat_a_reminder(paths):
    add(paths, "Walk together", at=["20:00"])
    clock = Clock("20:00")
    daemon(paths, clock).scan(clock())
    again = daemon(paths, clock)  # a new process reads what the first one sent
    again.scan(clock.advance(minutes=1))
    assert titles(again) == []


def test_a_reminder_missed_while_down_fires_on_start_within_the_grace(paths):
    add(paths, "Walk together", at=["19:00"])
    late = Clock("19:15")
    d = daemon(paths, late)
    d.scan(late())
    assert titles(d) == ["Walk together"]
    too_late_paths = paths
    add(too_late_paths, "Talk", at=["16:00"])
    d2 = daemon(paths, Clock("19:16"))
    d2.scan(d2.now())
    assert titles(d2) == []  # Talk was 3 h 16 min late: dropped


def test_the_body_has_a_prompt_and_the_weeks_progress_and_user_text_is_kept_literal(paths):
    add(paths, "<b>x</b> & co", at=["19:00"], template=None)
    from connect_habits.core.catalog import find_template

    add(paths, "Talk", at=["18:59"], template=find_template("ten-minute-talk"))
    clock = Clock("19:00")
    d = daemon(paths, clock)
    d.scan(clock())
    sent = {n.title: n for n in d.notifier.sent}
    first, second = sent["<b>x</b> & co"], sent["Talk"]  # escaping for the server's markup is the notifier's
    assert "This week 0/" in first.body and "streak" in first.body
    assert second.body.splitlines()[0] in find_template("ten-minute-talk").prompts
    assert [key for key, _ in second.actions] == [
        "connect-done",
        "connect-snooze",
        "connect-snooze-hour",
        "connect-snooze-evening",  # 19:00 is well before the evening (20:00)
    ]


def test_a_failed_send_is_retried_at_the_next_event(paths):
    add(paths, "Walk together", at=["19:00"])
    clock = Clock("19:00")
    failing = RecordingNotifier(fail=True)
    d = daemon(paths, clock, failing)
    d.scan(clock())
    assert d.retry_pending and d.sleep_seconds(clock()) <= 30
    failing.fail = False
    d.scan(clock.advance(seconds=30))
    assert titles(d) == ["Walk together"]
    assert [entry["ok"] for entry in d.state.last] == [False, True]


def test_an_error_in_a_job_is_logged_and_does_not_stop_the_daemon(paths, caplog):
    add(paths, "Walk together", at=["19:00"])
    clock = Clock("19:00")
    d = daemon(paths, clock)
    paths.data_file.write_text("{ broken")
    d.tick()  # what the scheduler calls: must not raise
    assert d.retry_pending
    assert any("scan failed" in r.message and "not valid JSON" in r.message for r in caplog.records)


def test_done_from_the_notification_logs_a_check_in(paths):
    add(paths, "Walk together", at=["19:00"])
    clock = Clock("19:00")
    d = daemon(paths, clock)
    d.scan(clock())
    d.notifier.pressed.append(ActionEvent(1, "connect-done", "recorder"))
    d.handle_actions()
    checkins = Store(paths).load().checkins
    assert [(c.day, c.source) for c in checkins] == [(THURSDAY, "notification")]


def test_snooze_reminds_again_after_15_minutes_unless_done_meanwhile(paths):
    walk = add(paths, "Walk together", at=["19:00"])
    add(paths, "Talk", at=["18:59"])  # a minute apart: two notifications (one minute's come as one)
    clock = Clock("19:00")
    d = daemon(paths, clock)
    d.scan(clock())
    d.notifier.pressed += [ActionEvent(1, "connect-snooze", "recorder"), ActionEvent(2, "connect-snooze", "recorder")]
    d.handle_actions()
    assert d.sleep_seconds(clock() + timedelta(minutes=14, seconds=50)) <= 10  # wakes for the snooze
    log_done(paths, walk)
    d.scan(clock.advance(minutes=14))
    assert sorted(titles(d)) == ["Talk", "Walk together"]
    d.scan(clock.advance(minutes=1))
    d.scan(clock.advance(minutes=1))
    assert sorted(titles(d)[2:]) == ["Talk"]  # Walk was done meanwhile
    assert d.state.pending == []


def test_a_tech_free_session_is_logged_once_when_it_ends(paths):
    tech = add(paths, "Tech-free time", goal="2h/week")
    clock = Clock("20:00")
    with Store(paths).transaction() as tx:
        start_session(tx, None, 90, clock())
    d = daemon(paths, clock)
    assert d.sleep_seconds(clock()) == MAX_SLEEP  # 90 minutes away: capped
    d.scan(clock.advance(minutes=90))
    d.scan(clock.advance(minutes=1))
    checkins = Store(paths).load().checkins
    assert [(c.habit_id, c.minutes, c.source) for c in checkins] == [(tech.id, 90, "unplug")]
    assert titles(d) == ["Tech-free time is over: 90 min"]


def test_the_weekly_summary_goes_out_once_on_sunday_evening(paths):
    add(paths, "Walk together")
    clock = Clock("19:00", THURSDAY + timedelta(days=3))
    d = daemon(paths, clock)
    d.scan(clock())
    d.scan(clock.advance(minutes=5))
    assert titles(d) == ["Your week together"]
    assert "Walk together: 0/" in d.notifier.sent[0].body


def test_no_weekly_summary_goes_out_without_a_habit_to_sum_up(paths):
    clock = Clock("19:00", THURSDAY + timedelta(days=3))  # a new home, or one whose folder is away
    d = daemon(paths, clock)
    d.scan(clock())
    assert titles(d) == []
    add(paths, "Walk together")  # back within the summary's grace: it goes out then
    d.reload()
    d.scan(clock.advance(minutes=5))
    assert titles(d) == ["Your week together"]


def test_quiet_hours_from_the_config_hold(paths):
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text('quiet_hours = "22:30-07:30"\n')
    add(paths, "Late talk", at=["23:00"])
    clock = Clock("23:00")
    d = daemon(paths, clock)
    d.scan(clock())
    d.scan(clock.advance(hours=1))
    assert titles(d) == []


def test_the_state_file_records_what_was_sent(paths):
    add(paths, "Walk together", at=["19:00"])
    clock = Clock("19:00")
    daemon(paths, clock).scan(clock())
    state = json.loads(paths.state_file.read_text())
    assert list(state["sent"]) == [f"{Store(paths).load().habits[0].id}/2026-11-26/19:00"]
    assert state["last"][0]["title"] == "Walk together" and state["last"][0]["ok"] is True
    assert oct(paths.state_file.stat().st_mode & 0o777) == "0o600"


def test_the_daemon_sleeps_until_the_next_event_not_every_second(paths):
    d = daemon(paths, Clock("12:00"))
    d.scheduler.clear()  # the schedule reads the real clock; the timers below are ours
    assert d.sleep_seconds(d.now()) == MAX_SLEEP >= 60


def test_a_snooze_held_by_quiet_hours_does_not_make_the_loop_spin(paths):
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text('quiet_hours = "22:30-07:30"\n')
    add(paths, "Walk together", at=["22:20"])
    clock = Clock("22:20")
    d = daemon(paths, clock)
    d.scan(clock())
    d.notifier.pressed.append(ActionEvent(1, "connect-snooze", "recorder"))
    d.handle_actions()
    d.scheduler.clear()
    now = clock.advance(minutes=15)  # 22:35: due, but quiet
    assert d.timers_due(now)
    d.scan(now)
    assert titles(d) == ["Walk together"]
    assert not d.timers_due(clock.advance(seconds=1))  # nothing to do until the quiet hours end
    assert d.sleep_seconds(clock()) == MAX_SLEEP


def test_a_clock_that_jumps_back_does_not_repeat_a_reminder(paths):
    add(paths, "Walk together", at=["19:00"])
    clock = Clock("19:00")
    d = daemon(paths, clock)
    d.scan(clock())
    d.scan(clock.advance(hours=-1))  # back to 18:00
    d.reload()
    d.scan(clock.advance(hours=1, minutes=1))  # 19:01 again
    assert titles(d) == ["Walk together"]


def test_buttons_of_another_server_or_application_are_ignored(paths):
    add(paths, "Walk together", at=["19:00"])
    clock = Clock("19:00")
    d = daemon(paths, clock)
    d.scan(clock())
    d.notifier.pressed += [
        ActionEvent(1, "connect-done", "someone-else"),
        ActionEvent(2, "connect-done", "recorder"),
        ActionEvent(1, "done", "recorder"),
    ]
    d.handle_actions()
    assert Store(paths).load().checkins == []


def test_the_buttons_survive_a_restart(paths):
    add(paths, "Walk together", at=["19:00"])
    clock = Clock("19:00")
    daemon(paths, clock).scan(clock())
    restarted = daemon(paths, clock)
    restarted.notifier.pressed.append(ActionEvent(1, "connect-done", "recorder"))
    restarted.handle_actions()
    assert len(Store(paths).load().checkins) == 1


def test_a_bad_setting_falls_back_to_its_default_and_reminders_go_on(paths, caplog):
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text('quiet_hours = "22:30 to 07:30"\n')
    add(paths, "Walk together", at=["19:00"])
    clock = Clock("19:00")
    d = daemon(paths, clock)
    assert d.scheduler.jobs
    d.scan(clock())
    assert titles(d) == ["Walk together"]
    assert any("quiet_hours" in r.message for r in caplog.records)


def test_a_session_end_notice_is_retried_and_given_up_after_the_grace(paths):
    add(paths, "Tech-free time", goal="2h/week")
    clock = Clock("20:00")
    with Store(paths).transaction() as tx:
        start_session(tx, None, 30, clock())
    d = daemon(paths, clock, RecordingNotifier(fail=True))
    d.scan(clock.advance(minutes=30))
    assert d.state.pending and d.retry_pending
    d.notifier.fail = False
    d.scan(clock.advance(seconds=30))
    assert titles(d) == ["Tech-free time is over: 30 min"]
    assert d.state.pending == []


def test_on_a_shared_log_the_other_devices_check_in_counts_and_each_habits_remind_their_person(tmp_path):
    from connect_habits.storage.config import load_config
    from connect_habits.storage.sharing import share

    folder = tmp_path / "shared"
    alex = resolve_paths({"CONNECT_HOME": str(tmp_path / "alex")})
    sam = resolve_paths({"CONNECT_HOME": str(tmp_path / "sam")})
    together = add(alex, "Walk together", at=["19:00"])
    each = add(alex, "Appreciation", at=["19:00"], who=None)
    code = share(alex, load_config(alex.config_file), str(folder), "Alex", joining=False).lines[-1]  # the pairing code
    share(sam, load_config(sam.config_file), str(folder), "Sam", joining=True, code=code)
    with Store(alex, load_config(alex.config_file)).transaction() as tx:
        tx.replace_habit(replace_who(tx.snapshot.habits, each.id, "each"))
    with Store(sam, load_config(sam.config_file)).transaction() as tx:  # Sam logs both on Sam's laptop
        for habit in (together, each):
            tx.add_checkin(CheckIn(id=new_id(), habit_id=habit.id, day=THURSDAY, logged_at="", by="Sam"))
    clock = Clock("19:00")
    on_alex, on_sam = daemon(alex, clock), daemon(sam, clock)
    on_alex.scan(clock())
    on_sam.scan(clock())
    assert titles(on_alex) == ["Appreciation"]  # Alex has not done theirs; the walk is done
    assert titles(on_sam) == []


def replace_who(habits, habit_id, who):
    return next(h for h in habits if h.id == habit_id)._replace(who=who)


# ---------------------------------------------------------------- the outside attack (issue 14)


def test_w7_done_on_a_daily_minutes_goal_logs_what_is_left_of_it(paths):
    add(paths, "Reading", at=["19:00"], goal="30m/day")
    clock = Clock("19:00")
    d = daemon(paths, clock)
    d.scan(clock())
    [note] = d.notifier.sent
    assert note.actions[0] == ("connect-done", "Done (30 min)")
    d.notifier.pressed.append(ActionEvent(1, "connect-done", "recorder"))
    d.handle_actions()
    assert [(c.minutes, c.source) for c in Store(paths).load().checkins] == [(30, "notification")]


def test_w7_a_done_the_notification_did_not_offer_is_ignored_and_a_failed_one_is_told_on_the_desktop(paths, caplog):
    weekly = add(paths, "Tech-free time", at=["19:00"], goal="2h/week")
    add(paths, "Walk", at=["18:59"])
    clock = Clock("19:00")
    d = daemon(paths, clock)
    d.scan(clock())
    by_title = {n.title: i + 1 for i, n in enumerate(d.notifier.sent)}
    offered = [a for a, _ in d.notifier.sent[by_title["Tech-free time"] - 1].actions]
    assert offered == ["connect-snooze", "connect-snooze-hour", "connect-snooze-evening"]
    d.notifier.pressed.append(ActionEvent(by_title["Tech-free time"], "connect-done", "recorder"))
    d.handle_actions()
    assert "offered no Done button" in caplog.text
    with Store(paths).transaction() as tx:  # the habit goes before the click comes
        tx.replace_habit(weekly._replace(archived=True))
        tx.replace_habit(next(h for h in tx.snapshot.habits if h.name == "Walk")._replace(archived=True))
    d.notifier.pressed.append(ActionEvent(by_title["Walk"], "connect-done", "recorder"))
    d.handle_actions()
    assert Store(paths).load().checkins == []
    assert d.notifier.sent[-1].title == "connect could not log that"
    assert "archived" in d.notifier.sent[-1].body


def test_w7_done_on_a_habit_each_of_you_does_is_logged_for_this_devices_partner(tmp_path):
    from connect_habits.storage.config import load_config
    from connect_habits.storage.sharing import share

    alex = resolve_paths({"CONNECT_HOME": str(tmp_path / "alex")})
    each = add(alex, "Appreciation", at=["19:00"])
    share(alex, load_config(alex.config_file), str(tmp_path / "shared"), "Alex", joining=False)
    with Store(alex, load_config(alex.config_file)).transaction() as tx:
        tx.replace_habit(replace_who(tx.snapshot.habits, each.id, "each"))
    clock = Clock("19:00")
    d = daemon(alex, clock)
    d.scan(clock())
    d.notifier.pressed.append(ActionEvent(1, "connect-done", "recorder"))
    d.handle_actions()
    snapshot = Store(alex, load_config(alex.config_file)).load()
    assert [snapshot.names[c.by] for c in snapshot.checkins] == ["Alex"]


def test_w6_a_damaged_state_file_is_kept_aside_and_what_is_past_is_not_sent_again(paths, caplog):
    add(paths, "Walk", at=["19:00"])
    add(paths, "Talk", at=["19:30"])
    clock = Clock("19:40")
    d = daemon(paths, clock)
    d.scan(clock())
    assert titles(d) == ["Walk", "Talk"]
    paths.state_file.write_text('{"garbage')
    again = daemon(paths, clock)
    again.scan(clock.advance(seconds=5))
    assert titles(again) == []
    assert "daemon-state.json was damaged (it is not valid JSON)" in caplog.text
    [aside] = paths.data_dir.glob("daemon-state.json.damaged-*")
    assert aside.read_text() == '{"garbage'
    add(paths, "Later", at=["19:50"])  # what comes after the restart is sent as ever
    again.reload()
    again.scan(clock.advance(minutes=10))
    assert titles(again) == ["Later"]


def test_w9_the_loop_wakes_at_each_reminder_time_of_the_zone_remind_uses(paths):
    add(paths, "Walk", at=["19:00"])
    clock = Clock("18:59")
    d = daemon(paths, clock)
    d.scan(clock())
    # Whatever `schedule` (which counts in the C library's local time) says, the loop wakes for 19:00 here.
    d.scheduler.clear()
    assert abs(d.sleep_seconds(clock.advance(seconds=30)) - 30.0) < 1e-6
    assert not d.timers_due(clock())
    assert d.timers_due(clock.advance(seconds=30))


def test_reminders_of_one_minute_arrive_as_one_notification_naming_each(paths):
    add(paths, "Walk together", at=["19:00"])
    add(paths, "Talk", at=["19:00"])
    add(paths, "Thanks", at=["19:00"])
    add(paths, "Dinner", at=["19:30"])
    clock = Clock("19:00")
    d = daemon(paths, clock)
    d.scan(clock())
    [together] = d.notifier.sent
    names = together.title.replace(" and ", ", ").split(", ")
    assert sorted(names) == ["Talk", "Thanks", "Walk together"] and " and " in together.title
    assert len(together.body.splitlines()) == 3 and together.actions == ()
    d.scan(clock.advance(minutes=5))
    assert len(d.notifier.sent) == 1  # each was marked sent: nothing again
    d.scan(clock.advance(minutes=25))
    assert titles(d)[-1] == "Dinner"


def test_a_digest_gathers_the_day_into_one_reminder_at_its_time(paths):
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text('digest_at = "19:00"\n')
    walk = add(paths, "Walk together", at=["18:00"])
    add(paths, "Talk", at=["18:30"])
    add(paths, "Thanks")  # no time of its own: in the digest all the same
    clock = Clock("18:00")
    d = daemon(paths, clock)
    d.scan(clock())
    d.scan(clock.advance(minutes=30))
    assert titles(d) == []  # folded into the digest
    log_done(paths, walk)
    d.scan(clock.advance(minutes=30))  # 19:00
    [digest] = d.notifier.sent
    assert digest.title == "2 left today"
    assert sorted(line.split(":")[0] for line in digest.body.splitlines()) == ["Talk", "Thanks"]
    d.scan(clock.advance(minutes=10))
    assert len(d.notifier.sent) == 1  # once a day
    assert d.sleep_seconds(clock()) <= 60


def test_no_digest_when_everything_is_done(paths):
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text('digest_at = "19:00"\n')
    walk = add(paths, "Walk together", at=["18:00"])
    log_done(paths, walk)
    clock = Clock("19:00")
    d = daemon(paths, clock)
    d.scan(clock())
    assert titles(d) == []


# ---------------------------------------------------------------- repeats and snoozes


def test_a_repeating_reminder_comes_again_every_interval_until_done(paths):
    walk = add(paths, "Walk together", at=["19:00"], repeat="30m")
    clock = Clock("19:00")
    d = daemon(paths, clock)
    d.scan(clock())
    assert d.sleep_seconds(clock() + timedelta(minutes=29, seconds=50)) <= 10  # wakes for the repeat
    d.scan(clock.advance(minutes=29))
    assert titles(d) == ["Walk together"]
    d.scan(clock.advance(minutes=1))
    assert titles(d) == ["Walk together"] * 2
    assert [k for k, _ in d.notifier.sent[-1].actions][:2] == ["connect-done", "connect-snooze"]  # buttons on each
    log_done(paths, walk)
    d.reload()
    d.scan(clock.advance(minutes=30))
    assert titles(d) == ["Walk together"] * 2


def test_a_repeating_reminder_comes_at_most_four_more_times(paths):
    add(paths, "Walk together", at=["19:00"], repeat="30m")
    clock = Clock("19:00")
    d = daemon(paths, clock)
    for _ in range(7):
        d.scan(clock())
        clock.advance(minutes=30)
    assert titles(d) == ["Walk together"] * 5


@pytest.mark.parametrize(
    "action, comes_back",
    [("connect-snooze", "19:15"), ("connect-snooze-hour", "20:00"), ("connect-snooze-evening", "20:00")],
)
def test_each_snooze_button_brings_the_reminder_back_when_it_says(paths, action, comes_back):
    add(paths, "Walk together", at=["19:00"])
    clock = Clock("19:00")
    d = daemon(paths, clock)
    d.scan(clock())
    d.notifier.pressed.append(ActionEvent(1, action, "recorder"))
    d.handle_actions()
    [owed] = d.state.pending
    assert f"{owed.due:%H:%M}" == comes_back


def test_a_snooze_holds_the_habits_next_reminder_and_ends_the_repeats(paths):
    add(paths, "Walk together", at=["19:00", "19:30"], repeat="15m")
    clock = Clock("19:00")
    d = daemon(paths, clock)
    d.scan(clock())
    d.notifier.pressed.append(ActionEvent(1, "connect-snooze-hour", "recorder"))
    d.handle_actions()
    for _ in range(11):
        d.scan(clock.advance(minutes=5))  # 19:05 … 19:55: the repeat at 19:15 and the 19:30 reminder wait
    assert titles(d) == ["Walk together"]
    d.scan(clock.advance(minutes=5))
    assert titles(d) == ["Walk together"] * 2  # 20:00: the snooze's own reminder
    for _ in range(12):
        d.scan(clock.advance(minutes=5))
    assert titles(d) == ["Walk together"] * 2  # the snooze ended the repeats; it can be snoozed again


def test_a_snooze_from_the_shell_is_taken_up_once(paths):
    from connect_habits.storage.snoozes import Snooze, add_snooze

    walk = add(paths, "Walk together", at=["19:00"])
    clock = Clock("18:50")
    d = daemon(paths, clock)
    add_snooze(paths, Snooze(walk.id, THURSDAY, wall_instant(THURSDAY, "19:20", local_zone())), clock())
    d.scan(clock.advance(minutes=10))
    assert titles(d) == []  # 19:00: held by the snooze
    assert d.sleep_seconds(clock() + timedelta(minutes=19, seconds=50)) <= 10
    d.scan(clock.advance(minutes=20))
    d.scan(clock.advance(minutes=1))
    d2 = daemon(paths, clock)  # a restart does not take it up again
    d2.scan(clock.advance(minutes=1))
    assert titles(d) == ["Walk together"] and titles(d2) == []


# ---------------------------------------------------------------- amounts and limits


@pytest.mark.parametrize(
    "options, logged, reminded",
    [
        ({"goal": "3 compliments/day"}, None, True),
        ({"goal": "3 compliments/day"}, 2, True),  # under the target
        ({"goal": "3 compliments/day"}, 3, False),  # met
        ({"limit": "1h/day"}, 40, True),  # within: a nudge
        ({"limit": "1h/day"}, 70, False),  # passed
    ],
)
def test_an_amount_is_reminded_until_met_and_a_limit_while_it_is_kept_through_the_daemon(
    paths, options, logged, reminded
):
    habit = add(paths, "Measured", at=["19:00"], **options)
    if logged:
        log_done(paths, habit, minutes=logged)
    clock = Clock("19:00")
    d = daemon(paths, clock)
    d.scan(clock())
    assert titles(d) == (["Measured"] if reminded else [])


def test_an_amounts_done_button_logs_what_is_left_in_its_unit(paths):
    habit = add(paths, "Compliments", at=["19:00"], goal="3 compliments/day")
    log_done(paths, habit, minutes=1)
    clock = Clock("19:00")
    d = daemon(paths, clock)
    d.scan(clock())
    [note] = d.notifier.sent
    assert note.actions[0] == ("connect-done", "Done (2 compliments)")
