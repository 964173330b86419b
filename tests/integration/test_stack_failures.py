"""Bad input gives one clear line naming the part, fast: never a hang, never a stack trace."""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
import time
import uuid
from typing import Any

import pytest

from stack import mariadb, postgres, trino
from stack.errors import StackError
from stack.settings import CONNECTORS_DIR, DEPARTMENTS, Settings

pytestmark = pytest.mark.integration

FAST = 15.0  # seconds: anything slower counts as a hang


def _closed_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _department(name: str) -> Any:
    return next(d for d in DEPARTMENTS if d.name == name)


@pytest.mark.parametrize(
    ("engine", "department", "port_field"),
    [(postgres, "health", "postgres_port"), (mariadb, "socialcare", "mariadb_port")],
    ids=["postgres", "mariadb"],
)
def test_a_database_that_is_down_is_named(
    stack: Settings, engine: Any, department: str, port_field: str
) -> None:
    port = _closed_port()
    settings = dataclasses.replace(stack, **{port_field: port})
    started = time.monotonic()
    with pytest.raises(StackError) as raised:
        engine.check(settings, _department(department))
    assert time.monotonic() - started < FAST
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"{engine.PART}: cannot connect to 127.0.0.1:{port}/{department}")


def test_trino_that_is_down_is_named(stack: Settings) -> None:
    settings = dataclasses.replace(stack, trino_port=_closed_port())
    started = time.monotonic()
    with pytest.raises(StackError, match=r"^trino: not answering on 127\.0\.0\.1:\d+$"):
        trino.ready(settings)
    assert time.monotonic() - started < FAST


@pytest.mark.parametrize("department", ["registry", "socialcare"])
def test_wrong_reader_password_makes_stack_ready_fail_with_one_line(
    stack: Settings, department: str
) -> None:
    """`citizen-gateway stack ready` with a wrong password in the environment."""
    env = dict(os.environ, **{f"{department.upper()}_DB_PASSWORD": "not-the-password"})
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "gateway.cli.main", "stack", "ready"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert time.monotonic() - started < FAST
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    engine = "postgres" if department == "registry" else "mariadb"
    assert lines[0].startswith(f"{engine}: cannot connect to 127.0.0.1:"), lines[0]
    assert f"as {department}_reader" in lines[0]
    assert "password" in lines[0].lower() or "access denied" in lines[0].lower()


@pytest.mark.parametrize("department", ["health", "education"])
def test_catalog_file_with_a_wrong_password_is_named(
    stack: Settings, trino_cursor: Any, department: str
) -> None:
    """connectors/<dept>.properties loaded as a throwaway catalog with a wrong password
    (CREATE CATALOG: the shared Trino is not restarted); the readiness probe names it."""
    env = stack.connector_env() | {f"{department.upper()}_DB_PASSWORD": "not-the-password"}
    properties = trino.catalog_properties(CONNECTORS_DIR / f"{department}.properties", env)
    connector = properties.pop("connector.name")
    catalog = f"wrong_password_{department}_{uuid.uuid4().hex[:8]}"
    values = ", ".join(f'"{key}" = \'{value}\'' for key, value in properties.items())
    trino_cursor.execute(f"CREATE CATALOG {catalog} USING {connector} WITH ({values})")
    trino_cursor.fetchall()
    try:
        started = time.monotonic()
        with pytest.raises(StackError) as raised:
            trino.probe(stack, catalog, department, _department(department).probe_table)
        assert time.monotonic() - started < FAST
        message = str(raised.value)
        assert "\n" not in message
        assert message.startswith(f"trino catalog {catalog}: ")
        assert "password" in message.lower() or "access denied" in message.lower(), message
    finally:
        trino_cursor.execute(f"DROP CATALOG IF EXISTS {catalog}")
        trino_cursor.fetchall()


def test_the_shared_catalogs_still_answer_afterwards(stack: Settings) -> None:
    assert set(trino.ready(stack)) == {d.name for d in DEPARTMENTS}
