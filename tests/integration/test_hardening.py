"""Limits, introspection per role, rate limit and the access log, on the real stack.

Each limit: a request just under it is answered, one just over it is a clean 4xx with a stable
`extensions.code` and `extensions.limit`, does not echo the limit's value, and sends nothing to
Trino (counted in Trino's own system.runtime.queries by a user name unique to the case).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gateway_server import ALL_CLEAR, REPO, LiveGateway, live_gateway
from reference import FULL_VIEW

from gateway.logs import JsonFormatter

pytestmark = pytest.mark.integration



def _queries_by(trino_cursor: Any, user: str) -> int:
    trino_cursor.execute('SELECT count(*) FROM system.runtime.queries WHERE "user" = ?', [user])
    return int(trino_cursor.fetchall()[0][0])


def _user(case: str) -> str:
    return f"test-limit-{case}-{uuid.uuid4().hex[:8]}"


def _post_raw(live: LiveGateway, body: bytes, user: str,
              headers: dict[str, str] | None = None) -> httpx.Response:
    return live.http.post("/graphql", content=body, headers={
        "Authorization": f"Bearer {live.token(user)}", "Content-Type": "application/json",
        **(headers or {})})


def _refused(response: httpx.Response, status: int, code: str, limit: str | None,
             not_echoed: tuple[str, ...] = ()) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert "data" not in body
    error = body["errors"][0]
    assert error["extensions"]["code"] == code
    if limit is not None:
        assert error["extensions"]["limit"] == limit
    for value in not_echoed:
        assert value not in error["message"], f"the limit's value {value} is echoed"
    text = response.text.lower()
    for leak in ("select ", "traceback", "registry.", "did you mean"):
        assert leak not in text
    return body


# ------------------------------------------------------------------ one test per limit



def _tokens(wards: int) -> str:
    """A document of 26 + `wards` tokens (a long literal list is cheap to validate)."""
    values = " ".join(f'"w{i}"' for i in range(wards))
    return f"{{ citizens(first: 1, where: {{ward: {{in: [{values}]}}}}) {{ nodes {{ id }} }} }}"


DEEP_6 = "{ citizens(first: 1) { nodes { housing { tenancies { rentAccount { balance } } } } } }"
DEEP_7 = "{ citizens(first: 1) { edges { node { housing { tenancies { rentAccount { balance } } } } } } }"


def _aliases(count: int) -> str:
    return "{ " + " ".join(f"a{i}: __typename" for i in range(count)) + " }"


def _directives(count: int) -> str:
    return "{ " + " ".join("__typename @include(if: true)" for _ in range(count)) + " }"


# FULL_VIEW's selection as a fragment, under `citizens { nodes }`: each alias costs 2 (citizens)
# + 3 (nodes) + 1.5 x (281.375 - 2) (the full view one level deeper) = 424.06; 11 aliases
# 4,664.7, 12 aliases 5,088.8: over 5,000 while depth (6), aliases and tokens stay within.
_VIEW = FULL_VIEW[FULL_VIEW.index("citizen(id: $id) {") + len("citizen(id: $id) {"):FULL_VIEW.rindex("}")]
_VIEW = _VIEW[:_VIEW.rindex("}")]


def _costly(count: int) -> str:
    roots = " ".join(f"c{i}: citizens(first: 1) {{ nodes {{ ...V }} }}" for i in range(count))
    return f"{{ {roots} }}\nfragment V on Citizen {{ {_VIEW} }}"


LIMIT_CASES = [
    # (name, just under, just over, limit, the limit's value that must not be echoed)
    ("document size", "{ __typename }" + " " * (15_000 - 14), "{ __typename }" + " " * (15_001 - 14),
     "documentSize", "15000"),
    ("tokens", _tokens(974), _tokens(975), "tokens", "1000"),
    ("depth", DEEP_6, DEEP_7, "depth", "6"),
    ("aliases", _aliases(15), _aliases(16), "aliases", "15"),
    ("directives", _directives(50), _directives(51), "directives", "50"),
    ("cost", _costly(11), _costly(12), "cost", "5000"),
]


@pytest.mark.parametrize(("name", "under", "over", "limit", "value"), LIMIT_CASES,
                         ids=[case[0] for case in LIMIT_CASES])
def test_each_limit_just_over_is_a_clean_400_and_reaches_no_engine(
        open_gateway: LiveGateway, trino_cursor: Any, name: str, under: str, over: str,
        limit: str, value: str) -> None:
    ok = open_gateway.post(under, user=_user("under"))
    assert ok.status_code == 200, ok.text[:500]
    assert "errors" not in ok.json()
    user = _user(limit)
    response = open_gateway.post(over, user=user)
    _refused(response, 400, "LIMIT_EXCEEDED", limit, (value,))
    assert _queries_by(trino_cursor, user) == 0


def test_first_over_the_ceiling_is_bad_user_input_naming_the_limit(
        open_gateway: LiveGateway, trino_cursor: Any) -> None:
    user = _user("first")
    for query, variables in [
        ("{ citizens(first: 101) { nodes { id } } }", None),
        ("query Q($n: Int) { citizens(first: $n) { nodes { id } } }", {"n": 101}),
        ("{ citizen(id: 1) { health { encounters(first: 101) { encounterId } } } }", None),
    ]:
        _refused(open_gateway.post(query, variables, user=user), 400, "BAD_USER_INPUT", "first")
    assert open_gateway.post("{ citizens(first: 100) { nodes { id } } }").status_code == 200
    assert _queries_by(trino_cursor, user) == 0


@pytest.fixture(scope="module")
def capped_gateway(stack: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    with live_gateway(tmp_path_factory.mktemp("capped"), ALL_CLEAR,
                      list_size_limits={"Patient.encounters": 5, "Query.citizens": 10}) as live:
        yield live


def test_first_is_capped_per_field(capped_gateway: LiveGateway, trino_cursor: Any) -> None:
    user = _user("first-per-field")
    fragment = "fragment P on Patient { encounters(first: $n) { encounterId } }"
    over = [
        ("{ citizen(id: 1) { health { encounters(first: 6) { encounterId } } } }", None),
        ("query Q($n: Int) { citizen(id: 1) { health { ...P } } } " + fragment, {"n": 6}),
        ("{ citizen(id: 1) { health { encounters { encounterId } } } }", None),  # default 20
        ("{ citizens(first: 11) { nodes { id } } }", None),
    ]
    for query, variables in over:
        _refused(capped_gateway.post(query, variables, user=user), 400, "BAD_USER_INPUT", "first",
                 ("5", "10"))
    assert _queries_by(trino_cursor, user) == 0
    within = capped_gateway.post(
        "{ citizens(first: 10) { nodes { health { encounters(first: 5) { encounterId } } } } }")
    assert within.status_code == 200, within.text
    assert all(len(node["health"]["encounters"]) <= 5
               for node in within.json()["data"]["citizens"]["nodes"] if node["health"])


def test_validation_stops_after_100_errors(open_gateway: LiveGateway, trino_cursor: Any) -> None:
    user = _user("validation-errors")
    query = "{ " + " ".join(f"unknown{i}" for i in range(150)) + " }"
    body = _refused(open_gateway.post(query, user=user), 400, "GRAPHQL_VALIDATION_FAILED", None)
    errors = body["errors"]
    assert len(errors) == 101
    assert errors[-1]["extensions"] == {"code": "LIMIT_EXCEEDED", "limit": "validationErrors"}
    assert all(error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED" for error in errors[:100])
    assert _queries_by(trino_cursor, user) == 0


def test_body_over_the_size_limit_is_413(open_gateway: LiveGateway, trino_cursor: Any) -> None:
    user = _user("body")

    def body(size: int) -> bytes:
        empty = json.dumps({"query": "{ __typename }", "variables": {"pad": ""}}).encode()
        return json.dumps({"query": "{ __typename }",
                           "variables": {"pad": "x" * (size - len(empty))}}).encode()

    assert len(body(64 * 1024)) == 64 * 1024
    assert _post_raw(open_gateway, body(64 * 1024), user).status_code == 200
    _refused(_post_raw(open_gateway, body(64 * 1024 + 1), user), 413, "LIMIT_EXCEEDED",
             "bodySize", ("65536", "64"))
    # A body sent in chunks, without Content-Length, is cut off as it is read.
    chunks = iter([body(64 * 1024 + 1)[i:i + 4096] for i in range(0, 64 * 1024 + 1, 4096)])
    chunked = httpx.post(f"{open_gateway.url}/graphql", content=chunks, timeout=60, headers={
        "Authorization": f"Bearer {open_gateway.token(user)}", "Content-Type": "application/json"})
    _refused(chunked, 413, "LIMIT_EXCEEDED", "bodySize")
    assert _queries_by(trino_cursor, user) == 0


def test_batched_requests_are_refused(open_gateway: LiveGateway, trino_cursor: Any) -> None:
    user = _user("batch")
    batch = json.dumps([{"query": "{ citizen(id: 1) { id } }"}] * 2).encode()
    _refused(_post_raw(open_gateway, batch, user), 400, "LIMIT_EXCEEDED", "batch")
    assert _queries_by(trino_cursor, user) == 0


def test_repeating_a_field_a_thousand_times_is_refused_by_the_validation_budget(
        open_gateway: LiveGateway, trino_cursor: Any) -> None:
    """998 `__typename` fit the token limit, but comparing every pair of them for merging would
    be half a million comparisons: graphql-core's own budget stops it, reported as a limit."""
    user = _user("validation-budget")
    query = "{ " + " ".join(["__typename"] * 998) + " }"
    _refused(open_gateway.post(query, user=user), 400, "LIMIT_EXCEEDED", "validation")
    assert _queries_by(trino_cursor, user) == 0


