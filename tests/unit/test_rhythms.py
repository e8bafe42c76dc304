"""The rhythms beyond the week: N days a month, N in any M days, and a weekday of the month."""

from __future__ import annotations

from datetime import date

import pytest

from connect_habits.core.cadence import is_due, period_target
from connect_habits.core.history import build_histories
from connect_habits.core.model import CheckIn, Habit, Skip, parse_cadence
from connect_habits.core.reminders import needs_reminder
from connect_habits.core.stats import frequency, rolling_target
from connect_habits.core.streaks import current_streak, day_status
from connect_habits.core.week import habit_week
from connect_habits.errors import InvalidInput
from connect_habits.interop.ics import recurrence


def habit(cadence: str, created: date = date(2024, 1, 1)) -> Habit:
    return Habit(id="h", name="H", slug="h", cadence=parse_cadence(cadence), created=created)


def history(done=(), skipped=()):
    checkins = [CheckIn(id=f"c{d}", habit_id="h", day=d, logged_at="") for d in done]
    return build_histories(checkins, [Skip(id=f"s{d}", habit_id="h", day=d) for d in skipped])["h"]


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.mark.parametrize(
    "text, shown",
    [
        ("2/month", "2/month"),
        ("2 times a month", "2/month"),
        ("2 in 3 days", "2 in 3 days"),
        ("1 in 5 days", "1 in 5 days"),
        ("3 in 3 days", "daily"),  # n in n days is every day, as in Loop
        ("first sat", "first sat"),
        ("1st Saturday", "first sat"),
        ("2nd fri", "2nd fri"),
        ("second friday", "2nd fri"),
        ("last sun", "last sun"),
        ("last sunday of the month", "last sun"),
    ],
)
def test_the_new_rhythms_read_as_typed_and_show_one_way(text, shown):
    assert str(parse_cadence(text)) == shown


@pytest.mark.parametrize("text", ["0/month", "29/month", "4 in 3 days", "0 in 3 days", "5th sat", "first funday"])
def test_rhythms_that_cannot_be_kept_are_refused(text):
    with pytest.raises(InvalidInput):
        parse_cadence(text)


# ---------------------------------------------------------------- a weekday of the month


@pytest.mark.parametrize(
    "cadence, day, due",
    [
        ("first sat", "2026-12-05", True),
        ("first sat", "2026-12-12", False),
        ("first sat", "2026-11-07", True),
        ("2nd fri", "2026-11-13", True),
        ("2nd fri", "2026-11-06", False),
        ("last sun", "2026-11-29", True),  # November 2026 has 5 Sundays: the 29th is the last
        ("last sun", "2026-11-22", False),
        ("last sun", "2027-02-28", True),  # February 2027: the 28th
        ("last sun", "2024-02-25", True),  # a leap February whose 29th is a Thursday
        ("last sun", "2024-02-18", False),
        ("last sat", "2026-01-31", True),
        ("2nd fri", "2026-11-14", False),  # a Saturday
    ],
)
def test_a_weekday_of_the_month_is_due_on_that_day_only(cadence, day, due):
    assert is_due(habit(cadence), d(day)) is due


def test_a_weekday_of_the_month_is_missed_on_its_day_only_and_streaks_over_months():
    h = habit("first sat", created=d("2026-08-01"))
    done = [d("2026-09-05"), d("2026-10-03"), d("2026-11-07")]
    today = d("2026-12-01")
    assert day_status(h, history(done), d("2026-08-01"), today) == "not_due"  # the day it was added, not done
    assert day_status(h, history(done), d("2026-10-10"), today) == "not_due"
    assert current_streak(h, history(done), today) == 3
    assert current_streak(h, history(done[1:]), today) == 2  # September missed


# ---------------------------------------------------------------- N days a month


@pytest.mark.parametrize(
    "month_start, skipped_days, target",
    [
        ("2026-11-01", 0, 2),
        ("2026-02-01", 14, 1),  # half of February skipped: 2 × 14/28, rounded up
        ("2024-02-01", 0, 2),
        ("2026-12-01", 31, 0),
    ],
)
def test_a_months_target_is_prorated_to_its_unskipped_days(month_start, skipped_days, target):
    length = {"2026-11": 30, "2026-02": 28, "2024-02": 29, "2026-12": 31}[month_start[:7]]
    assert period_target(habit("2/month"), d(month_start), length - skipped_days) == target


@pytest.mark.parametrize(
    "done, today, streak",
    [
        (["2026-09-04", "2026-09-20", "2026-10-02", "2026-10-30", "2026-11-11", "2026-11-12"], "2026-12-03", 3),
        (["2026-09-04", "2026-09-20", "2026-10-02", "2026-11-11", "2026-11-12"], "2026-12-03", 1),  # October: 1
        (["2026-11-11", "2026-11-12", "2026-12-01", "2026-12-02"], "2026-12-03", 2),  # December met early
        (["2026-11-11", "2026-11-12"], "2026-12-31", 1),  # December not over, not met yet: neutral
        (["2026-11-11", "2026-11-12"], "2027-01-01", 0),  # December over: broken
    ],
)
def test_two_a_month_streaks_in_months(done, today, streak):
    h = habit("2/month", created=d("2026-08-15"))
    assert current_streak(h, history([d(x) for x in done]), d(today)) == streak


