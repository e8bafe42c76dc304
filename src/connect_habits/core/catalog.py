"""The catalog of habit templates shipped in `habits/`, and their prompts."""

from __future__ import annotations

from collections import namedtuple
from datetime import date
from functools import lru_cache
from pathlib import Path

from ..errors import ConnectError, HabitNotFound
from .model import parse_cadence, parse_goal, parse_time

STRATEGIES = {
    "meaningful-time": "Make meaningful time together",
    "vulnerability": "Practise vulnerability",
    "listening": "Listen to understand, not to fix",
    "consistency": "Rebuild trust through consistency",
    "repair": "Repair emotional hurts",
    "daily-connection": "Daily habits of connection",
    "professional-support": "Know when to see a counsellor",
}


class Template(namedtuple("Template", "id name strategy why cadence goal at prompt_kind prompts")):
    """A ready-made habit: what to do, how often (a Cadence, a Goal or None), why it helps, and prompts for doing it."""

    __slots__ = ()

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "strategy": self.strategy,
            "strategy_title": STRATEGIES[self.strategy],
            "why": self.why,
            "cadence": str(self.cadence),
            "goal": self.goal.as_dict() if self.goal else None,
            "at": list(self.at),
            "prompt_kind": self.prompt_kind,
            "prompts": list(self.prompts),
        }


def catalog_dir() -> Path:
    """Where the templates are: inside the installed package, or `habits/` in a source checkout."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "habits"  # a wheel installs them as package data
    if packaged.is_dir():
        return packaged
    return package.parents[1] / "habits"


def parse_template(values: dict, source: str) -> Template:
    """Build a template from a parsed TOML file, checking every field."""
    try:
        strategy = values["strategy"]
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {strategy!r}")
        goal = parse_goal(values["goal"]) if "goal" in values else None
        every = values.get("every", "weekly" if goal and goal.per == "week" else "daily")
        prompts = tuple(str(p) for p in values["prompts"])
        if not prompts:
            raise ValueError("no prompts")
        return Template(
            id=str(values["id"]),
            name=str(values["name"]),
            strategy=strategy,
            why=str(values["why"]),
            cadence=parse_cadence(every),
            goal=goal,
            at=tuple(parse_time(t) for t in values.get("at", [])),
            prompt_kind=str(values.get("prompt_kind", "conversation")),
            prompts=prompts,
        )
    except (KeyError, ValueError, TypeError, ConnectError) as error:
        detail = error.message if isinstance(error, ConnectError) else repr(error)
        raise ConnectError(f"The catalog template {source} is broken: {detail}.") from None


@lru_cache(maxsize=1)
def load_catalog() -> tuple[Template, ...]:
    """Every template, sorted by id."""
    return tuple(_read_template(path) for path in sorted(catalog_dir().glob("*.toml")))


def _read_template(path: Path) -> Template:
    import tomllib  # the catalog is read by few commands: the others do not pay for the parser

    with open(path, "rb") as handle:
        return parse_template(tomllib.load(handle), path.name)


def prompts_for(template_id: str | None, day: date) -> tuple[str, ...]:
    """The prompts of a habit's template; none for a habit of the couple's own (a repair conversation's
    prompt for a missed coffee would not fit). `day` is kept for callers that pick one prompt by the day.

    `connect week` asks for these when a habit is slipping: one template file is read, not the catalog.
    """
    if not template_id:
        return ()
    path = catalog_dir() / f"{template_id}.toml"  # a template's file is named by its id
    if "/" in template_id or "\\" in template_id or template_id.startswith(".") or not path.is_file():
        return ()
    return _read_template(path).prompts


def find_template(template_id: str) -> Template:
    """The template with this id (or a unique prefix of one)."""
    wanted = template_id.strip().lower()
    templates = load_catalog()
    exact = [t for t in templates if t.id == wanted]
    matches = exact or [t for t in templates if t.id.startswith(wanted) and wanted]
    if len(matches) == 1:
        return matches[0]
    if matches:
        ids = ", ".join(t.id for t in matches)
        raise HabitNotFound(f"'{template_id}' matches several templates: {ids}.")
    raise HabitNotFound(f"There is no template '{template_id}'; `connect catalog` lists them.")


def random_prompt(prompts: tuple[str, ...] | list[str], rng=None) -> str:
    """One prompt at random (from `rng`, a random.Random, when given)."""
    import random

    return (rng or random).choice(list(prompts))


@lru_cache(maxsize=1)
def load_questions() -> tuple:
    """The question-of-the-day deck (`habits/questions/*.toml`): every question, theme by theme."""
    import tomllib

    from .rituals import Question

    questions = []
    for path in sorted((catalog_dir() / "questions").glob("*.toml")):
        try:
            with open(path, "rb") as handle:
                values = tomllib.load(handle)
            theme = str(values["theme"])
            questions += [Question(str(q["id"]), theme, str(q["text"])) for q in values["questions"]]
        except (OSError, KeyError, TypeError, ValueError) as error:
            raise ConnectError(f"The question deck {path.name} is broken: {error!r}.") from None
    return tuple(questions)
