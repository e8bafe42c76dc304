"""Issue 6, attacks 1 and 2, with real processes and real files.

1. Load: the real `connect daemon run` on a private D-Bus session bus (with the test notification
   server) sends its reminders and keeps writing its state file, a tech-free session comes due in
   the middle, a notification's Done button is pressed in the middle, while 8 worker processes each
   run 50 real `connect done|skip|undo` commands on their own habit. Every acknowledged operation
   must be reflected exactly once; every lock-free read of the data and state files must parse.
2. Crash: a writer process (the Store API in-process: one check-in per transaction, acknowledged
   on a pipe after the transaction returned) is SIGKILLed at seeded random moments and restarted,
   200 times. After every kill the file parses and holds every acknowledged check-in, and the
   restarted writer makes progress within a second despite the stale lock and temp files.

Each test prints one summary line (`pytest -s` shows it) with the figures for RELIABILITY.md.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from connect_habits.core.habits import HabitOptions, new_habit
from connect_habits.core.model import DAILY, CheckIn, Habit, new_id
from connect_habits.storage.fileio import is_locked
from connect_habits.storage.paths import resolve_paths
from connect_habits.storage.store import Store
from support import CONNECT, raw_tables
from support.daemon_process import keep_the_weekly_summary_away


def store_of(home: Path) -> Store:
    return Store(resolve_paths({"CONNECT_HOME": str(home)}))


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".connect*.tmp"))


# ================================================================ 1. load, with the daemon running

WORKERS = 8
# The full 8 x 50. Measured: a `connect` command costs ~0.18 CPU-s (mostly imports), so the 400
# commands take ~72 CPU-s, ~40 s on 2 idle cores (67 s on a shared machine with load average 9).
OPS_PER_WORKER = 50
DATES_PER_WORKER = 6  # few dates per habit, so `undo` usually has something to remove
SESSION_LEAD = 5  # seconds after `connect unplug` until the tech-free session ends (mid-load)

# One worker: its own habit, a fixed plan of (op, date); records each command's exit code, in order.
WORKER = r"""
import json, resource, subprocess, sys
connect, slug, plan = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
log = []
for op, day in plan:
    proc = subprocess.run([connect, op, slug, "--date", day], capture_output=True, text=True, timeout=60)
    log.append([op, day, proc.returncode, proc.stderr.strip()[-300:]])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"log": log, "cpu": usage.ru_utime + usage.ru_stime}), flush=True)
