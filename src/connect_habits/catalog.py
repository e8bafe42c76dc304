"""The catalog of habit templates shipped in `habits/`, and their prompts."""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .errors import ConnectError, HabitNotFound
from .model import Cadence, Goal, parse_cadence, parse_goal, parse_time

STRATEGIES = {
    "meaningful-time": "Make meaningful time together",
    "vulnerability": "Practise vulnerability",
    "listening": "Listen to understand, not to fix",
    "consistency": "Rebuild trust through consistency",
    "repair": "Repair emotional hurts",
    "daily-connection": "Daily habits of connection",
    "professional-support": "Know when to see a counsellor",
}


@dataclass(frozen=True)
class Template:
    """A ready-made habit: what to do, how often, why it helps, and prompts for doing it."""

    id: str
    name: str
    strategy: str
    why: str
    cadence: Cadence
    goal: Goal | None
    at: tuple[str, ...]
    prompt_kind: str
    prompts: tuple[str, ...]

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
    packaged = Path(str(resources.files(__package__))) / "habits"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "habits"


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
    folder = catalog_dir()
    templates = []
    for path in sorted(folder.glob("*.toml")):
        with open(path, "rb") as handle:
            templates.append(parse_template(tomllib.load(handle), path.name))
    return tuple(templates)


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


def random_prompt(prompts: tuple[str, ...] | list[str], rng: random.Random | None = None) -> str:
    """One prompt at random."""
    return (rng or random).choice(list(prompts))
