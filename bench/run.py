"""The connect benchmark: whole `connect` processes against 0-10 years of history, the idle daemon, reminder lateness.

    .venv/bin/python bench/run.py [--quick] [--out FILE] [--keep]

See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import marshal
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CONNECT = str(Path(sys.executable).parent / "connect")
NOTIFICATION_SERVER = ROOT / "tests" / "support" / "notification_server.py"
COMMAND_TIMEOUT = 300.0  # seconds; today's code takes about a second per command at 10 years
SETTLE_MIN, SETTLE_MAX = 5.0, 60.0
REMINDER_NAME = "Bench reminder"
REMINDER_LEAD = 25.0  # seconds between adding the reminder and its time, at least

# The targets: (what, limit, unit), in the order report() measures them; the per-command rows are made
# from EVERYDAY (each everyday command at ten years, in the shared sealed home, and its growth 1 -> 10 years).
FIXED_TARGETS = (
    ("a completion request at 10 years", 5.0, "× F"),
    ("`connect --help`", 8.0, "× F"),
    ("`connect catalog`", 8.0, "× F"),
    ("`connect log` of ten years (to a pipe)", 15.0, "× F"),
    ("`connect export --format json` of ten years", 0.5, "s"),
    ("`connect export --format csv` of ten years", 0.5, "s"),
    ("`connect export --format ics` of ten years", 0.5, "s"),
    ("`connect import` of that backup into an empty home", 0.5, "s"),
    ("`connect import --from csv` of that CSV into an empty home", 0.5, "s"),
    ("the first command after an import (`connect week`)", 8.0, "× F"),
    ("daemon idle: wake-ups", 120.0, "/hour"),
    ("daemon idle: CPU", 0.2, "s/hour"),
    ("daemon idle: peak memory", 40.0, "MiB"),
    ("reminder lateness", 2.0, "s"),
)
EVERYDAY_LIMIT = 5.0  # × F, at ten years and in the shared home
GROWTH_LIMIT = 1.2  # ×, 1 year to 10 years

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
"""


# ---------------------------------------------------------------- one timed process


@dataclass
class Run:
    """One finished child: wall time, CPU time and peak memory from its rusage."""

    wall_ms: float
    cpu_ms: float
    maxrss_kib: int
    code: int
    out: str
    err: str


_spawner: subprocess.Popen | None = None


