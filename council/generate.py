"""The whole synthetic council in memory, by table (for tests and small comparisons only: the
loader streams instead)."""

from __future__ import annotations

from council.departments import DEPARTMENTS, LINK_TABLES, LINKAGE_TABLES
from council.population import Population, build_population


def all_rows(
    citizens: int, seed: int, population: Population | None = None
) -> dict[str, list[str]]:
    """Row lines by "department.table" (person_link and link_truth as "registry.<table>")."""
    population = population or build_population(citizens, seed)
    rows: dict[str, list[str]] = {f"registry.{table}": []
                                  for table in LINK_TABLES + LINKAGE_TABLES}
    for dept in DEPARTMENTS:
        for table in dept.tables:
            rows[f"{dept.name}.{table}"] = []
        for batch in dept.generate(population, seed):
            for table, lines in batch.rows.items():
                rows[f"{dept.name}.{table}"].extend(lines)
            rows["registry.person_link"].extend(batch.links)
            rows["registry.link_truth"].extend(batch.truth)
    return rows
