"""The shipped cohorts (docs/cohorts.md) on the embedded engine, against hand-written SQL.

A council of 20,000 citizens, as the demo writes it (SQLite files); every cohort is walked page
by page through the whole app in process, and must name exactly the citizens that the
reference's own SQL finds in each department's file — no more, none twice, none missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cohorts import REFERENCE, WHERE_PAGE, Cohort, Departments, SqliteDepartments, linked, shipped, walk
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


DAMP = "SELECT r.tenancy_id FROM repair r WHERE r.category = 'damp and mould'"
NESTED: dict[str, tuple[dict[str, Any], Callable[[Departments], set[int]]]] = {
    "a list in a list: tenancies with a damp repair": (
        {"housing": {"tenancies": {"some": {"repairs": {"some": {
            "category": {"eq": "damp and mould"}}}}}}},
        lambda db: linked(db, "housing", "SELECT t.tenant_id FROM tenancy t "
                          f"WHERE t.tenancy_id IN ({DAMP})")),
    "a list in a list, none: no tenancy with a damp repair": (
        {"housing": {"tenancies": {"none": {"repairs": {"some": {
            "category": {"eq": "damp and mould"}}}}}}},
        lambda db: linked(db, "housing", "SELECT tenant_id FROM tenant")
        - linked(db, "housing", "SELECT t.tenant_id FROM tenancy t "
                 f"WHERE t.tenancy_id IN ({DAMP})")),
    "a record in a list: a current tenancy eight weeks in arrears": (
        {"housing": {"tenancies": {"some": {"endDate": {"isNull": True},
                                            "rentAccount": {"arrearsWeeks": {"gte": 8}}}}}},
        lambda db: linked(db, "housing", "SELECT t.tenant_id FROM tenancy t JOIN rent_account a "
                          "ON a.tenancy_id = t.tenancy_id "
                          "WHERE t.end_date IS NULL AND a.arrears_weeks >= 8")),
    "assessments of open cases: a section 47 enquiry": (
        {"socialCare": {"cases": {"some": {"status": {"eq": "OPEN"}, "assessments": {
            "some": {"assessmentType": {"eq": "section 47 enquiry"}}}}}}},
        lambda db: linked(db, "socialcare", "SELECT c.client_id FROM social_case c "
                          "WHERE c.status = 'open' AND c.case_id IN (SELECT case_id FROM "
                          "assessment WHERE assessment_type = 'section 47 enquiry')")),
    "a department record with a list and its own field": (
        {"education": {"freeSchoolMeals": {"eq": True},
                       "exclusions": {"some": {"exclusionType": {"eq": "PERMANENT"}}}}},
        lambda db: linked(db, "education", "SELECT p.pupil_id FROM pupil p "
                          "WHERE p.free_school_meals AND p.pupil_id IN (SELECT pupil_id FROM "
                          "exclusion WHERE exclusion_type = 'permanent')")),
    "two lists of one record": (
        {"health": {"encounters": {"some": {"setting": {"eq": "INPATIENT"}}},
                    "prescriptions": {"some": {"isRepeat": {"eq": True}}}}},
        lambda db: linked(db, "health", "SELECT patient_id FROM encounter "
                          "WHERE setting = 'inpatient'")
        & linked(db, "health", "SELECT patient_id FROM prescription WHERE is_repeat")),
}


@pytest.mark.parametrize("name", list(NESTED))
def test_nested_filters_equal_hand_written_sql(name: str, council_20k: Path,
                                               gateway: LiveGateway) -> None:
    where, reference = NESTED[name]
    expected = reference(SqliteDepartments(council_20k))
    assert expected, f"{name}: the reference finds nobody"
    found = walk(gateway.post, WHERE_PAGE, where=where)
    assert len(found) == len(set(found))
    assert {int(citizen) for citizen in found} == expected
