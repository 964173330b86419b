# The two commands: `make demo` (the one-command demo) and `make test` (everything, real servers).
# The local stack: `make up` / `make down` / `make status` (see README.md, docs/conventions.md).

VENV ?= .venv
CLI := $(VENV)/bin/citizen-gateway

.PHONY: provision up down status test lint

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
	$(VENV)/bin/ruff check gateway council stack tests
	$(VENV)/bin/mypy gateway
