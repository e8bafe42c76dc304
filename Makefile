# `make test` builds its own virtual environment (.venv) and runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

# The rules that depend on the clock run once more in zones with unusual daylight saving.
TIME_TESTS := tests/test_streaks.py tests/test_reminders.py tests/test_daemon.py tests/test_stats.py tests/test_summary.py
ZONES := Europe/Berlin America/New_York Australia/Lord_Howe

# The wall clock of every Python process of a run moved to hard dates (tests/support/wallclock): a test
# that reads the real date instead of pinning it fails here on every day of the year. The whole suite
# runs on a leap day; the in-process and command-line tests also on the other dates ([ZONE@]LOCAL TIME).
MOVED_CLOCK_FULL := 2028-02-29T12:00
MOVED_CLOCKS := 2027-03-01T09:00 2026-12-31T21:00 Europe/Berlin@2027-03-28T12:00
MOVED_CLOCK_TESTS := tests/test_cli.py tests/test_fastpath.py tests/test_transfer.py tests/test_time.py \
  tests/test_streaks.py tests/test_reminders.py tests/test_stats.py tests/test_summary.py tests/test_model.py \
  tests/test_daemon.py tests/test_merge.py tests/test_records.py tests/test_config.py tests/test_catalog.py \
  tests/test_upgrade.py tests/test_store.py tests/test_long_history.py

.PHONY: test test-zones test-moved-clock install clean

test: $(VENV)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(MAKE) --no-print-directory test-zones
	$(MAKE) --no-print-directory test-moved-clock

test-zones: $(VENV)/.installed
	@for zone in $(ZONES); do \
	  echo "== TZ=$$zone"; \
	  TZ=$$zone $(BIN)/python -m pytest -q $(TIME_TESTS) || exit 1; \
	done

test-moved-clock: $(VENV)/.installed
	@run() { zone=$${1%@*}; moment=$${1#*@}; [ "$$zone" != "$$1" ] || zone=$${TZ:-}; shift; \
	  echo "== wall clock moved to $$moment $${zone:+($$zone)}"; \
	  env $${zone:+TZ=$$zone} CONNECT_TEST_WALL_CLOCK=$$moment PYTHONPATH=tests/support/wallclock \
	    $(BIN)/python -m pytest -q "$$@"; }; \
	run $(MOVED_CLOCK_FULL) || exit 1; \
	for clock in $(MOVED_CLOCKS); do run $$clock $(MOVED_CLOCK_TESTS) || exit 1; done

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

clean:
	rm -rf $(VENV) build dist .pytest_cache .hypothesis
