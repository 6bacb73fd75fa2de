# Two entry points: `make run` (the suite against the embedded reference server) and `make test` (the project's own tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint generate serve bench matrix browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/pytest --pyargs conformance.cases $(ARGS)

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/mypy conformance tests bench
	$(BIN)/graph-conformance generate --check
	$(BIN)/pytest tests $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy conformance tests bench

generate: $(STAMP)
	$(BIN)/graph-conformance generate

serve: $(STAMP)
	$(BIN)/graph-conformance serve --write-target reports/target.yaml

bench: $(STAMP)
	$(BIN)/python -m bench

matrix: $(STAMP)
	$(BIN)/python -m tests.cases.mutants

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the HTML report test"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

clean:
	rm -rf $(VENV) reports/*/ reports/latest
