"""Departments for DuckDB from the same connectors/*.properties Trino reads, and the demo's files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from gateway.engine.duckdb.sources import (
    EXTENSIONS,
    SourceError,
    extension_file,
    from_connectors,
    from_properties,
    from_sqlite_dir,
    jdbc_target,
)
from stack.settings import DEPARTMENTS, Settings

REPO = Path(__file__).resolve().parents[2]


def test_the_shipped_connectors_with_the_stack_environment() -> None:
    env = Settings.from_env({}).connector_env()
    sources = {s.catalog: s for s in from_connectors(REPO / "connectors",
                                                     [d.name for d in DEPARTMENTS], env)}
    assert sources["registry"].kind == "postgres"
    assert sources["registry"].target == (
        "host=127.0.0.1 port=55432 dbname=registry application_name=citizen-gateway "
        "connect_timeout=5")
    assert (sources["registry"].user, sources["registry"].password) == (
        "registry_reader", "registry-reader-dev")
    assert sources["socialcare"].kind == "mysql"
    assert sources["socialcare"].target == "host=127.0.0.1 port=53306"  # every readable database
    for source in sources.values():
        statements = source.statements()
        assert "READ_ONLY" in statements[-1]
        assert source.password not in statements[-1]  # credentials only in the secret
        assert source.password not in source.describe()


@pytest.mark.parametrize(("kind", "url", "target"), [
    ("postgres", "jdbc:postgresql://db.council.internal/health",
     "host=db.council.internal port=5432 dbname=health application_name=citizen-gateway "
     "connect_timeout=5"),
    ("postgres", "jdbc:postgresql://db:6432/health?ssl=true&sslmode=verify-full&sslrootcert=/ca.pem",
     "host=db port=6432 dbname=health sslmode=verify-full sslrootcert=/ca.pem "
     "application_name=citizen-gateway connect_timeout=5"),
    ("postgres", "jdbc:postgresql://db/health?ssl=true",
     "host=db port=5432 dbname=health sslmode=require application_name=citizen-gateway "
     "connect_timeout=5"),
    ("mysql", "jdbc:mariadb://db.council.internal:3307?sslMode=verify-full",
     "host=db.council.internal port=3307 ssl_mode=VERIFY_IDENTITY"),
    ("mysql", "jdbc:mysql://db/socialcare", "host=db port=3306 database=socialcare"),
])
def test_jdbc_urls_become_attach_strings(kind: str, url: str, target: str) -> None:
    assert jdbc_target(kind, url, "x.properties") == target  # type: ignore[arg-type]


@pytest.mark.parametrize(("properties", "message"), [
    ({"connector.name": "oracle", "connection-url": "jdbc:oracle:thin:@db"}, "no DuckDB scanner"),
    ({"connector.name": "postgresql"}, "connection-url is missing"),
    ({"connector.name": "postgresql", "connection-url": "${ENV:NOPE_URL}"}, "NOPE_URL is not set"),
    ({"connector.name": "postgresql", "connection-url": "jdbc:postgresql://db"},
     "must name the database"),
    ({"connector.name": "postgresql", "connection-url": "jdbc:postgresql://db/x?tcpKeepAlive=true"},
     "'tcpKeepAlive'"),
    ({"connector.name": "mariadb", "connection-url": "jdbc:mariadb://db?sslMode=bogus"},
     "sslMode='bogus'"),
    ({"connector.name": "mariadb", "connection-url": "jdbc:postgresql://db/x"},
     "does not match connector.name"),
])
def test_bad_connector_files_are_refused_with_the_reason(properties: dict[str, str],
                                                         message: str) -> None:
    with pytest.raises(SourceError, match=message.replace("$", r"\$")):
        from_properties("health", properties, {}, "health.properties")


def test_a_missing_connector_file_or_sqlite_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no connector file for department health"):
        from_connectors(tmp_path, ["health"], {})
    with pytest.raises(SourceError, match=r"health\.sqlite"):
        from_sqlite_dir(tmp_path, ["health"])


def test_quotes_in_a_password_stay_inside_the_secret() -> None:
    source = from_properties("health", {"connector.name": "postgresql",
                                        "connection-url": "jdbc:postgresql://db/health",
                                        "connection-user": "u", "connection-password": "p'w"},
                             {}, "health.properties")
    assert "PASSWORD 'p''w'" in source.statements()[0]


@pytest.mark.parametrize("kind", sorted(EXTENSIONS))
def test_each_scanner_comes_from_its_wheel_for_this_duckdb(kind: str) -> None:
    path = extension_file(kind)  # type: ignore[arg-type]
    assert path.is_file()
    assert f"v{duckdb.__version__}" in path.parts
    assert "site-packages" in path.parts or "dist-packages" in path.parts
