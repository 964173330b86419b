"""Differential: every GraphQL case of the citizen-view and governance suites, on Trino and on DuckDB.

The same gateway (same contract, policies, keys) runs over two engines reading the same data:

- trino:         the local stack's Trino over PostgreSQL and MariaDB;
- duckdb:        the embedded engine attached to those same running PostgreSQL and MariaDB
                 (through connectors/*.properties, like Trino);
- duckdb-sqlite: the embedded engine over the demo's SQLite files generated with the stack's
                 seed and size (the same rows, written by council/sqlite.py).

Each case is asked of both with the same token; the responses must be the same: status and body
(data, masked values included, errors), all but the `extensions` (timings, query ids). The cases
are those of tests/integration/test_citizen_view.py and test_governance.py (their queries, tables
and probes imported from them), plus a few that would differ if a string filter reached
MariaDB (case- and trailing-space-insensitive collation): the contract says string matching is
exact and case-sensitive.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from gateway_server import ALL_CLEAR, LiveGateway, live_gateway
from reference import FULL_VIEW, Reference
from test_citizen_view import BAD_REQUESTS, CASELOAD, FILTERED, NESTED, PAGE, _linked, _unlinked
from test_governance import LEAK_QUERIES, ROWS, TEAM, _citizen_with, _page_query, _query

from council.sqlite import write_sqlite
from stack.settings import Settings

pytestmark = pytest.mark.integration

DEPARTMENTS = ("health", "socialcare", "education", "housing")
ENGINES = ("duckdb", "duckdb-sqlite")


@dataclass(frozen=True)
class Case:
    policy: str  # "open" (every field in clear) or "council" (the shipped policies/)
    query: str
    variables: dict[str, Any] | None = None
    who: dict[str, Any] = field(default_factory=dict)  # roles, purpose, token attributes
    walk: bool = False  # follow pageInfo.endCursor to the last page, comparing every page


TRUTH = [f"truth table: {' '.join(row[:3])}" for row in ROWS]
NAMES: list[str] = [
    "full view: no department record",
    *[f"full view: {department} record {k}" for department in DEPARTMENTS for k in range(1, 5)],
    "unknown citizen",
    "every page by family name",
    "filtered ordered page",
    *[f"nested list arguments {k}" for k in range(1, 6)],
    "caseload: 100 citizens, every department",
    *[f"bad request: {case[0]}" for case in BAD_REQUESTS],
    *TRUTH,
    "opted-out health, direct care",
    "opted-out health, safeguarding",
    "caseworker sees their own team's cases",
    *[f"no leak: {name}" for name in LEAK_QUERIES],
    "no leak: variables",
    "refused: analyst filters on a pseudonymised name",
    "refused: analyst sorts on a pseudonymised name",
    "refused: analyst asks for cursors",
    "clinician filters on a clear postcode",
    "clinician reads a redacted NI number",
    "errors: a typo names no hidden field",
    "errors: a refused field",
    "introspection",
    "exact strings: caseworker team in capitals",
    "exact strings: caseworker team with a trailing space",
    "exact strings: academic year with a trailing space",
    "exact strings: academic year not equal",
    "exact strings: academic year starts with",
    "exact strings: repair category starts with, other case",
    "exact strings: postcode starts with a wildcard character",
]


def _one(reference: Reference, department: str, sql: str, params: tuple[Any, ...] = ()) -> Any:
    with reference.cursor(department) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    assert row is not None, sql
    return row[0] if len(row) == 1 else row


def _citizen_of(reference: Reference, department: str, local_id: int) -> int:
    return int(_one(reference, "registry", "SELECT citizen_id FROM registry.person_link "
                    "WHERE department = %s AND local_id = %s", (department, local_id)))


def build_cases(reference: Reference) -> dict[str, Case]:
    cases: dict[str, Case] = {}
    cases["full view: no department record"] = Case("open", FULL_VIEW,
                                                    {"id": str(_unlinked(reference))})
    for department in DEPARTMENTS:
        for k, citizen in enumerate(_linked(reference, department, 4), 1):
            cases[f"full view: {department} record {k}"] = Case("open", FULL_VIEW,
                                                                {"id": str(citizen)})
    cases["unknown citizen"] = Case("open", "{ citizen(id: 999999999) { id } }")
    cases["every page by family name"] = Case("open", PAGE, {"after": None}, walk=True)
    with reference._postgres("registry") as cursor:
        cursor.execute("SELECT ward FROM registry.citizen WHERE ward IS NOT NULL "
                       "GROUP BY ward ORDER BY count(*) DESC, ward LIMIT 2")
        wards = [row[0] for row in cursor.fetchall()]
    cases["filtered ordered page"] = Case("open", FILTERED, {"wards": wards})
    for k, citizen in enumerate(_linked(reference, "health", 5), 1):
        cases[f"nested list arguments {k}"] = Case("open", NESTED, {"id": str(citizen)})
    cases["caseload: 100 citizens, every department"] = Case("open", CASELOAD)
    for name, query, variables, _code in BAD_REQUESTS:
        cases[f"bad request: {name}"] = Case("open", query, variables)

    for name, (roles, purpose, target, _expected) in zip(TRUTH, ROWS, strict=True):
        type_name, field_name = target.split(".")
        who = {"roles": tuple(roles.split("+")), "purpose": purpose, "team": TEAM}
        if type_name == "Query":
            query = ("{ citizen(id: 1) { __typename } }" if field_name == "citizen"
                     else "{ citizens(first: 1) { __typename } }")
            cases[name] = Case("council", query, None, who)
        elif "analyst" in who["roles"]:
            cases[name] = Case("council", _page_query(type_name, field_name), None, who)
        else:
            citizen = _citizen_with(reference, type_name)
            cases[name] = Case("council", _query(type_name, field_name), {"id": str(citizen)}, who)

    opted_out = _one(reference, "registry",
                     "SELECT c.citizen_id FROM registry.citizen c JOIN registry.person_link l "
                     "ON l.citizen_id = c.citizen_id AND l.department = 'health' "
                     "WHERE c.health_opt_out ORDER BY c.citizen_id LIMIT 1")
    health = "query Q($id: ID!) { citizen(id: $id) { id health { gpPracticeCode } } }"
    for purpose in ("direct_care", "safeguarding"):
        cases[f"opted-out health, {purpose.replace('_', ' ')}"] = Case(
            "council", health, {"id": str(opted_out)}, {"roles": ("clinician",), "purpose": purpose})

    client, team = _one(reference, "socialcare",
                        "SELECT client_id, min(team) FROM social_case GROUP BY client_id "
                        "HAVING count(DISTINCT team) > 1 ORDER BY client_id LIMIT 1")
    with reference._postgres("registry") as cursor:
        cursor.execute("SELECT citizen_id FROM registry.person_link WHERE department = "
                       "'socialcare' AND local_id = %s", (client,))
        row = cursor.fetchone()
    assert row is not None, "no client with cases in two teams is linked"
    team_citizen = int(row[0])
    cases_query = "query Q($id: ID!) { citizen(id: $id) { socialCare { cases { caseId team } } } }"
    caseworker = {"roles": ("caseworker",), "purpose": "direct_care"}
    cases["caseworker sees their own team's cases"] = Case(
        "council", cases_query, {"id": str(team_citizen)}, {**caseworker, "team": team})

    masked = _one(reference, "registry", "SELECT citizen_id FROM registry.citizen "
                  "WHERE ni_number IS NOT NULL ORDER BY citizen_id LIMIT 1")
    clinician = {"roles": ("clinician",), "purpose": "direct_care"}
    analyst = {"roles": ("analyst",), "purpose": "service_planning"}
    for name, query in LEAK_QUERIES.items():
        cases[f"no leak: {name}"] = Case("council", query.replace("$ID", str(masked)), None,
                                         clinician)
    cases["no leak: variables"] = Case(
        "council", "query Q($id: ID!) { citizen(id: $id) { niNumber } }", {"id": str(masked)},
        clinician)
    cases["refused: analyst filters on a pseudonymised name"] = Case(
        "council", '{ citizens(where: {familyName: {eq: "Smith"}}) { nodes { ward } } }', None,
        analyst)
    cases["refused: analyst sorts on a pseudonymised name"] = Case(
        "council", "{ citizens(orderBy: [{field: familyName}]) { nodes { ward } } }", None, analyst)
    cases["refused: analyst asks for cursors"] = Case(
        "council", "{ citizens(first: 1) { edges { cursor } } }", None, analyst)
    cases["clinician filters on a clear postcode"] = Case(
        "council", f'{{ citizens(where: {{id: {{eq: "{masked}"}}, postcode: {{startsWith: "A"}}}}) '
        "{ nodes { id } } }", None, clinician)
    cases["clinician reads a redacted NI number"] = Case(
        "council", f"{{ citizen(id: {masked}) {{ niNumber }} }}", None, clinician)
    education = {"roles": ("education_welfare_officer",), "purpose": "direct_care"}
    cases["errors: a typo names no hidden field"] = Case(
        "council", "{ citizen(id: 1) { niNumbr } }", None, education)
    cases["errors: a refused field"] = Case("council", "{ citizen(id: 1) { niNumber } }", None,
                                            education)
    cases["introspection"] = Case(
        "council", '{ __type(name: "Citizen") { fields { name description } } '
        "__schema { queryType { name } } }", None, analyst)

    cases["exact strings: caseworker team in capitals"] = Case(
        "council", cases_query, {"id": str(team_citizen)}, {**caseworker, "team": team.upper()})
    cases["exact strings: caseworker team with a trailing space"] = Case(
        "council", cases_query, {"id": str(team_citizen)}, {**caseworker, "team": team + " "})
    pupil = _citizen_with(reference, "Attendance")
    year = str(_one(reference, "education", "SELECT min(academic_year) FROM attendance"))
    attendance = ("query Q($id: ID!, $where: AttendanceWhere) { citizen(id: $id) { education { "
                  "attendance(where: $where) { academicYear term } } } }")
    for name, where in (("with a trailing space", {"academicYear": {"eq": year + " "}}),
                        ("not equal", {"academicYear": {"ne": year}}),
                        ("starts with", {"academicYear": {"startsWith": year[:4]}})):
        cases[f"exact strings: academic year {name}"] = Case(
            "open", attendance, {"id": str(pupil), "where": where})
    category = str(_one(reference, "housing", "SELECT category FROM housing.repair "
                        "ORDER BY repair_id LIMIT 1"))
    repairs = _citizen_with(reference, "Repair")
    cases["exact strings: repair category starts with, other case"] = Case(
        "open", "query Q($id: ID!, $p: String) { citizen(id: $id) { housing { tenancies { "
        "repairs(where: {category: {startsWith: $p}}) { category } } } } }",
        {"id": str(repairs), "p": category[:3].swapcase()})
    cases["exact strings: postcode starts with a wildcard character"] = Case(
        "open", '{ citizens(where: {postcode: {startsWith: "KF1_"}}, first: 5) { nodes { id } } }')
    assert list(cases) == NAMES, set(cases) ^ set(NAMES)
    return cases


# ------------------------------------------------------------------ the gateways


@pytest.fixture(scope="module")
def sqlite_council(stack: Settings, reference: Reference,
                   tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The stack's council (its seed, its size) as the demo's SQLite files; checked equal."""
    citizens = int(_one(reference, "registry", "SELECT count(*) FROM registry.citizen"))
    directory = tmp_path_factory.mktemp("sqlite-council")
    write_sqlite(citizens, stack.seed, directory)
    with reference._postgres("registry") as cursor:
        cursor.execute("SELECT citizen_id, given_name, family_name, date_of_birth::text "
                       "FROM registry.citizen ORDER BY citizen_id LIMIT 200")
        served = [tuple(row) for row in cursor.fetchall()]
    with sqlite3.connect(directory / "registry.sqlite") as connection:
        written = connection.execute("SELECT citizen_id, given_name, family_name, date_of_birth "
                                     "FROM citizen ORDER BY citizen_id LIMIT 200").fetchall()
    if served != written:
        pytest.fail(f"the stack's databases are not the seed-{stack.seed} council of {citizens} "
                    "citizens; reseed with `citizen-gateway seed --reset`", pytrace=False)
    return directory