def test_a_nul_character_in_a_filter_is_a_clean_400(open_gateway: LiveGateway,
                                                   trino_cursor: Any) -> None:
    """Found by the fuzzer: PostgreSQL refuses U+0000 in text, which failed in Trino as a 502."""
    user = _user("nul")
    for query, variables in [
        ('{ citizens(where: {familyName: {eq: "a\\u0000b"}}) { nodes { id } } }', None),
        ("query Q($n: [String!]) { citizens(where: {not: {ward: {in: $n}}}) { nodes { id } } }",
         {"n": ["x", "\u0000"]}),
        ('{ citizen(id: 5) { health { encounters(where: {diagnosisCode: {startsWith: "\\u0000"}})'
         " { encounterId } } } }", None),
    ]:
        _refused(open_gateway.post(query, variables, user=user), 400, "BAD_USER_INPUT", None)
    assert _queries_by(trino_cursor, user) == 0


# ------------------------------------------------------------------ introspection per role


@pytest.fixture(scope="module")
def withheld_schema_gateway(stack: Any, tmp_path_factory: pytest.TempPathFactory
                            ) -> Iterator[LiveGateway]:
    """The council's policy, with the schema withheld from analysts."""
    folder = tmp_path_factory.mktemp("no-introspection")
    policy = folder / "policy.csv"
    policy.write_text((REPO / "policies" / "policy.csv").read_text()
                      + "\np, analyst, *, Query.__schema, deny\n")
    with live_gateway(folder, policy) as live:
        yield live


