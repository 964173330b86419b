"""Shared helpers of the governance tests: plan a query, make a requester, copy the policy."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from graphql import GraphQLSchema, parse, validate

from gateway.contract.contract import Contract, load_contract
from gateway.ir import OperationPlan
from gateway.pipeline.plan import Planner, coerce_variables, select_operation
from gateway.requester import Requester

REPO = Path(__file__).resolve().parents[2]
POLICIES = REPO / "policies"
CURSOR_KEY = b"unit-cursor-key"

# schema.graphql has Citizen.ageBand (a String reading date_of_birth, @generalised to age_band)
# and policies/policy.csv bands it for analysts: nothing to add any more.
AGE_BAND_RULE = ""


def plan_query(contract: Contract, schema: GraphQLSchema, query: str,
               variables: dict[str, Any] | None = None) -> OperationPlan:
    document = parse(query)
    errors = validate(schema, document)
    assert not errors, errors
    operation = select_operation(document, None)
    coerced = coerce_variables(schema, operation, variables or {})
    return Planner(contract, schema, document, coerced, CURSOR_KEY).plan(operation)


def requester(roles: str | tuple[str, ...], purpose: str, team: str | None = None) -> Requester:
    roles = (roles,) if isinstance(roles, str) else roles
    return Requester("alice", roles, purpose, (("team", team),) if team else ())


def copy_policies(destination: Path, extra: str = "") -> Path:
    destination.mkdir(parents=True, exist_ok=True)
    for name in ("model.conf", "policy.csv"):
        shutil.copy(POLICIES / name, destination / name)
    if extra:
        with open(destination / "policy.csv", "a", encoding="utf-8") as handle:
            handle.write(extra)
    return destination


def contract_with_age_band(directory: Path) -> Contract:
    """The contract as shipped: it has the age band field (`directory` is kept for callers)."""
    return load_contract(REPO / "schema.graphql")
