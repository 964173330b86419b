"""The run's report: results.json (everything, raw latencies included), report.md, latency.png."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

STAGES = ("parse", "validate", "plan", "authorize", "compile", "execute", "shape", "audit")
DEPARTMENTS = ("registry", "health", "housing", "socialcare", "education")


def _ms(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _number(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def write_json(results: dict[str, Any], out: Path) -> Path:
    path = out / "results.json"
    path.write_text(json.dumps(results, indent=1, default=str) + "\n")
    return path


def _path_rows(workload: dict[str, Any]) -> list[str]:
    lines = [
        "| path | n | p50 ms | p95 ms | p50 ÷ trino-sql | engine queries / request | "
        "Trino analysis + planning, ms / statement | Trino elapsed, ms / statement | "
        "rows read / request (registry · health · housing · socialcare · education) | "
        "req/s at 1 | req/s at 8 | agrees |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|",
    ]
    floor = (workload["paths"].get("trino-sql") or {}).get("p50_ms")
    for name, path in workload["paths"].items():
        if path.get("skipped"):
            lines.append(f"| {name} | – | – | – | – | – | – | – | {path['skipped']} | – | – | – |")
            continue
        rows = path.get("rows_read_per_request") or {}
        rows_text = " · ".join(_number(rows.get(d), 0) for d in DEPARTMENTS)
        ratio = (path["p50_ms"] / floor) if floor and path.get("p50_ms") else None
        c8 = path.get("c8") or {}
        rps8 = _number(c8.get("per_second"), 2) if not c8.get("skipped") else "not run"
        queries = path.get("engine_queries_per_request")
        trino = path.get("trino") or {}
        lines.append(
            f"| {name} | {path['n']}{' (' + str(path['errors']) + ' failed)' if path['errors'] else ''} "
            f"| {_ms(path.get('p50_ms'))} | {_ms(path.get('p95_ms'))} | {_number(ratio, 2)} "
            f"| {_number(queries, 1)} "
            f"| {_number(trino.get('analysis_plus_planning_ms_per_statement'), 0)} "
            f"| {_number(trino.get('elapsed_ms_per_statement'), 0)} "
            f"| {rows_text} | {_number(path.get('rps_c1'), 2)} "
            f"| {rps8} | {path.get('agrees', '–')} |")
    return lines


def _stage_rows(stages: dict[str, Any]) -> list[str]:
    lines = [
        "| workload | scenario | n | end-to-end p50 | engine (execute) p50 "
        "| **own = end-to-end − execute, p50** | own, sum of stages, p50 | " + " | ".join(STAGES) + " |",
        "|---|---|---:|---:|---:|---:|---:|" + "---:|" * len(STAGES),
    ]
    for workload, scenarios in stages.items():
        for scenario, s in scenarios.items():
            per_stage = " | ".join(_ms(s["stage_p50_ms"].get(stage), 2)
                                   if stage in s["stage_p50_ms"] else "–" for stage in STAGES)
            lines.append(
                f"| {workload} | {scenario} | {s['n']} | {_ms(s['e2e_p50_ms'])} | "
                f"{_ms(s['execute_p50_ms'])} | **{_ms(s['own_p50_ms'], 2)}** | "
                f"{_ms(s['own_stages_p50_ms'], 2)} | {per_stage} |")
    return lines


def markdown(results: dict[str, Any]) -> str:
    run = results["run"]
    lines = [
        f"# Benchmark: the citizen view at {run['citizens']:,} citizens",
        "",
        f"Run {run['id']} · commit {run['commit']} · {run['machine']} · Trino {run['trino']} · "
        f"command: `{run['command']}` · {run['started']} to {run.get('finished', '?')}, load "
        f"average {run.get('load_at_start', '?')} at the start, {run.get('load_at_end', '?')} at "
        "the end",
        "",
        "Latencies are end to end as the client saw them (HTTP included for the GraphQL paths). "
        "Every loop is bounded by a request count and a time limit (n says how many ran). "
        "Rows read are the databases' own counters over the concurrency-1 run, divided by n: "
        "anything else using the same servers meanwhile is counted too.",
        "",
        "## Paths",
        "",
    ]
    lines += [f"- **{name}**: {text}" for name, text in results["paths"].items()]
    lines += [""] + [f"- {note}" for note in results.get("notes", [])] + [""]
    for workload in results["workloads"].values():
        lines += [f"## {workload['title']}", "", workload["description"], ""]
        lines += _path_rows(workload)
        lines += [""]
        for text in workload.get("ratios_text", []):
            lines.append(f"- {text}")
        for text in workload.get("agreement_text", []):
            lines.append(f"- {text}")
        lines.append("")
    gateway = results.get("gateway", {})
    if gateway.get("stages"):
        lines += ["## The gateway's own time, by stage (ms, p50 over the requests)", "",
                  "From `extensions.timings` of each response. *cached document*: the same "
                  "document, role and purpose as the previous requests, a citizen not asked "
                  "about before; *first-seen document*: a new operation name on every request "
                  "(parse and validate again), citizens not asked about before; *identical "
                  "request*: the same document and the same citizen(s) again (every cache hits). "
                  "`execute` is the engine time as the gateway saw it (the Trino client "
                  "included). Own time = end-to-end − execute, so it includes HTTP, token "
                  "verification, JSON encoding and the audit record; the sum of the stages "
                  "does not. The audit is not among `extensions.timings` (it runs after "
                  "them).", ""]
        lines += _stage_rows(gateway["stages"])
        lines.append("")
    if gateway.get("audit_probe"):
        lines += ["## The audit record on this disk", "",
                  "The gateway's own AuditLog (hash chain, write + flush + fsync before the "
                  "response), appended to one record at a time beside the benchmark's audit log:",
                  ""]
        for name, probe in gateway["audit_probe"].items():
            lines.append(f"- {name}: p50 {_ms(probe['p50_ms'], 2)} ms, p95 "
                         f"{_ms(probe['p95_ms'], 2)} ms ({probe['records']} records)")
        lines.append("")
    if gateway.get("memory"):
        lines += ["## Peak memory", ""]
        for name, memory in gateway["memory"].items():
            lines.append(f"- {name}: VmHWM {memory.get('VmHWM', 0) / 1024:,.0f} MiB, VmRSS at the "
                         f"end {memory.get('VmRSS', 0) / 1024:,.0f} MiB (/proc/PID/status of "
                         "its own server process)")
        lines.append("")
    if results.get("targets"):
        lines += ["## Targets (reported, not asserted)", "", "| target | measured | met |",
                  "|---|---|---|"]
        for target in results["targets"]:
            lines.append(f"| {target['target']} | {target['measured']} | "
                         f"{'yes' if target['met'] else 'NO' if target['met'] is False else '–'} |")
        lines.append("")
    for name, profile in (results.get("profiles") or {}).items():
        total = sum(ms for _, ms in profile["parts_ms_per_request"])
        lines += [f"## Profile: {name}", "",
                  f"py-spy at {profile['rate_hz']} Hz, CPU samples of every thread of the gateway "
                  f"process (threads blocked on a socket, fsync or the GIL are not sampled), one "
                  f"request at a time ({profile['requests']} requests), each sample attributed to "
                  f"the part of the request path on its stack (raw stacks: `{profile['raw']}`). "
                  "The sampling slows the process down: read the shares, not the absolute "
                  "values.", "",
                  "| part of the request path | CPU ms per request | share |", "|---|---:|---:|"]
        for part, ms in profile["parts_ms_per_request"]:
            lines.append(f"| {part} | {ms:,.2f} | {100 * ms / max(total, 1e-9):.1f}% |")
        lines += ["", "Innermost functions (where the samples were taken):", "",
                  "| function | samples |", "|---|---:|"]
        for function, count in profile["leaves"][:12]:
            lines.append(f"| `{function}` | {count} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def write_markdown(results: dict[str, Any], out: Path) -> Path:
    path = out / "report.md"
    path.write_text(markdown(results))
    return path


def write_chart(results: dict[str, Any], out: Path) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    workloads = results["workloads"]
    figure, axes = plt.subplots(1, len(workloads), figsize=(5.5 * len(workloads), 5.2),
                                squeeze=False)
    for axis, workload in zip(axes[0], workloads.values(), strict=True):
        names = [name for name, path in workload["paths"].items() if path.get("latencies_ms")]
        data = [workload["paths"][name]["latencies_ms"] for name in names]
        if data:
            axis.boxplot(data, whis=(5, 95), showfliers=True)
            axis.set_xticks(range(1, len(names) + 1), names, rotation=20)
            for position, values in enumerate(data, start=1):
                axis.scatter([position] * len(values), values, s=8, alpha=0.4)
        axis.set_yscale("log")
        axis.set_ylabel("latency, ms (log scale)")
        axis.set_title(workload["title"], fontsize=10)
        axis.grid(True, which="both", axis="y", alpha=0.3)
    figure.suptitle(f"Latency by path at {results['run']['citizens']:,} citizens "
                    "(box: quartiles, whiskers: p5–p95, dots: every request)", fontsize=11)
    figure.tight_layout()
    path = out / "latency.png"
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
