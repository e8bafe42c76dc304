"""The habit catalog in habits/: complete, valid, and shipped inside the wheel."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from datetime import date
from pathlib import Path

import pytest

from connect_habits.core.catalog import (
    STRATEGIES,
    catalog_dir,
    load_catalog,
    parse_template,
    prompts_for,
)
from connect_habits.errors import ConnectError

ROOT = Path(__file__).resolve().parents[2]


def test_there_are_at_least_twelve_templates_covering_all_seven_strategies():
    templates = load_catalog()
    assert len(templates) >= 12
    assert {t.strategy for t in templates} == set(STRATEGIES)
    assert any(t.id == "weekly-check-in" for t in templates)


@pytest.mark.parametrize("path", sorted((ROOT / "habits").glob("*.toml")), ids=lambda p: p.stem)
def test_each_template_is_complete(path):
    values = tomllib.loads(path.read_text(encoding="utf-8"))
    template = parse_template(values, path.name)
    assert template.id == path.stem
    assert template.name and template.why and template.at
    assert len(template.prompts) >= 3
    assert all(not set(p) & set("<>&") for p in template.prompts)  # plain text, safe for notifications


def test_a_slipping_habit_gets_its_own_templates_prompts():
    templates = {t.id: t for t in load_catalog()}
    for template_id, template in templates.items():
        assert prompts_for(template_id, date(2026, 11, 27)) == template.prompts


@pytest.mark.parametrize("template_id", [None, "", "gone-from-the-catalog", "../../pyproject", "/etc/passwd"])
def test_a_habit_of_the_couples_own_gets_no_prompt_that_would_not_fit_it(template_id):
    assert prompts_for(template_id, date(2026, 11, 27)) == ()


def test_an_empty_catalog_has_no_prompts(tmp_path, monkeypatch):
    monkeypatch.setattr("connect_habits.core.catalog.catalog_dir", lambda: tmp_path)
    assert prompts_for(None, date(2026, 11, 27)) == ()


def test_template_names_are_unique_and_none_is_a_prefix_of_another():
    names = [t.name.casefold() for t in load_catalog()]
    assert len(set(names)) == len(names)
    assert not [(a, b) for a in names for b in names if a != b and b.startswith(a)]


@pytest.mark.parametrize(
    "broken",
    [
        {"id": "x", "name": "X", "strategy": "nonsense", "why": "w", "prompts": ["p"]},
        {"id": "x", "name": "X", "strategy": "repair", "why": "w", "prompts": []},
        {"id": "x", "name": "X", "strategy": "repair", "why": "w", "prompts": ["p"], "every": "sometimes"},
        {"name": "X", "strategy": "repair", "why": "w", "prompts": ["p"]},
    ],
)
def test_a_broken_template_is_reported_by_file_name(broken):
    with pytest.raises(ConnectError, match="broken.toml"):
        parse_template(broken, "broken.toml")


def test_the_catalog_is_read_from_the_source_tree_in_development():
    assert (catalog_dir() / "weekly-check-in.toml").is_file()


def test_the_wheel_ships_the_catalog(tmp_path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("connect_habits-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {n.removeprefix("connect_habits/habits/") for n in names if n.startswith("connect_habits/habits/")}
    assert shipped == {str(p.relative_to(ROOT / "habits")) for p in (ROOT / "habits").rglob("*.toml")}
    assert any(n.startswith("questions/") for n in shipped)  # the question deck too
    assert any(n.endswith("entry_points.txt") for n in names)
