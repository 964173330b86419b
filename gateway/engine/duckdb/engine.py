"""DuckDB: the embedded engine, for the one-command demo and small single-machine councils.

One in-process DuckDB database attaches every department in place, read-only: PostgreSQL and
MariaDB through DuckDB's postgres and mysql scanners (the same connectors/*.properties Trino
reads, see sources.py), or the demo's SQLite files. The scanner extensions are loaded from
the files of their PyPI wheels with autoinstall and autoload off: nothing is downloaded.

The compiled statement arrives rendered in this engine's dialect (dialect.py): possibly a
few `SET VARIABLE` stages before the query, which give every department table a literal key list
(pushdown.py). It runs as one call on a connection of a small pool: the database, its
extensions (about 0.4 s to load) and its attachments are shared; each call borrows a connection
(a DuckDB cursor, with its own variables) and gives it back. A timer interrupts a query that
outlives its time limit (504).

What DuckDB cannot do that Trino does: tell a department database who asked. Each attachment
identifies itself as `citizen-gateway` (PostgreSQL application_name); the gateway's audit log is
the record of who read what.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from typing import Any

import duckdb
from sqlglot import exp

from gateway.engine import EngineResult, time_limit
from gateway.engine.duckdb.dialect import render
from gateway.engine.duckdb.pushdown import Catalog, PushdownError
from gateway.engine.duckdb.sources import (
    Source,
    SourceError,
    extension_file,
    from_connectors,
    from_sqlite_dir,
)
from gateway.errors import EngineError, EngineTimeout
from gateway.requester import Requester
from gateway.settings import Settings

log = logging.getLogger(__name__)

_REATTACH_SECONDS = 5.0  # a department that could not be attached is tried again after this


class DuckDBEngine:
    def __init__(self, settings: Settings, departments: list[str]) -> None:
        self.settings = settings
        self.departments = departments
        if settings.duckdb_sqlite_dir is not None:
            self.sources = from_sqlite_dir(settings.duckdb_sqlite_dir, departments)
        else:
            self.sources = from_connectors(settings.connectors_dir, departments)
        self.database = duckdb.connect(":memory:", config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        })
        # One thread per query: scans of one query run one after another on the asking thread.
        # With more, duckdb runs the scans of several tables of one MySQL database at once over
        # the one connection of their transaction, a data race in the 1.5 mysql scanner
        # (duckdb/duckdb-mysql#225, #254, #278; fixed after 1.5.5): the likely cause of the
        # segmentation fault of issue #10. Measured on the full view: no difference in latency.
        self.database.execute(f"SET threads = {int(settings.duckdb_threads)}")
        self._setup = threading.Lock()  # attaching, on the database's own connection
        for kind in sorted({source.kind for source in self.sources}):
            path = extension_file(kind)
            try:
                self.database.execute(f"LOAD '{path}'")
            except duckdb.Error as error:
                raise SourceError(f"cannot load {path}: {_one_line(error)}") from None
        if any(source.kind == "postgres" for source in self.sources):
            # Lookups by key, not 17 ctid ranges per table (which become a full Tid Range Scan
            # from a few hundred ids).
            self.database.execute("SET GLOBAL pg_use_ctid_scan = false")
        self.attached: dict[str, str | None] = {}  # catalog -> None, or why it is not attached
        self._tried: dict[str, float] = {}
        for source in self.sources:
            self._attach(source)
        unattached = [s.describe() for s in self.sources
                      if s.kind == "sqlite" and self.attached[s.catalog] is not None]
        if unattached:
            raise SourceError(f"cannot open {', '.join(unattached)}")
        self.catalogs = {source.catalog: Catalog(source.kind, self._sqlite_columns(source))
                         for source in self.sources}
        self._idle: queue.LifoQueue[Any] = queue.LifoQueue()
        self._keep = max(2, settings.duckdb_connections)

    # ---------------------------------------------------------------- attachments

    def _attach(self, source: Source, wait: bool = True) -> None:
        """ATTACH the department; when it fails, remember why (queries naming it then fail, and
        the department is reported down) and try again later. Without `wait`, give way to an
        attempt already under way instead of queueing behind it."""
        if not self._setup.acquire(blocking=wait):
            return
        try:
            self._tried[source.catalog] = time.monotonic()
            try:
                for statement in source.statements():
                    self.database.execute(statement)
            except duckdb.Error as error:
                reason = _one_line(error)
                log.warning("duckdb: cannot attach %s: %s", source.describe(), reason)
                self.attached[source.catalog] = reason
                return
            self.attached[source.catalog] = None
            log.info("duckdb: attached %s", source.describe())
        finally:
            self._setup.release()

    def _retry_attachments(self) -> None:
        now = time.monotonic()
        for source in self.sources:
            if self.attached.get(source.catalog) is not None and \
                    now - self._tried.get(source.catalog, 0.0) >= _REATTACH_SECONDS:
                self._attach(source, wait=False)

    def _sqlite_columns(self, source: Source) -> dict[str, dict[str, str]]:
        """Each SQLite table's columns as ATTACH types them (booleans declared so: BOOLEAN)."""
        if source.kind != "sqlite":
            return {}
        rows = self.database.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() "
            "WHERE database_name = ? ORDER BY table_name, column_index", [source.catalog]).fetchall()
        tables: dict[str, dict[str, str]] = {}
        for table, column, data_type in rows:
            tables.setdefault(table, {})[column] = data_type
        for table, columns in tables.items():
            declared = self.database.execute(
                "SELECT name, type FROM sqlite_query(?, ?)",
                [source.catalog, "PRAGMA table_info('" + table.replace("'", "''") + "')"],
            ).fetchall()
            for name, type_ in declared:
                if str(type_).strip().upper().startswith("BOOL") and name in columns:
                    columns[name] = "BOOLEAN"
        return tables

    # ---------------------------------------------------------------- connections

    def _borrow(self) -> Any:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            return self.database.cursor()

    def _give_back(self, connection: Any) -> None:
        if self._idle.qsize() < self._keep:
            self._idle.put(connection)
        else:
            connection.close()

    # ---------------------------------------------------------------- the engine protocol

    def render(self, tree: exp.Expr) -> str:
        """The pushdown program carries each id-list marker exactly once, so the service can
        render a plan once and bind the lists into the text (gateway/compile/bind.py)."""
        return render(tree, self.catalogs)

    def run(self, sql: str, requester: Requester, *, timeout: float | None = None) -> EngineResult:
        seconds = time_limit(self.settings.query_timeout_seconds, timeout)
        self._retry_attachments()
        query_id = f"duckdb-{uuid.uuid4().hex[:16]}"
        started = time.perf_counter()
        connection = self._borrow()
        expired = threading.Event()
        guard = threading.Lock()  # the timer interrupts only while the query is still running
        finished = False

        def interrupt() -> None:
            # A timer that fires as the query ends must not interrupt the connection once it is
            # closed (a use after free in native code) or lent to the next query (a stray 504).
            with guard:
                if finished:
                    return
                expired.set()
                connection.interrupt()

        watch = threading.Timer(seconds, interrupt)
        watch.daemon = True
        watch.start()
        healthy = True
        try:
            connection.execute(sql)
            rows = connection.fetchall()
        except duckdb.InterruptException:
            healthy = False
            log.warning("duckdb query %s for %s interrupted after %.1fs", query_id,
                        requester.user, seconds)
            raise EngineTimeout("the query took longer than the gateway allows",
                                extensions={"queryId": query_id}) from None
        except duckdb.Error as error:
            healthy = not isinstance(error, duckdb.FatalException)
            log.warning("duckdb query %s for %s failed: %s", query_id, requester.user,
                        _one_line(error))
            if expired.is_set():
                raise EngineTimeout("the query took longer than the gateway allows",
                                    extensions={"queryId": query_id}) from None
            raise EngineError("a department database or the query engine failed to answer",
                              extensions={"queryId": query_id}) from None
        finally:
            watch.cancel()
            with guard:
                finished = True
            if healthy and not expired.is_set():
                self._give_back(connection)
            else:
                connection.close()
        elapsed = (time.perf_counter() - started) * 1000
        log.debug("duckdb query %s for %s (%s, %s): %d rows in %.1f ms", query_id, requester.user,
                  ",".join(requester.roles), requester.purpose, len(rows), elapsed)
        return EngineResult(rows, query_id, elapsed)

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                break
        self.database.close()


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:300]


__all__ = ["DuckDBEngine", "PushdownError", "SourceError"]
