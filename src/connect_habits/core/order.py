"""The order habits are shown in, and their groups: `connect move` and `--group`.

Each habit has a `position` (an integer; 0 for a habit from before there was an order) and a `group`
("" for none). Habits are shown by position, ties in the order they were created; the habits of a group
together, the groups in the order of their first habit, and the habits without a group before them all.
Positions are plain values of each habit, merged field by field like its name: two partners who move
habits at once never lose one, and the later move of each habit wins.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import InvalidInput
from .model import Habit
from .text import parse_name

NO_GROUP = ("", "none")  # what `--group` takes to take a habit out of its group


def in_order(habits: Sequence[Habit]) -> list[Habit]:
    """`habits` in the order they are shown: ungrouped first, then each group where its first active habit is.

    `habits` come in the order they were created, which breaks ties of position (the sorts are stable).
    """
    ranked = sorted(habits, key=lambda h: h.position)
    first: dict[str, int] = {"": -1}
    for index, habit in enumerate(ranked):
        if not habit.archived:
            first.setdefault(habit.group, index)
    for index, habit in enumerate(ranked):  # a group of archived habits only: after the others
        first.setdefault(habit.group, len(ranked) + index)
    return sorted(ranked, key=lambda h: first[h.group])


def next_position(habits: Sequence[Habit]) -> int:
    """The position of a habit added now: after every other."""
    return max((h.position for h in habits), default=0) + 1


def parse_group(text: str, habits: Sequence[Habit]) -> str:
    """A group's name as `--group` takes it ("" or none: no group); a group's existing spelling in any case."""
    if text.strip().casefold() in NO_GROUP:
        return ""
    group = parse_name(text, "group name")
    return next((h.group for h in habits if h.group.casefold() == group.casefold()), group)


def joined_position(habits: Sequence[Habit], habit: Habit, group: str) -> int:
    """Where `habit` goes when it moves to `group`: last among the habits there, or its place when it has none
    (a habit that leaves its group goes last among the ungrouped)."""
    others = [h.position for h in habits if h.group == group and h.id != habit.id and not h.archived]
    if group == habit.group or not others or habit.position > max(others):
        return habit.position
    return next_position(habits)


def moved(
    habits: Sequence[Habit], habit: Habit, before: Habit | None = None, to: int | None = None
) -> tuple[list[Habit], list[Habit]]:
    """The habits whose position changes when `habit` goes before `before`, or to place `to` (1 is first)
    among the active habits; and the active habits in their new order, which keeps every group together.

    The active habits are numbered 1 to N in their new order; only those whose number changes are changed.
    """
    active = [h for h in in_order(habits) if not h.archived]
    if (before is None) == (to is None):
        raise InvalidInput("Say where it goes: --before OTHER or --to N.")
    if before is not None and before.id == habit.id:
        raise InvalidInput(f"'{habit.name}' cannot go before itself; name another habit.")
    if to is not None and not 1 <= to <= len(active):
        places = "1" if len(active) == 1 else f"1 to {len(active)}"
        raise InvalidInput(f"--to {to} is not a place in the list; there are {len(active)} active habits ({places}).")
    rest = [h for h in active if h.id != habit.id]
    if before is not None:
        index = next(i for i, h in enumerate(rest) if h.id == before.id)
    else:
        index = (to or 1) - 1
    wanted = [*rest[:index], habit, *rest[index:]]
    numbered = in_order([h._replace(position=n) for n, h in enumerate(wanted, start=1)])
    now = {h.id: h.position for h in active}
    renumbered = [h._replace(position=n) for n, h in enumerate(numbered, start=1)]
    return [h for h in renumbered if now[h.id] != h.position], renumbered
