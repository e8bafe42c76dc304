"""Moves the wall clock of every Python process of a test run to a hard date, with time-machine.

`make test` runs the suite once more with this folder on PYTHONPATH and CONNECT_TEST_WALL_CLOCK set to
a date such as 2028-02-29T12:00 (local time, in $TZ). Python imports this module at start-up, so the
pytest process and every `connect`, daemon and helper it starts see that date: a test that forgot to
pin its clock (CONNECT_NOW, or a `today` argument) then fails on every machine on every day, not only on
the days its fixture's month happens to differ from the real one.

The first process turns the date into a shift from the real clock and hands the shift down
(CONNECT_TEST_CLOCK_SHIFT), so all processes share one moving clock instead of each restarting at
the date. Monotonic clocks and file times stay real.
"""

import os
import sys

DATE_VARIABLE = "CONNECT_TEST_WALL_CLOCK"
SHIFT_VARIABLE = "CONNECT_TEST_CLOCK_SHIFT"


def _travel() -> None:
    import time

    shift = os.environ.get(SHIFT_VARIABLE)
    if shift is None:
        from datetime import datetime

        destination = datetime.fromisoformat(os.environ[DATE_VARIABLE]).astimezone()
        shift = repr(destination.timestamp() - time.time())
        os.environ[SHIFT_VARIABLE] = shift
    loaded = set(sys.modules)
    # time-machine brings pytest's plugin and dateutil's parser along when it can import them, and a
    # good deal of the standard library; the import tests of connect's start-up path must not see any
    # of it, so what it loaded is dropped from sys.modules again (time-machine keeps its references).
    blocked = [name for name in ("pytest", "dateutil", "dateutil.parser") if name not in sys.modules]
    sys.modules.update(dict.fromkeys(blocked))
    try:
        import time_machine

        time_machine.travel(time.time() + float(shift), tick=True).start()
        time.time()  # time-machine's clock starts ticking at its first reading, not at start()
    finally:
        for name in set(sys.modules) - loaded - {"time_machine", "_time_machine", "datetime", "_datetime"}:
            del sys.modules[name]


if os.environ.get(DATE_VARIABLE) or os.environ.get(SHIFT_VARIABLE):
    _travel()
