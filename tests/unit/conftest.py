from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gateway_server import ALL_CLEAR, LiveGateway, in_process_gateway
from graphql import GraphQLSchema

from council.sqlite import write_sqlite
from gateway.contract.contract import Contract, load_contract
from gateway.contract.schema import build_executable_schema

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def contract() -> Contract:
    return load_contract(REPO / "schema.graphql")


@pytest.fixture(scope="session")
def served_schema(contract: Contract) -> GraphQLSchema:
    return build_executable_schema(contract).graphql_schema


@pytest.fixture(scope="session")
def sqlite_council(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small council as the demo writes it: SQLite files, one per department."""
    directory = tmp_path_factory.mktemp("sqlite-council")
    write_sqlite(300, 7, directory)
    return directory


@pytest.fixture(scope="session")
def council_20k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A council large enough for cohorts: every shipped one finds several citizens."""
    directory = tmp_path_factory.mktemp("council-20k")
    write_sqlite(20_000, 7, directory)
    return directory


@pytest.fixture(scope="session")
def open_gateway(sqlite_council: Path,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    """The whole app in process, every field clear: HTTP and the request path, no stack. One
    user asks everything here, faster than any person: the rate limit is off."""
    with in_process_gateway(tmp_path_factory.mktemp("open-gateway"), sqlite_council,
                            ALL_CLEAR, rate_limit_per_second=0) as live:
        yield live
