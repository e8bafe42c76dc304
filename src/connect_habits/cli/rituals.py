"""The rituals for two: `question` and `answer`, `send`, `thank` and `inbox`; the weekly check-in is in talk.py."""

from __future__ import annotations

import json

from .. import clock
from ..errors import ConnectError, InvalidInput
from .context import Context
from .output import echo
from .spec import FLAG, JSON, PRIVATE, TEXT, Argument, Option, command

BY = Option(("--by",), "by", TEXT, None, "Answer for this partner (on a laptop you share).")


def _who(snapshot, by: str | None, what: str) -> str:
    """The partner a ritual is for: --by, else this device's partner; one sentence when nobody can tell."""
    from ..core.couple import find_partner

    names = snapshot.names
    if by is not None:
        person = find_partner(names, by)
        couple = snapshot.couple
        own_device = couple is not None and any(d.partner == person and not d.forgotten for d in couple.devices)
        if snapshot.me is not None and person != snapshot.me and own_device:
            them, me = names.get(person, person), names.get(snapshot.me, snapshot.me)
            raise InvalidInput(
                f"{them} answers on {them}'s own device, and this one is {me}'s: leave out --by "
                f"so nothing of {them}'s is replaced."
            )
        return person
    if snapshot.me is not None:
        return snapshot.me
    if not names:
        raise InvalidInput(
            f"{what} are kept for each of you: name the two of you first (connect init --partner A --partner B)."
        )
    raise InvalidInput(f"Say whose this is with --by ({', '.join(names.values())}), or `connect partners me NAME`.")


def _seed(snapshot) -> str:
    couple = snapshot.couple
    return (couple.id if couple is not None and couple.id else "") or ""


# ---------------------------------------------------------------- the question of the day


@command(
    "question",
    JSON,
    Option(("--history",), "history", FLAG, False, "Past days' questions, with both answers."),
    fast=True,
)
def question(as_json: bool, history: bool) -> None:
    """Today's question, the same on both your machines; your partner's answer shows once you have answered."""
    from ..core.catalog import load_questions
    from ..core.rituals import answer_view, answered_days, answers_on, question_of

    ctx = Context.from_environment()
    today = ctx.today()
    snapshot = ctx.load(since=None if history else today)
    deck = load_questions()
    by_id = {q.id: q for q in deck}
    names = snapshot.names
    persons = list(snapshot.persons)

    def day_view(day, closed: bool) -> dict:
        answers = answers_on(snapshot.rituals, day)
        asked = next((a.fields.get("question") for a in answers.values() if a.fields.get("question")), None)
        chosen = by_id.get(str(asked)) if asked else None
        chosen = chosen or question_of(day, deck, _seed(snapshot))
        people = persons + [p for p in answers if p not in persons]
        view = answer_view(answers, people, snapshot.me, closed)
        return {
            "date": day.isoformat(),
            "question": chosen.text,
            "theme": chosen.theme,
            "answers": {names.get(p, p): _shown(answers.get(p), *seen) for p, seen in view.items()},
        }

    if history:
        days = [day_view(day, True) for day in answered_days(snapshot.rituals, today)]
        if as_json:
            echo(json.dumps(days, ensure_ascii=False, indent=2))
            return
        if not days:
            echo("No answers before today yet.")
        for item in days:
            echo(f"{item['date']} ({item['theme']}): {item['question']}")
            for name, answer in item["answers"].items():
                echo(f"  {name}: {_words(answer, name) if answer['answered'] else '(no answer)'}")
        return
    item = day_view(today, False)
    if as_json:
        echo(json.dumps(item, ensure_ascii=False, indent=2))
        return
    echo(f"Today's question ({item['theme']}):")
    echo(f"  {item['question']}")
    me = names.get(snapshot.me or "")
    for name, answer in item["answers"].items():
        if answer["text"] is not None:
            echo(f"{'You' if name == me else name}: {_words(answer, name)}")
        elif answer["answered"]:
            echo(f"{name} has answered; answer too to see it.")
        else:
            echo("You have not answered yet." if name == me else f"{name} has not answered yet.")
    if not item["answers"]:
        echo('Answer with: connect answer "…"')


def _shown(ritual, answered: bool, text: str | None) -> dict:
    """A partner's answer as `question --json` gives it; a private one says so (its text is empty on the
    other machine, which never gets the words)."""
    from ..core.privacy import is_private

    private = ritual is not None and is_private(ritual)
    return {"answered": answered, "text": text, **({"private": True} if private else {})}


def _words(answer: dict, name: str) -> str:
    """An answer's text as shown: a private one's words kept on the other machine say where they are.

    An answer is given on its partner's own device (or on one both use, which then holds the words).
    """
    return f"(private, kept on {name}'s device)" if answer.get("private") and not answer["text"] else answer["text"]


