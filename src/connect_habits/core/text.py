"""Text a person typed: a name or a note, checked so that two names that look alike are alike, and a slug."""

from __future__ import annotations

import re
import unicodedata

from ..errors import InvalidInput

NAME_MAX = 80
NOTE_MAX = 2000


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in text)


def _check_encodable(text: str, what: str) -> None:
    # Bytes that are not UTF-8 reach Python as lone surrogates (argv uses surrogateescape).
    if any(unicodedata.category(ch) == "Cs" for ch in text):
        raise InvalidInput(f"The {what} is not valid UTF-8 text.")


# Characters that show as nothing, or turn the rest of a line around: two names that look alike must be alike.
# (The zero-width joiner stays: emoji such as 👩‍❤️‍👨 are made with it.)
BIDI = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
HIDDEN = BIDI | frozenset("\u200b\u200c\u2060\ufeff")


def parse_name(text: str, what: str = "habit name") -> str:
    """A name (a habit's, a partner's): trimmed, 1 to 80 characters, any script or emoji, nothing hidden."""
    _check_encodable(text, what)
    name = unicodedata.normalize("NFC", text).strip()
    if not name:
        raise InvalidInput(f"A {what} cannot be empty.")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"A {what} can be at most {NAME_MAX} characters (this one has {len(name)}).")
    if _has_control_characters(name):
        raise InvalidInput(f"A {what} cannot contain control characters such as tabs or newlines.")
    if not HIDDEN.isdisjoint(name):
        raise InvalidInput(f"A {what} cannot contain invisible or direction-changing characters.")
    return name


def parse_note(text: str | None, what: str = "note") -> str:
    """A free-text note: newlines and tabs are allowed, other control characters are not."""
    if text is None:
        return ""
    _check_encodable(text, what)
    a_what = f"{'An' if what[:1] in 'aeiou' else 'A'} {what}"
    note = unicodedata.normalize("NFC", text).strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"{a_what} can be at most {NOTE_MAX} characters (this one has {len(note)}).")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in note):
        raise InvalidInput(f"{a_what} cannot contain control characters.")
    if not BIDI.isdisjoint(note):
        raise InvalidInput(f"{a_what} cannot contain direction-changing characters.")
    return note


def slugify(name: str) -> str:
    """A lowercase, dash-separated form of a name, for typing it quickly."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    slug = re.sub(r"[^\w]+|_+", "-", folded).strip("-")
    return slug or "habit"
