# `make test` builds its own virtual environment (.venv) and runs everything CI runs.
PYTHON ?= python3
# Tests run on every core (pytest-xdist): CI's two cores take the suite in about half the time (the
# zones' short in-process runs stay in one: starting the workers costs them more than it gains).
# `make test WORKERS=0` runs them in one process.
WORKERS ?= auto
PYTEST := -m pytest -n $(WORKERS)
VENV ?= .venv
BIN := $(VENV)/bin

# The rules that depend on the clock run once more in zones with unusual daylight saving.
TIME_TESTS := tests/unit/test_streaks.py tests/unit/test_reminders.py tests/unit/test_daemon.py \
  tests/unit/test_stats.py tests/unit/test_summary.py tests/unit/test_daystart.py tests/unit/test_rhythms.py \
  tests/unit/test_limits.py tests/unit/test_repeats.py tests/unit/test_challenges.py tests/unit/test_loop_score.py
ZONES := Europe/Berlin America/New_York Australia/Lord_Howe

# The wall clock of every Python process of a run moved to hard dates (tests/support/wallclock): a test
# that reads the real date instead of pinning it fails here on every day of the year. The whole suite
# runs on a leap day; the in-process tests and the commands that deal in dates also on the first of a
# month (a Monday, the first day of a week), New Year's Eve and a daylight-saving change
# ([ZONE@]LOCAL TIME). The daemon's tests run on the real clock too, so they come along: the weekly
# summary on a Monday is of the week before, which a test once took for the week under way.
MOVED_CLOCK_FULL := 2028-02-29T12:00
MOVED_CLOCKS := 2027-03-01T09:00 2026-12-31T21:00 Europe/Berlin@2027-03-28T12:00
MOVED_CLOCK_TESTS := tests/unit tests/cli/test_cli.py tests/cli/test_time.py tests/cli/test_transfer.py \
  tests/integration/test_daemon_dbus.py tests/integration/test_partner_news.py

.PHONY: test unit check format attack test-zones test-moved-clock install clean

test: $(VENV)/.installed
	$(BIN)/python $(PYTEST) $(PYTEST_ARGS)
	$(MAKE) --no-print-directory test-zones
	$(MAKE) --no-print-directory test-moved-clock

# The fast in-process tests, for the edit-test loop.
unit: $(VENV)/.installed
	$(BIN)/python $(PYTEST) -q tests/unit

# The adversarial suite RELIABILITY.md reports: racing processes, kills, damaged and hostile files, the outside attack.
ATTACK_TESTS := tests/attack tests/cli/test_store.py tests/cli/test_time.py tests/integration/test_daemon_dbus.py \
  tests/integration/test_sync.py
attack: $(VENV)/.installed
	$(BIN)/python $(PYTEST) -q $(ATTACK_TESTS)

# Lint, format and types, as CI checks them.
check: $(VENV)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: $(VENV)/.installed
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

test-zones: $(VENV)/.installed
	@for zone in $(ZONES); do \
	  echo "== TZ=$$zone"; \
	  TZ=$$zone $(BIN)/python -m pytest -q $(TIME_TESTS) || exit 1; \
	done

test-moved-clock: $(VENV)/.installed
	@run() { zone=$${1%@*}; moment=$${1#*@}; [ "$$zone" != "$$1" ] || zone=$${TZ:-}; shift; \
	  echo "== wall clock moved to $$moment $${zone:+($$zone)}"; \
	  env $${zone:+TZ=$$zone} CONNECT_TEST_WALL_CLOCK=$$moment PYTHONPATH=tests/support/wallclock \
	    $(BIN)/python $(PYTEST) -q "$$@"; }; \
	run $(MOVED_CLOCK_FULL) || exit 1; \
	for clock in $(MOVED_CLOCKS); do run $$clock $(MOVED_CLOCK_TESTS) || exit 1; done

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

clean:
	rm -rf $(VENV) build dist .pytest_cache .hypothesis .mypy_cache .ruff_cache
