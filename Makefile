# The two commands: `make demo` (the one-command demo) and `make test` (everything, real servers).
# The local stack: `make up` / `make down` / `make status` (see README.md, docs/conventions.md).

VENV ?= .venv
CLI := $(VENV)/bin/citizen-gateway

.PHONY: provision up down status test lint demo

provision:
	@scripts/provision.sh

up: provision
	@$(CLI) stack up

down:
	@if [ -x $(CLI) ]; then $(CLI) stack down; fi

status:
	@$(CLI) stack status

# Provision what is missing, bring the real PostgreSQL, MariaDB and Trino up (seeded), then run
# the whole suite; exits non-zero on any failure.
test: up
	$(VENV)/bin/pytest tests

lint:
	$(VENV)/bin/ruff check gateway council stack tests bench
	$(VENV)/bin/mypy gateway
	$(VENV)/bin/vulture gateway scripts/vulture_allow.py --min-confidence 60 --exclude gateway/static

# The one-command demo, from a fresh clone: a virtualenv with the project (`pip install -e .`,
# which needs PyPI or a local wheel cache/find-links; nothing else touches the network), then
# `citizen-gateway demo`: a small synthetic council written once into SQLite files
# (~/.cache/citizen-gateway/demo), the gateway on the embedded DuckDB engine with GraphiQL at
# http://127.0.0.1:8000/ and a token per demo role. No PostgreSQL, MariaDB or Trino.
# Options: make demo DEMO_ARGS="--citizens 100000 --port 8080".
DEMO_ARGS ?=
demo:
	@test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	@want="$$(sha256sum pyproject.toml | cut -d' ' -f1)"; \
	if [ "$$(cat $(VENV)/.provisioned 2>/dev/null)" != "$$want" ] \
	        && [ "$$(cat $(VENV)/.demo-installed 2>/dev/null)" != "$$want" ]; then \
	    echo "demo: pip install -e . (PyPI or the local pip cache)"; \
	    $(VENV)/bin/python -m pip install -q -e . && echo "$$want" >$(VENV)/.demo-installed; \
	fi
	@$(CLI) demo $(DEMO_ARGS)
