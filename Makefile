# Lacuna: `make serve` sets up .venv and starts the server; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 50051

.PHONY: venv serve test bench proto demo lint clean

# Rebuilt when the dependencies (pyproject.toml) or this recipe change.
$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip "setuptools<81" wheel
	# The CPU build of torch; for a GPU server install the CUDA build first (README).
	$(PY) -m pip install -q "torch==2.13.0"
	$(PY) -m pip install -q -e ".[comet,test,ray]"
	touch $(STAMP)

venv: $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/lacuna-server --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	@for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

demo: $(STAMP)
	$(PY) -m lacuna.demo

# Regenerate the Python modules in proto/ from proto/lacuna/v1/*.proto.
proto: $(STAMP)
	$(PY) -m lacuna.proto.generate

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
