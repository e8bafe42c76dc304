"""Private words (core/privacy.py): what a private record shares, what it keeps, and how the two join again."""

from __future__ import annotations

from datetime import date

import pytest

from connect_habits.core.model import Couple, Device, Ritual
from connect_habits.core.privacy import join, kept_on, split, withheld

DAY = date(2026, 12, 5)
TALK = {
    "appreciations": [
        {"from": "p:alex", "to": "p:sam", "text": "the soup"},
        {"from": "p:sam", "to": "p:alex", "text": ""},
    ],
    "best": "the walk",
    "hard": [{"speaker": "p:alex", "feel": "tired", "about": "work", "need": "rest", "heard": "", "heard_right": True}],
    "promises": [{"id": "t/p:alex", "from": "p:alex", "to": "p:sam", "text": "a date"}],
    "outcomes": {"old/p:sam": "yes"},
    "answers": [["appreciation:p:alex:1", "the soup"], ["hard", "Alex"], ["hard:feel", "tired"], ["promise:x", "yes"]],
    "finished": True,
    "private": True,
}


def texts(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in texts(v)]
    return []


@pytest.mark.parametrize(
    "kind, fields, words",
    [
        ("answer", {"question": "q-1", "text": "the sea", "private": True}, {"the sea"}),
        ("talk", TALK, {"the soup", "the walk", "tired", "work", "rest", "a date"}),
        ("answer", {"question": "q-1", "text": "", "private": True}, set()),
    ],
)
def test_the_shared_record_holds_no_word_and_joining_gives_the_record_back(kind, fields, words):
    ritual = Ritual("r1", kind, DAY, "p:alex", fields)
    shared, kept = split(ritual, "dev1")
    assert not words & set(texts(shared.fields))
    assert words <= set(texts(kept))
    assert shared.fields["private"] is True and shared.fields["kept_on"] == "dev1"
    assert bare(join(shared, kept).fields) == bare(fields)  # every word back in its place


MARKS = ("private", "kept_on", "best_private")


def bare(value):
    """A record's fields without the privacy marks."""
    if isinstance(value, dict):
        return {k: bare(v) for k, v in value.items() if k not in MARKS}
    if isinstance(value, list):
        return [bare(v) for v in value]
    return value


def test_the_structure_stays_shared_choices_included():
    shared, _ = split(Ritual("t", "talk", DAY, None, TALK), "dev1")
    fields = shared.fields
    assert [(a["from"], a["to"], a["text"]) for a in fields["appreciations"]] == [
        ("p:alex", "p:sam", ""),
        ("p:sam", "p:alex", ""),
    ]
    assert fields["appreciations"][0]["private"] and "private" not in fields["appreciations"][1]
    assert fields["hard"][0]["speaker"] == "p:alex" and fields["hard"][0]["heard_right"] is True
    assert fields["promises"][0]["id"] == "t/p:alex" and fields["outcomes"] == {"old/p:sam": "yes"}
    assert fields["answers"] == [
        ["appreciation:p:alex:1", ""],
        ["hard", "Alex"],
        ["hard:feel", ""],
        ["promise:x", "yes"],
    ]
    assert fields["best"] == "" and fields["best_private"] is True


def test_splitting_a_shared_record_again_changes_nothing_and_keeps_no_words():
    shared, _ = split(Ritual("t", "talk", DAY, None, TALK), "dev1")
    again, words = split(shared, None)
    assert again == shared and words == {}


@pytest.mark.parametrize(
    "devices, says",
    [
        ([Device("dev1", "p:alex")], "(private, kept on Alex's device)"),
        ([Device("dev1", None)], "(private, kept on the device it was said on)"),
        ([], "(private, kept on the device it was said on)"),
    ],
)
def test_words_kept_elsewhere_say_where(devices, says):
    couple = Couple("c", {"p:alex": "Alex", "p:sam": "Sam"}, {}, devices)
    item = {"text": "", "private": True, "kept_on": "dev1"}
    assert withheld(item, "text") and kept_on(item, couple) == says
    assert not withheld({"text": "here", "private": True}, "text") and not withheld({"text": ""}, "text")
