"""`citizen-gateway demo`: the citizen view on this machine alone, in one command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gateway.cli.demo_council import DEFAULT_CITIZENS, SEED


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo", help="run the gateway over a small synthetic council in local SQLite files",
        description="Generate a small synthetic council into SQLite files (once; later runs "
                    "reuse them), then serve the gateway on 127.0.0.1 with the DuckDB engine, "
                    "the explorer (GraphiQL) at / and the shipped policies, in development mode. "
                    "Prints where it listens and a demo token per role. Needs no database "
                    "server, no Trino and no network.")
    parser.add_argument("--citizens", type=int, default=DEFAULT_CITIZENS, metavar="N",
                        help=f"citizens in the council (default {DEFAULT_CITIZENS:,})")
    parser.add_argument("--dir", type=Path, default=None, metavar="D",
                        help="folder of the council's files (default: "
                             "~/.cache/citizen-gateway/demo/council-N-seed7)")
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"generator seed (default {SEED})")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from gateway.cli.demo_council import default_directory, demo_settings, prepare_council, serve
    from gateway.errors import StartupError

    def say(message: str) -> None:
        print(f"demo: {message}", file=sys.stderr, flush=True)

    def announce(line: str) -> None:
        print(line, flush=True)

    if not 1 <= args.citizens <= 5_000_000:
        say("--citizens must be from 1 to 5,000,000")
        return 2
    if not 1 <= args.port <= 65535:
        say("--port must be from 1 to 65535")
        return 2
    directory = (args.dir or default_directory(args.citizens, args.seed)).expanduser().resolve()
    try:
        prepare_council(directory, args.citizens, args.seed, say)
        settings = demo_settings(directory, args.port)
        return serve(settings, args.citizens, announce)
    except (OSError, StartupError) as error:
        say(str(error))
        return 1
    except KeyboardInterrupt:
        return 130
