"""Starting out and finding ideas: `init` (names and a starter plan), `catalog` and `prompt`."""

from __future__ import annotations

import json
import sys

from .. import clock
from ..errors import ConnectError, UsageError
from .context import Context
from .output import echo, style
from .spec import FLAG, JSON, MANY, Argument, Option, command

STARTER_TEMPLATES = ("weekly-check-in", "ten-minute-talk", "tech-free-dinner", "appreciation", "tech-free-time")


@command(
    "init",
    Option(("--partner",), "partner", MANY, None, "A partner's name; give it twice."),
    Option(("--habit",), "habit", MANY, None, "A starter template id; repeat for several."),
    Option(("--yes", "-y"), "yes", FLAG, False, "Ask nothing; use the flags and the defaults."),
)
def init(partner: list[str] | None, habit: list[str] | None, yes: bool) -> None:
    """First run: your names, a starter plan from the catalog, and the week."""
    import click

    from ..core.catalog import find_template, load_catalog
    from ..core.couple import check_partner_names
    from ..core.habits import HabitOptions, new_habit
    from ..core.words import rhythm_text
    from ..storage.config import save_config
    from .everyday import show_week

    ctx = Context.from_environment()
    config = ctx.config
    interactive = sys.stdin.isatty() and not yes
    partners = check_partner_names(partner or [])
    if not partners and interactive:
        defaults = list(ctx.load(since=clock.today()).names.values()) + ["", ""]
        answers = [click.prompt(f"Partner {i + 1}'s name", default=defaults[i] or None) for i in range(2)]
        partners = check_partner_names(answers)
    ids = list(habit or [])
    if not ids and interactive:
        ids = _ask_starters(load_catalog())
    elif not ids:
        ids = list(STARTER_TEMPLATES)
    templates = [find_template(i) for i in ids]

    today = clock.today()
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

    names = list(tx.snapshot.names.values())
    who = " & ".join(names) if names else "you two"
    echo(f"Welcome, {who}. Your data lives in {ctx.paths.data_dir}.")
    if added:
        echo("Added: " + ", ".join(f"{h.name} ({rhythm_text(h)})" for h in added) + ".")
    else:
        echo("Your starter habits were already there; nothing added.")
    echo()
    show_week(ctx, "today", as_json=False)


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


def _ask_starters(templates) -> list[str]:
    import click

    from ..core.words import rhythm_text

    echo("Starter habits (you can add, edit or remove any later):")
    for number, template in enumerate(templates, start=1):
        mark = "*" if template.id in STARTER_TEMPLATES else " "
        echo(f" {mark}{number:>2}. {template.name} ({rhythm_text(template)})")
    default = ",".join(str(i) for i, t in enumerate(templates, start=1) if t.id in STARTER_TEMPLATES)
    answer = click.prompt("Which ones? Numbers separated by commas (or 'none')", default=default)
    if answer.strip().lower() == "none":
        return []
    chosen = []
    for part in answer.replace(" ", ",").split(","):
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= len(templates):
            raise UsageError(f"'{part}' is not one of the numbers 1 to {len(templates)}.")
        chosen.append(templates[int(part) - 1].id)
    return chosen


@command("catalog", Argument("name", "One template in full (its id, or the start of it).", required=False), JSON)
def catalog(name: str | None, as_json: bool) -> None:
    """Browse the habit templates, grouped by the strategy they serve; or one of them in full."""
    from ..core.catalog import find_template, load_catalog
    from .render import render_catalog

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

    habits = Context.from_environment().load(since=clock.today()).habits  # a broken file says so itself
    try:
        habit = resolve_active(habits, query)
    except ConnectError:
        raise not_a_template from None
    prompts = list(habit.prompts) or (list(find_template(habit.template).prompts) if habit.template else [])
    if not prompts:
        raise ConnectError(f"'{habit.name}' has no prompts; try `connect prompt` for any of the catalog's.")
    return prompts
