"""Weighted choice at the speed the generator needs: one table look-up per draw.

A `Picker` spreads its items over a table of 2**bits slots in proportion to their weights
(largest-remainder rounding, every item at least one slot), so a draw is
`table[rng.getrandbits(bits)]`. Deterministic for a given random stream.
"""

from __future__ import annotations

from collections.abc import Sequence
from random import Random
from typing import Generic, TypeVar

T = TypeVar("T")


class Picker(Generic[T]):
    __slots__ = ("bits", "items", "table")

    def __init__(self, items: Sequence[T], weights: Sequence[float] | None = None, bits: int = 12):
        if not items:
            raise ValueError("a picker needs at least one item")
        if weights is None:
            weights = [1.0] * len(items)
        if len(weights) != len(items) or min(weights) < 0 or sum(weights) <= 0:
            raise ValueError("one non-negative weight per item, not all zero")
        size = 1 << bits
        if len(items) > size:
            raise ValueError("more items than table slots")
        total = float(sum(weights))
        exact = [w / total * size for w in weights]
        counts = [max(1, int(e)) if w > 0 else 0 for e, w in zip(exact, weights, strict=True)]
        # hand out (or take back) the slots left over, largest remainder first
        order = sorted(range(len(items)), key=lambda i: exact[i] - int(exact[i]), reverse=True)
        spare = size - sum(counts)
        i = 0
        while spare != 0:
            k = order[i % len(order)]
            if spare > 0 and weights[k] > 0:
                counts[k] += 1
                spare -= 1
            elif spare < 0 and counts[k] > 1:
                counts[k] -= 1
                spare += 1
            i += 1
        table: list[T] = []
        for item, count in zip(items, counts, strict=True):
            table.extend([item] * count)
        self.bits = bits
        self.items = tuple(items)
        self.table = tuple(table)

    def pick(self, rng: Random) -> T:
        return self.table[rng.getrandbits(self.bits)]


def zipf_weights(n: int, exponent: float = 0.9, offset: float = 2.0) -> list[float]:
    """Frequencies of ranked names: the first few common, a long tail."""
    return [1.0 / (rank + offset) ** exponent for rank in range(n)]


def ranked(items: Sequence[T], exponent: float = 0.9, bits: int = 12) -> Picker[T]:
    return Picker(items, zipf_weights(len(items), exponent), bits=bits)
