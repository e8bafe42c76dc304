"""README's tour, line by line, through the real `connect`: a new couple can type every line as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from support import run_connect

README = Path(__file__).resolve().parents[2] / "README.md"
THURSDAY = "2026-11-26T18:00"


def tour_lines() -> list[list[str]]:
    """The commands of the first sh block under "## A tour", without their comments."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"## A tour\n+```sh\n(.*?)```", text, flags=re.S)
    assert block, "README.md has no tour"
    return [shlex.split(line, comments=True) for line in block[1].splitlines() if line.strip()]


def test_every_line_of_the_tour_runs_as_written(home, tmp_path):
    lines = tour_lines()
    assert len(lines) > 20 and all(words[0] == "connect" for words in lines)
    env = {"HOME": str(tmp_path), "SHELL": "/bin/bash"}  # `completion install` writes under a home of its own
    for words in lines:
        result = run_connect(home, *words[1:], now=THURSDAY, stdin="n\n" * 20, env=env)  # ask: "not yet" to each
        assert result.code == 0, f"{' '.join(words)}: {result.err or result.out}"
        assert "Traceback" not in result.err