def test_introspection_follows_the_policy_and_typename_still_works(
        withheld_schema_gateway: LiveGateway, trino_cursor: Any) -> None:
    live = withheld_schema_gateway
    analyst = {"user": _user("analyst"), "roles": ("analyst",), "purpose": "service_planning"}
    for query in ["{ __schema { queryType { name } } }", '{ __type(name: "Citizen") { name } }',
                  "query { ...F } fragment F on Query { __schema { types { name } } }",
                  "{ citizens(first: 1) { nodes { ward } } __type(name: \"Citizen\") { name } }"]:
        _refused(live.post(query, **analyst), 403, "INTROSPECTION_DISABLED", None)  # type: ignore[arg-type]
    assert _queries_by(trino_cursor, analyst["user"]) == 0  # type: ignore[arg-type]
    typename = live.post("{ __typename }", **analyst)  # type: ignore[arg-type]
    assert typename.status_code == 200 and typename.json()["data"] == {"__typename": "Query"}
    data = live.post("{ citizens(first: 2) { __typename nodes { __typename ward } } }",
                     **analyst)  # type: ignore[arg-type]
    assert data.status_code == 200, data.text
    assert data.json()["data"]["citizens"]["__typename"] == "CitizenConnection"
    caseworker = live.post("{ __schema { queryType { name } } }", roles=("caseworker",),
                           purpose="direct_care", team="north-children")
    assert caseworker.status_code == 200
    assert caseworker.json()["data"]["__schema"]["queryType"]["name"] == "Query"


