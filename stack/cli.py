"""`citizen-gateway stack up|down|status|ready`: the local PostgreSQL, MariaDB and Trino."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from stack import lifecycle, trino
from stack.errors import StackError
from stack.seed import analyze
from stack.settings import TRINO_VERSION, Settings


def _say(line: str) -> None:
    print(line, flush=True)


def _fail(error: StackError) -> int:
    print(str(error), file=sys.stderr, flush=True)
    return 1


def _up(args: argparse.Namespace) -> int:
    try:
        lifecycle.up(Settings.from_env(), _say)
    except StackError as error:
        return _fail(error)
    return 0


def _down(args: argparse.Namespace) -> int:
    failures = lifecycle.down(Settings.from_env(), _say)
    for error in failures:
        _fail(error)
    return 1 if failures else 0


def _install(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        if not trino.installed(settings):
            print(f"trino: fetching and unpacking {TRINO_VERSION} ...", flush=True)
            trino.install(settings)
    except StackError as error:
        return _fail(error)
    return 0


def _analyze(args: argparse.Namespace) -> int:
    try:
        analyze(Settings.from_env())
    except StackError as error:
        return _fail(error)
    print("analyze: statistics refreshed in every department database")
    return 0


def _status(args: argparse.Namespace) -> int:
    parts = lifecycle.status(Settings.from_env())
    for part, (_, description) in parts.items():
        print(f"{part:9} {description}")
    return 0 if all(up for up, _ in parts.values()) else 3


def _ready(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    deadline = time.monotonic() + args.wait
    while True:
        try:
            counts = lifecycle.ready(settings)
        except StackError as error:
            if time.monotonic() >= deadline:
                return _fail(error)
            time.sleep(1)
            continue
        print("ready: " + ", ".join(f"{name} {rows} rows" for name, rows in counts.items()))
        return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "stack", help="the local PostgreSQL, MariaDB and Trino (docs/conventions.md)",
        description="Start, stop and check the local PostgreSQL, MariaDB and Trino servers.",
    )
    commands = parser.add_subparsers(dest="stack_command", required=True, metavar="ACTION")
    up = commands.add_parser(
        "up", help="start every part (idempotent), seed if empty, wait until Trino answers",
    )
    up.set_defaults(handler=_up)
    install = commands.add_parser(
        "install", help="fetch (mvn) and unpack the pinned Trino server if it is missing",
    )
    install.set_defaults(handler=_install)
    analyze_ = commands.add_parser(
        "analyze", help="refresh table statistics as the loader (after loading data)",
    )
    analyze_.set_defaults(handler=_analyze)
    down = commands.add_parser("down", help="stop Trino, MariaDB and PostgreSQL")
    down.set_defaults(handler=_down)
    status = commands.add_parser("status", help="print each part's state (exit 3 if any is down)")
    status.set_defaults(handler=_status)
    ready = commands.add_parser(
        "ready", help="exit 0 if every reader logs in and every Trino catalog answers",
    )
    ready.add_argument(
        "--wait", type=float, default=0, metavar="SECONDS",
        help="keep trying for this long before failing (default: fail at once)",
    )
    ready.set_defaults(handler=_ready)
