"""The citizen view over real Trino equals hand-written SQL against each department database."""

from __future__ import annotations

from typing import Any

import pytest
from gateway_server import LiveGateway
from reference import FULL_VIEW, Reference

pytestmark = pytest.mark.integration


def _linked(reference: Reference, department: str, count: int) -> list[int]:
    with reference._postgres("registry") as cursor:
        cursor.execute("SELECT citizen_id FROM registry.person_link WHERE department = %s "
                       "ORDER BY local_id LIMIT %s", (department, count))
        return [row[0] for row in cursor.fetchall()]


def _unlinked(reference: Reference) -> int:
    with reference._postgres("registry") as cursor:
        cursor.execute("SELECT citizen_id FROM registry.citizen c WHERE NOT EXISTS "
                       "(SELECT 1 FROM registry.person_link l WHERE l.citizen_id = c.citizen_id) "
                       "ORDER BY citizen_id LIMIT 1")
        row = cursor.fetchone()
        assert row is not None, "the seed has no citizen without department records"
        return int(row[0])


def test_full_view_equals_direct_sql(open_gateway: LiveGateway, reference: Reference) -> None:
    citizens = {_unlinked(reference)}
    for department in ("health", "socialcare", "education", "housing"):
        citizens.update(_linked(reference, department, 4))
    assert len(citizens) >= 10
    for citizen_id in sorted(citizens):
        response = open_gateway.post(FULL_VIEW, {"id": str(citizen_id)})
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body
        assert body["data"]["citizen"] == reference.full_view(citizen_id), citizen_id


def test_unknown_citizen_is_null(open_gateway: LiveGateway) -> None:
    response = open_gateway.post("{ citizen(id: 999999999) { id } }")
    assert response.status_code == 200
    assert response.json()["data"] == {"citizen": None}


