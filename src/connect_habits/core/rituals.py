"""Rituals for two, as rules over ritual records: the question of the day and who may see which answer,
messages and thanks between the two desktops, and the promises of the weekly check-in.

Every record is a `Ritual` (core/model.py): `kind` says which, `by` is the partner who said it, `fields`
the rest. Nothing here reads the clock; `today` comes from the caller.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from ..errors import InvalidInput
from .model import Ritual
from .privacy import BEST_PRIVATE, mark

OUTCOMES = ("yes", "partly", "no")
MESSAGE_KINDS = ("message", "thanks")
PARTNER_NOTIFICATIONS = ("all", "messages", "off")


class Question(namedtuple("Question", "id theme text")):
    """One question of the deck: a stable id (`memories-07`), its theme and its text."""

    __slots__ = ()


# ---------------------------------------------------------------- the question of the day


def deck_order(deck: Sequence[Question], seed: str) -> list[Question]:
    """The deck shuffled the couple's way: the same order on both machines, another for another couple."""
    import hashlib

    return sorted(deck, key=lambda q: hashlib.sha256(f"{seed}\n{q.id}".encode()).digest())


def question_of(day: date, deck: Sequence[Question], seed: str) -> Question:
    """The question of `day`: one after another through the shuffled deck, none again before all were asked."""
    if not deck:
        raise InvalidInput("The question deck is empty; reinstall connect.")
    order = deck_order(deck, seed)
    return order[day.toordinal() % len(order)]


def answers_on(rituals: Iterable[Ritual], day: date) -> dict[str, Ritual]:
    """Each partner's answer to the question of `day`: the latest they gave (answering again replaces it)."""
    latest: dict[str, Ritual] = {}
    for ritual in rituals:
        if ritual.kind == "answer" and ritual.day == day and ritual.by is not None:
            known = latest.get(ritual.by)
            if known is None or str(ritual.fields.get("at", "")) >= str(known.fields.get("at", "")):
                latest[ritual.by] = ritual
    return latest


def answer_view(answers: Mapping[str, Ritual], persons: Sequence[str], viewer: str | None, closed: bool = False):
    """For each partner: (answered, text or None). A partner's text shows to the other only once the other
    has answered too; on a laptop both use (`viewer` None) only once both have; a past day (`closed`) shows all."""
    everyone = bool(persons) and all(p in answers for p in persons)
    view = {}
    for person in persons:
        answer = answers.get(person)
        visible = answer is not None and (closed or everyone or person == viewer or (viewer in answers))
        view[person] = (answer is not None, str(answer.fields.get("text", "")) if visible and answer else None)
    return view


def answered_days(rituals: Iterable[Ritual], before: date) -> list[date]:
    """The days before `before` with at least one answer, newest first."""
    return sorted({r.day for r in rituals if r.kind == "answer" and r.day < before}, reverse=True)


# ---------------------------------------------------------------- messages and thanks


def messages_to(rituals: Iterable[Ritual], person: str) -> list[Ritual]:
    """The messages and thanks sent to `person`, newest first."""
    found = [r for r in rituals if r.kind in MESSAGE_KINDS and r.fields.get("to") == person]
    return sorted(found, key=lambda r: str(r.fields.get("at", "")), reverse=True)


def seen_by(rituals: Iterable[Ritual], person: str) -> dict[str, str]:
    """When `person` first saw each message (its id -> an ISO time)."""
    seen: dict[str, str] = {}
    for ritual in rituals:
        if ritual.kind == "seen" and ritual.by == person:
            target, at = str(ritual.fields.get("target", "")), str(ritual.fields.get("at", ""))
            if target not in seen or at < seen[target]:
                seen[target] = at
    return seen


def parse_partner_notifications(text: str) -> str:
    """`partner_notifications`: all, messages or off."""
    value = text.strip().lower()
    if value not in PARTNER_NOTIFICATIONS:
        raise InvalidInput(f"partner_notifications = '{text}' is not one of all, messages or off.")
    return value


# ---------------------------------------------------------------- the weekly check-in


def talks(rituals: Iterable[Ritual]) -> list[Ritual]:
    """Every weekly check-in, newest first; one carried on later is left out for the one that carries it on.

    A check-in carried on is saved under a new id (`continues` the old): two machines carrying on the same
    one before they sync then make two check-ins, and neither loses what was said on it.
    """
    found = [r for r in rituals if r.kind == "talk"]
    carried_on = {str(r.fields.get("continues")) for r in found if r.fields.get("continues")}
    found = [r for r in found if r.id not in carried_on]
    return sorted(found, key=lambda r: (r.day, str(r.fields.get("started", ""))), reverse=True)