"""


class DaemonProcess:
    """`connect daemon run` in the background on the test's private bus, its stderr in a file."""

    def __init__(self, home: Path, env: dict):
        self.home = home
        self.log = home.parent / "daemon.log"
        keep_the_weekly_summary_away(home, env)
        with open(self.log, "w") as log:
            self.process = subprocess.Popen([CONNECT, "daemon", "run"], env=env, stderr=log, stdout=subprocess.DEVNULL)

    def output(self) -> str:
        return self.log.read_text()

    def state(self) -> dict:
        return json.loads((self.home / "daemon-state.json").read_bytes())

    def wait_for(self, condition, what: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.process.poll() is None, f"daemon exited early:\n{self.output()}"
            assert time.monotonic() < deadline, f"{what} did not happen; daemon log:\n{self.output()}"
            time.sleep(0.05)

    def started(self) -> bool:
        try:
            return self.state().get("pid") == self.process.pid
        except (OSError, ValueError):
            return False

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def not_near_midnight():
    """`a minute ago` and the session's day must be today: wait out the first minutes after midnight."""
    now = datetime.now()
    if now.hour == 0 and now.minute < 2:
        time.sleep((now.replace(minute=2, second=1) - now).total_seconds())


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a live process has used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def plan_for(worker: int, today: date) -> list[tuple[str, str]]:
    """A seeded mix of done/skip/undo over this worker's own past dates (no two workers share a date)."""
    rng = random.Random(f"attack-1-worker-{worker}")
    days = [(today - timedelta(days=2 + worker * DATES_PER_WORKER + k)).isoformat() for k in range(DATES_PER_WORKER)]
    ops = rng.choices(("done", "skip", "undo"), weights=(5, 3, 3), k=OPS_PER_WORKER)
    return [(op, rng.choice(days)) for op in ops]


def replay(log: list) -> tuple[dict[str, dict[str, bool]], list[str], int]:
    """What the acknowledged operations imply for one habit: day -> {done, skipped}.

    Also returns the operations whose outcome contradicts the model (an unexpected failure, or an
    acknowledged undo of nothing) and how many refusals were expected (undo of an empty day).
    """
    state: dict[str, dict[str, bool]] = {}
    problems, refused = [], 0
    for op, day, code, err in log:
        day_state = state.setdefault(day, {"done": False, "skipped": False})
        should_succeed = op != "undo" or day_state["done"] or day_state["skipped"]
        if code == 0:
            if op == "done":
                day_state["done"] = True
            elif op == "skip":
                day_state["skipped"] = day_state["skipped"] or not day_state["done"]  # a done day stays as it is
            elif day_state["done"]:
                day_state["done"] = False  # undo removes the check-in first ...
            elif day_state["skipped"]:
                day_state["skipped"] = False  # ... else the skip
        if not should_succeed and code == 1 and "nothing logged" in err:
            refused += 1
        elif (code == 0) != should_succeed:
            problems.append(f"{op} {day}: exit {code}, expected {'0' if should_succeed else '1'}: {err}")
    return state, problems, refused


def named(notification: dict) -> list[str]:
    """The habits a notification names: one, or each of the reminders of one minute ("A, B and C")."""
    return notification["summary"].replace(" and ", ", ").split(", ")


def test_eight_cli_processes_under_load_with_the_daemon_running_lose_nothing(
    home, session_bus, notification_server, not_near_midnight
):
    env = dict(session_bus.env, CONNECT_HOME=str(home))
    env.pop("CONNECT_NOW", None)
    now = datetime.now()
    today = now.date()
    minute_ago = (now - timedelta(minutes=1)).strftime("%H:%M")
    two_minutes_ago = (now - timedelta(minutes=2)).strftime("%H:%M")  # Walk's own notification, with Done

    # Setup through the Store API (quick); every reminder time is a minute ago, so the daemon
    # sends them all at start and writes its state file.
    store = store_of(home)
    with store.transaction() as tx:
        for name, options in [
            *((f"load {w}", HabitOptions(at=[minute_ago])) for w in range(WORKERS)),
            ("Walk", HabitOptions(at=[two_minutes_ago])),
            ("Tech-free", HabitOptions(goal="2h/week")),
        ]:
            # Added well before the days the workers log and skip: a skip before a habit began changes nothing.
            habit = new_habit(tx.snapshot.habits, name, options, today - timedelta(days=365))
            tx.add_habit(habit)
            tx.snapshot.habits.append(habit)
    habits = {h.slug: h for h in store.load().habits}
    worker_slugs = [f"load-{w}" for w in range(WORKERS)]
    assert set(worker_slugs) <= set(habits)

    daemon = DaemonProcess(home, env)
    try:
        daemon.wait_for(daemon.started, "the daemon's first scan")
        reminder_names = {f"load {w}" for w in range(WORKERS)} | {"Walk"}
        daemon.wait_for(
            lambda: reminder_names <= {name for n in notification_server.notifications() for name in named(n)},
            "the reminders at start",
        )

        # A tech-free session that started SESSION_LEAD s short of a minute ago: it ends mid-load,
        # and the daemon (or whichever worker's command comes first) must log it exactly once.
        started = (datetime.now() - timedelta(seconds=60 - SESSION_LEAD)).isoformat(timespec="seconds")
        unplug = subprocess.run(
            [CONNECT, "unplug", "1m", "--habit", "tech-free"],
            capture_output=True,
            text=True,
            env=dict(env, CONNECT_NOW=started),
            timeout=60,
        )
        assert unplug.returncode == 0, unplug.stderr
        assert "daemon is not running" not in unplug.stdout

        plans = [plan_for(w, today) for w in range(WORKERS)]
        load_started = time.monotonic()
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER, CONNECT, slug, json.dumps(plan)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for slug, plan in zip(worker_slugs, plans)
        ]

        # Meanwhile: press Done on Walk's reminder (the daemon then writes the data file), and read
        # the data and state files without the lock over and over: each read must parse.
        walk_note = next(n for n in notification_server.notifications() if n["summary"] == "Walk")
        pressed = False
        reads = 0
        while any(w.poll() is None for w in workers):
            if not pressed and time.monotonic() - load_started > 2:
                notification_server.invoke_action(walk_note["id"], "connect-done")
                pressed = True
            json.loads((home / "connect.json").read_bytes())
            json.loads((home / "daemon-state.json").read_bytes())
            reads += 1
            assert daemon.process.poll() is None, f"the daemon died under load:\n{daemon.output()}"
            assert time.monotonic() - load_started < 150, "the load did not finish in 150 s"
            time.sleep(0.05)
        load_seconds = time.monotonic() - load_started
        results = [w.communicate(timeout=10) for w in workers]
        assert [w.returncode for w in workers] == [0] * WORKERS, [err for _, err in results]
        reports = [json.loads(out) for out, _ in results]
        logs = [report["log"] for report in reports]
        cli_cpu = sum(report["cpu"] for report in reports)

        daemon.wait_for(lambda: "marked done from the notification" in daemon.output(), "Done from the notification")
        time.sleep(0.5)  # let the daemon catch up with the last writes
        assert daemon.process.poll() is None, daemon.output()
        assert daemon.state()["pid"] == daemon.process.pid

        # ------------------------------------------------ what the acknowledged operations imply
        data = raw_tables(home)
        snapshot = store.load()
        all_problems, acknowledged, refused = [], 0, 0
        for slug, log in zip(worker_slugs, logs):
            assert len(log) == OPS_PER_WORKER
            expected, problems, refusals = replay(log)
            all_problems += [f"{slug}: {p}" for p in problems]
            acknowledged += sum(1 for entry in log if entry[2] == 0)
            refused += refusals
            habit_id = habits[slug].id
            raw_done = Counter(r["date"] for r in data["checkins"] if r["habit"] == habit_id)
            raw_skipped = Counter(r["date"] for r in data["skips"] if r["habit"] == habit_id)
            assert raw_done == Counter(d for d, s in expected.items() if s["done"]), slug
            assert raw_skipped == Counter(d for d, s in expected.items() if s["skipped"]), slug
            loaded_done = Counter(c.day.isoformat() for c in snapshot.checkins if c.habit_id == habit_id)
            loaded_skipped = Counter(s.day.isoformat() for s in snapshot.skips if s.habit_id == habit_id)
            assert (loaded_done, loaded_skipped) == (raw_done, raw_skipped), slug
        assert all_problems == []

        # Nothing duplicated anywhere: one record per id, and the daemon's own writes exactly once.
        for table in ("checkins", "skips", "removals", "habit_changes"):
            ids = Counter(r["id"] for r in data.get(table, []))
            assert [i for i, n in ids.items() if n > 1] == [], table
        walk = [c for c in snapshot.checkins if c.habit_id == habits["walk"].id]
        assert [c.source for c in walk] == ["notification"]
        tech_free = [c for c in snapshot.checkins if c.habit_id == habits["tech-free"].id]
        assert [(c.minutes, c.note) for c in tech_free] == [(1, "tech-free session")]
        assert snapshot.sessions == []
        settled_by_daemon = "tech-free session for 'Tech-free' ended" in daemon.output()

        # Each reminder went out exactly once, though the daemon reloaded after nearly every write.
        sent = Counter(name for n in notification_server.notifications() for name in named(n))
        assert {name: sent[name] for name in reminder_names} == {name: 1 for name in reminder_names}
        assert sent["Tech-free time is over: 1 min"] == (1 if settled_by_daemon else 0)

        # The daemon logged no error (a torn read would show as "reload failed" or "scan failed").
        errors = [line for line in daemon.output().splitlines() if " ERROR " in line or line.startswith("<3>")]
        assert errors == []
        reloads = daemon.output().count("loaded ")
        daemon_cpu = cpu_seconds(daemon.process.pid)

        daemon.process.send_signal(signal.SIGTERM)
        assert daemon.process.wait(timeout=10) == 0, daemon.output()
        assert daemon.state()["pid"] == daemon.process.pid
        assert temp_files(home) == []
    finally:
        daemon.kill()

    total = WORKERS * OPS_PER_WORKER
    print(
        f"\n[attack 1] {total} CLI operations by {WORKERS} processes in {load_seconds:.1f} s "
        f"({total / load_seconds:.1f} ops/s; CPU: the CLI processes {cli_cpu:.1f} s, the daemon "
        f"{daemon_cpu:.1f} s), {acknowledged} acknowledged, {refused} expected refusals "
        f"(undo of an empty day), 0 unexpected; {reads} lock-free reads of data+state all parsed; daemon "
        f"reloaded {reloads} times, sent {sum(sent.values())} notifications (none twice), pressed Done once, "
        f"session settled by {'the daemon' if settled_by_daemon else 'a worker'}; lost 0, duplicated 0"
    )


