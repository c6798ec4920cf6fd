# The map of the pipeline: one target per thing a person wants.
#   make reports   set up .venv if needed, build the sample data if missing, publish every report
#   make test      set up .venv if needed, run every test
#   make lab       JupyterLab at the repository root with the project's kernel (outputs stripped on save)
#   make sample    rebuild data/sample from its recorded seed
#   make bench     run the performance harness (slow; results in benchmarks/results/)
#   make bench-national  every report of a 100,000-participant dataset (hours; run it again
#                  to carry on where it stopped)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup reports test lab sample bench bench-national clean

# Re-install when the dependency list changes; a fresh clone has no .venv at all.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name leadeval --display-name "Python (leadeval)" >/dev/null
	@# Outputs never reach git: nbstripout cleans notebooks as they are staged (.gitattributes),
	@# keeping cell ids so a committed notebook stages unchanged.
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	    git config filter.nbstripout.clean "'$(abspath $(BIN))/python' -m nbstripout --keep-id" && \
	    git config filter.nbstripout.smudge cat && \
	    git config filter.nbstripout.required true; fi
	@touch $(STAMP)

setup: $(STAMP)

data/sample/dataset.yaml: | $(STAMP)
	$(BIN)/leadeval sample-data data/sample

sample: $(STAMP)
	$(BIN)/leadeval sample-data data/sample

reports: $(STAMP) data/sample/dataset.yaml
	$(BIN)/leadeval validate data/sample
	$(BIN)/leadeval run --dataset data/sample --out reports

# axe-core (npm) for the accessibility tests; without npm they skip (and fail under CI=true).
AXE := tests/e2e/axe/node_modules/axe-core/axe.min.js
$(AXE): tests/e2e/axe/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/e2e/axe --no-audit --no-fund --silent; \
	else echo "npm not found: the accessibility tests will skip"; fi

# Two test processes (pytest-xdist): tests/conftest.py keeps each module, and the end-to-end
# tests that share one published sample run, within one of them. TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2
test: $(STAMP) $(AXE)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope --durations=15

# The kernel is installed for the user too, so any Jupyter (a shared JupyterHub included) offers
# it; Lab opens at the repository root so notebooks/, data/ and reports/ are all visible.
lab: $(STAMP)
	$(BIN)/python -m ipykernel install --user --name leadeval --display-name "Python (leadeval)" >/dev/null
	$(BIN)/jupyter lab --config=$(CURDIR)/jupyter_server_config.py --ServerApp.root_dir=$(CURDIR)

bench: $(STAMP)
	$(BIN)/python benchmarks/run_benchmarks.py

NATIONAL ?= .bench/national-100000
bench-national: $(STAMP)
	$(BIN)/python benchmarks/national.py --participants 100000 --workspace $(NATIONAL)

clean:
	rm -rf reports/ .pytest_cache/ tests/artifacts/ .bench/
