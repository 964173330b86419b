"""Shared helpers of the governance tests: plan a query, make a requester, copy the policy."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from graphql import GraphQLSchema, parse, validate

from gateway.contract import Contract, load_contract
from gateway.ir import OperationPlan
from gateway.plan import Planner, coerce_variables, select_operation
from gateway.requester import Requester

REPO = Path(__file__).resolve().parents[2]
POLICIES = REPO / "policies"
CURSOR_KEY = b"unit-cursor-key"

# The contract with a String field reading date_of_birth: what age_band needs to keep its type.
AGE_BAND_FIELD = '  "Age band."\n  ageBand: String @column(name: "date_of_birth")\n'
AGE_BAND_RULE = "p, analyst, service_planning, Citizen.ageBand, age_band\n"


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
    sdl = (REPO / "schema.graphql").read_text(encoding="utf-8")
    anchor = '  "Date of birth."\n  dateOfBirth: Date!\n'
    assert anchor in sdl
    path = directory / "schema.graphql"
    path.write_text(sdl.replace(anchor, anchor + AGE_BAND_FIELD, 1), encoding="utf-8")
    return load_contract(path)
