"""`python -m bench.linkage`: the master person index built by `citizen-gateway link`, scored
against the generator's ground truth, beside a deterministic baseline measured in the same run.

1. the synthetic council written as SQLite files (`council.sqlite`, reused when already there
   for this --citizens and --seed);
2. the deterministic baseline: an identifier shared by one citizen only (National Insurance
   numbers, the only identifier the registry records), else exact given name, family name and
   date of birth (and postcode where the department records one) matching one citizen only;
3. `citizen-gateway link` as a process of its own: its wall time and peak memory;
4. both scored (bench/linkage_score.py): precision and recall per department and over all, the
   review band's size and how often its best candidate is the true citizen, and precision and
   recall at other automatic thresholds;
5. report.md under --out/linkage-<time>-<citizens>.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from bench.linkage_score import Pairs, Score, score, sqlite_pairs, total
from council.sqlite import is_current, write_sqlite
from gateway.contract.contract import load_contract
from gateway.linkage.decide import Thresholds
from gateway.linkage.extract import REGISTRY_TABLE, Workspace, people_table
from gateway.linkage.identity import identities

REPO = Path(__file__).resolve().parents[1]
DEPARTMENTS = ("health", "socialcare", "education", "housing")
SWEEP = (0.5, 0.9, 0.95, 0.99, 0.999, 0.9999)


def _unique_matches(db: duckdb.DuckDBPyConnection, department: str, columns: list[str]
                    ) -> dict[int, int]:
    """Records whose values on `columns` (all present) match exactly one citizen."""
    on = " AND ".join(f"d.{c} = r.{c}" for c in columns)
    present = " AND ".join(f"d.{c} IS NOT NULL" for c in columns)
    rows = db.execute(
        f"SELECT d.unique_id, min(r.unique_id) FROM {people_table(department)} d "
        f"JOIN {REGISTRY_TABLE} r ON {on} WHERE {present} "
        "GROUP BY d.unique_id HAVING count(*) = 1").fetchall()
    return {int(local): int(citizen) for local, citizen in rows}


def deterministic(directory: Path) -> dict[tuple[str, int], int]:
    """The baseline's links: identifier first, then exact identity, each only where unique."""
    found = identities(load_contract(REPO / "schema.graphql"))
    workspace = Workspace(found, sqlite_dir=directory)
    links: dict[tuple[str, int], int] = {}
    try:
        workspace.extract(found.registry, REGISTRY_TABLE)
        for source in found.departments:
            workspace.extract(source, people_table(source.department))
            rules: list[list[str]] = []
            if "ni_number" in source.columns:
                rules.append(["ni_number"])
            base = ["given_name", "family_name", "date_of_birth"]
            if "postcode" in source.columns:
                rules.append([*base, "postcode"])
            rules.append(base)
            for columns in rules:
                for local, citizen in _unique_matches(workspace.db, source.department,
                                                      columns).items():
                    links.setdefault((source.department, local), citizen)
    finally:
        workspace.close()
    return links


def _sweep(directory: Path, pairs: Pairs) -> list[tuple[float, Score]]:
    """Precision and recall had the automatic threshold been t: linked pairs and review best
    candidates at or above t (the margin rule aside)."""
    import sqlite3

    with sqlite3.connect(directory / "registry.sqlite") as db:
        scored = db.execute(
            "SELECT department, local_id, citizen_id, match_probability FROM person_link "
            "UNION ALL SELECT department, local_id, citizen_id, match_probability "
            "FROM link_review").fetchall()
    out = []
    for threshold in SWEEP:
        links = {(d, int(local)): int(c) for d, local, c, p in scored
                 if p is None or p >= threshold}
        chosen = Pairs(pairs.truth, links, {}, pairs.citizens)
        out.append((threshold, total(score(chosen, DEPARTMENTS))))
    return out


