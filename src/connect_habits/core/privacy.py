"""Private words (`--private`): what of a note, an answer or a check-in stays on the machine it was typed on.

A private record is split in two. The record every device reads keeps its structure: who said something
to whom, how many appreciations, that a promise exists and whether it was kept; each typed text in it is
emptied, and the item that held it is marked `"private": true`. The words go to this machine's private
notes (storage/private.py) under the record's id, and are laid back over the record (`join`) when this
machine shows or exports it. A partner's machine, which never gets the words, shows where they are kept.

A ritual record (an answer, a weekly check-in) says it is private at its top (`"private": true`, and
`"kept_on"`: the device holding the words), and so does each item of it that held words (a promise is
shown on its own, in `connect week`); a check-in's private note leaves no mark at all, its note is just
empty. Pure: records in, records out.
"""

from __future__ import annotations

from collections.abc import Mapping

from .model import Ritual

PRIVATE = "private"  # on a private ritual record, and on each of its items whose text was taken out
KEPT_ON = "kept_on"  # the device whose private notes hold a private record's words
BEST_PRIVATE = "best_private"  # a check-in's best moment was said, privately ("best" is a plain text)

# A check-in's lists and the texts of their items that are typed words (the rest is structure).
_ITEM_TEXTS = {"appreciations": ("text",), "hard": ("feel", "about", "need", "heard"), "promises": ("text",)}
# The check-in's saved answers (core/talk.py keys) that are typed words, not a choice or a name.
_FREE_ANSWERS = ("appreciation:", "best", "hard:feel", "hard:about", "hard:need", "hard:heard", "wish:")
# What a record's words may hold (`split` makes no other): texts, lists of items, and the answers as typed.
WORD_TEXTS, WORD_LISTS = ("text", "best"), tuple(_ITEM_TEXTS)


def is_private(ritual: Ritual) -> bool:
    """Whether a ritual record's words are kept on one machine only."""
    return bool(ritual.fields.get(PRIVATE))


def split(ritual: Ritual, device: str | None) -> tuple[Ritual, dict]:
    """A private ritual record as shared (its texts emptied and marked) and its words (fields to lay back on).

    `device`: the device keeping the words, said in the shared record (None: the record says it already).
    An answer's words are its text; a check-in's, its lists with their texts, the best moment and the
    answers as typed. Splitting a record already split gives it back as it is, with no words.
    """
    fields = dict(ritual.fields)
    words: dict = {}
    if ritual.kind == "answer" and fields.get("text"):
        words["text"], fields["text"] = fields["text"], ""
    elif ritual.kind == "talk":
        for key, texts in _ITEM_TEXTS.items():
            items = [dict(item) for item in fields.get(key) or [] if isinstance(item, Mapping)]
            if any(item.get(text) for item in items for text in texts):
                mark = {PRIVATE: True, **({KEPT_ON: device} if device is not None else {})}
                marked = [{**item, **mark} if any(item.get(t) for t in texts) else item for item in items]
                words[key] = marked
                fields[key] = [{**item, **dict.fromkeys(texts, "")} if item.get(PRIVATE) else item for item in marked]
        if fields.get("best"):
            words["best"], fields["best"] = fields["best"], ""
            words[BEST_PRIVATE] = fields[BEST_PRIVATE] = True
        answers = [list(pair) for pair in fields.get("answers") or [] if isinstance(pair, list) and len(pair) == 2]
        if any(_free(key) and text for key, text in answers):
            words["answers"] = answers
            fields["answers"] = [[key, "" if _free(key) else text] for key, text in answers]
    fields[PRIVATE] = True
    if device is not None:
        fields[KEPT_ON] = device
    return ritual._replace(fields=fields), words


def join(ritual: Ritual, words: Mapping) -> Ritual:
    """A private ritual record with its words laid back on (a record not marked private stays as it is)."""
    if not words or not is_private(ritual):
        return ritual
    return ritual._replace(fields={**ritual.fields, **words})


def _free(key: object) -> bool:
    return isinstance(key, str) and key.startswith(_FREE_ANSWERS)


def withheld(item: Mapping, *texts: str) -> bool:
    """Whether an item's words are private and not on this machine (marked, and every text of it empty)."""
    return bool(item.get(PRIVATE)) and not any(item.get(text) for text in texts)


def keeper(fields: Mapping, couple) -> str:
    """Where a private record's words are kept: `Alex's device`, or `the device it was said on`."""
    devices = couple.devices if couple is not None else []
    partner = next((d.partner for d in devices if d.id == fields.get(KEPT_ON)), None)
    name = couple.names.get(partner) if couple is not None and partner else None
    return f"{name}'s device" if name else "the device it was said on"


def kept_on(fields: Mapping, couple) -> str:
    """What shows in place of words kept on another machine: `(private, kept on Alex's device)`."""
    return f"(private, kept on {keeper(fields, couple)})"


def mark(item: Mapping) -> dict:
    """`{"private": true}` for an item whose words are private (to add to what a command prints), else nothing."""
    return {PRIVATE: True} if item.get(PRIVATE) else {}
