"""Trino: the engine for real deployments. Runs one statement per request, as the requester.

The requester's identity travels to Trino (user, source, client tags) so Trino's own query log
says who asked and why. Retries are off (a retried POST could run a query twice) and every query
carries query_max_run_time, so nothing hangs. Trino's error texts can quote SQL: they are logged,
never shown to the client.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import requests
import trino
from trino.exceptions import HttpError, TrinoConnectionError, TrinoQueryError

from gateway.engine import EngineResult
from gateway.errors import EngineError, EngineTimeout, EngineUnavailable
from gateway.requester import Requester
from gateway.settings import Settings

log = logging.getLogger(__name__)

_UNAVAILABLE_ERRORS = frozenset({"SERVER_STARTING_UP", "SERVER_SHUTTING_DOWN", "NO_NODES_AVAILABLE"})
_TIMEOUT_ERRORS = frozenset({"EXCEEDED_TIME_LIMIT", "EXCEEDED_CPU_LIMIT", "USER_CANCELED"})


class TrinoEngine:
    dialect = "trino"

    def __init__(self, settings: Settings, departments: list[str]) -> None:
        self.settings = settings
        self.departments = departments
        self.http = requests.Session()  # keep-alive to the coordinator, shared by all requests
        self.readiness_table: dict[str, str] = {}

    def _connect(self, requester: Requester) -> Any:
        seconds = max(1, int(self.settings.query_timeout_seconds))
        return trino.dbapi.connect(  # type: ignore[no-untyped-call]
            host=self.settings.trino_host,
            port=self.settings.trino_port,
            http_scheme=self.settings.trino_http_scheme,
            user=requester.user,
            source="citizen-gateway",
            client_tags=[f"role:{role}" for role in requester.roles] + [f"purpose:{requester.purpose}"],
            session_properties={"query_max_run_time": f"{seconds}s"},
            max_attempts=1,
            request_timeout=self.settings.query_timeout_seconds + 5,
            http_session=self.http,
        )

    def run(self, sql: str, requester: Requester) -> EngineResult:
        started = time.perf_counter()
        cursor = self._connect(requester).cursor()
        try:
            cursor.execute(sql)
            rows = cursor.fetchall()
        except TrinoQueryError as error:
            log.warning("trino query %s failed: %s %s", error.query_id, error.error_name,
                        error.message)
            if error.error_name in _UNAVAILABLE_ERRORS:
                raise EngineUnavailable("the query engine is not ready to answer") from None
            if error.error_name in _TIMEOUT_ERRORS:
                raise EngineTimeout("the query took longer than the gateway allows") from None
            raise EngineError("a department database or the query engine failed to answer",
                              extensions={"queryId": error.query_id}) from None
        except (requests.Timeout, TimeoutError):
            raise EngineTimeout("the query engine did not answer in time") from None
        except (requests.ConnectionError, TrinoConnectionError, HttpError) as error:
            log.warning("trino unreachable: %s", error)
            raise EngineUnavailable("the query engine is not reachable") from None
        return EngineResult(rows, cursor.query_id, (time.perf_counter() - started) * 1000)

    def readiness(self) -> dict[str, str]:
        status: dict[str, str] = {}
        probe = Requester("citizen-gateway-readiness", (), "operations")
        for department in self.departments:
            try:
                self.run(f'SHOW SCHEMAS FROM "{department}"', probe)
                status[department] = "ok"
            except EngineError as error:
                status[department] = error.message
        return status
