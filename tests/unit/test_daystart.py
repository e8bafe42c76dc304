"""When a day begins (`day_starts`): the logical day around midnight, month and year ends, leap days and
daylight-saving changes, and what it means for reminders, the digest, the summary, snoozes and repeats."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from connect_habits.core.daystart import MIDNIGHT, day_order, logical_day, parse_day_starts, wall_date
from connect_habits.core.history import build_histories
from connect_habits.core.model import CheckIn, Habit, parse_cadence
from connect_habits.core.reminders import (
    ReminderSettings,
    digest_due,
    reminders_due,
    settings_from_config,
    slots_on,
    summary_due,
    upcoming,
    wall_instant,
)
from connect_habits.core.repeats import evening_offered, repeats_due, snooze_until
from connect_habits.errors import DataFileError, InvalidInput
from connect_habits.storage.config import Config, load_config, setting_value, settings, with_setting

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
FOUR = time(4, 0)
THURSDAY = date(2026, 11, 26)
FRIDAY = THURSDAY + timedelta(days=1)
LATE = ReminderSettings(day_starts=FOUR)


# ---------------------------------------------------------------- the setting


@pytest.mark.parametrize(
    "text, expected",
    [
        ("04:00", time(4, 0)),
        ("4:00", time(4, 0)),
        (" 05:30 ", time(5, 30)),
        ("00:00", MIDNIGHT),
        ("0:15", time(0, 15)),
        ("12:00", time(12, 0)),
    ],
)
def test_a_day_start_is_a_time_from_midnight_to_noon(text, expected):
    assert parse_day_starts(text) == expected


@pytest.mark.parametrize(
    "text", ["25:00", "soon", "4", "04:60", "24:00", "04:00:00", "4h", "", "-1:00", "٠٤:٠٠", "04.00", "13:00", "23:59"]
)
def test_anything_else_is_refused_in_one_sentence(text):
    with pytest.raises(InvalidInput) as raised:
        parse_day_starts(text)
    message = raised.value.message
    assert message.startswith("day_starts = ") and message.endswith(".") and message.count(". ") == 0


def test_connect_config_knows_the_setting_and_keeps_it_as_hh_mm():
    assert settings()["day_starts"].default == "00:00"
    config = with_setting(Config(), "day_starts", "4:30")
    assert config.extra["day_starts"] == "04:30" and config.day_starts == time(4, 30)
    assert setting_value(config, "day_starts") == "04:30"
    assert setting_value(Config(), "day_starts") == "00:00" and Config().day_starts == MIDNIGHT
    for bad in ("25:00", "soon"):
        with pytest.raises(InvalidInput):
            with_setting(Config(), "day_starts", bad)


def test_a_config_file_with_a_bad_day_start_is_an_error_naming_it(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('day_starts = "04:00"\n')
    assert load_config(path).day_starts == FOUR
    path.write_text('day_starts = "soon"\n')
    with pytest.raises(DataFileError, match="config.toml, day_starts = 'soon' is not a time"):
        load_config(path)


def test_the_daemon_reads_it_and_falls_back_to_midnight_on_a_bad_value():
    assert settings_from_config({"day_starts": "04:00"}).day_starts == FOUR
    assert settings_from_config({}).day_starts == MIDNIGHT
    problems: list[str] = []
    assert settings_from_config({"day_starts": "25:00"}, problems=problems).day_starts == MIDNIGHT
    assert problems == ["day_starts = '25:00' is not a time like 04:00 (HH:MM, from 00:00 to 12:00)."]


# ---------------------------------------------------------------- the logical day


@pytest.mark.parametrize(
    "now, day_starts, expected",
    [
        # midnight, today's behaviour
        ("2026-11-26T00:00", "00:00", "2026-11-26"),
        ("2026-11-25T23:59:59", "00:00", "2026-11-25"),
        # across midnight
        ("2026-11-26T23:59", "04:00", "2026-11-26"),
        ("2026-11-27T00:00", "04:00", "2026-11-26"),
        ("2026-11-27T00:30", "04:00", "2026-11-26"),
        ("2026-11-27T03:59:59", "04:00", "2026-11-26"),
        ("2026-11-27T04:00", "04:00", "2026-11-27"),
        # across a month end (30 and 31 days), February and a leap day
        ("2026-11-30T00:30", "04:00", "2026-11-29"),
        ("2026-12-01T00:30", "04:00", "2026-11-30"),
        ("2027-02-01T02:00", "04:00", "2027-01-31"),
        ("2027-03-01T03:59", "04:00", "2027-02-28"),
        ("2028-03-01T01:00", "04:00", "2028-02-29"),
        ("2028-02-29T05:00", "04:00", "2028-02-29"),
        # across a year end
        ("2026-12-31T23:59", "04:00", "2026-12-31"),
        ("2027-01-01T03:59", "04:00", "2026-12-31"),
        ("2027-01-01T04:00", "04:00", "2027-01-01"),
        # other day starts
        ("2026-11-27T11:59", "12:00", "2026-11-26"),
        ("2026-11-27T12:00", "12:00", "2026-11-27"),
        ("2026-11-27T00:14", "00:15", "2026-11-26"),
    ],
)
def test_before_the_day_start_it_is_still_the_day_before(now, day_starts, expected):
    moment = datetime.fromisoformat(now)
    assert logical_day(moment, parse_day_starts(day_starts)).isoformat() == expected
    aware = moment.replace(tzinfo=BERLIN)  # an ordinary day in a zone: the same answer
    assert logical_day(aware, parse_day_starts(day_starts)).isoformat() == expected


def _local(zone, text: str, fold: int = 0) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone, fold=fold)


@pytest.mark.parametrize(
    "zone, now, fold, day_starts, expected",
    [
        # spring forward: Berlin skips 02:00-03:00 on 2027-03-28; a day start in the gap comes at 03:00
        (BERLIN, "2027-03-28T01:59", 0, "02:30", "2027-03-27"),
        (BERLIN, "2027-03-28T03:00", 0, "02:30", "2027-03-28"),
        (BERLIN, "2027-03-28T03:59", 0, "04:00", "2027-03-27"),
        (BERLIN, "2027-03-28T04:00", 0, "04:00", "2027-03-28"),
        # fall back: Berlin shows 02:00-03:00 twice on 2027-10-31; the first pass of 02:30 begins the day
        (BERLIN, "2027-10-31T02:15", 0, "02:30", "2027-10-30"),
        (BERLIN, "2027-10-31T02:40", 0, "02:30", "2027-10-31"),
        (BERLIN, "2027-10-31T02:15", 1, "02:30", "2027-10-31"),  # the second pass: the day has begun
        (BERLIN, "2027-10-31T02:45", 1, "02:30", "2027-10-31"),
        (BERLIN, "2027-10-31T02:15", 1, "04:00", "2027-10-30"),  # a day start after the repeated hour
        (BERLIN, "2027-10-31T04:00", 0, "04:00", "2027-10-31"),
        # New York falls back at 02:00 to 01:00 (2026-11-01), springs forward at 02:00 to 03:00 (2027-03-14)
        (NEW_YORK, "2026-11-01T01:15", 1, "01:30", "2026-11-01"),
        (NEW_YORK, "2026-11-01T01:15", 0, "01:30", "2026-10-31"),
        (NEW_YORK, "2027-03-14T01:59", 0, "02:00", "2027-03-13"),
        (NEW_YORK, "2027-03-14T03:00", 0, "02:00", "2027-03-14"),
        # Lord Howe moves by half an hour: 02:00 back to 01:30 (2027-04-04), 02:00 on to 02:30 (2026-10-04)
        (LORD_HOWE, "2027-04-04T01:35", 1, "01:45", "2027-04-04"),
        (LORD_HOWE, "2027-04-04T01:35", 0, "01:45", "2027-04-03"),
        (LORD_HOWE, "2026-10-04T02:30", 0, "02:15", "2026-10-04"),
    ],
)
def test_on_daylight_saving_days_the_day_begins_once(zone, now, fold, day_starts, expected):
    moment = _local(zone, now, fold)
    assert logical_day(moment, parse_day_starts(day_starts)).isoformat() == expected


def test_the_first_pass_of_a_repeated_hour_then_the_second_never_go_back_a_day():
    starts = time(2, 30)
    utc = datetime(2027, 10, 30, 23, 0, tzinfo=ZoneInfo("UTC"))  # 01:00 CEST in Berlin
    days = [logical_day((utc + timedelta(minutes=m)).astimezone(BERLIN), starts) for m in range(0, 240, 5)]
    assert days == sorted(days) and set(days) == {date(2027, 10, 30), date(2027, 10, 31)}


@pytest.mark.parametrize(
    "at, day_starts, expected",
    [
        ("01:00", "04:00", FRIDAY),  # the night after Thursday
        ("03:59", "04:00", FRIDAY),
        ("04:00", "04:00", THURSDAY),
        ("23:30", "04:00", THURSDAY),
        ("00:00", "00:00", THURSDAY),
        ("00:00", "00:30", FRIDAY),
    ],
)
def test_a_time_of_a_day_is_on_the_next_date_before_the_day_start(at, day_starts, expected):
    assert wall_date(THURSDAY, at, parse_day_starts(day_starts)) == expected


def test_the_times_of_a_day_in_order_end_with_the_night_after_it():
    times = ["00:30", "03:59", "04:00", "07:00", "23:30"]
    assert sorted(times, key=lambda t: day_order(t, FOUR)) == ["04:00", "07:00", "23:30", "00:30", "03:59"]
    assert sorted(times, key=lambda t: day_order(t, MIDNIGHT)) == times


# ---------------------------------------------------------------- reminders on a later day start


def habit(times=("01:00",), cadence="daily", repeat=None, id="h") -> Habit:
    return Habit(
        id=id,
        name="Talk",
        slug="talk",
        cadence=parse_cadence(cadence),
        created=date(2026, 1, 1),
        at=tuple(times),
        repeat=repeat,
    )


def at(hhmm: str, day: date = THURSDAY, zone=BERLIN) -> datetime:
    return wall_instant(day, hhmm, zone)


def done_on(day: date, id="h") -> CheckIn:
    return CheckIn(id=f"c-{day}", habit_id=id, day=day, logged_at="")


def sent_keys(habits, now, checkins=(), sent=(), settings=LATE) -> list[str]:
    return [s.key for s in reminders_due(habits, build_histories(checkins, []), now, sent, settings).send]


def test_a_reminder_before_the_day_start_comes_the_night_after_its_day():
    [evening, late] = slots_on([habit(("01:00", "21:00"))], THURSDAY, BERLIN, FOUR)  # in time order
    assert (evening.at, evening.day, evening.instant) == ("21:00", THURSDAY, at("21:00"))
    assert (late.at, late.day, late.instant) == ("01:00", THURSDAY, at("01:00", FRIDAY))
    assert [s.instant for s in slots_on([habit()], THURSDAY, BERLIN)] == [at("01:00")]  # midnight: the same date


@pytest.mark.parametrize(
    "now, checkins, expected",
    [
        (at("00:59", FRIDAY), [], []),
        (at("01:00", FRIDAY), [], ["h/2026-11-26/01:00"]),  # Thursday's, on Friday's date
        (at("01:00", FRIDAY), [done_on(THURSDAY)], []),  # done at 00:30 (logged for Thursday): no reminder
        (at("01:00", FRIDAY), [done_on(FRIDAY)], ["h/2026-11-26/01:00"]),  # Friday's check-in is not Thursday's
        (at("01:00"), [done_on(THURSDAY)], ["h/2026-11-25/01:00"]),  # Thursday 01:00 on the clock: Wednesday's
    ],
)
def test_a_night_reminder_asks_about_the_day_it_belongs_to(now, checkins, expected):
    assert sent_keys([habit()], now, checkins) == expected


@pytest.mark.parametrize(
    "now, expected",
    [
        (at("00:30", date(2026, 12, 1)), ["h/2026-11-30/00:30"]),  # a month end
        (at("00:30", date(2027, 1, 1)), ["h/2026-12-31/00:30"]),  # a year end
        (at("00:30", date(2028, 3, 1)), ["h/2028-02-29/00:30"]),  # a leap day
    ],
)
def test_night_reminders_across_month_and_year_ends(now, expected):
    assert sent_keys([habit(("00:30",))], now) == expected


def test_a_weekday_habits_night_reminder_comes_after_its_day():
    monday = habit(("01:00",), cadence="mon")
    tuesday = date(2026, 11, 24)
    assert sent_keys([monday], at("01:00", tuesday)) == ["h/2026-11-23/01:00"]  # Monday's, on Tuesday's date
    assert sent_keys([monday], at("01:00", date(2026, 11, 23))) == []  # Sunday's night: not one of its days


def test_what_comes_next_counts_the_night_as_today():
    items = upcoming([habit(("01:00", "21:00"))], build_histories([], []), at("20:00"), LATE)
    assert [(s.day, s.at, s.instant, status) for s, status, _ in items] == [
        (THURSDAY, "21:00", at("21:00"), "will_fire"),
        (THURSDAY, "01:00", at("01:00", FRIDAY), "will_fire"),
        (FRIDAY, "21:00", at("21:00", FRIDAY), "will_fire"),
        (FRIDAY, "01:00", at("01:00", FRIDAY + timedelta(days=1)), "will_fire"),
    ]
    done = upcoming([habit(("01:00",))], build_histories([done_on(THURSDAY)], []), at("00:30", FRIDAY), LATE)
    assert [(s.day, status) for s, status, _ in done] == [(THURSDAY, "done"), (FRIDAY, "will_fire")]


def test_the_digest_and_the_weekly_summary_belong_to_the_logical_day():
    digest = ReminderSettings(day_starts=FOUR, digest_at="01:00")
    assert digest_due(at("01:00", FRIDAY), [], digest) == "digest/2026-11-26"
    assert digest_due(at("01:00"), [], digest) == "digest/2026-11-25"  # Thursday 01:00 on the clock: Wednesday's
    sunday = date(2026, 11, 29)
    summary = ReminderSettings(day_starts=FOUR, summary_weekday=6, summary_at="01:00")
    assert summary_due(at("01:00", sunday + timedelta(days=1)), [], summary) == "summary/2026-11-29"
    assert summary_due(at("01:00", sunday), [], summary) is None  # Saturday's night
    assert summary_due(at("19:00", sunday), [], ReminderSettings(day_starts=FOUR)) == "summary/2026-11-29"


def test_a_snooze_lasts_until_the_end_of_the_logical_day():
    assert snooze_until("1h", at("23:50"), LATE) == at("00:50", FRIDAY)
    assert snooze_until("02:00", at("23:50"), LATE) == at("02:00", FRIDAY)
    with pytest.raises(InvalidInput, match="tomorrow"):
        snooze_until("5h", at("23:50"), LATE)  # 04:50: the next day
    with pytest.raises(InvalidInput, match="already passed"):
        snooze_until("evening", at("01:00", FRIDAY), LATE)  # Thursday's evening is over
    with pytest.raises(InvalidInput, match="tomorrow"):
        snooze_until("1h", at("23:50"), ReminderSettings())  # with midnight: as before
    assert not evening_offered(at("01:00", FRIDAY), LATE)
    assert evening_offered(at("01:00", FRIDAY), ReminderSettings())  # Friday's evening, by the calendar


def test_repeats_go_on_past_midnight_until_the_day_ends():
    talk = habit(("23:30",), repeat=30)
    sent = {"h/2026-11-26/23:30": at("23:30").isoformat()}
    history = {"h": build_histories([], [])["h"]}
    late = repeats_due([talk], history, at("00:00", FRIDAY), sent, LATE)
    assert [s.key for s in late.send] == ["h/2026-11-26/23:30/repeat/1"]
    assert repeats_due([talk], history, at("00:00", FRIDAY), sent, ReminderSettings()).send == []
    done = {"h": build_histories([done_on(THURSDAY)], [])["h"]}
    assert repeats_due([talk], done, at("00:00", FRIDAY), sent, LATE).send == []
