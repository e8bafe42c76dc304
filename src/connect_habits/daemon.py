"""The reminder daemon: sleeps until the next event, reminds of what is due and unmet, never twice.

`schedule` says when the next reminder time comes; our own rules (reminders.py) decide
what to send when the daemon wakes, because `schedule` would run a job missed during a
suspend however late, and forgets everything on a restart. What was sent is kept in
the state file, so a restart does not repeat a reminder.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import socket
import sys
import time
from datetime import datetime, timedelta

import schedule

from . import clock
from .actions import record_done, settle_sessions
from .catalog import find_template
from .config import load_config
from .errors import ConnectError
from .fileio import try_lock
from .model import Habit, Snapshot
from .notify import DONE_ACTION, SNOOZE_ACTION, Notification, Notifier
from .paths import Paths, ensure_private_dir
from .reminders import (
    SNOOZE, ReminderSettings, Slot, is_quiet, needs_reminder, reminders_due, settings_from_config, summary_due,
)
from .render import progress_text, streak_text
from .state import DaemonState, load_state, save_state
from .store import Store
from .streaks import History, build_histories, habit_week, week_summary
from .watch import POLL_SECONDS, FileWatcher

log = logging.getLogger("connect.daemon")

MAX_SLEEP = 60.0  # wake at least once a minute, so a suspend or a clock change is noticed
RETRY_SECONDS = 30.0
CLOCK_JUMP = 5.0
DAEMON_LOCK = "daemon.lock"


class Daemon:
    """One reminder daemon for one connect home. `scan(now)` is the whole decision; `run()` the loop."""

    def __init__(self, paths: Paths, notifier: Notifier, now=clock.now_aware):
        self.paths = paths
        self.store = Store(paths)
        self.notifier = notifier
        self.now = now
        self.state: DaemonState = load_state(paths.state_file)
        self.settings = ReminderSettings()
        self.snapshot = Snapshot()
        self.scheduler = schedule.Scheduler()
        self.retry_pending = False
        self.stopping = False
        self._reload_wanted = False
        self._actions: dict[int, tuple[str, str, str]] = {}  # notification id -> (habit id, day, key)

    # ------------------------------------------------------------ reading

    def reload(self) -> None:
        """Re-read config and data, and rebuild the reminder times."""
        config = load_config(self.paths.config_file)
        self.settings = settings_from_config(config.extra, config.first_weekday)
        self.snapshot = self.store.load()
        self.scheduler.clear()
        times = {at for habit in self.snapshot.habits if not habit.archived for at in habit.at}
        if self.settings.quiet is not None:
            times.add(f"{self.settings.quiet.end:%H:%M}")  # deferred reminders go out when quiet ends
        for at in sorted(times):
            self.scheduler.every().day.at(at).do(self.tick)
        weekday = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")[
            self.settings.summary_weekday]
        getattr(self.scheduler.every(), weekday).at(self.settings.summary_at).do(self.tick)
        log.info("loaded %d habits, %d reminder times", len(self.snapshot.habits), len(times))

    # ------------------------------------------------------------ deciding

    def tick(self) -> None:
        """A scheduled wake-up: scan, and never let an error stop the loop."""
        try:
            self.scan(self.now())
        except Exception as error:  # noqa: BLE001 — logged; the next event tries again
            log.error("scan failed: %s", _one_line(error))
            self.retry_pending = True

    def scan(self, now: datetime) -> None:
        """Send what is due at `now`: ended sessions, reminders, snoozes and the weekly summary."""
        self.retry_pending = False
        snapshot = self._settled_snapshot(now)
        histories = build_histories(snapshot.checkins, snapshot.skips)
        habits = {h.id: h for h in snapshot.habits}
        decision = reminders_due(snapshot.habits, histories, now, self.state.sent, self.settings)
        for slot in decision.drop:
            self.state.mark_sent(slot.key, now)  # superseded by a later time: never a backlog
            log.info("dropped reminder %s, superseded by a later one", slot.key)
        for slot in decision.send:
            habit = habits[slot.habit_id]
            if self._deliver(self._reminder(habit, histories[habit.id], now), now, slot=slot):
                self.state.mark_sent(slot.key, now)
        self._send_snoozes(habits, histories, now)
        summary_key = summary_due(now, self.state.sent, self.settings)
        if summary_key and self._deliver(self._summary(snapshot, now), now):
            self.state.mark_sent(summary_key, now)
        self.state.prune(now)
        self._save_state()

    def _settled_snapshot(self, now: datetime) -> Snapshot:
        snapshot = self.store.load()
        if any(s.ends <= now for s in snapshot.sessions):
            with self.store.transaction() as transaction:
                ended = settle_sessions(transaction, now)
            snapshot = transaction.snapshot
            for end in ended:
                minutes = end.checkin.minutes if end.checkin else 0
                log.info("tech-free session for '%s' ended: %d min logged", end.habit.name, minutes)
                self._deliver(Notification(
                    f"Tech-free time is over: {minutes} min",
                    f"Logged {minutes} minutes of '{end.habit.name}'. Welcome back.",
                ), now)
        self.snapshot = snapshot
        return snapshot

    def _send_snoozes(self, habits: dict[str, Habit], histories: dict[str, History], now: datetime) -> None:
        keep = []
        for snooze in self.state.snoozes:
            due = datetime.fromisoformat(snooze["due"])
            habit = habits.get(snooze["habit"])
            day = datetime.fromisoformat(snooze["day"]).date() if "day" in snooze else due.date()
            if due > now:
                keep.append(snooze)
            elif habit is None or now - due >= self.settings.grace or not needs_reminder(
                    habit, histories[habit.id], day, self.settings.first_weekday):
                continue  # done meanwhile, removed, or too late: let it go
            elif is_quiet(now, self.settings):
                keep.append(snooze)
            elif not self._deliver(self._reminder(habit, histories[habit.id], now), now,
                                   slot=Slot(habit.id, day, snooze["key"], due)):
                keep.append(snooze)
        self.state.snoozes = keep

    def _deliver(self, notification: Notification, now: datetime, slot: Slot | None = None) -> bool:
        delivery = self.notifier.send(notification)
        self.state.backend = delivery.backend
        self.state.remember(now, notification.title, delivery.backend, delivery.ok, delivery.error)
        if delivery.ok:
            log.info("sent '%s' via %s (id %s)", _one_line(notification.title), delivery.backend, delivery.id)
            if slot is not None and delivery.id is not None:
                self._actions[delivery.id] = (slot.habit_id, slot.day.isoformat(), slot.key)
        else:
            log.warning("could not send '%s' via %s: %s; will retry", _one_line(notification.title),
                        delivery.backend, delivery.error)
            self.retry_pending = True
        return delivery.ok

    # ------------------------------------------------------------ what the notifications say

    def _reminder(self, habit: Habit, history: History, now: datetime) -> Notification:
        row = habit_week(habit, history, now.date(), now.date(), self.settings.first_weekday)
        prompt = _pick_prompt(habit, now)
        progress = f"This week {progress_text(row)} · streak {streak_text(row.streak, row.streak_unit)}"
        body = f"{prompt}\n{progress}" if prompt else progress
        actions = ((SNOOZE_ACTION, "Snooze 15 min"),) if habit.measured_in_minutes else (
            (DONE_ACTION, "Done"), (SNOOZE_ACTION, "Snooze 15 min"))
        return Notification(habit.name, body, actions)

    def _summary(self, snapshot: Snapshot, now: datetime) -> Notification:
        summary = week_summary(snapshot.habits, snapshot.checkins, snapshot.skips, now.date(),
                               first_weekday=self.settings.first_weekday)
        lines = [f"{row.habit.name}: {progress_text(row)}, streak {streak_text(row.streak, row.streak_unit)}"
                 for row in summary.habits]
        return Notification("Your week together", "\n".join(lines) or "No habits yet.")

    # ------------------------------------------------------------ buttons

    def handle_actions(self) -> None:
        """Log a check-in for Done, plan a new reminder for Snooze."""
        for event in self.notifier.poll_actions():
            target = self._actions.get(event.notification_id)
            if target is None:
                continue
            habit_id, day, key = target
            now = self.now()
            try:
                if event.action == DONE_ACTION:
                    with self.store.transaction() as transaction:
                        outcome = record_done(transaction, habit_id, datetime.fromisoformat(day).date(),
                                              now.replace(tzinfo=None), source="notification")
                    log.info("'%s' marked done from the notification", outcome.habit.name)
                elif event.action == SNOOZE_ACTION:
                    due = now + SNOOZE
                    self.state.snoozes.append({"habit": habit_id, "day": day, "key": f"{key}/snooze/{due:%H%M%S}",
                                               "due": due.isoformat(timespec="seconds")})
                    self._save_state()
                    log.info("snoozed %s until %s", key, f"{due:%H:%M}")
            except ConnectError as error:
                log.warning("could not act on '%s': %s", event.action, error.message)

    # ------------------------------------------------------------ the loop

    def sleep_seconds(self, now: datetime) -> float:
        """Until the next event: a reminder time, a snooze, a session's end; at most MAX_SLEEP."""
        candidates = [MAX_SLEEP]
        idle = self.scheduler.idle_seconds
        if idle is not None:
            candidates.append(idle)
        candidates += [(datetime.fromisoformat(s["due"]) - now).total_seconds() for s in self.state.snoozes]
        candidates += [(s.ends - now).total_seconds() for s in self.snapshot.sessions]
        if self.retry_pending:
            candidates.append(RETRY_SECONDS)
        return max(0.0, min(candidates))

    def _save_state(self) -> None:
        try:
            save_state(self.paths.state_file, self.state)
        except ConnectError as error:
            log.error("could not save the daemon state: %s", error.message)

    def run(self) -> int:
        """Run until SIGTERM/SIGINT; SIGHUP reloads. Returns the exit code."""
        ensure_private_dir(self.paths.data_dir)
        lock = try_lock(self.paths.data_dir / DAEMON_LOCK)
        if lock is None:
            log.error("another connect daemon is already running for %s", self.paths.data_dir)
            return 1
        wake_read, wake_write = socket.socketpair()
        wake_read.setblocking(False)
        wake_write.setblocking(False)
        received: list[int] = []
        previous_fd = signal.set_wakeup_fd(wake_write.fileno(), warn_on_full_buffer=False)
        for name in ("SIGTERM", "SIGINT", "SIGHUP"):  # no SIGHUP on Windows
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), lambda number, _frame: received.append(number))
        watcher = FileWatcher([self.paths.data_file, self.paths.config_file])
        self.state.pid, self.state.started = os.getpid(), self.now().isoformat(timespec="seconds")
        self.state.backend = self.notifier.name
        log.info("started (pid %d, backend %s, data %s)", os.getpid(), self.notifier.name, self.paths.data_dir)
        try:
            self._safely(self.reload)
            self.tick()  # catch up on what was missed while the daemon was down
            wall, mono = time.time(), time.monotonic()
            while not self.stopping:
                timeout = self.sleep_seconds(self.now())
                if watcher.polling:
                    timeout = min(timeout, POLL_SECONDS)
                fds = [wake_read.fileno()] + [fd for fd in (watcher.fileno(), self.notifier.fileno()) if fd is not None]
                select.select(fds, [], [], timeout)
                _drain(wake_read)
                for number in received:
                    if number == getattr(signal, "SIGHUP", None):
                        log.info("SIGHUP: reloading")
                        self._reload_wanted = True
                    else:
                        log.info("%s: stopping", signal.Signals(number).name)
                        self.stopping = True
                received.clear()
                if self.stopping:
                    break
                if watcher.changed():
                    self._reload_wanted = True
                if self._reload_wanted:
                    self._reload_wanted = False
                    self._safely(self.reload)
                self._safely(self.handle_actions)
                jumped = abs((time.time() - wall) - (time.monotonic() - mono)) > CLOCK_JUMP
                wall, mono = time.time(), time.monotonic()
                if jumped:
                    log.info("the clock jumped (suspend, resume or a time change): catching up")
                    self._safely(self.reload)
                self._safely(self.scheduler.run_pending)
                if jumped or self.retry_pending or self._timers_due():
                    self.tick()
        finally:
            watcher.close()
            self.notifier.close()
            signal.set_wakeup_fd(previous_fd)
            wake_read.close()
            wake_write.close()
            self._save_state()
            os.close(lock)
            log.info("stopped")
        return 0

    def _timers_due(self) -> bool:
        now = self.now()
        return any(datetime.fromisoformat(s["due"]) <= now for s in self.state.snoozes) or any(
            s.ends <= now for s in self.snapshot.sessions)

    def _safely(self, action) -> None:
        try:
            action()
        except Exception as error:  # noqa: BLE001 — one bad event must not stop the daemon
            log.error("%s failed: %s", getattr(action, "__name__", "a job"), _one_line(error))
            self.retry_pending = True


