"""`python -m bench`: one run of the benchmark (see bench/README.md).

1. the local stack up, holding --citizens citizens (reused when the registry holds exactly that
   many, else reseeded with `citizen-gateway seed --citizens N --seed S --reset`);
2. the gateway (`citizen-gateway serve`) and the naive server started as processes of their own;
3. each workload run over each path, the same citizens in the same order: latency at
   concurrency 1, throughput at concurrency 8, Trino queries and rows read per request;
4. the gateway's own time by stage (cached document, first-seen document, identical request),
   its peak memory, and a py-spy profile of it;
5. results.json, report.md and latency.png under --out/<run id>.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench import audit_probe, cohort, measure, population, profiling, report, servers
from bench.counters import EngineQueries, RowsRead
from bench.direct import DirectPath
from bench.graphql_client import GraphQLPath
from bench.measure import Limit, Series, percentile
from bench.result import Result
from bench.trino_sql import TrinoSqlPath
from stack.settings import ROOT, TRINO_VERSION
from stack.settings import Settings as StackSettings

WORKLOADS = ("lookup", "caseload", "analyst", "cohort")

PATH_TEXT = {
    "gateway": "the gateway as shipped (`citizen-gateway serve`, uvicorn, real Trino) over HTTP, "
               "one keep-alive connection per client thread, with its rate limit off and its "
               "query and request timeouts at 300 s (GATEWAY_RATE_LIMIT_PER_SECOND=0, "
               "GATEWAY_QUERY_TIMEOUT_SECONDS, GATEWAY_REQUEST_TIMEOUT_SECONDS); every other "
               "setting at its default; the 360° view and the caseload under "
               "a full-view role (bench/policy_bench.csv, appended to the council's policy), the "
               "analyst workload under the council's own `analyst` role.",
    "trino-sql": "hand-written Trino SQL through the `trino` client: one registry statement "
                 "(citizens + person-index links), then ONE statement per department reached, "
                 "sent at once, each reading its tables by literal id lists and building the "
                 "nested lists with array_agg(ROW(...)) (bench/trino_sql.py). For the analyst "
                 "workload: one hand-written GROUP BY statement.",
    "direct": "hand-written SQL straight to each department database with psycopg / pymysql and "
              "the reader accounts, connections kept open, one query per table by literal id "
              "lists, run one after another (bench/direct.py): the physical floor.",
    "naive": "a graphene server with a resolver per field and one Trino query per nested record "
             "or list per parent (N+1), synchronous resolvers, served by uvicorn like the "
             "gateway (bench/naive.py). No access policy: it shows everything in clear.",
}

TITLES = {
    "lookup": "(a) The 360° view of one citizen by id, every department nested",
    "caseload": "(b) A caseload: {size} citizens with their nested department records",
    "analyst": "(c) Analyst aggregate: citizens by ward and age band",
    "cohort": "(d) A three-department cohort: the first page of 50",
}

DESCRIPTIONS = {
    "lookup": "`citizen(id:)` with every registry field and every department with its nested "
              "lists (bench/documents.py). One request = one citizen, drawn at random.",
    "caseload": "`citizens(first: N, where: {{id: {{in: [...]}}}})` with the same view per citizen. "
                "The citizens are drawn from those known to social care (a caseworker's caseload), "
                "topped up with others when there are too few.",
    "analyst": "The GraphQL API has no aggregate root. Through GraphQL (gateway, naive), one "
               "request here = what a client must do: one page (first: 100) per combination "
               "of the filters the analyst sees in clear (ward × sex × opt-out, {pages} pages), "
               "counting pseudonymised citizens client-side by ward and by age band of their "
               "birth year (the analyst sees dates of birth only as years); cursors are refused "
               "to analysts, so a combination with more than 100 citizens is counted "
               "incompletely. trino-sql and direct: the hand-written aggregate, one GROUP BY "
               "statement (same banding).",
    "cohort": "The shipped cohort *children in need, persistently absent, seen in emergency "
              "care* (docs/cohorts.md): an open children's social care case (MariaDB), a term "
              "with N or more unauthorised absences (MariaDB), an emergency encounter since a "
              "date (PostgreSQL); first page of 50 by citizen id; each request other values "
              "(bench/cohort.py). gateway: the document with `citizens(where:)` across "
              "departments. trino-sql: the hand-written statement (three semi-joins through "
              "the person index). direct: a client with no cross-department query, asking each "
              "department database for every matching record, carrying them to citizens "
              "through the registry's links and intersecting the sets itself. The naive server "
              "has no filters across departments: not run.",
}


def _say(line: str) -> None:
    print(line, flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the gateway against hand-written Trino SQL, direct database "
                    "queries and a naive resolver server (issue 6).")
    parser.add_argument("--citizens", type=int, default=1_000_000,
                        help="citizens the council must hold (reseeded if it holds another "
                             "number; default 1,000,000)")
    parser.add_argument("--seed", type=int, default=7, help="generator and sampling seed (7)")
    parser.add_argument("--no-reseed", action="store_true",
                        help="fail instead of reseeding when the registry holds another number")
    parser.add_argument("--lookups", type=int, default=40, help="360° view requests per path (40)")
    parser.add_argument("--caseloads", type=int, default=10, help="caseload requests per path (10)")
    parser.add_argument("--caseload-size", type=int, default=100, help="citizens per caseload (100)")
    parser.add_argument("--aggregates", type=int, default=3, help="analyst aggregates per path (3)")
    parser.add_argument("--cohorts", type=int, default=20, help="cohort pages per path (20)")
    parser.add_argument("--first-seen", type=int, default=10,
                        help="gateway requests with a never-seen document, and identical "
                             "requests, per workload (10)")
    parser.add_argument("--seconds", type=float, default=60,
                        help="time limit of each measurement loop, in seconds (60); a loop "
                             "stops at its request count or its time limit, whichever is first")
    parser.add_argument("--concurrency", default="1,8",
                        help="client concurrencies to measure throughput at (1,8)")
    parser.add_argument("--paths", default="gateway,trino-sql,direct,naive,gateway-duckdb",
                        help="paths to run (gateway,trino-sql,direct,naive,gateway-duckdb; the "
                             "last only where gateway.engine.duckdb.engine exists)")
    parser.add_argument("--workloads", default=",".join(WORKLOADS),
                        help="workloads to run (lookup,caseload,analyst,cohort)")
    parser.add_argument("--profile-seconds", type=int, default=20,
                        help="py-spy sampling of the gateway per profiled workload; 0: none (20)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results",
                        help="results folder (a sub-folder per run; default bench/results)")
    return parser.parse_args(argv)


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


def _load() -> str:
    """The machine's load average (1, 5, 15 min): other work competing for the same CPUs."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def _machine() -> str:
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return f"{platform.machine()}, {os.cpu_count()} CPUs{memory}, Python {platform.python_version()}"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _first_difference(a: Any, b: Any, where: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                return _first_difference(a.get(key), b.get(key), f"{where}.{key}")
        return where
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{where} (lengths {len(a)} and {len(b)})"
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{where}[{index}]")
        return where
    return f"{where}: {str(a)[:80]!r} vs {str(b)[:80]!r}"


def _stage_summary(series: Series, per_page: bool = False) -> dict[str, Any]:
    """Stage timings of the gateway's responses; per_page: a sweep's sums ÷ its pages."""
    outcomes = [o for o in series.outcomes if o.error is None and o.result is not None]
    pages = [o.result.requests if per_page else 1 for o in outcomes]  # type: ignore[union-attr]
    timings = [{k: v / n for k, v in (o.result.timings or {}).items()}  # type: ignore[union-attr]
               for o, n in zip(outcomes, pages, strict=True)]
    latencies = [o.latency_ms / n for o, n in zip(outcomes, pages, strict=True)]
    stages = sorted({stage for t in timings for stage in t})
    own = [latency - (t.get("execute") or 0.0) for latency, t in zip(latencies, timings, strict=True)]
    own_stages = [sum(v for k, v in t.items() if k != "execute") for t in timings]
    return {
        "n": sum(pages),
        "e2e_p50_ms": percentile(latencies, 50),
        "execute_p50_ms": percentile([t.get("execute", 0.0) for t in timings], 50),
        "own_p50_ms": percentile(own, 50),
        "own_p95_ms": percentile(own, 95),
        "own_stages_p50_ms": percentile(own_stages, 50),
        "stage_p50_ms": {stage: percentile([t.get(stage, 0.0) for t in timings], 50)
                         for stage in stages},
        "stage_mean_ms": {stage: sum(t.get(stage, 0.0) for t in timings) / max(1, len(timings))
                          for stage in stages},
    }


class Run:
    def __init__(self, args: argparse.Namespace, argv: Sequence[str] | None) -> None:
        self.args = args
        self.stack = StackSettings.from_env()
        self.id = time.strftime("%Y%m%d-%H%M%S")
        self.out: Path = args.out / f"{self.id}-{args.citizens}"
        self.work = self.out / "work"
        self.work.mkdir(parents=True, exist_ok=True)
        self.notes: list[str] = []
        self.rows = RowsRead(self.stack)
        self.queries = EngineQueries(self.stack)
        self.servers: list[servers.Server] = []
        self.paths: dict[str, Any] = {}
        self.tokens: dict[tuple[str, str], str] = {}
        command = ["python", "-m", "bench", *(argv if argv is not None else sys.argv[1:])]
        self.results: dict[str, Any] = {
            "run": {"id": self.id, "citizens": args.citizens, "seed": args.seed,
                    "commit": _commit(), "machine": _machine(), "trino": TRINO_VERSION,
                    "command": shlex.join(command), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
                    "load_at_start": _load()},
            "paths": {}, "notes": self.notes, "workloads": {}, "gateway": {}, "targets": [],
            "profiles": {},
        }

    # ---------------------------------------------------------------- set-up

    def token(self, user: str, workload: str) -> str:
        key = (user, workload)
        if key not in self.tokens:
            from gateway.http.auth import issue_token
            from gateway.settings import Settings as GatewaySettings

            settings = GatewaySettings(dev_mode=True)
            if workload == "analyst":
                self.tokens[key] = issue_token(settings, user, ["analyst"], "service_planning",
                                               ttl_seconds=12 * 3600)
            else:
                self.tokens[key] = issue_token(settings, user, ["bench_reader"], "direct_care",
                                               ttl_seconds=12 * 3600)
        return self.tokens[key]

    def start(self) -> None:
        args = self.args
        if args.no_reseed:
            found = population.citizen_count(self.stack)
            if found != args.citizens:
                raise SystemExit(f"bench: the registry holds {found:,} citizens, not "
                                 f"{args.citizens:,}, and --no-reseed was given")
        else:
            population.ensure(self.stack, args.citizens, args.seed, _say)
        self.sample = population.sample(self.stack, args.lookups + 2 * args.first_seen + 200,
                                        args.caseloads + 2 * args.first_seen, args.caseload_size,
                                        args.seed)
        wanted = args.paths.split(",")
        if "gateway" in wanted:
            gateway = servers.start_gateway(self.work, self.stack)
            self.servers.append(gateway)
            self.paths["gateway"] = GraphQLPath("gateway", gateway.url, self.token,
                                                self.sample.wards)
            self.results["paths"]["gateway"] = PATH_TEXT["gateway"]
        if "trino-sql" in wanted:
            self.paths["trino-sql"] = TrinoSqlPath(self.stack)
            self.results["paths"]["trino-sql"] = PATH_TEXT["trino-sql"]
        if "direct" in wanted:
            self.paths["direct"] = DirectPath(self.stack)
            self.results["paths"]["direct"] = PATH_TEXT["direct"]
        if "naive" in wanted:
            naive = servers.start_naive(self.work)
            self.servers.append(naive)
            self.paths["naive"] = GraphQLPath("naive", naive.url, self.token, self.sample.wards)
            self.results["paths"]["naive"] = PATH_TEXT["naive"]
        if "gateway-duckdb" not in wanted:
            pass
        elif importlib.util.find_spec("gateway.engine.duckdb.engine") is not None:
            embedded = servers.start_gateway(self.work, self.stack, engine="duckdb")
            self.servers.append(embedded)
            self.paths["gateway-duckdb"] = GraphQLPath("gateway-duckdb", embedded.url, self.token,
                                                       self.sample.wards, engine="duckdb")
            self.results["paths"]["gateway-duckdb"] = (
                "the gateway with GATEWAY_ENGINE=duckdb (the embedded engine attaching the same "
                "PostgreSQL and MariaDB databases through the connectors/ files), otherwise as "
                "`gateway` (its own process); engine queries are not counted (not Trino).")
        else:
            self.results["paths"]["embedded engine"] = (
                "not run: gateway.engine.duckdb.engine does not exist yet (the path runs once it does, "
                "as the gateway with GATEWAY_ENGINE=duckdb).")
            _say("note: gateway.engine.duckdb.engine does not exist yet: the embedded-engine path is "
                 "skipped")
        self.notes.append(f"Loops: --lookups {args.lookups}, --caseloads {args.caseloads} of "
                          f"{args.caseload_size}, --aggregates {args.aggregates}, --cohorts "
                          f"{args.cohorts}, --seconds "
                          f"{args.seconds:g} per loop; one warm-up request per path and workload "
                          "(not measured).")

    def stop(self) -> None:
        for path in self.paths.values():
            path.close()
        for server in self.servers:
            server.stop()
        self.rows.close()

    # ---------------------------------------------------------------- workloads

    def items(self, workload: str) -> tuple[list[Any], Any, int]:
        """The requests of a workload (the same on every path), a warm-up item, and the count."""
        args, sample = self.args, self.sample
        if workload == "lookup":
            return sample.lookups[:args.lookups], sample.warmup[0], args.lookups
        if workload == "caseload":
            return sample.caseloads[:args.caseloads], sample.warmup, args.caseloads
        if workload == "cohort":
            return cohort.values(args.cohorts), {"absences": 13, "since": "2025-06-01"}, \
                args.cohorts
        return [None] * args.aggregates, None, args.aggregates

    @staticmethod
    def call(path: Any, workload: str) -> Callable[[Any], Result]:
        if workload == "lookup":
            return path.lookup  # type: ignore[no-any-return]
        if workload == "caseload":
            return path.caseload  # type: ignore[no-any-return]
        if workload == "cohort":
            return path.cohort  # type: ignore[no-any-return]
        return lambda _: path.analyst()  # type: ignore[no-any-return,unused-ignore]

    def measure_path(self, name: str, workload: str, items: list[Any], warmup: Any,
                     count: int) -> tuple[dict[str, Any], Series]:
        args, path = self.args, self.paths[name]
        call = self.call(path, workload)
        sweep = workload == "analyst" and isinstance(path, GraphQLPath)
        if not sweep:
            path.user = f"bench-{self.id}-{name}-{workload}-warmup"
            try:
                call(warmup)
            except Exception as error:  # noqa: BLE001 - the measured loop will show it again
                _say(f"  {name}: warm-up failed: {error}")
        path.user = f"bench-{self.id}-{name}-{workload}"
        before = self.rows.snapshot()
        series = measure.sequential(call, items, Limit(count, args.seconds))
        if isinstance(path, DirectPath):
            path.close()  # PostgreSQL backends flush their statistics as they exit
        self.rows.settle()
        after = self.rows.snapshot()
        done = len(series.outcomes)
        latencies = series.latencies
        entry: dict[str, Any] = {
            "n": done, "errors": len(series.errors), "first_error": next(iter(series.errors), None),
            "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95),
            "mean_ms": sum(latencies) / len(latencies) if latencies else None,
            "latencies_ms": [round(v, 3) for v in latencies],
            "rps_c1": (len(latencies) / (sum(latencies) / 1000)) if latencies else None,
            "rows_read_per_request": {d: (v / done if v is not None and done else None)
                                      for d, v in RowsRead.difference(before, after).items()},
            "requests_per_request": (sum(o.result.requests for o in series.outcomes if o.result)
                                     / max(1, len(latencies))),
        }
        if path.engine == "trino":
            stats = self.queries.stats(path.user)
            statements = max(1, stats["queries"])
            entry["engine_queries_per_request"] = stats["queries"] / max(1, done)
            entry["trino"] = {
                "statements": stats["queries"], "not_finished": stats["not_finished"],
                "analysis_plus_planning_ms_per_statement":
                    (stats["analysis_ms"] + stats["planning_ms"]) / statements,
                "elapsed_ms_per_statement": stats["elapsed_ms"] / statements,
                "analysis_plus_planning_ms_per_request":
                    (stats["analysis_ms"] + stats["planning_ms"]) / max(1, done),
            }
        if name == "naive" and latencies:
            reported = [o.result.extra.get("queries", 0) for o in series.outcomes if o.result]
            entry["naive_reported_queries_per_request"] = sum(reported) / len(reported)
        if "8" in args.concurrency.split(","):
            p50 = entry["p50_ms"] or 0
            if not latencies:
                entry["c8"] = {"skipped": "no request succeeded at concurrency 1"}
            elif p50 / 1000 > args.seconds / 4:
                entry["c8"] = {"skipped": f"one request takes {p50 / 1000:.0f}s at p50, over a "
                                          f"quarter of the {args.seconds:g}s limit"}
            else:
                path.user = f"bench-{self.id}-{name}-{workload}-c8"
                throughput = measure.concurrent(call, items, 8,
                                                Limit(max(16, 2 * len(items)), args.seconds))
                entry["c8"] = {"per_second": throughput.per_second,
                               "completed": throughput.completed, "errors": throughput.errors,
                               "seconds": throughput.seconds, "first_error": throughput.first_error}
                if isinstance(path, DirectPath):
                    path.close()
        return entry, series

    def agreement(self, workload: str, series: dict[str, Series], entry: dict[str, Any]) -> None:
        texts: list[str] = []
        results: dict[str, dict[int, Any]] = {
            name: {o.index: o.result.data for o in s.outcomes if o.result is not None}
            for name, s in series.items()}
        ok = True
        if workload == "analyst":
            sweeps = [n for n in results if isinstance(self.paths[n], GraphQLPath)]
            groups = [("client-side sweeps", sweeps),
                      ("hand-written aggregates", [n for n in results if n not in sweeps])]
        else:
            groups = [("all paths", list(results))]
        for label, names in groups:
            if len(names) < 2:
                continue
            reference = "direct" if "direct" in names else names[0]
            for name in names:
                if name == reference:
                    continue
                common = sorted(set(results[name]) & set(results[reference]))
                bad = [i for i in common
                       if _canonical(results[name][i]) != _canonical(results[reference][i])]
                agrees = not bad and bool(common)
                ok = ok and agrees
                entry["paths"][name]["agrees"] = (f"yes ({len(common)} compared)" if agrees
                                                  else f"NO ({len(bad)} of {len(common)} differ)")
                entry["paths"][reference]["agrees"] = "reference"
                if bad:
                    where = _first_difference(results[name][bad[0]], results[reference][bad[0]])
                    texts.append(f"{name} differs from {reference} on request {bad[0]} "
                                 f"({label}): first difference at `{where}`")
        if workload == "analyst":
            sweeps = [n for n in results if isinstance(self.paths[n], GraphQLPath)]
            hand = [n for n in results if not isinstance(self.paths[n], GraphQLPath)]
            if sweeps and hand and results[sweeps[0]]:
                sweep = next(iter(results[sweeps[0]].values()))
                total = sum(next(iter(results[hand[0]].values()))["counts"].values()) \
                    if results[hand[0]] else None
                if sweep["complete"]:
                    same = (_canonical(sweep["counts"])
                            == _canonical(next(iter(results[hand[0]].values()))["counts"]))
                    ok = ok and same
                    texts.append(f"the client-side sweep saw every citizen ({sweep['seen']:,}); its "
                                 f"counts {'equal' if same else 'DIFFER from'} the hand-written "
                                 "aggregate's")
                else:
                    texts.append(f"the client-side sweep is INCOMPLETE: it saw {sweep['seen']:,} of "
                                 f"{total:,} citizens (pages of 100 without cursors), so its counts "
                                 "cannot equal the aggregate; sweeps are compared with each other "
                                 "only")
        entry["agreement_ok"] = ok
        texts.insert(0, "Agreement: " + ("every path returned the same data for the same requests"
                                         if ok else "paths DISAGREE (below)"))
        entry["agreement_text"] = texts

    def workload(self, workload: str) -> None:
        items, warmup, count = self.items(workload)
        size = self.args.caseload_size
        pages = len(self.sample.wards) * 6
        entry: dict[str, Any] = {
            "title": TITLES[workload].format(size=size),
            "description": DESCRIPTIONS[workload].format(pages=pages),
            "paths": {},
        }
        series: dict[str, Series] = {}
        for name in self.paths:
            if workload == "cohort" and name == "naive":
                continue  # the naive server has no filters across departments
            _say(f"{workload}: {name} ...")
            started = time.monotonic()
            entry["paths"][name], series[name] = self.measure_path(name, workload, items, warmup,
                                                                   count)
            p = entry["paths"][name]
            _say(f"  n={p['n']} p50={_fmt(p['p50_ms'])} ms p95={_fmt(p['p95_ms'])} ms "
                 f"errors={p['errors']} ({time.monotonic() - started:.0f}s)"
                 + (f"; first error: {p['first_error']}" if p["first_error"] else ""))
        self.agreement(workload, series, entry)
        entry["ratios"] = ratios = self.ratios(entry)
        entry["ratios_text"] = [f"{k}: {_fmt(v, 2)}" for k, v in ratios.items()]
        self.results["workloads"][workload] = entry
        if workload in ("lookup", "caseload") and "gateway" in self.paths:
            self.gateway_stages(workload, series["gateway"])
        if workload == "analyst" and "gateway" in self.paths:
            self.results["gateway"].setdefault("stages", {})["analyst (per page)"] = {
                "cached document": _stage_summary(series["gateway"], per_page=True)}

    @staticmethod
    def ratios(entry: dict[str, Any]) -> dict[str, float | None]:
        p50 = {name: path.get("p50_ms") for name, path in entry["paths"].items()}

        def ratio(a: str, b: str) -> float | None:
            return p50[a] / p50[b] if p50.get(a) and p50.get(b) else None

        return {"gateway ÷ trino-sql (p50)": ratio("gateway", "trino-sql"),
                "naive ÷ gateway (p50)": ratio("naive", "gateway"),
                "gateway ÷ direct (p50)": ratio("gateway", "direct")}

    # ---------------------------------------------------------------- the gateway's own time

    def gateway_stages(self, workload: str, cached: Series) -> None:
        args, path = self.args, self.paths["gateway"]
        call = self.call(path, workload)
        fresh: Sequence[Any]
        if workload == "lookup":
            fresh = self.sample.lookups[args.lookups:args.lookups + args.first_seen]
        else:
            fresh = self.sample.caseloads[args.caseloads:args.caseloads + args.first_seen]
        items, _, _ = self.items(workload)
        path.user = f"bench-{self.id}-gateway-{workload}-stages"
        path.first_seen = True
        try:
            first_seen = measure.sequential(call, fresh, Limit(args.first_seen, args.seconds))
        finally:
            path.first_seen = False
        identical = measure.sequential(call, [items[0]] * args.first_seen,
                                       Limit(args.first_seen, args.seconds))
        self.results["gateway"].setdefault("stages", {})[workload] = {
            "cached document": _stage_summary(cached),
            "first-seen document": _stage_summary(first_seen),
            "identical request": _stage_summary(identical),
        }

    def profile(self) -> None:
        seconds = self.args.profile_seconds
        if seconds <= 0 or "gateway" not in self.paths:
            return
        if not profiling.available():
            self.notes.append("py-spy is not installed: no profile (pip install -e '.[dev]')")
            return
        server = next(s for s in self.servers if s.name.startswith("gateway (trino"))
        path = self.paths["gateway"]
        unseen = self.sample.lookups[self.args.lookups + 2 * self.args.first_seen:]
        plans: list[tuple[str, str, Sequence[Any]]] = [
            ("360° view, cached document, citizens not asked about before", "lookup", unseen),
            ("360° view, identical requests (every cache hits)", "lookup",
             [self.sample.lookups[0]] * 10_000),
        ]
        if "caseload" in self.args.workloads:
            plans.append(("caseload, cached document, new caseloads", "caseload",
                          self.sample.caseloads[self.args.caseloads + self.args.first_seen:]
                          or self.sample.caseloads))
        for index, (title, workload, items) in enumerate(plans):
            raw = self.work / f"profile-{index}.txt"
            path.user = f"bench-{self.id}-gateway-profile-{index}"
            recorder = profiling.record(server.pid, seconds, raw)
            time.sleep(0.5)
            call = self.call(path, workload)
            count = 0
            deadline = time.monotonic() + seconds - 1
            while recorder.poll() is None and time.monotonic() < deadline and count < len(items):
                try:
                    call(items[count % len(items)])
                except Exception as error:  # noqa: BLE001
                    _say(f"  profile request failed: {error}")
                count += 1
            try:
                recorder.wait(timeout=seconds + 30)
            except subprocess.TimeoutExpired:
                recorder.kill()
            if not raw.exists():
                why = recorder.stderr.read().decode() if recorder.stderr else ""
                self.notes.append(f"py-spy wrote no profile for {title}: {why.strip()[:200]}")
                continue
            summary = profiling.summarise(raw)
            self.results["profiles"][title] = {
                "requests": count, "samples": summary.samples, "blocked_samples": summary.idle,
                "rate_hz": profiling.RATE, "raw": str(raw.relative_to(self.out)),
                "parts_ms_per_request": [(part, summary.ms_per_request(samples, count))
                                         for part, samples in summary.parts],
                "leaves": summary.leaves}
            _say(f"profile: {title}: {summary.samples} busy samples over {count} requests")

    # ---------------------------------------------------------------- targets

    def targets(self) -> None:
        stages = self.results["gateway"].get("stages", {})
        workloads = self.results["workloads"]
        targets: list[dict[str, Any]] = []
        for workload in ("lookup", "caseload"):
            if workload not in stages:
                continue
            cached = stages[workload]["cached document"]["own_p50_ms"]
            first = stages[workload]["first-seen document"]["own_p50_ms"]
            identical = stages[workload]["identical request"]["own_p50_ms"]
            targets.append({"target": f"{workload}: gateway own time p50 ≤ 2 ms, cached document",
                            "measured": f"{_fmt(cached, 2)} ms (identical request: "
                                        f"{_fmt(identical, 2)} ms)",
                            "met": None if cached is None else cached <= 2})
            targets.append({"target": f"{workload}: gateway own time p50 ≤ 15 ms, first-seen document",
                            "measured": f"{_fmt(first, 2)} ms",
                            "met": None if first is None else first <= 15})
        for workload in ("lookup", "caseload", "analyst", "cohort"):
            if workload not in workloads:
                continue
            ratio = workloads[workload]["ratios"]["gateway ÷ trino-sql (p50)"]
            suffix = (" (a sweep of pages vs one aggregate statement: not like for like)"
                      if workload == "analyst" else "")
            targets.append({"target": f"{workload}: end-to-end p50 ≤ 1.10 × hand-written Trino SQL",
                            "measured": f"{_fmt(ratio, 2)} ×{suffix}",
                            "met": None if ratio is None else ratio <= 1.10})
        if "caseload" in workloads:
            ratio = workloads["caseload"]["ratios"]["naive ÷ gateway (p50)"]
            targets.append({"target": "caseload: naive resolvers ≥ 20 × slower than the gateway",
                            "measured": f"{_fmt(ratio, 1)} ×",
                            "met": None if ratio is None else ratio >= 20})
        per_request = {w: workloads[w]["paths"].get("gateway", {}).get("engine_queries_per_request")
                       for w in ("lookup", "caseload", "cohort") if w in workloads}
        if per_request:
            values = [v for v in per_request.values() if v is not None]
            constant = bool(values) and max(values) - min(values) < 0.01
            targets.append({"target": "a constant number of engine queries per request (target 1)",
                            "measured": ", ".join(f"{w}: {_fmt(v, 2)}" for w, v in per_request.items()),
                            "met": constant and bool(values) and max(values) <= 1.0})
        self.results["targets"] = targets

    # ---------------------------------------------------------------- the run

    def run(self) -> Path:
        try:
            self.start()
            for workload in self.args.workloads.split(","):
                self.workload(workload)
            self.profile()
            self.results["gateway"]["audit_probe"] = {
                "lookup (1 citizen)": audit_probe.probe(self.work, citizens=1),
                f"caseload ({self.args.caseload_size} citizens)":
                    audit_probe.probe(self.work, citizens=self.args.caseload_size)}
            self.results["gateway"]["memory"] = {server.name: server.memory_kib()
                                                 for server in self.servers}
        finally:
            self.stop()
        self.targets()
        self.results["run"]["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
        self.results["run"]["load_at_end"] = _load()
        report.write_json(self.results, self.out)
        markdown = report.write_markdown(self.results, self.out)
        chart = report.write_chart(self.results, self.out)
        _say(f"report: {markdown}")
        _say(f"json:   {self.out / 'results.json'}")
        _say(f"chart:  {chart or 'not drawn (matplotlib is not installed)'}")
        return self.out


def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    run = Run(args, argv)
    run.run()
    ok = all(w.get("agreement_ok", True) for w in run.results["workloads"].values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
