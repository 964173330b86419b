"""Engines run the compiled statement. The core talks to this protocol only, never to a backend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlglot import exp

from gateway.errors import EngineTimeout
from gateway.requester import Requester


@dataclass(frozen=True)
class EngineResult:
    rows: list[tuple[Any, ...]]
    query_id: str | None
    elapsed_ms: float  # time spent inside the engine call, as the gateway saw it


def time_limit(setting: float, timeout: float | None) -> float:
    """Seconds a query may run: the engine's setting, or less when the request has less left."""
    seconds = setting if timeout is None else min(setting, timeout)
    if seconds <= 0:
        raise EngineTimeout("the request ran out of time before the query could start")
    return seconds


class Engine(Protocol):
    def render(self, tree: exp.Expr) -> str:
        """The compiled tree as this engine's SQL text (the service caches it per plan shape
        and binds the id lists into the text: gateway/compile/bind.py)."""
        ...

    def run(self, sql: str, requester: Requester, *, timeout: float | None = None) -> EngineResult:
        """Rows of `sql`, run as `requester`. `timeout` (seconds; None: the engine's own
        setting) bounds the whole query: over it, EngineTimeout, and the query is cancelled."""
        ...

    def close(self) -> None:
        """Release connections, threads and processes (at the gateway's shutdown)."""
        ...
