"""The daemon's memory across restarts: what it sent, what it still owes, which buttons mean what.

One writer (the running daemon, which holds the daemon lock); `connect daemon status` reads.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

from ..storage.fileio import atomic_write, read_bytes

KEEP_SENT = timedelta(days=3)
KEEP_LAST = 10


def parse_instant(text: object) -> datetime | None:
    """An aware datetime from ISO text, or None when it is not one."""
    try:
        value = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


class Pending:
    """A notification still owed: a snoozed reminder or a session's end; tried until it is too late.

    `due`: when it became due (the grace counts from here); `next_try`: when to try (again); `habit`
    and `day`: a snoozed reminder's, checked again before sending. (Plain classes here, not dataclasses:
    `connect remind` reads this file, and importing dataclasses cost it about 8 ms.)
    """

    __slots__ = ("key", "due", "next_try", "habit", "day", "title", "body")

    def __init__(
        self,
        key: str,
        due: datetime,
        next_try: datetime,
        habit: str | None = None,
        day: str | None = None,
        title: str = "",
        body: str = "",
    ):
        self.key, self.due, self.next_try, self.habit, self.day = key, due, next_try, habit, day
        self.title, self.body = title, body

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pending) and self.as_dict() == other.as_dict()

    def __repr__(self) -> str:
        return f"Pending({self.as_dict()!r})"

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "due": self.due.isoformat(timespec="seconds"),
            "try": self.next_try.isoformat(timespec="seconds"),
            "habit": self.habit,
            "day": self.day,
            "title": self.title,
            "body": self.body,
        }

    @classmethod
    def from_dict(cls, values: dict) -> Pending | None:
        due, next_try = parse_instant(values.get("due")), parse_instant(values.get("try"))
        if due is None or next_try is None or not isinstance(values.get("key"), str):
            return None
        text = {k: values.get(k) if isinstance(values.get(k), str) else None for k in ("habit", "day")}
        return cls(
            values["key"],
            due,
            next_try,
            text["habit"],
            text["day"],
            str(values.get("title", "")),
            str(values.get("body", "")),
        )


class DaemonState:
    """Keys of reminders already handled, notifications still owed, button targets, the last sends."""

    def __init__(self) -> None:
        self.sent: dict[str, str] = {}  # key -> when (ISO)
        self.pending: list[Pending] = []
        self.buttons: dict[str, dict] = {}  # notification id -> {habit, day, key, owner, at}
        self.last: list[dict] = []  # {"time", "title", "backend", "ok"}
        self.pid: int | None = None
        self.backend: str | None = None
        self.started: str | None = None
        self.damaged = ""  # why the file could not be read as a whole (never saved)

    def mark_sent(self, key: str, when: datetime) -> None:
        self.sent[key] = when.isoformat(timespec="seconds")

    def remember(self, when: datetime, title: str, backend: str, ok: bool, detail: str = "") -> None:
        entry = {"time": when.isoformat(timespec="seconds"), "title": title, "backend": backend, "ok": ok}
        if detail:
            entry["detail"] = detail
        self.last = (self.last + [entry])[-KEEP_LAST:]

    def prune(self, now: datetime) -> None:
        """Forget what was handled long ago; the grace period is far shorter."""
        horizon = now - KEEP_SENT
        self.sent = {k: v for k, v in self.sent.items() if (parse_instant(v) or now) >= horizon}
        self.buttons = {k: v for k, v in self.buttons.items() if (parse_instant(v.get("at")) or now) >= horizon}

    def as_dict(self) -> dict:
        return {
            "sent": self.sent,
            "pending": [p.as_dict() for p in self.pending],
            "buttons": self.buttons,
            "last": self.last,
            "pid": self.pid,
            "backend": self.backend,
            "started": self.started,
        }


def load_state(path: Path) -> DaemonState:
    """Read the state file; anything damaged is dropped entry by entry (at worst one reminder repeats)."""
    state = DaemonState()
    try:
        raw = read_bytes(path)
        values = json.loads(raw) if raw else {}
    except Exception as error:  # noqa: BLE001 — a damaged state file must not stop the daemon
        values, state.damaged = {}, _reason(error)
    if not isinstance(values, dict):
        values, state.damaged = {}, "it does not hold a JSON object"
    if isinstance(values.get("sent"), dict):
        state.sent = {str(k): str(v) for k, v in values["sent"].items()}
    if isinstance(values.get("pending"), list):
        state.pending = [p for p in (Pending.from_dict(v) for v in values["pending"] if isinstance(v, dict)) if p]
    if isinstance(values.get("buttons"), dict):
        state.buttons = {
            str(k): v
            for k, v in values["buttons"].items()
            if isinstance(v, dict) and all(isinstance(v.get(f), str) for f in ("habit", "day", "key"))
        }
    if isinstance(values.get("last"), list):
        state.last = [e for e in values["last"] if isinstance(e, dict)][-KEEP_LAST:]
    state.pid = values.get("pid") if isinstance(values.get("pid"), int) else None
    state.backend = values.get("backend") if isinstance(values.get("backend"), str) else None
    state.started = values.get("started") if isinstance(values.get("started"), str) else None
    return state


def _reason(error: Exception) -> str:
    if isinstance(error, (ValueError, RecursionError)):
        return "it is not valid JSON"
    return getattr(error, "message", None) or " ".join(str(error).split()) or type(error).__name__


def set_aside(path: Path, now: datetime, why: str) -> str:
    """Move a damaged state file out of the way under a name of its own, kept for a look; says what was done."""
    aside = path.with_name(f"{path.name}.damaged-{now:%Y%m%dT%H%M%S}")
    while aside.exists():
        aside = aside.with_name(aside.name + "-2")
    try:
        os.replace(path, aside)
        kept = f"kept aside as {aside.name}"
    except OSError as error:
        kept = f"could not be kept aside ({error.strerror})"
    return f"{path.name} was damaged ({why}): {kept}"


def save_state(path: Path, state: DaemonState) -> None:
    """Write the state file atomically."""
    atomic_write(path, json.dumps(state.as_dict(), ensure_ascii=False, indent=1).encode("utf-8"))
