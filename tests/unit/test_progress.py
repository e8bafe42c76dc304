"""The progress line of long imports and exports (cli/progress.py), on a fake terminal with a clock the test moves;
and how the formats tell it how far they have got (interop/importing.py).
"""

from __future__ import annotations

from datetime import date

import pytest

from connect_habits.cli.progress import AFTER_VARIABLE, Progress, progress_line, shown_after
from connect_habits.core.model import Cadence, CheckIn, Habit, Snapshot
from connect_habits.interop.csvfile import export_csv
from connect_habits.interop.importing import EVERY, add_checkins, counting

LINE = "Importing: 12,000 of 40,000 check-ins (30%)"
BLANK = "\r" + " " * len(LINE) + "\r"


class Screen:
    """A stream that says whether it is a terminal and keeps what is written to it."""

    def __init__(self, tty: bool = True):
        self.tty = tty
        self.written: list[str] = []

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        self.written.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    @property
    def text(self) -> str:
        return "".join(self.written)


class Clock:
    def __init__(self, now: float = 100.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv(AFTER_VARIABLE, raising=False)


def progress(screen: Screen, clock: Clock, **options) -> Progress:
    return Progress("Importing", stream=screen, clock=clock, **options)


def test_nothing_shows_in_the_first_second():
    screen, clock = Screen(), Clock()
    report = progress(screen, clock)
    for moment in (100.0, 100.5, 100.99):
        clock.now = moment
        report(500, 40_000, "check-ins")
    assert screen.written == []
    report.clear()
    assert screen.written == []  # nothing drawn, nothing to blank


def test_after_a_second_one_line_redrawn_in_place_and_blanked_at_the_end():
    screen, clock = Screen(), Clock()
    with progress(screen, clock) as report:
        clock.now = 101.2
        report(12_000, 40_000, "check-ins")
        assert screen.written == ["\r" + LINE]
        clock.now = 101.5
        report(20_000, 40_000, "check-ins")
        assert screen.written[-1] == "\rImporting: 20,000 of 40,000 check-ins (50%)"
    assert screen.written[-1] == BLANK
    assert "\n" not in screen.text and screen.text.isascii()


def test_redraws_come_at_most_ten_times_a_second():
    screen, clock = Screen(), Clock()
    report = progress(screen, clock)
    for step in range(1000):  # a report every millisecond, from the first second to the third
        clock.now = 101.0 + step * 0.002
        report(step, 1000, "rows")
    assert 18 <= len(screen.written) <= 21
    clock.now = 200.0
    report(1000, 1000, "rows")
    assert screen.written[-1].startswith("\rImporting: 1,000 of 1,000 rows (100%)")


def test_a_shorter_line_blanks_what_the_longer_one_left():
    screen, clock = Screen(), Clock(101.0)
    report = progress(screen, clock, after=0)
    report(123_456, 200_000, "check-ins checked")
    clock.now += 1
    report(5, 9, "done")
    assert screen.written[-1] == "\r" + "Importing: 5 of 9 done (55%)".ljust(len(screen.written[0]) - 1)
    report.clear()
    assert screen.written[-1] == "\r" + " " * (len(screen.written[0]) - 1) + "\r"


def test_nothing_at_all_when_stderr_is_not_a_terminal():
    screen, clock = Screen(tty=False), Clock()
    with progress(screen, clock, after=0) as report:
        for step in range(50):
            clock.now += 1
            report(step * 500, 40_000, "check-ins")
    assert screen.written == []


def test_the_line_fits_the_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "30")
    screen = Screen()
    report = progress(screen, Clock(), after=0)
    report(12_000, 40_000, "check-ins")
    assert screen.written == ["\r" + LINE[:29]]


class Broken(Screen):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


class Closed(Screen):
    def isatty(self) -> bool:
        raise ValueError("I/O operation on closed file")


