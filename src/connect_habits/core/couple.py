"""The couple: two partners with stable ids and names that can change, and the devices each one uses.

Everything that says who (a check-in's `by`, a habit's `who`, a device's person) holds a partner's id;
names are for people, and only the command line turns one into the other. An id is made from the
name a partner first had ("p:" and the name in lower case), so two machines that meet the same name
before they sync make the same partner, a name typed in another case is the same partner, and an id
stays when the name changes.

The couple is shared data: each device writes changes to it ("couple changes": a key, a value, a
stamp) and every device merges them alike, the later change winning, as habits merge.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

from ..errors import InvalidInput, UsageError
from .model import Couple, Device, parse_name, partner_id  # noqa: F401  (the couple's records live with the others)

MAX_PARTNERS = 2

# Couple change keys.
COUPLE_KEY = "couple"  # the couple's id
PARTNER_KEY = "partner/"  # + partner id: the partner's name, or None once removed
ALIAS_KEY = "alias/"  # + partner id: the partner it was merged into (a ghost made by a typo)
DEVICE_KEY = "device/"  # + device id: "forgotten" for a device that is gone


def find_partner(names: Mapping[str, str], text: str, option: str = "--by") -> str:
    """The partner `text` names (exact name in any case, else a unique prefix); one clear sentence otherwise."""
    if not names:
        raise InvalidInput(f"{option} needs the partners' names first: connect init --partner A --partner B.")
    wanted = unicodedata.normalize("NFC", text).strip().casefold()
    exact = [pid for pid, name in names.items() if name.casefold() == wanted]
    if exact:
        return exact[0]
    prefixed = [pid for pid, name in names.items() if wanted and name.casefold().startswith(wanted)]
    if len(prefixed) == 1:
        return prefixed[0]
    listed = ", ".join(names.values())
    if prefixed:
        raise InvalidInput(f"'{text}' could be {' or '.join(names[p] for p in prefixed)}; say which ({listed}).")
    raise InvalidInput(f"'{text}' is not one of the partners ({listed}).")


def new_partner(names: Mapping[str, str], text: str) -> tuple[str, str]:
    """The id and name of a partner to add: a valid name no other partner has, while the couple has room."""
    name = parse_name(text, "partner's name")
    taken = next((n for n in names.values() if n.casefold() == name.casefold()), None)
    if taken is not None:
        raise InvalidInput(f"'{taken}' is already a partner; names must differ in more than case.")
    if len(names) >= MAX_PARTNERS:
        raise UsageError(f"A couple is two people, and this one has both ({', '.join(names.values())}).")
    pid = partner_id(name)
    return pid, name


def check_partner_names(texts: Iterable[str]) -> list[str]:
    """Names given together (`init --partner A --partner B`): valid, at most two, different in more than case."""
    names = [parse_name(t, "partner's name") for t in texts]
    if len(names) > MAX_PARTNERS:
        raise UsageError("A couple is two people: give --partner at most twice.")
    if len({n.casefold() for n in names}) < len(names):
        raise InvalidInput(f"The partners' names must differ in more than case ({' and '.join(names)}).")
    return names


def renamed(names: Mapping[str, str], old: str, new: str) -> tuple[str, str]:
    """The partner `old` names and its new name, which no other partner may have."""
    pid = find_partner(names, old, "rename")
    name = parse_name(new, "partner's name")
    other = next((p for p, n in names.items() if p != pid and n.casefold() == name.casefold()), None)
    if other is not None:
        raise InvalidInput(f"'{names[other]}' is the other partner's name; choose another.")
    return pid, name
