"""The embedded engine in its supervised worker process: a native crash costs the queries in flight
a clean 503, never the gateway (issue #10). The crash is real: the worker is sent SIGSEGV."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gateway_server import ALL_CLEAR, LiveGateway, live_gateway
from reference import FULL_VIEW

from council.sqlite import write_sqlite
from gateway.engine.duckdb.sources import SourceError
from gateway.engine.duckdb.worker import SupervisedDuckDB
from gateway.errors import EngineError, EngineTimeout, EngineUnavailable
from gateway.requester import Requester
from gateway.settings import Settings

DEPARTMENTS = ["education", "health", "housing", "registry", "socialcare"]
WHO = Requester("tester", ("tester",), "testing")
ENDLESS = "SELECT count(*) FROM range(10000000000000) a, range(1000) b"


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("council")
    write_sqlite(300, 7, directory)
    return directory


@pytest.fixture
def engine(council: Path) -> Iterator[SupervisedDuckDB]:
    engine = SupervisedDuckDB(Settings(engine="duckdb", duckdb_sqlite_dir=council), DEPARTMENTS)
    yield engine
    engine.close()


def _in_flight(engine: SupervisedDuckDB, sql: str) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def ask() -> None:
        try:
            outcome["rows"] = engine.run(sql, WHO, timeout=60).rows
        except EngineError as error:
            outcome["error"] = error

    thread = threading.Thread(target=ask)
    thread.start()
    deadline = time.monotonic() + 10
    while not (engine._worker and engine._worker.calls) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert engine._worker is not None and engine._worker.calls, "the query never reached the worker"
    return thread, outcome


def _wait_restarted(engine: SupervisedDuckDB, old: int) -> None:
    deadline = time.monotonic() + 30
    while engine.pid in (None, old) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert engine.pid not in (None, old), "no new worker"


def test_answers_like_the_engine_it_runs(engine: SupervisedDuckDB, council: Path) -> None:
    assert engine.run("SELECT count(*) FROM registry.citizen", WHO).rows == [(300,)]
    assert set(engine.catalogs) == set(DEPARTMENTS)
    with pytest.raises(EngineError) as raised:
        engine.run('SELECT secret_column FROM "nowhere"."x"."y"', WHO)
    assert type(raised.value) is EngineError and "secret_column" not in raised.value.message


def test_a_query_over_its_time_is_interrupted_in_the_worker(engine: SupervisedDuckDB) -> None:
    pid = engine.pid
    with pytest.raises(EngineTimeout):
        engine.run(ENDLESS, WHO, timeout=0.3)
    assert engine.run("SELECT 42", WHO).rows == [(42,)]
    assert engine.pid == pid and engine.crashes == 0


def test_a_crash_fails_the_queries_in_flight_with_503_and_the_engine_restarts(
        engine: SupervisedDuckDB) -> None:
    old = engine.pid
    assert old is not None
    threads = [_in_flight(engine, ENDLESS) for _ in range(3)]
    os.kill(old, signal.SIGSEGV)
    for thread, outcome in threads:
        thread.join(timeout=10)
        assert not thread.is_alive()
        error = outcome["error"]
        assert isinstance(error, EngineUnavailable) and error.status == 503
    _wait_restarted(engine, old)
    assert engine.run("SELECT count(*) FROM registry.citizen", WHO).rows == [(300,)]
    assert engine.crashes == 1
    with pytest.raises(ProcessLookupError):
        os.kill(old, 0)  # the dead worker was reaped, not left a zombie


def test_a_query_sent_while_the_worker_restarts_waits_for_the_new_one(
        engine: SupervisedDuckDB) -> None:
    old = engine.pid
    assert old is not None
    os.kill(old, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while engine.pid == old and time.monotonic() < deadline:  # until the loss is seen
        time.sleep(0.001)
    assert engine.run("SELECT 7", WHO, timeout=30).rows == [(7,)]
    assert engine.pid != old


def test_a_bad_department_file_stops_the_start_with_its_reason(council: Path,
                                                                tmp_path: Path) -> None:
    for file in council.glob("*.sqlite"):
        shutil.copy(file, tmp_path / file.name)
    (tmp_path / "education.sqlite").unlink()
    with pytest.raises(SourceError, match=r"education\.sqlite"):
        SupervisedDuckDB(Settings(engine="duckdb", duckdb_sqlite_dir=tmp_path), DEPARTMENTS)


def test_closing_ends_the_worker(council: Path) -> None:
    engine = SupervisedDuckDB(Settings(engine="duckdb", duckdb_sqlite_dir=council), DEPARTMENTS)
    pid = engine.pid
    assert pid is not None
    engine.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(EngineUnavailable):
        engine.run("SELECT 1", WHO, timeout=0.1)


# ------------------------------------------------------------------ through the gateway


@pytest.fixture(scope="module")
def gateway(council: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    with live_gateway(tmp_path_factory.mktemp("gateway"), ALL_CLEAR, engine="duckdb",
                      duckdb_sqlite_dir=council, access_log=False, rate_limit_per_second=0) as live:
        yield live


def test_a_request_in_flight_when_the_worker_crashes_gets_a_clean_503(
        gateway: LiveGateway) -> None:
    engine = gateway.gateway.engine
    assert isinstance(engine, SupervisedDuckDB)
    assert gateway.post(FULL_VIEW, {"id": "5"}).status_code == 200
    old = engine.pid
    assert old is not None
    os.kill(old, signal.SIGSTOP)  # holds the request inside the worker, then crashes it there
    answers: list[Any] = []
    asking = threading.Thread(target=lambda: answers.append(gateway.post(FULL_VIEW, {"id": "5"})))
    asking.start()
    try:
        deadline = time.monotonic() + 10
        while not (engine._worker and engine._worker.calls) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert engine._worker is not None and engine._worker.calls
    finally:
        os.kill(old, signal.SIGSEGV)
        os.kill(old, signal.SIGCONT)
    asking.join(timeout=30)
    response = answers[0]
    assert response.status_code == 503
    assert response.headers["retry-after"]
    body = response.json()
    assert [error["extensions"]["code"] for error in body["errors"]] == ["ENGINE_UNAVAILABLE"]
    assert "Traceback" not in response.text and "SELECT" not in response.text
    _wait_restarted(engine, old)
    after = gateway.post(FULL_VIEW, {"id": "5"})
    assert after.status_code == 200 and after.json()["data"]["citizen"]["id"] == "5"
