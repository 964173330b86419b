"""The shipped cohorts (docs/cohorts.md) on the real stack, against hand-written SQL.

Each cohort is walked page by page through a gateway on Trino (over PostgreSQL and MariaDB),
through the embedded engine attached to the same servers, and through the embedded engine over
the demo's SQLite files of the same council (its seed, its size); each must name exactly the
citizens that the reference's own SQL finds in each department's server database
(tests/support/cohorts.py).
The stack's council is small (2,000 citizens), so each cohort is also asked with looser values
that the reference shows match someone: a filter that matched nobody would not pass.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from cohorts import Cohort, shipped, walk
from gateway_server import ALL_CLEAR, LiveGateway, live_gateway
from reference import Reference

from council.sqlite import write_sqlite
from stack.settings import Settings

pytestmark = pytest.mark.integration

COHORTS = shipped()
LOOSER: dict[str, dict[str, Any]] = {  # values that find someone among 2,000 citizens
    "ChildProtectionAndAbsence": {"absences": 4},
    "ChildrenInNeedExcluded": {"since": "2024-09-01"},
    "AdultCareWithoutGP": {},
    "ArrearsAndAdultCare": {"weeks": 0},  # any current tenancy: few adults in care here
    "UnderFivesNotSeen": {},
    "ChildrenInNeedAbsentEmergency": {"absences": 3, "since": "2024-04-01"},
}
ASKED = [(cohort, values) for cohort in COHORTS for values in ({}, LOOSER[cohort.name])]


@pytest.fixture(scope="module")
def engines(stack: Settings, reference: Reference,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LiveGateway]]:
    for name, value in stack.connector_env().items():  # what connectors/*.properties name
        os.environ.setdefault(name, value)
    with reference.cursor("registry") as cursor:
        cursor.execute("SELECT count(*) FROM citizen")
        citizens = int(cursor.fetchone()[0])
    files = tmp_path_factory.mktemp("cohorts-sqlite")
    write_sqlite(citizens, stack.seed, files)
    chosen: dict[str, dict[str, Any]] = {
        "trino": {}, "duckdb": {"engine": "duckdb"},
        "duckdb-sqlite": {"engine": "duckdb", "duckdb_sqlite_dir": files}}
    with ExitStack() as servers:
        yield {engine: servers.enter_context(live_gateway(
            tmp_path_factory.mktemp(f"cohorts-{engine}"), ALL_CLEAR, access_log=False,
            rate_limit_per_second=0, **overrides))
            for engine, overrides in chosen.items()}


@pytest.mark.parametrize(("cohort", "values"), ASKED,
                         ids=[f"{c.name}-{'looser' if v else 'shipped'}" for c, v in ASKED])
@pytest.mark.parametrize("engine", ["trino", "duckdb", "duckdb-sqlite"])
def test_cohort_equals_hand_written_sql(engine: str, cohort: Cohort, values: dict[str, Any],
                                        engines: dict[str, LiveGateway],
                                        reference: Reference) -> None:
    expected = cohort.reference(reference, **values)
    if values:
        assert expected, f"{cohort.name}: the looser values match nobody in this council"
    found = walk(engines[engine].post, cohort.document, **values)
    assert len(found) == len(set(found)), "a citizen appears twice"
    assert {int(citizen) for citizen in found} == expected
