"""The day's one reminder (`digest_at`): what is left today in one notification, instead of one per habit."""

from __future__ import annotations

import logging
from datetime import datetime

from ..core.history import History
from ..core.model import Habit
from ..core.reminders import Decision, digest_due, is_quiet, needs_reminder
from .messages import digest_notification
from .part import DaemonPart

log = logging.getLogger("connect.daemon")


class Digest(DaemonPart):
    """The part of the daemon that gathers the day's reminders into one (a mixin of Daemon)."""

    def fold_into_digest(self, decision: Decision, now: datetime) -> Decision:
        """With a digest, the habits' own reminders are not sent: they are noted as folded into it."""
        if self.settings.digest_at is None:
            return decision
        for slot in decision.send:
            self.state.mark_sent(slot.key, now)
            log.info("folded reminder %s into the day's digest", slot.key)
        return Decision([], decision.drop)

    def send_digest(self, mine: list[Habit], histories: dict[str, History], now: datetime) -> None:
        """At `digest_at`: one notification with every habit still left today (none when all is done)."""
        key = digest_due(now, self.state.sent, self.settings)
        if key is None or is_quiet(now, self.settings) or self.stopping:
            return  # quiet hours hold it until they end (within the grace)
        today = self.settings.today(now)
        left = [
            (h, histories[h.id]) for h in mine if needs_reminder(h, histories[h.id], today, self.settings.first_weekday)
        ]
        if not left or self._deliver(digest_notification(left, now, self.settings.first_weekday, today), now):
            self.state.mark_sent(key, now)
            self._save_state()
