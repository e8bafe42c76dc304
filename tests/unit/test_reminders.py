"""The rules for "is this reminder due": catch-up, grace, restarts, quiet hours, daylight saving."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from connect_habits.core.history import build_histories
from connect_habits.core.model import CheckIn, Habit, Skip, parse_cadence, parse_goal
from connect_habits.core.reminders import (
    QuietHours,
    ReminderSettings,
    parse_quiet_hours,
    reminders_due,
    settings_from_config,
    summary_due,
    upcoming,
    wall_instant,
)
from connect_habits.errors import InvalidInput

BERLIN = ZoneInfo("Europe/Berlin")
THURSDAY = date(2026, 11, 26)


def at(hhmm: str, day: date = THURSDAY, zone=BERLIN) -> datetime:
    return wall_instant(day, hhmm, zone)


def habit(times=("19:00",), cadence="daily", goal=None, archived=False, created=date(2026, 1, 1), id="h") -> Habit:
    g = parse_goal(goal) if goal else None
    return Habit(
        id=id,
        name="Walk",
        slug="walk",
        cadence=parse_cadence(cadence if not g or g.per == "day" else "weekly"),
        created=created,
        goal=g,
        at=tuple(times),
        archived=archived,
    )


DEFAULT_SETTINGS = ReminderSettings()


def due_keys(habits, now, sent=(), checkins=(), skips=(), settings=DEFAULT_SETTINGS):
    decision = reminders_due(habits, build_histories(checkins, skips), now, sent, settings)
    return [s.key for s in decision.send], [s.key for s in decision.drop]


def key(hhmm, day=THURSDAY, id="h"):
    return f"{id}/{day.isoformat()}/{hhmm}"


@pytest.mark.parametrize(
    "now, expected",
    [
        (at("18:59"), []),  # not yet
        (at("19:00"), [key("19:00")]),  # on time
        (at("19:00") + timedelta(minutes=15), [key("19:00")]),  # 15 min late (after a suspend): fires
        (at("19:00") + timedelta(hours=1, minutes=59), [key("19:00")]),
        (at("19:00") + timedelta(hours=2), []),  # as late as the grace: dropped
        (at("19:00") + timedelta(hours=3), []),  # 3 h late: dropped, never a backlog
    ],
)
def test_a_reminder_fires_from_its_time_until_the_grace_runs_out(now, expected):
    assert due_keys([habit()], now)[0] == expected


def test_a_reminder_already_sent_is_not_sent_again_after_a_restart():
    assert due_keys([habit()], at("20:01"), sent={key("19:00")})[0] == []


@pytest.mark.parametrize(
    "kwargs, checkins, skips, expected",
    [
        ({}, [("h", THURSDAY)], [], []),  # done before the reminder: no reminder
        ({}, [("h", THURSDAY - timedelta(days=1))], [], [key("19:00")]),  # yesterday's does not count
        ({}, [], [("h", THURSDAY)], []),  # skipped
        ({"archived": True}, [], [], []),
        ({"cadence": "mon,wed,fri"}, [], [], []),  # Thursday is not due
        ({"cadence": "mon,thu"}, [], [], [key("19:00")]),
        ({"cadence": "3/week"}, [("h", date(2026, 11, 23))], [], []),  # 2 to go, 4 days left: not yet
        ({"cadence": "5/week"}, [("h", date(2026, 11, 23))], [], [key("19:00")]),  # 4 to go, 4 days left
        ({"cadence": "3/week"}, [("h", date(2026, 11, d)) for d in (23, 24, 25)], [], []),  # week met
        ({"goal": "30m/day"}, [("h", THURSDAY, 20)], [], [key("19:00")]),  # 20 of 30 minutes
        ({"goal": "30m/day"}, [("h", THURSDAY, 30)], [], []),
        ({"goal": "2h/week"}, [("h", date(2026, 11, 23), 120)], [], []),
    ],
)
def test_only_habits_due_and_unmet_are_reminded(kwargs, checkins, skips, expected):
    records = [
        CheckIn(id=str(i), habit_id=c[0], day=c[1], logged_at="", minutes=c[2] if len(c) > 2 else None)
        for i, c in enumerate(checkins)
    ]
    skip_records = [Skip(id=str(i), habit_id=s[0], day=s[1]) for i, s in enumerate(skips)]
    assert due_keys([habit(**kwargs)], at("19:05"), checkins=records, skips=skip_records)[0] == expected


def test_several_missed_times_of_one_habit_give_one_reminder_for_the_latest():
    send, drop = due_keys([habit(times=("19:00", "20:00"))], at("20:30"))
    assert (send, drop) == ([key("20:00")], [key("19:00")])


def test_each_habit_gets_its_own_reminder():
    habits = [habit(id="a"), habit(id="b", times=("19:30",))]
    assert due_keys(habits, at("19:45"))[0] == [key("19:00", id="a"), key("19:30", id="b")]


def test_yesterdays_late_reminder_is_caught_up_after_midnight_within_the_grace():
    friday = THURSDAY + timedelta(days=1)
    assert due_keys([habit(times=("23:30",))], at("00:30", friday))[0] == [key("23:30")]


@pytest.mark.parametrize(
    "window, moment, inside",
    [
        ("22:30-07:30", "23:00", True),
        ("22:30-07:30", "02:00", True),
        ("22:30-07:30", "07:29", True),
        ("22:30-07:30", "07:30", False),
        ("22:30-07:30", "22:29", False),
        ("22:30-07:30", "22:30", True),
        ("13:00-14:00", "13:30", True),
        ("13:00-14:00", "14:00", False),
        ("13:00-14:00", "12:59", False),
    ],
)
def test_quiet_hours_across_midnight(window, moment, inside):
    assert (time.fromisoformat(moment) in parse_quiet_hours(window)) is inside


@pytest.mark.parametrize(
    "reminder, now, expected",
    [
        ("23:00", "23:00", []),  # inside quiet hours: nothing
        ("07:00", "07:00", []),
        ("07:00", "07:30", [key("07:00")]),  # when quiet hours end, within the grace: it goes out
        ("04:00", "07:30", []),  # too late by then
        ("21:00", "21:00", [key("21:00")]),
    ],
)
def test_nothing_fires_during_quiet_hours(reminder, now, expected):
    settings = ReminderSettings(quiet=parse_quiet_hours("22:30-07:30"))
    assert due_keys([habit(times=(reminder,))], at(now), settings=settings)[0] == expected


# ---------------------------------------------------------------- daylight saving


@pytest.mark.parametrize(
    "zone, day, hhmm, expected_utc",
    [
        ("Europe/Berlin", date(2026, 3, 29), "02:30", "01:00"),  # spring forward: the first valid time, 03:00 CEST
        ("Europe/Berlin", date(2026, 3, 29), "03:30", "01:30"),
        ("Europe/Berlin", date(2026, 10, 25), "02:30", "00:30"),  # fall back: the first of the two 02:30s
        ("America/New_York", date(2026, 3, 8), "02:30", "07:00"),  # 03:00 EDT
        ("America/New_York", date(2026, 11, 1), "01:30", "05:30"),  # the first 01:30, still EDT
        ("Australia/Lord_Howe", date(2026, 10, 4), "02:15", "15:30"),  # a 30-minute jump: 02:30 +11
        ("Australia/Lord_Howe", date(2026, 4, 5), "01:45", "14:45"),  # fall back by 30 minutes: first 01:45 (+11)
    ],
)
def test_wall_clock_times_on_daylight_saving_days(zone, day, hhmm, expected_utc):
    instant = wall_instant(day, hhmm, ZoneInfo(zone))
    assert instant.astimezone(UTC).strftime("%H:%M") == expected_utc


def test_a_reminder_in_the_spring_forward_gap_fires_once_at_the_first_valid_time():
    day = date(2026, 3, 29)
    h = habit(times=("02:30",))
    assert due_keys(
        [h],
        wall_instant(day, "01:59", BERLIN),
    ) == ([], [])
    first_valid = datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN)
    assert due_keys([h], first_valid)[0] == [key("02:30", day)]
    assert due_keys([h], first_valid + timedelta(minutes=30), sent={key("02:30", day)})[0] == []


def test_a_reminder_on_the_fall_back_day_fires_once():
    day = date(2026, 10, 25)
    h = habit(times=("02:30",))
    first = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=0)
    second = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=1)  # an hour later, same wall clock
    assert due_keys([h], first)[0] == [key("02:30", day)]
    assert due_keys([h], second, sent={key("02:30", day)})[0] == []


# ---------------------------------------------------------------- the weekly summary and settings

SUNDAY = date(2026, 11, 29)


@pytest.mark.parametrize(
    "now, sent, expected",
    [
        (at("19:00", SUNDAY), (), "summary/2026-11-29"),
        (at("20:30", SUNDAY), (), "summary/2026-11-29"),
        (at("18:59", SUNDAY), (), None),
        (at("22:00", SUNDAY), (), None),  # too late
        (at("19:05", SUNDAY), ("summary/2026-11-29",), None),
        (at("19:00", THURSDAY), (), None),
    ],
)
def test_the_weekly_summary_goes_out_once_on_its_day(now, sent, expected):
    assert summary_due(now, sent, ReminderSettings()) == expected


def test_settings_come_from_the_config_with_defaults():
    assert settings_from_config({}) == ReminderSettings()
    settings = settings_from_config({"quiet_hours": "22:30-07:30", "summary_at": "Friday 18:15", "grace": "45m"})
    assert settings.quiet == QuietHours(time(22, 30), time(7, 30))
    assert (settings.summary_weekday, settings.summary_at, settings.grace) == (4, "18:15", timedelta(minutes=45))


@pytest.mark.parametrize("values", [{"quiet_hours": "late"}, {"summary_at": "someday 19:00"}, {"grace": "soon"}])
def test_bad_daemon_settings_are_refused(values):
    with pytest.raises(InvalidInput):
        settings_from_config(values)


def test_upcoming_lists_what_will_fire_when_and_why_the_rest_will_not():
    habits = [
        habit(id="a", times=("20:00",)),
        habit(id="b", times=("21:00",)),
        habit(id="c", times=("23:00",)),
        habit(id="d", times=("07:00",)),
    ]
    checkins = [CheckIn(id="1", habit_id="b", day=THURSDAY, logged_at="")]
    settings = ReminderSettings(quiet=parse_quiet_hours("22:30-07:30"))
    items = upcoming(habits, build_histories(checkins, []), at("19:30"), settings, days=2)
    friday = THURSDAY + timedelta(days=1)
    assert [(slot.habit_id, slot.day, status, f"{fires:%H:%M}") for slot, status, fires in items][:5] == [
        ("a", THURSDAY, "will_fire", "20:00"),
        ("b", THURSDAY, "done", "21:00"),
        ("c", THURSDAY, "quiet_hours", "07:30"),  # 8.5 hours late by then: never
        ("d", friday, "will_fire", "07:30"),  # as the daemon does: when the quiet hours end, within the grace
        ("a", friday, "will_fire", "20:00"),
    ]


def test_no_reminder_for_days_before_the_habit_existed():
    friday = THURSDAY + timedelta(days=1)
    late_habit = habit(times=("23:45",), created=friday)
    assert due_keys([late_habit], at("00:30", friday))[0] == []


# ---------------------------------------------------------------- two partners, two devices


@pytest.mark.parametrize(
    "who, logged_by, me, reminded",
    [
        ("together", None, "Alex", False),  # done by someone: nobody is reminded
        ("together", "Sam", "Alex", False),  # the other device's check-in counts once it has synced
        ("together", None, None, False),
        ("each", "Sam", "Alex", True),  # Sam did theirs; Alex still has to
        ("each", "Alex", "Alex", False),
        ("each", "Sam", "Sam", False),
        ("Sam", None, "Alex", False),  # Sam's habit: never on Alex's device
        ("Alex", "Alex", "Alex", False),  # done by its owner
    ],
)
def test_each_device_reminds_its_own_person(who, logged_by, me, reminded):
    from connect_habits.core.reminders import reminder_view

    h = habit()._replace(who=who)
    checkins = (
        [CheckIn(id="1", habit_id="h", day=THURSDAY, logged_at="", by=logged_by)]
        if logged_by or who == "together"
        else []
    )
    habits, histories = reminder_view([h], checkins, [], me)
    decision = reminders_due(habits, histories, at("19:05"), (), ReminderSettings())
    assert bool(decision.send) is reminded


@pytest.mark.parametrize(
    "who, me, reminded",
    [
        ("Sam", "Sam", True),
        ("Sam", "Alex", False),
        ("Sam", None, True),
        ("each", "Alex", True),
        ("together", "Alex", True),
    ],
)
def test_a_habit_nobody_has_done_reminds_the_right_devices(who, me, reminded):
    from connect_habits.core.reminders import reminder_view

    habits, histories = reminder_view([habit()._replace(who=who)], [], [], me)
    assert bool(reminders_due(habits, histories, at("19:05"), (), ReminderSettings()).send) is reminded


# ---------------------------------------------------------------- what one click on Done logs


@pytest.mark.parametrize(
    "goal, who, me, couple, logged, logs",
    [
        (None, "together", None, True, 0, 0),  # a check: one click is enough
        (None, "each", "Alex", True, 0, 0),  # this device knows whose check-in it is
        (None, "each", None, True, 0, None),  # a laptop both use: it cannot know who clicked
        (None, "each", None, False, 0, 0),  # no partners named: nobody to tell apart
        ("30m/day", "together", None, True, 0, 30),  # a daily goal: what is left of it
        ("30m/day", "together", None, True, 20, 10),
        ("30m/day", "together", None, True, 30, None),  # met already: nothing to add
        ("2h/week", "together", None, True, 0, None),  # how much of a week's goal? one click cannot say
    ],
)
def test_done_is_offered_only_where_one_click_can_log_it(goal, who, me, couple, logged, logs):
    from connect_habits.core.reminders import one_click

    h = habit()._replace(who=who, goal=parse_goal(goal) if goal else None)
    checkins = [CheckIn(id="1", habit_id="h", day=THURSDAY, logged_at="", minutes=logged)] if logged else []
    history = build_histories(checkins, [])["h"]
    assert one_click(h, history, THURSDAY, me, couple) == logs


@pytest.mark.parametrize(
    "cadence, done, skipped, day, reminded",
    [
        ("3/week", [], [], 23, False),  # Monday: the whole week ahead
        ("3/week", [], [], 26, False),  # Thursday: 3 to go, 4 days left
        ("3/week", [], [], 27, True),  # Friday: 3 to go, 3 days left
        ("3/week", [23, 24], [], 29, True),  # Sunday: the last one
        ("3/week", [23, 24], [], 28, False),
        ("3/week", [], [28, 29], 27, True),  # the weekend skipped: 3 to go (of 5 days), only Friday left
        ("weekly", [], [], 28, False),
        ("weekly", [], [], 29, True),  # the weekly check-in: on Sunday, not every day from Monday
        ("weekly", [25], [], 29, False),
    ],
)
def test_a_count_a_week_is_reminded_once_the_week_needs_that_day(cadence, done, skipped, day, reminded):
    from connect_habits.core.history import build_histories
    from connect_habits.core.reminders import needs_reminder

    h = habit(cadence=cadence)
    checkins = [CheckIn(id=str(d), habit_id="h", day=date(2026, 11, d), logged_at="") for d in done]
    skips = [Skip(id=f"s{d}", habit_id="h", day=date(2026, 11, d)) for d in skipped]
    history = build_histories(checkins, skips)["h"]
    assert needs_reminder(h, history, date(2026, 11, day)) is reminded


@pytest.mark.parametrize("text, value", [("19:00", "19:00"), ("7:05", "07:05"), ("", None), ("off", None)])
def test_digest_at_reads_a_time_or_off(text, value):
    from connect_habits.core.reminders import parse_digest_at

    assert parse_digest_at(text) == value


def test_digest_at_refuses_what_is_not_a_time():
    from connect_habits.core.reminders import parse_digest_at
    from connect_habits.errors import InvalidInput

    with pytest.raises(InvalidInput, match="digest_at"):
        parse_digest_at("evening")