def run_timed(argv: list[str], env: dict, timeout: float = COMMAND_TIMEOUT) -> Run:
    """Run `argv` from bench/spawn.py: stdout on a pipe (never a tty), reaped with os.wait4 for its rusage."""
    global _spawner
    if _spawner is None or _spawner.poll() is not None:
        _spawner = subprocess.Popen(
            [PYTHON, "-I", "-S", str(Path(__file__).with_name("spawn.py"))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
    request = marshal.dumps((argv, env, timeout))
    _spawner.stdin.write(len(request).to_bytes(4, "big") + request)
    _spawner.stdin.flush()
    size = int.from_bytes(_spawner.stdout.read(4), "big")
    reply = marshal.loads(_spawner.stdout.read(size))
    return Run(**reply)


# ---------------------------------------------------------------- the commands


@dataclass
class Figure:
    """The runs of one command at one history size."""

    label: str
    years: int | str | None
    runs: list[Run] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(r.wall_ms for r in self.runs) if self.runs else float("nan")

    @property
    def low(self) -> float:
        return min(r.wall_ms for r in self.runs)

    @property
    def high(self) -> float:
        return max(r.wall_ms for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu_ms for r in self.runs)

    @property
    def peak_mib(self) -> float:
        return max(r.maxrss_kib for r in self.runs) / 1024


def child_env(home: Path | None = None, bus: str | None = None) -> dict:
    """The environment of every child: the real clock, and this run's home and bus only."""
    # PYTHONDONTWRITEBYTECODE would make every run compile connect's modules again: an installed
    # package (pip, pipx) has its bytecode cached, so the timed commands must too.
    dropped = (
        "CONNECT_NOW",
        "CONNECT_HOME",
        "DBUS_SESSION_BUS_ADDRESS",
        "PYTHONDONTWRITEBYTECODE",
        "CONNECT_NO_SUMMARY",
        "CONNECT_NO_FASTPATH",
    )
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    if home is not None:
        env["CONNECT_HOME"] = str(home)
        env["XDG_CACHE_HOME"] = str(home.parent / "cache")  # the kept helps: the run's own, never the user's
    # Never the user's own session bus: a private one, or an address where nothing listens.
    env["DBUS_SESSION_BUS_ADDRESS"] = bus or f"unix:path={home or tempfile.gettempdir()}/no-bus"
    return env


def everyday(today) -> tuple:
    """The everyday commands: (label, arguments, what runs untimed first: 'restore' and/or untimed commands)."""
    past = (today - timedelta(days=200)).isoformat()  # a week in the past of every history but the empty one
    month = (today - timedelta(days=30)).isoformat()
    return (
        ("connect done NAME", ["done", generate.DONE_HABIT], ("restore",)),
        ("connect undo NAME", ["undo", generate.DONE_HABIT], ("restore", ["done", generate.DONE_HABIT])),
        ("connect skip OTHER", ["skip", generate.SKIP_HABIT, "--date", "today"], ("restore",)),
        ("connect today", ["today"], ()),
        ("connect status", ["status"], ()),
        ("connect week", ["week"], ()),
        ("connect week --json", ["week", "--json"], ()),
        ("connect week --date PAST", ["week", "--date", past], ()),
        ("connect list", ["list"], ()),
        ("connect stats", ["stats"], ()),
        ("connect stats NAME", ["stats", generate.DONE_HABIT], ()),
        ("connect log --since MONTH", ["log", "--since", month], ()),
        ("connect remind", ["remind"], ()),
        ("connect question", ["question"], ("restore",)),
        ("connect inbox", ["inbox"], ("restore",)),
        ("connect add NEW", ["add", "Bench habit"], ("restore",)),
        ("connect edit NAME --note", ["edit", generate.DONE_HABIT, "--note", "bench"], ("restore",)),
        # What the shell asks on every Tab after `connect done ` (the request is in the environment).
        ("completion request", ["env", "COMP_WORDS=connect done ", "COMP_CWORD=2", "_CONNECT_COMPLETE=words"], ()),
    )


# Timed once per round on the ten-year home only: they do not depend on the size of the history, or
# have their own target (the whole log).
ONCE = (
    ("connect --help", ["--help"], ()),
    ("connect catalog", ["catalog"], ()),
    ("connect log", ["log"], ()),
)


# What connect derives beside its data (summary caches, the index of months holding rituals, the
# opened copies of sealed files): a restore leaves the home's own, as it is after any command.
DERIVED = ("summary-cache.json", "summary-past.json", "ritual-months.json", "log-lines.json", "opened", "slices")


def restore(pristine: Path, home: Path) -> None:
    """Put the home back as generated (its shared folder inside it too), so every timed `done` writes a new check-in.

    Only the files that changed are copied back: the others keep their inode, as on a user's disk,
    so connect's summary cache (which recognises unchanged files by inode, size and time) still holds.
    """
    kept = {p.relative_to(pristine) for p in pristine.rglob("*") if p.is_file()}
    for path in home.rglob("*"):
        if path.is_file() and path.relative_to(home) not in kept and not _derived(path.relative_to(home)):
            path.unlink()
    for name in kept:
        source, target = pristine / name, home / name
        if _derived(name):
            continue  # derived data: the home's own stays, as it is after any command
        if not target.exists() or target.read_bytes() != source.read_bytes():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def _derived(relative: Path) -> bool:
    return relative.parts[0] in DERIVED if relative.parts else False


def time_commands(
    homes: dict, pristine: dict, rounds: int, warmup: int, log, commands: tuple
) -> tuple[Figure, dict[tuple[str, int | str], Figure]]:
    """Round-robin: in every round, each size runs the floor then each command once (A, B, A, B)."""
    floor = Figure("python -c pass", None)
    figures = {(label, years): Figure(label, years) for years in homes for label, _, _ in commands}
    figures.update({(label, 10): Figure(label, 10) for label, _, _ in ONCE if 10 in homes})
    for round_no in range(warmup + rounds):
        counted = round_no >= warmup
        for years, home in homes.items():
            env = child_env(home)
            jobs = [(floor, [PYTHON, "-c", "pass"], {}, ())] + [
                (figures[label, years], *_command(args), before) for label, args, before in commands
            ]
            if years == 10:
                jobs += [(figures[label, 10], *_command(args), before) for label, args, before in ONCE]
            for figure, argv, extra, before in jobs:
                for step in before:  # outside the timing
                    if step == "restore":
                        restore(pristine[years], home)
                    else:
                        run_timed([CONNECT, *step], env)
                run = run_timed(argv, {**env, **extra})
                problem = check(figure, run, argv)
                if problem:
                    figure.failures.append(problem)
                elif counted:
                    figure.runs.append(run)
        log(f"  round {round_no + 1}/{warmup + rounds}{'' if counted else ' (warm-up)'} done")
    return floor, figures


def time_transfers(home: Path, work: Path, rounds: int, log) -> dict[str, Figure]:
    """Export the ten-year home in each format, import the backup and the CSV into empty homes, and time
    the first command in each imported home."""
    changed = ("export json, a month changed", "export csv, a month changed")
    figures = {
        label: Figure(label, 10)
        for label in (
            "export json",
            "export csv",
            "export ics",
            *changed,
            "import json",
            "import csv",
            "first after import",
        )
    }
    past = (datetime.now().date() - timedelta(days=400)).isoformat()
    for round_no in range(rounds + 1):
        counted = round_no > 0
        runs = {}
        for kind in ("json", "csv", "ics"):
            target = work / f"export.{kind}"
            runs[f"export {kind}"] = run_timed(
                [CONNECT, "export", "--format", kind, "-o", str(target)], child_env(home)
            )
        # An export keeps each month's part: after a change to one month (a check-in 400 days ago taken
        # back and logged again, untimed), that month is read and written again, the others come as kept.
        for action in ("undo", "done"):
            run_timed([CONNECT, action, generate.DONE_HABIT, "--date", past], child_env(home))
        for label, kind in zip(changed, ("json", "csv")):
            runs[label] = run_timed(
                [CONNECT, "export", "--format", kind, "-o", str(work / f"changed.{kind}")], child_env(home)
            )
        for kind, args in (("json", []), ("csv", ["--from", "csv"])):
            fresh = work / f"imported-{kind}"
            shutil.rmtree(fresh, ignore_errors=True)
            runs[f"import {kind}"] = run_timed(
                [CONNECT, "import", str(work / f"export.{kind}"), *args], child_env(fresh)
            )
            if kind == "json":  # a restore: the first command right after it, while its files are seconds old
                runs["first after import"] = run_timed([CONNECT, "week"], child_env(fresh))
        for label, run in runs.items():
            figure = figures[label]
            if run.code != 0:
                figure.failures.append(f"`{label}` exited {run.code}: {run.err.strip()[-500:]}")
            elif counted:
                figure.runs.append(run)
        log(f"  transfers {round_no + 1}/{rounds + 1}{'' if counted else ' (warm-up)'} done")
    return figures


def _command(args: list[str]) -> tuple[list[str], dict]:
    """The argv of a timed command, and the variables it adds (`env K=V ...`: a request with no arguments)."""
    if args[0] == "env":
        return [CONNECT], dict(a.split("=", 1) for a in args[1:])
    return [CONNECT, *args], {}


def check(figure: Figure, run: Run, argv: list[str]) -> str | None:
    """Why a run does not count (a failure, or a `done` that wrote nothing), or None."""
    if run.code != 0:
        return f"`{' '.join(argv[1:] if argv[0] == CONNECT else argv)}` exited {run.code}: {run.err.strip()[-500:]}"
    if figure.label.startswith("connect done") and ("already done" in run.out or "nothing changed" in run.out):
        return f"`connect done` wrote nothing: {run.out.strip()}"
    return None


# ---------------------------------------------------------------- the daemon


def start_bus(workdir: Path) -> tuple[str, subprocess.Popen] | None:
    """A private dbus-daemon session bus (no service directories), or None when dbus-daemon is missing."""
    binary = shutil.which("dbus-daemon")
    if binary is None:
        return None
    socket_dir = (
        workdir if len(str(workdir / "bus")) < 100 else Path(tempfile.mkdtemp(prefix="cb-"))
    )  # sun_path: 108 bytes
    config = workdir / "session.conf"
    config.write_text(BUS_CONFIG.format(socket=socket_dir / "bus"))
    proc = subprocess.Popen(
        [binary, f"--config-file={config}", "--nofork", "--print-address"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    address = proc.stdout.readline().decode().strip()
    if not address:
        stop(proc)
        return None
    return address, proc


def start_notification_server(address: str, record: Path, log: Path) -> subprocess.Popen:
    """tests/support/notification_server.py on the private bus: it records every Notify with its arrival time."""
    proc = subprocess.Popen(
        [PYTHON, str(NOTIFICATION_SERVER), "--address", address, "--record", str(record)],
        stdin=subprocess.DEVNULL,
        stdout=log.open("ab"),
        stderr=log.open("ab"),
        start_new_session=True,
    )
    deadline = time.monotonic() + 20
    while "serving" not in log.read_text(errors="replace"):  # printed once it owns the name
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the notification server did not start: {log.read_text(errors='replace')}")
        time.sleep(0.05)
    return proc


def stop(proc: subprocess.Popen, timeout: float = 10.0) -> float:
    """SIGTERM, then wait; the seconds it took to exit (SIGKILL after `timeout`)."""
    started = time.monotonic()
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return time.monotonic() - started


def proc_sample(pid: int) -> dict:
    """Voluntary context switches (summed over threads), CPU seconds and peak memory from /proc."""
    switches, exact = 0, 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for line in (task / "status").read_text().splitlines():
            if line.startswith("voluntary_ctxt_switches:"):
                switches += int(line.split()[1])
        # /proc/PID/stat counts whole clock ticks (10 ms, i.e. 0.6 s/hour over a minute): too coarse for
        # the 0.2 s/hour target. The scheduler's own runtime, in ms with ns digits, is exact (when offered).
        try:
            exact += (
                next(
                    float(line.split(":")[1])
                    for line in (task / "sched").read_text().splitlines()
                    if line.startswith("se.sum_exec_runtime")
                )
                / 1000
            )
        except (OSError, StopIteration, ValueError):
            exact = float("nan")
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # after the command name, which may hold spaces
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime (fields 14, 15)
    hwm = next(
        int(line.split()[1])
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith("VmHWM:")
    )
    return {"switches": switches, "cpu": cpu, "cpu_exact": exact, "hwm_kib": hwm, "time": time.monotonic()}


def notifications(record: Path) -> list[dict]:
    try:
        text = record.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines(keepends=True) if line.endswith("\n")]


def measure_daemon(home: Path, workdir: Path, window: float, log) -> dict:
    """The idle daemon over `window` seconds, then how late a reminder added while it runs fires."""
    result: dict = {"window": window}
    bus = start_bus(workdir)
    server = None
    if bus is None:
        result["no_bus"] = "dbus-daemon is not installed (apt-get install dbus-daemon): lateness not measured"
        log(f"  {result['no_bus']}; the idle daemon runs without a notification server")
    address = bus[0] if bus else None
    record = workdir / "notifications.jsonl"
    daemon_log = workdir / "daemon.log"
    daemon = None
    try:
        if address:
            server = start_notification_server(address, record, workdir / "notification-server.log")
        env = child_env(home, address)
        started = time.monotonic()
        daemon = subprocess.Popen(
            [CONNECT, "daemon", "run"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=daemon_log.open("wb"),
        )
        while "loaded" not in daemon_log.read_text(errors="replace"):  # its first read of the data
            if daemon.poll() is not None or time.monotonic() - started > COMMAND_TIMEOUT:
                raise RuntimeError(f"the daemon did not start: {daemon_log.read_text(errors='replace')}")
            time.sleep(0.05)
        result["startup_s"] = time.monotonic() - started
        # Settled: a few seconds in, and no CPU used for the last two seconds.
        quiet_since, last = time.monotonic(), proc_sample(daemon.pid)
        while time.monotonic() - started < SETTLE_MAX:
            time.sleep(0.5)
            now = proc_sample(daemon.pid)
            if now["cpu"] != last["cpu"]:
                quiet_since = time.monotonic()
            last = now
            if time.monotonic() - started >= SETTLE_MIN and time.monotonic() - quiet_since >= 2.0:
                break
        log(f"  daemon settled after {time.monotonic() - started:.1f} s; measuring {window:.0f} s idle")
        sent_before = len(notifications(record))
        before = proc_sample(daemon.pid)
        time.sleep(max(0.0, before["time"] + window - time.monotonic()))
        after = proc_sample(daemon.pid)
        if daemon.poll() is not None:
            raise RuntimeError(f"the daemon exited during the idle window: {daemon_log.read_text(errors='replace')}")
        per_hour = 3600 / (after["time"] - before["time"])
        result.update(
            wakeups_h=(after["switches"] - before["switches"]) * per_hour,
            cpu_ticks_s_h=(after["cpu"] - before["cpu"]) * per_hour,
            cpu_exact_s_h=(after["cpu_exact"] - before["cpu_exact"]) * per_hour,
            hwm_mib=after["hwm_kib"] / 1024,
            sent_in_window=len(notifications(record)) - sent_before,
        )
        if address:
            result.update(lateness(env, record, daemon_log, log))
    finally:
        if daemon is not None:
            result["stop_s"] = stop(daemon)
            result["daemon_exit"] = daemon.returncode
        if server is not None:
            stop(server)
        if bus is not None:
            stop(bus[1])
    return result


def lateness(env: dict, record: Path, daemon_log: Path, log) -> dict:
    """Add a habit reminding at the next minute boundary at least REMINDER_LEAD s ahead; how late it arrives."""
    target = (datetime.now() + timedelta(seconds=REMINDER_LEAD + 60)).replace(second=0, microsecond=0)
    if (target - datetime.now()).total_seconds() >= 60 + REMINDER_LEAD:
        target -= timedelta(minutes=1)
    loads_before = daemon_log.read_text(errors="replace").count("loaded")
    log(f"  adding '{REMINDER_NAME}' --at {target:%H:%M}; waiting for it")
    added = run_timed([CONNECT, "add", REMINDER_NAME, "--at", f"{target:%H:%M}"], env)
    if added.code != 0:
        return {"lateness_error": f"`connect add` failed: {added.err.strip()}"}
    reloaded_at = None
    deadline = target.timestamp() + 60
    while time.time() < deadline:
        if reloaded_at is None and daemon_log.read_text(errors="replace").count("loaded") > loads_before:
            reloaded_at = time.time()
        arrived = [n for n in notifications(record) if n.get("summary") == REMINDER_NAME]
        if arrived:
            return {
                "late_s": arrived[0]["time"] - target.timestamp(),
                "target": f"{target:%H:%M:%S}",
                "reload_before_s": None if reloaded_at is None else target.timestamp() - reloaded_at,
            }
        time.sleep(0.02)
    return {"lateness_error": f"no notification within 60 s of {target:%H:%M}", "target": f"{target:%H:%M:%S}"}


# ---------------------------------------------------------------- the report


def machine() -> dict:
    """The CPU, cores, Python and OS the figures were taken on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.split(":")[0].strip() in ("model name", "Model", "Hardware"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    os_name = platform.platform()
    try:
        pretty = next(
            line.split("=", 1)[1].strip('"')
            for line in Path("/etc/os-release").read_text().splitlines()
            if line.startswith("PRETTY_NAME=")
        )
        os_name = f"{pretty}, Linux {platform.release()}"
    except (OSError, StopIteration):
        pass
    cores = f"{os.cpu_count()} logical"
    if hasattr(os, "sched_getaffinity") and len(os.sched_getaffinity(0)) != os.cpu_count():
        cores += f" ({len(os.sched_getaffinity(0))} usable)"
    commit = "unknown"
    try:  # read-only, and without taking git's index lock (others may be using the repository)
        head = subprocess.run(
            ["git", "--no-optional-locks", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "--no-optional-locks", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        commit = head + (" (src/ has uncommitted changes)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        load = Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        load = "?"
    return {
        "load": load,
        "cpu": cpu,
        "cores": cores,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": os_name,
        "commit": commit,
    }


def code_stamps() -> dict[str, int]:
    """The modification times of the code being measured: the package, the console script, pyproject.toml."""
    files = [*sorted((ROOT / "src").rglob("*.py")), Path(CONNECT), ROOT / "pyproject.toml"]
    return {
        str(f.relative_to(ROOT) if f.is_relative_to(ROOT) else f): f.stat().st_mtime_ns for f in files if f.exists()
    }


def changed_since(stamps: dict[str, int]) -> list[str]:
    now = code_stamps()
    return sorted(k for k in stamps.keys() | now.keys() if stamps.get(k) != now.get(k))


def verdict(value: float | None, limit: float) -> str:
    if value is None or value != value:
        return "not measured"
    return "pass" if value <= limit else "FAIL"


def cpu_per_hour(daemon: dict) -> float | None:
    """The daemon's idle CPU: the scheduler's exact figure, else the /proc/PID/stat ticks."""
    exact = daemon.get("cpu_exact_s_h")
    return exact if exact is not None and exact == exact else daemon.get("cpu_ticks_s_h")


def report(
    args,
    info: dict,
    sizes: dict,
    floor: Figure,
    figures: dict,
    daemon: dict,
    timings: dict,
    commands: tuple,
    transfers: dict,
) -> str:
    """The markdown results: machine, floor, a row per command and size, the daemon, the targets."""
    f = floor.median
    lines = [
        "# connect benchmark results",
        "",
        f"{datetime.now():%Y-%m-%d %H:%M} · `{' '.join(['.venv/bin/python', 'bench/run.py', *sys.argv[1:]])}` · "
        f"{'quick' if args.quick else 'full'} run: {args.rounds} counted runs after {args.warmup} warm-up per figure, "
        f"interleaved; generation {timings['generate']:.1f} s, whole run {timings['total']:.0f} s.",
        "",
        "| machine | |",
        "|---|---|",
        f"| CPU | {info['cpu']} |",
        f"| cores | {info['cores']} |",
        f"| Python | {info['python']} |",
        f"| OS | {info['os']} |",
        f"| connect | commit {info['commit']} |",
        f"| load average (1 min) | {timings['load_start']} at the start, {info['load']} at the end |",
        "",
        f"**F** (the floor: this venv's `python -c pass`) = **{f:.1f} ms** "
        f"(min {floor.low:.1f}, max {floor.high:.1f}, {len(floor.runs)} runs), peak {floor.peak_mib:.1f} MiB.",
        "",
        "| figure | history | check-ins | median ms (min–max) | × F | CPU ms | peak MiB |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for label, _, _ in [*commands, *ONCE]:
        for years, counts in sizes.items():
            fig = figures.get((label, years))
            if fig is None:
                continue
            history = years if isinstance(years, str) else f"{years} y"
            if not fig.runs:
                lines.append(f"| `{label}` | {history} | {counts['checkins']:,} | failed | | | |")
                continue
            lines.append(
                f"| `{label}` | {history} | {counts['checkins']:,} | {fig.median:.0f} ({fig.low:.0f}–{fig.high:.0f}) "
                f"| {fig.median / f:.1f} | {fig.cpu:.0f} | {fig.peak_mib:.1f} |"
            )
    lines += ["", "**Export and import of ten years** (files, not pipes; imports into an empty home):", ""]
    lines += ["| figure | median ms (min–max) | × F | CPU ms | peak MiB |", "|---|---:|---:|---:|---:|"]
    for label, fig in transfers.items():
        if fig.runs:
            lines.append(
                f"| {label} | {fig.median:.0f} ({fig.low:.0f}–{fig.high:.0f}) | {fig.median / f:.1f} "
                f"| {fig.cpu:.0f} | {fig.peak_mib:.1f} |"
            )
        else:
            lines.append(f"| {label} | failed | | | |")
    lines += [
        "",
        f"`NAME` is `{generate.DONE_HABIT}`, a daily habit; each timed `done` logs a new check-in for today, "
        "`undo` takes back one logged just before it, `skip OTHER` sets today aside for "
        f"`{generate.SKIP_HABIT}`, `add` adds a habit and `edit` changes a note: the home is restored from its "
        "generated copy before each command that writes, outside the timing. `PAST` is 200 days ago, "
        "`MONTH` 30 days ago.",
        f"`{generate.SHARED}`: Sam's home in a folder shared with Alex's and sealed with their key, ten years of "
        "check-ins from each device (Sam's own file and Alex's, both opened on Sam's machine).",
        "",
    ]

    w = daemon.get("window", 60)
    lines += [
        f"**Daemon idle** (`connect daemon run`, 20 habits, 10-year history, measured over {w:.0f} s"
        f"{'' if w == 60 else ' (quick: less precise)'}, scaled to an hour):",
        "",
    ]
    if "wakeups_h" in daemon:
        lines += [
            "| wake-ups/hour | CPU s/hour | CPU s/hour, in ticks (/proc/PID/stat) | peak memory (VmHWM) "
            "| start-up (first read) | SIGTERM to exit |",
            "|---:|---:|---:|---:|---:|---:|",
            f"| {daemon['wakeups_h']:.0f} | {daemon['cpu_exact_s_h']:.3f} | {daemon['cpu_ticks_s_h']:.2f} "
            f"| {daemon['hwm_mib']:.1f} MiB "
            f"| {daemon['startup_s']:.1f} s | {daemon.get('stop_s', float('nan')):.2f} s (exit {daemon.get('daemon_exit')}) |",
        ]
        if daemon.get("sent_in_window"):
            lines.append(f"\nWarning: {daemon['sent_in_window']} notification(s) arrived during the idle window.")
    else:
        lines.append(f"not measured: {daemon.get('error', 'unknown error')}")
    lines.append("")
    if "late_s" in daemon:
        reload = daemon.get("reload_before_s")
        picked = (
            ""
            if reload is None
            else f"; the daemon re-read the data {reload:.1f} s before the reminder time"
            if reload >= 0
            else f"; the daemon re-read the data only {-reload:.1f} s after the reminder time"
        )
        lines.append(
            f"**Reminder lateness**: a reminder added with `connect add --at {daemon['target'][:5]}` "
            f"while the daemon ran arrived **{daemon['late_s']:.2f} s** after {daemon['target']}{picked}."
        )
    else:
        lines.append(
            f"**Reminder lateness**: not measured: "
            f"{daemon.get('no_bus') or daemon.get('lateness_error') or daemon.get('error', 'unknown')}."
        )

    def ratio(label: str, history: int | str = 10) -> float | None:
        fig = figures.get((label, history))
        return fig.median / f if fig and fig.runs else None

    def growth(label: str) -> float | None:
        big, small = figures.get((label, 10)), figures.get((label, 1))
        return big.median / small.median if big and small and big.runs and small.runs else None

    def seconds(label: str) -> float | None:
        fig = transfers.get(label)
        return fig.median / 1000 if fig and fig.runs else None

    rows = []
    for label, _, _ in commands:
        if label != "completion request":
            rows.append((f"`{label}` at 10 years", EVERYDAY_LIMIT, "× F", ratio(label)))
    for label, _, _ in commands:
        if label != "completion request":
            rows.append((f"`{label}`, shared and sealed", EVERYDAY_LIMIT, "× F", ratio(label, generate.SHARED)))
    for label, _, _ in commands:
        rows.append((f"`{label}`: 10 years vs 1", GROWTH_LIMIT, "×", growth(label)))
    fixed = [
        ratio("completion request"),
        ratio("connect --help"),
        ratio("connect catalog"),
        ratio("connect log"),
        seconds("export json"),
        seconds("export csv"),
        seconds("export ics"),
        seconds("import json"),
        seconds("import csv"),
        (transfers["first after import"].median / f)
        if transfers.get("first after import", Figure("", 0)).runs
        else None,
        daemon.get("wakeups_h"),
        cpu_per_hour(daemon),
        daemon.get("hwm_mib"),
        daemon.get("late_s"),
    ]
    rows += [(what, limit, unit, value) for (what, limit, unit), value in zip(FIXED_TARGETS, fixed)]
    met = sum(1 for _, limit, _, value in rows if verdict(value, limit) == "pass")
    lines += ["", f"**Targets: {met} of {len(rows)} met.**", ""]
    lines += ["| target | limit | measured | result |", "|---|---:|---:|---|"]
    for what, limit, unit, value in rows:
        shown = (
            "–"
            if value is None
            else (f"{value:.3f}" if unit == "s/hour" else f"{value:.2f}" if unit in ("×", "s") else f"{value:.1f}")
        )
        lines.append(
            f"| {what} | ≤ {limit:g} {unit} | {shown} {unit if value is not None else ''} | {verdict(value, limit)} |"
        )
    failures = [p for fig in [floor, *figures.values(), *transfers.values()] for p in fig.failures]
    if "error" in daemon:
        failures.append(f"daemon: {daemon['error']}")
    if timings["changed"]:
        failures.append(
            "the code changed during the run, so these figures mix versions; run it again: "
            + ", ".join(timings["changed"])
        )
    if failures:
        lines += ["", "Problems:", ""] + [f"- {p}" for p in dict.fromkeys(failures)]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1- and 10-year histories only, fewer runs, 20 s idle")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "results.md",
        help="where to write the markdown table (default bench/results.md)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated homes (their folder is printed)")
    args = parser.parse_args()
    args.years = (1, 10) if args.quick else (0, 1, 3, 10)
    args.rounds, args.warmup = (5, 1) if args.quick else (15, 1)
    window = 20.0 if args.quick else 60.0

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    if not os.access(CONNECT, os.X_OK):
        log(f"no connect beside {PYTHON}: install the package in this venv (make test does)")
        return 2
    begun = time.monotonic()
    load_start = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    stamps = code_stamps()
    work = Path(tempfile.mkdtemp(prefix="connect-bench-"))
    try:
        now = datetime.now()
        at_times = generate.reminder_times(now)
        sizes, homes, pristine = {}, {}, {}
        t0 = time.monotonic()
        for years in args.years:
            homes[years] = work / f"home-{years}y"
            sizes[years] = generate.generate(homes[years], years, now.date(), at_times)
            log(f"generated {years:>2} years: {sizes[years]['checkins']:,} check-ins, {sizes[years]['skips']:,} skips")
        shared, sizes[generate.SHARED] = generate.generate_shared(work, now.date(), at_times, CONNECT, child_env())
        homes[generate.SHARED] = shared
        log(f"generated the shared home: {sizes[generate.SHARED]['checkins']:,} check-ins on two devices")
        generated = time.monotonic() - t0
        for years, home in homes.items():
            # One untimed read first, so whatever connect keeps beside its data exists in the copy too;
            # after a pause, since a file changed in the last two seconds is not trusted by the cache.
            time.sleep(2.5)
            first = run_timed([CONNECT, "list"], child_env(home))
            if first.code != 0:
                log(f"`connect list` fails on the {years}-year history: {first.err.strip()}")
            pristine[years] = work / f"pristine-{years}y"
            shutil.copytree(home, pristine[years], symlinks=True)

        log(f"timing commands: {args.warmup} warm-up + {args.rounds} counted rounds")
        commands = everyday(now.date())
        floor, figures = time_commands(homes, pristine, args.rounds, args.warmup, log, commands)
        log("export and import of ten years")
        transfer_dir = work / "transfers"
        transfer_dir.mkdir()
        transfer_home = work / "transfer-home"
        shutil.copytree(pristine[10], transfer_home, symlinks=True)
        run_timed([CONNECT, "list"], child_env(transfer_home))
        transfers = time_transfers(transfer_home, transfer_dir, max(3, args.rounds // 3), log)

        log("daemon: idle, then reminder lateness")
        daemon_home = work / "daemon-home"
        shutil.copytree(pristine[10], daemon_home, symlinks=True)
        # A copy has new inodes: one read remakes the summary cache, as the first command after a restore would.
        run_timed([CONNECT, "list"], child_env(daemon_home))
        daemon_dir = work / "daemon"
        daemon_dir.mkdir()
        try:
            daemon = measure_daemon(daemon_home, daemon_dir, window, log)
        except (RuntimeError, OSError) as error:
            daemon = {"error": str(error), "window": window}

        if _spawner is not None:
            _spawner.stdin.close()
            _spawner.wait()
        text = report(
            args,
            machine(),
            sizes,
            floor,
            figures,
            daemon,
            {
                "generate": generated,
                "total": time.monotonic() - begun,
                "load_start": load_start,
                "changed": changed_since(stamps),
            },
            commands,
            transfers,
        )
        args.out.write_text(text)
        print(text)
        log(f"written to {args.out}")
    finally:
        if args.keep:
            log(f"generated homes kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
