"""The weekly check-in at one screen (`connect checkin`), and the ones held before (`connect checkins`).

The conversation itself is core/talk.py; here it meets the terminal. Each answer is saved as it is
given, so Ctrl-C or the end of input keeps everything said, and the next `connect checkin` this week
carries on from there. Without a terminal, answers are read one per line, in the order of the prompts.
"""

from __future__ import annotations

import json
import sys

from .. import clock
from ..core.talk import STEPS
from ..core.words import counted
from ..errors import InvalidInput
from .context import Context
from .output import echo, read_line
from .spec import FLAG, JSON, PRIVATE, Option, command

EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report it
EXIT_END_OF_INPUT = 1
HISTORY_DAYS = 63  # how far back a check-in looks for the last one's promises


@command(
    "checkin",
    Option(("--again",), "again", FLAG, False, "Hold another check-in although this week's is done."),
    PRIVATE.with_help(
        "Keep what you say on this machine only: the shared folder gets who said what to whom, not the words."
    ),
)
def checkin(again: bool, private: bool) -> int | None:
    """The guided weekly check-in, for the two of you at one screen (about 20 minutes)."""
    import time
    from datetime import timedelta

    from ..core.cadence import week_start
    from ..core.model import Ritual, new_id, parse_note
    from ..core.privacy import PRIVATE as MARK
    from ..core.privacy import is_private, keeper, kept_on, withheld
    from ..core.rituals import held_talk, open_promises, unfinished_talk
    from ..core.talk import Ask, Conversation, Refused
    from ..storage.rituals import CHECKIN_TEMPLATES, log_ritual_habit

    ctx = Context.from_environment()
    now = clock.now()
    today = ctx.today(now)
    first = week_start(today, ctx.config.first_weekday)
    snapshot = ctx.load(since=first - timedelta(days=HISTORY_DAYS))
    persons, names = list(snapshot.persons), snapshot.names
    if len(persons) < 2:
        raise InvalidInput("The check-in is for two: name both of you first (connect init --partner A --partner B).")
    talk = unfinished_talk(snapshot.rituals, first)
    if talk is not None and is_private(talk) and talk.id not in ctx.private_notes().notes:
        if not again:  # its words are on the machine it was begun on: it cannot be carried on here
            raise InvalidInput(
                f"This week's check-in was begun with --private on {keeper(talk.fields, snapshot.couple)}, which "
                "keeps its words: carry it on there, or hold a new one here with `connect checkin --again`."
            )
        talk = None
    private = private or (talk is not None and is_private(talk))  # a private check-in stays private
    held = held_talk(snapshot.rituals, first)
    if talk is None and held is not None and not again:
        raise InvalidInput(
            f"You held this week's check-in on {held.day:%A %d %B} (`connect checkins` shows it); "
            "to hold another this week: connect checkin --again."
        )
    continues = None
    if talk is not None:  # carried on under an id of its own (see core/rituals.talks)
        talk_id, day, saved = new_id(), talk.day, [list(a) for a in talk.fields.get("answers") or []]
        continues = talk.id
        started, seconds = str(talk.fields.get("started")), int(talk.fields.get("seconds") or 0)
        echo(
            f"Carrying on with the check-in begun on {day:%A %d %B}: {counted(sum(1 for _, t in saved if str(t).strip()), 'answer')} kept."
        )
    else:
        talk_id, day, saved = new_id(), today, []
        started, seconds = now.isoformat(timespec="seconds"), 0
    week_text = _week_text(snapshot, ctx.config.first_weekday, today)
    promises = [
        {**p, "text": kept_on(p, snapshot.couple)} if withheld(p, "text") else p
        for p in open_promises(snapshot.rituals, talk)
    ]
    conversation = Conversation(talk_id, persons, names, promises, week_text)
    answers = list(saved)
    sitting = time.monotonic()

    def save(finished: bool) -> None:
        fields = {
            **conversation.record,
            "finished": finished,
            "started": started,
            "seconds": seconds + int(time.monotonic() - sitting),
            "answers": answers,
            "rev": len(answers) + (1 if finished else 0),
            **({"continues": continues} if continues else {}),
            **({MARK: True} if private else {}),  # the words go to this machine's private notes (core/privacy.py)
        }
        with ctx.transaction(since=day) as tx:
            tx.put_ritual(Ritual(talk_id, "talk", day, None, fields))
            if finished:
                logged = log_ritual_habit(tx, CHECKIN_TEMPLATES, day, clock.now(), None, "checkin")
                if logged is not None and logged.checkin is not None:
                    echo(f"'{logged.habit.name}' done.")

    script = conversation.script()
    replayed = 0
    try:
        item = next(script)
        while True:
            if not isinstance(item, Ask):
                if replayed >= len(saved):
                    echo(item.text)
                item = script.send(None)
                continue
            if replayed < len(saved):
                reply = str(saved[replayed][1])
                replayed += 1
                item = script.send(reply)
                continue
            reply = _read(item.text)
            try:
                reply = parse_note(reply, "answer")
            except InvalidInput as error:
                echo(error.message, err=True)
                continue  # asked again
            key = item.key
            try:
                item = script.send(reply)
            except StopIteration:
                answers.append([key, reply])  # the last answer: the conversation is over
                raise
            if not isinstance(item, Refused):  # only an answer the conversation took is kept (and replayed)
                answers.append([key, reply])
                save(finished=False)
    except StopIteration:
        pass
    except (EOFError, KeyboardInterrupt) as stop:
        given = sum(1 for _, text in answers if str(text).strip())  # an empty line moved on: it said nothing
        if given:
            kept = f"the {given} answers given so far are saved" if given != 1 else "the answer given so far is saved"
            echo(f"\nStopped before the end: {kept}; `connect checkin` carries on from here this week.", err=True)
        else:
            echo("\nStopped before anything was said; `connect checkin` starts again whenever you like.", err=True)
        if answers and answers != saved:
            save(finished=False)
        return EXIT_INTERRUPTED if isinstance(stop, KeyboardInterrupt) else EXIT_END_OF_INPUT
    save(finished=True)
    promises = conversation.record["promises"]
    echo(f"Saved. {len(promises)} promise{'s' * (len(promises) != 1)} for the week ahead:" if promises else "Saved.")
    for promise in promises:
        echo(f"  {names.get(promise['from'])} to {names.get(promise['to'])}: {promise['text']}")
    if private:
        echo("What you said stays on this machine; the shared folder holds who said something to whom.")
    return None


