"""What a path cost the engines: rows each department database read, and Trino queries it ran.

Rows read come from the databases' own statistics, read as the loader account (it owns the
tables, so it sees them), as a difference between two snapshots:

- PostgreSQL (registry, health, housing): rows read by sequential scans (pg_stat_user_tables.
  seq_tup_read) plus index entries read (pg_stat_user_indexes.idx_tup_read). A backend flushes its
  counters at most once a second and when it exits, so a snapshot is taken after a short pause.
- MariaDB (socialcare, education): information_schema.TABLE_STATISTICS.ROWS_READ (user statistics,
  `userstat=ON` on the local stack); when it is off the count is reported as missing.

The counters are per server, not per client: anything else reading the same databases at the
same time (another test run on a shared machine) is counted too.

Trino queries are counted in system.runtime.queries by user: each path and workload runs under a
Trino user of its own (for the gateway, the token's subject, which it passes to Trino). Trino keeps
finished queries for at least 15 minutes (query.min-expire-age), long enough for one measurement.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pymysql
import trino

from stack.settings import HOST, LOADER_USER, Settings

POSTGRES = ("registry", "health", "housing")
MARIADB = ("socialcare", "education")
FLUSH_PAUSE = 1.2  # seconds: PostgreSQL backends flush their statistics at least once a second


class RowsRead:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.postgres: dict[str, Any] = {}
        self.mariadb: Any = None

    def _pg(self, department: str) -> Any:
        if department not in self.postgres:
            self.postgres[department] = psycopg.connect(
                host=HOST, port=self.settings.postgres_port, dbname=department, user=LOADER_USER,
                password=self.settings.loader_password, connect_timeout=5, autocommit=True)
        return self.postgres[department]

    def snapshot(self) -> dict[str, int | None]:
        counts: dict[str, int | None] = {}
        for department in POSTGRES:
            connection = self._pg(department)
            connection.execute("SELECT pg_stat_clear_snapshot()")
            seq = connection.execute(
                "SELECT coalesce(sum(seq_tup_read), 0) FROM pg_stat_user_tables").fetchone()[0]
            index = connection.execute(
                "SELECT coalesce(sum(idx_tup_read), 0) FROM pg_stat_user_indexes").fetchone()[0]
            counts[department] = int(seq) + int(index)
        if self.mariadb is None:
            self.mariadb = pymysql.connect(
                host=HOST, port=self.settings.mariadb_port, user=LOADER_USER,
                password=self.settings.loader_password, connect_timeout=5, autocommit=True)
        with self.mariadb.cursor() as cursor:
            cursor.execute("SHOW GLOBAL VARIABLES LIKE 'userstat'")
            enabled = (cursor.fetchone() or ("", "OFF"))[1] == "ON"
            cursor.execute("SELECT TABLE_SCHEMA, sum(ROWS_READ) FROM information_schema.TABLE_STATISTICS "
                           "GROUP BY TABLE_SCHEMA")
            found = {schema: int(rows) for schema, rows in cursor.fetchall()}
        for department in MARIADB:
            counts[department] = found.get(department, 0) if enabled else None
        return counts

    def settle(self) -> None:
        time.sleep(FLUSH_PAUSE)

    @staticmethod
    def difference(before: dict[str, int | None],
                   after: dict[str, int | None]) -> dict[str, int | None]:
        return {department: (None if before.get(department) is None or value is None
                             else value - before[department])  # type: ignore[operator]
                for department, value in after.items()}

    def close(self) -> None:
        for connection in self.postgres.values():
            connection.close()
        if self.mariadb is not None:
            self.mariadb.close()


class EngineQueries:
    """Trino queries by user, from system.runtime.queries: how many, and where Trino spent them
    (analysis and planning on the coordinator, and the whole elapsed time, per statement)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def stats(self, user: str) -> dict[str, float]:
        connection = trino.dbapi.connect(  # type: ignore[no-untyped-call]
            host=HOST, port=self.settings.trino_port, user="bench-counter", max_attempts=1,
            request_timeout=60)
        cursor = connection.cursor()
        cursor.execute(
            "SELECT count(*), coalesce(sum(analysis_time_ms), 0), coalesce(sum(planning_time_ms), 0), "
            "coalesce(sum(date_diff('millisecond', created, \"end\")), 0), "
            "count_if(state <> 'FINISHED') FROM system.runtime.queries WHERE \"user\" = '"
            + user.replace("'", "''") + "'")
        count, analysis, planning, elapsed, unfinished = cursor.fetchall()[0]
        return {"queries": int(count), "analysis_ms": float(analysis),
                "planning_ms": float(planning), "elapsed_ms": float(elapsed),
                "not_finished": int(unfinished)}
