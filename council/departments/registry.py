"""Registry: the council's citizens (the master person index's people). Its links to the
departments' records (person_link) and the ground truth (link_truth) come from the department
generators, since only they know which records they made."""

from __future__ import annotations

from collections.abc import Iterator

from council.batch import Batch
from council.population import Population

DEPARTMENT = "registry"
TABLES = ("citizen",)


def generate(population: Population, seed: int, chunk: int = 50_000) -> Iterator[Batch]:
    del seed  # the population already is the registry's own random stream
    row = population.citizen_row
    for start in range(0, population.registered, chunk):
        stop = min(start + chunk, population.registered)
        yield Batch({"citizen": [row(i) for i in range(start, stop)]}, citizens=stop - start)
