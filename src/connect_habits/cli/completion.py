"""Shell completion: `connect completion show|install [bash|zsh|fish]`, and the answers to the shell's requests.

A request (`_CONNECT_COMPLETE=words`, the command line in COMP_WORDS and the word's index in COMP_CWORD)
is answered before Typer is imported, since it runs on every Tab: commands and groups, a command's
options, habit slugs and names where a habit is expected, template ids, partners' names after --by, groups.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InvalidInput
from .output import echo
from .spec import Argument, Option, command

REQUEST_VARIABLE = "_CONNECT_COMPLETE"
SHELLS = ("bash", "zsh", "fish")
HABIT_COMMANDS = {
    "done",
    "stats",
    "edit",
    "remove",
    "undo",
    "skip",
    "unskip",
    "skips",
    "log",
    "prompt",
    "snooze",
    "move",
}
TEMPLATE_COMMANDS = {"catalog", "prompt"}
VALUES = {
    "--date": ("today", "yesterday", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "last"),
    "--who": ("together", "each"),
    "--remind-on": ("auto", "sat,sun", "fri,sat,sun", "sun"),
    "--repeat": ("15m", "30m", "1h", "none"),
    "--for": ("7d", "30d", "4w", "none"),
    "--until": ("none",),
    "--starts": ("today", "tomorrow"),
}
SNOOZES = ("15m", "1h", "evening")

FORMATS = {"status": ("plain", "waybar", "i3blocks", "json"), "export": ("json", "csv", "ics")}

_SCRIPTS = {
    "bash": """# connect's completion for bash
_connect_complete() {
    local line="${COMP_WORDS[*]}"
    local IFS=$'\\n'
    COMPREPLY=($(COMP_WORDS="$line" COMP_CWORD=$COMP_CWORD _CONNECT_COMPLETE=words connect 2>/dev/null))
}
complete -o default -F _connect_complete connect
""",
    "zsh": """#compdef connect
# connect's completion for zsh
_connect() {
    local -a candidates
    candidates=("${(@f)$(COMP_WORDS="${words[*]}" COMP_CWORD=$((CURRENT - 1)) _CONNECT_COMPLETE=words connect 2>/dev/null)}")
    compadd -a candidates
}
compdef _connect connect
""",
    "fish": """# connect's completion for fish
function __connect_complete
    set -l words (commandline -opc) (commandline -ct)
    COMP_WORDS="$words" COMP_CWORD=(math (count $words) - 1) _CONNECT_COMPLETE=words connect 2>/dev/null
