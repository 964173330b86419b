"""What a department generator yields: rows of its tables as text lines, and its links.

Rows are lines in the text format both PostgreSQL `COPY ... FROM STDIN` and MariaDB
`LOAD DATA ... FIELDS TERMINATED BY '\\t'` read by default: tab-separated, `\\N` for NULL,
booleans as 1/0, dates as ISO. Generated values never contain a tab, newline or backslash.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from random import Random

NULL = "\\N"


@dataclass
class Batch:
    """Rows of one stretch of citizens. `citizens` counts the citizens it covers (progress)."""

    rows: dict[str, list[str]]
    links: list[str] = field(default_factory=list)  # registry.person_link lines
    truth: list[str] = field(default_factory=list)  # registry_truth.link_truth lines
    citizens: int = 0


def link_line(department: str, local_id: int, citizen_id: int, method: str) -> str:
    """A person_link line as the generator writes it: the link it knows is true, labelled with how a
    master person index might have made it, without a model's probability, weight or version."""
    return (f"{department}\t{local_id}\t{citizen_id}\t{method}\t{NULL}\t{NULL}\t{NULL}\t{NULL}"
            "\t1\n")


class UniqueIds:
    """Distinct random ids in [low, high): a department's own number space."""

    __slots__ = ("high", "low", "rng", "used")

    def __init__(self, rng: Random, low: int, high: int):
        self.rng = rng
        self.low = low
        self.high = high
        self.used: set[int] = set()

    def next(self) -> int:
        span = self.high - self.low
        while True:
            value = self.low + self.rng.randrange(span)
            if value not in self.used:
                self.used.add(value)
                return value


def parse_line(line: str) -> list[str | None]:
    """The fields of one row line (for tests and comparisons)."""
    return [None if value == NULL else value for value in line.rstrip("\n").split("\t")]


def batches_rows(batches: Iterator[Batch]) -> dict[str, list[str]]:
    """All rows of a generator, by table, plus `person_link` and `link_truth` (small runs only)."""
    out: dict[str, list[str]] = {"person_link": [], "link_truth": []}
    for batch in batches:
        for table, lines in batch.rows.items():
            out.setdefault(table, []).extend(lines)
        out["person_link"].extend(batch.links)
        out["link_truth"].extend(batch.truth)
    return out
