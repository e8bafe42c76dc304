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
from datetime import UTC, date, datetime, timedelta

import schedule

from .. import clock
from ..core.cadence import week_start
from ..core.model import Snapshot
from ..core.reminders import (
    Decision,
    ReminderSettings,
    reminder_view,
    reminders_due,
    same_minute,
    settings_from_config,
    slots_on,
    summary_due,
    wall_instant,
)
from ..core.repeats import repeat_times
from ..errors import ConnectError
from ..storage.actions import settle_sessions
from ..storage.config import load_config
from ..storage.fileio import try_lock
from ..storage.paths import Paths, ensure_private_dir
from ..storage.store import Store
from .buttons import Buttons
from .digest import Digest
from .folders import DAEMON_LOCK, Folders
from .messages import summary_notification
from .notify import Notification, Notifier
from .partner import PartnerNews
from .snoozes import Snoozes
from .state import DaemonState, Pending, load_state, save_state, set_aside
from .watch import POLL_SECONDS, SETTLE_SECONDS

log = logging.getLogger("connect.daemon")

MAX_SLEEP = 60.0  # wake at least once a minute, so a suspend or a clock change is noticed
RETRY = 30.0  # seconds until a failed send or scan is tried again
CLOCK_JUMP = 5.0
EXIT_ALREADY_RUNNING = 3  # the unit's RestartPreventExitStatus: no restart loop beside a running daemon
WEEKDAY_JOBS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Daemon(Buttons, Digest, PartnerNews, Snoozes, Folders):
    """One reminder daemon for one connect home. `scan(now)` is the whole decision; `run()` the loop."""

    def __init__(self, paths: Paths, notifier: Notifier, now=clock.now_aware):
        self.paths = paths
        self.store = Store(paths)
        self.notifier = notifier
        self.now = now
        self.state: DaemonState = load_state(paths.state_file)
        # Without a readable memory of what was sent, what is already past is not sent again.
        self.repeat_nothing_before: datetime | None = self._recover_state() if self.state.damaged else None
        self.settings = ReminderSettings()
        self.snapshot = Snapshot()
        self.scheduler = schedule.Scheduler()
        self.stopping = False
        self.retry_at: datetime | None = None
        self.last_scan: datetime | None = None
        self.lock = -1  # the daemon lock's descriptor while running

    def _recover_state(self) -> datetime:
        now = self.now()
        log.warning(
            "%s; reminders due before %s are not sent again",
            set_aside(self.paths.state_file, now, self.state.damaged),
            f"{now:%H:%M}",
        )
        return now

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
        if self.repeat_nothing_before is not None:
            unsure = [s for s in decision.send if s.instant < self.repeat_nothing_before]
            decision = Decision([s for s in decision.send if s not in unsure], decision.drop)
            for slot in unsure:
                self.state.mark_sent(slot.key, now)
                log.info("did not send %s: it may have gone out before the state was damaged", slot.key)
        decision = self.fold_into_digest(self.with_snoozes_and_repeats(decision, mine, histories, now), now)
        for slot in decision.drop:
            self.state.mark_sent(slot.key, now)  # superseded by a later time: never a backlog
            log.info("dropped reminder %s, superseded by a later one", slot.key)
        for group in same_minute(decision.send):
            if self.stopping:
                break
            try:
                notification, target = self._worded(group, habits, histories, now)
            except Exception as error:  # noqa: BLE001 — one broken habit must not silence the others
                log.error("could not word the reminder for %s: %s", group[0].key, _one_line(error))
                continue
            if self._deliver(notification, now, button_target=target):
                for slot in group:
                    self.state.mark_sent(slot.key, now)
                self._save_state()  # at once: a crash right after must not repeat it
        self._send_pending(habits, histories, now)
        self.send_digest(mine, histories, now)
        self.send_partner_news(snapshot, now)
        summary_key = summary_due(now, self.state.sent, self.settings)
        if summary_key and self.repeat_nothing_before is not None:
            day = date.fromisoformat(summary_key.split("/")[1])
            if self.settings.instant(day, self.settings.summary_at, now.tzinfo or UTC) < self.repeat_nothing_before:
                self.state.mark_sent(summary_key, now)
                summary_key = None
        if (
            summary_key
            and snapshot.habits  # none: a new home, or its folder away (a restore, a move): nothing to sum up
            and not self.stopping
            and self._deliver(
                summary_notification(snapshot, now, self.settings.first_weekday, self.settings.today(now)), now
            )
        ):
            self.state.mark_sent(summary_key, now)
        self.state.prune(now)
        self._save_state()

    def _load(self, now: datetime) -> Snapshot:
        """The recent weeks and the habits' folds: a reminder looks at this week, its streak further back."""
        today = self.settings.today(now)
        return self.store.load(since=week_start(today, self.settings.first_weekday) - timedelta(days=7), today=today)

    def _settled_snapshot(self, now: datetime) -> Snapshot:
        snapshot = self._load(now)
        if any(s.ends <= now for s in snapshot.sessions):
            today = self.settings.today(now)
            with self.store.transaction(
                since=week_start(today, self.settings.first_weekday) - timedelta(days=7), today=today
            ) as transaction:
                ended = settle_sessions(transaction, now, self.settings.day_starts)
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

    def _deliver(self, notification: Notification, now: datetime, button_target: dict | None = None) -> bool:
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
            self.state.buttons[str(delivery.id)] = dict(
                button_target, owner=delivery.owner, at=now.isoformat(timespec="seconds")
            )
        return True

    # ------------------------------------------------------------ the loop

    def timers(self) -> list[datetime]:
        """The instants the daemon must wake for: owed notifications, session ends, and the reminder
        times of today and tomorrow in the zone `remind` uses (`schedule` counts in the C library's
        local time, which can differ from it)."""
        now = self.now()
        zone = now.tzinfo or UTC
        times = [p.next_try for p in self.state.pending] + [s.ends for s in self.snapshot.sessions]
        times += repeat_times(self.snapshot.habits, now, self.state.sent, self.settings)
        today = self.settings.today(now)  # the day of `day_starts`: a time before it is the night after
        for day in (today, today + timedelta(days=1)):
            times += [slot.instant for slot in slots_on(self.snapshot.habits, day, zone, self.settings.day_starts)]
            if self.settings.quiet is not None:
                times.append(wall_instant(day, f"{self.settings.quiet.end:%H:%M}", zone))
            if day.weekday() == self.settings.summary_weekday:
                times.append(self.settings.instant(day, self.settings.summary_at, zone))
            if self.settings.digest_at is not None:
                times.append(self.settings.instant(day, self.settings.digest_at, zone))
        return times

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
        if not self.paths.data_dir.is_dir():
            return  # the folder is gone (a restore under way?): making it anew would put the restore inside it
        if not self._holds_folder():
            return  # a folder put back is another daemon's (it steps aside) or not taken yet: its state is not ours
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
        self.lock = lock
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
        disagreement = clock.zone_disagreement()
        if disagreement:
            log.warning("%s: reminders go out at the times `connect remind` shows", disagreement)
        try:
            self._safely(self.reload)
            if watcher.folders != self._watched_folders():  # the config names a shared folder: watch it too
                watcher.close()
                watcher = self._watcher()
            self.tick()  # catch up on what was missed while the daemon was down
            wall, mono = time.time(), time.monotonic()
            changed = False
            while not self.stopping:
                timeout = self._safely(lambda: self.sleep_seconds(self.now()), default=RETRY)
                if watcher.polling or watcher.blind:
                    timeout = min(timeout, POLL_SECONDS)
                if changed:  # a folder being removed may still be there at the first event: look once more
                    timeout = min(timeout, SETTLE_SECONDS)
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
                changed = watcher.changed()
                if watcher.gone and not watcher.missing:
                    log.warning("a watched folder was removed or moved away; waiting for it to come back")
                    watcher.missing = {folder for folder in watcher.folders if not folder.is_dir()} or {
                        self.paths.data_dir
                    }
                if watcher.blind and watcher.all_there():
                    log.info("the watched folders are back: reading them again")
                    if not self._relock():
                        return EXIT_ALREADY_RUNNING
                    watcher.close()
                    watcher = self._watcher()
                    changed = True
                if changed or reload or jumped:
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
            os.close(self.lock)
            log.info("stopped")
        return 0

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
