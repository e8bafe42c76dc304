"""The rules of the rituals for two (core/rituals.py, core/talk.py), as tables."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from connect_habits.core.catalog import load_questions
from connect_habits.core.model import CheckIn, Habit, Ritual, Snapshot, parse_cadence
from connect_habits.core.rituals import (
    Question,
    answer_view,
    answers_on,
    open_promises,
    outcomes,
    partner_news,
    question_of,
    talks,
)
from connect_habits.core.talk import Ask, Conversation, Say

DAY = date(2026, 12, 5)
DECK = [Question(f"t-{n:02d}", "t", f"Question {n}?") for n in range(1, 31)]


def test_the_deck_has_at_least_150_questions_in_eight_themes_with_unique_ids():
    deck = load_questions()
    assert len(deck) >= 150
    assert {q.theme for q in deck} == {
        "memories",
        "dreams",
        "appreciation",
        "feelings",
        "values",
        "everyday",
        "play",
        "repair",
    }
    assert len({q.id for q in deck}) == len(deck) and len({q.text.casefold() for q in deck}) == len(deck)
    assert all(q.text.endswith("?") and q.text.isprintable() for q in deck)


def test_a_couple_meets_every_question_once_before_any_comes_again():
    days = [DAY + timedelta(days=n) for n in range(len(DECK))]
    asked = [question_of(day, DECK, "couple-1") for day in days]
    assert sorted(asked) == sorted(DECK)
    assert question_of(DAY + timedelta(days=len(DECK)), DECK, "couple-1") == asked[0]


def test_the_order_is_the_couples_own_and_the_same_on_both_machines():
    ours = [question_of(DAY + timedelta(days=n), DECK, "couple-1") for n in range(10)]
    again = [question_of(DAY + timedelta(days=n), list(reversed(DECK)), "couple-1") for n in range(10)]
    theirs = [question_of(DAY + timedelta(days=n), DECK, "couple-2") for n in range(10)]
    assert ours == again and ours != theirs


def answer(by: str, text: str, at: str, day: date = DAY) -> Ritual:
    return Ritual(f"{by}-{at}", "answer", day, by, {"text": text, "at": at, "question": "t-01"})


@pytest.mark.parametrize(
    "given, viewer, closed, expected",
    [
        ({}, "a", False, {"a": (False, None), "b": (False, None)}),
        ({"a": "A"}, "a", False, {"a": (True, "A"), "b": (False, None)}),  # my own: always
        ({"a": "A"}, "b", False, {"a": (True, None), "b": (False, None)}),  # theirs: not before mine
        ({"a": "A", "b": "B"}, "b", False, {"a": (True, "A"), "b": (True, "B")}),
        ({"a": "A"}, None, False, {"a": (True, None), "b": (False, None)}),  # a shared laptop: once both have
        ({"a": "A", "b": "B"}, None, False, {"a": (True, "A"), "b": (True, "B")}),
        ({"a": "A"}, "b", True, {"a": (True, "A"), "b": (False, None)}),  # a past day shows what there is
    ],
)
def test_an_answer_shows_to_the_other_only_once_they_have_answered(given, viewer, closed, expected):
    answers = {p: answer(p, t, "2026-12-05T10:00:00") for p, t in given.items()}
    assert answer_view(answers, ["a", "b"], viewer, closed) == expected


def test_a_later_answer_replaces_an_earlier_one():
    rituals = [answer("a", "first", "2026-12-05T09:00:00"), answer("a", "second", "2026-12-05T21:00:00")]
    assert answers_on(rituals, DAY)["a"].fields["text"] == "second"
    assert answers_on(rituals, DAY + timedelta(days=1)) == {}


def talk(talk_id: str, day: date, promises=(), answered=None, finished=True) -> Ritual:
    fields = {"finished": finished, "promises": list(promises), "outcomes": answered or {}, "started": day.isoformat()}
    return Ritual(talk_id, "talk", day, None, fields)


def test_open_promises_are_the_last_finished_check_ins_not_yet_answered():
    one = {"id": "t1/a", "from": "a", "to": "b", "text": "cook"}
    two = {"id": "t1/b", "from": "b", "to": "a", "text": "call"}
    first = talk("t1", DAY, [one, two])
    assert open_promises([first]) == [one, two]
    second = talk("t2", DAY + timedelta(days=7), answered={"t1/a": "yes"}, finished=False)
    assert open_promises([first, second], before=second) == [one, two]  # asked again when it carries on
    done = talk("t2", DAY + timedelta(days=7), answered={"t1/a": "yes", "t1/b": "partly"})
    assert outcomes([first, done]) == {"t1/a": "yes", "t1/b": "partly"}
    assert open_promises([first, done]) == []  # the new check-in made none


def drive(conversation: Conversation, answers: list[str]) -> list[str]:
    """Run a conversation with these answers; the texts of what it asked."""
    asked, replies = [], iter(answers)
    script = conversation.script()
    item = next(script)
    try:
        while True:
            if isinstance(item, Ask):
                asked.append(item.text)
                item = script.send(next(replies))
            else:
                assert isinstance(item, Say)
                item = script.send(None)
    except StopIteration:
        return asked


def test_the_conversation_turns_answers_into_appreciations_a_hard_moment_and_promises():
    promise = {"id": "t0/b", "from": "b", "to": "a", "text": "call"}
    conversation = Conversation("t1", ["a", "b"], {"a": "Alex", "b": "Sam"}, [promise], "WEEK")
    asked = drive(
        conversation,
        [
            "sometimes",
            "partly",
            "x1",
            "x2",
            "x3",
            "y1",
            "",
            "walk",
            "sam",
            "sad",
            "it",
            "quiet",
            "heard",
            "no",
            "heard again",
            "no",
            "",
            "hug",
        ],
    )
    assert asked.count("Alex: What I heard is…") == 2  # not heard right: Alex tries once more
    assert "Sam, did Alex hear you right this time? (yes/no)" in asked
    assert asked[0] == 'Alex, Sam promised you: "call". Did it happen? (yes/partly/no)'
    assert asked[1] == asked[0]  # "sometimes" is not an answer: asked again
    record = conversation.record
    assert record["outcomes"] == {"t0/b": "partly"}
    assert [(a["from"], a["text"]) for a in record["appreciations"]] == [
        ("a", "x1"),
        ("a", "x2"),
        ("a", "x3"),
        ("b", "y1"),
    ]
    assert record["hard"] == [
        {"speaker": "b", "feel": "sad", "about": "it", "need": "quiet", "heard": "heard again", "heard_right": False}
    ]
    assert record["promises"] == [{"id": "t1/b", "from": "b", "to": "a", "text": "hug"}]  # Alex asked Sam's… wish
    assert record["finished"] is True


def snapshot_with(rituals, checkins=(), me="p:sam") -> Snapshot:
    habit = Habit(id="h", name="Walk", slug="walk", cadence=parse_cadence("daily"), created=DAY)
    snapshot = Snapshot(habits=[habit], checkins=list(checkins), persons=["p:alex", "p:sam"])
    snapshot.rituals = list(rituals)
    snapshot.me = me
    snapshot.couple = type("C", (), {"names": {"p:alex": "Alex", "p:sam": "Sam"}})()
    return snapshot


NOW = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)
MESSAGE = Ritual("m1", "message", DAY, "p:alex", {"to": "p:sam", "text": "Hi", "at": "2026-12-05T19:00:00"})
THANKS = Ritual("m2", "thanks", DAY, "p:alex", {"to": "p:sam", "text": "for dinner", "at": "2026-12-05T19:30:00"})
SEEN = Ritual("s1", "seen", DAY, "p:sam", {"target": "m1", "at": "2026-12-05T19:05:00"})
THEIR_ANSWER = answer("p:alex", "A", "2026-12-05T18:00:00")
THEIR_WALK = CheckIn("c1", "h", DAY, "2026-12-05T19:50:00", by="p:alex")


@pytest.mark.parametrize(
    "rituals, checkins, setting, me, titles",
    [
        ([MESSAGE, THANKS], [], "messages", "p:sam", ["From Alex", "Alex thanks you"]),
        ([MESSAGE, THANKS, SEEN], [], "messages", "p:sam", ["Alex thanks you"]),  # seen: never again
        ([MESSAGE], [], "messages", "p:alex", []),  # not to me
        ([MESSAGE], [], "off", "p:sam", []),
        ([MESSAGE], [], "messages", None, []),  # a laptop both use: whose desktop is it?
        ([THEIR_ANSWER], [], "messages", "p:sam", ["Alex answered today's question"]),
        ([], [THEIR_WALK], "messages", "p:sam", []),  # check-ins only with "all"
        ([], [THEIR_WALK], "all", "p:sam", ["Alex did Walk"]),
    ],
)
def test_what_of_the_partners_reaches_this_desktop(rituals, checkins, setting, me, titles):
    news = partner_news(snapshot_with(rituals, checkins, me), NOW, setting, (), timedelta(hours=2))
    assert [n.title for n in news] == titles


def test_partner_news_is_shown_once():
    news = partner_news(snapshot_with([MESSAGE]), NOW, "messages", (), timedelta(hours=2))
    assert partner_news(snapshot_with([MESSAGE]), NOW, "messages", [n.key for n in news], timedelta(hours=2)) == []


def test_a_check_in_carried_on_on_two_machines_before_they_sync_keeps_both():
    begun = Ritual("t0", "talk", DAY, None, {"finished": False, "started": "2026-12-05T10:00:00"})
    on_one = Ritual("t1", "talk", DAY, None, {"finished": True, "continues": "t0", "promises": [{"id": "t1/a"}]})
    on_other = Ritual("t2", "talk", DAY, None, {"finished": True, "continues": "t0", "promises": [{"id": "t2/b"}]})
    assert {t.id for t in talks([begun, on_one, on_other])} == {"t1", "t2"}  # the one carried on gives way
    assert [t.id for t in talks([begun])] == ["t0"]
