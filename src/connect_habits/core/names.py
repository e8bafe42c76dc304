"""Finding the habit a user means: exact name or slug, else a unique prefix, else a suggestion."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from ..errors import AmbiguousHabit, HabitNotFound
from .model import Habit, slugify


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def resolve(habits: Sequence[Habit], query: str) -> Habit:
    """The habit `query` names: case-insensitive exact name or slug first, then a unique prefix of either."""
    by_id = [h for h in habits if h.id == query.strip()]
    if by_id:
        return by_id[0]
    wanted = _fold(query)
    wanted_slug = slugify(query)
    by_slug = [h for h in habits if h.slug == query.strip()]
    if len(by_slug) == 1:  # a slug is unique: typed exactly, it is the one meant, whatever another is called
        return by_slug[0]
    exact = [h for h in habits if _fold(h.name) == wanted or h.slug == wanted]
    if len(exact) == 1:
        return exact[0]
    if wanted:
        prefixed = exact or [
            h
            for h in habits
            if _fold(h.name).startswith(wanted) or h.slug.startswith(wanted) or h.slug.startswith(wanted_slug)
        ]
        if len(prefixed) == 1:
            return prefixed[0]
        if prefixed:
            ordered = sorted(prefixed, key=lambda h: (h.name.casefold(), h.slug))
            listing = ", ".join(f"'{h.name}' ({h.slug})" for h in ordered)
            raise AmbiguousHabit(
                f"'{query}' matches more than one habit: {listing}; type more of the name, or the slug."
            )
    raise HabitNotFound(_not_found_message(habits, query), query)


def _not_found_message(habits: Sequence[Habit], query: str) -> str:
    if not habits:
        return f"There is no habit '{query}' (there are no habits yet; add one with `connect add`)."
    wanted = _fold(query)
    renamed = [h for h in habits if any(_fold(old) == wanted or old == slugify(query) for old in h.aka)]
    if len(renamed) == 1:
        habit = renamed[0]
        return f"There is no habit '{query}' any more: it was renamed '{habit.name}' ({habit.slug})."
    closest = max(habits, key=lambda h: _likeness(query, h))
    if _likeness(query, closest) >= 0.6:
        return f"There is no habit '{query}'; did you mean '{closest.name}'?"
    return f"There is no habit '{query}'; `connect list` shows them all."


def _likeness(query: str, habit: Habit) -> float:
    """How close a mistyped query is to a habit's name or slug, to their beginnings (for prefixes), or to a word
    of the name ('walk' for 'Evening walk')."""
    import difflib  # only a name that matches nothing needs it

    wanted = _fold(query)
    name = _fold(habit.name)
    texts = (name, habit.slug, *name.split()[1:])
    scores = [
        difflib.SequenceMatcher(None, wanted, candidate).ratio()
        for text in texts
        for candidate in (text, text[: len(wanted)])
    ]
    return max(scores)


def find_by_name(habits: Sequence[Habit], name: str) -> Habit | None:
    """The habit whose name is `name`, ignoring case, if any."""
    wanted = _fold(name)
    return next((h for h in habits if _fold(h.name) == wanted), None)


def unique_slug(name: str, habits: Sequence[Habit], own_id: str | None = None) -> str:
    """The slug of `name`, with a number added when another habit already has it."""
    base = slugify(name)
    taken = {h.slug for h in habits if h.id != own_id}
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


class Taken:
    """The names and slugs some habits have: another habit gets a name and slug of its own in constant time.

    Importing thousands of habits named alike must not compare each with all the others.
    """

    def __init__(self, habits: Sequence[Habit]):
        self.names = {_fold(h.name) for h in habits}
        self.slugs = {h.slug for h in habits}
        self._next: dict[str, int] = {}

    def free_name(self, name: str, label: str, limit: int) -> str:
        """`name`, or `name (label)`, `name (label 2)`… whichever is free first (`name (2)`… without a label)."""
        if _fold(name) not in self.names:
            return name
        n = self._next.get(_fold(name), 1 if label else 2)
        while True:
            suffix = (f" ({label})" if n == 1 else f" ({label} {n})") if label else f" ({n})"
            candidate = name[: limit - len(suffix)].rstrip() + suffix
            n += 1
            if _fold(candidate) not in self.names:
                self._next[_fold(name)] = n
                return candidate

    def free_slug(self, name: str) -> str:
        """The slug of `name`, with a number added when it is taken."""
        base = slugify(name)
        slug, n = base, self._next.get("slug:" + base, 2)
        if slug in self.slugs:
            while f"{base}-{n}" in self.slugs:
                n += 1
            slug = f"{base}-{n}"
            self._next["slug:" + base] = n + 1
        return slug

    def add(self, habit: Habit) -> None:
        self.names.add(_fold(habit.name))
        self.slugs.add(habit.slug)
