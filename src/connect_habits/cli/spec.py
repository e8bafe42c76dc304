"""Every command's arguments and options, declared once, beside the function that runs it.

A command module declares its commands with `@command(...)`; both ways of running them are made
from these declarations: the Typer app (app.py: help, completion, every error message) and the
fast path (fastpath.py), which runs the plain command lines of the everyday commands without
importing Typer or click. Nothing here imports either.
"""

from __future__ import annotations

from collections import namedtuple

TEXT = "text"
FLAG = "flag"
MANY = "many"  # a text option that may be given several times (a list)


def integer(low: int | None = None, high: int | None = None) -> tuple:
    """An int option's kind, with its inclusive bounds (None: unbounded)."""
    return ("int", low, high)


class Argument(namedtuple("Argument", "param help required default", defaults=(True, None))):
    """A positional argument: the function's parameter, its help, and whether it must be given."""

    __slots__ = ()


class Option(namedtuple("Option", "flags param kind default help required", defaults=(False,))):
    """An option: its flags ("--minutes", "-m"), the function's parameter, its kind, default and help."""

    __slots__ = ()


class Command(namedtuple("Command", "name function params group fast")):
    """A command: its name, the function that runs it, its parameters, its group (`daemon`, `sync`) and
    whether the fast path may run it."""

    __slots__ = ()

    @property
    def help(self) -> str:
        return (self.function.__doc__ or "").strip()


# Command groups and their help, in the order `connect --help` lists them.
GROUPS = {
    "daemon": "The reminder daemon: install it, check it, test a notification, run it.",
    "sync": "Share one log between your two machines through a synced folder.",
    "partners": "Who the two of you are: list, rename, say whose this device is, merge a ghost.",
    "config": "Settings: week start, quiet hours, grace, weekly summary, notifications, partners.",
}

COMMANDS: list[Command] = []

# Options several commands share.
DATE = Option(("--date",), "day", TEXT, "today", "YYYY-MM-DD, today or yesterday.")
JSON = Option(("--json",), "as_json", FLAG, False, "Print JSON for scripts.")
NOTE = Option(("--note",), "note", TEXT, None, "A note to keep with it.")


def command(name: str | None = None, *params, group: str | None = None, fast: bool = False):
    """Declare a command: `@command("done", Argument(...), DATE, ..., fast=True)` above its function.

    In a group, the name "" declares what the group does without a subcommand (`connect partners`).
    """

    def register(function):
        COMMANDS.append(Command(function.__name__ if name is None else name, function, params, group, fast))
        return function

    return register


def find(name: str, group: str | None = None) -> Command | None:
    """The declared command `name` (in `group`), or None."""
    return next((c for c in COMMANDS if c.name == name and c.group == group), None)


def defaults(spec: Command) -> dict:
    """Every parameter of a command with its default value (required ones absent)."""
    return {p.param: p.default for p in spec.params if not getattr(p, "required", False)}
