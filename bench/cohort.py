"""The cohort workload: a three-department cohort, first page of 50, on every path.

The cohort is the shipped "children in need, persistently absent, seen in emergency care"
(docs/cohorts.md, read from there: one source for the document). Each request varies its
values (absences, since) so no path answers from a cache of the previous one.

- the GraphQL paths send the document with the request's variables;
- `trino_sql` is the statement a competent engineer writes by hand: the registry's citizens whose
  id is in each department's matching records, joined to the person index, first 50 by id;
- `DepartmentClient` is a client with no cross-department query: it asks each department
  database for every matching record, carries them to citizens through the registry's links, and
  intersects the sets itself, then reads the first 50 citizens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from graphql import OperationDefinitionNode, parse

from stack.settings import ROOT

NAME = "ChildrenInNeedAbsentEmergency"
PAGE = 50
Values = dict[str, Any]


def shipped() -> dict[str, OperationDefinitionNode]:
    """Every GraphQL document of docs/cohorts.md by operation name, in the order written (the
    tests check each against hand-written SQL; the benchmark times one)."""
    text = (ROOT / "docs" / "cohorts.md").read_text(encoding="utf-8")
    found: dict[str, OperationDefinitionNode] = {}
    for block in re.findall(r"```graphql\n(.*?)```", text, flags=re.S):
        operation = parse(block).definitions[0]
        if not isinstance(operation, OperationDefinitionNode) or operation.name is None:
            raise LookupError(f"docs/cohorts.md: a cohort without an operation name: {block}")
        found[operation.name.value] = operation
    return found


def document() -> str:
    """The benchmarked cohort's GraphQL document, as docs/cohorts.md has it."""
    operation = shipped()[NAME]
    assert operation.loc is not None
    return operation.loc.source.body


def values(count: int) -> list[Values]:
    """`count` requests' values: absences 8..12, since the first of a month of the last year."""
    months = [date(2025, month, 1) if month >= 4 else date(2026, month, 1)
              for month in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
    return [{"absences": 8 + k % 5, "since": months[(k * 7) % len(months)].isoformat()}
            for k in range(count)]


def node(row: Sequence[Any]) -> dict[str, Any]:
    """A cohort row (id, given, family, born, ward) in the document's JSON shape."""
    citizen, given, family, born, ward = row
    return {"id": str(citizen), "givenName": given, "familyName": family,
            "dateOfBirth": str(born)[:10], "ward": ward}


def trino_sql(v: Values) -> str:
    absences, since = int(v["absences"]), date.fromisoformat(v["since"]).isoformat()
    link = "registry.registry.person_link"
    return f"""
SELECT c.citizen_id, c.given_name, c.family_name, c.date_of_birth, c.ward
FROM registry.registry.citizen c
WHERE c.citizen_id IN (
    SELECT l.citizen_id FROM {link} l JOIN socialcare.socialcare.social_case k
      ON k.client_id = l.local_id
    WHERE l.department = 'socialcare' AND k.status = 'open' AND k.service = 'children')
  AND c.citizen_id IN (
    SELECT l.citizen_id FROM {link} l JOIN education.education.attendance a
      ON a.pupil_id = l.local_id
    WHERE l.department = 'education' AND a.unauthorised_absences >= {absences})
  AND c.citizen_id IN (
    SELECT l.citizen_id FROM {link} l JOIN health.health.encounter e ON e.patient_id = l.local_id
    WHERE l.department = 'health' AND e.setting = 'emergency'
      AND e.encounter_date >= DATE '{since}')
ORDER BY c.citizen_id
LIMIT {PAGE}"""


class DepartmentClient:
    """Each department asked alone, the sets intersected by the client (no federation)."""

    def __init__(self, rows: Callable[[str, str, tuple[Any, ...]], list[Sequence[Any]]]) -> None:
        self._query = rows  # (department, sql with %s placeholders, parameters) -> rows
        self.statements = 0

    def rows(self, department: str, sql: str, parameters: tuple[Any, ...]) -> list[Sequence[Any]]:
        self.statements += 1
        return self._query(department, sql, parameters)

    def _citizens(self, department: str, local_sql: str, parameters: tuple[Any, ...]) -> set[int]:
        local = [int(row[0]) for row in self.rows(department, local_sql, parameters)]
        if not local:
            return set()
        links = self.rows("registry", "SELECT citizen_id FROM registry.person_link "
                          "WHERE department = %s AND local_id = ANY(%s)", (department, local))
        return {int(row[0]) for row in links}

    def page(self, v: Values) -> tuple[list[dict[str, Any]], int]:
        """The first page, and how many statements it took."""
        self.statements = 0
        open_children = self._citizens(
            "socialcare", "SELECT DISTINCT client_id FROM social_case "
            "WHERE status = 'open' AND service = 'children'", ())
        absent = self._citizens(
            "education", "SELECT DISTINCT pupil_id FROM attendance "
            "WHERE unauthorised_absences >= %s", (int(v["absences"]),))
        emergency = self._citizens(
            "health", "SELECT DISTINCT patient_id FROM health.encounter "
            "WHERE setting = 'emergency' AND encounter_date >= %s",
            (date.fromisoformat(v["since"]),))
        first = sorted(open_children & absent & emergency)[:PAGE]
        if not first:
            return [], self.statements
        found = self.rows("registry", "SELECT citizen_id, given_name, family_name, "
                          "date_of_birth, ward FROM registry.citizen "
                          "WHERE citizen_id = ANY(%s) ORDER BY citizen_id", (first,))
        return [node(row) for row in found], self.statements
