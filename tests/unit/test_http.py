"""GraphQL over HTTP: methods, media types, status codes and credentials (the app in process)."""

from __future__ import annotations

import time

import jwt
import pytest
from gateway_server import LiveGateway

QUERY = "{ citizen(id: 1) { id } }"


def _auth(live: LiveGateway) -> dict[str, str]:
    return {"Authorization": f"Bearer {live.token()}"}


def test_get_runs_a_query(open_gateway: LiveGateway) -> None:
    response = open_gateway.http.get("/graphql", params={"query": QUERY},
                         headers=_auth(open_gateway))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["data"]["citizen"]["id"] == "1"


def test_graphql_response_media_type_when_accepted(open_gateway: LiveGateway) -> None:
    response = open_gateway.http.post("/graphql", json={"query": QUERY},
                          headers={**_auth(open_gateway),
                                   "Accept": "application/graphql-response+json, application/json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/graphql-response+json")


def test_mutation_over_get_is_405(open_gateway: LiveGateway) -> None:
    response = open_gateway.http.get("/graphql", params={"query": "mutation { x }"},
                         headers=_auth(open_gateway))
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]


@pytest.mark.parametrize(("content", "headers", "status"), [
    ("query=1", {"Content-Type": "application/x-www-form-urlencoded"}, 415),
    ("{not json", {"Content-Type": "application/json"}, 400),
    ('["a list"]', {"Content-Type": "application/json"}, 400),
    ('{"query": 42}', {"Content-Type": "application/json"}, 400),
    ('{"query": "{ citizen(id: 1) { id } }", "variables": "x"}',
     {"Content-Type": "application/json"}, 400),
    ('{"query": "{ citizen(id: 1) { id } }"}',
     {"Content-Type": "application/json", "Accept": "text/html"}, 406),
])
def test_malformed_requests_are_refused_clearly(open_gateway: LiveGateway, content: str,
                                                headers: dict[str, str], status: int) -> None:
    response = open_gateway.http.post("/graphql", content=content,
                          headers={**_auth(open_gateway), **headers})
    assert response.status_code == status
    error = response.json()["errors"][0]
    assert error["message"] and error["extensions"]["code"]


def _token(live: LiveGateway, **claims: object) -> str:
    now = int(time.time())
    body = {"sub": "eve", "roles": ["tester"], "purpose": "testing", "iss": live.settings.jwt_issuer,
            "aud": live.settings.jwt_audience, "iat": now, "exp": now + 600, **claims}
    secret = live.gateway.verifier.secret
    assert secret is not None
    return jwt.encode(body, secret, algorithm="HS256")


def test_credentials(open_gateway: LiveGateway) -> None:
    cases = {
        "none": ({}, 401),
        "not bearer": ({"Authorization": "Basic dXNlcjpwYXNz"}, 401),
        "forged": ({"Authorization": "Bearer " + jwt.encode(
            {"sub": "eve", "roles": ["tester"], "purpose": "testing"},
            "a-forger-does-not-know-the-gateway-key", algorithm="HS256")}, 401),
        "expired": ({"Authorization": "Bearer " + _token(open_gateway, exp=int(time.time()) - 60)},
                    401),
        "wrong audience": ({"Authorization": "Bearer " + _token(open_gateway, aud="someone-else")},
                           401),
        "unknown role": ({"Authorization": "Bearer " + _token(open_gateway, roles=["wizard"])},
                         403),
        "unknown purpose": ({"Authorization": "Bearer " + _token(open_gateway, purpose="curiosity")},
                            403),
    }
    for name, (headers, status) in cases.items():
        response = open_gateway.http.post("/graphql", json={"query": QUERY}, headers=headers)
        assert response.status_code == status, name
        body = response.json()
        assert "data" not in body, name
        assert body["errors"][0]["extensions"]["code"] in ("UNAUTHENTICATED", "FORBIDDEN"), name
        if status == 401:
            assert response.headers["www-authenticate"].startswith("Bearer"), name


def test_health_and_readiness(open_gateway: LiveGateway) -> None:
    assert open_gateway.http.get("/healthz").json() == {"status": "ok"}
    ready = open_gateway.http.get("/readyz", timeout=60)
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert {name for name, value in checks.items() if value == "ok"} >= {
        "registry", "health", "socialcare", "education", "housing"}
