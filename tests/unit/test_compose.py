"""docker-compose.yml describes the same stack as `make up`: same Trino, catalogs, names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from stack.settings import DEPARTMENTS, ROOT, SQL_DIR, TRINO_VERSION, Settings, departments_on

COMPOSE = ROOT / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return document


def _services(compose: dict[str, Any]) -> dict[str, Any]:
    services: dict[str, Any] = compose["services"]
    return services


def _environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        return dict(item.split("=", 1) for item in environment)
    return {key: str(value) for key, value in environment.items()}


def _default(value: str) -> str:
    """`${NAME:-default}` -> default; a plain value as it is."""
    match = re.fullmatch(r"\$\{[A-Z_]+:-(.*)\}", value)
    return match.group(1) if match else value


def _env_references(path: Path) -> set[str]:
    return set(re.findall(r"\$\{ENV:([A-Z0-9_]+)\}", path.read_text()))


def test_trino_image_is_the_pinned_release(compose: dict[str, Any]) -> None:
    assert _services(compose)["trino"]["image"] == f"trinodb/trino:{TRINO_VERSION}"


def test_catalogs_are_mounted_from_connectors(compose: dict[str, Any]) -> None:
    volumes = _services(compose)["trino"]["volumes"]
    assert any(v.split(":")[:2] == ["./connectors", "/etc/trino/catalog"] for v in volumes)


def test_every_env_reference_in_connectors_reaches_trino(compose: dict[str, Any]) -> None:
    trino_env = _environment(_services(compose)["trino"])
    referenced = set().union(*(_env_references(p) for p in (ROOT / "connectors").glob("*.properties")))
    assert referenced, "connectors/ names no ${ENV:...}"
    assert referenced <= set(trino_env), referenced - set(trino_env)


def test_same_variable_names_as_the_local_stack(compose: dict[str, Any]) -> None:
    local = Settings.from_env({})
    trino_env = _environment(_services(compose)["trino"])
    assert set(local.connector_env()) == set(trino_env)
    for department in DEPARTMENTS:
        prefix = department.env_prefix
        assert trino_env[f"{prefix}_DB_USER"] == department.reader
        # the same development default passwords as the local stack
        assert _default(trino_env[f"{prefix}_DB_PASSWORD"]) == local.reader_password(
            department.name
        )


def test_jdbc_urls_point_at_the_right_service(compose: dict[str, Any]) -> None:
    trino_env = _environment(_services(compose)["trino"])
    for department in departments_on("postgres"):
        url = trino_env[f"{department.env_prefix}_JDBC_URL"]
        assert url == f"jdbc:postgresql://postgres:5432/{department.name}"
    for department in departments_on("mariadb"):
        assert trino_env[f"{department.env_prefix}_JDBC_URL"] == "jdbc:mariadb://mariadb:3306"


def _init_variables(script: str, flag: str) -> set[str]:
    return set(re.findall(flag, (SQL_DIR / script).read_text()))


@pytest.mark.parametrize(
    ("service", "script", "sql", "sql_variable", "script_variable"),
    [
        ("postgres", "postgres-init.sh", "postgres.sql", r":'([a-z_]+)'", r"-v ([a-z_]+)="),
        ("mariadb", "mariadb-init.sh", "mariadb.sql", r"@([a-z_]+_password)", r"SET @([a-z_]+) ="),
    ],
)
def test_databases_are_initialised_with_the_local_stacks_sql(
    compose: dict[str, Any], service: str, script: str, sql: str, sql_variable: str,
    script_variable: str,
) -> None:
    definition = _services(compose)[service]
    volumes = definition["volumes"]
    assert "./stack/sql:/citizen-gateway/sql:ro" in volumes
    assert any(
        v.startswith(f"./stack/sql/{script}:/docker-entrypoint-initdb.d/") for v in volumes
    )
    assert f"/citizen-gateway/sql/{sql}" in (SQL_DIR / script).read_text()
    # every variable the SQL uses is set by the init script ...
    used = set(re.findall(sql_variable, (SQL_DIR / sql).read_text()))
    assert used and used <= _init_variables(script, script_variable), used
    # ... from environment variables the service is given
    env_used = set(re.findall(r"\"\$([A-Z_]+)\"", (SQL_DIR / script).read_text()))
    assert env_used <= set(_environment(definition)) | {"POSTGRES_USER"}, env_used


def test_ports_are_the_conventions_on_loopback(compose: dict[str, Any]) -> None:
    local = Settings.from_env({})
    expected = {
        "postgres": f"127.0.0.1:{local.postgres_port}:5432",
        "mariadb": f"127.0.0.1:{local.mariadb_port}:3306",
        "trino": f"127.0.0.1:{local.trino_port}:8080",
    }
    for service, port in expected.items():
        assert _services(compose)[service]["ports"] == [port]
    for definition in _services(compose).values():
        for published in definition.get("ports", []):
            assert published.startswith("127.0.0.1:"), published


def test_seed_job_and_gateway_run_the_projects_commands(compose: dict[str, Any]) -> None:
    services = _services(compose)
    seed = " ".join(services["seed"]["entrypoint"] + services["seed"]["command"])
    assert seed.startswith("citizen-gateway seed ") and "--seed 7" in seed
    assert "--postgres postgres:5432" in seed and "--mariadb mariadb:3306" in seed
    assert services["gateway"]["command"][:2] == ["citizen-gateway", "serve"]
    assert services["trino"]["depends_on"]["seed"]["condition"] == (
        "service_completed_successfully"
    )
    assert "COUNCIL_LOADER_PASSWORD" in _environment(services["seed"])


def test_dockerfile_builds_the_gateway() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.1[1-9]", dockerfile, re.MULTILINE)
    assert 'CMD ["citizen-gateway", "serve"]' in dockerfile