@pytest.mark.parametrize("screen", [Broken(), Closed()], ids=["broken", "closed"])
def test_a_broken_or_closed_stderr_stops_the_line_not_the_work(screen):
    clock = Clock()
    with progress(screen, clock, after=0) as report:
        for _ in range(3):
            clock.now += 1
            report(1, 2, "rows")
    assert not report.live


def test_the_line_reads_as_a_sentence_in_ascii():
    assert progress_line("Importing", 12_000, 40_000, "check-ins") == LINE
    assert progress_line("Importing", 1_500, None, "rows read") == "Importing: 1,500 rows read"
    assert progress_line("Exporting", 0, 0, "check-ins") == "Exporting: 0 check-ins"
    assert progress_line("Exporting", 7, 3, "check-ins").endswith("(100%)")
    assert (
        progress_line("Importing", 1, 2, "check-ins \u2013 r\u00e9sum\u00e9")
        == "Importing: 1 of 2 check-ins - resume (50%)"
    )


@pytest.mark.parametrize(
    "value, seconds", [(None, 1.0), ("0", 0.0), ("2.5", 2.5), ("soon", 1.0), ("-1", 1.0), ("nan", 1.0), ("inf", 1.0)]
)
def test_the_second_can_be_moved_for_tests_and_tuning(monkeypatch, value, seconds):
    if value is not None:
        monkeypatch.setenv(AFTER_VARIABLE, value)
    assert shown_after() == seconds


def test_the_environment_knob_reaches_the_line(monkeypatch):
    monkeypatch.setenv(AFTER_VARIABLE, "0")
    screen = Screen()
    Progress("Exporting", stream=screen, clock=Clock())(500, 1000, "check-ins")
    assert screen.text == "\rExporting: 500 of 1,000 check-ins (50%)"


# ---------------------------------------------------------------- how the formats tell it


class Told:
    def __init__(self):
        self.calls: list[tuple[int, int | None, str]] = []

    def __call__(self, done: int, total: int | None, what: str) -> None:
        self.calls.append((done, total, what))


def test_counting_tells_every_so_many_items_across_batches():
    items = list(range(1234))
    assert counting(items, None, "rows") is items  # nothing to tell: the items themselves
    told = Told()
    assert list(counting(items, told, "rows", 2000)) == items
    assert told.calls == [(EVERY, 2000, "rows"), (2 * EVERY, 2000, "rows")]
    told.calls.clear()
    for before in range(0, 1200, 300):  # small batches are told too, as the work goes
        list(counting(range(300), told, "rows", 1200, before))
    assert [done for done, _, _ in told.calls] == [EVERY, 2 * EVERY]


class Transaction:
    def __init__(self):
        self.snapshot = Snapshot()
        self.batches: list[list[CheckIn]] = []

    def add_checkins(self, checkins):
        self.batches.append(list(checkins))


def _checkins(count: int) -> list[CheckIn]:
    return [CheckIn(id=f"c{n}", habit_id="h", day=date(2026, 1, 1), logged_at="") for n in range(count)]


def test_check_ins_are_added_in_chunks_only_when_someone_listens():
    checkins = _checkins(12_000)
    quiet = Transaction()
    add_checkins(quiet, checkins)
    assert quiet.batches == [checkins]
    told, listened = Told(), Transaction()
    add_checkins(listened, checkins, told)
    assert [c for batch in listened.batches for c in batch] == checkins and len(listened.batches) == 3
    assert told.calls == [(n, 12_000, "check-ins added") for n in (5000, 10_000, 12_000)]
    assert listened.snapshot.checkins == checkins


def test_the_csv_export_tells_and_is_the_same_with_or_without_listening():
    habit = Habit(id="h", name="Walk", slug="walk", cadence=Cadence(), created=date(2026, 1, 1))
    snapshot = Snapshot(habits=[habit], checkins=_checkins(1200))
    told = Told()
    assert export_csv(snapshot, progress=told) == export_csv(snapshot)
    assert told.calls == [(500, 1200, "check-ins"), (1000, 1200, "check-ins")]
