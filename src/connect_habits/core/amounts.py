"""What one check-in logs of a measured habit: the amount typed, checked against what the habit counts."""

from __future__ import annotations

import re

from ..errors import InvalidInput
from .model import Habit
from .words import plain_number


def measured_amount(habit: Habit, minutes: int | None, amount: str | None) -> float | None:
    """What `done` logs: minutes for a habit measured in minutes (`--amount` reads as minutes there too), an
    amount for one measured in something else; nothing for a habit that is simply done."""
    measure = habit.measure
    if measure is not None and measure.unit:
        if minutes is not None:
            raise InvalidInput(f"'{habit.name}' counts {measure.unit}; give how many with --amount N.")
        return None if amount is None else parse_amount(amount)
    if measure is None and (minutes is not None or amount is not None):
        what, flag = ("minutes", "--minutes") if minutes is not None else ("an amount", "--amount")
        raise InvalidInput(f"'{habit.name}' is done or not, without {what}; leave out {flag}.")
    given = minutes if minutes is not None else None if amount is None else _whole_minutes(amount)
    return parse_minutes(given) if given is not None else None


def parse_amount(text: str) -> float:
    """An amount typed after --amount: 2, or 2.5 (at most three decimals), more than 0 and at most 100000."""
    if not re.fullmatch(r"[0-9]{1,6}(\.[0-9]{1,3})?", text.strip()) or not 0 < float(text) <= 100_000:
        raise InvalidInput(
            f"'{text}' is not an amount to log; use a number more than 0 and at most 100000, like 3 or 2.5."
        )
    return plain_number(float(text))


def _whole_minutes(text: str) -> int:
    """Minutes typed after --amount for a habit measured in minutes: a whole number."""
    if not text.strip().isdigit():
        raise InvalidInput(f"'{text}' is not a whole number of minutes; use 1 to 1440.")
    return int(text)


def parse_minutes(value: int) -> int:
    """Minutes logged in one check-in: 1 to 1440."""
    if not 1 <= value <= 24 * 60:
        raise InvalidInput(f"{value} is not a number of minutes for one day; use 1 to 1440.")
    return value