def test_a_month_is_missed_only_once_it_is_over():
    h = habit("2/month", created=d("2026-08-15"))
    one = history([d("2026-10-02")])
    assert day_status(h, one, d("2026-10-20"), d("2026-10-31")) == "not_due"
    assert day_status(h, one, d("2026-10-20"), d("2026-11-01")) == "missed"


@pytest.mark.parametrize(
    "done, day, reminded",
    [
        ([], "2026-11-28", False),  # 3 days left, 2 needed
        ([], "2026-11-29", True),  # 2 days left, 2 needed
        (["2026-11-03"], "2026-11-29", False),
        (["2026-11-03"], "2026-11-30", True),  # the month's last day
        (["2026-11-03", "2026-11-20"], "2026-11-30", False),
    ],
)
def test_a_month_is_reminded_once_it_can_no_longer_be_met_without_that_day(done, day, reminded):
    assert needs_reminder(habit("2/month"), history([d(x) for x in done]), d(day)) is reminded


def test_the_week_view_shows_the_months_progress_in_months():
    h = habit("2/month", created=d("2026-08-15"))
    row = habit_week(h, history([d("2026-11-02"), d("2026-11-24")]), d("2026-11-26"), d("2026-11-26"), 6)
    assert (row.progress.done, row.progress.target, row.streak_unit) == (2, 2, "months")


# ---------------------------------------------------------------- N in any M days


@pytest.mark.parametrize(
    "done, skipped, day, status",
    [
        (["2026-11-24", "2026-11-25"], [], "2026-11-26", "not_due"),  # today: the window is kept without it
        (["2026-11-25"], [], "2026-11-26", "pending"),  # today: one more is needed
        (["2026-11-23"], [], "2026-11-25", "missed"),  # 23–25 holds one: short of two
        (["2026-11-23", "2026-11-24"], [], "2026-11-25", "not_due"),  # 23–25 holds two: kept without the 25th
        (["2026-11-23", "2026-11-24"], [], "2026-11-24", "done"),
        (["2026-11-22"], ["2026-11-23", "2026-11-24"], "2026-11-25", "missed"),
        (["2026-11-21", "2026-11-22"], ["2026-11-23", "2026-11-24"], "2026-11-25", "not_due"),  # skips stretch it
        ([], [], "2026-11-02", "not_due"),  # the habit's first days: no whole window yet
    ],
)
def test_a_rolling_window_is_missed_when_the_window_ending_that_day_falls_short(done, skipped, day, status):
    h = habit("2 in 3 days", created=d("2026-11-01"))
    got = day_status(h, history([d(x) for x in done], [d(x) for x in skipped]), d(day), d("2026-11-26"))
    assert got == status


def test_a_rolling_streak_counts_the_days_whose_window_held_enough():
    h = habit("2 in 3 days", created=d("2026-11-01"))
    done = [d("2026-11-20"), d("2026-11-21"), d("2026-11-23"), d("2026-11-24"), d("2026-11-26")]
    # 21: {20,21} ✓ 22: {20,21} ✓ 23: {21,23} ✓ 24 ✓ 25: {23,24} ✓ 26 ✓; 19: {…} ✗
    assert current_streak(h, history(done), d("2026-11-26")) == 6


@pytest.mark.parametrize(
    "done, reminded",
    [([], True), (["2026-11-25"], True), (["2026-11-24", "2026-11-25"], False), (["2026-11-26"], False)],
)
def test_a_rolling_window_is_reminded_when_it_falls_short_without_today(done, reminded):
    h = habit("2 in 3 days", created=d("2026-11-01"))
    assert needs_reminder(h, history([d(x) for x in done]), d("2026-11-26")) is reminded


# ---------------------------------------------------------------- strength and the calendar


@pytest.mark.parametrize(
    "cadence, f, window",
    [("2/month", 2 / 30, (60, 4)), ("2 in 3 days", 2 / 3, (6, 4)), ("first sat", 1 / 30, (60, 2))],
)
def test_the_new_rhythms_frequency_and_strength_window_follow_loop(cadence, f, window):
    assert frequency(habit(cadence)) == pytest.approx(f)
    assert rolling_target(habit(cadence)) == window


@pytest.mark.parametrize(
    "cadence, rule",
    [
        ("first sat", {"FREQ": "MONTHLY", "BYDAY": ["1SA"]}),
        ("last sun", {"FREQ": "MONTHLY", "BYDAY": ["-1SU"]}),
        ("2 in 3 days", {"FREQ": "DAILY", "INTERVAL": 1}),
        ("1 in 5 days", {"FREQ": "DAILY", "INTERVAL": 5}),
        ("2/month", {"FREQ": "DAILY"}),
    ],
)
def test_each_new_rhythm_is_exported_as_the_closest_calendar_recurrence(cadence, rule):
    assert recurrence(habit(cadence)) == rule


def test_sunday_start_weeks_do_not_move_a_months_days():
    h = habit("2/month", created=d("2026-08-15"))
    done = history([d("2026-11-01"), d("2026-11-30")])
    assert current_streak(h, done, d("2026-12-01"), first_weekday=6) == current_streak(h, done, d("2026-12-01")) == 1


def test_the_days_of_every_month_are_calendars():
    import calendar

    from connect_habits.core.cadence import days_in_month

    for year in (1, 1900, 2000, 2024, 2026, 2100, 9999):
        for month in range(1, 13):
            assert days_in_month(year, month) == calendar.monthrange(year, month)[1]
