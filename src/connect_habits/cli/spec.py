"""Every command's arguments and options, declared once, beside the function that runs it.

A command module declares its commands with `@command(...)`; both ways of running them are made
from these declarations: the Typer app (app.py: help, completion, every error message) and the
fast path (fastpath.py), which runs the plain command lines of the everyday commands without
importing Typer or click. Nothing here imports either.
"""

from __future__ import annotations

TEXT = "text"
FLAG = "flag"
MANY = "many"  # a text option that may be given several times (a list)


def integer(low: int | None = None, high: int | None = None) -> tuple:
    """An int option's kind, with its inclusive bounds (None: unbounded)."""
    return ("int", low, high)


class Argument:
    """A positional argument: the function's parameter, its help, and whether it must be given."""

    __slots__ = ("param", "help", "required", "default")

    def __init__(self, param: str, help: str, required: bool = True, default: object = None):
        self.param, self.help, self.required, self.default = param, help, required, default


class Option:
    """An option: its flags ("--minutes", "-m"), the function's parameter, its kind, default and help."""

    __slots__ = ("flags", "param", "kind", "default", "help", "required")

    def __init__(self, flags: tuple, param: str, kind, default: object, help: str, required: bool = False):
        self.flags, self.param, self.kind, self.default, self.help = flags, param, kind, default, help
        self.required = required

    def with_help(self, help: str) -> Option:
        """The same option, explained otherwise (for a command where it means a little more)."""
        return Option(self.flags, self.param, self.kind, self.default, help, self.required)


class Command:
    """A command: its name, the function that runs it, its parameters, its group (`daemon`, `sync`) and
    whether the fast path may run it."""

    __slots__ = ("name", "function", "params", "group", "fast")

    def __init__(self, name: str, function, params: tuple, group: str | None, fast: bool):
        self.name, self.function, self.params, self.group, self.fast = name, function, params, group, fast

    def with_function(self, function) -> Command:
        """The same declaration, run by another function (tests put a spy in its place)."""
        return Command(self.name, function, self.params, self.group, self.fast)


# Command groups and their help, in the order `connect --help` lists them.
GROUPS = {
    "daemon": "The reminder daemon: install it, check it, test a notification, run it.",
    "sync": "Share one log between your two machines through a synced folder.",
    "partners": "Who the two of you are: list, rename, say whose this device is, merge a ghost.",
    "config": "Settings: week start, day start, quiet hours, grace, weekly summary, notifications, partners.",
    "completion": "Complete commands, options and habit names in bash, zsh or fish.",
}

COMMANDS: list[Command] = []

# Options several commands share.
DATE = Option(
    ("--date",),
    "day",
    TEXT,
    "today",
    "YYYY-MM-DD, today, yesterday, a weekday (wed: the last one), N days ago; last (a week ago).",
)
JSON = Option(("--json",), "as_json", FLAG, False, "Print JSON for scripts.")
NOTE = Option(("--note",), "note", TEXT, None, "A note to keep with it.")
PRIVATE = Option(
    ("--private",), "private", FLAG, False, "Keep the words on this machine only: never in the shared folder."
)


def command(name: str | None = None, *params, group: str | None = None, fast: bool = False):
    """Declare a command: `@command("done", Argument(...), DATE, ..., fast=True)` above its function.

    In a group, the name "" declares what the group does without a subcommand (`connect partners`).
    """

    def register(function):
        COMMANDS.append(Command(function.__name__ if name is None else name, function, params, group, fast))
        return function

    return register


def defaults(spec: Command) -> dict:
    """Every parameter of a command with its default value (required ones absent)."""
    return {p.param: p.default for p in spec.params if not getattr(p, "required", False)}
