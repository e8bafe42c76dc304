"""The rules of a reminder's second life: the days a week-based habit reminds on, repeats, snoozes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from connect_habits.core.habits import HabitOptions, changed_habit, new_habit, parse_remind_on, parse_repeat
from connect_habits.core.history import build_histories
from connect_habits.core.model import CheckIn, Habit, Skip, parse_cadence
from connect_habits.core.reminders import Decision, QuietHours, ReminderSettings, Slot, needs_reminder, wall_instant
from connect_habits.core.repeats import evening_offered, hold, repeats_due, snooze_until
from connect_habits.errors import InvalidInput

BERLIN = ZoneInfo("Europe/Berlin")
THURSDAY = date(2026, 11, 26)


def at(hhmm: str, day: date = THURSDAY) -> datetime:
    return wall_instant(day, hhmm, BERLIN)


def habit(cadence="daily", times=("19:00",), remind_on=(), repeat=0) -> Habit:
    return Habit(
        id="h",
        name="Walk",
        slug="walk",
        cadence=parse_cadence(cadence),
        created=date(2026, 1, 1),
        at=tuple(times),
        remind_on=remind_on,
        repeat=repeat,
    )


# ---------------------------------------------------------------- the days a week-based habit reminds on


@pytest.mark.parametrize(
    "text, days",
    [("sat,sun", (5, 6)), ("Sun Sat", (5, 6)), ("friday", (4,)), ("mon,wed,fri", (0, 2, 4)), ("auto", ())],
)
def test_remind_on_reads_a_list_of_days_or_auto(text, days):
    assert parse_remind_on(text) == days


@pytest.mark.parametrize("text", ["weekends", "someday", "sat;sun", "3/week"])
def test_remind_on_refuses_what_is_not_a_list_of_days(text):
    with pytest.raises(InvalidInput, match="not a list of days"):
        parse_remind_on(text)


@pytest.mark.parametrize(
    "cadence, remind_on, done, skipped, day, reminded",
    [
        ("3/week", (5, 6), [], [], 23, False),  # Monday is not a chosen day
        ("3/week", (5, 6), [], [], 28, True),  # Saturday is
        ("3/week", (5, 6), [], [], 27, False),  # Friday would be the default rule's day; not chosen
        ("3/week", (5, 6), [23, 24, 25], [], 28, False),  # the week is met
        ("3/week", (5, 6), [28], [], 28, False),  # done today
        ("3/week", (5, 6), [], [28], 28, False),  # skipped today
        ("weekly", (0,), [], [], 23, True),  # a weekly ritual reminded on Monday because the couple chose it
        ("weekly", (0,), [23], [], 30, True),  # the next week's Monday
        ("daily", (0, 1, 2, 3, 4), [], [], 27, True),  # a daily habit reminded on weekdays: Friday
        ("daily", (0, 1, 2, 3, 4), [], [], 28, False),  # not on Saturday
        ("mon,sat", (0,), [], [], 28, False),  # due Saturday, but reminded only on Mondays
        ("daily", (0, 1, 2, 3, 4), [27], [], 27, False),  # done today
    ],
)
def test_a_week_based_habit_reminds_on_the_days_chosen_until_the_week_is_met(
    cadence, remind_on, done, skipped, day, reminded
):
    checkins = [CheckIn(id=str(d), habit_id="h", day=date(2026, 11, d), logged_at="") for d in done]
    skips = [Skip(id=f"s{d}", habit_id="h", day=date(2026, 11, d)) for d in skipped]
    history = build_histories(checkins, skips)["h"]
    h = habit(cadence, remind_on=remind_on)
    assert needs_reminder(h, history, date(2026, 11, day) if day <= 30 else date(2026, 12, day - 30)) is reminded


@pytest.mark.parametrize(
    "options, message",
    [
        ({"every": "3/week", "remind_on": "sat"}, "with --at"),  # no reminder time: no day to remind on
        ({"every": "daily", "repeat": "30m"}, "with --at"),
        ({"every": "daily", "at": ["19:00"], "repeat": "2m"}, "5 minutes to 4 hours"),
        ({"every": "daily", "at": ["19:00"], "repeat": "5h"}, "5 minutes to 4 hours"),
    ],
)
def test_reminder_rules_a_habit_cannot_use_are_refused(options, message):
    with pytest.raises(InvalidInput, match=message):
        new_habit([], "Walk", HabitOptions(**options), THURSDAY)


def test_rules_a_changed_habit_no_longer_allows_are_dropped_not_refused():
    h = new_habit([], "Walk", HabitOptions(every="3/week", at=["19:00"], remind_on="sat", repeat="30m"), THURSDAY)
    assert (h.remind_on, h.repeat) == ((5,), 30)
    daily = changed_habit([h], h, HabitOptions(every="daily"))
    assert (daily.remind_on, daily.repeat) == ((5,), 30)  # the chosen days stay: a daily habit reminds on them
    quiet = changed_habit([h], h, HabitOptions(at=()))
    assert (quiet.remind_on, quiet.repeat) == ((), 0)  # no time left to remind at, nothing to repeat
    assert changed_habit([h], h, HabitOptions(repeat="none")).repeat == 0


@pytest.mark.parametrize("text, minutes", [("30m", 30), ("1h", 60), ("5", 5), ("4h", 240), ("none", 0), ("off", 0)])
def test_repeat_reads_an_interval_or_none(text, minutes):
    assert parse_repeat(text) == minutes


# ---------------------------------------------------------------- repeats

REPEATING = habit(repeat=30)
DEFAULTS = ReminderSettings()


def repeats(now, sent, done=(), skipped=(), settings=DEFAULTS, held=None, h=REPEATING):
    checkins = [CheckIn(id=f"c{d}", habit_id="h", day=d, logged_at="") for d in done]
    skips = [Skip(id=f"s{d}", habit_id="h", day=d) for d in skipped]
    decision = repeats_due([h], build_histories(checkins, skips), now, sent, settings, held)
    return [s.key for s in decision.send], [s.key for s in decision.drop]


REMINDER = "h/2026-11-26/19:00"
SENT_AT_7 = {REMINDER: at("19:00").isoformat()}


def repeat(n: int) -> str:
    return f"{REMINDER}/repeat/{n}"


@pytest.mark.parametrize(
    "now, sent, send, drop",
    [
        ("19:29", SENT_AT_7, [], []),
        ("19:30", SENT_AT_7, [repeat(1)], []),
        ("19:45", SENT_AT_7, [repeat(1)], []),  # late within its interval: still sent
        ("19:45", {**SENT_AT_7, repeat(1): "x"}, [], []),
        ("20:00", {**SENT_AT_7, repeat(1): "x"}, [repeat(2)], []),
        ("20:01", SENT_AT_7, [repeat(2)], [repeat(1)]),  # never a backlog: the latest only
        ("21:10", {**SENT_AT_7, **{repeat(n): "x" for n in (1, 2, 3)}}, [repeat(4)], []),
        ("21:40", {**SENT_AT_7, **{repeat(n): "x" for n in (1, 2, 3, 4)}}, [], []),  # at most 4 times
        ("21:40", SENT_AT_7, [], [repeat(n) for n in (1, 2, 3, 4)]),  # the daemon was down: too late for each
        ("19:30", {}, [], []),  # the reminder itself has not gone out
    ],
)
def test_a_reminder_repeats_every_interval_after_it_went_out_at_most_four_times(now, sent, send, drop):
    assert repeats(at(now), sent) == (send, drop)


def test_repeats_count_from_when_the_reminder_went_out_not_its_time():
    held_by_quiet = {REMINDER: at("19:20").isoformat()}  # sent late (after a suspend, say)
    assert repeats(at("19:30"), held_by_quiet) == ([], [])
    assert repeats(at("19:50"), held_by_quiet) == ([repeat(1)], [])


@pytest.mark.parametrize(
    "done, skipped",
    [([THURSDAY], []), ([], [THURSDAY])],
)
def test_a_habit_done_or_skipped_is_not_repeated(done, skipped):
    assert repeats(at("19:30"), SENT_AT_7, done=done, skipped=skipped) == ([], [])


def test_quiet_hours_end_the_repeats_for_the_day():
    settings = ReminderSettings(quiet=QuietHours(datetime.strptime("19:45", "%H:%M").time(), at("07:00").time()))
    assert repeats(at("19:30"), SENT_AT_7, settings=settings) == ([repeat(1)], [])
    sent = {**SENT_AT_7, repeat(1): "x"}
    assert repeats(at("20:00"), sent, settings=settings) == ([], [])  # in the quiet hours: the repeats are over
    assert repeats(at("07:30", THURSDAY + timedelta(days=1)), sent, settings=settings) == ([], [])


def test_repeats_end_with_the_day():
    late = habit(times=("23:00",), repeat=30)
    sent = {"h/2026-11-26/23:00": at("23:00").isoformat(), "h/2026-11-26/23:00/repeat/1": "x"}
    assert repeats(at("00:00", THURSDAY + timedelta(days=1)), sent, h=late) == ([], [])


def test_a_snooze_holds_the_repeats_that_fall_within_it():
    held = {"h": at("20:10")}
    assert repeats(at("19:30"), SENT_AT_7, held=held) == ([], [repeat(1)])
    assert repeats(at("20:30"), {**SENT_AT_7, repeat(1): "x", repeat(2): "x"}, held=held) == ([repeat(3)], [])


@pytest.mark.parametrize("settings", [ReminderSettings(notify=False), ReminderSettings(digest_at="19:00")])
def test_nothing_repeats_with_notifications_off_or_a_digest(settings):
    assert repeats(at("19:30"), SENT_AT_7, settings=settings) == ([], [])


def test_a_later_reminder_time_of_the_day_starts_the_repeats_again():
    two = habit(times=("09:00", "19:00"), repeat=30)
    sent = {"h/2026-11-26/09:00": at("09:00").isoformat(), **SENT_AT_7}
    assert repeats(at("19:30"), sent, h=two) == ([repeat(1)], [])


# ---------------------------------------------------------------- snoozes


@pytest.mark.parametrize(
    "text, now, until",
    [
        ("15m", "18:00", "18:15"),
        ("1h", "18:00", "19:00"),
        ("1h30m", "18:00", "19:30"),
        ("evening", "18:00", "20:00"),
        ("this evening", "18:00", "20:00"),
        ("21:30", "18:00", "21:30"),
    ],
)
def test_a_snooze_ends_after_a_duration_at_a_time_or_in_the_evening(text, now, until):
    assert snooze_until(text, at(now), ReminderSettings()) == at(until)


@pytest.mark.parametrize(
    "text, now, message",
    [
        ("evening", "20:30", "already passed"),
        ("17:00", "18:00", "already passed"),
        ("5h", "21:00", "end of the day"),
        ("soon", "18:00", "not a snooze"),
    ],
)
def test_a_snooze_that_cannot_end_later_today_is_refused(text, now, message):
    with pytest.raises(InvalidInput, match=message):
        snooze_until(text, at(now), ReminderSettings())


@pytest.mark.parametrize("now, offered", [("18:00", True), ("19:30", True), ("19:31", False), ("21:00", False)])
def test_this_evening_is_offered_while_the_evening_is_half_an_hour_off_or_more(now, offered):
    assert evening_offered(at(now), ReminderSettings(evening_at="20:00")) is offered


def test_a_snoozed_habits_reminders_wait_for_the_snooze():
    walk, talk = Slot("walk", THURSDAY, "19:00", at("19:00")), Slot("talk", THURSDAY, "19:00", at("19:00"))
    decision = hold(Decision([walk, talk], []), {"walk": at("19:30")}, at("19:00"))
    assert (decision.send, decision.drop) == ([talk], [walk])
    assert hold(Decision([walk], []), {"walk": at("18:50")}, at("19:00")).send == [walk]  # that snooze is over


@pytest.mark.parametrize(
    "cadence, remind_on, rule, asked",
    [
        ("3/week", (), False, True),  # Monday: the rule waits for Friday; a snooze asked for comes
        ("3/week", (5,), False, True),  # not a chosen day
        ("2 in 3 days", (), False, True),  # the window is kept without today; asked, it still comes
        ("sat", (), False, False),  # not one of its days: nothing to remind of, asked or not
    ],
)
def test_a_reminder_asked_for_comes_whenever_the_habit_is_open(cadence, remind_on, rule, asked):
    h = habit(cadence, remind_on=remind_on)
    monday = date(2026, 11, 23)
    history = build_histories(
        [CheckIn(id="c", habit_id="h", day=monday - timedelta(days=1), logged_at="")] * (cadence == "2 in 3 days")
        + [CheckIn(id="d", habit_id="h", day=monday - timedelta(days=2), logged_at="")] * (cadence == "2 in 3 days"),
        [],
    )["h"]
    assert needs_reminder(h, history, monday) is rule
    assert needs_reminder(h, history, monday, asked=True) is asked
