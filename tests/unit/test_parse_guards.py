"""The text parsers try a pattern only where its literal words are: they accept and refuse exactly what the
patterns alone would, for stored forms and typed ones alike."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connect_habits.core.model import parse_cadence, parse_date, parse_goal, parse_time
from connect_habits.errors import InvalidInput

TOKENS = ["1", "2", "3", "7", "12", "29", "/", "x", "times", "time", "a", "per", "week", "month", "every", "day",
          "days", "in", "of", "the", "first", "2nd", "last", "third", "sat", "fri", "mon", ",", "other"]  # fmt: skip
NUMBERS = st.integers(0, 400).map(str)
CADENCES = st.one_of(
    st.lists(st.sampled_from(TOKENS), min_size=1, max_size=6).map(" ".join),
    st.tuples(NUMBERS, st.sampled_from(["/", " / ", "x", " x ", " times a ", " time per "]), st.sampled_from(["week", "month"])).map("".join),
    st.tuples(st.sampled_from(["every ", "Every  "]), NUMBERS, st.sampled_from([" day", " days"])).map("".join),
    st.tuples(NUMBERS, st.sampled_from([" in ", " times in ", " time in "]), NUMBERS, st.sampled_from([" day", " days"])).map("".join),
)  # fmt: skip
CADENCE_PATTERNS = [  # what parse_cadence matched before each got its guard, in its order
    r"([0-9]{1,6})\s*(?:/|x|times?\s+(?:a|per))\s*week",
    r"every ([0-9]{1,6}) days?",
    r"([0-9]{1,6})\s*(?:/|x|times?\s+(?:a|per))\s*month",
    r"([0-9]{1,6}) (?:times? )?in ([0-9]{1,6}) days?",
]


def outcome(parse, *args):
    try:
        return str(parse(*args))
    except InvalidInput:
        return None


@settings(max_examples=500, deadline=None)
@given(text=CADENCES)
def test_a_cadence_a_pattern_matches_is_never_called_no_cadence(text):
    spec = " ".join(text.lower().split())
    if any(re.fullmatch(pattern, spec) for pattern in CADENCE_PATTERNS):
        try:
            parse_cadence(text)
        except InvalidInput as error:  # refused for its numbers only
            assert "is not a cadence" not in str(error)


@pytest.mark.parametrize(
    "text, canonical",
    [("3 times a week", "3/week"), ("2x month", "2/month"), ("2 times per month", "2/month"),
     ("2 in 3 days", "2 in 3 days"), ("2 times in 5 days", "2 in 5 days"), ("first sat", "first sat"),
     ("last sun of the month", "last sun"), ("2nd fri", "2nd fri"), ("every 3 days", "every 3 days")],
)  # fmt: skip
def test_every_form_with_a_pattern_still_parses(text, canonical):
    assert str(parse_cadence(text)) == canonical


def time_by_pattern(text: str) -> str | None:
    match = re.fullmatch(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", text.strip())
    return f"{int(match[1]):02d}:{match[2]}" if match else None


@settings(max_examples=600, deadline=None)
@given(
    text=st.text(alphabet="0123456789:: ٣²x", min_size=0, max_size=7)
    | st.from_regex(r"[0-2]?[0-9٣]:[0-9]{2}", fullmatch=True)
)
def test_a_time_is_what_the_pattern_says(text):
    assert outcome(parse_time, text) == time_by_pattern(text)


DATES = st.one_of(
    st.dates(date(1850, 1, 1), date(3100, 12, 31)).map(str),
    st.from_regex(r"[0-9٣]{1,5}-[0-9]{1,2}-[0-9]{1,3}", fullmatch=True),
    st.from_regex(r"[0-9]{1,5} days? ago", fullmatch=True),
)


@settings(max_examples=400, deadline=None)
@given(text=DATES)
def test_a_date_is_what_the_patterns_say(text):
    today = date(2026, 12, 5)
    expected = None
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        try:
            expected = date.fromisoformat(text)
        except ValueError:
            pass
        expected = expected if expected and 1900 <= expected.year <= 2999 else None
    elif ago := re.fullmatch(r"([0-9]{1,4}) days? ago", text):
        expected = today - timedelta(days=int(ago[1]))
        expected = expected if 1900 <= expected.year else None
    assert outcome(parse_date, text, today) == (str(expected) if expected else None)


@pytest.mark.parametrize("text", ["3 pages/day", "2.5 km/week", "30m/day", "1h30m/week", "10h/month", "3 hugs /day"])
def test_goals_with_and_without_a_unit_still_parse(text):
    assert parse_goal(str(parse_goal(text))) == parse_goal(text)
