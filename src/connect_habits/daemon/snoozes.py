"""Snoozes and repeats in the daemon: a snooze (a button's, or one asked for in a shell) holds a habit's
reminders until it sends its own, and ends their repeats; a repeating habit's reminder comes again until
it is done."""

from __future__ import annotations

import logging
from datetime import date, datetime

from ..core.history import History
from ..core.model import Habit
from ..core.reminders import Decision
from ..core.repeats import ended_by_snooze, hold, repeats_due, snooze_key
from ..errors import ConnectError
from ..storage.paths import Paths
from ..storage.snoozes import read_snoozes
from .part import DaemonPart
from .state import Pending

log = logging.getLogger("connect.daemon")


class Snoozes(DaemonPart):
    """The part of the daemon that holds reminders for a snooze and repeats them (a mixin of Daemon)."""

    paths: Paths

    def snooze(self, habit_id: str, day: str, until: datetime, key: str) -> None:
        """Owe a reminder of a habit at `until`, in place of an earlier snooze of it that day (the latest word counts)."""
        self.state.pending = [p for p in self.state.pending if not (p.habit == habit_id and p.day == day)]
        self.state.pending.append(Pending(key=key, due=until, next_try=until, habit=habit_id, day=day))
        habit = next((h for h in self.snapshot.habits if h.id == habit_id), None)
        for repeat in ended_by_snooze(habit, date.fromisoformat(day), until, self.settings.day_starts) if habit else []:
            self.state.mark_sent(repeat, until)
        name = habit.name if habit is not None else habit_id
        log.info("snoozed '%s' of %s until %s", name, day, f"{until:%H:%M}")

    def take_snoozes(self, now: datetime) -> None:
        """The snoozes asked for in a shell become owed reminders, each once."""
        try:
            snoozes = read_snoozes(self.paths)
        except ConnectError as error:
            log.warning("could not read the snoozes: %s", error.message)
            return
        for snooze in snoozes:
            key = snooze_key(snooze.habit_id, snooze.day, snooze.until)
            if key in self.state.sent or now - snooze.until >= self.settings.grace:
                continue
            self.snooze(snooze.habit_id, snooze.day.isoformat(), snooze.until, key)
            self.state.mark_sent(key, now)

    def held(self, now: datetime) -> dict[str, datetime]:
        """The habits snoozed until later today, and until when."""
        today = self.settings.today(now).isoformat()
        return {p.habit: p.due for p in self.state.pending if p.habit and p.day == today and p.due > now}

    def with_snoozes_and_repeats(
        self, decision: Decision, mine: list[Habit], histories: dict[str, History], now: datetime
    ) -> Decision:
        """The reminders to send at `now`, less those a snooze holds, with the repeats that are due."""
        self.take_snoozes(now)
        held = self.held(now)
        decision = hold(decision, held, now)
        repeats = repeats_due(mine, histories, now, self.state.sent, self.settings, held)
        send = sorted(decision.send + repeats.send, key=lambda slot: slot.instant)
        return Decision(send, decision.drop + repeats.drop)
