"""What one audit record costs on this machine's disk: the gateway's own AuditLog appending to a
file beside the benchmark gateway's audit log (same file system), one record at a time, each made
durable (write, flush, fsync) before the next, as the gateway does before every response."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.measure import percentile


def probe(folder: Path, records: int = 50, citizens: int = 100) -> dict[str, Any]:
    from gateway.audit import AuditLog
    from gateway.requester import Requester

    log = AuditLog(folder / "audit-probe.jsonl")
    requester = Requester("bench-audit-probe", ("bench_reader",), "direct_care")
    ids = [str(i) for i in range(1, citizens + 1)]
    latencies: list[float] = []
    for _ in range(records):
        started = time.perf_counter()
        log.record(requester, operation="probe", policy_version="probe", outcome="answered",
                   citizen_ids=ids)
        latencies.append((time.perf_counter() - started) * 1000)
    return {"records": records, "citizens_per_record": citizens,
            "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95)}
