# `make test` builds its own virtual environment (.venv) and runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

# The rules that depend on the clock run once more in zones with unusual daylight saving.
TIME_TESTS := tests/test_streaks.py tests/test_reminders.py tests/test_daemon.py tests/test_stats.py tests/test_summary.py
ZONES := Europe/Berlin America/New_York Australia/Lord_Howe

.PHONY: test test-zones install clean

test: $(VENV)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(MAKE) --no-print-directory test-zones

test-zones: $(VENV)/.installed
	@for zone in $(ZONES); do \
	  echo "== TZ=$$zone"; \
	  TZ=$$zone $(BIN)/python -m pytest -q $(TIME_TESTS) || exit 1; \
	done

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

clean:
	rm -rf $(VENV) build dist .pytest_cache .hypothesis
