"""Trino: the engine for real deployments. Runs one statement per call, as the requester.

The requester's identity travels to Trino (user, source, client tags) so Trino's own query log
says who asked and why. Nothing hangs and nothing runs twice:

- retries are off (`max_attempts=1`: a retried POST could submit a query twice);
- every query carries `query_max_run_time` (Trino ends it, EXCEEDED_TIME_LIMIT, within about a
  second of it) and the gateway keeps its own watch: at the time limit plus a little it cancels
  the query itself and answers 504, whatever Trino does, so even a coordinator that stopped
  answering cannot hold a request;
- connecting is bounded by `engine_connect_timeout_seconds`: a coordinator that is down or does
  not accept answers 503 within seconds.

Trino's error texts can quote SQL: they are logged, never shown to the client.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any
from urllib.parse import quote

import requests
import trino
from requests.adapters import HTTPAdapter
from sqlglot import exp
from trino.exceptions import HttpError, TrinoConnectionError, TrinoQueryError

from gateway.engine import EngineResult, time_limit
from gateway.errors import EngineError, EngineTimeout, EngineUnavailable
from gateway.requester import Requester
from gateway.settings import Settings

log = logging.getLogger(__name__)

_UNAVAILABLE_ERRORS = frozenset({"SERVER_STARTING_UP", "SERVER_SHUTTING_DOWN", "NO_NODES_AVAILABLE"})
_TIMEOUT_ERRORS = frozenset({"EXCEEDED_TIME_LIMIT", "EXCEEDED_CPU_LIMIT", "USER_CANCELED"})
_GRACE_SECONDS = 0.5  # the gateway's own watch fires this long after Trino's limit


def _cause(error: BaseException) -> BaseException:
    """The requests exception the trino client wrapped in TrinoConnectionError, if any."""
    return error.__cause__ or error.__context__ or error


def trino_user(user: str) -> str:
    """The requester as Trino's user name: an HTTP header, so Latin-1 only; any other character
    is percent-encoded (a name in another script stays readable in Trino's query list).

    >>> trino_user("ana.sousa"), trino_user("李华")
    ('ana.sousa', '%E6%9D%8E%E5%8D%8E')
    """
    return quote(user, safe=" !#$&'()*+,-./:;<=>?@[]^_`{|}~")


class TrinoEngine:

    def __init__(self, settings: Settings, departments: list[str]) -> None:
        self.settings = settings
        self.departments = departments
        self.http = requests.Session()  # keep-alive to the coordinator, shared by all requests
        self.http.trust_env = False  # no proxy/netrc lookups from the environment on every call
        pool = settings.max_engine_queries_in_flight + len(departments) + 4
        self.http.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=pool))
        self.http.mount("https://", HTTPAdapter(pool_connections=1, pool_maxsize=pool))

    def render(self, tree: exp.Expr) -> str:
        return tree.sql(dialect="trino")

    def close(self) -> None:
        self.http.close()

    def _connect(self, requester: Requester, seconds: float) -> Any:
        return trino.dbapi.connect(  # type: ignore[no-untyped-call]
            host=self.settings.trino_host,
            port=self.settings.trino_port,
            http_scheme=self.settings.trino_http_scheme,
            user=trino_user(requester.user),
            source="citizen-gateway",
            client_tags=[f"role:{role}" for role in requester.roles] + [f"purpose:{requester.purpose}"],
            session_properties={"query_max_run_time": f"{seconds:.3f}s"},
            max_attempts=1,
            # Trino answers each poll within about a second while a query runs: a read that
            # waits longer means a coordinator that stopped answering
            request_timeout=(self.settings.engine_connect_timeout_seconds, min(seconds, 10.0) + 1.0),
            http_session=self.http,
        )

    def run(self, sql: str, requester: Requester, *, timeout: float | None = None) -> EngineResult:
        seconds = time_limit(self.settings.query_timeout_seconds, timeout)
        started = time.perf_counter()
        cursor = self._connect(requester, seconds).cursor()
        expired = threading.Event()

        def cancel() -> None:
            expired.set()
            try:
                cursor.cancel()
            except Exception as error:  # noqa: BLE001 - best effort; the caller answers 504 anyway
                log.warning("cancelling trino query %s failed: %s", cursor.query_id, error)

        watch = threading.Timer(seconds + _GRACE_SECONDS, cancel)
        watch.daemon = True
        watch.start()
        try:
            cursor.execute(sql)
            rows = cursor.fetchall()
        except TrinoQueryError as error:
            log.warning("trino query %s failed: %s %s", error.query_id, error.error_name,
                        error.message)
            if expired.is_set() or error.error_name in _TIMEOUT_ERRORS:
                raise EngineTimeout("the query took longer than the gateway allows",
                                    extensions={"queryId": error.query_id}) from None
            if error.error_name in _UNAVAILABLE_ERRORS:
                raise EngineUnavailable("the query engine is not ready to answer") from None
            raise EngineError("a department database or the query engine failed to answer",
                              extensions={"queryId": error.query_id}) from None
        except (TrinoConnectionError, HttpError, requests.RequestException, TimeoutError) as error:
            cause = _cause(error)
            log.warning("trino request failed: %s", error)
            if expired.is_set():
                raise EngineTimeout("the query took longer than the gateway allows") from None
            if isinstance(cause, requests.ConnectTimeout | requests.ConnectionError) \
                    and not isinstance(cause, requests.ReadTimeout):
                raise EngineUnavailable("the query engine is not reachable") from None
            if isinstance(cause, requests.Timeout | TimeoutError):
                raise EngineTimeout("the query engine did not answer in time") from None
            raise EngineUnavailable("the query engine is not reachable") from None
        finally:
            watch.cancel()
        if expired.is_set():  # cancelled by the watch: whatever came back is not the answer
            raise EngineTimeout("the query took longer than the gateway allows")
        return EngineResult(rows, cursor.query_id, (time.perf_counter() - started) * 1000)
