"""Hostile documents, hostile JSON, no suggestions, and the metrics, through the whole app in
process (the parts of the hardening that need no Trino to prove; the rest is in the integration
tier, which counts what reached Trino)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from gateway_server import LiveGateway

DEEP_7 = "{ citizens(first: 1) { edges { node { housing { tenancies { rentAccount { balance } } } } } } }"


def test_nesting_deep_enough_to_exhaust_the_parser_is_a_clean_400(open_gateway: LiveGateway) -> None:
    """Not a RecursionError and a 500: the parser's stack is a limit like the others."""
    lists = "[" * 480 + '"x"' + "]" * 480
    for query in ["{ citizen(id: 1) " + "{ health " * 450 + "}" * 451,
                  "{ citizens(where: {ward: {in: " + lists + "}}) { nodes { id } } }"]:
        response = open_gateway.post(query)
        assert response.status_code == 400, response.text[:300]
        assert response.json()["errors"][0]["extensions"]["code"] in (
            "LIMIT_EXCEEDED", "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED")


def test_deeply_nested_json_is_a_clean_400(open_gateway: LiveGateway) -> None:
    body = b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 30_000 + b"]" * 30_000 + b"}}"
    response = open_gateway.http.post("/graphql", content=body, headers={
        "Authorization": f"Bearer {open_gateway.token()}", "Content-Type": "application/json"})
    assert response.status_code == 400, response.text[:300]
    assert "traceback" not in response.text.lower()


@pytest.mark.parametrize("query", [
    "{ citizen(id: 1) { familyNam } }",
    "{ citizen(idd: 1) { id } }",
    "{ citizens(orderBy: [{field: familyNam}]) { nodes { id } } }",
    "{ citizens { nodez { id } } }",
    "query Q($w: CitizenFilte) { citizens(where: $w) { nodes { id } } }",
])
def test_suggestions_are_never_sent(open_gateway: LiveGateway, query: str) -> None:
    response = open_gateway.post(query)
    assert response.status_code == 400
    assert "did you mean" not in response.text.lower(), response.text


def test_no_suggestion_for_a_bad_enum_variable(open_gateway: LiveGateway) -> None:
    response = open_gateway.post(
        "query Q($s: Sex) { citizens(where: {sex: {eq: $s}}) { nodes { id } } }", {"s": "FF"})
    assert response.status_code == 400 and "did you mean" not in response.text.lower()


def _metric(text: str, line_start: str) -> float:
    for line in text.splitlines():
        if line.startswith(line_start):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_outcomes_limits_denials_and_engine_time(open_gateway: LiveGateway) -> None:
    before = open_gateway.http.get("/metrics").text
    open_gateway.post(DEEP_7)
    open_gateway.post("{ citizen(id: 1) { id familyName } }")
    open_gateway.post("{ citizen(id: 1) { id } }", roles=("wizard",))
    response = open_gateway.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    after = response.text
    for name, growth in [('gateway_limit_rejections_total{limit="depth"}', 1),
                         ('gateway_requests_total{code="LIMIT_EXCEEDED",outcome="refused"}', 1),
                         ('gateway_requests_total{code="OK",outcome="answered"}', 1),
                         ("gateway_policy_denials_total", 1),
                         ('gateway_engine_queries_total{result="ok",step="single"}', 1),
                         ('gateway_request_duration_seconds_count{outcome="answered"}', 1)]:
        assert _metric(after, name) - _metric(before, name) >= growth, name
    assert "gateway_engine_query_duration_seconds_bucket" in after
    assert "gateway_engine_queries_in_flight" in after


RELATED = "query Q($w: CitizenWhere) { citizens(first: 1, where: $w) { nodes { id } } }"


