# Two commands do all set-up: `make report` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: test report bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.base: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@ $(VENV)/.base

report: $(VENV)/.base
	$(BIN)/civictools report build --out build/report

test: $(VENV)/.dev
	$(BIN)/python -m pytest tests src/civictools --doctest-modules --nbmake notebooks --ignore=src/civictools/report/notebooks -p no:cacheprovider

bench: $(VENV)/.dev
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf build .venv
