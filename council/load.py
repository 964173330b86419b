"""Bulk loading of one table: a thread with its own connection that creates the table, takes
blocks of row lines from a queue and loads each (PostgreSQL `COPY ... FREEZE` in the creating
transaction, MariaDB `LOAD DATA LOCAL INFILE` from a scratch file), then builds the table's
secondary indexes and collects statistics (ANALYZE / ANALYZE TABLE ... PERSISTENT FOR ALL).

One loader per table lets the servers ingest several tables at once while the generator, in the
caller's thread, goes on producing rows.
"""

from __future__ import annotations

import os
import queue
import tempfile
import threading
import time
from typing import Any

from council import connect
from council.ddl import Table
from council.errors import LoadFailed
from council.settings import Server

_DONE = object()
_ABORT = object()
_SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


class TableLoader:
    def __init__(self, server: Server, database: str, table: Table, depth: int = 3):
        self.server = server
        self.database = database
        self.table = table
        self.rows = 0
        self.seconds = 0.0
        self.error: BaseException | None = None
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._thread = threading.Thread(
            target=self._run, name=f"load {database}.{table.short_name}", daemon=True
        )

    @property
    def label(self) -> str:
        return f"{self.database}.{self.table.short_name}"

    def start(self) -> TableLoader:
        self._thread.start()
        return self

    def put(self, lines: list[str]) -> None:
        """Queue a block of row lines (waits while the server is behind)."""
        if not lines:
            return
        data = "".join(lines).encode("utf-8")
        self.rows += len(lines)
        while True:
            self._check()
            try:
                self._queue.put(data, timeout=0.5)
                return
            except queue.Full:
                continue

    def finish(self) -> None:
        """Wait until the table is loaded, indexed and analysed."""
        self._check()
        self._queue.put(_DONE)
        self._thread.join()
        self._check()

    def abort(self) -> None:
        if self._thread.is_alive():
            try:
                while True:
                    self._queue.get_nowait()
            except queue.Empty:
                pass
            self._queue.put(_ABORT)
            self._thread.join(timeout=60)

    def _check(self) -> None:
        if self.error is not None:
            raise LoadFailed(
                f"loading {self.label} into {self.server} failed: {connect.reason(self.error)}"
            ) from None
        if not self._thread.is_alive() and self._thread.ident is not None and self._queue.full():
            raise LoadFailed(f"loading {self.label} into {self.server} stopped")

    def _blocks(self) -> Any:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if item is _ABORT:
                raise _Aborted
            yield item

    def _run(self) -> None:
        started = time.monotonic()
        try:
            if self.server.engine == "postgresql":
                self._load_postgresql()
            else:
                self._load_mariadb()
        except _Aborted:
            pass
        except BaseException as error:  # reported to the generating thread by _check
            self.error = error
            # keep draining so a producer waiting on a full queue wakes up and sees the error
            try:
                while True:
                    self._queue.get_nowait()
            except queue.Empty:
                pass
        finally:
            self.seconds = time.monotonic() - started

    def _load_postgresql(self) -> None:
        conn = connect.postgresql(self.server, self.database)
        name = self.table.name
        try:
            with conn.cursor() as cur:
                cur.execute("SET maintenance_work_mem = '256MB'")
                cur.execute(f"DROP TABLE IF EXISTS {name}")
                cur.execute(self.table.create)
                for block in self._blocks():
                    # FREEZE: the table was created in this transaction, so rows go in frozen
                    with cur.copy(f"COPY {name} FROM STDIN (FREEZE)") as copy:
                        copy.write(block)
                conn.commit()
                for statement in self.table.after_load:
                    cur.execute(statement)
                conn.commit()
                cur.execute(f"ANALYZE {name}")
                conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            conn.close()

    def _load_mariadb(self) -> None:
        conn = connect.mariadb(self.server, self.database)
        name = self.table.name
        fd, path = tempfile.mkstemp(prefix="council-", suffix=".tsv", dir=_SCRATCH)
        os.close(fd)
        try:
            with conn.cursor() as cur:
                cur.execute("SET SESSION unique_checks = 0, foreign_key_checks = 0")
                cur.execute(f"DROP TABLE IF EXISTS {name}")
                cur.execute(self.table.create)
                for block in self._blocks():
                    with open(path, "wb") as scratch:
                        scratch.write(block)
                    cur.execute(
                        f"LOAD DATA LOCAL INFILE %s INTO TABLE {name} CHARACTER SET utf8mb4 "
                        "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n'",
                        (path,),
                    )
                    # LOCAL loads turn bad values into warnings: treat any as an error
                    cur.execute("SHOW COUNT(*) WARNINGS")
                    (warnings,) = cur.fetchone()
                    if warnings:
                        cur.execute("SHOW WARNINGS LIMIT 1")
                        _level, _code, message = cur.fetchone()
                        raise LoadFailed(f"{warnings} warnings, first: {message}")
                for statement in self.table.after_load:
                    cur.execute(statement)
                cur.execute(f"ANALYZE TABLE {name} PERSISTENT FOR ALL")
                cur.fetchall()
        finally:
            conn.close()
            os.unlink(path)


class _Aborted(Exception):
    pass
