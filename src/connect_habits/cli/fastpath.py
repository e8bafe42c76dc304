"""The everyday commands read without Typer: a strict subset of the command lines the Typer CLI accepts.

`connect done`, `week`, `log`, `add` and the other commands of FAST_MODULES run many times a day, and
importing typer and click and building the app would take most of their time. `parse` reads a command line against the same
declarations the Typer app is made from (spec.py), but accepts only the plain forms whose meaning
it is sure of, and says None to anything else (help, `--`, `--opt=value`, a repeated or unknown
option, a missing value or one starting with '-', a number that is not plain ASCII digits or out of
range, an extra argument...): the Typer CLI then runs it, and gives every error message itself.
"""

from __future__ import annotations

import os
import sys

from .spec import COMMANDS, FLAG, MANY, TEXT, Argument, Command, defaults

MAX_DIGITS = 18  # click reads up to 4300; longer numbers are rare enough to leave to it

# Set it to any value to send every command through Typer (for tests and for telling the paths apart).
DISABLE_VARIABLE = "CONNECT_NO_FASTPATH"
# click answers shell completion requests itself when this is set (`_<PROG>_COMPLETE`).
COMPLETION_VARIABLE = "_CONNECT_COMPLETE"

# The commands the fast path runs, and the module that declares each: only that one is imported (every
# command module costs a few milliseconds). A test checks this against the `fast=True` declarations.
FAST_MODULES = {
    "done": "everyday",
    "week": "everyday",
    "stats": "everyday",
    "list": "everyday",
    "today": "today",
    "status": "today",
    "undo": "log",
    "skip": "log",
    "unskip": "log",
    "skips": "log",
    "log": "log",
    "add": "habits",
    "edit": "habits",
    "move": "habits",
    "remind": "reminders",
    "question": "rituals",
    "answer": "rituals",
    "send": "rituals",
    "thank": "rituals",
    "inbox": "rituals",
    "checkins": "talk",
    "catalog": "firstrun",
    "export": "transfer",
    "import": "transfer",
}


def parse(args: list[str]) -> tuple[Command, dict] | None:
    """The everyday command and its keyword arguments for a plain command line, else None."""
    if DISABLE_VARIABLE in os.environ or COMPLETION_VARIABLE in os.environ or sys.platform == "win32":
        return None  # on Windows click expands wildcards in the arguments first
    module = FAST_MODULES.get(args[0]) if args else None
    if module is None:
        return None
    # It declares its commands. (`__import__`, not importlib's import_module, so -X importtime shows it.)
    __import__(f"{__package__}.{module}")
    spec = next((c for c in COMMANDS if c.fast and c.group is None and c.name == args[0]), None)
    if spec is None:
        return None
    options = {flag: option for option in spec.params if not isinstance(option, Argument) for flag in option.flags}
    arguments = [p for p in spec.params if isinstance(p, Argument)]
    params = defaults(spec)
    given: set[str] = set()
    positional: list[str] = []
    rest = args[1:]
    index = 0
    while index < len(rest):
        arg = rest[index]
        index += 1
        if not arg.startswith("-"):
            positional.append(arg)
            continue
        option = options.get(arg)
        if option is None or option.param in given or option.kind == MANY:
            return None
        given.add(option.param)
        if option.kind == FLAG:
            params[option.param] = True
            continue
        if index == len(rest) or rest[index].startswith("-"):
            return None
        value: str | int | None = rest[index]
        index += 1
        if option.kind != TEXT:
            value = _number(rest[index - 1], option.kind)
            if value is None:
                return None
        params[option.param] = value
    if len(positional) > len(arguments) or any(a.required for a in arguments[len(positional) :]):
        return None
    if any(o.required and o.param not in given for o in options.values()):
        return None
    params.update((a.param, value) for a, value in zip(arguments, positional))
    return spec, params


def _number(text: str, kind: tuple) -> int | None:
    """`text` as an int when it is plain ASCII digits within the kind's bounds, else None."""
    _, low, high = kind
    if not text or len(text) > MAX_DIGITS or not all("0" <= ch <= "9" for ch in text):
        return None
    value = int(text)
    if (low is not None and value < low) or (high is not None and value > high):
        return None
    return value
