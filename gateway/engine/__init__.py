"""Engines run the compiled statement. The core talks to this protocol only, never to a backend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from gateway.requester import Requester


@dataclass(frozen=True)
class EngineResult:
    rows: list[tuple[Any, ...]]
    query_id: str | None
    elapsed_ms: float  # time spent inside the engine call, as the gateway saw it


class Engine(Protocol):
    dialect: str  # the sqlglot dialect the statement is rendered in

    def run(self, sql: str, requester: Requester, *, timeout: float | None = None) -> EngineResult:
        """Rows of `sql`, run as `requester`. `timeout` (seconds; None: the engine's own
        setting) bounds the whole query: over it, EngineTimeout, and the query is cancelled."""
        ...

    def readiness(self) -> dict[str, str]:
        """Each department catalog: "ok" or a one-line reason it does not answer."""
        ...

    def close(self) -> None:
        """Release connections, threads and processes (at the gateway's shutdown)."""
        ...
