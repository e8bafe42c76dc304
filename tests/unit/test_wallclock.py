"""The moved wall clock of `make test-moved-clock` (tests/support/wallclock) reaches every process of the run."""

import os
import subprocess
import sys
from datetime import date, datetime

import pytest

MOVED = os.environ.get("CONNECT_TEST_WALL_CLOCK")


@pytest.mark.skipif(not MOVED, reason="only in a run with the wall clock moved (make test-moved-clock)")
def test_the_test_process_and_its_children_read_the_moved_date():
    moved = datetime.fromisoformat(MOVED).date()
    child = subprocess.run(
        [sys.executable, "-c", "import datetime; print(datetime.date.today())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The run may have crossed midnight since it began.
    assert 0 <= (date.today() - moved).days <= 1
    assert 0 <= (date.fromisoformat(child) - moved).days <= 1
