"""The policy truth table for filters across departments: a filter is a read.

Each row asks `citizens(where:)` of the whole app in process, with the shipped policy, over a
20,000-citizen council (SQLite files, the embedded engine), as one role and purpose. A refused
row must answer 403 naming the field and reach no engine; an allowed row must name exactly the
citizens that hand-written SQL finds with the policy's row rules applied by hand: a
caseworker's quantifiers see only their own team's cases, and an opted-out citizen matches a
health condition only for direct care.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from cohorts import WHERE_PAGE, Departments, SqliteDepartments, ids, linked, walk
from gateway_server import LiveGateway, in_process_gateway
from sqlglot import exp

from gateway.engine import Engine, EngineResult
from gateway.requester import Requester

SINCE = "2025-10-01"


class Recording:
    """The engine the gateway was built with, counting the statements it is asked to run."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements = 0

    def render(self, tree: exp.Expr) -> str:
        return self.engine.render(tree)

    def run(self, sql: str, requester: Requester, *, timeout: float | None = None) -> EngineResult:
        self.statements += 1
        return self.engine.run(sql, requester, timeout=timeout)

    def close(self) -> None:
        self.engine.close()


@dataclass(frozen=True)
class Row:
    name: str
    roles: tuple[str, ...]
    purpose: str
    where: dict[str, Any]
    # the citizens it must find (None: refused, naming `refused`)
    expected: Callable[[Departments, str], set[int]] | None = None
    refused: str = ""


def _team_cases(db: Departments, team: str, condition: str) -> set[int]:
    return linked(db, "socialcare",
                  f"SELECT client_id FROM social_case WHERE team = '{team}' AND {condition}")


def _clients(db: Departments) -> set[int]:
    return linked(db, "socialcare", "SELECT client_id FROM client")


def _opted_out(db: Departments) -> set[int]:
    return ids(db, "registry", "SELECT citizen_id FROM citizen WHERE health_opt_out")


def _emergency(db: Departments) -> set[int]:
    return linked(db, "health", "SELECT patient_id FROM encounter "
                  f"WHERE setting = 'emergency' AND encounter_date >= '{SINCE}'")


CASEWORKER = ("caseworker",)
OPEN = {"status": {"eq": "OPEN"}}
EMERGENCY = {"health": {"encounters": {"some": {"setting": {"eq": "EMERGENCY"},
                                                "encounterDate": {"gte": SINCE}}}}}
