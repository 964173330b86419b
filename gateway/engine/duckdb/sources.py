"""Where the DuckDB engine finds each department, and the DuckDB statements that attach it.

Two descriptions, one result (a `Source` per department, attached under the department's catalog
name, read-only, in place):

- `from_connectors(dir)`: the SAME connectors/<catalog>.properties files Trino reads. The mapping:

      connector.name=postgresql               ->  ATTACH ... (TYPE postgres)
      connector.name=mariadb | mysql          ->  ATTACH ... (TYPE mysql)
      connection-url=jdbc:postgresql://HOST[:PORT]/DATABASE[?PARAMS]
                                              ->  host=HOST port=PORT(5432) dbname=DATABASE
      connection-url=jdbc:mariadb://HOST[:PORT][/DATABASE][?PARAMS]  (or jdbc:mysql:)
                                              ->  host=HOST port=PORT(3306) [database=DATABASE]
      connection-user, connection-password    ->  a DuckDB secret (USER, PASSWORD): never in an
                                                  attach string, so never in an error message
      ${ENV:NAME} in any value                ->  the environment variable NAME (an error if unset)

  URL parameters: PostgreSQL `sslmode`, `sslrootcert`, `sslcert`, `sslkey`, `ssl=true` (sslmode
  require), `connectTimeout`/`loginTimeout` (connect_timeout, else 5 s), `ApplicationName`; MariaDB
  `sslMode` (disable, trust, verify-ca, verify-full) and `serverSslCert`. Any other parameter is an
  error naming it, so that a TLS setting is never dropped silently. Every other property of the
  file tunes Trino (pushdown, caching) and means nothing to DuckDB. As with Trino, a MariaDB URL
  without a database sees the databases its account may read, each as a schema, so
  `catalog.schema.table` in schema.graphql names the same table on both engines.

- `from_sqlite_dir(dir)`: the demo, <dir>/<catalog>.sqlite per department (written by
  `council.sqlite`). SQLite has one schema, `main`; the engine's dialect reads those tables
  through `sqlite_query` (see pushdown.py), so the contract's names still apply.

The scanner extensions come from the installed `duckdb-extension-*` wheels, loaded by file path:
nothing is ever downloaded.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl

import duckdb
from sqlglot import exp

from gateway.errors import StartupError

Kind = Literal["postgres", "mysql", "sqlite"]

EXTENSIONS: dict[Kind, str] = {
    "postgres": "postgres_scanner",
    "mysql": "mysql_scanner",
    "sqlite": "sqlite_scanner",
}

_CONNECTORS: dict[str, Kind] = {"postgresql": "postgres", "mariadb": "mysql", "mysql": "mysql"}
_ENV = re.compile(r"\$\{ENV:([A-Za-z_][A-Za-z0-9_]*)\}")
_JDBC = re.compile(r"^jdbc:(postgresql|mariadb|mysql)://([^/:?]+|\[[^\]]+\])(?::(\d+))?(?:/([^?]*))?"
                   r"(?:\?(.*))?$")
_POSTGRES_PARAMETERS = {"sslmode": "sslmode", "sslrootcert": "sslrootcert", "sslcert": "sslcert",
                        "sslkey": "sslkey", "connectTimeout": "connect_timeout",
                        "loginTimeout": "connect_timeout", "ApplicationName": "application_name"}
_MARIADB_SSL_MODES = {"disable": "DISABLED", "trust": "REQUIRED", "verify-ca": "VERIFY_CA",
                      "verify-full": "VERIFY_IDENTITY"}


class SourceError(StartupError, ValueError):
    """A department cannot be described for DuckDB (a bad connector file, a missing file)."""


@dataclass(frozen=True)
class Source:
    """One department database, as DuckDB attaches it (under `catalog`, read-only)."""

    catalog: str
    kind: Kind
    target: str  # a libpq / MySQL key=value string, or the SQLite file's path
    user: str | None = None
    password: str | None = None

    def describe(self) -> str:
        """For messages and logs: where it is, never the credentials."""
        return f"{self.catalog} ({self.kind}: {self.target})"

    def statements(self, read_only: bool = True) -> list[str]:
        """CREATE SECRET (credentials) and ATTACH, as DuckDB SQL (writable only for the linker's
        registry, which it writes the index back to)."""
        name = exp.to_identifier(self.catalog, quoted=True).sql("duckdb")
        options = [f"TYPE {self.kind}", *(["READ_ONLY"] if read_only else [])]
        statements = []
        if self.kind != "sqlite":
            secret = exp.to_identifier(f"citizen_gateway_{self.catalog}", quoted=True).sql("duckdb")
            fields = [f"TYPE {self.kind}"]
            if self.user is not None:
                fields.append(f"USER {_string(self.user)}")
            if self.password is not None:
                fields.append(f"PASSWORD {_string(self.password)}")
            statements.append(f"CREATE OR REPLACE SECRET {secret} ({', '.join(fields)})")
            options.append(f"SECRET {secret}")
        statements.append(f"ATTACH {_string(self.target)} AS {name} ({', '.join(options)})")
        return statements


def _string(value: str) -> str:
    return exp.Literal.string(value).sql("duckdb")


def _quote(value: str) -> str:
    """A value in a libpq/MySQL key=value string."""
    if value and re.fullmatch(r"[A-Za-z0-9_.:/@+-]+", value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


# ------------------------------------------------------------------ connectors/*.properties


def read_properties(path: Path) -> dict[str, str]:
    """A Java .properties file as Trino writes catalogs: key=value lines, # comments."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", "!")):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise SourceError(f"{path.name}:{number}: not a key=value line")
        values[key.strip()] = value.strip()
    return values


