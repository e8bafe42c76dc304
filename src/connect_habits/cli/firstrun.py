"""Starting out and finding ideas: `init` (names and a starter plan), `catalog` and `prompt`."""

from __future__ import annotations

import json
import sys

from ..errors import ConnectError, UsageError
from .context import Context
from .output import echo, style
from .spec import FLAG, JSON, MANY, Argument, Option, command

TYPE_CHECKING = False  # typing's flag without importing typing: type checkers read it by name
if TYPE_CHECKING:  # the catalog loads only for `connect catalog`
    from collections.abc import Sequence

    from ..core.catalog import Template
    from .render import Style

STARTER_TEMPLATES = ("weekly-check-in", "ten-minute-talk", "tech-free-dinner", "appreciation", "tech-free-time")


@command(
    "init",
    Option(("--partner",), "partner", MANY, None, "A partner's name; give it twice."),
    Option(("--habit",), "habit", MANY, None, "A starter template id; repeat for several."),
    Option(("--yes", "-y"), "yes", FLAG, False, "Ask nothing; use the flags and the defaults."),
)
def init(partner: list[str] | None, habit: list[str] | None, yes: bool) -> None:
    """First run: your names, a starter plan from the catalog, and the week."""

    from ..core.catalog import find_template, load_catalog
    from ..core.couple import check_partner_names
    from ..core.habits import HabitOptions, new_habit
    from ..core.words import rhythm_text
    from ..storage.config import save_config
    from .everyday import show_week

    ctx = Context.from_environment()
    config = ctx.config
    asker = None if yes else Asker.for_stdin()
    partners = check_partner_names(partner or [])
    if not partners and asker is not None:
        defaults = list(ctx.load(since=ctx.today()).names.values()) + ["", ""]
        first = asker.ask("Partner 1's name", defaults[0], lambda text: check_partner_names([text])[0])
        partners = [
            first,
            asker.ask("Partner 2's name", defaults[1], lambda text: check_partner_names([first, text])[1]),
        ]
    ids = list(habit or [])
    chose_none = False
    if not ids and asker is not None:
        ids = _ask_starters(load_catalog(), asker)
        chose_none = not ids
    elif not ids:
        ids = list(STARTER_TEMPLATES)
    templates = [find_template(i) for i in ids]

    today = ctx.today()
    added = []
    with ctx.transaction(since=today) as tx:
        add_partners(tx, partners)
        existing = tx.snapshot.habits
        used = {h.template for h in existing} | {h.name.casefold() for h in existing}
        for template in templates:
            if template.id in used or template.name.casefold() in used:
                continue
            new = new_habit(existing, None, HabitOptions(template=template), today)
            tx.add_habit(new)
            existing.append(new)
            added.append(new)
    # The partners live with the data now (shared with the other machine, kept in backups), not in the config.
    config = config._replace(partners=())
    save_config(ctx.paths.config_file, config)
    ctx.config = config

    import textwrap

    width = min(style().width, 100)

    def say(text: str) -> None:  # a paragraph, wrapped between words to the terminal
        echo("\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)))

    names = list(tx.snapshot.names.values())
    who = " & ".join(names) if names else "you two"
    say(f"Welcome, {who}. Your data lives in {ctx.paths.data_dir}.")
    if added:
        say("Added: " + ", ".join(f"{h.name} ({rhythm_text(h)})" for h in added) + ".")
    elif chose_none:
        say("No starter habits; add your own with `connect add NAME`, or browse `connect catalog`.")
    else:
        say("Your starter habits were already there; nothing added.")
    echo()
    show_week(ctx, "today", as_json=False)
    echo()
    timed = [h for h in added if h.at]
    if timed:
        times = "; ".join(f"{h.name} at {', '.join(h.at)}" for h in timed)
        say(f"Reminders are set: {times} (change them with `connect edit NAME --at HH:MM`).")
    say(
        "Next: `connect done NAME` when you have done one, `connect week` to look at the week together, "
        "and `connect daemon install` to get the reminders on this desktop."
    )


def add_partners(tx, names: list[str]) -> None:
    """Make the named people the couple's partners (a name already a partner, in any case, is left as it is)."""
    from ..core.couple import PARTNER_KEY, new_partner

    for name in names:
        known = tx.snapshot.names
        if any(n.casefold() == name.casefold() for n in known.values()):
            continue
        if len(known) >= 2:
            raise UsageError(
                f"This home's partners are {' and '.join(known.values())}; to change a name, use "
                "`connect partners rename OLD NEW`."
            )
        pid, name = new_partner(known, name)
        tx.change_couple(PARTNER_KEY + pid, name)
    tx.keep_couple()


class Asker:
    """Questions for the first run: typed at a terminal, or one answer per line from a pipe (`printf
    'Maya\nJonas\n1\n' | connect init`). A bad answer is asked again with the reason; an empty one
    takes the default."""

    def __init__(self, lines: list[str] | None):
        self.lines = lines  # None: a terminal

    @classmethod
    def for_stdin(cls) -> Asker | None:
        """An asker for this run's input; None when there is nothing to read (the defaults then hold)."""
        if sys.stdin.isatty():
            return cls(None)
        piped = sys.stdin.read()
        return cls(piped.splitlines()) if piped.strip() else None

    def ask(self, question: str, default: str | None, check):
        """The answer to `question`, as `check` turns it into a value (it raises ConnectError to ask again)."""
        import click

        while True:
            if self.lines is None:
                text = click.prompt(question, default=default or None, show_default=bool(default))
            else:
                if not self.lines:
                    raise UsageError(f"The answers ran out before '{question}'.")
                text = self.lines.pop(0)
                echo(f"{question}: {text}")
                text = text or default or ""
            try:
                return check(text)
            except ConnectError as error:
                echo(f"{error.message} Please try again.", err=self.lines is not None)


def _ask_starters(templates, asker: Asker) -> list[str]:
    from ..core.words import rhythm_text

    echo("Starter habits (you can add, edit or remove any later):")
    for number, template in enumerate(templates, start=1):
        mark = "*" if template.id in STARTER_TEMPLATES else " "
        echo(f" {mark}{number:>2}. {template.name} ({rhythm_text(template)})")
    default = ",".join(str(i) for i, t in enumerate(templates, start=1) if t.id in STARTER_TEMPLATES)
    numbers = asker.ask(
        "Which ones? Numbers, ranges (1-3) or all, separated by commas (or none)",
        default,
        lambda text: chosen_numbers(text, len(templates)),
    )
    return [templates[n - 1].id for n in numbers]


def chosen_numbers(text: str, count: int) -> list[int]:
    """`1,3`, `2-4`, `all` or `none` as the numbers 1 to `count` they name, in order, each once."""
    answer = text.strip().lower()
    if answer == "none":
        return []
    if answer == "all":
        return list(range(1, count + 1))
    chosen: list[int] = []
    for part in answer.replace(" ", ",").split(","):
        if not part:
            continue
        low, dash, high = part.partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise UsageError(f"'{part}' is not a number, a range like 2-4, all or none.")
        first, last = int(low), int(high) if dash else int(low)
        if not 1 <= first <= last <= count:
            raise UsageError(f"'{part}' is not within the numbers 1 to {count}.")
        chosen += [n for n in range(first, last + 1) if n not in chosen]
    if not chosen:
        raise UsageError("Give at least one number, or none.")
    return chosen


@command(
    "catalog", Argument("name", "One template in full (its id, or the start of it).", required=False), JSON, fast=True
)
def catalog(name: str | None, as_json: bool) -> None:
    """Browse the habit templates, grouped by the strategy they serve; or one of them in full."""
    from ..core.catalog import find_template, load_catalog

    if name is not None:
        template = find_template(name)
        if as_json:
            echo(json.dumps(template.as_dict(), ensure_ascii=False, indent=2))
            return
        from ..core.words import rhythm_text

        at = f" at {', '.join(template.at)}" if template.at else ""
        echo(f"{template.name} ({template.id}): {rhythm_text(template)}{at}")
        echo(template.why)
        echo("Prompts:")
        for line in template.prompts:
            echo(f"  - {line}")
        echo(f"Add it with: connect add --from {template.id}")
        return
    templates = load_catalog()
    if as_json:
        echo(json.dumps([t.as_dict() for t in templates], ensure_ascii=False, indent=2))
    else:
        echo(render_catalog(templates, style()))


def render_catalog(templates: Sequence[Template], style: Style) -> str:
    """`connect catalog`: templates grouped by the strategy they serve."""
    import textwrap

    from ..core.catalog import STRATEGIES
    from ..core.words import fit, rhythm_text
    from .render import WIDTH

    lines: list[str] = []
    for strategy, title in STRATEGIES.items():
        group = [t for t in templates if t.strategy == strategy]
        if not group:
            continue
        lines.append(style.paint(title, "bold"))
        for t in group:
            rhythm = rhythm_text(t)
            at = f" at {', '.join(t.at)}" if t.at else ""
            lines.append(f"  {fit(t.id, 22)} {fit(t.name, 26)} {rhythm}{at}")
            for line in textwrap.wrap(t.why, WIDTH - 25):
                lines.append(style.paint(f"  {'':22} {line}", "dim"))
        lines.append("")
    lines.append("Add one with `connect add --from ID`; `connect prompt ID` gives a prompt from it.")
    return "\n".join(lines)


@command("prompt", Argument("source", "A template id or one of your habits; any when left out.", required=False))
def prompt(source: str | None) -> None:
    """Print one conversation starter or prompt at random."""
    from ..core.catalog import find_template, load_catalog, random_prompt
    from ..errors import HabitNotFound

    if source is None:
        prompts = [p for t in load_catalog() for p in t.prompts]
    else:
        try:
            prompts = list(find_template(source).prompts)
        except HabitNotFound as not_a_template:
            prompts = _habit_prompts(source, not_a_template)
    echo(random_prompt(prompts))


def _habit_prompts(query: str, not_a_template: ConnectError) -> list[str]:
    from ..core.catalog import find_template
    from ..core.habits import resolve_active

    ctx = Context.from_environment()
    habits = ctx.load(since=ctx.today()).habits  # a broken file says so itself
    try:
        habit = resolve_active(habits, query)
    except ConnectError:
        raise not_a_template from None
    prompts = list(habit.prompts) or (list(find_template(habit.template).prompts) if habit.template else [])
    if not prompts:
        raise ConnectError(f"'{habit.name}' has no prompts; try `connect prompt` for any of the catalog's.")
    return prompts
