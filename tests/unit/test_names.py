"""Finding the habit a user means, and what an unknown name suggests."""

from __future__ import annotations

from datetime import date

import pytest

from connect_habits.core.model import DAILY, Habit
from connect_habits.core.names import resolve
from connect_habits.errors import AmbiguousHabit, HabitNotFound

HABITS = [
    Habit(id=str(n), name=name, slug=slug, cadence=DAILY, created=date(2026, 11, 1))
    for n, (name, slug) in enumerate(
        [
            ("Evening walk", "evening-walk"),
            ("Tech-free dinner", "tech-free-dinner"),
            ("Ten minutes of real talk", "ten-minutes-of-real-talk"),
        ]
    )
]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("evening walk", "Evening walk"),
        ("EVE", "Evening walk"),
        ("tech-free-dinner", "Tech-free dinner"),
        ("ten", "Ten minutes of real talk"),
    ],
)
def test_a_name_slug_or_unique_prefix_finds_the_habit(query, found):
    assert resolve(HABITS, query).name == found


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("walk", "did you mean 'Evening walk'?"),  # a word of the name, not its beginning
        ("evning", "did you mean 'Evening walk'?"),  # a typo
        ("dinner", "did you mean 'Tech-free dinner'?"),
        ("talk", "did you mean 'Ten minutes of real talk'?"),
        ("gardening", "`connect list` shows them all"),  # like nothing: no guess
    ],
)
def test_an_unknown_name_suggests_the_closest_habit_or_nothing(query, says):
    with pytest.raises(HabitNotFound) as caught:
        resolve(HABITS, query)
    assert says in caught.value.message


def test_a_prefix_of_two_names_is_ambiguous_and_lists_both():
    with pytest.raises(AmbiguousHabit) as caught:
        resolve(HABITS, "te")
    assert "'Tech-free dinner' (tech-free-dinner)" in caught.value.message
    assert "'Ten minutes of real talk' (ten-minutes-of-real-talk)" in caught.value.message
