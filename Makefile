# The two commands a newcomer needs: `make report` and `make test`.
# Everything else (the virtual environment, the pinned packages) is set up on first use.
# Python 3.11, 3.12 or 3.13: `python3` when it is one of them, else pick one with
# `make test PYTHON=/path/to/python3.13`.
PYTHON ?= python3
PY_SUPPORTED := 3.11 3.12 3.13
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DATA   ?= data
OUT    ?= report

.PHONY: help report test lint validate figures lab lock clean cff-validate

help:
	@echo "make report    build the regenerated report into $(OUT)/"
	@echo "make test      run the checks (make lint) and the test suite"
	@echo "make lint      check import layers, lint and format (ruff) and types (mypy)"
	@echo "make validate  check data/ against data/datapackage.json"
	@echo "make figures   regenerate the committed reference figures in figures/"
	@echo "make lab       open the collection in JupyterLab"
	@echo "make cff-validate  check CITATION.cff with cffconvert (in a tool venv of its own)"
	@echo "make clean     remove what osa-report and the README's examples wrote (only its own folders), then .venv/"

# The stamp records which interpreter made the venv ("3.12.1 /path/to/python3"); the venv is
# brought up to date whenever the pins change, and rebuilt whenever PYTHON is another interpreter.
# The venv's python3 kernelspec then names osa_utils' kernel provisioner: kernels over Unix sockets.
PY_ID   := $(strip $(shell $(PYTHON) -c 'import sys; print(sys.version.split()[0], sys.executable)' 2>/dev/null))
PY_VER  := $(basename $(firstword $(PY_ID)))
VENV_ID := $(strip $(shell cat $(STAMP) 2>/dev/null))
ifneq ($(PY_ID),$(VENV_ID))
.PHONY: $(STAMP)
endif

$(STAMP): pyproject.toml constraints.txt
	@case " $(PY_SUPPORTED) " in *" $(PY_VER) "*) ;; *) \
	  echo "error: Python 3.11, 3.12 or 3.13 is needed; PYTHON=$(PYTHON) is $(if $(PY_ID),Python $(PY_ID),not found)." >&2; \
	  echo "Pick a supported one with PYTHON=, e.g. make test PYTHON=/path/to/python3.13" >&2; \
	  exit 1;; esac
	@if [ -n "$(VENV_ID)" ] && [ "$(VENV_ID)" != "$(PY_ID)" ]; then \
	  echo "$(VENV) was made by Python $(VENV_ID); rebuilding it with Python $(PY_ID)"; \
	  rm -rf $(VENV); fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	$(BIN)/python -m osa_utils.provisioner
	@echo '$(PY_ID)' > $@

validate: $(STAMP)
	$(BIN)/osa-report validate --data-dir $(DATA)

# cffconvert, the client that checks CITATION.cff, needs jsonschema<4, which the project's pins
# exclude: it gets a small venv of its own inside .venv, from tools/cffconvert-requirements.txt.
# It does not depend on the project's venv stamp, so making it never rebuilds .venv (whatever
# PYTHON says); it is made with .venv's own interpreter where there is one.
CFF_VENV := $(VENV)/tools/cffconvert
$(CFF_VENV)/.installed-stamp: tools/cffconvert-requirements.txt
	$(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON)) -m venv $(CFF_VENV)
	$(CFF_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r tools/cffconvert-requirements.txt
	@touch $@

cff-validate: $(STAMP) $(CFF_VENV)/.installed-stamp
	$(CFF_VENV)/bin/cffconvert --validate -i CITATION.cff

report: $(STAMP)
	$(BIN)/osa-report build --data-dir $(DATA) --out $(OUT)

# Python's default is to cache compiled modules; where PYTHONDONTWRITEBYTECODE is set (as on our
# reference machine) every kernel and command the suite starts (~200) would compile osa_utils again
# and pytest would rewrite every test module again: the suite lets Python cache them (in the
# git-ignored __pycache__ folders).
test: lint
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest

# The habits that keep the code in shape (CONTRIBUTING.md): the import layers of osa_utils
# (pyproject.toml [tool.importlinter]), ruff's lint and format check, mypy. Also run by `make test`.
lint: $(STAMP)
	$(BIN)/lint-imports --no-logo
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/mypy

figures: $(STAMP)
	$(BIN)/osa-report figures --data-dir $(DATA) --out figures

# The collection's Lab settings (jupyter/: notebooks listed once and saved without outputs, no news
# pop-up, no "Select Kernel" dialog) come first in the config path; yours still apply otherwise.
lab: $(STAMP)
	env "JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH))" $(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

# Re-resolve the full pinned set after editing the direct pins in pyproject.toml. Run it with a
# Python 3.11 venv: some dependencies differ by version (papermill adds aiohttp on 3.12 only).
lock: $(STAMP)
	{ head -n 2 constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -v '^osa-utils'; grep ' ; python_version' constraints.txt; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

# What the tool and the README's examples wrote, and only that (tools/clean.py, standard library
# only: folders carrying osa-report's marker and their version and lock files, the notebooks'
# output files, the caches), then the venv. A folder of yours without the marker stays; while a
# build holds an output's lock, clean says so and stops (exit 3) before the venv is removed.
clean:
	$(PYTHON) tools/clean.py $(OUT)
	rm -rf $(VENV)
