"""Fixtures for the integration tier: the real local stack (`make up`), never a mock.

`stack` checks once per session that every reader account logs in and every Trino catalog
answers; if not, every test that needs it FAILS (never skips) with the part that is down.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pymysql
import pytest

from stack import lifecycle, trino
from stack.errors import StackError
from stack.settings import HOST, LOADER_USER, Settings


@pytest.fixture(scope="session")
def stack() -> Settings:
    settings = Settings.from_env()
    try:
        lifecycle.ready(settings)
    except StackError as error:
        pytest.fail(f"the local stack is not up ({error}); start it with `make up`", pytrace=False)
    return settings


@pytest.fixture
def trino_cursor(stack: Settings) -> Iterator[Any]:
    connection = trino.connect(stack, timeout=120)
    try:
        yield connection.cursor()
    finally:
        connection.close()


class Databases:
    """Connections straight to each department database, bypassing Trino."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def postgres_reader(self, department: str) -> psycopg.Connection[Any]:
        """The department's own read-only account, straight to PostgreSQL (not through Trino)."""
        return psycopg.connect(
            host=HOST, port=self.settings.postgres_port, dbname=department,
            user=f"{department}_reader", password=self.settings.reader_password(department),
            connect_timeout=5, autocommit=True,
        )

    def mariadb_reader(self, department: str) -> pymysql.Connection[Any]:
        """The department's own read-only account, straight to MariaDB (not through Trino)."""
        return pymysql.connect(
            host=HOST, port=self.settings.mariadb_port, database=department,
            user=f"{department}_reader", password=self.settings.reader_password(department),
            connect_timeout=5, read_timeout=60, autocommit=True,
        )

    def postgres_loader(self, department: str) -> psycopg.Connection[Any]:
        """The loader account: it owns the tables, so it sees their pg_stat_user_tables."""
        return psycopg.connect(
            host=HOST, port=self.settings.postgres_port, dbname=department, user=LOADER_USER,
            password=self.settings.loader_password, connect_timeout=5, autocommit=True,
        )

    def mariadb_loader(self, department: str) -> pymysql.Connection[Any]:
        return pymysql.connect(
            host=HOST, port=self.settings.mariadb_port, database=department, user=LOADER_USER,
            password=self.settings.loader_password, connect_timeout=5, read_timeout=60,
            autocommit=True,
        )


@pytest.fixture(scope="session")
def databases(stack: Settings) -> Databases:
    return Databases(stack)


# ------------------------------------------------------------------ the gateway over real Trino


from gateway_server import ALL_CLEAR, LiveGateway, live_gateway  # noqa: E402
from reference import Reference  # noqa: E402


@pytest.fixture(scope="session")
def open_gateway(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    """The gateway with a policy that shows every field in clear (for value-for-value checks)."""
    with live_gateway(tmp_path_factory.mktemp("open-gateway"), ALL_CLEAR) as live:
        yield live


@pytest.fixture(scope="session")
def council_gateway(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    """The gateway under the council's own policies/ (roles, masks, row rules)."""
    with live_gateway(tmp_path_factory.mktemp("council-gateway")) as live:
        yield live


@pytest.fixture(scope="session")
def reference(stack: Settings) -> Reference:
    return Reference(stack)
