"""Timing loops, each bounded by a number of requests AND a number of seconds, and percentiles."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bench.result import Result

Item = TypeVar("Item")


@dataclass(frozen=True)
class Limit:
    requests: int
    seconds: float


@dataclass
class Outcome:
    index: int  # position in the item list (the same citizens in the same order on every path)
    latency_ms: float
    result: Result | None
    error: str | None = None


@dataclass
class Throughput:
    workers: int
    completed: int
    errors: int
    seconds: float
    first_error: str | None = None

    @property
    def per_second(self) -> float:
        return self.completed / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Series:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def latencies(self) -> list[float]:
        return [o.latency_ms for o in self.outcomes if o.error is None]

    @property
    def errors(self) -> list[str]:
        return [o.error for o in self.outcomes if o.error is not None]


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _call(call: Callable[[Any], Result], item: Any, index: int) -> Outcome:
    started = time.perf_counter()
    try:
        result = call(item)
    except Exception as error:  # noqa: BLE001 - a failed request is recorded, not fatal
        return Outcome(index, (time.perf_counter() - started) * 1000, None,
                       f"{type(error).__name__}: {error}")
    return Outcome(index, (time.perf_counter() - started) * 1000, result)


def sequential(call: Callable[[Any], Result], items: Sequence[Any], limit: Limit) -> Series:
    """One request at a time over the items in order, until either bound is reached."""
    series = Series()
    deadline = time.monotonic() + limit.seconds
    for index, item in enumerate(items[:limit.requests]):
        if series.outcomes and time.monotonic() > deadline:
            break
        series.outcomes.append(_call(call, item, index))
    return series


def concurrent(call: Callable[[Any], Result], items: Sequence[Any], workers: int,
               limit: Limit) -> Throughput:
    """`workers` threads taking the items in turn (cycling), until either bound is reached."""
    lock = threading.Lock()
    taken = [0]
    outcomes: list[Outcome] = []
    deadline = time.monotonic() + limit.seconds

    def worker() -> None:
        while True:
            with lock:
                if taken[0] >= limit.requests or time.monotonic() > deadline:
                    return
                index = taken[0]
                taken[0] += 1
            outcome = _call(call, items[index % len(items)], index)
            with lock:
                outcomes.append(outcome)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        # a request in flight at the deadline is waited for (up to a bound of its own)
        thread.join(timeout=limit.seconds + 900)
    errors = [o.error for o in outcomes if o.error is not None]
    return Throughput(workers, len(outcomes) - len(errors), len(errors),
                      time.perf_counter() - started, errors[0] if errors else None)