# `connect checkin --help` lists the steps.
checkin.__doc__ = (checkin.__doc__ or "") + "\n\n" + "\n\n".join(f"{n}. {step}" for n, step in enumerate(STEPS, 1))


def _read(prompt: str) -> str:
    """One answer: from the keyboard with the prompt shown, or the next line of input."""
    echo(prompt)
    return read_line("> " if sys.stdin.isatty() else "")


def _week_text(snapshot, first_weekday: int, today) -> str:
    """The week as `connect week` shows it, for the check-in's third step."""
    from ..core.week import week_summary
    from .output import style
    from .render import EMPTY_WEEK, render_week

    summary = week_summary(
        snapshot.habits,
        snapshot.checkins,
        snapshot.skips,
        today,
        today,
        first_weekday,
        snapshot.persons,
        snapshot.folds,
        snapshot.since,
        snapshot.names,
    )
    if not summary.habits:
        return EMPTY_WEEK
    return render_week(summary, style(), list(snapshot.names.values()), [])


@command("checkins", JSON, fast=True)
def checkins(as_json: bool) -> None:
    """Your past check-ins: appreciations, what was hard, promises and whether they were kept."""
    from ..core.rituals import outcomes, talk_summary, talks

    snapshot = Context.from_environment().load()
    names = snapshot.names

    def name(person: object) -> str | None:
        return names.get(str(person), str(person)) if person is not None else None

    answered = outcomes(snapshot.rituals)
    held = talks(snapshot.rituals)
    items = [talk_summary(t, answered, name) for t in held]
    if as_json:
        echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    if not items:
        echo("No check-ins yet: `connect checkin` guides the two of you through one.")
        return
    from ..core.privacy import kept_on, withheld

    for talk, item in zip(held, items, strict=True):
        elsewhere = kept_on(talk.fields, snapshot.couple)  # in place of private words this machine lacks
        state = "" if item["finished"] else " (not finished)"
        took = f"{item['minutes']} min" if item["minutes"] else "under a minute"
        echo(f"{item['date']} · {took}{state}")
        for a in item["appreciations"]:
            echo(f"  {a['from']} appreciated in {a['to']}: {elsewhere if withheld(a, 'text') else a['text']}")
        if item["best"] or item.get("best_private"):
            echo(f"  Best moment: {item['best'] or elsewhere}")
        for h in item["hard"]:
            right = {True: "heard right", False: "not quite heard yet"}.get(h["heard_right"], "")
            if withheld(h, "feel", "about", "need", "heard"):
                echo(f"  {h['speaker']} shared something hard {elsewhere}" + (f"; {right}." if right else "."))
                continue
            echo(f"  {h['speaker']} felt {h['feel']} about {h['about']}, and needed {h['need']}.")
            if h["heard"]:
                listener = next((n for n in names.values() if n != h["speaker"]), "The other")
                echo(f"    {listener} heard: {h['heard']}" + (f" ({right})" if right else ""))
        for p in item["promises"]:
            kept = {"yes": "kept", "partly": "partly kept", "no": "not kept"}.get(
                p["outcome"], "open till the next check-in"
            )
            echo(f"  {p['from']} promised {p['to']}: {elsewhere if withheld(p, 'text') else p['text']} ({kept})")
