# The two commands a newcomer needs: `make report` and `make test`.
# Everything else (the virtual environment, the pinned packages) is set up on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DATA   ?= data
OUT    ?= report

.PHONY: help report test validate figures lab lock clean

help:
	@echo "make report    build the regenerated report into $(OUT)/"
	@echo "make test      run the test suite"
	@echo "make validate  check data/ against data/datapackage.json"
	@echo "make figures   regenerate the committed reference figures in figures/"
	@echo "make lab       open the collection in JupyterLab"

# The venv is rebuilt whenever the pins change.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	@touch $@

validate: $(STAMP)
	$(BIN)/osa-report validate --data-dir $(DATA)

report: $(STAMP)
	$(BIN)/osa-report build --data-dir $(DATA) --out $(OUT)

test: $(STAMP)
	$(BIN)/python -m pytest

figures: $(STAMP)
	$(BIN)/osa-report figures --data-dir $(DATA) --out figures

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

# Re-resolve the full pinned set after editing the direct pins in pyproject.toml.
lock: $(STAMP)
	{ head -n 2 constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -v '^osa-utils'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
