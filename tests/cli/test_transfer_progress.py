"""A long import or export shows a progress line on a real terminal, and nothing at all through a pipe.

Through the real `connect` command, the clock pinned (CONNECT_NOW); CONNECT_PROGRESS_AFTER=0 shows the line
from the start instead of after a second, so a file that imports in well under a second still shows it.
"""

from __future__ import annotations

import io
import os
import re
import select
import time
import zipfile
from datetime import date, timedelta

import pytest

from support import NOW, run_connect
from support.terminal import Terminal

HABITS, DAYS = 6, 1500  # 9,000 rows: enough for many reports, quick to import
LAST_DAY = date(2026, 11, 26)  # NOW's day: nothing after it
HEADER = (
    "Position,Name,Type,Question,Description,FrequencyNumerator,FrequencyDenominator,Color,Unit,"
    "Target Type,Target Value,Archived?"
)
FAST = {"CONNECT_PROGRESS_AFTER": "0"}


def big_loop_export() -> bytes:
    """A Loop Habit Tracker CSV export, as its app writes it, of six habits with four years of check-marks each."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        rows = "".join(
            f'"{n:03d}","Habit {n}","0","","","1","1","#039BE5","","0","0.0","false"\n' for n in range(1, HABITS + 1)
        )
        archive.writestr("Habits.csv", HEADER + "\n" + rows)
        for n in range(1, HABITS + 1):
            days = (LAST_DAY - timedelta(days=d) for d in range(DAYS))  # Loop writes the newest first
            marks = "".join(f"{day},{'SKIP' if day.day == 13 else 'YES_MANUAL'},\n" for day in days)
            archive.writestr(f"{n:03d} Habit {n}/Checkmarks.csv", "Date,Value,Notes\n" + marks)
    return buf.getvalue()


@pytest.fixture(scope="module")
def export_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("loop") / "Loop Habits CSV 2026-11-26.zip"
    path.write_bytes(big_loop_export())
    return path


@pytest.fixture
def fast(monkeypatch):
    """The line from the start, for every `connect` the test starts (the terminal takes this environment)."""
    for name, value in FAST.items():
        monkeypatch.setenv(name, value)


def on_a_terminal(home, *args: str) -> tuple[int, str]:
    """`connect ARGS` on a pseudo-terminal: its exit code and everything it showed, to the end (lines end in \\n)."""
    term = Terminal(home, NOW, *args)
    seen = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([term.master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(term.master, 65536)
            except OSError:  # EIO: the command ended and closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        elif term.process.poll() is not None:
            break
    return term.wait(), seen.decode("utf-8", "replace").replace("\r\n", "\n")  # the terminal's own line ends


SKIPS = HABITS * sum(1 for d in range(DAYS) if (LAST_DAY - timedelta(days=d)).day == 13)
CHECKINS = HABITS * DAYS - SKIPS
IMPORTED = f"Imported {HABITS} habits, {CHECKINS} check-ins, {SKIPS} skips from Loop"
LINE = re.compile(r"(Importing|Exporting): [0-9,]+( of [0-9,]+ [a-z -]+ \(\d+%\)| [a-z -]+) *")


def progress_then(shown: str) -> tuple[list[str], str]:
    """The progress lines drawn (one line, redrawn in place, then blanked) and what was shown after them."""
    parts = shown.split("\r")
    assert parts[0] == "" and len(parts) >= 4, shown  # "\rline\rline…\rblank\rthe rest"
    lines, blank, rest = parts[1:-2], parts[-2], parts[-1]
    for line in lines:
        assert LINE.fullmatch(line), line
    assert blank.strip() == "" and len(blank) >= max(map(len, lines)), shown
    return lines, rest


def test_a_long_import_and_export_show_progress_on_a_terminal_and_clear_it(home, tmp_path, export_file, fast):
    code, shown = on_a_terminal(home, "import", "--from", "loop", str(export_file))
    assert code == 0, shown
    lines, rest = progress_then(shown)
    assert lines[0] == "Importing: 500 rows read"  # the first report shows at once (after 0 seconds)
    assert all("of 9,000 rows imported" in line for line in lines if "imported" in line)
    assert rest.startswith(IMPORTED) and rest.count("\n") == 1, shown
    assert shown.isascii()

    backup = tmp_path / "backup.json"
    code, shown = on_a_terminal(home, "export", "--format", "json", "-o", str(backup))
    assert code == 0, shown
    lines, rest = progress_then(shown)
    # Told month by month as each is written (and kept: storage/loglines.py), the count going up to the whole.
    counts = [
        int(re.fullmatch(rf"Exporting: ([\d,]+) of {CHECKINS:,} check-ins \(\d+%\)", line)[1].replace(",", ""))
        for line in lines
    ]
    assert counts and counts == sorted(counts) and 0 < counts[0] < CHECKINS and counts[-1] <= CHECKINS
    assert rest == f"Wrote a backup of {HABITS} habits and {CHECKINS} check-ins to {backup}.\n"
    code, shown = on_a_terminal(home, "export", "--format", "json", "-o", str(backup))
    assert code == 0 and shown == rest  # the months as kept: nothing long to tell

    code, shown = on_a_terminal(tmp_path / "elsewhere", "import", str(backup))
    assert code == 0, shown
    lines, rest = progress_then(shown)
    assert lines[0] == f"Importing: 500 of {CHECKINS:,} check-ins checked (5%)"
    assert rest.startswith(f"Restored {HABITS} habits, {CHECKINS} check-ins, {SKIPS} skips and the settings")


def test_without_the_knob_a_quick_import_shows_nothing_on_a_terminal(home, export_file, monkeypatch):
    monkeypatch.setenv("CONNECT_PROGRESS_AFTER", "3600")  # an hour: however slow the machine, not reached
    code, shown = on_a_terminal(home, "import", "--from", "loop", str(export_file))
    assert code == 0, shown
    assert "Importing" not in shown and shown.startswith(IMPORTED), shown


def test_through_a_pipe_no_progress_at_all(home, tmp_path, export_file):
    imported = run_connect(home, "import", "--from", "loop", str(export_file), env=FAST)
    assert imported.code == 0 and imported.err == "", imported.err
    assert imported.out == IMPORTED + ".\n"
    exported = run_connect(home, "export", "--format", "csv", env=FAST)
    assert exported.code == 0 and exported.err == ""
    assert exported.out.count("\n") == CHECKINS + 1 and "Exporting" not in exported.out
    backup = tmp_path / "backup.json"
    assert run_connect(home, "export", "-o", str(backup), env=FAST).err == ""
    restored = run_connect(tmp_path / "elsewhere", "import", str(backup), env=FAST)
    assert restored.code == 0 and restored.err == "" and "\r" not in restored.out
    assert restored.out.startswith(f"Restored {HABITS} habits, {CHECKINS} check-ins")


def test_a_failed_import_on_a_terminal_clears_the_line_before_the_error(home, tmp_path, fast):
    # A bad date after the last habit's rows: refused once thousands of rows were read.
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(big_loop_export())) as source, zipfile.ZipFile(buf, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith(f"{HABITS:03d} "):
                data += b"2026-13-01,YES_MANUAL,\n"
            target.writestr(info, data)
    path = tmp_path / "broken.zip"
    path.write_bytes(buf.getvalue())
    code, shown = on_a_terminal(home, "import", "--from", "loop", str(path))
    assert code == 1, shown
    lines, rest = progress_then(shown)
    assert lines[0] == "Importing: 500 rows read"
    assert rest.startswith("Error: ") and "is not a real date" in rest and rest.count("\n") == 1, shown