def resolve_env(value: str, env: Mapping[str, str], where: str) -> str:
    def variable(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in env:
            raise SourceError(f"{where}: environment variable {name} is not set")
        return env[name]

    return _ENV.sub(variable, value)


def from_properties(catalog: str, properties: Mapping[str, str], env: Mapping[str, str],
                    where: str) -> Source:
    connector = properties.get("connector.name", "")
    kind = _CONNECTORS.get(connector)
    if kind is None:
        raise SourceError(f"{where}: connector.name={connector!r} has no DuckDB scanner "
                          f"(supported: {', '.join(sorted(_CONNECTORS))})")

    def value(key: str) -> str | None:
        raw = properties.get(key)
        return None if raw is None else resolve_env(raw, env, f"{where}: {key}")

    url = value("connection-url")
    if not url:
        raise SourceError(f"{where}: connection-url is missing")
    return Source(catalog, kind, jdbc_target(kind, url, where), value("connection-user"),
                  value("connection-password"))


def jdbc_target(kind: Kind, url: str, where: str) -> str:
    """A JDBC URL as the key=value string DuckDB's scanner takes (no credentials in it)."""
    match = _JDBC.match(url)
    if match is None:
        raise SourceError(f"{where}: connection-url is not a PostgreSQL/MariaDB JDBC URL")
    scheme, host, port, database, query = match.groups()
    if (scheme == "postgresql") != (kind == "postgres"):
        raise SourceError(f"{where}: connection-url jdbc:{scheme} does not match connector.name")
    host = host.strip("[]")
    parameters = dict(parse_qsl(query or "", keep_blank_values=True))
    if kind == "postgres":
        if not database:
            raise SourceError(f"{where}: a PostgreSQL connection-url must name the database")
        parts = {"host": host, "port": port or "5432", "dbname": database}
        for key, raw in parameters.items():
            if key == "ssl":
                if raw.lower() == "true":
                    parts.setdefault("sslmode", "require")
                continue
            if key not in _POSTGRES_PARAMETERS:
                raise SourceError(f"{where}: connection-url parameter {key!r} has no DuckDB "
                                  "equivalent here (see gateway/engine/duckdb/sources.py)")
            parts[_POSTGRES_PARAMETERS[key]] = raw
        parts.setdefault("application_name", "citizen-gateway")
        parts.setdefault("connect_timeout", "5")  # a server that does not answer: fail, retry later
    else:
        parts = {"host": host, "port": port or "3306"}
        if database:
            parts["database"] = database
        for key, raw in parameters.items():
            if key == "sslMode" and raw in _MARIADB_SSL_MODES:
                parts["ssl_mode"] = _MARIADB_SSL_MODES[raw]
            elif key == "serverSslCert":
                parts["ssl_ca"] = raw
            else:
                raise SourceError(f"{where}: connection-url parameter {key}={raw!r} has no DuckDB "
                                  "equivalent here (see gateway/engine/duckdb/sources.py)")
    return " ".join(f"{key}={_quote(value)}" for key, value in parts.items())


def from_connectors(directory: Path, catalogs: Iterable[str],
                    env: Mapping[str, str] | None = None) -> list[Source]:
    env = os.environ if env is None else env
    sources = []
    for catalog in catalogs:
        path = directory / f"{catalog}.properties"
        if not path.is_file():
            raise SourceError(f"{path}: no connector file for department {catalog}")
        sources.append(from_properties(catalog, read_properties(path), env, path.name))
    return sources


# ------------------------------------------------------------------ the demo's SQLite files


def sqlite_path(directory: Path, catalog: str) -> Path:
    return directory / f"{catalog}.sqlite"


def from_sqlite_dir(directory: Path, catalogs: Iterable[str]) -> list[Source]:
    sources = []
    for catalog in catalogs:
        path = sqlite_path(directory, catalog)
        if not path.is_file():
            raise SourceError(f"{path}: no SQLite file for department {catalog} "
                              "(citizen-gateway demo writes them)")
        sources.append(Source(catalog, "sqlite", str(path.resolve())))
    return sources


# ------------------------------------------------------------------ extensions


def extension_file(kind: Kind) -> Path:
    """The scanner extension shipped in its PyPI wheel, for this exact duckdb version."""
    name = EXTENSIONS[kind]
    package = f"duckdb_extension_{name}"
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise SourceError(f"the {package.replace('_', '-')} package is not installed")
    root = Path(next(iter(spec.submodule_search_locations)))
    path = root / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.is_file():
        found = sorted(p.parent.name for p in root.glob(f"extensions/*/{name}.duckdb_extension"))
        raise SourceError(f"{package}: no extension for duckdb {duckdb.__version__} "
                          f"(the wheel has {', '.join(found) or 'none'}); upgrade them together")
    return path