PAGE = """
query Page($after: String) {
  citizens(first: 100, after: $after, orderBy: [{field: familyName}]) {
    edges { cursor node { id familyName } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def test_walking_every_page_visits_every_citizen_once_in_order(
        open_gateway: LiveGateway, reference: Reference) -> None:
    with reference._postgres("registry") as cursor:
        cursor.execute("SELECT citizen_id, family_name FROM registry.citizen")
        expected = sorted(((name, citizen) for citizen, name in cursor.fetchall()),
                          key=lambda pair: (pair[0].encode(), pair[1]))  # Trino orders by code point
    seen: list[tuple[str, int]] = []
    after = None
    for _ in range(len(expected) // 100 + 2):
        body = open_gateway.post(PAGE, {"after": after}).json()
        page = body["data"]["citizens"]
        seen += [(edge["node"]["familyName"], int(edge["node"]["id"])) for edge in page["edges"]]
        assert page["pageInfo"]["endCursor"] == (page["edges"][-1]["cursor"] if page["edges"] else None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == expected


FILTERED = """
query Filtered($wards: [String!]) {
  citizens(
    where: { ward: { in: $wards }, dateOfBirth: { gte: "1980-01-01" }, not: { sex: { eq: U } } }
    orderBy: [{ field: dateOfBirth, direction: DESC }]
    first: 25
  ) {
    nodes { id dateOfBirth ward sex }
    pageInfo { hasNextPage }
  }
}
"""


def test_filtered_ordered_page_equals_direct_sql(open_gateway: LiveGateway,
                                                 reference: Reference) -> None:
    with reference._postgres("registry") as cursor:
        cursor.execute("SELECT ward FROM registry.citizen WHERE ward IS NOT NULL "
                       "GROUP BY ward ORDER BY count(*) DESC LIMIT 2")
        wards = [row[0] for row in cursor.fetchall()]
        cursor.execute("""SELECT citizen_id, date_of_birth, ward, sex FROM registry.citizen
                          WHERE ward = ANY(%s) AND date_of_birth >= '1980-01-01' AND sex <> 'U'
                          ORDER BY date_of_birth DESC, citizen_id LIMIT 26""", (wards,))
        rows = cursor.fetchall()
    body = open_gateway.post(FILTERED, {"wards": wards}).json()
    page = body["data"]["citizens"]
    assert page["nodes"] == [{"id": str(c), "dateOfBirth": d.isoformat(), "ward": w, "sex": s}
                             for c, d, w, s in rows[:25]]
    assert page["pageInfo"]["hasNextPage"] == (len(rows) > 25)


NESTED = """
query Nested($id: ID!) {
  citizen(id: $id) {
    health {
      recent: encounters(where: { setting: { in: [EMERGENCY, INPATIENT, GP] } },
                         orderBy: [{ field: encounterDate }], first: 2) { encounterDate setting }
      prescriptions(where: { isRepeat: { eq: true } }, first: 3) { prescribedOn isRepeat }
    }
  }
}
"""


def test_nested_lists_with_their_own_arguments_equal_direct_sql(
        open_gateway: LiveGateway, reference: Reference) -> None:
    for citizen_id in _linked(reference, "health", 5):
        with reference._postgres("registry") as cursor:
            cursor.execute("SELECT local_id FROM registry.person_link WHERE citizen_id = %s "
                           "AND department = 'health'", (citizen_id,))
            patient = cursor.fetchone()[0]  # type: ignore[index]
        with reference._postgres("health") as cursor:
            cursor.execute("""SELECT encounter_date, setting FROM health.encounter
                WHERE patient_id = %s AND setting IN ('emergency', 'inpatient', 'gp')
                ORDER BY encounter_date, encounter_id LIMIT 2""", (patient,))
            recent = [{"encounterDate": d.isoformat(), "setting": s.upper()}
                      for d, s in cursor.fetchall()]
            cursor.execute("""SELECT prescribed_on FROM health.prescription
                WHERE patient_id = %s AND is_repeat ORDER BY prescribed_on DESC, prescription_id
                LIMIT 3""", (patient,))
            repeats = [{"prescribedOn": d.isoformat(), "isRepeat": True} for (d,) in cursor.fetchall()]
        body = open_gateway.post(NESTED, {"id": str(citizen_id)}).json()
        assert body["data"]["citizen"]["health"] == {"recent": recent, "prescriptions": repeats}


def _queries_by(trino_cursor: Any, user: str) -> int:
    trino_cursor.execute("SELECT count(*) FROM system.runtime.queries WHERE \"user\" = ?", [user])
    return int(trino_cursor.fetchall()[0][0])


CASELOAD = """
query Caseload {
  citizens(first: 100) {
    nodes {
      id familyName
      health { nhsNumber encounters { encounterDate diagnosisCode } prescriptions { medication } }
      socialCare { cases { status assessments { outcome } } safeguardingFlags { flagType } }
      education { upn attendance { attendedSessions } exclusions { exclusionType } }
      housing { tenancies { tenure rentAccount { balance } repairs { category } } }
    }
  }
}
"""


def test_engine_queries_per_request_do_not_grow_with_citizens_or_nesting(
        open_gateway: LiveGateway, trino_cursor: Any) -> None:
    single = "test-count-single"
    before = _queries_by(trino_cursor, single)
    response = open_gateway.post(FULL_VIEW, {"id": "1"}, user=single)
    assert response.status_code == 200
    single_count = _queries_by(trino_cursor, single) - before

    many = "test-count-caseload"
    before = _queries_by(trino_cursor, many)
    response = open_gateway.post(CASELOAD, user=many)
    assert response.status_code == 200
    assert len(response.json()["data"]["citizens"]["nodes"]) == 100
    many_count = _queries_by(trino_cursor, many) - before

    assert single_count == many_count == 2  # resolve the citizens' ids, then fetch every department


BAD_REQUESTS = [
    ("syntax error", "{ citizen(id: 1) { id ", None, "GRAPHQL_PARSE_FAILED"),
    ("unknown field", "{ citizen(id: 1) { id shoeSize } }", None, "GRAPHQL_VALIDATION_FAILED"),
    ("wrong variable type", "query Q($id: ID!) { citizen(id: $id) { id } }", {"id": [1, 2]},
     "BAD_USER_INPUT"),
    ("missing variable", "query Q($id: ID!) { citizen(id: $id) { id } }", {}, "BAD_USER_INPUT"),
    ("non-numeric id", '{ citizen(id: "1 OR 1=1") { id } }', None, "BAD_USER_INPUT"),
    ("tampered cursor", '{ citizens(after: "AAAAtampered") { nodes { id } } }', None, "BAD_CURSOR"),
    ("negative first", "{ citizens(first: -1) { nodes { id } } }", None, "BAD_USER_INPUT"),
    ("huge first", "{ citizens(first: 100000) { nodes { id } } }", None, "BAD_USER_INPUT"),
    ("huge nested first", "{ citizen(id: 1) { health { encounters(first: 5000) { encounterId } } } }",
     None, "BAD_USER_INPUT"),
    ("mutation", "mutation { citizen { id } }", None, "GRAPHQL_VALIDATION_FAILED"),
    ("bad date", '{ citizens(where: {dateOfBirth: {gte: "yesterday"}}) { nodes { id } } }', None,
     "GRAPHQL_VALIDATION_FAILED"),
]


@pytest.mark.parametrize(("name", "query", "variables", "code"), BAD_REQUESTS,
                         ids=[case[0] for case in BAD_REQUESTS])
def test_bad_input_is_a_clear_4xx_and_reaches_no_engine(
        open_gateway: LiveGateway, trino_cursor: Any, name: str, query: str,
        variables: dict[str, Any] | None, code: str) -> None:
    user = f"test-bad-{name.replace(' ', '-')}"
    before = _queries_by(trino_cursor, user)
    response = open_gateway.post(query, variables, user=user)
    assert 400 <= response.status_code < 500, response.text
    body = response.json()
    assert "data" not in body or body["data"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == code
    text = response.text.lower()
    for leak in ("select ", "traceback", "trino", "registry.", "did you mean"):
        assert leak not in text, f"{leak!r} in {response.text}"
    assert _queries_by(trino_cursor, user) == before

