"""The weekly check-in as a conversation: what is asked, in which order, of whom, and what the answers make.

`Conversation` is a script that yields what to say (`Say`) and what to ask (`Ask`) and is sent each
answer; it fills `record` as it goes. Replaying the answers saved so far brings a new conversation to
the very point where an interrupted one stopped: nothing typed is lost, and nothing is asked twice.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Generator, Sequence

from .rituals import OUTCOMES

STEPS = (
    "Last week's promises: each one made to you, did it happen? (yes, partly, no)",
    "Appreciations: each of you names up to three things you appreciated about the other (empty moves on).",
    "The week: how your habits went, and its best moment.",
    "Something that was hard (optional): one of you says 'I feel… about… I need…', the other says back "
    "what they heard, and the speaker says whether that was right ('skip' skips it).",
    "Next week: each of you says what the other could do to help you feel closer; it becomes their promise.",
    "Close: the check-in is saved, and your weekly check-in habit logged.",
)
MAX_APPRECIATIONS = 3
SKIP_WORDS = ("", "skip", "no", "nothing", "none")
YES_NO = {"y": "yes", "n": "no", "p": "partly"}
# What people type out of habit before the answer a prompt has begun for them ("I feel… I feel tired").
_LEADS = {
    "hard:feel": ("i feel", "i'm feeling", "i am feeling"),
    "hard:about": ("about",),
    "hard:need": ("and i need", "i need"),
    "hard:heard": ("what i heard is", "what i heard was", "i heard"),
}


def said(text: str | None, key: str = "") -> str:
    """An answer as kept: trimmed, without the words its prompt already says, empty for 'skip' and the like."""
    answer = (text or "").strip()
    if answer.casefold() in SKIP_WORDS[1:] and not key.startswith("hard:"):
        return ""
    for lead in _LEADS.get(key.replace(":again", ""), ()):
        if answer.casefold().startswith(lead) and answer[len(lead) : len(lead) + 1] in ("", " ", ",", ":", "…"):
            answer = answer[len(lead) :].lstrip(" ,:…").strip()
            break
    return answer


class Say(namedtuple("Say", "text")):
    """Something to show; it takes no answer."""

    __slots__ = ()


class Refused(Say):
    """The answer just given does not fit the question, which is asked again: that answer is not kept."""

    __slots__ = ()


class Ask(namedtuple("Ask", "key text")):
    """A question to one or both of you; `key` names the step it belongs to."""

    __slots__ = ()


class Conversation:
    """One weekly check-in (`talk_id`) between `persons` (ids, in order), named by `names`; `promises` are
    the open promises of the last check-in, `week_text` the week as `connect week` shows it."""

    def __init__(
        self, talk_id: str, persons: Sequence[str], names: dict[str, str], promises: list[dict], week_text: str
    ):
        self.talk_id = talk_id
        self.persons = list(persons)[:2]
        self.names = names
        self.promises = promises
        self.week_text = week_text
        self.record: dict = {"appreciations": [], "best": "", "hard": [], "promises": [], "outcomes": {}}

    def _name(self, person: str) -> str:
        return self.names.get(person, person)

    def script(self) -> Generator[Say | Ask, str | None, None]:
        """The whole conversation: yields what to say and ask, and is sent each answer (None after a Say)."""
        one, other = self.persons
        a, b = self._name(one), self._name(other)
        yield Say(f"Your weekly check-in, {a} and {b}: about twenty minutes, just the two of you.")
        if self.promises:
            yield Say("First, last week's promises.")
            for promise in self.promises:
                giver, taker = self._name(promise.get("from", "")), self._name(promise.get("to", ""))
                question = f'{taker}, {giver} promised you: "{promise.get("text", "")}". Did it happen? (yes/partly/no)'
                outcome = yield from self._choice(f"promise:{promise.get('id')}", question, OUTCOMES)
                self.record["outcomes"][str(promise.get("id"))] = outcome
        yield Say("Appreciations: what did you value in each other this week?")
        for giver, taker in ((one, other), (other, one)):
            for n in range(1, MAX_APPRECIATIONS + 1):
                more = "something" if n == 1 else "something else"
                text = yield Ask(
                    f"appreciation:{giver}:{n}",
                    f"{self._name(giver)}, {more} you appreciated about {self._name(taker)} this week (empty: move on):",
                )
                appreciation = said(text)
                if not appreciation:
                    break
                self.record["appreciations"].append({"from": giver, "to": taker, "text": appreciation})
        yield Say(self.week_text)
        best = yield Ask("best", "What was the best moment of your week together? (empty: move on)")
        self.record["best"] = said(best)
        yield from self._hard(one, other)
        yield Say("Next week.")
        for asker, answerer in ((one, other), (other, one)):
            text = yield Ask(
                f"wish:{answerer}",
                f"{self._name(answerer)}, {self._name(asker)} asks: what could I do next week that would help you "
                "feel closer? (empty: nothing this time)",
            )
            wish = said(text)
            if wish:
                self.record["promises"].append(
                    {"id": f"{self.talk_id}/{asker}", "from": asker, "to": answerer, "text": wish}
                )
        self.record["finished"] = True

    def _hard(self, one: str, other: str) -> Generator[Say | Ask, str | None, None]:
        names = {self._name(p).casefold(): p for p in (one, other)}
        question = (
            f"Was something hard this week? Who would like to talk about it ({self._name(one)} or "
            f"{self._name(other)}), or 'skip':"
        )
        while True:
            answer = ((yield Ask("hard", question)) or "").strip()
            if answer.casefold() in SKIP_WORDS:
                return
            speaker = names.get(answer.casefold())
            if speaker is not None:
                break
            yield Refused(f"Please answer {self._name(one)}, {self._name(other)} or skip.")
        listener = other if speaker == one else one
        s, li = self._name(speaker), self._name(listener)
        feel = yield Ask("hard:feel", f"{s}: I feel…")
        about = yield Ask("hard:about", f"{s}: …about…")
        need = yield Ask("hard:need", f"{s}: …and I need…")
        yield Say(f"{li}, before you answer: say back what you heard, in your own words.")
        heard = yield Ask("hard:heard", f"{li}: What I heard is…")
        right = yield from self._choice("hard:right", f"{s}, did {li} hear you right? (yes/no)", ("yes", "no"))
        if right == "no":
            yield Say(f"{li}, ask {s} what you missed, then try once more in your own words.")
            heard = yield Ask("hard:heard:again", f"{li}: What I heard is…")
            right = yield from self._choice(
                "hard:right:again", f"{s}, did {li} hear you right this time? (yes/no)", ("yes", "no")
            )
        self.record["hard"].append(
            {
                "speaker": speaker,
                "feel": said(feel, "hard:feel"),
                "about": said(about, "hard:about"),
                "need": said(need, "hard:need"),
                "heard": said(heard, "hard:heard"),
                "heard_right": right == "yes",
            }
        )
        if right == "no":
            yield Say(
                f"Thank you both for trying. {li}, keep asking {s} about it this week: understanding can take time."
            )

    def _choice(self, key: str, question: str, choices: Sequence[str]) -> Generator[Say | Ask, str | None, str]:
        while True:
            answer = ((yield Ask(key, question)) or "").strip().lower()
            answer = YES_NO.get(answer, answer)
            if answer in choices:
                return answer
            yield Refused(f"Please answer {', '.join(choices[:-1])} or {choices[-1]}.")
