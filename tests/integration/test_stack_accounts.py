"""Least privilege: each reader reads its own department only, and never writes; the registry
reader cannot read the linkage ground truth (registry_truth)."""

from __future__ import annotations

from typing import Any

import psycopg
import pymysql
import pytest
import trino

from stack.settings import HOST, Settings

pytestmark = pytest.mark.integration


def test_registry_reader_cannot_read_the_ground_truth(databases: Any) -> None:
    with (
        databases.postgres_reader("registry") as connection,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        connection.execute("SELECT count(*) FROM registry_truth.link_truth")


def test_registry_catalog_cannot_read_the_ground_truth(trino_cursor: Any) -> None:
    """Through Trino too. (Its name still shows in SHOW SCHEMAS: PostgreSQL's catalogs are
    readable by every account; the rows are not.)"""
    with pytest.raises(trino.exceptions.TrinoExternalError, match="permission denied"):
        trino_cursor.execute("SELECT count(*) FROM registry.registry_truth.link_truth")
        trino_cursor.fetchall()


@pytest.mark.parametrize(("reader", "other"), [("health", "registry"), ("registry", "housing")])
def test_postgres_reader_cannot_connect_to_another_department(
    stack: Settings, reader: str, other: str
) -> None:
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        psycopg.connect(
            host=HOST, port=stack.postgres_port, dbname=other, user=f"{reader}_reader",
            password=stack.reader_password(reader), connect_timeout=5,
        )


def test_mariadb_reader_cannot_read_another_department(databases: Any) -> None:
    connection = databases.mariadb_reader("socialcare")
    with (
        connection,
        connection.cursor() as cursor,
        pytest.raises(pymysql.err.OperationalError, match="denied"),
    ):
        cursor.execute("SELECT count(*) FROM education.pupil")


def test_readers_cannot_write(databases: Any) -> None:
    with (
        databases.postgres_reader("health") as connection,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        connection.execute("DELETE FROM health.encounter")
    connection = databases.mariadb_reader("education")
    with (
        connection,
        connection.cursor() as cursor,
        pytest.raises(pymysql.err.OperationalError, match="denied"),
    ):
        cursor.execute("DELETE FROM pupil")
