"""Folds: resuming every scan from a fold gives exactly what a scan of the whole history gives."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connect_habits.core.cadence import week_start
from connect_habits.core.folds import fold_point, make_fold, month_start
from connect_habits.core.history import build_histories
from connect_habits.core.model import (
    WEEKLY,
    CheckIn,
    Habit,
    Skip,
    parse_cadence,
    parse_goal,
)
from connect_habits.core.stats import habit_stats, weekly_rates
from connect_habits.core.streaks import streak_runs
from connect_habits.core.week import week_summary
from connect_habits.storage.cache import Cache, fold_of, read_cache, write_cache

RHYTHMS = [
    ("daily", None),
    ("mon,wed,fri", None),
    ("3/week", None),
    ("weekly", None),
    ("every 3 days", None),
    ("every 10 days", None),
    ("daily", "30m/day"),
    (None, "2h/week"),
    ("weekends", None),
    ("2/month", None),
    ("2 in 3 days", None),
    ("1 in 5 days", None),
    ("first sat", None),
    ("last sun", None),
    ("daily", "limit 30m/day"),
    (None, "limit 2h/week"),
    ("daily", "3 compliments/day"),
]
BEGIN = date(2025, 1, 1)


def habit_of(rhythm: int, created: int) -> Habit:
    cadence, goal = RHYTHMS[rhythm]
    limit = goal is not None and goal.startswith("limit ")
    parsed = parse_goal(goal.removeprefix("limit ")) if goal else None
    rule = WEEKLY if parsed and parsed.per == "week" else parse_cadence(cadence)
    created_on = BEGIN + timedelta(days=created)
    if limit:
        return Habit(id="h", name="H", slug="h", cadence=rule, created=created_on, limit=parsed)
    return Habit(id="h", name="H", slug="h", cadence=rule, created=created_on, goal=parsed)


def records(marks: list[int], minutes: bool):
    """Day n of the history: 0 nothing, 1 done, 2 skipped, 3 done twice, 4 done and skipped."""
    checkins, skips = [], []
    for n, mark in enumerate(marks):
        day = BEGIN + timedelta(days=n)
        for k in range({1: 1, 3: 2, 4: 1}.get(mark, 0)):
            checkins.append(
                CheckIn(
                    id=f"c{n}-{k}", habit_id="h", day=day, logged_at="", minutes=(10 + 7 * (n % 5)) if minutes else None
                )
            )
        if mark in (2, 4):
            skips.append(Skip(id=f"s{n}", habit_id="h", day=day))
    return checkins, skips


def history_marks(rng: random.Random, kept: float, days: int) -> list[int]:
    """A history where `kept` of the days are done, with some skips and doubles, in runs like real ones."""
    marks = []
    for _ in range(days):
        roll = rng.random()
        marks.append(1 if roll < kept else 2 if roll < kept + 0.05 else 0)
        if marks[-1] == 1 and rng.random() < 0.05:
            marks[-1] = rng.choice([3, 4])
    return marks


def windowed(habit, checkins, skips, since: date, at: date, first_weekday: int, older: date | None = None):
    """The history a command sees: records from `since` on, and the fold at `at` (made via `older`, if given)."""
    before = [c for c in checkins if c.day < at], [s for s in skips if s.day < at]
    if older is None:
        fold = make_fold(habit, build_histories(*before)["h"], at, first_weekday)
    else:  # advance an older fold by a month, as the store does on the first command of a month
        history = build_histories(
            [c for c in before[0] if c.day >= older],
            [s for s in before[1] if s.day >= older],
            {
                ("h", None): make_fold(
                    habit,
                    build_histories([c for c in checkins if c.day < older], [s for s in skips if s.day < older])["h"],
                    older,
                    first_weekday,
                )
            },
            older,
        )["h"]
        fold = make_fold(habit, history, at, first_weekday)
    recent = [c for c in checkins if c.day >= since], [s for s in skips if s.day >= since]
    return recent, {("h", None): fold}


@settings(max_examples=300, deadline=None)
@given(
    rhythm=st.integers(0, len(RHYTHMS) - 1),
    created=st.integers(0, 300),
    seed=st.integers(0, 2**32),
    kept=st.sampled_from([0.0, 0.05, 0.15, 0.3, 0.7, 0.9, 1.0]),
    today_offset=st.integers(100, 540),
    first_weekday=st.sampled_from([0, 6]),
    earlier=st.integers(0, 3),
    advance=st.booleans(),
)
def test_a_fold_gives_what_the_whole_history_gives(
    rhythm, created, seed, kept, today_offset, first_weekday, earlier, advance
):
    check_fold(rhythm, created, seed, kept, today_offset, first_weekday, earlier, advance)
    check_fold_of_this_month(rhythm, created, seed, kept, today_offset, first_weekday, advance)


def check_fold_of_this_month(rhythm, created, seed, kept, today_offset, first_weekday, advance):
    """Streaks, and the week once it lies in this month, from this month alone and its fold equal the whole history's.

    With `advance`, the fold is made from last month's, as the store makes it.
    """
    habit = habit_of(rhythm, created)
    marks = history_marks(random.Random(seed), kept, 560)
    checkins, skips = records(marks, minutes=habit.measured)
    today = BEGIN + timedelta(days=today_offset)
    at = month_start(today)
    recent, folds = windowed(habit, checkins, skips, at, at, first_weekday, fold_point(today) if advance else None)
    whole = build_histories(checkins, skips)["h"]
    resumed = build_histories(*recent, folds, at)["h"]
    assert streak_runs(habit, resumed, today, first_weekday) == streak_runs(habit, whole, today, first_weekday)
    if week_start(today, first_weekday) >= at:
        this_week = week_summary([habit], checkins, skips, today, first_weekday=first_weekday)
        assert week_summary([habit], *recent, today, first_weekday=first_weekday, folds=folds, since=at) == this_week


@pytest.mark.parametrize("rhythm", range(len(RHYTHMS)))
@pytest.mark.parametrize("kept", [0.05, 0.3, 0.9])
def test_a_fold_gives_what_the_whole_history_gives_for_every_rhythm(rhythm, kept):
    for seed, today_offset in enumerate([400, 431, 455, 517]):
        for first_weekday in (0, 6):
            for advance in (False, True):
                for earlier in (0, 2):
                    check_fold(rhythm, 20, seed, kept, today_offset, first_weekday, earlier, advance)
                check_fold_of_this_month(rhythm, 20, seed, kept, today_offset, first_weekday, advance)
    for today_offset in range(455, 490):  # every day of a month, from its first (whose fold is today's own)
        check_fold_of_this_month(rhythm, 20, 7, kept, today_offset, 0, True)


def check_fold(rhythm, created, seed, kept, today_offset, first_weekday, earlier, advance):
    """Stats and the week, from a fold and the recent months, equal those of the whole history."""
    habit = habit_of(rhythm, created)
    marks = history_marks(random.Random(seed), kept, 560)
    checkins, skips = records(marks, minutes=habit.measured)
    today = BEGIN + timedelta(days=today_offset)
    at = fold_point(today)
    since = (at - timedelta(days=31 * earlier)).replace(day=1)  # stats reads further back than the fold
    older = fold_point(at) if advance else None
    recent, folds = windowed(habit, checkins, skips, since, at, first_weekday, older)

    whole = build_histories(checkins, skips)["h"]
    resumed = build_histories(*recent, folds, since)["h"]
    full = habit_stats(habit, whole, today, 4, first_weekday)
    fast = habit_stats(habit, resumed, today, 4, first_weekday)
    assert fast.streak == full.streak
    assert fast.best_streak == full.best_streak
    assert fast.best_streaks == full.best_streaks
    assert fast.strength == full.strength  # the same operations in the same order: equal, not approximately
    assert fast.weekdays == full.weekdays
    assert fast.calendar == full.calendar
    if since <= today - timedelta(days=7 * 12 + 7):
        assert weekly_rates(habit, resumed, today, 12, first_weekday) == weekly_rates(
            habit, whole, today, 12, first_weekday
        )
    this_week = week_summary([habit], checkins, skips, today, first_weekday=first_weekday)
    from_fold = week_summary([habit], *recent, today, first_weekday=first_weekday, folds=folds, since=since)
    assert from_fold == this_week


@pytest.mark.parametrize(
    "today, expected",
    [
        (date(2026, 11, 26), date(2026, 10, 1)),
        (date(2026, 1, 1), date(2025, 12, 1)),
        (date(2026, 3, 31), date(2026, 2, 1)),
        (date(2024, 3, 1), date(2024, 2, 1)),
    ],
)
def test_the_fold_point_is_the_first_of_last_month(today, expected):
    assert fold_point(today) == expected
    assert month_start(today) == today.replace(day=1)


def test_a_streak_before_the_fold_is_refused_rather_than_guessed():
    habit = habit_of(0, 0)
    checkins, skips = records([1] * 200, minutes=False)
    at = date(2025, 6, 1)
    recent, folds = windowed(habit, checkins, skips, at, at, 0)
    history = build_histories(*recent, folds, at)["h"]
    with pytest.raises(ValueError):
        habit_stats(habit, history, at - timedelta(days=1))


def test_the_cache_file_round_trips_and_a_damaged_one_is_ignored(tmp_path):
    habit = habit_of(2, 0)
    checkins, skips = records([1, 0, 2, 1, 3, 4, 0, 1] * 40, minutes=False)
    at = date(2025, 9, 1)
    fold = make_fold(habit, build_histories(checkins, skips)["h"], at)
    path = tmp_path / "summary.json"
    older = make_fold(habit, build_histories(checkins, skips)["h"], date(2025, 8, 1))
    write_cache(
        path,
        [
            Cache(date(2025, 8, 1), {}, set(), {Cache.key("h", None): ("old rules", older)}, []),
            Cache(at, {"a.json": [1, 2, 3], "b.json": None}, {"h"}, {Cache.key("h", None): ("rules", fold)}, ["w"]),
        ],
    )
    newest, oldest = read_cache(path)  # newest first
    rules, stored = newest.folds[Cache.key("h", None)]
    assert newest.at == at and (rules, fold_of(stored)) == ("rules", fold)
    assert newest.files == {"a.json": [1, 2, 3], "b.json": None} and newest.with_history == {"h"}
    assert newest.warnings == ["w"]
    rules, stored = oldest.folds[Cache.key("h", None)]
    assert oldest.at == date(2025, 8, 1) and (rules, fold_of(stored)) == ("old rules", older)
    path.write_text(
        '{"version": 2, "entries": [{"at": "2025-09-01", "files": {}, "with_history": [], '
        '"folds": {"h/": ["r", {}]}, "warnings": []}]}'
    )
    assert read_cache(path) == []
    path.write_text('{"version": 1, "at": "2025-09-01", "files": {}, "with_history": [], "folds": {}, "warnings": []}')
    assert read_cache(path) == []  # an older connect's cache: made again
    path.write_bytes(b"\x00garbage")
    assert read_cache(path) == []
