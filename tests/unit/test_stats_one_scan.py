"""The stats' rates from one scan of the outcomes equal those scanned each on its own; the closing line wraps as textwrap does."""

from __future__ import annotations

import random
import textwrap
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_summary import BEGIN, RHYTHMS, habit_of, history_marks, records

from connect_habits.core.history import build_histories
from connect_habits.core.stats import completion_rate, habit_stats, recent_outcomes, weekly_rates
from connect_habits.core.words import wrap_words


@pytest.mark.parametrize("rhythm", range(len(RHYTHMS)))
def test_rates_from_one_scan_equal_each_rate_scanned_alone(rhythm):
    rng = random.Random(rhythm)
    for created in (0, 200, 420):
        habit = habit_of(rhythm, created)
        history = build_histories(*records(history_marks(rng, 0.7, 460), minutes=habit.measured))["h"]
        for today in (BEGIN + timedelta(days=n) for n in (426, 428, 430, 431)):
            for first_weekday in (0, 6):
                for longest in (12, 52):
                    scanned = recent_outcomes(habit, history, today, longest, first_weekday)
                    for weeks in (4, 12, longest):
                        alone = completion_rate(habit, history, today, weeks, first_weekday)
                        assert completion_rate(habit, history, today, weeks, first_weekday, scanned) == alone
                    alone_weekly = weekly_rates(habit, history, today, 12, first_weekday)
                    assert weekly_rates(habit, history, today, 12, first_weekday, scanned) == alone_weekly
                stats = habit_stats(habit, history, today, 0, first_weekday, (4, 12, 52))
                assert stats.rates == {n: completion_rate(habit, history, today, n, first_weekday) for n in (4, 12, 52)}


@given(
    st.lists(st.text(alphabet="ab-% .\t", min_size=0, max_size=12), min_size=0, max_size=20),
    st.integers(min_value=1, max_value=40),
)
def test_the_closing_line_wraps_as_textwrap_does(words, width):
    text = " ".join(words)
    assert wrap_words(text, width) == textwrap.wrap(text, width)


@pytest.mark.parametrize("width", [1, 5, 8, 20, 40, 73, 100])
def test_the_stats_closing_sentences_wrap_as_textwrap_does(width):
    for text in (
        "Nothing was due yet in the last 12 weeks: your first days count from here.",
        "Together you kept 87% of what you planned over the last 12 weeks.",
        "Together you kept –% of what you planned over the last 12 weeks.",
    ):
        assert wrap_words(text, width) == textwrap.wrap(text, width)
