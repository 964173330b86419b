"""`citizen-gateway link` on the real stack: PostgreSQL and MariaDB department databases read in
place by the linkage account, which holds the identifying columns and the index tables only."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import psycopg
import pymysql
import pytest

from bench.linkage_score import Pairs, score, total
from stack.settings import HOST, LINKER, Settings

pytestmark = pytest.mark.integration

INDEX_TABLES = ("person_link", "link_review", "link_decision", "link_model")


def _link(stack: Settings, *args: str, env: dict[str, str] | None = None
          ) -> subprocess.CompletedProcess[str]:
    chosen = {**os.environ, **stack.connector_env(), **stack.linker_env(), **(env or {})}
    chosen.pop("GATEWAY_DUCKDB_SQLITE_DIR", None)
    return subprocess.run([sys.executable, "-m", "gateway.cli", "link", *args], env=chosen,
                          capture_output=True, text=True, timeout=600, check=False)


def _rows(connection: psycopg.Connection[Any], sql: str) -> list[tuple[Any, ...]]:
    return connection.execute(sql).fetchall()  # type: ignore[arg-type]


@pytest.fixture
def registry(databases: Any) -> Iterator[psycopg.Connection[Any]]:
    """The registry as its owner, with the index as it was put back afterwards: other tests
    compare with the index they started on."""
    connection = databases.postgres_loader("registry")
    saved = {table: _rows(connection, f"SELECT * FROM registry.{table}")
             for table in INDEX_TABLES}
    try:
        yield connection
    finally:
        with connection.transaction():
            for table, rows in saved.items():
                connection.execute(f"DELETE FROM registry.{table}")  # type: ignore[arg-type]
                if rows:
                    marks = ", ".join(["%s"] * len(rows[0]))
                    with connection.cursor() as cursor:
                        cursor.executemany(
                            f"INSERT INTO registry.{table} VALUES ({marks})",  # type: ignore[arg-type]
                            rows)
        connection.close()


def _pairs(registry: psycopg.Connection[Any]) -> Pairs:
    def pairs(sql: str) -> dict[tuple[str, int], int]:
        return {(d, int(local)): int(c) for d, local, c in _rows(registry, sql)}

    return Pairs(
        pairs("SELECT department, local_id, citizen_id FROM registry_truth.link_truth"),
        pairs("SELECT department, local_id, citizen_id FROM registry.person_link"),
        pairs("SELECT department, local_id, citizen_id FROM registry.link_review"),
        frozenset(c for (c,) in _rows(registry, "SELECT citizen_id FROM registry.citizen")))


def test_link_builds_the_index_from_the_department_databases(
        stack: Settings, registry: psycopg.Connection[Any]) -> None:
    done = _link(stack, "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "citizens in the registry" in done.stdout
    scores = score(_pairs(registry), ("health", "socialcare", "education", "housing"))
    overall = total(scores)
    assert overall.precision >= 0.999, scores
    assert overall.recall >= 0.9, scores
    versions = _rows(registry, "SELECT DISTINCT model_version FROM registry.person_link "
                               "WHERE model_version IS NOT NULL")
    saved = _rows(registry, "SELECT model_version FROM registry.link_model")
    assert len(versions) == 4 and set(versions) <= set(saved)


def test_the_linkage_account_reads_identifying_columns_only(stack: Settings) -> None:
    password = stack.linker_password
    with psycopg.connect(host=HOST, port=stack.postgres_port, dbname="health", user=LINKER,
                         password=password, connect_timeout=5, autocommit=True) as health:
        assert health.execute("SELECT given_name, nhs_number FROM health.patient LIMIT 1"
                              ).fetchone() is not None
        for refused in ("SELECT gp_practice_code FROM health.patient LIMIT 1",
                        "SELECT * FROM health.encounter LIMIT 1"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                health.execute(refused)  # type: ignore[arg-type]
    with psycopg.connect(host=HOST, port=stack.postgres_port, dbname="registry", user=LINKER,
                         password=password, connect_timeout=5, autocommit=True) as registry:
        for refused in ("SELECT * FROM registry_truth.link_truth LIMIT 1",
                        "SELECT address_line FROM registry.citizen LIMIT 1"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                registry.execute(refused)  # type: ignore[arg-type]
    socialcare = pymysql.connect(host=HOST, port=stack.mariadb_port, user=LINKER,
                                 password=password, connect_timeout=5)
    try:
        with socialcare.cursor() as cursor:
            cursor.execute("SELECT given_name FROM socialcare.client LIMIT 1")
            for refused in ("SELECT * FROM socialcare.safeguarding_flag LIMIT 1",
                            "SELECT * FROM education.exclusion LIMIT 1"):
                with pytest.raises(pymysql.err.OperationalError, match="denied"):
                    cursor.execute(refused)
    finally:
        socialcare.close()


def test_a_wrong_password_fails_in_one_line_and_keeps_the_index(
        stack: Settings, registry: psycopg.Connection[Any]) -> None:
    before = _rows(registry, "SELECT * FROM registry.person_link ORDER BY department, local_id")
    done = _link(stack, "--no-progress", env={"EDUCATION_LINK_DB_PASSWORD": "not-the-password"})
    assert done.returncode == 2
    message = done.stderr.strip()
    assert message.startswith("citizen-gateway link: cannot reach education"), message
    assert "\n" not in message and "not-the-password" not in message
    assert _rows(registry, "SELECT * FROM registry.person_link "
                           "ORDER BY department, local_id") == before