def outcomes(rituals: Iterable[Ritual]) -> dict[str, str]:
    """What became of each promise (its id -> yes, partly or no), as later check-ins answered."""
    found: dict[str, str] = {}
    for talk in sorted(talks(rituals), key=lambda r: r.day):
        for promise_id, outcome in dict(talk.fields.get("outcomes") or {}).items():
            if outcome in OUTCOMES:
                found[str(promise_id)] = outcome
    return found


def open_promises(rituals: Iterable[Ritual], before: Ritual | None = None) -> list[dict]:
    """The promises of the last finished check-in (before `before`, when given) not yet answered."""
    rituals = list(rituals)
    answered = outcomes(r for r in rituals if before is None or r.id != before.id)
    earlier = [
        t
        for t in talks(rituals)
        if t.fields.get("finished") and (before is None or (t.id != before.id and t.day <= before.day))
    ]
    if not earlier:
        return []
    return [dict(p) for p in earlier[0].fields.get("promises") or [] if p.get("id") not in answered]


def unfinished_talk(rituals: Iterable[Ritual], week_start: date) -> Ritual | None:
    """A check-in begun this week (from `week_start`) and not finished, to continue."""
    return next((t for t in talks(rituals) if not t.fields.get("finished") and t.day >= week_start), None)


def held_talk(rituals: Iterable[Ritual], week_start: date) -> Ritual | None:
    """The check-in finished this week (from `week_start`), if any."""
    return next((t for t in talks(rituals) if t.fields.get("finished") and t.day >= week_start), None)


def talk_summary(talk: Ritual, answered: Mapping[str, str], name) -> dict:
    """A check-in as `connect checkins --json` gives it; `name` turns a partner's id into their name.

    A private check-in (core/privacy.py) says so, and so does each item whose words are private: on the
    other machine, which never gets them, their texts are empty.
    """
    fields = talk.fields
    return {
        "date": talk.day.isoformat(),
        "minutes": int(fields.get("seconds", 0)) // 60,
        "finished": bool(fields.get("finished")),
        **mark(fields),
        "appreciations": [
            {"from": name(a.get("from")), "to": name(a.get("to")), "text": a.get("text", ""), **mark(a)}
            for a in fields.get("appreciations") or []
        ],
        "best": fields.get("best") or None,
        **({BEST_PRIVATE: True} if fields.get(BEST_PRIVATE) else {}),
        "hard": [
            {
                "speaker": name(h.get("speaker")),
                "feel": h.get("feel", ""),
                "about": h.get("about", ""),
                "need": h.get("need", ""),
                "heard": h.get("heard", ""),
                "heard_right": h.get("heard_right"),
                **mark(h),
            }
            for h in fields.get("hard") or []
        ],
        "promises": [
            {
                "from": name(p.get("from")),
                "to": name(p.get("to")),
                "text": p.get("text", ""),
                "outcome": answered.get(str(p.get("id"))),
                **mark(p),
            }
            for p in fields.get("promises") or []
        ],
    }


# ---------------------------------------------------------------- what reaches the other desktop


class News(namedtuple("News", "key title body message")):
    """One notification of the partner's: a state key (sent once), what it says, and the message it shows."""

    __slots__ = ()


def partner_news(snapshot, now, setting: str, sent: Iterable[str], grace, today=None) -> list[News]:
    """What of the partner's this device shows now: messages and thanks not yet seen here, that the partner
    answered today's question, and (`all`) their check-ins of today; each once. `today`: the day it is
    (core/daystart.py), `now`'s date unless given."""
    me = snapshot.me
    if me is None or setting == "off":
        return []
    already = set(sent)
    names = snapshot.names
    seen = seen_by(snapshot.rituals, me)
    news = []
    for message in reversed(messages_to(snapshot.rituals, me)):
        key = f"message/{message.id}"
        if message.id in seen or key in already or message.by == me:
            continue
        sender = names.get(message.by, message.by or "Your partner")
        title = f"{sender} thanks you" if message.kind == "thanks" else f"From {sender}"
        news.append(News(key, title, str(message.fields.get("text", "")), message.id))
    today = now.date() if today is None else today
    for person, _answer in answers_on(snapshot.rituals, today).items():
        key = f"answered/{today.isoformat()}/{person}"
        if person != me and key not in already:
            body = "Answer it too to see theirs: connect question"
            news.append(News(key, f"{names.get(person, person)} answered today's question", body, None))
    if setting == "all":
        habits = {h.id: h.name for h in snapshot.habits}
        for checkin in snapshot.checkins:
            key = f"activity/{checkin.id}"
            if checkin.day != today or checkin.by in (None, me) or key in already or checkin.habit_id not in habits:
                continue
            logged = _instant(checkin.logged_at, now)
            if logged is not None and now - logged > grace:
                continue  # long past: news only while it is news
            news.append(News(key, f"{names.get(checkin.by, checkin.by)} did {habits[checkin.habit_id]}", "", None))
    return news


def _instant(text: str, now):
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment.replace(tzinfo=now.tzinfo) if moment.tzinfo is None else moment
