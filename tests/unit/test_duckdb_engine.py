"""The DuckDB engine over the demo's SQLite files: no servers, the real gateway on top."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from gateway_server import ALL_CLEAR, LiveGateway, live_gateway
from reference import FULL_VIEW

from gateway.engine.duckdb.engine import DuckDBEngine, SourceError
from gateway.errors import EngineError, EngineTimeout
from gateway.requester import Requester
from gateway.settings import Settings

DEPARTMENTS = ["education", "health", "housing", "registry", "socialcare"]
WHO = Requester("tester", ("tester",), "testing")


@pytest.fixture(scope="module")
def council(sqlite_council: Path) -> Path:
    return sqlite_council


@pytest.fixture(scope="module")
def engine(council: Path) -> Iterator[DuckDBEngine]:
    engine = DuckDBEngine(Settings(engine="duckdb", duckdb_sqlite_dir=council), DEPARTMENTS)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def gateway(council: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    with live_gateway(tmp_path_factory.mktemp("gateway"), ALL_CLEAR, engine="duckdb",
                      duckdb_sqlite_dir=council, access_log=False, rate_limit_per_second=0,
                      engine_queue_wait_seconds=60, duckdb_worker_process=False) as live:
        yield live


def test_extensions_from_files_nothing_installed_or_autoloaded(engine: DuckDBEngine) -> None:
    database = engine.database
    settings = dict(database.execute(
        "SELECT name, value FROM duckdb_settings() WHERE name IN "
        "('autoinstall_known_extensions', 'autoload_known_extensions')").fetchall())
    assert settings == {"autoinstall_known_extensions": "false",
                        "autoload_known_extensions": "false"}
    loaded = database.execute("SELECT extension_name FROM duckdb_extensions() WHERE loaded "
                              "AND extension_name LIKE '%scanner'").fetchall()
    assert loaded == [("sqlite_scanner",)]  # the demo needs no postgres or mysql scanner


def test_a_query_runs_on_the_asking_thread_alone(engine: DuckDBEngine) -> None:
    """Scans of one query never run at once (the 1.5 mysql scanner races on them, issue #10)."""
    assert engine.run("SELECT current_setting('threads')", WHO).rows == [(1,)]


def test_the_full_view_equals_the_sqlite_files(gateway: LiveGateway, council: Path) -> None:
    with sqlite3.connect(council / "registry.sqlite") as registry:
        linked = registry.execute("SELECT citizen_id, local_id FROM person_link "
                                  "WHERE department = 'health' ORDER BY local_id LIMIT 5").fetchall()
        people = {row[0]: row[1:] for row in registry.execute(
            "SELECT citizen_id, given_name, family_name, date_of_birth FROM citizen")}
    for citizen, patient in linked:
        with sqlite3.connect(council / "health.sqlite") as health:
            encounters = health.execute(
                "SELECT encounter_date, diagnosis_code FROM encounter WHERE patient_id = ? "
                "ORDER BY encounter_date DESC, encounter_id LIMIT 20", (patient,)).fetchall()
        body = gateway.post(FULL_VIEW, {"id": str(citizen)}).json()
        view = body["data"]["citizen"]
        assert (view["givenName"], view["familyName"], view["dateOfBirth"]) == people[citizen]
        assert view["health"]["patientId"] == str(patient)
        assert [(e["encounterDate"], e["diagnosisCode"])
                for e in view["health"]["encounters"]] == encounters


def test_concurrent_requests_share_a_small_pool(gateway: LiveGateway) -> None:
    ids = [str(i) for i in range(1, 41)]
    expected = {i: gateway.post(FULL_VIEW, {"id": i}).json()["data"] for i in ids}
    results: dict[str, Any] = {}
    lock = threading.Lock()

    def ask(citizen: str) -> None:
        answer = gateway.post(FULL_VIEW, {"id": citizen})
        with lock:
            results[citizen] = (answer.status_code, answer.json().get("data"))

    threads = [threading.Thread(target=ask, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == {i: (200, expected[i]) for i in ids}
    engine = gateway.gateway.engine
    assert isinstance(engine, DuckDBEngine)
    assert engine._idle.qsize() <= engine._keep


def test_a_query_over_its_time_is_interrupted_and_the_engine_goes_on(engine: DuckDBEngine) -> None:
    started = time.monotonic()
    with pytest.raises(EngineTimeout):
        engine.run("SELECT count(*) FROM range(10000000000000) a, range(1000) b", WHO, timeout=0.3)
    assert time.monotonic() - started < 5
    assert engine.run("SELECT 42", WHO).rows == [(42,)]


def test_errors_say_nothing_of_the_sql(engine: DuckDBEngine) -> None:
    with pytest.raises(EngineError) as raised:
        engine.run('SELECT secret_column FROM "nowhere"."x"."y"', WHO)
    assert "secret_column" not in raised.value.message and "nowhere" not in raised.value.message


def test_a_missing_department_file_stops_the_start(council: Path, tmp_path: Path) -> None:
    for file in council.glob("*.sqlite"):
        shutil.copy(file, tmp_path / file.name)
    (tmp_path / "education.sqlite").unlink()
    with pytest.raises(SourceError, match=r"education\.sqlite"):
        DuckDBEngine(Settings(engine="duckdb", duckdb_sqlite_dir=tmp_path), DEPARTMENTS)


def test_departments_are_attached_read_only(engine: DuckDBEngine) -> None:
    with pytest.raises(duckdb.Error):
        engine.database.execute("INSERT INTO registry.main.citizen (citizen_id) VALUES (-1)")


def test_a_database_that_does_not_answer_at_start_is_reported_not_fatal(tmp_path: Path) -> None:
    """A PostgreSQL/MariaDB department down when the gateway starts: the engine starts, says why
    the department is missing, fails queries that read it (the service then answers without it)
    and tries to attach it again on later queries."""
    (tmp_path / "health.properties").write_text(
        "connector.name=postgresql\nconnection-url=jdbc:postgresql://127.0.0.1:1/health\n"
        "connection-user=health_reader\nconnection-password=${ENV:NO_SUCH_PASSWORD_IN_TESTS}\n")
    with pytest.raises(SourceError, match="NO_SUCH_PASSWORD_IN_TESTS is not set"):
        DuckDBEngine(Settings(engine="duckdb", connectors_dir=tmp_path), ["health"])
    (tmp_path / "health.properties").write_text(
        "connector.name=postgresql\nconnection-url=jdbc:postgresql://127.0.0.1:1/health\n"
        "connection-user=health_reader\nconnection-password=secret-not-to-show\n")
    engine = DuckDBEngine(Settings(engine="duckdb", connectors_dir=tmp_path), ["health"])
    try:
        assert engine.attached["health"] is not None
        reason = engine.attached["health"]
        assert reason is not None and "secret-not-to-show" not in reason
        with pytest.raises(EngineError):
            engine.run('SELECT 1 FROM "health"."health"."patient" LIMIT 1', WHO)
    finally:
        engine.close()
