"""The embedded engine in a supervised worker process: a native crash costs the queries in flight
a clean 503, not the gateway.

Why: DuckDB and its scanner extensions are native code. With duckdb 1.5.5 a CI run died of a
segmentation fault inside `connection.execute` (issue #10); the mysql scanner of the 1.5 series
has known data races when several scans of one attached MySQL database run in parallel within one
query, which the gateway's fetch statement does (every social care and education table at once;
duckdb/duckdb-mysql#225, #254, #278 — the last one merged after 1.5.5, the newest scanner wheel on
PyPI). A crash in the process that serves HTTP drops every request in flight and the gateway with
it. Here the engine (engine.py, unchanged) runs in a child process; this class is
the Engine the service talks to:

- one child, started with `python -m gateway.engine.duckdb.worker` (not fork: the parent has
  threads), talking over a socket pair with pickled messages (multiprocessing's framing);
- the child runs each call on a thread of its own pool, so queries stay concurrent;
- the child dying (a signal, an abort, an exit) fails every call in flight with EngineUnavailable
  (503, Retry-After) and a new child is started at once; calls that arrive meanwhile wait for it
  within their own time limit;
- the child exits when the gateway closes its end (or dies): no orphan holds the attachments.

Cost, measured on the demo council (tests/demo/measure_lookup.py): see README "Embedded engine".
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import pickle
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from sqlglot import exp

from gateway.engine import EngineResult, time_limit
from gateway.engine.duckdb.dialect import render
from gateway.engine.duckdb.pushdown import Catalog
from gateway.engine.duckdb.sources import SourceError
from gateway.errors import EngineError, EngineTimeout, EngineUnavailable, GatewayError
from gateway.requester import Requester
from gateway.settings import Settings

log = logging.getLogger(__name__)

_START_SECONDS = 60.0  # a child that is not ready by then is killed (attaching waits on networks)
_GRACE_SECONDS = 2.0  # past a call's own limit (the child interrupts it), before giving up on it
_RESTART_PAUSE = 1.0  # between failed restarts
_ERRORS: dict[str, type[EngineError]] = {
    cls.__name__: cls for cls in (EngineError, EngineTimeout, EngineUnavailable)}


@dataclass
class _Call:
    done: threading.Event = field(default_factory=threading.Event)
    reply: tuple[Any, ...] | None = None
    failure: EngineError | None = None


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    channel: Connection
    generation: int
    calls: dict[int, _Call] = field(default_factory=dict)
    send_lock: threading.Lock = field(default_factory=threading.Lock)


class SupervisedDuckDB:
    """The DuckDB engine in a child process, restarted when it dies."""

    def __init__(self, settings: Settings, departments: list[str]) -> None:
        self.settings = settings
        self.departments = departments
        self._ids = itertools.count(1)
        self._generations = itertools.count(1)
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._closing = False
        self.crashes = 0  # children lost since start (for tests and metrics)
        worker, catalogs = self._start()  # a bad connector or SQLite file fails start-up here
        self.catalogs: dict[str, Catalog] = catalogs
        self._worker: _Worker | None = worker
        self._ready.set()
        self._listen(worker)

    # ---------------------------------------------------------------- the child's life

    def _start(self) -> tuple[_Worker, dict[str, Catalog]]:
        ours, theirs = socket.socketpair()
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "gateway.engine.duckdb.worker", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, close_fds=True)
        finally:
            theirs.close()
        channel = Connection(ours.detach())
        worker = _Worker(process, channel, next(self._generations))
        try:
            channel.send(self.settings)
            channel.send(self.departments)
            if not channel.poll(_START_SECONDS):
                raise SourceError(f"the embedded engine did not start within {_START_SECONDS:.0f} s")
            hello = channel.recv()
        except (EOFError, OSError):
            code = process.wait(timeout=10)
            self._discard(worker)
            raise SourceError(f"the embedded engine stopped while starting ({_exit(code)})") from None
        except SourceError:
            self._discard(worker)
            raise
        if hello[0] != "ready":
            self._discard(worker)
            raise SourceError(str(hello[1]))
        log.info("duckdb worker %d started (pid %d)", worker.generation, process.pid)
        return worker, hello[1]

    def _discard(self, worker: _Worker) -> None:
        if not worker.channel.closed:
            worker.channel.close()
        if worker.process.poll() is None:
            worker.process.kill()
        try:
            worker.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            log.error("duckdb worker %d (pid %d) did not exit", worker.generation, worker.process.pid)

    def _listen(self, worker: _Worker) -> None:
        threading.Thread(target=self._receive, args=(worker,), daemon=True,
                         name=f"duckdb-worker-{worker.generation}").start()

    def _receive(self, worker: _Worker) -> None:
        """Hand each reply to its caller; when the child is gone, fail its calls and replace it."""
        while True:
            try:
                message = worker.channel.recv()
            except (EOFError, OSError, pickle.UnpicklingError):
                break
            with self._lock:
                call = worker.calls.pop(message[0], None)
            if call is not None:
                call.reply = message[1:]
                call.done.set()
        self._lost(worker)

    def _lost(self, worker: _Worker) -> None:
        with self._lock:
            if self._worker is worker:
                self._worker = None
                self._ready.clear()
            calls, worker.calls = worker.calls, {}
            closing = self._closing
        self._discard(worker)
        for call in calls.values():
            call.failure = EngineUnavailable("the embedded query engine stopped while answering; "
                                             "it is being restarted")
            call.done.set()
        if closing:
            return
        self.crashes += 1
        log.error("duckdb worker %d (pid %d) stopped (%s) with %d queries in flight; restarting",
                  worker.generation, worker.process.pid, _exit(worker.process.returncode),
                  len(calls))
        while not self._closing:
            try:
                replacement, _ = self._start()
            except SourceError as error:
                log.error("duckdb worker could not be restarted: %s", error)
                time.sleep(_RESTART_PAUSE)
                continue
            with self._lock:
                if self._closing:
                    self._discard(replacement)
                    return
                self._worker = replacement
                self._ready.set()
            self._listen(replacement)
            return

    # ---------------------------------------------------------------- calls

    def _call(self, request: tuple[Any, ...], wait: float) -> tuple[Any, ...]:
        started = time.monotonic()
        if not self._ready.wait(max(0.0, wait)):
            raise EngineUnavailable("the embedded query engine is restarting")
        with self._lock:
            worker = self._worker
            if worker is None:
                raise EngineUnavailable("the embedded query engine is restarting")
            call_id = next(self._ids)
            call = _Call()
            worker.calls[call_id] = call
        try:
            with worker.send_lock:
                worker.channel.send((call_id, *request))
        except OSError:
            with self._lock:
                worker.calls.pop(call_id, None)
            raise EngineUnavailable("the embedded query engine stopped; it is being restarted") \
                from None
        if not call.done.wait(max(0.0, wait - (time.monotonic() - started)) + _GRACE_SECONDS):
            with self._lock:
                worker.calls.pop(call_id, None)
            raise EngineTimeout("the query took longer than the gateway allows")
        if call.failure is not None:
            raise call.failure
        assert call.reply is not None
        if call.reply[0] == "error":
            kind, message, extensions = call.reply[1:]
            raise _ERRORS.get(kind, EngineError)(message, extensions=extensions)
        return call.reply

    def render(self, tree: exp.Expr) -> str:
        return render(tree, self.catalogs)  # here: the child only runs the text

    def run(self, sql: str, requester: Requester, *, timeout: float | None = None) -> EngineResult:
        seconds = time_limit(self.settings.query_timeout_seconds, timeout)
        started = time.perf_counter()
        _, rows, query_id = self._call((sql, requester, seconds), seconds)
        return EngineResult(rows, query_id, (time.perf_counter() - started) * 1000)

    @property
    def pid(self) -> int | None:
        """The child's process id (None while it is being replaced)."""
        worker = self._worker
        return worker.process.pid if worker is not None else None

    def close(self) -> None:
        with self._lock:
            self._closing = True
            worker, self._worker = self._worker, None
            self._ready.clear()
        if worker is not None:
            with worker.send_lock:
                worker.channel.close()  # the child sees the end of its input and exits
            try:
                worker.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait(timeout=10)


