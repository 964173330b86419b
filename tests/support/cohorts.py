"""The shipped cohorts (docs/cohorts.md) and, for each, the hand-written SQL it must equal.

The reference asks each department its own question in its own database: plain SQL over the
generator's rows, with no contract, compiler or engine of the gateway. The matching local records
are carried to citizens through the registry's `person_link` and combined as sets in Python. The
same SQL runs on the demo's SQLite files and on the stack's PostgreSQL and MariaDB servers
(unqualified table names; the PostgreSQL connection's search path is the department's schema).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from graphql import value_from_ast_untyped

import bench.cohort

# one page document for a filter given as a variable (the truth table, the nested filters)
WHERE_PAGE = """query Cohort($where: CitizenWhere, $after: String) {
  citizens(first: 100, after: $after, where: $where) {
    nodes { id } pageInfo { hasNextPage endCursor } } }"""


class Departments(Protocol):
    def cursor(self, department: str) -> Any:
        """A context manager giving a DB-API cursor on the department's database."""


@dataclass(frozen=True)
class Cohort:
    name: str  # the operation name in docs/cohorts.md
    document: str
    defaults: dict[str, Any]  # the variables' default values, as the document declares them

    def reference(self, db: Departments, **variables: Any) -> set[int]:
        """The citizens the hand-written SQL finds, with these variables over the defaults."""
        return REFERENCE[self.name](db, {**self.defaults, **variables})


def shipped() -> list[Cohort]:
    """Every GraphQL document of docs/cohorts.md, in the order written."""
    cohorts = []
    for name, operation in bench.cohort.shipped().items():
        assert operation.loc is not None
        defaults = {variable.variable.name.value: value_from_ast_untyped(variable.default_value)
                    for variable in operation.variable_definitions if variable.default_value}
        cohorts.append(Cohort(name, operation.loc.source.body, defaults))
    return cohorts


def ids(db: Departments, department: str, sql: str) -> set[int]:
    with db.cursor(department) as cursor:
        cursor.execute(sql)
        return {int(row[0]) for row in cursor.fetchall()}


def linked(db: Departments, department: str, sql: str) -> set[int]:
    """The citizens linked to the department records that `sql` selects (their local ids)."""
    local = ids(db, department, sql)
    with db.cursor("registry") as cursor:
        cursor.execute("SELECT local_id, citizen_id FROM person_link "
                       f"WHERE department = '{department}'")
        links = {int(local_id): int(citizen) for local_id, citizen in cursor.fetchall()}
    return {links[record] for record in local if record in links}


def _open_cases(db: Departments, service: str) -> set[int]:
    return linked(db, "socialcare", "SELECT client_id FROM social_case "
                   f"WHERE status = 'open' AND service = '{service}'")


def _absent(db: Departments, sessions: int) -> set[int]:
    return linked(db, "education", "SELECT pupil_id FROM attendance "
                   f"WHERE unauthorised_absences >= {int(sessions)}")


def _day(value: Any) -> str:
    return date.fromisoformat(value).isoformat()  # only a date reaches the SQL text


def child_protection_and_absence(db: Departments, v: dict[str, Any]) -> set[int]:
    flagged = linked(db, "socialcare", "SELECT client_id FROM safeguarding_flag "
                      "WHERE flag_type = 'child protection plan' AND active")
    return flagged & _absent(db, v["absences"])


def children_in_need_excluded(db: Departments, v: dict[str, Any]) -> set[int]:
    excluded = linked(db, "education", "SELECT pupil_id FROM exclusion "
                       f"WHERE start_date >= '{_day(v['since'])}'")
    return _open_cases(db, "children") & excluded


def adult_care_without_gp(db: Departments, v: dict[str, Any]) -> set[int]:
    patients = linked(db, "health", "SELECT patient_id FROM patient")
    return _open_cases(db, "adults") - patients


def arrears_and_adult_care(db: Departments, v: dict[str, Any]) -> set[int]:
    arrears = linked(db, "housing", "SELECT t.tenant_id FROM tenancy t JOIN rent_account r "
                      "ON r.tenancy_id = t.tenancy_id "
                      f"WHERE t.end_date IS NULL AND r.arrears_weeks >= {int(v['weeks'])}")
    return arrears & _open_cases(db, "adults")


def under_fives_not_seen(db: Departments, v: dict[str, Any]) -> set[int]:
    young = ids(db, "registry", "SELECT citizen_id FROM citizen "
                 f"WHERE date_of_birth >= '{_day(v['bornOnOrAfter'])}'")
    patients = linked(db, "health", "SELECT patient_id FROM patient")
    seen = linked(db, "health", "SELECT patient_id FROM encounter "
                   f"WHERE encounter_date >= '{_day(v['since'])}'")
    return (young & patients) - seen


def children_in_need_absent_emergency(db: Departments, v: dict[str, Any]) -> set[int]:
    emergency = linked(db, "health", "SELECT patient_id FROM encounter WHERE setting = "
                        f"'emergency' AND encounter_date >= '{_day(v['since'])}'")
    return _open_cases(db, "children") & _absent(db, v["absences"]) & emergency


REFERENCE: dict[str, Callable[[Departments, dict[str, Any]], set[int]]] = {
    "ChildProtectionAndAbsence": child_protection_and_absence,
    "ChildrenInNeedExcluded": children_in_need_excluded,
    "AdultCareWithoutGP": adult_care_without_gp,
    "ArrearsAndAdultCare": arrears_and_adult_care,
    "UnderFivesNotSeen": under_fives_not_seen,
    "ChildrenInNeedAbsentEmergency": children_in_need_absent_emergency,
}


class SqliteDepartments:
    """The demo's SQLite files, one per department."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @contextmanager
    def cursor(self, department: str) -> Iterator[Any]:
        connection = sqlite3.connect(self.directory / f"{department}.sqlite")
        try:
            yield connection.cursor()
        finally:
            connection.close()


def walk(post: Callable[..., Any], document: str, **variables: Any) -> list[str]:
    """Every citizen id the cohort returns, following `endCursor` page by page."""
    found: list[str] = []
    after: str | None = None
    while True:
        response = post(document, {**variables, "after": after})
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        page = body["data"]["citizens"]
        found += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]