end
complete -c connect -f -a '(__connect_complete)'
""",
}


def candidates(words: list[str], index: int) -> list[str]:
    """What may come at `words[index]` (words[0] is `connect`): the ones that start as it does."""
    from .spec import COMMANDS, GROUPS

    current = words[index] if index < len(words) else ""
    before = words[1:index]
    top = sorted({c.name for c in COMMANDS if c.group is None and c.name} | set(GROUPS))
    found: list[str]
    if not before:
        found = [*top, "--help", "--version"]
    else:
        group = before[0] if before[0] in GROUPS else None
        if group is not None and len(before) == 1:
            found = sorted(c.name for c in COMMANDS if c.group == group and c.name)
        else:
            name = before[1] if group is not None else before[0]
            spec = next((c for c in COMMANDS if c.group == group and c.name == name), None)
            if spec is None:
                return []
            found = _for_command(spec, before, current)
    exact = [f for f in found if f.startswith(current)]
    # `Date` finds the habit "Date night" by its slug (a name with a space is offered as its slug only).
    return exact or [f for f in found if f.casefold().startswith(current.casefold())]


def _for_command(spec, before: list[str], current: str) -> list[str]:
    options = [p for p in spec.params if isinstance(p, Option)]
    last = before[-1] if before else ""
    taking = next((o for o in options if last in o.flags and o.kind != "flag"), None)
    if taking is not None:
        if last == "--by":
            return _partners()
        if last == "--from" and spec.name in ("add", "edit"):
            return _templates()
        if last == "--before" and spec.name == "move":
            return _habits()
        if last == "--group":
            return _habits(groups=True)
        if last == "--format":
            return list(FORMATS.get(spec.name, ()))
        return list(VALUES.get(last, ()))
    if current.startswith("-"):
        return sorted({flag for o in options for flag in o.flags if flag.startswith("--")} | {"--help"})
    arguments = [p for p in spec.params if isinstance(p, Argument)]
    given = [w for i, w in enumerate(before[1:]) if not w.startswith("-") and not _is_value(before, i + 1, options)]
    if spec.group is not None:
        given = given[1:]
    if len(given) >= len(arguments):
        return []
    found: list[str] = []
    if spec.name == "snooze" and given:
        return list(SNOOZES)  # after the habit, how long
    if spec.group is None and spec.name in HABIT_COMMANDS:
        found += _habits()
    if spec.group is None and spec.name in TEMPLATE_COMMANDS:
        found += _templates()
    if spec.group == "partners":
        found += _partners()
    return found


def _is_value(words: list[str], index: int, options) -> bool:
    previous = words[index - 1] if index >= 1 else ""
    return any(previous in o.flags and o.kind != "flag" for o in options)


def _habits(groups: bool = False) -> list[str]:
    from .context import Context

    try:
        ctx = Context.from_environment()
        # The main files alone name the habits: the history (and the summary cache's check of ten years
        # of month files) is read only when they cannot tell.
        habits = ctx.store.habits_alone()
        if habits is None:
            habits = ctx.load(since=ctx.today()).habits
    except Exception:  # noqa: BLE001 — a completion request never fails loudly; it offers nothing
        return []
    active = [h for h in habits if not h.archived]
    if groups:  # the groups there are, in their order (as names: those without a space)
        return list(dict.fromkeys(h.group for h in active if h.group and " " not in h.group))
    return [h.slug for h in active] + [h.name for h in active if " " not in h.name and h.name != h.slug]


def _templates() -> list[str]:
    from ..core.catalog import load_catalog

    return [t.id for t in load_catalog()]


def _partners() -> list[str]:
    from .context import Context

    try:
        ctx = Context.from_environment()
        return list(ctx.load(since=ctx.today()).names.values())  # the couple, not the history
    except Exception:  # noqa: BLE001 — as above
        return []


def answer_request() -> None:
    """Print the candidates for the shell's request, one per line."""
    import sys

    words = os.environ.get("COMP_WORDS", "").split(" ")
    try:
        index = int(os.environ.get("COMP_CWORD", ""))
    except ValueError:
        index = len(words) - 1
    sys.stdout.write("".join(f"{c}\n" for c in candidates(words, index)))


def _shell(shell: str | None) -> str:
    chosen = shell or Path(os.environ.get("SHELL", "bash")).name
    if chosen not in SHELLS:
        raise InvalidInput(
            f"connect completes in bash, zsh and fish, not '{chosen}'; name one: connect completion show bash."
        )
    return chosen


@command("show", Argument("shell", "bash, zsh or fish (default: your $SHELL).", required=False), group="completion")
def show(shell: str | None) -> None:
    """Print the completion script for a shell."""
    echo(_SCRIPTS[_shell(shell)].rstrip("\n"))


@command("install", Argument("shell", "bash, zsh or fish (default: your $SHELL).", required=False), group="completion")
def install(shell: str | None) -> None:
    """Install completion for your shell where it looks for it, and say what (if anything) is left to do."""
    chosen = _shell(shell)
    home = Path.home()
    data = Path(os.environ.get("XDG_DATA_HOME") or home / ".local/share")
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    target = {
        "bash": data / "bash-completion/completions/connect",
        "zsh": home / ".zfunc/_connect",
        "fish": config / "fish/completions/connect.fish",
    }[chosen]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_SCRIPTS[chosen])
    echo(f"Wrote {chosen} completion to {target}.")
    if chosen == "bash":
        echo("It loads in new shells (bash-completion, Debian's package of the same name, reads that folder).")
    elif chosen == "zsh":
        echo("If ~/.zshrc does not have them yet, add: fpath+=~/.zfunc; autoload -Uz compinit; compinit")
    else:
        echo("It loads in new fish shells.")
