"""The `citizen-gateway` command: one entry point, each subcommand owned by the module that does the job."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# (subcommand module, what it is for). Each module exposes `register(subparsers)`, which adds its
# subcommands and sets `handler` (a callable taking the parsed namespace, returning an exit code).
# Imported lazily so that `citizen-gateway seed` does not pay for the web stack and vice versa.
COMMAND_MODULES: tuple[str, ...] = (
    "council.cli",  # seed: generate and load the synthetic council
    "stack.cli",  # stack up/down/status: the local PostgreSQL, MariaDB and Trino
    "gateway.cli.policy",  # policy check/explain/diff: the access policy
    "gateway.cli.audit",  # audit verify/citizen: the hash-chained audit log
    "gateway.cli.link",  # link [review|accept|reject|dispute]: the master person index
    "gateway.cli.token",  # token: a development bearer token (GATEWAY_DEV_MODE=1 only)
    "gateway.cli.serve",  # serve: the GraphQL endpoint and the explorer
    "gateway.cli.settings",  # settings: the settings in force and what each one does
    "gateway.cli.demo",  # demo: the gateway over a small synthetic council in SQLite files
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="citizen-gateway",
        description="A single citizen view over department databases, masked by policy.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except BrokenPipeError:  # the reader went away (`... | head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return code


if __name__ == "__main__":
    sys.exit(main())