# ------------------------------------------------------------------ rate limit, metrics, logs


def test_rate_limit_per_user_is_429_with_retry_after(stack: Any, tmp_path: Path,
                                                      trino_cursor: Any) -> None:
    with live_gateway(tmp_path, ALL_CLEAR, rate_limit_per_second=1, rate_limit_burst=3) as live:
        user = _user("rate")
        statuses = [live.post("{ __typename }", user=user).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        refused = live.post("{ citizen(id: 1) { id } }", user=user)
        _refused(refused, 429, "RATE_LIMITED", None)
        assert int(refused.headers["retry-after"]) >= 1
        assert live.post("{ __typename }", user=_user("other")).status_code == 200
        time.sleep(1.1)
        assert live.post("{ __typename }", user=user).status_code == 200
        records = [record for record in live.gateway.audit.records() if record["user"] == user]
        assert len(records) == 4  # answered ones only: a rate-limited request is not audited
        metrics = live.http.get("/metrics").text
        assert 'gateway_backpressure_rejections_total{reason="rate_limited"} 1.0' in metrics
    assert _queries_by(trino_cursor, user) == 0


def test_one_json_access_line_per_request_without_data_values(
        open_gateway: LiveGateway, caplog: pytest.LogCaptureFixture) -> None:
    user = _user("access-log")
    caplog.set_level(logging.INFO, logger="gateway.access")
    response = open_gateway.post(FULL_VIEW, {"id": "7"}, user=user, purpose="testing")
    assert response.status_code == 200
    refused = open_gateway.post(DEEP_7, user=user)
    assert refused.status_code == 400
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        mine = [r for r in caplog.records if r.name == "gateway.access" and getattr(r, "user", "") == user]
        if len(mine) == 2:
            break
        time.sleep(0.05)
    assert len(mine) == 2
    lines = [json.loads(JsonFormatter().format(record)) for record in mine]
    answered, limited = lines
    assert answered["outcome"] == "answered" and answered["status"] == 200
    assert answered["roles"] == ["tester"] and answered["purpose"] == "testing"
    assert len(answered["operation"]) == 16
    assert len(answered["engine_query_ids"]) == 2
    assert {"plan", "authorize", "execute"} <= set(answered["stages_ms"])  # parse: if not cached
    assert answered["citizens"] == 1 and answered["duration_ms"] > 0
    assert limited["outcome"] == "refused" and limited["code"] == "LIMIT_EXCEEDED"
    assert limited["limit"] == "depth" and limited["engine_query_ids"] == []
    citizen = response.json()["data"]["citizen"]
    text = json.dumps(lines)
    for value in (citizen["familyName"], citizen["givenName"], citizen["niNumber"],
                  citizen["postcode"], '"7"', "query FullView"):
        if value:
            assert value not in text, f"{value!r} is in the access log"


def test_a_user_named_in_another_script_reaches_trino(open_gateway: LiveGateway,
                                                      trino_cursor: Any) -> None:
    """Trino's user is an HTTP header (Latin-1): the name goes percent-encoded, not as a 5xx."""
    response = open_gateway.post("{ citizen(id: 1) { id familyName } }", user="李华 (north)")
    assert response.status_code == 200, response.text
    trino_cursor.execute("SELECT count(*) FROM system.runtime.queries "
                         "WHERE \"user\" = '%E6%9D%8E%E5%8D%8E (north)'")
    assert trino_cursor.fetchone()[0] >= 1
