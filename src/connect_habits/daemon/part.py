"""What each part of the daemon (its buttons, its partner news) may use of the daemon it belongs to."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..core.model import Snapshot
from ..core.reminders import ReminderSettings
from ..storage.store import Store
from .notify import Notification, Notifier
from .state import DaemonState


class DaemonPart:
    """The daemon's state and its two ways out (a notification, the state file), for a mixin of Daemon."""

    snapshot: Snapshot
    settings: ReminderSettings
    state: DaemonState
    notifier: Notifier
    store: Store
    stopping: bool
    now: Callable[[], datetime]

    def _deliver(self, notification: Notification, now: datetime, button_target: dict | None = None) -> bool:
        raise NotImplementedError  # the daemon's

    def _save_state(self) -> None:
        raise NotImplementedError  # the daemon's

    def snooze(self, habit_id: str, day: str, until: datetime, key: str) -> None:
        raise NotImplementedError  # the Snoozes part's