ROWS = [
    Row("clear field, row rule inside some", CASEWORKER, "direct_care",
        {"socialCare": {"cases": {"some": OPEN}}},
        lambda db, team: _team_cases(db, team, "status = 'open'")),
    Row("row rule inside none", CASEWORKER, "direct_care",
        {"socialCare": {"cases": {"none": OPEN}}},
        lambda db, team: _clients(db) - _team_cases(db, team, "status = 'open'")),
    Row("row rule inside every", CASEWORKER, "direct_care",
        {"socialCare": {"cases": {"every": {"status": {"eq": "CLOSED"}}}}},
        lambda db, team: _clients(db) - _team_cases(db, team, "status <> 'closed'")),
    Row("row rule inside some, across departments", CASEWORKER, "safeguarding",
        {"socialCare": {"cases": {"some": OPEN}},
         "education": {"exclusions": {"some": {"startDate": {"gte": "2025-09-01"}}}}},
        lambda db, team: _team_cases(db, team, "status = 'open'") & linked(
            db, "education", "SELECT pupil_id FROM exclusion WHERE start_date >= '2025-09-01'")),
    Row("opt-out: direct care sees every patient", ("clinician",), "direct_care", EMERGENCY,
        lambda db, team: _emergency(db)),
    Row("opt-out: safeguarding never matches an opted-out patient", ("clinician",),
        "safeguarding", EMERGENCY, lambda db, team: _emergency(db) - _opted_out(db)),
    Row("opt-out: an opted-out patient's hidden record is no record", ("clinician",),
        "safeguarding", {"ward": {"isNull": False}, "health": {"exists": False}},
        lambda db, team: ids(db, "registry", "SELECT citizen_id FROM citizen "
                             "WHERE ward IS NOT NULL")
        - (linked(db, "health", "SELECT patient_id FROM patient") - _opted_out(db))),
    Row("masked field (redact)", ("clinician",), "safeguarding",
        {"socialCare": {"cases": {"some": {"categoryOfNeed": {"eq": "N1"}}}}},
        refused="SocialCase.categoryOfNeed"),
    Row("masked field (year)", ("analyst",), "service_planning",
        {"health": {"encounters": {"some": {"encounterDate": {"gte": SINCE}}}}},
        refused="Encounter.encounterDate"),
    Row("masked field under none", ("analyst",), "service_planning",
        {"health": {"encounters": {"none": {"encounterDate": {"gte": SINCE}}}}},
        refused="Encounter.encounterDate"),
    Row("denied field", ("education_welfare_officer",), "direct_care",
        {"healthOptOut": {"eq": True}}, refused="Citizen.healthOptOut"),
    Row("masked field inside or", ("analyst",), "service_planning",
        {"or": [{"ward": {"eq": "Abbey"}}, {"postcode": {"startsWith": "KF"}}]},
        refused="Citizen.postcode"),
    Row("department without its link: exists", ("housing_officer",), "direct_care",
        {"health": {"exists": True}}, refused="Citizen.health"),
    Row("department without its link: not exists", ("housing_officer",), "direct_care",
        {"health": {"exists": False}}, refused="Citizen.health"),
    Row("department without its link, under not", ("education_welfare_officer",), "direct_care",
        {"not": {"housing": {"tenancies": {"some": {"endDate": {"isNull": True}}}}}},
        refused="Citizen.housing"),
    Row("a list the link does not open", ("education_welfare_officer",), "safeguarding",
        {"socialCare": {"cases": {"some": OPEN}}}, refused="SocialCareClient.cases"),
    Row("a purpose that does not open the department", ("clinician",), "direct_care",
        {"socialCare": {"safeguardingFlags": {"some": {"active": {"eq": True}}}}},
        refused="Citizen.socialCare"),
]


@pytest.fixture(scope="module")
def team(council_20k: Path) -> str:
    """The children's team with the most open cases: the caseworker's, in their token."""
    with sqlite3.connect(council_20k / "socialcare.sqlite") as connection:
        row = connection.execute("SELECT team FROM social_case WHERE status = 'open' "
                                 "AND service = 'children' GROUP BY team "
                                 "ORDER BY count(*) DESC, team LIMIT 1").fetchone()
    return str(row[0])


@pytest.fixture(scope="module")
def gateway(council_20k: Path, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[LiveGateway, Recording]]:
    with in_process_gateway(tmp_path_factory.mktemp("filter-policy"), council_20k, None,
                            rate_limit_per_second=0) as live:
        service = live.gateway.service
        recording = Recording(service.engine)
        service.engine = recording
        yield live, recording


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_filter_truth_table(row: Row, gateway: tuple[LiveGateway, Recording], team: str,
                            council_20k: Path) -> None:
    live, recording = gateway
    post = partial(live.post, roles=row.roles, purpose=row.purpose, team=team)
    before = recording.statements
    if row.expected is None:
        response = post(WHERE_PAGE, {"where": row.where})
        assert response.status_code == 403, response.text
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert f"{row.refused}: filtering on it is not permitted" in error["message"]
        assert recording.statements == before, "a refused filter reached the engine"
        return
    expected = row.expected(SqliteDepartments(council_20k), team)
    assert expected, f"{row.name}: the reference finds nobody; the row would prove nothing"
    found = walk(post, WHERE_PAGE, where=row.where)
    assert len(found) == len(set(found))
    assert {int(citizen) for citizen in found} == expected
    assert recording.statements > before
    # the audit record of the last page names what the request filtered on
    record = json.loads(live.settings.audit_path.read_text().splitlines()[-1])
    assert {f"Citizen.{key}" for key in row.where} <= set(record["filters"]), record


def test_the_row_rules_change_the_answers(council_20k: Path, team: str) -> None:
    """The rows above could not tell a rule applied from one ignored, unless it matters here."""
    db = SqliteDepartments(council_20k)
    every_team = linked(db, "socialcare", "SELECT client_id FROM social_case "
                        "WHERE status = 'open'")
    assert _team_cases(db, team, "status = 'open'") < every_team
    assert _emergency(db) & _opted_out(db)
