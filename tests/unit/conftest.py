from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLSchema

from gateway.contract.contract import Contract, load_contract
from gateway.contract.schema import build_executable_schema

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def contract() -> Contract:
    return load_contract(REPO / "schema.graphql")


@pytest.fixture(scope="session")
def served_schema(contract: Contract) -> GraphQLSchema:
    return build_executable_schema(contract).graphql_schema
