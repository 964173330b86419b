"""The benchmark (bench/, issue 6) in a small mode on the real stack: it runs, and every path
returns the same data for the same citizens. Timings are not checked.

It runs over the council already loaded (`--citizens` = the registry's count, `--no-reseed`), so
it never replaces the shared test data.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from stack.settings import HOST, LOADER_USER, ROOT, Settings

pytestmark = pytest.mark.integration


def _citizens(stack: Settings) -> int:
    with psycopg.connect(host=HOST, port=stack.postgres_port, dbname="registry", user=LOADER_USER,
                         password=stack.loader_password, connect_timeout=5) as connection:
        return int(connection.execute("SELECT count(*) FROM registry.citizen").fetchone()[0])


@pytest.fixture(scope="module")
def run(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("bench")
    command = [sys.executable, "-m", "bench", "--citizens", str(_citizens(stack)), "--no-reseed",
               "--lookups", "3", "--caseloads", "1", "--caseload-size", "5", "--aggregates", "1",
               "--cohorts", "2",
               "--first-seen", "2", "--seconds", "60", "--concurrency", "1",
               "--profile-seconds", "0", "--out", str(out)]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    runs = list(out.glob("*/results.json"))
    assert runs, f"no results.json; exit {completed.returncode}\n{completed.stdout[-3000:]}\n" \
                 f"{completed.stderr[-3000:]}"
    folder = runs[0].parent
    return folder, json.loads(runs[0].read_text()) | {"exit": completed.returncode,
                                                       "output": completed.stdout[-3000:]}


def test_every_path_answers_every_workload(run: tuple[Path, dict]) -> None:
    _, results = run
    assert set(results["workloads"]) == {"lookup", "caseload", "analyst", "cohort"}
    for name, workload in results["workloads"].items():
        # the naive server has no filters across departments: it does not run the cohort
        paths = {"gateway", "trino-sql", "direct"} | ({"naive"} if name != "cohort" else set())
        assert set(workload["paths"]) >= paths, name
        for path, entry in workload["paths"].items():
            assert entry["n"] >= 1 and entry["errors"] == 0, (name, path, entry.get("first_error"))


def test_every_path_returns_the_same_data(run: tuple[Path, dict]) -> None:
    _, results = run
    for name, workload in results["workloads"].items():
        assert workload["agreement_ok"], (name, workload["agreement_text"])
    assert results["exit"] == 0, results["output"]


def test_the_report_is_written(run: tuple[Path, dict]) -> None:
    folder, results = run
    report = (folder / "report.md").read_text()
    assert "Targets (reported, not asserted)" in report
    assert (folder / "latency.png").stat().st_size > 0
    stages = results["gateway"]["stages"]["lookup"]
    assert stages["first-seen document"]["stage_p50_ms"].get("parse") is not None
    assert results["gateway"]["memory"]["gateway (trino)"]["VmHWM"] > 0
