"""The daemon's memory across restarts: what it sent, pending snoozes, its last notifications.

One writer (the running daemon, which holds the daemon lock); `connect daemon status` reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from .fileio import atomic_write, read_bytes

KEEP_SENT = timedelta(days=3)
KEEP_LAST = 10


@dataclass
class DaemonState:
    """Keys of reminders already handled, snoozes still to come, and the last notifications."""

    sent: dict[str, str] = field(default_factory=dict)  # key -> when (ISO)
    snoozes: list[dict] = field(default_factory=list)  # {"habit", "due" (ISO), "key"}
    last: list[dict] = field(default_factory=list)  # {"time", "title", "backend", "ok"}
    pid: int | None = None
    backend: str | None = None
    started: str | None = None

    def mark_sent(self, key: str, when: datetime) -> None:
        self.sent[key] = when.isoformat(timespec="seconds")

    def remember(self, when: datetime, title: str, backend: str, ok: bool, detail: str = "") -> None:
        entry = {"time": when.isoformat(timespec="seconds"), "title": title, "backend": backend, "ok": ok}
        if detail:
            entry["detail"] = detail
        self.last = (self.last + [entry])[-KEEP_LAST:]

    def prune(self, now: datetime) -> None:
        """Forget reminders handled long ago; the grace period is far shorter."""
        horizon = now - KEEP_SENT
        self.sent = {k: v for k, v in self.sent.items() if _parse(v, now) >= horizon}

    def as_dict(self) -> dict:
        return {
            "sent": self.sent, "snoozes": self.snoozes, "last": self.last,
            "pid": self.pid, "backend": self.backend, "started": self.started,
        }


def _parse(text: str, fallback: datetime) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return fallback
    return value if value.tzinfo else value.replace(tzinfo=fallback.tzinfo)


def load_state(path: Path) -> DaemonState:
    """Read the state file; a missing or damaged one starts empty (the data file holds what matters)."""
    try:
        raw = read_bytes(path)
        values = json.loads(raw) if raw else {}
    except Exception:  # noqa: BLE001 — any damage here only risks one repeated reminder
        values = {}
    if not isinstance(values, dict):
        values = {}
    state = DaemonState()
    if isinstance(values.get("sent"), dict):
        state.sent = {str(k): str(v) for k, v in values["sent"].items()}
    if isinstance(values.get("snoozes"), list):
        state.snoozes = [s for s in values["snoozes"] if isinstance(s, dict) and {"habit", "due", "key"} <= set(s)]
    if isinstance(values.get("last"), list):
        state.last = [e for e in values["last"] if isinstance(e, dict)][-KEEP_LAST:]
    state.pid = values.get("pid") if isinstance(values.get("pid"), int) else None
    state.backend = values.get("backend") if isinstance(values.get("backend"), str) else None
    state.started = values.get("started") if isinstance(values.get("started"), str) else None
    return state


def save_state(path: Path, state: DaemonState) -> None:
    """Write the state file atomically."""
    atomic_write(path, json.dumps(state.as_dict(), ensure_ascii=False, indent=1).encode("utf-8"))
