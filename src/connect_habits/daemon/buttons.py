"""The buttons of a reminder, what Done and Snooze mean (Done only where one click can log it), and the
notifications still owed: snoozed reminders and the ends of tech-free sessions."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from ..core.habits import resolve_active, who_logs
from ..core.history import History
from ..core.model import Habit
from ..core.reminders import SNOOZE, is_quiet, needs_reminder, one_click, quiet_end
from ..core.repeats import evening_offered
from ..errors import ConnectError
from ..storage.actions import record_done
from .messages import reminder_notification, together_notification
from .notify import DONE_ACTION, SNOOZE_ACTION, SNOOZE_EVENING_ACTION, SNOOZE_HOUR_ACTION, Notification
from .part import DaemonPart

log = logging.getLogger("connect.daemon")

RETRY = timedelta(seconds=30)  # until a failed send is tried again
SNOOZES = (SNOOZE_ACTION, SNOOZE_HOUR_ACTION, SNOOZE_EVENING_ACTION)


class Buttons(DaemonPart):
    """The part of the daemon that words a reminder with its buttons and acts on a click (a mixin of Daemon)."""

    def _reminder(
        self, habit: Habit, history: History, day: date, key: str, now: datetime
    ) -> tuple[Notification, dict]:
        """A reminder's notification, and what its buttons mean (Done only where one click can log it)."""
        done = one_click(habit, history, day, self.snapshot.me, bool(self.snapshot.persons))
        evening = evening_offered(now, self.settings)
        today = self.settings.today(now)
        notification = reminder_notification(habit, history, now, self.settings.first_weekday, done, evening, today)
        return notification, {"habit": habit.id, "day": day.isoformat(), "key": key, "done": done}

    def _worded(self, group: list, habits: dict, histories: dict, now: datetime) -> tuple[Notification, dict | None]:
        """The notification for the reminders of one minute: one habit's with its buttons, or one naming each
        (whose buttons could not say which habit they mean, so it has none)."""
        if len(group) == 1:
            slot = group[0]
            return self._reminder(habits[slot.habit_id], histories[slot.habit_id], slot.day, slot.key, now)
        items = [(habits[s.habit_id], histories[s.habit_id]) for s in group]
        return together_notification(items, now, self.settings.first_weekday, self.settings.today(now)), None

    def handle_actions(self) -> None:
        """Log a check-in for Done, plan a new reminder for Snooze; only for our own notifications."""
        for event in self.notifier.poll_actions():
            target = self.state.buttons.get(str(event.notification_id))
            if target is None or (target.get("owner") and event.sender and target["owner"] != event.sender):
                continue  # not ours, or a server that has since been replaced
            if event.closed:
                self.state.buttons.pop(str(event.notification_id), None)
                continue
            now = self.now()
            try:
                if event.action == DONE_ACTION and target.get("done", 0) is None:
                    log.warning("ignored Done on %s: that notification offered no Done button", target["key"])
                elif event.action == DONE_ACTION:
                    outcome = self._done(target, now)
                    log.info("'%s' marked done from the notification", outcome.habit.name)
                elif event.action in SNOOZES:
                    due = self._snoozed_until(event.action, now)
                    self.snooze(target["habit"], target["day"], due, f"{target['key']}/snooze/{due:%H%M%S}")
                self.state.buttons.pop(str(event.notification_id), None)
                self._save_state()
            except ConnectError as error:
                log.warning("could not act on '%s': %s", event.action, error.message)
                # The click went to the desktop: the answer goes there too, not only to the journal.
                self._deliver(Notification("connect could not log that", error.message), now)
                self.state.buttons.pop(str(event.notification_id), None)
                self._save_state()

    def _snoozed_until(self, action: str, now: datetime) -> datetime:
        if action == SNOOZE_EVENING_ACTION:
            today = self.settings.today(now)
            evening = self.settings.instant(today, self.settings.evening_at, now.tzinfo)  # type: ignore[arg-type]
            return max(evening, now + SNOOZE)  # a click long after the reminder came: not at once
        return now + (timedelta(hours=1) if action == SNOOZE_HOUR_ACTION else SNOOZE)

    def _done(self, target: dict, now: datetime):
        """Log what a Done button stands for: the habit on its day, for whoever this device logs for."""
        day = date.fromisoformat(target["day"])
        minutes = target.get("done") or None
        with self.store.transaction(since=day, today=max(day, self.settings.today(now))) as transaction:
            snapshot = transaction.snapshot
            habit = resolve_active(snapshot.habits, target["habit"])
            by = who_logs(habit, snapshot.me, None, snapshot.names)
            return record_done(
                transaction, habit.id, day, now.replace(tzinfo=None), minutes, source="notification", by=by
            )

    def _send_pending(self, habits: dict[str, Habit], histories: dict[str, History], now: datetime) -> None:
        """Snoozed reminders and session ends: sent once, retried on failure, let go when too late."""
        keep = []
        for item in self.state.pending:
            habit = habits.get(item.habit) if item.habit else None
            day = date.fromisoformat(item.day) if item.day else self.settings.today(now)
            if item.next_try > now or self.stopping:
                keep.append(item)
                continue
            if now - item.due >= self.settings.grace:
                log.info("let go of %s: too late", item.key)
                continue
            if item.habit is not None and (
                habit is None
                or not needs_reminder(habit, histories[habit.id], day, self.settings.first_weekday, asked=True)
            ):
                continue  # done meanwhile, or removed
            if is_quiet(now, self.settings):
                item.next_try = quiet_end(now, self.settings)
                keep.append(item)
                continue
            if habit is not None:
                notification, target = self._reminder(habit, histories[habit.id], day, item.key, now)
            else:
                notification, target = Notification(item.title, item.body), None
            if not self._deliver(notification, now, button_target=target):
                item.next_try = now + RETRY
                keep.append(item)
        self.state.pending = keep
