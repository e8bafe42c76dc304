"""Starts the benchmark's timed commands from a small process, so that each child's ru_maxrss is its own.

Linux carries the peak memory of the address space a process replaces at exec into its
ru_maxrss; a command started straight from bench/run.py (which holds generated histories)
would report run.py's peak instead of its own. This process stays at about 8 MiB, under
`python -c pass` itself, by importing builtin modules only (run it with `python -I -S`).

Protocol over stdin/stdout, one request at a time, each message a 4-byte length and a marshal'd
value: (argv, env, timeout) in; {wall_ms, cpu_ms, maxrss_kib, code, out, err} out.
"""

import marshal
import os
import select
import signal
import sys
import time


def run(argv: list, env: dict, timeout: float) -> dict:
    """Run argv (an absolute path first) with stdout and stderr on pipes; time it and reap it with wait4."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_DUP2, out_w, 1),
        (os.POSIX_SPAWN_DUP2, err_w, 2),
    ]
    started = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
    os.close(out_w)
    os.close(err_w)
    chunks = {out_r: [], err_r: []}
    reading = [out_r, err_r]
    deadline = started + timeout
    while reading:
        ready, _, _ = select.select(reading, [], [], max(0.0, deadline - time.perf_counter()))
        if not ready:  # too slow: kill it; the pipes then end, and the caller sees the signal in `code`
            os.kill(pid, signal.SIGKILL)
            deadline += 3600
        for fd in ready:
            data = os.read(fd, 65536)
            if data:
                chunks[fd].append(data)
            else:
                reading.remove(fd)
                os.close(fd)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    return {
        "wall_ms": wall * 1000,
        "cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000,
        "maxrss_kib": usage.ru_maxrss,
        "code": os.waitstatus_to_exitcode(status),
        "out": b"".join(chunks[out_r]).decode(errors="replace"),
        "err": b"".join(chunks[err_r]).decode(errors="replace"),
    }


def main() -> None:
    while True:
        header = sys.stdin.buffer.read(4)
        if len(header) < 4:
            return
        argv, env, timeout = marshal.loads(sys.stdin.buffer.read(int.from_bytes(header, "big")))
        reply = marshal.dumps(run(argv, env, timeout))
        sys.stdout.buffer.write(len(reply).to_bytes(4, "big") + reply)
        sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
