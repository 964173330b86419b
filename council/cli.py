"""The `citizen-gateway seed` command: generate the synthetic council and load it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from council.errors import BadInput, SeedError
from council.seed import MAX_CITIZENS, Plan, Report, default_workers, run, write_tsv
from council.settings import Servers


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "seed",
        help="generate the synthetic council and bulk-load its department databases",
        description=(
            "Generate a deterministic synthetic council (the same --citizens and --seed always "
            "give the same rows) and bulk-load the registry, health and housing databases "
            "(PostgreSQL) and the socialcare and education databases (MariaDB) as "
            "council_loader (password from COUNCIL_LOADER_PASSWORD)."
        ),
    )
    parser.add_argument("--citizens", default="2000", metavar="N",
                        help=f"number of citizens, 1 to {MAX_CITIZENS:,} (default 2000)")
    parser.add_argument("--seed", default="7", metavar="S", help="random seed (default 7)")
    parser.add_argument("--reset", action="store_true",
                        help="drop and recreate tables that already hold data")
    parser.add_argument("--workers", default=None, metavar="W",
                        help="processes generating and loading in parallel (default: 2)")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="write <department>.<table>.tsv files to DIR instead of loading")
    parser.add_argument("--postgres", default=None, metavar="HOST:PORT",
                        help="PostgreSQL server (default 127.0.0.1:55432)")
    parser.add_argument("--mariadb", default=None, metavar="HOST:PORT",
                        help="MariaDB server (default 127.0.0.1:53306)")
    parser.set_defaults(handler=handle)


def _whole(text: str, name: str, low: int, high: int) -> int:
    try:
        value = int(str(text).strip().replace("_", "").replace(",", ""))
    except ValueError:
        raise BadInput(f"{name} must be a whole number, not {text!r}") from None
    if not low <= value <= high:
        raise BadInput(f"{name} must be from {low:,} to {high:,}, not {value:,}")
    return value


def handle(args: argparse.Namespace) -> int:
    def say(message: str) -> None:
        print(f"seed: {message}", file=sys.stderr, flush=True)

    try:
        citizens = _whole(args.citizens, "--citizens", 1, MAX_CITIZENS)
        seed = _whole(args.seed, "--seed", 0, 2**63 - 1)
        workers = default_workers() if args.workers is None else _whole(
            args.workers, "--workers", 1, 16)
        if args.out is not None:
            report = write_tsv(citizens, seed, args.out)
            _summary(report, citizens, f"written to {args.out}")
            return 0
        try:
            servers = Servers.from_env(postgresql=args.postgres, mariadb=args.mariadb)
        except ValueError as error:
            raise BadInput(str(error)) from None
        report = run(Plan(citizens, seed, args.reset, workers, servers), say)
        _summary(report, citizens, "loaded")
        return 0
    except BadInput as error:
        say(str(error))
        return 2
    except SeedError as error:
        say(str(error))
        return 1
    except KeyboardInterrupt:
        say("interrupted")
        return 130


def _summary(report: Report, citizens: int, verb: str) -> None:
    width = max(len(name) for name in report.rows)
    for name in sorted(report.rows):
        print(f"{name:<{width}}  {report.rows[name]:>12,}")
    minutes, seconds = divmod(report.seconds, 60)
    print(
        f"{report.total:,} rows for {citizens:,} citizens {verb} in "
        f"{int(minutes)}m{seconds:04.1f}s"
    )
