"""The real `connect daemon run` as a background process, and `connect` on the same bus and real clock."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from support import CONNECT

WALLCLOCK = Path(__file__).resolve().parent / "wallclock"


def moved_clock_env(env: dict, moved_to: str) -> dict:
    """`env` for a `connect` process whose wall clock starts at `moved_to` and ticks from there
    (tests/support/wallclock), in place of a pinned or already moved clock."""
    moved = {key: value for key, value in env.items() if key not in ("CONNECT_NOW", "CONNECT_TEST_CLOCK_SHIFT")}
    path = [str(WALLCLOCK)] + ([moved["PYTHONPATH"]] if moved.get("PYTHONPATH") else [])
    moved.update(CONNECT_TEST_WALL_CLOCK=moved_to, PYTHONPATH=os.pathsep.join(path))
    return moved


def hhmm(moment: datetime) -> str:
    return moment.strftime("%H:%M")


@pytest.fixture(autouse=True)
def not_at_midnight():
    """`a minute ago` must be today: in the first two minutes after midnight, wait them out."""
    now = datetime.now()
    if now.hour == 0 and now.minute < 2:
        time.sleep((now.replace(minute=2, second=1) - now).total_seconds())


DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def keep_the_weekly_summary_away(home: Path, env: dict) -> None:
    """On the real clock, the weekly summary at noon three days ahead, unless the test set its own.

    It comes on Sunday at 19:00 by default, and for two hours after: a daemon started then would send it
    among the reminders a test waits for. (A moved clock is the same moment every run: nothing to move.)
    """
    config = home / "config.toml"
    if config.exists() and "summary_at" in config.read_text():
        return
    day = DAY_NAMES[(datetime.now() + timedelta(days=3)).weekday()]
    subprocess.run([CONNECT, "config", "set", "summary_at", f"{day} 12:00"], env=env, check=True, capture_output=True)


class DaemonProcess:
    """`connect daemon run` in the background, its stderr kept in a file."""

    def __init__(self, home: Path, env: dict):
        self.home = home
        self.log = home.parent / f"daemon-{time.monotonic_ns()}.log"
        home.mkdir(parents=True, exist_ok=True)
        self.env = dict(env, CONNECT_HOME=str(home))
        self.env.pop("CONNECT_NOW", None)
        if "CONNECT_TEST_WALL_CLOCK" not in self.env:
            keep_the_weekly_summary_away(home, self.env)
        self.process = subprocess.Popen(
            [CONNECT, "daemon", "run"], env=self.env, stderr=open(self.log, "w"), stdout=subprocess.DEVNULL
        )

    def output(self) -> str:
        return self.log.read_text()

    def wait_for_log(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            assert self.process.poll() is None, f"daemon exited early:\n{self.output()}"
            assert time.monotonic() < deadline, f"no {text!r} in the daemon's log:\n{self.output()}"
            time.sleep(0.05)

    def wait_started(self) -> None:
        """Until the first scan has finished (the state file then records the pid)."""
        state = self.home / "daemon-state.json"
        deadline = time.monotonic() + 20
        while True:
            assert self.process.poll() is None, f"daemon exited early:\n{self.output()}"
            try:
                if json.loads(state.read_text()).get("pid") == self.process.pid:
                    return
            except (OSError, ValueError):
                pass
            assert time.monotonic() < deadline, self.output()
            time.sleep(0.05)

    def terminate(self) -> float:
        """SIGTERM; the seconds it took to exit."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=10)
        elapsed = time.monotonic() - started
        assert code == 0, self.output()
        return elapsed

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def run_daemon(session_bus, home):
    started: list[DaemonProcess] = []

    def start() -> DaemonProcess:
        daemon = DaemonProcess(home, session_bus.env)
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        daemon.kill()


@pytest.fixture
def cli(session_bus, home):
    """`connect` in the same home and on the same bus as the daemon, on the real clock."""

    def run(*args: str) -> subprocess.CompletedProcess:
        env = dict(session_bus.env, CONNECT_HOME=str(home))
        env.pop("CONNECT_NOW", None)
        result = subprocess.run([CONNECT, *args], env=env, capture_output=True, text=True, timeout=60)
        return result

    return run