# ================================================================ 2. SIGKILL in the middle of writes

KILLS = 200
MAX_KILL_DELAY = 0.006  # seconds after the restarted writer's first acknowledgement
PAUSE_BETWEEN_WRITES = 0.001  # the writer idles a little, so some kills land between two writes
PROGRESS_TIMEOUT = 1.0
DAY0 = date(2025, 1, 1)


def _writer(home: str, habit_id: str, run: int, ack_fd: int) -> None:
    """The child: one check-in per transaction; "B id" before it, "A id" once it has returned."""
    store = Store(resolve_paths({"CONNECT_HOME": home}))
    n = 0
    while True:
        checkin_id = f"r{run}-{n}"
        os.write(ack_fd, f"B {checkin_id}\n".encode())
        with store.transaction() as tx:
            day = DAY0 + timedelta(days=(run * 7 + n) % 700)
            tx.add_checkin(CheckIn(id=checkin_id, habit_id=habit_id, day=day, logged_at=f"{day}T20:00:00"))
        os.write(ack_fd, f"A {checkin_id}\n".encode())  # acknowledged: the transaction returned
        n += 1
        time.sleep(PAUSE_BETWEEN_WRITES)


def start_writer(home: Path, habit_id: str, run: int) -> tuple[int, int]:
    """Fork a writer (already imported: a restart costs no interpreter start-up); (pid, read end)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child never returns into pytest
        try:
            os.close(read_fd)
            _writer(str(home), habit_id, run, write_fd)
        finally:
            os._exit(1)
    os.close(write_fd)
    return pid, read_fd


def read_lines(fd: int, until: float | None = None, stop=None) -> list[str]:
    """Lines from the pipe: up to EOF (until=None), or until `stop(lines)` holds or the deadline."""
    buffer, lines = b"", []
    while True:
        if until is not None:
            remaining = until - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                return lines
        chunk = os.read(fd, 65536)
        if not chunk:
            return lines
        buffer += chunk
        *complete, buffer = buffer.split(b"\n")
        lines += [line.decode() for line in complete]
        if stop is not None and stop(lines):
            return lines


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")
def test_sigkill_at_random_moments_never_loses_an_acknowledged_check_in(home):
    store = store_of(home)
    habit = Habit(id=new_id(), name="Walk", slug="walk", cadence=DAILY, created=DAY0)
    with store.transaction() as tx:
        tx.add_habit(habit)
    rng = random.Random(20260006)

    acknowledged: set[str] = set()
    begun = 0
    during = between = left_temp = 0
    max_temp_files = 0
    slowest_progress = 0.0
    started = time.monotonic()
    for run in range(KILLS):
        forked = time.monotonic()
        pid, read_fd = start_writer(home, habit.id, run)
        try:
            # Progress: the restarted writer gets past the stale lock and temp files within a second.
            lines = read_lines(read_fd, until=forked + PROGRESS_TIMEOUT, stop=lambda ls: any(l[0] == "A" for l in ls))
            progress = time.monotonic() - forked
            assert any(line[0] == "A" for line in lines), (
                f"run {run}: no write acknowledged within {PROGRESS_TIMEOUT} s; temp files {temp_files(home)}"
            )
            slowest_progress = max(slowest_progress, progress)
            time.sleep(rng.uniform(0, MAX_KILL_DELAY))
        finally:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        lines += read_lines(read_fd)  # to EOF: everything the writer said before it died
        os.close(read_fd)

        acknowledged |= {line[2:] for line in lines if line[0] == "A"}
        begun += sum(1 for line in lines if line[0] == "B")
        if lines[-1][0] == "B":
            during += 1  # killed inside a transaction (or just before it began)
        else:
            between += 1  # killed after an acknowledgement, before the next transaction
        temps = temp_files(home)
        left_temp += bool(temps)
        max_temp_files = max(max_temp_files, len(temps))

        # After every kill: valid JSON, loadable, every acknowledged check-in there exactly once.
        raw = raw_tables(home)  # every data file parses as JSON
        ids = Counter(r["id"] for r in raw["checkins"])
        assert [i for i, n in ids.items() if n > 1] == [], f"run {run}: duplicated check-ins"
        loaded = {c.id for c in store.load().checkins}
        lost = acknowledged - loaded
        assert lost == set(), f"run {run}: lost acknowledged check-ins {sorted(lost)}"
        assert max_temp_files <= 1, f"run {run}: stale temp files pile up: {temps}"
    seconds = time.monotonic() - started

    # The end: at most the last kill's temp file; the next write clears it, and the lock is free.
    assert len(temp_files(home)) <= 1
    assert (home / "connect.lock").exists() and not is_locked(home / "connect.lock")
    env = {k: v for k, v in os.environ.items() if k != "CONNECT_NOW"}
    last_day = (DAY0 - timedelta(days=1)).isoformat()
    command = subprocess.run(
        [CONNECT, "done", "walk", "--date", last_day],
        capture_output=True,
        text=True,
        env=dict(env, CONNECT_HOME=str(home)),
        timeout=60,
    )
    assert command.returncode == 0, command.stderr
    assert temp_files(home) == []
    final = store.load().checkins
    assert acknowledged <= {c.id for c in final}
    assert len([c for c in final if c.day.isoformat() == last_day and not c.id.startswith("r")]) == 1
    unacknowledged_but_saved = sum(1 for c in final if c.id.startswith("r") and c.id not in acknowledged)

    assert during > 0 and between > 0, (during, between)
    print(
        f"\n[attack 2] {KILLS} SIGKILLs in {seconds:.1f} s: {begun} writes begun, {len(acknowledged)} acknowledged, "
        f"lost 0; {during} kills inside a transaction ({left_temp} left a temp file), {between} between "
        f"writes; {unacknowledged_but_saved} saved but killed before acknowledging; at most {max_temp_files} "
        f"stale temp file at a time; slowest restart to first write {slowest_progress * 1000:.0f} ms"
    )
