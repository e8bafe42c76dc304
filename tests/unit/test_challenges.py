"""Challenges: a habit with a start and an end, pinned by tables (pictures: see tests/support/history.py).

Days before the start and after the end are not due (not missed); the result counts the span's due days
(or weeks) met of those it has; reminders stop at the end; a fold gives what the whole history gives.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connect_habits.core.cadence import finished, in_span, is_due
from connect_habits.core.challenges import challenge_result, parse_length, result_text, with_span
from connect_habits.core.folds import fold_point, make_fold, month_start, rules_of
from connect_habits.core.habits import HabitOptions, new_habit
from connect_habits.core.history import build_histories
from connect_habits.core.model import CheckIn, Habit, Skip, parse_cadence
from connect_habits.core.reminders import ReminderSettings, needs_reminder, reminders_due, slots_on, wall_instant
from connect_habits.core.stats import habit_stats, strength
from connect_habits.core.streaks import DONE, MISSED, NOT_DUE, PENDING, SKIPPED, day_status, streak_runs
from connect_habits.core.week import week_summary
from connect_habits.errors import InvalidInput, UsageError
from support.history import START, day, make_habit, make_history

BERLIN = ZoneInfo("Europe/Berlin")


def challenge(cadence="daily", starts=0, ends=None, created=0, goal=None, at=()) -> Habit:
    """A habit of `cadence` created on day `created`, counting from day `starts` to day `ends` (None: no end)."""
    habit = make_habit(cadence, goal=goal, created=created)
    return habit._replace(starts=day(starts), ends=None if ends is None else day(ends), at=tuple(at))


# ---------------------------------------------------------------- the spelling


@pytest.mark.parametrize(
    "text, days",
    [("30d", 30), ("1d", 1), ("30 days", 30), ("1 day", 1), ("4w", 28), ("2 weeks", 14), (" 7D ", 7), ("3660d", 3660)],
)
def test_a_length_is_days_or_weeks(text, days):
    assert parse_length(text) == days


@pytest.mark.parametrize("text", ["0d", "0w", "30", "3x", "-1d", "d", "3661d", "523w", "1.5w", "30 months"])
def test_a_length_that_is_not_one_is_refused(text):
    with pytest.raises(InvalidInput):
        parse_length(text)


CREATED = date(2027, 1, 31)

SPANS = [
    # (starts, until, for) as typed -> (starts, ends) of a habit added on CREATED
    ((None, None, "30d"), (CREATED, date(2027, 3, 1))),  # across the end of a February of 28 days
    (("2028-01-31", None, "30d"), (date(2028, 1, 31), date(2028, 2, 29))),  # a leap year: ends on the leap day
    (("2028-02-01", None, "29d"), (date(2028, 2, 1), date(2028, 2, 29))),
    (("2027-02-01", None, "4w"), (date(2027, 2, 1), date(2027, 2, 28))),
    ((None, None, "1d"), (CREATED, CREATED)),  # a one-day challenge: its first day is its last
    (("2026-12-31", None, "2d"), (date(2026, 12, 31), date(2027, 1, 1))),  # across New Year, started before added
    ((None, "2027-12-31", None), (CREATED, date(2027, 12, 31))),
    (("tomorrow", "2027-02-28", None), (date(2027, 2, 1), date(2027, 2, 28))),
    ((None, "today", None), (CREATED, CREATED)),
    (("2027-03-01", None, None), (date(2027, 3, 1), None)),  # a later start, and no end
    (("today", None, None), (None, None)),  # from the day it was added, open-ended: a plain habit
]


@pytest.mark.parametrize("given_, expected", SPANS)
def test_a_challenges_start_and_end(given_, expected):
    starts, until, length = given_
    habit = new_habit([], "Thanks", HabitOptions(starts=starts, until=until, length=length), CREATED)
    assert (habit.starts, habit.ends) == expected
    assert habit.created == CREATED


@pytest.mark.parametrize(
    "given_, error",
    [
        ((None, "2027-01-30", None), InvalidInput),  # the end before the start
        (("2027-02-10", "2027-02-09", None), InvalidInput),
        ((None, None, "0d"), InvalidInput),
        ((None, "2027-02-01", "30d"), UsageError),  # --for with --until
        (("2027-02-30", None, "3d"), InvalidInput),  # not a real date
        ((None, "3000-01-01", None), InvalidInput),
        (("2999-12-31", None, "2d"), InvalidInput),  # would end past 2999
    ],
)
def test_a_span_that_cannot_be_is_refused_in_one_sentence(given_, error):
    starts, until, length = given_
    with pytest.raises(error) as raised:
        new_habit([], "Thanks", HabitOptions(starts=starts, until=until, length=length), CREATED)
    assert raised.value.message.count(". ") == 0 and raised.value.message.endswith(".")


def test_an_edit_moves_the_end_or_drops_it():
    habit = new_habit([], "Thanks", HabitOptions(length="30d"), CREATED)
    longer = with_span(habit, None, None, "6w", date(2027, 2, 10))
    assert (longer.starts, longer.ends) == (CREATED, CREATED + timedelta(days=41))  # counted from its start
    later = with_span(habit, "2027-02-10", None, None, date(2027, 2, 1))
    assert (later.starts, later.ends) == (date(2027, 2, 10), date(2027, 3, 1))  # the end it had stays
    with pytest.raises(InvalidInput):
        with_span(habit, "2027-03-02", None, None, CREATED)  # a start after the end it has
    dropped = with_span(habit, None, "none", None, CREATED)
    assert (dropped.starts, dropped.ends) == (None, None)  # open-ended again: a plain habit
    dropped = with_span(habit, None, None, "none", CREATED)
    assert (dropped.starts, dropped.ends) == (None, None)


# ---------------------------------------------------------------- which days count

# A daily challenge from day 2 to day 8 (Wed to Tue); created day 0. Statuses on day 12.
DAY_STATUSES = [
    # (picture, statuses of days 0..12 on day 12)
    ("", [NOT_DUE, NOT_DUE, NOT_DUE] + [MISSED] * 6 + [NOT_DUE] * 4),  # the first day, unmet: neutral
    ("xxxxxxxxxxxx", [DONE] * 12 + [NOT_DUE]),  # done outside the span: shown, not counted
    ("..xxsxxxx", [NOT_DUE] * 2 + [DONE] * 2 + [SKIPPED] + [DONE] * 4 + [NOT_DUE] * 4),
]


@pytest.mark.parametrize("picture, statuses", DAY_STATUSES)
def test_days_before_the_start_and_after_the_end_are_not_due(picture, statuses):
    habit, history = challenge(starts=2, ends=8), make_history(picture)
    assert [day_status(habit, history, day(n), day(12)) for n in range(13)] == statuses


def test_the_span_bounds_every_cadence():
    assert [n for n in range(21) if is_due(challenge("mon,wed,fri", 3, 14), day(n))] == [4, 7, 9, 11, 14]
    # every N days is anchored at the start, not at the day it was added
    assert [n for n in range(21) if is_due(challenge("every 3 days", 5, 15, created=0), day(n))] == [5, 8, 11, 14]
    assert not in_span(challenge(starts=3, ends=5), day(6)) and in_span(challenge(starts=3, ends=5), day(5))
    assert finished(challenge(ends=5), day(6)) and not finished(challenge(ends=5), day(5))
    assert not finished(make_habit(), date(2999, 12, 31))


# ---------------------------------------------------------------- the result

RESULTS = [
    # (cadence, starts, ends, picture, today) -> (done, of, finished); days from Monday START
    ("daily", 0, 29, "x" * 27, 40, (27, 30, True)),  # "27 of 30 days"
    ("daily", 0, 29, "x" * 30, 30, (30, 30, True)),
    ("daily", 0, 29, "", 30, (0, 30, True)),  # its first day unmet counts too
    ("daily", 0, 29, "x" * 12, 11, (12, 30, False)),  # running: met so far, of all it has
    ("daily", 0, 29, "x" * 11, 11, (11, 30, False)),  # today open: still ahead
    ("daily", 0, 29, "x" * 10 + "s" * 5, 11, (10, 25, False)),  # skipped days (and those ahead) are in neither
    ("daily", 0, 9, "sSx", 20, (2, 9, True)),  # a skipped day done anyway counts as met
    ("daily", 5, 9, "x" * 20, 20, (5, 5, True)),  # check-ins outside the span do not count
    ("mon,wed,fri", 0, 13, "x.x.x..x.x.x", 20, (6, 6, True)),
    ("mon,wed,fri", 0, 13, "x.x.x", 20, (3, 6, True)),
    ("every 3 days", 1, 10, ".x..x..x..x", 12, (4, 4, True)),  # days 1, 4, 7, 10
    ("daily", 10, 19, "", 5, (0, 10, False)),  # not started yet
    # counted by the week: each week the span touches, its target prorated to its days in the span
    ("3/week", 0, 13, "xxx....xxx", 20, (2, 2, True)),
    ("3/week", 0, 13, "xxx....xx", 20, (1, 2, True)),
    ("3/week", 3, 13, "...x...xxx", 20, (1, 2, True)),  # Thu to Sun: 4 days, ceil(3 * 4 / 7) = 2: one is short
    ("3/week", 0, 8, "xxx....x", 20, (2, 2, True)),  # the last week has 2 days: ceil(3 * 2 / 7) = 1
    ("3/week", 0, 8, "xxx.....", 20, (1, 2, True)),
    ("weekly", 0, 27, "x......x", 10, (2, 4, False)),  # the second week met: counted; two ahead
    ("weekly", 0, 27, "x", 10, (1, 4, False)),  # this week open: ahead
    ("weekly", 0, 27, "x" + "s" * 27, 30, (1, 1, True)),  # weeks skipped whole are in neither number
]


@pytest.mark.parametrize("cadence, starts, ends, picture, today, expected", RESULTS)
def test_a_challenges_result(cadence, starts, ends, picture, today, expected):
    habit = challenge(cadence, starts, ends)
    result = challenge_result(habit, make_history(picture), day(today))
    assert (result.done, result.of, result.finished) == expected
    assert result.unit == ("weeks" if habit.week_based else "days")


def test_a_result_in_words():
    assert result_text(challenge_result(challenge(ends=29), make_history("x" * 27), day(30))) == "27 of 30 days"
    assert result_text(challenge_result(challenge(ends=29), make_history("x" * 3), day(3))) == "3 of 30 days so far"
    assert result_text(challenge_result(challenge(ends=0), make_history("x"), day(3))) == "1 of 1 day"
    assert challenge_result(make_habit(), make_history("x"), day(3)) is None


def test_a_daily_minutes_goal_challenge_counts_the_days_the_goal_was_met():
    habit = challenge(goal="30m/day", ends=3)
    assert challenge_result(habit, make_history([30, 10, 45, 0]), day(9))[:2] == (2, 4)


def test_a_leap_day_is_one_of_the_days():
    habit = Habit("h", "H", "h", parse_cadence("daily"), date(2028, 2, 1), starts=date(2028, 2, 28))
    habit = habit._replace(ends=date(2028, 3, 1))
    checkins = [CheckIn(f"c{n}", "h", date(2028, 2, 28) + timedelta(days=n), "") for n in range(3)]
    result = challenge_result(habit, build_histories(checkins, [])["h"], date(2028, 3, 5))
    assert result[:3] == (3, 3, "days")


# ---------------------------------------------------------------- streaks, strength, the week


def test_the_streak_and_the_strength_stop_at_the_end():
    habit, history = challenge(ends=9), make_history("x" * 10)
    runs = streak_runs(habit, history, day(40))
    assert (runs.current.length, runs.longest) == (10, 10)  # the days after the end do not break it
    assert strength(habit, history, day(10)) == strength(habit, history, day(60)) > 0  # kept, not fading


def test_a_later_start_is_neutral_until_then():
    habit = challenge(starts=7, ends=20)
    assert streak_runs(habit, make_history(""), day(6)).current.length == 0
    assert [day_status(habit, make_history(""), day(n), day(9)) for n in (0, 6, 7, 8, 9)] == [
        NOT_DUE,
        NOT_DUE,
        NOT_DUE,  # the first day, unmet
        MISSED,
        PENDING,
    ]


def test_the_week_leaves_a_finished_challenge_out_from_the_week_after_its_end():
    habit = challenge(ends=9)  # a Wednesday
    rows = lambda today: [r.habit.id for r in week_summary([habit], [], [], day(today)).habits]  # noqa: E731
    assert rows(9) == ["h"] and rows(13) == ["h"]  # the week of its last day still shows it
    assert rows(14) == []
    row = week_summary([habit], [], [], day(13)).habits[0]
    assert row.progress.target == 3  # Mon to Wed
    assert [row.days[day(n)] for n in (9, 10, 13)] == [MISSED, NOT_DUE, NOT_DUE]


def test_the_stats_carry_the_result():
    assert habit_stats(challenge(ends=29), make_history("x" * 27), day(40)).result[:2] == (27, 30)
    assert habit_stats(make_habit(), make_history("x"), day(4)).result is None


# ---------------------------------------------------------------- reminders


def test_no_reminder_before_the_start_or_after_the_end():
    habit, history = challenge(starts=3, ends=5, at=["19:00"]), make_history("")
    assert [n for n in range(9) if needs_reminder(habit, history, day(n))] == [3, 4, 5]
    assert [n for n in range(9) if slots_on([habit], day(n), BERLIN)] == [3, 4, 5]
    week = challenge("3/week", starts=0, ends=9, at=["19:00"])  # the second week: Mon to Wed, a target of 2
    assert [n for n in range(7, 14) if needs_reminder(week, make_history(""), day(n))] == [8, 9]
    after = wall_instant(day(6), "19:00", BERLIN)
    assert reminders_due([habit], {"h": history}, after, [], ReminderSettings()).send == []
    assert reminders_due([habit], {"h": history}, after - timedelta(days=1), [], ReminderSettings()).send != []


# ---------------------------------------------------------------- folds


def test_the_span_is_part_of_a_folds_rules():
    plain = make_habit()
    assert rules_of(plain, None, [], 0) == rules_of(plain._replace(), None, [], 0)
    assert rules_of(challenge(ends=9), None, [], 0) != rules_of(challenge(ends=10), None, [], 0)
    assert rules_of(challenge(starts=1, ends=9), None, [], 0) != rules_of(challenge(ends=9), None, [], 0)


BEGIN = START - timedelta(days=400)


@settings(max_examples=150, deadline=None)
@given(
    cadence=st.sampled_from(["daily", "mon,wed,fri", "3/week", "weekly", "every 3 days"]),
    starts=st.integers(0, 420),
    length=st.integers(1, 200),
    seed=st.integers(0, 2**32),
    today_offset=st.integers(300, 480),
    first_weekday=st.sampled_from([0, 6]),
    advance=st.booleans(),
)
def test_a_fold_gives_the_result_the_whole_history_gives(
    cadence, starts, length, seed, today_offset, first_weekday, advance
):
    rng = random.Random(seed)
    habit = Habit("h", "H", "h", parse_cadence(cadence), BEGIN, starts=BEGIN + timedelta(days=starts))
    habit = habit._replace(ends=habit.starts + timedelta(days=length - 1))
    days = [BEGIN + timedelta(days=n) for n in range(500)]
    checkins = [CheckIn(f"c{n}", "h", d, "") for n, d in enumerate(days) if rng.random() < 0.6]
    skips = [Skip(f"s{n}", "h", d) for n, d in enumerate(days) if rng.random() < 0.05]
    today = BEGIN + timedelta(days=today_offset)
    at = fold_point(today) if rng.random() < 0.5 else month_start(today)

    def before(point):
        return build_histories([c for c in checkins if c.day < point], [s for s in skips if s.day < point])["h"]

    if advance and at == month_start(today):  # made from last month's fold, as the store makes it
        older = fold_point(today)
        step = build_histories(
            [c for c in checkins if older <= c.day < at],
            [s for s in skips if older <= s.day < at],
            {("h", None): make_fold(habit, before(older), older, first_weekday)},
            older,
        )["h"]
        fold = make_fold(habit, step, at, first_weekday)
    else:
        fold = make_fold(habit, before(at), at, first_weekday)
    recent = [c for c in checkins if c.day >= at], [s for s in skips if s.day >= at]
    resumed = build_histories(*recent, {("h", None): fold}, at)["h"]
    whole = build_histories(checkins, skips)["h"]
    assert challenge_result(habit, resumed, today, first_weekday) == challenge_result(
        habit, whole, today, first_weekday
    )
    assert streak_runs(habit, resumed, today, first_weekday) == streak_runs(habit, whole, today, first_weekday)
    assert strength(habit, resumed, today) == strength(habit, whole, today)
