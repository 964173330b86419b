"""The shipped cohorts (docs/cohorts.md) on the embedded engine, against hand-written SQL.

A council of 20,000 citizens, as the demo writes it (SQLite files); every cohort is walked page
by page through the whole app in process, and must name exactly the citizens that the
reference's own SQL finds in each department's file — no more, none twice, none missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cohorts import REFERENCE, Cohort, SqliteDepartments, shipped, walk
from gateway_server import ALL_CLEAR, LiveGateway, in_process_gateway

COHORTS = shipped()


@pytest.fixture(scope="module")
def gateway(council_20k: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    with in_process_gateway(tmp_path_factory.mktemp("cohorts"), council_20k, ALL_CLEAR,
                            rate_limit_per_second=0) as live:
        yield live


def test_every_shipped_cohort_has_a_reference() -> None:
    assert [cohort.name for cohort in COHORTS] == list(REFERENCE)


@pytest.mark.parametrize("cohort", COHORTS, ids=[cohort.name for cohort in COHORTS])
def test_cohort_equals_hand_written_sql(cohort: Cohort, council_20k: Path,
                                        gateway: LiveGateway) -> None:
    expected = cohort.reference(SqliteDepartments(council_20k))
    # the generator makes these cohorts real: a council of this size has people in each
    assert len(expected) >= 3, (cohort.name, len(expected))
    found = walk(gateway.post, cohort.document)
    assert len(found) == len(set(found)), "a citizen appears twice"
    assert {int(citizen) for citizen in found} == expected