def _teams(count: int) -> dict[str, Any]:
    """`count` filters on related records: social care cases of `count` different teams."""
    return {"or": [{"socialCare": {"cases": {"some": {"team": {"eq": f"team-{k}"}}}}}
                   for k in range(count // 2)] + [{"housing": {"exists": True}}] * (count % 2)}


def test_filters_on_related_records_are_limited(open_gateway: LiveGateway) -> None:
    """Each is a semi-join in the engine: a hundred would keep Trino planning for minutes."""
    limit = open_gateway.settings.max_related_filters
    allowed = open_gateway.post(RELATED, {"w": _teams(limit)})
    assert allowed.status_code == 200, allowed.text
    refused = open_gateway.post(RELATED, {"w": _teams(limit + 1)})
    assert refused.status_code == 400, refused.text
    [error] = refused.json()["errors"]
    assert error["extensions"] == {"code": "LIMIT_EXCEEDED", "limit": "relatedFilters"}
    # nested lists count too: a case's assessments are a filter of their own
    nested = {"socialCare": {"cases": {"some": {"assessments": {"some": {}}}}}}
    within = open_gateway.post(RELATED, {"w": {"and": [nested] * (limit // 3)}})
    assert within.status_code == 200, within.text
    deep = open_gateway.post(RELATED, {"w": {"and": [nested] * (limit // 3 + 1)}})
    assert deep.status_code == 400, deep.text
    assert deep.json()["errors"][0]["extensions"]["limit"] == "relatedFilters"


# ------------------------------------------------------------------ inputs that once were a 5xx

BY_NAME = "query Q($n: String) { citizens(where: {familyName: {eq: $n}}) { nodes { id } } }"
BY_ID = "query Q($id: ID!) { citizen(id: $id) { id } }"


def _raw(live: LiveGateway, body: str, token: str | None = None) -> Any:
    return live.http.post("/graphql", content=body.encode(), headers={
        "Authorization": f"Bearer {token or live.token()}", "Content-Type": "application/json"})


def test_a_lone_surrogate_in_a_filter_value_is_a_400(open_gateway: LiveGateway) -> None:
    """JSON may carry "\\ud800" alone; no database stores it (it failed in the engine: 502)."""
    # json.dumps would refuse the lone surrogate: the body is written as a client could send it
    body = json.dumps({"query": BY_NAME, "variables": {"n": "O-Brien"}}).replace("-", "\\ud800")
    response = _raw(open_gateway, body)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "surrogate" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("digits", ["\u0661\u0662", "\uff11", "\u09e7"])
def test_an_id_is_ascii_digits(open_gateway: LiveGateway, digits: str) -> None:
    """Python's int() reads Arabic-Indic and full-width digits; an id is 0-9 only."""
    response = open_gateway.post(BY_ID, {"id": digits})
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(("claim", "value"), [
    ("user", "ana\x00"), ("user", "ana\nroot"), ("user", "x" * 257), ("team", "north\x00"),
    ("team", "north\ud800"),
])
def test_a_claim_with_control_characters_is_unauthenticated(
        open_gateway: LiveGateway, claim: str, value: str) -> None:
    settings = open_gateway.settings
    claims = {"user": "ana", "roles": ["tester"], "purpose": "testing"} | {claim: value}
    from gateway.http.auth import issue_token  # the dev signing key: a validly signed token

    token = issue_token(settings, str(claims.pop("user")), claims.pop("roles"),
                        str(claims.pop("purpose")), claims)
    response = _raw(open_gateway, '{"query": "{ citizen(id: 1) { id } }"}', token)
    assert response.status_code == 401, response.text
    assert "printable text" in response.json()["errors"][0]["message"]


def test_a_user_named_in_another_script_is_answered(open_gateway: LiveGateway) -> None:
    response = open_gateway.post("{ citizen(id: 1) { id } }", user="李华")
    assert response.status_code == 200, response.text


def test_a_signed_cursor_of_the_wrong_types_is_a_bad_cursor(open_gateway: LiveGateway) -> None:
    """Signed with this gateway's key, but its values typed for another schema: 400, not 5xx."""
    import base64

    from gateway.pipeline import cursor

    page = open_gateway.post("{ citizens(first: 1) { pageInfo { endCursor } } }")
    token = page.json()["data"]["citizens"]["pageInfo"]["endCursor"]
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    order, values = json.loads(raw[16:])
    key = open_gateway.gateway.service.cursor_key
    for wrong in (["not a number"] * len(values), [True] * len(values), [["1"]] * len(values),
                  ["١٢"] * len(values), {"a": 1}):
        payload = json.dumps([order, wrong], separators=(",", ":")).encode()
        forged = base64.urlsafe_b64encode(cursor._sign(payload, key) + payload).decode()
        response = open_gateway.post("query Q($a: String) { citizens(first: 1, after: $a) "
                                     "{ nodes { id } } }", {"a": forged.rstrip("=")})
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_CURSOR"
