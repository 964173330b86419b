"""The departments of the synthetic council: what each generates and where it is loaded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from council.batch import Batch
from council.departments import education, health, housing, registry, socialcare
from council.population import Population


@dataclass(frozen=True)
class Department:
    name: str
    tables: tuple[str, ...]  # tables its generator fills, in its DDL file's order
    generate: Callable[[Population, int], Iterator[Batch]]
    rows_per_citizen: float  # rough size, for sharing the work among processes


def _registered_only(generate: Callable[[Population, int], Iterator[Batch]]
                     ) -> Callable[[Population, int], Iterator[Batch]]:
    """The generator's person_link holds links to registry citizens only: the people it does
    not hold yet have department records (and ground truth) but nothing to link to."""
    def links_to_the_registry(population: Population, seed: int) -> Iterator[Batch]:
        last = population.registered
        for batch in generate(population, seed):
            batch.links = [line for line in batch.links
                           if int(line.split("\t", 3)[2]) <= last]
            yield batch
    return links_to_the_registry


DEPARTMENTS: tuple[Department, ...] = (
    Department(health.DEPARTMENT, health.TABLES, _registered_only(health.generate), 9.4),
    Department(education.DEPARTMENT, education.TABLES, _registered_only(education.generate), 1.6),
    Department(registry.DEPARTMENT, registry.TABLES, registry.generate, 1.0),
    Department(housing.DEPARTMENT, housing.TABLES, _registered_only(housing.generate), 0.9),
    Department(socialcare.DEPARTMENT, socialcare.TABLES, _registered_only(socialcare.generate),
               0.2),
)
LINK_TABLES = ("person_link", "link_truth")  # in the registry database, from every department
# The linker's own tables in the registry database: created empty (citizen-gateway link fills them).
LINKAGE_TABLES = ("link_review", "link_decision", "link_model")


def department(name: str) -> Department:
    for d in DEPARTMENTS:
        if d.name == name:
            return d
    raise KeyError(name)
