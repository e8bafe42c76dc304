"""`connect ARGS` on a real pseudo-terminal: what a person at the keyboard sees and types."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

from . import CONNECT


class Terminal:
    """A `connect` command whose stdin, stdout and stderr are one pseudo-terminal, in its own session."""

    def __init__(self, home: Path, now: str, *args: str):
        master, slave = pty.openpty()
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        env.update(CONNECT_HOME=str(home), CONNECT_NOW=now, TERM="dumb", COLUMNS="100")
        self.process = subprocess.Popen(
            [CONNECT, *args], stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.master = master
        self.seen = ""

    def expect(self, text: str, timeout: float = 15) -> None:
        """Wait until `text` shows; what came before it is read past."""
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            assert time.monotonic() < deadline, f"no {text!r} on the terminal:\n{self.seen}"
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.seen += os.read(self.master, 4096).decode("utf-8", "replace")
                except OSError:
                    break
        assert text in self.seen, f"no {text!r} on the terminal before it closed:\n{self.seen}"
        self.seen = self.seen[self.seen.index(text) + len(text) :]

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\r")

    def wait(self) -> int:
        code = self.process.wait(timeout=20)
        os.close(self.master)
        return code
