"""A habit done on given weekdays is scanned by a shorter loop: its streaks and weekday tallies are the general rule's."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from test_summary import BEGIN, RHYTHMS, habit_of, history_marks, records

from connect_habits.core import cadence, stats, streaks
from connect_habits.core.history import build_histories, history_start
from connect_habits.core.streaks import RunState, period_outcomes

PLAIN = [i for i, (rule, goal) in enumerate(RHYTHMS) if rule in ("daily", "mon,wed,fri", "weekends") and goal is None]


def _scans(habit, history, start, today, stop):
    outcomes = list(period_outcomes(habit, history, start, today, 0, stop=stop))
    runs = RunState()
    runs.add_all(outcomes)
    weekdays = stats.weekday_scan(habit, history, start, today, [0] * 7, [0] * 7, stop=stop)
    return outcomes, runs, weekdays


def test_the_plain_rhythms_are_there():
    assert len(PLAIN) == 3 and all(cadence.plain_weekdays(habit_of(i, 0)) is not None for i in PLAIN)


@pytest.mark.parametrize("rhythm", PLAIN, ids=lambda i: RHYTHMS[i][0])
def test_plain_weekdays_scan_as_every_rule_does(monkeypatch, rhythm):
    rng = random.Random(rhythm)
    cases = []
    for created in (0, 3, 200):
        habit = habit_of(rhythm, created)
        history = build_histories(*records(history_marks(rng, 0.7, 460), minutes=False))["h"]
        for today in (BEGIN + timedelta(days=n) for n in (201, 203, 430, 431, 459)):
            for start in (history_start(habit, history), today - timedelta(days=40)):
                for stop in (None, today, today - timedelta(days=9)):
                    cases.append((habit, history, start, today, stop))
    short = [_scans(*case) for case in cases]
    # Every rule asked of every day, as for an interval or a challenge's span:
    for module in (cadence, streaks, stats):
        monkeypatch.setattr(module, "plain_weekdays", lambda habit: None)
    general = [_scans(*case) for case in cases]
    assert short == general
    assert any(runs.best for _, runs, _ in short) and any(o is None for outcomes, _, _ in short for _, o in outcomes)


def test_add_all_is_add_one_by_one():
    rng = random.Random(7)
    outcomes = [(BEGIN + timedelta(days=n), rng.choice([True, True, False, None])) for n in range(400)]
    one_by_one, at_once = RunState(), RunState()
    for period, outcome in outcomes:
        one_by_one.add(period, outcome)
    at_once.add_all(outcomes)
    assert at_once == one_by_one and len(at_once.best) == 5
