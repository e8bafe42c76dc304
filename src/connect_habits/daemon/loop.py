"""The reminder daemon: sleeps until the next event, reminds of what is due and unmet, never twice.

`schedule` says when the next reminder time comes; our own rules (core/reminders.py) decide
what to send whenever the daemon wakes, because `schedule` would run a job missed during a
suspend however late, and forgets everything on a restart. What was sent, what is still
owed (snoozes, a session's end) and what each button means live in the state file, so a
restart neither repeats a reminder nor forgets a snooze.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import socket
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import schedule

from .. import clock
from ..core.cadence import week_start
from ..core.history import History
from ..core.model import Habit, Snapshot
from ..core.reminders import (
    SNOOZE,
    ReminderSettings,
    is_quiet,
    needs_reminder,
    quiet_end,
    reminder_view,
    reminders_due,
    settings_from_config,
    summary_due,
)
from ..errors import ConnectError
from ..storage.actions import record_done, settle_sessions
from ..storage.config import load_config
from ..storage.fileio import try_lock
from ..storage.layout import HISTORY_FILE
from ..storage.paths import Paths, ensure_private_dir
from ..storage.store import Store
from .messages import reminder_notification, summary_notification
from .notify import DONE_ACTION, SNOOZE_ACTION, Notification, Notifier
from .state import DaemonState, Pending, load_state, save_state
from .watch import POLL_SECONDS, FileWatcher

log = logging.getLogger("connect.daemon")

MAX_SLEEP = 60.0  # wake at least once a minute, so a suspend or a clock change is noticed
RETRY = 30.0  # seconds until a failed send or scan is tried again
CLOCK_JUMP = 5.0
DAEMON_LOCK = "daemon.lock"
EXIT_ALREADY_RUNNING = 3  # the unit's RestartPreventExitStatus: no restart loop beside a running daemon
WEEKDAY_JOBS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


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
        self.stopping = False
        self.retry_at: datetime | None = None
        self.last_scan: datetime | None = None

    @property
    def retry_pending(self) -> bool:
        return self.retry_at is not None

    # ------------------------------------------------------------ reading

    def reload(self) -> None:
        """Re-read config and data, and rebuild the reminder times; a bad setting falls back to its default."""
        clock.local_zone.cache_clear()  # the machine may have moved to another time zone
        problems: list[str] = []
        config = load_config(self.paths.config_file)
        self.store = Store(self.paths, config)
        self.settings = settings_from_config(config.extra, config.first_weekday, problems)
        for problem in problems:
            log.warning("config: %s Using the default.", problem)
        self.snapshot = self._load(self.now())
        self.scheduler.clear()
        times = {at for habit in self.snapshot.habits if not habit.archived for at in habit.at}
        if self.settings.quiet is not None:
            times.add(f"{self.settings.quiet.end:%H:%M}")  # deferred reminders go out when quiet ends
        for at in sorted(times):
            self.scheduler.every().day.at(at).do(self.tick)
        summary_job = getattr(self.scheduler.every(), WEEKDAY_JOBS[self.settings.summary_weekday])
        summary_job.at(self.settings.summary_at).do(self.tick)
        log.info("loaded %d habits, %d reminder times", len(self.snapshot.habits), len(times))

    # ------------------------------------------------------------ deciding

    def tick(self) -> None:
        """A wake-up with something to do: scan, and never let an error stop the loop."""
        now = self.now()
        try:
            self.scan(now)
        except Exception as error:  # noqa: BLE001 — logged; tried again shortly
            log.error("scan failed: %s", _one_line(error))
            self.retry_at = now + _seconds(RETRY)

    def scan(self, now: datetime) -> None:
        """Send what is due at `now`: session ends, reminders, snoozes and the weekly summary."""
        self.retry_at = None
        self.last_scan = now
        snapshot = self._settled_snapshot(now)
        mine, histories = reminder_view(
            snapshot.habits, snapshot.checkins, snapshot.skips, snapshot.me, snapshot.folds, snapshot.since
        )
        habits = {h.id: h for h in mine}
        decision = reminders_due(mine, histories, now, self.state.sent, self.settings)
        for slot in decision.drop:
            self.state.mark_sent(slot.key, now)  # superseded by a later time: never a backlog
            log.info("dropped reminder %s, superseded by a later one", slot.key)
        for slot in decision.send:
            if self.stopping:
                break
            habit = habits[slot.habit_id]
            try:
                notification = reminder_notification(habit, histories[habit.id], now, self.settings.first_weekday)
            except Exception as error:  # noqa: BLE001 — one broken habit must not silence the others
                log.error("could not word the reminder for %s: %s", slot.key, _one_line(error))
                continue
            if self._deliver(notification, now, button_target=(habit.id, slot.day, slot.key)):
                self.state.mark_sent(slot.key, now)
                self._save_state()  # at once: a crash right after must not repeat it
        self._send_pending(habits, histories, now)
        summary_key = summary_due(now, self.state.sent, self.settings)
        if (
            summary_key
            and not self.stopping
            and self._deliver(summary_notification(snapshot, now, self.settings.first_weekday), now)
        ):
            self.state.mark_sent(summary_key, now)
        self.state.prune(now)
        self._save_state()

    def _load(self, now: datetime) -> Snapshot:
        """The recent weeks and the habits' folds: a reminder looks at this week, its streak further back."""
        today = now.date()
        return self.store.load(since=week_start(today, self.settings.first_weekday) - timedelta(days=7), today=today)

    def _settled_snapshot(self, now: datetime) -> Snapshot:
        snapshot = self._load(now)
        if any(s.ends <= now for s in snapshot.sessions):
            today = now.date()
            with self.store.transaction(
                since=week_start(today, self.settings.first_weekday) - timedelta(days=7), today=today
            ) as transaction:
                ended = settle_sessions(transaction, now)
            # A session begun in a month the folds sum up changes them: read again, as a command would.
            snapshot = self._load(now) if transaction.folds_outdated else transaction.snapshot
            for end in ended:
                minutes = end.checkin.minutes if end.checkin else 0
                log.info("tech-free session for '%s' ended: %d min logged", end.habit.name, minutes)
                self.state.pending.append(
                    Pending(
                        key=f"session/{end.session.id}",
                        due=end.session.ends,
                        next_try=now,
                        title=f"Tech-free time is over: {minutes} min",
                        body=f"Logged {minutes} minutes of '{end.habit.name}'. Welcome back.",
                    )
                )
        self.snapshot = snapshot
        return snapshot

    def _send_pending(self, habits: dict[str, Habit], histories: dict[str, History], now: datetime) -> None:
        """Snoozed reminders and session ends: sent once, retried on failure, let go when too late."""
        keep = []
        for item in self.state.pending:
            habit = habits.get(item.habit) if item.habit else None
            day = date.fromisoformat(item.day) if item.day else now.date()
            if item.next_try > now or self.stopping:
                keep.append(item)
                continue
            if now - item.due >= self.settings.grace:
                log.info("let go of %s: too late", item.key)
                continue
            if item.habit is not None and (
                habit is None or not needs_reminder(habit, histories[habit.id], day, self.settings.first_weekday)
            ):
                continue  # done meanwhile, or removed
            if is_quiet(now, self.settings):
                item.next_try = quiet_end(now, self.settings)
                keep.append(item)
                continue
            if habit is not None:
                notification = reminder_notification(habit, histories[habit.id], now, self.settings.first_weekday)
                target = (habit.id, day, item.key)
            else:
                notification, target = Notification(item.title, item.body), None
            if not self._deliver(notification, now, button_target=target):
                item.next_try = now + _seconds(RETRY)
                keep.append(item)
        self.state.pending = keep

    def _deliver(
        self, notification: Notification, now: datetime, button_target: tuple[str, date, str] | None = None
    ) -> bool:
        delivery = self.notifier.send(notification)
        self.state.backend = delivery.backend
        self.state.remember(now, notification.title, delivery.backend, delivery.ok, delivery.error)
        if not delivery.ok:
            log.warning(
                "could not send '%s' via %s: %s; will retry",
                _one_line(notification.title),
                delivery.backend,
                delivery.error,
            )
            self.retry_at = now + _seconds(RETRY)
            return False
        if delivery.error:
            log.warning("sent '%s' via %s, but %s", _one_line(notification.title), delivery.backend, delivery.error)
        else:
            log.info("sent '%s' via %s (id %s)", _one_line(notification.title), delivery.backend, delivery.id)
        if button_target is not None and delivery.id is not None:
            habit_id, day, key = button_target
            self.state.buttons[str(delivery.id)] = {
                "habit": habit_id,
                "day": day.isoformat(),
                "key": key,
                "owner": delivery.owner,
                "at": now.isoformat(timespec="seconds"),
            }
        return True

    # ------------------------------------------------------------ buttons

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
                if event.action == DONE_ACTION:
                    day = date.fromisoformat(target["day"])
                    with self.store.transaction(since=day, today=max(day, now.date())) as transaction:
                        outcome = record_done(
                            transaction, target["habit"], day, now.replace(tzinfo=None), source="notification"
                        )
                    log.info("'%s' marked done from the notification", outcome.habit.name)
                elif event.action == SNOOZE_ACTION:
                    due = now + SNOOZE
                    self.state.pending.append(
                        Pending(
                            key=f"{target['key']}/snooze/{due:%H%M%S}",
                            due=due,
                            next_try=due,
                            habit=target["habit"],
                            day=target["day"],
                        )
                    )
                    log.info("snoozed %s until %s", target["key"], f"{due:%H:%M}")
                self.state.buttons.pop(str(event.notification_id), None)
                self._save_state()
            except ConnectError as error:
                log.warning("could not act on '%s': %s", event.action, error.message)

    # ------------------------------------------------------------ the loop

    def timers(self) -> list[datetime]:
        """The instants the daemon must wake for besides the schedule: owed notifications, session ends."""
        return [p.next_try for p in self.state.pending] + [s.ends for s in self.snapshot.sessions]

    def sleep_seconds(self, now: datetime) -> float:
        """Until the next event in the future; at most MAX_SLEEP. Past instants never make it spin."""
        candidates = [MAX_SLEEP]
        idle = self.scheduler.idle_seconds
        if idle is not None and idle > 0:
            candidates.append(idle)
        future = [t for t in self.timers() + ([self.retry_at] if self.retry_at else []) if t > now]
        candidates += [(t - now).total_seconds() for t in future]
        return max(0.0, min(candidates))

    def timers_due(self, now: datetime) -> bool:
        """Whether a timer has come due since the last scan, or a retry is due."""
        if self.retry_at is not None and self.retry_at <= now:
            return True
        since = self.last_scan
        return any((since is None or t > since) and t <= now for t in self.timers())

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
            return EXIT_ALREADY_RUNNING
        wake_read, wake_write = socket.socketpair()
        wake_read.setblocking(False)
        wake_write.setblocking(False)
        received: list[int] = []

        def on_signal(number: int, _frame) -> None:
            received.append(number)
            if number != getattr(signal, "SIGHUP", None):
                self.stopping = True  # seen at once, even between two sends of one scan

        previous_fd = signal.set_wakeup_fd(wake_write.fileno(), warn_on_full_buffer=False)
        for name in ("SIGTERM", "SIGINT", "SIGHUP"):  # no SIGHUP on Windows
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), on_signal)
        watcher = self._watcher()
        self.state.pid, self.state.started = os.getpid(), self.now().isoformat(timespec="seconds")
        self.state.backend = self.notifier.name
        log.info("started (pid %d, backend %s, data %s)", os.getpid(), self.notifier.name, self.paths.data_dir)
        try:
            self._safely(self.reload)
            self.tick()  # catch up on what was missed while the daemon was down
            wall, mono = time.time(), time.monotonic()
            while not self.stopping:
                timeout = self._safely(lambda: self.sleep_seconds(self.now()), default=RETRY)
                if watcher.polling:
                    timeout = min(timeout, POLL_SECONDS)
                fds = [wake_read.fileno()] + [fd for fd in (watcher.fileno(), self.notifier.fileno()) if fd is not None]
                select.select(fds, [], [], timeout)
                _drain(wake_read)
                reload = False
                while received:
                    number = received.pop(0)
                    if number == getattr(signal, "SIGHUP", None):
                        log.info("SIGHUP: reloading")
                        reload = True
                    else:
                        log.info("%s: stopping", signal.Signals(number).name)
                if self.stopping:
                    break
                jumped = abs((time.time() - wall) - (time.monotonic() - mono)) > CLOCK_JUMP
                wall, mono = time.time(), time.monotonic()
                if jumped:
                    log.info("the clock jumped (suspend, resume or a time change): catching up")
                if watcher.changed() or reload or jumped:
                    self._safely(self.reload)
                    self.tick()  # a reload may have moved a time that was due right now to tomorrow
                    if watcher.folders != self._watched_folders():
                        watcher.close()  # sharing started or stopped: watch the right folder
                        watcher = self._watcher()
                if self.state.buttons:
                    self.notifier.listen()
                self._safely(self.handle_actions)
                self._safely(self.scheduler.run_pending)
                if self._safely(lambda: self.timers_due(self.now()), default=False):
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

    def _watched_folders(self) -> set[Path]:
        return {self.paths.data_file.parent, self.paths.config_file.parent} | (
            {self.store.layout.folder} if self.store.layout.folder else set()
        )

    def _watcher(self) -> FileWatcher:
        """Watch the data, the config and, when shared, every device's file in the shared folder."""
        return FileWatcher([self.paths.data_file, self.paths.config_file], self._watched_folders(), HISTORY_FILE)

    def _safely(self, action, default=None):
        try:
            return action()
        except Exception as error:  # noqa: BLE001 — one bad event must not stop the daemon
            log.error("%s failed: %s", getattr(action, "__name__", "a job"), _one_line(error))
            self.retry_at = self.now() + _seconds(RETRY)
            return default


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


def _drain(sock: socket.socket) -> None:
    try:
        while sock.recv(4096):
            pass
    except (BlockingIOError, InterruptedError):
        pass


def _one_line(value: object) -> str:
    text = str(value).strip() or type(value).__name__
    return " ".join(text.split())
