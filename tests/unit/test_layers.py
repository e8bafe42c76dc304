"""The layers the tree shows stay true: each layer imports only the layers below it, and nothing goes in a circle.

The rule, in one sentence: core imports nothing but core and errors; storage adds core; the daemon and
the foreign formats add storage (the daemon also the clock); the command line may import anything,
and nothing imports the command line. Every import counts, also one inside a function or one made
for type checkers only.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "connect_habits"

# What each layer may import: connect's own layers, and the libraries that belong to it.
ALLOWED = {
    "errors": {"errors"},
    "clock": {"clock", "errors"},
    "core": {"core", "errors"},
    "storage": {"storage", "core", "errors", "tinydb"},
    "daemon": {"daemon", "storage", "core", "errors", "clock", "schedule", "jeepney", "plyer"},
    "interop": {"interop", "storage", "core", "errors", "icalendar"},
    "cli": {"cli", "daemon", "interop", "storage", "core", "errors", "clock", "typer", "click"},
    "__main__": {"cli"},
    "__init__": set(),
}
THIRD_PARTY = {"tinydb", "schedule", "jeepney", "plyer", "icalendar", "typer", "click", "rich", "pydantic"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts) or "__init__"


def imports(path: Path) -> set[str]:
    """Every module the file at `path` imports (see `imports_of`)."""
    return imports_of(path.read_text(), module_name(path), path.name == "__init__.py")


def imports_of(text: str, module: str, is_package: bool = False) -> set[str]:
    """Every module `module` imports, as a name inside the package ("core.model") or a library's top name.

    Relative or absolute (`connect_habits.core.model`), and `from ..core import week` as the module it is.
    """
    package = module.split(".") if is_package else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] + (node.module.split(".") if node.module else [])
            elif node.module and node.module.split(".")[0] == PACKAGE.name:
                base = node.module.split(".")[1:]
            else:
                found.add((node.module or "").split(".")[0])
                continue
            for alias in node.names:  # `from .. import clock`, `from ..core import week`: a module each
                candidate = ".".join(base + [alias.name])
                found.add(candidate if candidate in MODULE_NAMES else ".".join(base) or "__init__")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                found.add((".".join(parts[1:]) or "__init__") if parts[0] == PACKAGE.name else parts[0])
    return found


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
MODULE_NAMES = set(MODULES)


def layer(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_a_module_imports_only_its_own_layer_and_those_below(name):
    allowed = ALLOWED[layer(name)]
    wrong = sorted(
        i
        for i in imports(MODULES[name])
        if (i.split(".")[0] in THIRD_PARTY or layer(i) in ALLOWED) and layer(i) not in allowed
    )
    assert not wrong, f"{name} ({layer(name)}) imports {wrong}; it may import only {sorted(allowed)}"


def test_no_modules_import_each_other_in_a_circle():
    graph = {name: {i for i in imports(path) if i in MODULES} for name, path in MODULES.items()}
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        assert state.get(name) != "open", "import cycle: " + " -> ".join(path[path.index(name) :] + [name])
        state[name] = "open"
        for other in sorted(graph[name]):
            visit(other, path + [name])
        state[name] = "done"

    for name in sorted(graph):
        visit(name, [])


def test_the_rule_is_checked_against_real_imports():
    """The walk sees a relative import, a lazy one, one for type checkers only, absolute ones, and a module by name."""
    assert {"core.model", "errors"} <= imports(MODULES["core.habits"])
    assert "core.stats" in imports(MODULES["core.folds"])  # imported inside make_fold
    assert "storage.transaction" in imports(MODULES["storage.actions"])  # under TYPE_CHECKING
    assert layer("storage.store") == "storage" and "tinydb" in imports(MODULES["storage.tables"])  # imported inside


@pytest.mark.parametrize("name", sorted(MODULES))
def test_a_module_is_about_one_thing_and_says_so(name):
    """A one-line summary opens every module; one over about 400 lines says in its docstring why it is whole."""
    tree = ast.parse(MODULES[name].read_text())
    docstring = ast.get_docstring(tree) or ""
    assert docstring.strip(), f"{name} has no docstring"
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= 420 or "kept whole" in docstring, f"{name} has {lines} lines and does not say why it is whole"
    lazy = "import connect_habits.cli.app\ndef later():\n    from connect_habits.storage import store\n    from ..core import week\n"
    assert {"cli.app", "storage.store", "core.week"} <= imports_of(lazy, "core.probe")
