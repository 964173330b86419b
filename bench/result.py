"""What one request of a workload returns, on every path."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Result:
    data: Any  # the citizen view(s) or the counts, in the gateway's JSON shape
    timings: dict[str, float] | None = None  # the gateway's extensions.timings (gateway only)
    requests: int = 1  # HTTP requests or statements it took (the analyst sweep: one per page)
    extra: dict[str, Any] = field(default_factory=dict)


class BenchError(Exception):
    """A path failed to answer (the message says which and why)."""
