"""Backpressure: a bounded number of requests in the engine, a short bounded queue, a rate per user.

- `EngineSlots`: a request that needs the engine holds one slot while its engine queries run (they
  run one after another, so slots bound the engine queries in flight). When every slot is busy a
  request may wait in a queue of bounded length for a bounded time; beyond either it is refused at
  once with 503 OVERLOADED and Retry-After, never queued without end.
- `RateLimiter`: a token bucket per user, in memory (one process): `burst` requests at once, then
  `rate` per second. Over it: 429 RATE_LIMITED with Retry-After. Buckets of users who stopped
  asking are dropped once full again, so memory follows the active users only.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from gateway.errors import Overloaded, TooManyRequests


class EngineSlots:
    def __init__(self, slots: int, queue: int, wait_seconds: float) -> None:
        self.slots = slots
        self.queue = queue
        self.wait_seconds = wait_seconds
        self._semaphore = asyncio.Semaphore(slots)
        self.waiting = 0
        self.busy = 0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self._semaphore.locked():
            if self.waiting >= self.queue or self.wait_seconds <= 0:
                raise Overloaded("The gateway is busy: try again in a moment.")
            self.waiting += 1
            try:
                await asyncio.wait_for(self._semaphore.acquire(), self.wait_seconds)
            except TimeoutError:
                raise Overloaded("The gateway is busy: try again in a moment.") from None
            finally:
                self.waiting -= 1
        else:
            await self._semaphore.acquire()
        self.busy += 1
        try:
            yield
        finally:
            self.busy -= 1
            self._semaphore.release()


class RateLimiter:
    """Token buckets by user. `rate` 0 turns the limiter off."""

    _PRUNE_AT = 10_000

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}  # user -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, user: str, now: float | None = None) -> None:
        """Spend one token of `user`'s bucket, or raise TooManyRequests."""
        if self.rate <= 0:
            return
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, at = self._buckets.get(user, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            if tokens < 1.0:
                self._buckets[user] = (tokens, now)
                wait = math.ceil((1.0 - tokens) / self.rate)
                raise TooManyRequests("Too many requests from this user: slow down.",
                                      retry_after=max(1, wait))
            self._buckets[user] = (tokens - 1.0, now)
            if len(self._buckets) > self._PRUNE_AT:
                self._prune(now)

    def _prune(self, now: float) -> None:
        full = [user for user, (tokens, at) in self._buckets.items()
                if tokens + (now - at) * self.rate >= self.burst]
        for user in full:
            del self._buckets[user]

    def __len__(self) -> int:
        return len(self._buckets)
