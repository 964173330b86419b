"""Generated queries against the running gateway (hypothesis-graphql), bounded in count and time.

For each requester (role, purpose) the queries are generated from that role's view of the schema
(the served schema less the fields the policy denies it), valid ones and invalid ones, plus raw
text. Every answer must be: not a 5xx; free of a stack trace and of SQL; and free of any value, in
clear, of a field the policy masks for that requester — the masked fields' clear values are read
straight from the departments (through Trino, as a test user) and none may come back.
"""

from __future__ import annotations

import datetime
import json
import re
import time
from collections.abc import Iterator
from copy import copy
from typing import Any

import graphql
import httpx
import pytest
from gateway_server import LiveGateway, live_gateway
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, queries

from gateway.contract.contract import ColumnField, Contract
from gateway.policy.objects import QUERY

pytestmark = pytest.mark.integration

REQUESTERS = [  # (role, purpose, attributes)
    ("analyst", "service_planning", {}),
    ("caseworker", "safeguarding", {"team": "north-children"}),
    ("clinician", "safeguarding", {}),
]
EXAMPLES = {Mode.POSITIVE: 60, Mode.NEGATIVE: 25}
SECONDS = {Mode.POSITIVE: 75.0, Mode.NEGATIVE: 30.0}  # per requester: later examples are skipped
CONNECTION_TYPES = {"CitizenConnection", "CitizenEdge", "PageInfo"}
LEAKS = re.compile(r"traceback|\bselect\b.+\bfrom\b|\bjoin\b\s+\"|\.py\", line|trino|jdbc|"
                   r"registry\.registry|socialcare\.socialcare", re.IGNORECASE | re.DOTALL)
DATE = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2030, 12, 31)).map(
    lambda day: graphql.StringValueNode(value=day.isoformat()))
# Mostly values the gateway accepts (so the queries reach Trino), sometimes anything at all.
_CITIZEN = st.integers(1, 2_100)
ID = st.one_of(_CITIZEN.map(lambda n: graphql.StringValueNode(value=str(n))),
               _CITIZEN.map(lambda n: graphql.IntValueNode(value=str(n))),
               _CITIZEN.map(lambda n: graphql.StringValueNode(value=str(n))),
               st.text(max_size=25).map(lambda text: graphql.StringValueNode(value=text)))
INT = st.one_of(st.integers(0, 100), st.integers(0, 100), st.integers(0, 100),
                st.integers(-(2**31), 2**31 - 1)).map(lambda n: graphql.IntValueNode(value=str(n)))
SCALARS = {"Date": DATE, "ID": ID, "Int": INT}