@pytest.fixture(scope="module")
def gateways(stack: Settings, sqlite_council: Path,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[str, str], LiveGateway]]:
    """(engine, policy) -> a running gateway."""
    for name, value in stack.connector_env().items():  # what connectors/*.properties name
        os.environ.setdefault(name, value)
    engines: dict[str, dict[str, Any]] = {
        "trino": {}, "duckdb": {"engine": "duckdb"},
        "duckdb-sqlite": {"engine": "duckdb", "duckdb_sqlite_dir": sqlite_council},
    }
    with ExitStack() as stack_of_servers:
        running: dict[tuple[str, str], LiveGateway] = {}
        for engine, overrides in engines.items():
            for policy, csv in (("open", ALL_CLEAR), ("council", None)):
                running[(engine, policy)] = stack_of_servers.enter_context(live_gateway(
                    tmp_path_factory.mktemp(f"{engine}-{policy}"), csv, access_log=False,
                    rate_limit_per_second=0, **overrides))
        yield running


@pytest.fixture(scope="module")
def cases(reference: Reference) -> dict[str, Case]:
    return build_cases(reference)


def _comparable(response: httpx.Response) -> tuple[int, Any]:
    body = response.json()
    if isinstance(body, dict):
        body.pop("extensions", None)
    return response.status_code, body


