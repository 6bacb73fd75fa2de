# Two entry points: `make run` (the suite against the embedded reference server) and `make test` (the project's own tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MUTATION_STAMP := $(VENV)/.mutation-installed

.PHONY: run test lint generate serve bench matrix mutation browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,sdk]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/pytest --pyargs conformance.cases $(ARGS)

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/mypy conformance tests bench
	$(BIN)/graph-conformance generate --check
	$(BIN)/pytest tests -n 2 --dist loadfile $(ARGS)  # the matrix file on one worker, the rest on the other

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

$(MUTATION_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev,mutation]'
	touch $(MUTATION_STAMP)

# not part of `make test`: mutmut over the verdict-deciding modules ([tool.mutmut] in pyproject.toml), the score
# and every surviving mutant; fails below 90% killed or on a survivor docs/mutation-equivalents.md does not list
mutation: $(MUTATION_STAMP)
	$(BIN)/python -m tests.mutation $(ARGS)

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the HTML report test"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

clean:
	rm -rf $(VENV) reports/*/ reports/latest mutants
