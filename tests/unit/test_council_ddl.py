"""The department DDL files, split into what runs before the load and what runs after it."""

from __future__ import annotations

import pytest

from council.ddl import read_layout, statements
from council.departments import DEPARTMENTS, LINK_TABLES, LINKAGE_TABLES

EXPECTED = {
    "registry": ("citizen", "person_link", "link_review", "link_decision", "link_model", "link_truth"),
    "health": ("patient", "encounter", "prescription"),
    "housing": ("tenant", "tenancy", "rent_account", "repair"),
    "socialcare": ("client", "social_case", "assessment", "safeguarding_flag"),
    "education": ("pupil", "enrolment", "attendance", "exclusion"),
}


@pytest.mark.parametrize("dept", sorted(EXPECTED))
def test_tables_of_each_department(dept: str) -> None:
    layout = read_layout(dept)
    assert tuple(t.short_name for t in layout.tables) == EXPECTED[dept]


def test_generators_fill_exactly_the_ddl_tables() -> None:
    for dept in DEPARTMENTS:
        filled = set(dept.tables) | (set(LINK_TABLES + LINKAGE_TABLES) if dept.name == "registry"
                                     else set())
        assert filled == set(EXPECTED[dept.name])


def test_secondary_indexes_are_built_after_the_load() -> None:
    for dept in EXPECTED:
        for table in read_layout(dept).tables:
            assert " INDEX " not in table.create.upper().replace("\n", " ")
            assert "UNIQUE" not in table.create.upper()
    assert read_layout("registry").table("person_link").after_load == (
        "CREATE UNIQUE INDEX person_link_primary ON registry.person_link (citizen_id, department)\n"
        "    WHERE primary_record",
        "CREATE INDEX person_link_citizen ON registry.person_link (citizen_id, department)",
    )
    assert any("encounter_patient" in s for s in read_layout("health").table("encounter")
               .after_load)
    assert read_layout("education").table("attendance").after_load == (
        "CREATE INDEX attendance_pupil ON attendance (pupil_id)",
        "CREATE INDEX attendance_unauthorised ON attendance (unauthorised_absences)",
    )


def test_statements_drop_comments() -> None:
    assert statements("-- a comment; with a semicolon\nCREATE TABLE t (a int); -- x\n") == [
        "CREATE TABLE t (a int)"
    ]