def _exit(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        return f"signal {code * -1}"
    return f"exit code {code}"


# -------------------------------------------------------------------- the child


def serve(channel: Connection) -> None:
    """Run the engine for the gateway at the other end of `channel` until it closes it."""
    from gateway import logs
    from gateway.engine.duckdb.engine import DuckDBEngine
    from gateway.engine.duckdb.pushdown import PushdownError

    settings: Settings = channel.recv()
    departments: list[str] = channel.recv()
    logs.configure(settings.log_level)
    try:
        engine = DuckDBEngine(settings, departments)
    except (SourceError, PushdownError, OSError) as error:
        channel.send(("failed", str(error)))
        return
    channel.send(("ready", engine.catalogs))
    send_lock = threading.Lock()

    def answer(call_id: int, sql: str, requester: Requester, seconds: float) -> None:
        reply: tuple[Any, ...]
        try:
            result = engine.run(sql, requester, timeout=seconds)
            reply = ("rows", result.rows, result.query_id)
        except GatewayError as error:
            reply = ("error", type(error).__name__, error.message, error.extra)
        except Exception:  # noqa: BLE001 - reported to the caller as an engine error, logged here
            log.exception("duckdb worker: call failed")
            reply = ("error", "EngineError", "the embedded query engine failed to answer", {})
        with send_lock, contextlib.suppress(OSError):  # OSError: the gateway has gone
            channel.send((call_id, *reply))

    with ThreadPoolExecutor(max_workers=max(2, settings.max_engine_queries_in_flight) + 2,
                            thread_name_prefix="duckdb-call") as pool:
        while True:
            try:
                message = channel.recv()
            except (EOFError, OSError):
                break
            pool.submit(answer, *message)
    engine.close()


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])))
    os._exit(0)  # without waiting on the scanners' own threads
