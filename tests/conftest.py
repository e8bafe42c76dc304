"""Shared fixtures: a private connect home per test, and the real `connect` entry point."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from support import NOW, run_connect

# The private D-Bus session bus and the test notification server, for every test module.
from support.dbus_session import notification_server, session_bus  # noqa: F401

# Every `connect` a test starts speaks a UTF-8 locale unless the test says otherwise: a machine with
# LC_ALL=C would otherwise turn the symbols the tests look for into their ASCII look-alikes; and tables
# are 80 columns wide, as in a pipe, unless a test sets COLUMNS.
for _variable in ("LC_ALL", "LC_CTYPE", "COLUMNS"):
    os.environ.pop(_variable, None)
os.environ["LANG"] = "C.UTF-8"
# The help a `connect --help` keeps (cli/helpcache.py) goes to a cache folder of the test run, not the user's.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="connect-test-cache-")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty connect home (CONNECT_HOME) in a temp folder."""
    return tmp_path / "home"


@pytest.fixture
def connect(home: Path):
    """Run the real `connect` command in the test's home, with the clock pinned (default NOW)."""

    def run(*args: str, now: str | None = NOW, stdin: str = "", env: dict | None = None):
        return run_connect(home, *args, now=now, stdin=stdin, env=env)

    return run
