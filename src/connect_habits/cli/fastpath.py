"""The everyday commands read without Typer: a strict subset of the command lines the Typer CLI accepts.

`connect done`, `week`, `stats` and `list` run many times a day, and importing typer and click and
building the app would take most of their time. `parse` accepts only the plain forms whose meaning
it is sure of, and says None to anything else (help, `--`, `--opt=value`, a repeated or unknown
option, a missing value or one starting with '-', a number that is not plain ASCII digits or out of
range, an extra argument...): the Typer CLI then runs it, and gives every error message itself.
tests/test_fastpath.py checks these tables against the Typer app's own parameters.
"""

import os
import sys

FLAG = "flag"
TEXT = "text"
MAX_DIGITS = 18  # click reads up to 4300; longer numbers are rare enough to leave to it


def integer(low: int | None = None, high: int | None = None) -> tuple:
    """An int option's kind, with click's IntRange bounds (None: unbounded)."""
    return ("int", low, high)


# Each command: its argument (parameter name and whether it is required, or None), its options
# (what the parameter is called and its kind), the parameters' defaults, and its function in commands.py.
COMMANDS = {
    "done": {
        "argument": ("name", True),
        "options": {"--date": ("day", TEXT), "--minutes": ("minutes", integer()), "-m": ("minutes", integer()),
                    "--note": ("note", TEXT), "--by": ("by", TEXT)},
        "defaults": {"day": "today", "minutes": None, "note": None, "by": None},
        "function": "done",
    },
    "week": {
        "argument": None,
        "options": {"--date": ("day", TEXT), "--json": ("as_json", FLAG), "--weeks": ("weeks", integer(1, 52))},
        "defaults": {"day": "today", "as_json": False, "weeks": 1},
        "function": "week",
    },
    "stats": {
        "argument": ("name", False),
        "options": {"--weeks": ("weeks", integer(1, 520)), "--json": ("as_json", FLAG)},
        "defaults": {"name": None, "weeks": 26, "as_json": False},
        "function": "stats",
    },
    "list": {
        "argument": None,
        "options": {"--json": ("as_json", FLAG)},
        "defaults": {"as_json": False},
        "function": "list_habits",
    },
}

# Set it to any value to send every command through Typer (for tests and for telling the paths apart).
DISABLE_VARIABLE = "CONNECT_NO_FASTPATH"
# click answers shell completion requests itself when this is set (`_<PROG>_COMPLETE`).
COMPLETION_VARIABLE = "_CONNECT_COMPLETE"


def parse(args: list[str]) -> tuple[str, dict] | None:
    """The function (in commands.py) and its keyword arguments for a plain everyday command line, else None."""
    if DISABLE_VARIABLE in os.environ or COMPLETION_VARIABLE in os.environ or sys.platform == "win32":
        return None  # on Windows click expands wildcards in the arguments first
    if not args or args[0] not in COMMANDS:
        return None
    spec = COMMANDS[args[0]]
    options = spec["options"]
    params = dict(spec["defaults"])
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
        if arg not in options:
            return None
        param, kind = options[arg]
        if param in given:
            return None
        given.add(param)
        if kind == FLAG:
            params[param] = True
            continue
        if index == len(rest) or rest[index].startswith("-"):
            return None
        value = rest[index]
        index += 1
        if kind != TEXT:
            value = _number(value, kind)
            if value is None:
                return None
        params[param] = value
    argument = spec["argument"]
    if argument is None:
        if positional:
            return None
    else:
        name, required = argument
        if len(positional) > 1 or (required and not positional):
            return None
        if positional:
            params[name] = positional[0]
    return spec["function"], params


def _number(text: str, kind: tuple) -> int | None:
    """`text` as an int when it is plain ASCII digits within the kind's bounds, else None."""
    _, low, high = kind
    if not text or len(text) > MAX_DIGITS or not all("0" <= ch <= "9" for ch in text):
        return None
    value = int(text)
    if (low is not None and value < low) or (high is not None and value > high):
        return None
    return value