@command(
    "answer",
    Argument("text", "Your answer to today's question."),
    BY,
    PRIVATE.with_help("Keep your answer's words on this machine only: never in the shared folder."),
    fast=True,
)
def answer(text: str, by: str | None, private: bool) -> None:
    """Answer today's question (again: replaces your answer); then see your partner's, if they have answered."""
    from ..core.catalog import load_questions
    from ..core.rituals import answers_on, question_of
    from ..storage.rituals import add_answer, checked_text

    ctx = Context.from_environment()
    now = clock.now()
    today = ctx.today(now)  # after midnight, before a later day start: still the evening's question
    value = checked_text(text, "answer")
    with ctx.transaction(since=today) as tx:
        snapshot = tx.snapshot
        person = _who(snapshot, by, "Answers")
        chosen = question_of(today, load_questions(), _seed(snapshot))
        add_answer(tx, chosen.id, today, person, value, now, private)
    names = snapshot.names
    echo(f"Saved {names.get(person, 'your')}'s answer to today's question." if by else "Saved your answer.")
    if private:
        echo("Its words stay on this machine.")
    others = {p: a for p, a in answers_on(snapshot.rituals, today).items() if p != person}
    for other in [p for p in snapshot.persons if p != person]:
        given = others.get(other)
        name = names.get(other, other)
        if given is not None:
            shown = _shown(given, True, str(given.fields.get("text", "")))
            echo(f"{name}'s answer: {_words(shown, name)}")
        else:
            echo(f"{name} has not answered yet; you will see their answer once they have.")


# ---------------------------------------------------------------- messages between the two desktops


def _send(kind: str, text: str) -> None:
    from ..storage.rituals import THANKS_TEMPLATES, add_message, checked_text, log_ritual_habit

    ctx = Context.from_environment()
    what = "message" if kind == "message" else "thank-you"
    if not ctx.config.extra.get("sync_folder"):
        raise ConnectError(
            f"A {what} goes to your partner's desktop through the shared folder: set it up first with "
            "`connect sync init FOLDER --me NAME`."
        )
    value = checked_text(text, what)
    now = clock.now()
    today = ctx.today(now)
    with ctx.transaction(since=today) as tx:
        snapshot = tx.snapshot
        me = snapshot.me
        others = [p for p in snapshot.persons if p != me]
        if me is None or not others:
            raise InvalidInput(
                f"A {what} needs to know who sends it and to whom: name both partners (connect partners)."
            )
        add_message(tx, kind, me, others[0], value, now)
        logged = log_ritual_habit(tx, THANKS_TEMPLATES, today, now, me, "thanks") if kind == "thanks" else None
    to = snapshot.names.get(others[0], others[0])
    echo(f"Sent to {to}: it shows on their desktop once the shared folder has synced.")
    if logged is not None and logged.checkin is not None:
        echo(f"'{logged.habit.name}' done today by {snapshot.names.get(me, me)}.")  # as `connect done` says it


@command("send", Argument("text", "What to say."), fast=True)
def send(text: str) -> None:
    """Send your partner a message: it appears on their desktop once the shared folder has synced."""
    _send("message", text)


@command("thank", Argument("text", "What you thank them for."), fast=True)
def thank(text: str) -> None:
    """Thank your partner: it appears on their desktop, and your thank-you habit is logged."""
    _send("thanks", text)


@command("inbox", JSON, fast=True)
def inbox(as_json: bool) -> None:
    """What your partner sent you: messages and thanks, newest first."""
    from ..core.rituals import messages_to, seen_by
    from ..storage.ritualindex import first_ritual_day
    from ..storage.rituals import mark_seen

    ctx = Context.from_environment()
    now = clock.now()
    # From the first month that holds a ritual: the months before hold no message, nor an undo of one.
    first, today = first_ritual_day(ctx.store), ctx.today()
    since = None if isinstance(first, str) else min(first or today, today)
    with ctx.transaction(since=since) as tx:  # one read; what it lists is noted as seen in the same step
        snapshot = tx.snapshot
        me = snapshot.me
        received = messages_to(snapshot.rituals, me) if me is not None else []
        seen = seen_by(snapshot.rituals, me) if me is not None else {}
        unseen = [m.id for m in received if m.id not in seen]
        if unseen and me is not None and not as_json:  # a script's look leaves them new for the person
            mark_seen(tx, unseen, me, now)
    names = snapshot.names
    items = [
        {
            "from": names.get(m.by, m.by),
            "to": names.get(str(m.fields.get("to")), m.fields.get("to")),
            "kind": m.kind,
            "text": m.fields.get("text", ""),
            "sent": m.fields.get("at"),
            "seen": seen.get(m.id),
        }
        for m in received
    ]
    if as_json:
        echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    if not items:
        hint = "" if ctx.config.extra.get("sync_folder") else " (messages need a shared folder: connect sync init)"
        echo(f"Nothing in your inbox yet{hint}.")
        return
    for item in items:
        when = str(item["sent"] or "")[:16].replace("T", " ")
        label = "thanks you" if item["kind"] == "thanks" else "wrote"
        new = "" if item["seen"] else "  (new)"
        echo(f"{when}  {item['from']} {label}: {item['text']}{new}")
