"""What many tests share: the real `connect` beside this interpreter, the pinned clock, and result checks.

Fixtures are in tests/conftest.py; the private D-Bus bus and notification server in support/dbus_session.py;
generated histories in support/history.py; the moved wall clock of `make test-moved-clock` in support/wallclock/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# The console script installed beside this interpreter: tests go through the real entry point.
CONNECT = shutil.which("connect", path=str(Path(sys.executable).parent)) or "connect"
NOW = "2026-11-26T10:00"  # a Thursday


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def run_connect(home: Path, *args: str, now: str | None = NOW, stdin: str = "", env: dict | None = None) -> Result:
    """The real `connect ARGS` in the home `home`, with the clock pinned (default NOW; None: the real clock)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("CONNECT_NOW", "NO_COLOR")}
    environ["CONNECT_HOME"] = str(home)
    if now is not None:
        environ["CONNECT_NOW"] = now
    environ.update(env or {})
    proc = subprocess.run([CONNECT, *args], input=stdin, capture_output=True, text=True, env=environ, timeout=60)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def raw_tables(home: Path) -> dict[str, list[dict]]:
    """Every record of a private home's data files (the main file and its month files), table by table."""
    tables: dict[str, list[dict]] = {}
    for path in sorted(home.glob("connect*.json")):
        for table, records in json.loads(path.read_bytes()).items():
            tables.setdefault(table, []).extend(records.values())
    return tables


def files_of(home: Path) -> dict[str, bytes]:
    """Every file of a home, to show that something changed nothing (the caches of opened shared files and of
    month slices aside: derived data a read may add to)."""
    if not home.exists():
        return {}
    return {
        str(p.relative_to(home)): p.read_bytes()
        for p in sorted(home.rglob("*"))
        if p.is_file() and p.name != "connect.lock" and p.relative_to(home).parts[0] not in ("opened", "slices")
    }


def one_error_line(result, code=1):
    """The result failed with `code` and said so in one sentence, without a traceback."""
    assert result.code == code, (result.out, result.err)
    assert "Traceback" not in result.err + result.out
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.err
    return lines[0]