def _pick_prompt(habit: Habit, now: datetime) -> str:
    prompts = list(habit.prompts)
    if not prompts and habit.template:
        try:
            prompts = list(find_template(habit.template).prompts)
        except ConnectError:
            prompts = []
    # A different prompt each day, the same one all day (a snooze repeats it).
    return prompts[now.date().toordinal() % len(prompts)] if prompts else ""


def _drain(sock: socket.socket) -> None:
    try:
        while sock.recv(4096):
            pass
    except (BlockingIOError, InterruptedError):
        pass


def _one_line(value: object) -> str:
    text = str(value).strip() or type(value).__name__
    return " ".join(text.split())


class _JournalFormatter(logging.Formatter):
    """One line per event; with journald's priority prefix when stderr goes to the journal."""

    PRIORITIES = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3, logging.CRITICAL: 2}

    def __init__(self, journal: bool):
        super().__init__("%(message)s" if journal else "%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S")
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        text = " ".join(super().format(record).split())
        return f"<{self.PRIORITIES.get(record.levelno, 6)}>{text}" if self.journal else text


def configure_logging() -> None:
    """Log to stderr, one line per event, no colours; journald-style priorities under systemd."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JournalFormatter(journal="JOURNAL_STREAM" in os.environ))
    root = logging.getLogger("connect")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False
