"""Hostile documents, hostile JSON, no suggestions, and the metrics, through the whole app in
process (the parts of the hardening that need no Trino to prove; the rest is in the integration
tier, which counts what reached Trino)."""

from __future__ import annotations

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
