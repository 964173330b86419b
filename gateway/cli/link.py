"""`citizen-gateway link [review|accept|reject|dispute]`: build the master person index from the
departments' own records, and review it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "link", help="build the master person index from the department records; review it",
        description="Without an action: link every department's records to the registry's "
                    "citizens (Splink) and write the index back, one transaction per department.")
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--sqlite-dir", type=Path, help="the demo's SQLite files instead of the "
                       "connector files (default: GATEWAY_DUCKDB_SQLITE_DIR when set)")
    parser.add_argument("--departments", help="comma-separated (default: every linked department)")
    parser.add_argument("--link-threshold", type=float, default=0.9,
                        help="match probability from which a link is made without review (0.9)")
    parser.add_argument("--memory-limit", default="5GB",
                        help="most memory the linker's database may hold before it spills to "
                             "disk (DuckDB's memory_limit, default 5GB)")
    parser.add_argument("--review-threshold", type=float, default=0.5,
                        help="match probability from which a candidate goes to review (0.5)")
    parser.add_argument("--margin-bits", type=float, default=4.0,
                        help="a best candidate closer than this to the second goes to review (4)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--sqlite-dir", type=Path, help=argparse.SUPPRESS)
    parser.set_defaults(handler=_run)
    actions = parser.add_subparsers(dest="link_command", metavar="ACTION")

    review = actions.add_parser("review", parents=[where],
                                help="the review queue, each candidate pair side by side")
    review.add_argument("--department")
    review.add_argument("--limit", type=int, default=20)
    review.set_defaults(handler=_review)
    for verdict, help_text in (("accept", "link a record to a citizen (wins over the model)"),
                               ("reject", "keep a record apart from a citizen, on every run")):
        decide = actions.add_parser(verdict, parents=[where], help=help_text)
        decide.add_argument("department")
        decide.add_argument("local_id", type=int)
        decide.add_argument("citizen_id", type=int)
        decide.add_argument("--reviewer", required=True)
        decide.add_argument("--reason", required=True)
        decide.set_defaults(handler=_decide, verdict=verdict)
    grants = actions.add_parser(
        "grants", help="the GRANT statements of the linkage account, per department database",
        description="What a database administrator applies so that the linkage account reads "
                    "the identifying columns only (and writes the index in the registry).")
    grants.add_argument("--account", default="council_linker")
    grants.set_defaults(handler=_grants)
    dispute = actions.add_parser("dispute", parents=[where],
                                 help="withhold a link from every view and send it to review")
    dispute.add_argument("department")
    dispute.add_argument("local_id", type=int)
    dispute.add_argument("--reviewer", required=True)
    dispute.add_argument("--reason", required=True)
    dispute.set_defaults(handler=_dispute)


def _workspace(args: argparse.Namespace) -> Any:
    import os

    from gateway.contract.contract import load_contract
    from gateway.linkage.extract import Workspace
    from gateway.linkage.identity import identities
    from gateway.settings import load_settings

    settings = load_settings()
    found = identities(load_contract(settings.contract_path))
    sqlite_dir = args.sqlite_dir or settings.duckdb_sqlite_dir
    memory = getattr(args, "memory_limit", "5GB")
    if sqlite_dir is not None:
        return Workspace(found, sqlite_dir=sqlite_dir, memory_limit=memory)
    return Workspace(found, connectors_dir=settings.connectors_dir, env=os.environ,
                     memory_limit=memory)


def _guarded(action: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        from gateway.errors import StartupError

        try:
            return int(action(args))
        except (StartupError, OSError, ValueError) as error:
            print(f"citizen-gateway link: {error}", file=sys.stderr)
            return 2
    return run


@_guarded
def _run(args: argparse.Namespace) -> int:
    from gateway.linkage.decide import Thresholds
    from gateway.linkage.run import run

    thresholds = Thresholds(args.link_threshold, args.review_threshold, args.margin_bits)
    workspace = _workspace(args)
    try:
        report = run(workspace, thresholds=thresholds, progress=not args.no_progress,
                     departments=args.departments.split(",") if args.departments else None)
    finally:
        workspace.close()
    print(f"{report.citizens:,} citizens in the registry; {report.seconds:.1f} s")
    print(f"{'department':<12} {'records':>9} {'linked':>9} {'duplicates':>10} "
          f"{'deterministic':>13} {'manual':>7} {'review':>7} {'unlinked':>9}  model")
    for d in report.departments:
        print(f"{d.department:<12} {d.records:>9,} {d.linked:>9,} {d.duplicates:>10,} "
              f"{d.deterministic:>13,} {d.manual:>7,} {d.review:>7,} {d.unlinked:>9,}  "
              f"{d.model_version}")
    return 0


def _show(label: str, identity: Any, width: int = 14) -> str:
    return f"  {label:<{width}}" + "  ".join(f"{key}={value}" for key, value in identity.items()
                                             if value is not None)


def _score(candidate: Any) -> str:
    if candidate.probability is None:
        return "  (a manual link)"
    return f"  (p={candidate.probability:.4f}, {candidate.weight:.1f} bits)"


@_guarded
def _review(args: argparse.Namespace) -> int:
    from gateway.linkage.review import Reviews

    workspace = _workspace(args)
    try:
        items = Reviews(workspace).queue(args.department, args.limit)
    finally:
        workspace.close()
    if not items:
        print("the review queue is empty")
    for item in items:
        margin = item.margin_bits
        print(f"{item.department} record {item.local_id}: {item.reason}"
              + (f"; margin {margin:.1f} bits" if margin is not None else ""))
        print(_show("record", item.record))
        print(_show(f"best {item.best.citizen_id}", item.best.identity) + _score(item.best))
        if item.second is not None:
            print(_show(f"2nd {item.second.citizen_id}", item.second.identity)
                  + _score(item.second))
        print(f"  citizen-gateway link accept|reject {item.department} {item.local_id} "
              f"{item.best.citizen_id} --reviewer NAME --reason TEXT")
    return 0


@_guarded
def _decide(args: argparse.Namespace) -> int:
    from gateway.linkage.review import Reviews

    workspace = _workspace(args)
    try:
        print(Reviews(workspace).decide(args.department, args.local_id, args.citizen_id,
                                        args.verdict, args.reviewer, args.reason))
    finally:
        workspace.close()
    return 0


@_guarded
def _grants(args: argparse.Namespace) -> int:
    from gateway.contract.contract import load_contract
    from gateway.engine.duckdb.sources import SourceError, read_properties
    from gateway.linkage.grants import grants
    from gateway.linkage.identity import identities
    from gateway.settings import load_settings

    settings = load_settings()
    found = identities(load_contract(settings.contract_path))
    dialects: dict[str, str] = {}
    for source in (found.registry, *found.departments):
        catalog = source.table.catalog
        path = settings.connectors_dir / f"{catalog}.properties"
        if not path.is_file():
            raise SourceError(f"{path}: no connector file for department {catalog}")
        connector = read_properties(path).get("connector.name", "")
        dialects[catalog] = "postgres" if connector == "postgresql" else "mysql"
    for catalog, statements in grants(found, args.account, dialects).items():
        print(f"-- {catalog} ({dialects[catalog]})")
        for statement in statements:
            print(f"{statement};")
    return 0


@_guarded
def _dispute(args: argparse.Namespace) -> int:
    from gateway.linkage.review import Reviews

    workspace = _workspace(args)
    try:
        print(Reviews(workspace).dispute(args.department, args.local_id, args.reviewer,
                                         args.reason))
    finally:
        workspace.close()
    return 0
