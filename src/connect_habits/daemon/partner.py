"""What of the partner's the daemon shows: their messages and thanks, their answer to the day's question,
and (if asked for) their check-ins; each once, held back by quiet hours, across restarts too."""

from __future__ import annotations

import logging
from datetime import datetime

from ..core.model import Snapshot
from ..core.reminders import is_quiet
from ..core.rituals import partner_news
from ..errors import ConnectError
from ..storage.rituals import mark_seen
from .notify import Notification
from .part import DaemonPart

log = logging.getLogger("connect.daemon")


class PartnerNews(DaemonPart):
    """The part of the daemon that brings the partner's news to this desktop (a mixin of Daemon)."""

    def send_partner_news(self, snapshot: Snapshot, now: datetime) -> None:
        """Show what is new from the partner, unless quiet hours hold it back (it goes when they end)."""
        if not self.settings.notify or is_quiet(now, self.settings):
            return
        today = self.settings.today(now)
        news = partner_news(snapshot, now, self.settings.partner, self.state.sent, self.settings.grace, today)
        shown = []
        for item in news:
            if self.stopping:
                break
            if self._deliver(Notification(item.title, item.body), now):
                self.state.mark_sent(item.key, now)
                self._save_state()
                if item.message is not None:
                    shown.append(item.message)
        if shown and snapshot.me is not None:
            try:  # kept in the data too: the state forgets after a few days, and `connect inbox` shows it seen
                with self.store.transaction(since=today, today=today) as transaction:
                    mark_seen(transaction, shown, snapshot.me, now.replace(tzinfo=None))
            except ConnectError as error:
                log.warning("could not note the messages as seen: %s", error.message)
