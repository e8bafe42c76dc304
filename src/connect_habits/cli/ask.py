"""`connect ask`: one question per habit still open on a day, answered in one go (harsh's `ask` is the model).

Each answer is saved as it is given, so Ctrl-C or the end of input keeps what was answered. On a terminal
it asks with a prompt; from a pipe it reads one answer per line, in the order of the questions.
"""

from __future__ import annotations

import sys
from collections import namedtuple

from .. import clock
from ..errors import ConnectError, InvalidInput
from .context import Context
from .output import echo, read_line
from .spec import DATE, command

HELP_LINE = (
    "y: done (y: a note), n: not (it stays open), s: skip the day (s: why), a number: minutes or how many; empty: n."
)


class Reply(namedtuple("Reply", "action minutes note")):
    """What one answer asks for: "done", "skip" or "leave", with minutes and a note where given."""

    __slots__ = ()


def parse_reply(text: str, in_minutes: bool) -> Reply:
    """One answer to `ask`: y, n, s, a number of minutes, each with an optional `: note`."""
    head, _, rest = text.partition(":")
    word = head.strip().casefold()
    note = rest.strip() or None
    if word in ("", "n", "no"):
        return Reply("leave", None, None)
    if word in ("y", "yes"):
        if in_minutes:
            raise InvalidInput("This one is measured: answer with a number (minutes, or how many).")
        return Reply("done", None, note)
    if word in ("s", "skip"):
        return Reply("skip", None, note)
    if word.isdigit() and word.isascii():
        if not in_minutes:
            return Reply("done", None, note)  # a count for a habit done once a day: done
        if int(word) == 0:
            return Reply("leave", None, None)
        return Reply("done", int(word), note)
    raise InvalidInput(f"'{head.strip()}' is not an answer here: {HELP_LINE}")


@command("ask", DATE)
def ask(day: str) -> int | None:
    """One question per habit still open today (or on --date): y, n, s(kip), minutes, with an optional note."""
    from ..core.cadence import week_start
    from ..core.habits import who_logs
    from ..core.model import parse_date
    from ..core.week import measure_unit
    from ..core.words import clean, row_label, short_date
    from ..storage.actions import record_done, record_skips
    from .today import open_on

    ctx = Context.from_environment()
    now = clock.now()
    today = ctx.today(now)
    when = parse_date(day, today)
    if when > today:
        raise InvalidInput(f"{when.isoformat()} is in the future; the round is for a day that has begun.")
    rows, names = open_on(ctx, when, today)
    label = short_date(when, today)
    if not rows:
        echo(f"Nothing open {label}: every habit due was done or skipped.")
        return None
    echo(f"{len(rows)} open {label}. {HELP_LINE}")
    counts = {"done": 0, "skip": 0, "leave": 0}
    try:
        for row in rows:
            habit = row.habit
            unit = measure_unit(habit) if habit.measured else ""
            question = f"{clean(row_label(row, names))}{f' ({unit})' if unit else ''}?"
            while True:
                text = _read(question)
                try:
                    reply = parse_reply(text, habit.measured)
                    if reply.action != "leave":
                        with ctx.transaction(since=min(when, week_start(today, ctx.config.first_weekday))) as tx:
                            if reply.action == "done":
                                person = row.person or who_logs(habit, tx.snapshot.me, None, tx.snapshot.names)
                                record_done(tx, habit.id, when, now, reply.minutes, reply.note, "ask", person, today)
                            else:
                                record_skips(tx, habit.id, [when], reply.note)
                    break
                except ConnectError as error:
                    echo(error.message, err=True)  # asked again
            counts[reply.action] += 1
    except (EOFError, KeyboardInterrupt) as stop:
        counts["leave"] = len(rows) - counts["done"] - counts["skip"]  # the unanswered stay open too
        echo(f"\nStopped: {_summary(counts)}; what was answered is saved.", err=True)
        return 130 if isinstance(stop, KeyboardInterrupt) else 1
    echo(_summary(counts).capitalize() + ".")
    return None


def _summary(counts: dict) -> str:
    return f"{counts['done']} done, {counts['skip']} skipped, {counts['leave']} left open"


def _read(prompt: str) -> str:
    """One answer: typed at a prompt on a terminal, else the next line of input."""
    if sys.stdin.isatty():
        return read_line(f"{prompt} ")
    echo(prompt)
    return read_line()
