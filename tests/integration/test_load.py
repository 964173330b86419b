"""A bounded load test on loopback: the real gateway process (`citizen-gateway serve`) over Trino.

2,000 requests at concurrency 24 from 12 users, a mix of citizen lookups, full views, pages,
`__typename`, requests over a limit and invalid ones, plus one user sending faster than their
rate. Must hold: no 5xx other than deliberate 503 (overloaded) / 429 (rate limited), every
audited request has its record and the chain verifies, one access-log line per request, and the
server's memory stays flat once warm (RSS sampled from /proc every 0.2 s).

Run it alone, with its figures printed: `pytest -s -m integration tests/integration/test_load.py`.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from gateway_server import ALL_CLEAR, REPO, free_port, policy_dir
from reference import FULL_VIEW

from gateway.audit import AuditLog
from gateway.http.auth import issue_token
from gateway.settings import Settings

pytestmark = pytest.mark.integration

REQUESTS = 2_000
CONCURRENCY = 24
USERS = 12

LOOKUP = "query Lookup($id: ID!) { citizen(id: $id) { id familyName ward } }"
PAGE = "query Page { citizens(first: 20) { nodes { id health { nhsNumber } housing { tenantId } } } }"
DEEP = "{ citizens(first: 1) { edges { node { housing { tenancies { rentAccount { balance } } } } } } }"
INVALID = "{ citizen(id: 1) { shoeSize } }"
MIX = [("lookup", 30), ("full", 6), ("page", 3), ("typename", 36), ("over-limit", 10),
       ("invalid", 10), ("greedy", 5)]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _request(kind: str, rng: random.Random) -> tuple[str, dict[str, Any]]:
    citizen = str(rng.randint(1, 2_000))
    return {
        "lookup": ("lookup", {"query": LOOKUP, "variables": {"id": citizen}}),
        "full": ("full", {"query": FULL_VIEW, "variables": {"id": citizen}}),
        "page": ("page", {"query": PAGE}),
        "typename": ("typename", {"query": "{ __typename }"}),
        "over-limit": ("over-limit", {"query": DEEP}),
        "invalid": ("invalid", {"query": INVALID}),
        "greedy": ("greedy", {"query": "{ __typename }"}),
    }[kind]


def test_load_on_loopback(stack: Any, tmp_path: Path) -> None:
    port = free_port()
    audit_path = tmp_path / "audit.jsonl"
    env = {**os.environ, "GATEWAY_DEV_MODE": "1", "GATEWAY_AUDIT_PATH": str(audit_path),
           "GATEWAY_POLICY_DIR": str(policy_dir(tmp_path, ALL_CLEAR)),
           "GATEWAY_RATE_LIMIT_PER_SECOND": "10", "GATEWAY_RATE_LIMIT_BURST": "20"}
    log_path = tmp_path / "gateway.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli.main", "serve", "--port", str(port)], env=env,
            stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, log_path.read_text()[-2000:]
            assert time.monotonic() < deadline, "the gateway did not start"
            time.sleep(0.2)
        settings = Settings(dev_mode=True)
        tokens = {f"load-{i}": issue_token(settings, f"load-{i}", ["tester"], "testing")
                  for i in range(USERS)}
        tokens["load-greedy"] = issue_token(settings, "load-greedy", ["tester"], "testing")
        rng = random.Random(7)
        kinds = [kind for kind, weight in MIX for _ in range(weight)]
        plan = [_request(rng.choice(kinds), rng) for _ in range(REQUESTS)]

        samples: list[tuple[int, int]] = []  # (requests done, RSS KiB)
        done = 0
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                samples.append((done, _rss_kib(server.pid)))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        results: list[tuple[str, str, int, float, str | None]] = []  # kind, user, status, s, code

        async def run() -> None:
            nonlocal done
            queue: asyncio.Queue[tuple[int, tuple[str, dict[str, Any]]]] = asyncio.Queue()
            for index, item in enumerate(plan):
                queue.put_nowait((index, item))
            limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
            async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
                async def worker() -> None:
                    nonlocal done
                    while not queue.empty():
                        index, (kind, body) = queue.get_nowait()
                        user = "load-greedy" if kind == "greedy" else f"load-{index % USERS}"
                        started = time.perf_counter()
                        response = await client.post("/graphql", json=body, headers={
                            "Authorization": f"Bearer {tokens[user]}"})
                        elapsed = time.perf_counter() - started
                        code = None
                        if response.status_code != 200:
                            code = response.json()["errors"][0]["extensions"]["code"]
                        else:
                            assert "errors" not in response.json(), response.text[:300]
                        results.append((kind, user, response.status_code, elapsed, code))
                        done += 1

                await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))

        sampler.start()
        started = time.perf_counter()
        asyncio.run(run())
        wall = time.perf_counter() - started
        stop.set()
        sampler.join()
        metrics = httpx.get(f"{url}/metrics").text
    finally:
        server.terminate()
        server.wait(timeout=30)

    statuses = Counter(status for _, _, status, _, _ in results)
    codes = Counter(code for _, _, _, _, code in results if code)
    # ------------------------------------------------------------------ no failures
    assert len(results) == REQUESTS
    unexpected = [r for r in results if r[2] >= 500 and r[4] not in ("OVERLOADED",)]
    assert not unexpected, unexpected[:5]
    assert {kind for kind, _, status, _, _ in results if status == 429} <= {"greedy"}
    assert all(status == 200 for kind, _, status, _, _ in results
               if kind in ("lookup", "full", "page", "typename") and status != 503)
    assert all(code == "LIMIT_EXCEEDED" for kind, _, _, _, code in results if kind == "over-limit")
    # ------------------------------------------------------------------ no lost audit record
    audit = AuditLog(audit_path)
    verified = audit.verify()
    assert verified.ok, str(verified)
    rate_limited = statuses.get(429, 0)
    assert verified.records == REQUESTS - rate_limited, (verified.records, REQUESTS, rate_limited)
    by_user = Counter(record["user"] for record in audit.records())
    expected_by_user = Counter(user for _, user, status, _, _ in results if status != 429)
    assert by_user == expected_by_user
    # ------------------------------------------------------------------ one access line each
    access = [json.loads(line) for line in log_path.read_text().splitlines()
              if line.startswith("{") and '"logger":"gateway.access"' in line]
    assert len(access) == REQUESTS
    assert Counter(line["status"] for line in access) == statuses
    # ------------------------------------------------------------------ memory flat once warm
    warm = [rss for count, rss in samples if REQUESTS * 0.25 <= count < REQUESTS * 0.5]
    late = [rss for count, rss in samples if count >= REQUESTS * 0.75]
    assert warm and late
    growth_kib = statistics.median(late) - statistics.median(warm)
    # ------------------------------------------------------------------ the figures
    latency = {kind: sorted(s for k, _, status, s, _ in results if k == kind and status == 200)
               for kind, _ in MIX}
    figures = {
        "requests": REQUESTS, "concurrency": CONCURRENCY, "wall_s": round(wall, 1),
        "throughput_rps": round(REQUESTS / wall, 1),
        "statuses": dict(sorted(statuses.items())), "codes": dict(sorted(codes.items())),
        "latency_ms_p50_p95_p99": {
            kind: [round(values[int(len(values) * q) - 1] * 1000, 1) for q in (0.5, 0.95, 0.99)]
            for kind, values in latency.items() if values},
        "audit_records": verified.records, "access_lines": len(access),
        "rss_mib_start_warm_late_max": [round(samples[0][1] / 1024, 1),
                                        round(statistics.median(warm) / 1024, 1),
                                        round(statistics.median(late) / 1024, 1),
                                        round(max(rss for _, rss in samples) / 1024, 1)],
        "engine_queries": sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                              if line.startswith("gateway_engine_queries_total{")),
    }
    print("\nload figures: " + json.dumps(figures))
    (tmp_path / "figures.json").write_text(json.dumps(figures, indent=2))
    assert growth_kib < 16 * 1024, f"RSS grew {growth_kib / 1024:.1f} MiB once warm: {figures}"
