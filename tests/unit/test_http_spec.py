"""GraphQL over HTTP, checked against the specification's MUST/SHOULD list on the gateway in process.

The cases follow the graphql-http audit list (graphql/graphql-http). Where the gateway deviates on
purpose (README: request errors are 4xx also for application/json; no Accept or */* gets
application/json; batching refused), the test says so.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from gateway_server import LiveGateway

GQL = "application/graphql-response+json"
JSON = "application/json"
QUERY = "{ __typename }"


def _post(live: LiveGateway, body: Any, accept: str | None = GQL, raw: bytes | None = None,
          content_type: str | None = JSON) -> httpx.Response:
    headers = {"Authorization": f"Bearer {live.token()}"}
    if accept is not None:
        headers["Accept"] = accept
    if content_type is not None:
        headers["Content-Type"] = content_type
    content = raw if raw is not None else json.dumps(body).encode()
    return live.http.post("/graphql", content=content, headers=headers, timeout=60)


def _get(live: LiveGateway, params: dict[str, str], accept: str | None = GQL) -> httpx.Response:
    headers = {"Authorization": f"Bearer {live.token()}"}
    if accept is not None:
        headers["Accept"] = accept
    return live.http.get("/graphql", params=params, headers=headers, timeout=60)


def _request_error(response: httpx.Response, status: int = 400) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert "data" not in body, "a request error has no data entry"
    assert body["errors"] and body["errors"][0]["extensions"]["code"]


@pytest.mark.parametrize("accept", [GQL, JSON])
def test_media_type_matches_the_accept_header_and_is_utf8(open_gateway: LiveGateway,
                                                         accept: str) -> None:
    response = _post(open_gateway, {"query": QUERY}, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert "accept" in response.headers["vary"].lower()
    assert response.json() == {"data": {"__typename": "Query"},
                               "extensions": {"timings": response.json()["extensions"]["timings"]}}


@pytest.mark.parametrize("accept", [None, "*/*"])
def test_no_accept_or_any_gets_application_json(open_gateway: LiveGateway,
                                                accept: str | None) -> None:
    """Deliberate: the specification's pre-2025 default, which existing clients rely on."""
    response = _post(open_gateway, {"query": QUERY}, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(JSON)


def test_unacceptable_accept_is_406(open_gateway: LiveGateway) -> None:
    for accept in ["text/html", f"{GQL};q=0", "application/xml, text/plain"]:
        _request_error(_post(open_gateway, {"query": QUERY}, accept=accept), 406)


def test_request_body_encoding(open_gateway: LiveGateway) -> None:
    for content_type in ["application/json; charset=utf-8", "application/json;charset=UTF-8",
                         "application/json"]:
        assert _post(open_gateway, {"query": QUERY}, content_type=content_type).status_code == 200
    _request_error(_post(open_gateway, {"query": QUERY},
                         content_type="application/json; charset=iso-8859-1"), 415)
    _request_error(_post(open_gateway, {"query": QUERY}, content_type=None), 415)
    _request_error(_post(open_gateway, {"query": QUERY}, content_type="application/graphql"), 415)
    _request_error(_post(open_gateway, None, raw=b'{"query": "{ \xff }"}'), 400)  # not utf-8
    _request_error(_post(open_gateway, None, raw=b""), 400)  # a POST must have a body


PARAMETER_CASES = [
    ("missing query", {}),
    ("object query", {"query": {"a": 1}}),
    ("number query", {"query": 1}),
    ("boolean query", {"query": True}),
    ("array query", {"query": [QUERY]}),
    ("object operationName", {"query": QUERY, "operationName": {}}),
    ("number operationName", {"query": QUERY, "operationName": 1}),
    ("boolean operationName", {"query": QUERY, "operationName": True}),
    ("array operationName", {"query": QUERY, "operationName": []}),
    ("string variables", {"query": QUERY, "variables": "{}"}),
    ("number variables", {"query": QUERY, "variables": 1}),
    ("boolean variables", {"query": QUERY, "variables": False}),
    ("array variables", {"query": QUERY, "variables": []}),
    ("string extensions", {"query": QUERY, "extensions": "{}"}),
    ("number extensions", {"query": QUERY, "extensions": 1}),
    ("boolean extensions", {"query": QUERY, "extensions": True}),
    ("array extensions", {"query": QUERY, "extensions": []}),
]


@pytest.mark.parametrize(("name", "body"), PARAMETER_CASES, ids=[c[0] for c in PARAMETER_CASES])
@pytest.mark.parametrize("accept", [GQL, JSON])
def test_bad_parameters_are_400(open_gateway: LiveGateway, name: str, body: dict[str, Any],
                                accept: str) -> None:
    """For application/json the specification says SHOULD 200; deliberately 400 here too."""
    _request_error(_post(open_gateway, body, accept=accept))


def test_good_parameters_are_allowed(open_gateway: LiveGateway) -> None:
    for body in [{"query": QUERY, "operationName": None, "variables": None, "extensions": None},
                 {"query": "query Q { __typename }", "operationName": "Q", "variables": {},
                  "extensions": {"persistedQuery": None}},
                 {"query": QUERY, "unknownParameter": 1}]:
        response = _post(open_gateway, body)
        assert response.status_code == 200, (body, response.text)


@pytest.mark.parametrize("accept", [GQL, JSON])
def test_json_parse_and_document_failures_are_400_without_data(open_gateway: LiveGateway,
                                                               accept: str) -> None:
    _request_error(_post(open_gateway, None, accept=accept, raw=b"{not json"))
    _request_error(_post(open_gateway, {"query": "{"}, accept=accept))
    _request_error(_post(open_gateway, {"query": "{ notAField }"}, accept=accept))


def test_get_runs_queries_with_url_encoded_variables(open_gateway: LiveGateway) -> None:
    response = _get(open_gateway, {
        "query": "query Q($id: ID!) { citizen(id: $id) { id } }", "operationName": "Q",
        "variables": json.dumps({"id": "3"}), "extensions": json.dumps({})})
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"citizen": {"id": "3"}}
    assert response.headers["content-type"].startswith(GQL)


def test_get_never_runs_a_mutation(open_gateway: LiveGateway) -> None:
    document = "query Q { __typename } mutation M { __typename }"
    response = _get(open_gateway, {"query": document, "operationName": "M"})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert _get(open_gateway, {"query": document, "operationName": "Q"}).status_code == 200
    _request_error(_get(open_gateway, {"query": QUERY, "variables": "{not json"}))
    _request_error(_get(open_gateway, {}))


def test_other_methods_are_405(open_gateway: LiveGateway) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        response = open_gateway.http.request(method, "/graphql",
                                 headers={"Authorization": f"Bearer {open_gateway.token()}"})
        assert response.status_code == 405, method
        assert "POST" in response.headers["allow"]


def test_status_codes_by_failure_kind(open_gateway: LiveGateway) -> None:
    cases = [
        (_post(open_gateway, {"query": "{ citizen(id: 1) { id } }"}, accept=GQL), 200),
        (open_gateway.http.post("/graphql", json={"query": QUERY}), 401),
        (open_gateway.post("{ citizen(id: 1) { id } }", roles=("wizard",)), 403),
        (open_gateway.post('{ citizen(id: "x") { id } }'), 400),
    ]
    for response, status in cases:
        assert response.status_code == status, response.text
        if status != 200:
            assert "data" not in response.json()
        assert response.headers["cache-control"] == "no-store"
