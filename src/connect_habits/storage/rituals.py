"""What the ritual commands write inside one store transaction: answers, messages and thanks, what was
seen, a weekly check-in saved as it goes, and the habit a ritual stands for."""

from __future__ import annotations

from datetime import date, datetime

from ..core.habits import who_logs
from ..core.model import Ritual, new_id, parse_note
from ..core.privacy import PRIVATE
from ..errors import ConnectError, InvalidInput
from .actions import DoneOutcome, record_done
from .transaction import Transaction

# The catalog templates whose habit a ritual logs, the first the couple has.
CHECKIN_TEMPLATES = ("weekly-check-in",)
THANKS_TEMPLATES = ("say-thank-you", "appreciation")


def checked_text(text: str, what: str) -> str:
    """Typed text for a ritual: a note's rules, not empty, on one line (so lists and prompts stay readable)."""
    value = " ".join(parse_note(text.replace("\r\n", "\n").replace("\r", "\n"), what).split())
    if not value:
        raise InvalidInput(f"The {what} is empty; say something.")
    return value


def add_answer(
    transaction: Transaction, question_id: str, day: date, by: str, text: str, now: datetime, private: bool = False
) -> Ritual:
    """Keep a partner's answer to the question of `day` (a later one replaces it); `private`: on this machine only."""
    fields = {"question": question_id, "text": text, "at": now.isoformat(timespec="seconds")}
    answer = Ritual(new_id(), "answer", day, by, {**fields, PRIVATE: True} if private else fields)
    transaction.put_ritual(answer)
    return answer


def add_message(transaction: Transaction, kind: str, sender: str, to: str, text: str, now: datetime) -> Ritual:
    """A message or a thank-you from `sender` to `to`, in this device's file for the other desktop to show."""
    message = Ritual(
        new_id(), kind, now.date(), sender, {"to": to, "text": text, "at": now.isoformat(timespec="seconds")}
    )
    transaction.put_ritual(message)
    return message


def mark_seen(transaction: Transaction, ids: list[str], by: str, now: datetime) -> None:
    """Note that `by` has seen these messages (shown on the desktop, or listed by `connect inbox`)."""
    for target in ids:
        transaction.put_ritual(
            Ritual(new_id(), "seen", now.date(), by, {"target": target, "at": now.isoformat(timespec="seconds")})
        )


def log_ritual_habit(
    transaction: Transaction, templates: tuple[str, ...], day: date, now: datetime, by: str | None, source: str
) -> DoneOutcome | None:
    """Log the couple's habit for a ritual (their weekly check-in, their thank-you), if they have one."""
    snapshot = transaction.snapshot
    habit = next(
        (h for t in templates for h in snapshot.habits if not h.archived and h.template == t and not h.measured),
        None,
    )
    if habit is None:
        return None
    try:
        person = who_logs(habit, snapshot.me, by, snapshot.names)
        return record_done(transaction, habit.id, day, now, source=source, by=person)
    except ConnectError:
        return None  # one partner's habit, say: the ritual itself is kept all the same