def _answers(live: LiveGateway, case: Case) -> list[tuple[int, Any]]:
    """The responses to the case: one, or one per page when walking the pages."""
    who = dict(case.who)
    variables = dict(case.variables) if case.variables is not None else None
    answers = []
    for _ in range(200):
        answers.append(_comparable(live.post(case.query, variables, **who)))
        status, body = answers[-1]
        if not case.walk or status != 200:
            break
        page = body["data"]["citizens"]["pageInfo"]
        if not page["hasNextPage"]:
            break
        assert variables is not None
        variables["after"] = page["endCursor"]
    return answers


_TRINO: dict[str, list[tuple[int, Any]]] = {}  # Trino's answers, asked once for both DuckDB legs


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", NAMES)
def test_duckdb_answers_exactly_as_trino(gateways: dict[tuple[str, str], LiveGateway],
                                         cases: dict[str, Case], name: str, engine: str) -> None:
    case = cases[name]
    if name not in _TRINO:
        _TRINO[name] = _answers(gateways[("trino", case.policy)], case)
    expected = _TRINO[name]
    actual = _answers(gateways[(engine, case.policy)], case)
    assert len(actual) == len(expected)
    for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
        assert got == want, f"{name}, response {index + 1}"
    if name == "every page by family name":
        assert len(expected) > 1  # more than one page was compared
