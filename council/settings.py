"""Where `citizen-gateway seed` loads: the servers of the local stack and the loader account.

The values follow docs/conventions.md (PostgreSQL on 127.0.0.1:55432, MariaDB on
127.0.0.1:53306, account council_loader); the password comes from COUNCIL_LOADER_PASSWORD, with
the local stack's development default (the same as stack/settings.py) when it is unset.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

LOADER_USER = "council_loader"
DEV_LOADER_PASSWORD = "council-loader-dev"  # the local stack's development default only
CONNECT_TIMEOUT = 5  # seconds: a server that does not answer is reported, never waited for
LOCK_TIMEOUT = 30  # seconds to wait for a table someone else holds (e.g. a running query)

POSTGRES_DEPARTMENTS = ("registry", "health", "housing")
MARIADB_DEPARTMENTS = ("socialcare", "education")


@dataclass(frozen=True)
class Server:
    engine: str  # "postgresql" or "mariadb"
    host: str
    port: int
    user: str
    password: str

    def __str__(self) -> str:
        return f"{self.engine} at {self.host}:{self.port}"


@dataclass(frozen=True)
class Servers:
    postgresql: Server
    mariadb: Server

    def of(self, department: str) -> Server:
        return self.postgresql if department in POSTGRES_DEPARTMENTS else self.mariadb

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, postgresql: str | None = None,
        mariadb: str | None = None,
    ) -> Servers:
        env = os.environ if env is None else env
        password = env.get("COUNCIL_LOADER_PASSWORD", DEV_LOADER_PASSWORD)
        pg_host, pg_port = _address(postgresql or "127.0.0.1:55432")
        my_host, my_port = _address(mariadb or "127.0.0.1:53306")
        return cls(
            Server("postgresql", pg_host, pg_port, LOADER_USER, password),
            Server("mariadb", my_host, my_port, LOADER_USER, password),
        )


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"not HOST:PORT: {text!r}")
    return host, int(port)