@pytest.fixture(scope="module")
def fuzz_gateway(stack: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    """The council's own policy; rate limit off (the fuzzer is one user asking fast)."""
    with live_gateway(tmp_path_factory.mktemp("fuzz"), rate_limit_per_second=0) as live:
        yield live


def _verdicts(live: LiveGateway, role: str, purpose: str) -> Any:
    return live.gateway.policies.current().decisions((role,), purpose)


def _without_argument(field: graphql.FieldDefinitionNode, name: str) -> graphql.FieldDefinitionNode:
    pruned = copy(field)
    pruned.arguments = tuple(a for a in field.arguments or () if a.name.value != name)
    return pruned


def role_schema(live: LiveGateway, role: str, purpose: str) -> graphql.GraphQLSchema:
    """The served schema less every field the policy denies this requester (and less `after`,
    which a generator can only fill with cursors the gateway refuses)."""
    decisions = _verdicts(live, role, purpose)
    contract: Contract = live.gateway.contract
    document = graphql.parse(graphql.print_schema(live.gateway.schema))
    kept: dict[str, Any] = {}
    for definition in document.definitions:
        if isinstance(definition, graphql.ObjectTypeDefinitionNode):
            name = definition.name.value
            if name in CONNECTION_TYPES:
                kept[name] = definition
                continue
            prefix = QUERY if name == "Query" else name
            fields = tuple(field for field in definition.fields or ()
                           if (name not in contract.objects and name != "Query")
                           or decisions.field(f"{prefix}.{field.name.value}").decision != "deny")
            if name == "Query":  # random cursors are only ever refused (BAD_CURSOR): leave them out
                fields = tuple(_without_argument(field, "after") for field in fields)
            pruned = copy(definition)
            pruned.fields = fields
            kept[name] = pruned
    changed = True
    while changed:  # drop types left without fields, and the fields that lead to them
        changed = False
        empty = {name for name, node in kept.items() if not node.fields}
        for name, node in list(kept.items()):
            fields = tuple(f for f in node.fields if graphql.get_named_type(
                graphql.type_from_ast(live.gateway.schema, f.type)).name not in empty)  # type: ignore[union-attr]
            if len(fields) != len(node.fields):
                pruned = copy(node)
                pruned.fields = fields
                kept[name] = pruned
                changed = True
        for name in empty:
            if name in kept and name != "Query":
                del kept[name]
                changed = True
    definitions = [kept.get(d.name.value) if isinstance(d, graphql.ObjectTypeDefinitionNode)
                   else d for d in document.definitions]
    pruned_document = graphql.DocumentNode(definitions=tuple(d for d in definitions if d is not None))
    return graphql.build_ast_schema(pruned_document)


def masked_values(live: LiveGateway, trino_cursor: Any, role: str, purpose: str) -> set[str]:
    """Clear values of the string/id/date fields this requester sees masked (not redacted to
    null only: every mask), read straight from the departments."""
    decisions = _verdicts(live, role, purpose)
    contract: Contract = live.gateway.contract
    secrets: set[str] = set()
    for info in contract.objects.values():
        for name, field in info.fields.items():
            if not isinstance(field, ColumnField) or field.kind not in ("id", "string", "date"):
                continue
            verdict = decisions.field(f"{info.name}.{name}").decision
            if verdict in ("clear", "deny"):
                continue
            table = info.table
            trino_cursor.execute(f'SELECT DISTINCT CAST("{field.column}" AS varchar) FROM '
                                 f'"{table.catalog}"."{table.schema}"."{table.table}" '
                                 f'WHERE "{field.column}" IS NOT NULL')
            secrets.update(value for (value,) in trino_cursor.fetchall() if len(value) >= 3)
    # What a mask itself may show for someone else's value: a date on 1 January (the year mask),
    # an outward code alone (the district mask).
    return {value for value in secrets
            if not re.fullmatch(r"\d{4}-01-01", value)
            and not re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?", value)}


def _string_leaves(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _string_leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _string_leaves(item)


def _check(response: httpx.Response, secrets: set[str], long_secrets: list[str]) -> None:
    assert response.status_code < 500, response.text[:1000]
    text = response.text
    assert not LEAKS.search(text), text[:1000]
    body = response.json()
    assert "data" in body or "errors" in body
    if response.status_code != 200:
        assert "data" not in body
        assert all(error["extensions"]["code"] for error in body["errors"])
    leaked = [leaf for leaf in _string_leaves(body.get("data")) if leaf in secrets]
    assert not leaked, f"masked values in clear: {leaked[:5]}"
    inside = [secret for secret in long_secrets if secret in text]
    assert not inside, f"masked values in clear inside the answer: {inside[:5]}"


class Tally:
    def __init__(self) -> None:
        self.statuses: dict[int, int] = {}
        self.codes: dict[str, int] = {}

    def add(self, response: httpx.Response) -> None:
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        if response.status_code != 200:
            code = response.json()["errors"][0]["extensions"]["code"]
            self.codes[code] = self.codes.get(code, 0) + 1


@pytest.mark.parametrize(("role", "purpose", "attributes"), REQUESTERS,
                         ids=[f"{r[0]}-{r[1]}" for r in REQUESTERS])
@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE], ids=["valid", "invalid"])
def test_generated_queries_never_fail_or_leak(fuzz_gateway: LiveGateway, trino_cursor: Any,
                                               role: str, purpose: str, attributes: dict[str, str],
                                               mode: Mode) -> None:
    live = fuzz_gateway
    schema = role_schema(live, role, purpose)
    secrets = masked_values(live, trino_cursor, role, purpose)
    long_secrets = [s for s in secrets if len(s) >= 8 and any(c.isdigit() for c in s)]
    token = live.token(f"fuzz-{role}", (role,), purpose, **attributes)
    client = httpx.Client(base_url=live.url, timeout=60,
                          headers={"Authorization": f"Bearer {token}"})
    tally = Tally()
    ends = time.monotonic() + SECONDS[mode]

    @settings(max_examples=EXAMPLES[mode], deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(query=queries(schema, custom_scalars=SCALARS if mode is Mode.POSITIVE
                          else {"Date": DATE}, mode=mode))
    def run(query: str) -> None:
        assume(time.monotonic() < ends)
        response = client.post("/graphql", json={"query": query})
        tally.add(response)
        _check(response, secrets, long_secrets)

    try:
        run()
    finally:
        client.close()
    print(f"{role}/{purpose} {mode.name}: {sum(tally.statuses.values())} requests, "
          f"statuses {dict(sorted(tally.statuses.items()))}, codes {tally.codes}")
    assert sum(tally.statuses.values()) >= 10
    if mode is Mode.POSITIVE:
        assert tally.statuses.get(200, 0) > 0, tally.statuses


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(text=st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode(
    "latin-1")), st.lists(st.sampled_from(["{", "}", "(", ")", "[", "]", "citizen", "citizens",
                                           "id:", "1", '"x"', "...", "on", "fragment", "query",
                                           "@include(if: true)", "$v", "first:", "nodes",
                                           "health", "__schema", "__typename", ","]),
                          max_size=60).map(" ".join)))
def test_raw_text_never_fails_or_leaks(fuzz_gateway: LiveGateway, text: str) -> None:
    token = fuzz_gateway.token("fuzz-raw", ("caseworker",), "direct_care", team="north-children")
    for response in (
        httpx.post(f"{fuzz_gateway.url}/graphql", json={"query": text}, timeout=60,
                   headers={"Authorization": f"Bearer {token}"}),
        httpx.post(f"{fuzz_gateway.url}/graphql", content=text.encode("utf-8", "surrogatepass"),
                   timeout=60, headers={"Authorization": f"Bearer {token}",
                                        "Content-Type": "application/json"}),
    ):
        assert response.status_code < 500, (text, response.text[:500])
        assert not LEAKS.search(response.text), response.text[:500]
        json.loads(response.text)
