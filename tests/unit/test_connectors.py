"""connectors/*.properties: one catalog per department, secrets only from the environment, and
the settings the design relies on for pushdown."""

from __future__ import annotations

from pathlib import Path

import pytest

from stack.settings import CONNECTORS_DIR, DEPARTMENTS, Department, Settings
from stack.trino import catalog_properties

CONNECTOR = {"postgres": "postgresql", "mariadb": "mariadb"}


def _properties(name: str) -> dict[str, str]:
    return catalog_properties(CONNECTORS_DIR / f"{name}.properties", {})


def test_one_catalog_per_department() -> None:
    assert {p.stem for p in CONNECTORS_DIR.glob("*.properties")} == {d.name for d in DEPARTMENTS}


@pytest.mark.parametrize("department", DEPARTMENTS, ids=lambda d: d.name)
def test_catalog_settings(department: Department) -> None:
    name, engine = department.name, department.engine
    prefix = name.upper()
    properties = _properties(name)
    assert properties["connector.name"] == CONNECTOR[engine]
    assert properties["connection-url"] == f"${{ENV:{prefix}_JDBC_URL}}"
    assert properties["connection-user"] == f"${{ENV:{prefix}_DB_USER}}"
    assert properties["connection-password"] == f"${{ENV:{prefix}_DB_PASSWORD}}"
    assert int(properties["domain-compaction-threshold"]) >= 1000  # 100-id lists stay discrete
    assert properties["dynamic-filtering.enabled"] == "true"
    assert "dynamic-filtering.wait-timeout" in properties
    assert properties["statistics.enabled"] == "true"


@pytest.mark.parametrize("path", sorted(CONNECTORS_DIR.glob("*.properties")), ids=lambda p: p.name)
def test_every_setting_is_explained(path: Path) -> None:
    """Every block of settings sits right under a comment saying why."""
    lines = path.read_text().splitlines()
    for number, line in enumerate(lines):
        if not line or line.startswith("#"):
            continue
        above = number - 1
        while above >= 0 and lines[above] and not lines[above].startswith("#"):
            above -= 1  # walk up over the settings of the same block
        assert above >= 0 and lines[above].startswith("#"), f"{path.name}: {line!r} unexplained"


def test_local_stack_provides_every_env_reference() -> None:
    env = Settings.from_env({}).connector_env()
    for path in CONNECTORS_DIR.glob("*.properties"):
        resolved = catalog_properties(path, env)
        assert not any("${ENV:" in value for value in resolved.values()), path.name