def _table(rows: list[Score]) -> list[str]:
    lines = ["| department | links | precision | recall | linkable | review | review best = truth |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for s in rows:
        share = f"{s.review_best_correct / s.review:.3f}" if s.review else "–"
        lines.append(f"| {s.department} | {s.links:,} | {s.precision:.5f} | {s.recall:.5f} | "
                     f"{s.linkable:,} | {s.review:,} | {share} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.linkage", description=__doc__)
    parser.add_argument("--citizens", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--council", type=Path, default=None,
                        help="where the SQLite council is written (default under /var/tmp)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args(argv)
    council = args.council or Path(f"/var/tmp/citizen-gateway-linkage/{args.citizens}")
    started = time.perf_counter()
    if not is_current(council, args.citizens, args.seed):
        print(f"writing the council ({args.citizens:,} citizens) to {council}", flush=True)
        write_sqlite(args.citizens, args.seed, council)
    generated = time.perf_counter() - started

    print("deterministic baseline", flush=True)
    t0 = time.perf_counter()
    baseline_links = deterministic(council)
    baseline_seconds = time.perf_counter() - t0

    print("citizen-gateway link", flush=True)
    env = {k: v for k, v in os.environ.items() if k != "GATEWAY_DUCKDB_SQLITE_DIR"}
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "gateway.cli", "link", "--sqlite-dir",
                           str(council)], env=env, capture_output=True, text=True, check=False)
    link_seconds = time.perf_counter() - t0
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return done.returncode
    pairs = sqlite_pairs(council)
    scores = score(pairs, DEPARTMENTS)
    baseline = score(Pairs(pairs.truth, baseline_links, {}, pairs.citizens), DEPARTMENTS)
    sweep = _sweep(council, pairs)

    run_id = f"linkage-{datetime.now(UTC):%Y%m%d-%H%M%S}-{args.citizens}"
    out = args.out / run_id
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "citizens": args.citizens, "seed": args.seed, "link_seconds": link_seconds,
        "peak_rss_gib": peak_kib / 2**20, "baseline_seconds": baseline_seconds,
        "generated_seconds": generated, "link_output": done.stdout,
        "scores": [asdict(s) for s in scores], "baseline": [asdict(s) for s in baseline],
        "sweep": [(t, asdict(s)) for t, s in sweep],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    }
    (out / "results.json").write_text(json.dumps(results, indent=2))
    overall, base = total(scores), total(baseline)
    report = [
        f"# Linkage at {args.citizens:,} citizens (seed {args.seed})", "",
        f"Command: `python -m bench.linkage --citizens {args.citizens}`; "
        f"{results['machine']}; {datetime.now(UTC):%Y-%m-%d}.", "",
        f"## The index built by `citizen-gateway link` (automatic threshold "
        f"{Thresholds().link}, review band from {Thresholds().review})", "",
        f"Whole run {link_seconds / 60:.1f} min, peak memory {peak_kib / 2**20:.2f} GiB "
        "(the link process: reading every department, four models trained, scored, decided "
        "and written back).", "",
        *_table([*scores, overall]), "",
        "`linkable`: records whose true citizen is in the registry (the rest belong to people it "
        "does not hold yet, so any link of theirs is false). `review`: candidates left to a "
        "reviewer; the last column is how often the best candidate shown is the true citizen.",
        "", "## Deterministic baseline, same run", "",
        f"Identifier, else exact name and date of birth (and postcode), unique matches only: "
        f"{baseline_seconds:.0f} s.", "",
        *_table([*baseline, base]), "",
        "## Other automatic thresholds (linked and review candidates at or above it)", "",
        "| threshold | links | precision | recall |", "|---:|---:|---:|---:|",
        *(f"| {t} | {s.links:,} | {s.precision:.5f} | {s.recall:.5f} |" for t, s in sweep), "",
        "## The run's own report", "", "```", done.stdout.strip(), "```", "",
    ]
    (out / "report.md").write_text("\n".join(report))
    print("\n".join(report))
    print(f"written: {out / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
