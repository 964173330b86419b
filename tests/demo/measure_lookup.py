"""The single-citizen view on the embedded engine: latency of the full 360° lookup, over HTTP.

    .venv/bin/python tests/demo/measure_lookup.py --citizens 100000 --dir /tmp/council-100k
    .venv/bin/python tests/demo/measure_lookup.py ... --in-process   # the engine in the gateway

Writes the council into --dir unless it is already there (council/sqlite.py, seed 7), starts the
gateway on DuckDB over those SQLite files (as `citizen-gateway demo` does, here under the
test-suite's all-clear policy so every field is read), warms it up, then asks for the full view
(tests/support/reference.py FULL_VIEW: every registry field, every department with its nested
lists) of --requests random citizens, one after another on one keep-alive connection. Prints
p50/p90/p99 of the round trip and the gateway's own mean stage times (from `extensions.timings`).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "support"))

import httpx  # noqa: E402
from gateway_server import live_gateway  # noqa: E402
from reference import FULL_VIEW  # noqa: E402

from council.sqlite import is_current, write_sqlite  # noqa: E402

ALL_CLEAR = REPO / "tests" / "support" / "policy_all_clear" / "policy.csv"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--in-process", action="store_true",
                        help="the engine in the gateway's process, not its supervised worker")
    args = parser.parse_args()
    if not is_current(args.dir, args.citizens, 7):
        started = time.monotonic()
        report = write_sqlite(args.citizens, 7, args.dir)
        print(f"wrote {report.total:,} rows in {time.monotonic() - started:.1f}s to {args.dir}")
    draw = random.Random(2026)
    with tempfile.TemporaryDirectory() as work, live_gateway(
            Path(work), ALL_CLEAR, engine="duckdb", duckdb_sqlite_dir=args.dir.resolve(),
            access_log=False, rate_limit_per_second=0,
            duckdb_worker_process=not args.in_process) as live:
        token = live.token()
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=live.url, headers=headers, timeout=60) as client:
            def ask(citizen: int) -> tuple[float, dict[str, float]]:
                started = time.perf_counter()
                response = client.post("/graphql", json={"query": FULL_VIEW,
                                                         "variables": {"id": str(citizen)}})
                elapsed = (time.perf_counter() - started) * 1000
                body = response.json()
                assert response.status_code == 200 and body["data"]["citizen"] is not None, body
                return elapsed, body.get("extensions", {}).get("timings", {})

            for _ in range(args.warmup):
                ask(draw.randint(1, args.citizens))
            latencies, stages = [], []
            for _ in range(args.requests):
                elapsed, timings = ask(draw.randint(1, args.citizens))
                latencies.append(elapsed)
                stages.append(timings)
    means = {stage: statistics.fmean(t.get(stage, 0.0) for t in stages)
             for stage in ("compile", "execute", "shape")}
    print(f"{args.requests} full-view lookups of random citizens among {args.citizens:,} "
          f"(DuckDB over SQLite, {'in process' if args.in_process else 'worker process'}, "
          f"warm): p50 {percentile(latencies, 50):.1f} ms, "
          f"p90 {percentile(latencies, 90):.1f} ms, p99 {percentile(latencies, 99):.1f} ms; "
          "mean gateway stages: " + ", ".join(f"{k} {v:.1f} ms" for k, v in means.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
