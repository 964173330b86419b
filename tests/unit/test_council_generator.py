"""The synthetic council generator: deterministic, realistic volumes, valid identifiers,
data-quality problems where departments copy identities, and a linkage truth that agrees with
the master person index."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from functools import lru_cache

import pytest

from council import dates
from council.batch import parse_line
from council.ddl import read_layout
from council.departments import DEPARTMENTS, department
from council.generate import all_rows
from council.identifiers import (
    is_valid_nhs_number,
    is_valid_ni_number,
    is_valid_postcode,
    is_valid_upn,
)
from council.names import VARIANTS
from council.population import Population, build_population

N = 20_000


@lru_cache(maxsize=4)
def population(citizens: int = N, seed: int = 7) -> Population:
    return build_population(citizens, seed)


@lru_cache(maxsize=4)
def rows(citizens: int = N, seed: int = 7) -> dict[str, list[list[str | None]]]:
    return {
        table: [parse_line(line) for line in lines]
        for table, lines in all_rows(citizens, seed, population(citizens, seed)).items()
    }


def citizens_by_id() -> dict[int, list[str | None]]:
    return {int(row[0]): row for row in rows()["registry.citizen"]}  # type: ignore[arg-type]


# --- determinism ----------------------------------------------------------------------------


def test_same_citizens_and_seed_give_identical_rows() -> None:
    first = all_rows(1500, 11)
    second = all_rows(1500, 11)
    assert first == second
    assert sum(len(v) for v in first.values()) > 15_000


def test_another_seed_gives_other_rows() -> None:
    assert all_rows(300, 1)["registry.citizen"] != all_rows(300, 2)["registry.citizen"]


def test_departments_are_independent_streams() -> None:
    """A department's rows depend on the population and the seed only, not on the others."""
    people = population(2000, 7)
    health = department("health")
    alone = [line for batch in health.generate(people, 7) for line in batch.rows["patient"]]
    for other in DEPARTMENTS:  # generating the others first changes nothing
        for _ in other.generate(people, 7):
            pass
    again = [line for batch in health.generate(people, 7) for line in batch.rows["patient"]]
    assert alone == again


# --- volumes --------------------------------------------------------------------------------


def test_volumes_per_citizen() -> None:
    counts = {table: len(lines) for table, lines in rows().items()}
    assert counts["registry.citizen"] == N
    department_rows = sum(n for t, n in counts.items() if not t.startswith("registry."))
    assert 10 * N <= department_rows <= 14 * N
    assert 0.83 * N <= counts["health.patient"] <= 0.93 * N
    assert 4 <= counts["health.encounter"] / counts["health.patient"] <= 8
    assert 2.5 <= counts["health.prescription"] / counts["health.patient"] <= 6
    assert 0.03 * N <= counts["socialcare.client"] <= 0.055 * N
    assert 0.10 * N <= counts["housing.tenant"] <= 0.14 * N
    assert 0.13 * N <= counts["education.pupil"] <= 0.19 * N
    assert counts["housing.rent_account"] == counts["housing.tenancy"]


def test_age_pyramid_and_registry_facts() -> None:
    people = population()
    ages = Counter(min(people.age(i) // 5, 18) for i in range(N))
    children = sum(ages[b] for b in range(3)) + ages[3] * 0.2  # 0..15
    assert 0.16 * N <= children <= 0.21 * N
    over_65 = sum(ages[b] for b in range(13, 19))
    assert 0.15 * N <= over_65 <= 0.23 * N
    citizens = rows()["registry.citizen"]
    assert 0.02 * N <= sum(row[10] == "1" for row in citizens) <= 0.04 * N  # opt-out ~3%
    deaths = sum(row[11] is not None for row in citizens)
    assert 0.005 * N <= deaths <= 0.04 * N
    assert Counter(row[4] for row in citizens).keys() <= {"F", "M", "U"}


# --- identifiers ----------------------------------------------------------------------------


def test_identifiers_are_valid_and_unique() -> None:
    citizens = rows()["registry.citizen"]
    ni = [row[5] for row in citizens if row[5]]
    assert len(ni) == len(set(ni)) and all(is_valid_ni_number(n) for n in ni)
    uprns = {row[6] for row in citizens if row[6]}
    assert all(len(u) <= 12 and u.isdigit() for u in uprns)  # type: ignore[union-attr]
    postcodes = {row[8] for row in citizens if row[8]}
    assert all(is_valid_postcode(p) and p.startswith("KF") for p in postcodes)  # type: ignore
    assert len({p.split()[0] for p in postcodes}) >= 10  # type: ignore[union-attr]
    nhs = [row[1] for row in rows()["health.patient"] if row[1]]
    valid = sum(1 for n in nhs if is_valid_nhs_number(n))  # type: ignore[arg-type]
    assert 0.98 * len(nhs) <= valid < len(nhs)  # a few with a digit mistyped
    upns = [row[1] for row in rows()["education.pupil"] if row[1]]
    valid = sum(1 for u in upns if is_valid_upn(u))  # type: ignore[arg-type]
    assert len(upns) == len(set(upns)) and valid >= 0.99 * len(upns)
    practices = {row[7] for row in rows()["health.patient"] if row[7]}
    assert all(re.fullmatch(r"[A-Z]\d{5}", p) for p in practices)  # type: ignore[arg-type]


def test_local_ids_are_their_own_number_spaces() -> None:
    for table in ("health.patient", "socialcare.client", "education.pupil", "housing.tenant"):
        ids = [int(row[0]) for row in rows()[table]]  # type: ignore[arg-type]
        assert len(ids) == len(set(ids))
        assert sum(1 <= i <= N for i in ids) < 0.01 * len(ids)  # not the citizen ids


def test_values_fit_the_ddl() -> None:
    for dept in ("registry", "health", "housing", "socialcare", "education"):
        for table in read_layout(dept).tables:
            columns = _columns(table.create)
            for row in rows()[f"{dept}.{table.short_name}"]:
                assert len(row) == len(columns), table.name
                for (name, kind, size, nullable), value in zip(columns, row, strict=True):
                    if value is None:
                        assert nullable, f"{table.name}.{name} is NOT NULL"
                    elif size is not None and kind in ("varchar", "char"):
                        assert len(value) <= size, f"{table.name}.{name}: {value!r}"


def _columns(create: str) -> list[tuple[str, str, int | None, bool]]:
    body = create[create.index("(") + 1:create.rindex(")")]
    columns = []
    for line in re.split(r",\s*\n", body):
        line = line.strip()
        match = re.match(r"(\w+)\s+(\w+)(?:\((\d+)(?:,\s*\d+)?\))?(.*)", line, re.S)
        if not match or match.group(1).upper() in ("PRIMARY", "UNIQUE"):
            continue
        rest = match.group(4).upper()
        nullable = "NOT NULL" not in rest and "PRIMARY KEY" not in rest
        size = int(match.group(3)) if match.group(3) else None
        columns.append((match.group(1), match.group(2).lower(), size, nullable))
    return columns


# --- realism of department records ----------------------------------------------------------


def test_attendance_adds_up_in_sessions() -> None:
    attendance = rows()["education.attendance"]
    for row in attendance:
        possible, attended, authorised, unauthorised = (int(v) for v in row[4:8])  # type: ignore
        assert attended + authorised + unauthorised == possible
        assert row[3] in ("autumn", "spring", "summer")
    persistent = sum(int(r[5]) / int(r[4]) < 0.9 for r in attendance)  # type: ignore[arg-type]
    assert 0.08 * len(attendance) <= persistent <= 0.4 * len(attendance)


def test_education_has_sen_and_rare_permanent_exclusions() -> None:
    sen = Counter(row[6] for row in rows()["education.pupil"])
    pupils = sum(sen.values())
    assert 0.10 * pupils <= sen["sen_support"] <= 0.2 * pupils
    assert 0.03 * pupils <= sen["ehc_plan"] <= 0.08 * pupils
    kinds = Counter(row[3] for row in rows()["education.exclusion"])
    assert kinds["suspension"] > 20 * kinds["permanent"] > 0


def test_social_care_cases() -> None:
    cases = rows()["socialcare.social_case"]
    for row in cases:
        service, team, status, closed = row[2], row[3], row[4], row[6]
        assert team.endswith(f"-{service}")  # type: ignore[union-attr]
        assert (status == "open") == (closed is None)
        if service == "children":
            assert row[7] in {f"N{k}" for k in range(1, 10)} and row[8] is None
        else:
            assert row[7] is None and row[8]
    assert {row[2] for row in cases} == {"children", "adults"}


def test_housing_tenures_arrears_and_damp() -> None:
    tenure = Counter(row[5] for row in rows()["housing.tenancy"])
    assert set(tenure) == {"secure", "introductory", "flexible"}
    assert tenure["secure"] > tenure["flexible"] > 0
    accounts = rows()["housing.rent_account"]
    in_arrears = 0
    for row in accounts:
        weekly, balance, weeks = float(row[2]), float(row[3]), int(row[4])  # type: ignore
        assert weeks == (int(-balance // weekly) if balance < 0 else 0)
        in_arrears += balance < 0
    assert 0.2 * len(accounts) <= in_arrears <= 0.5 * len(accounts)
    categories = Counter(row[3] for row in rows()["housing.repair"])
    assert categories["damp and mould"] > 0.05 * sum(categories.values())


def test_health_codes_follow_the_setting() -> None:
    for row in rows()["health.encounter"][:5000]:
        setting, system, code = row[3], row[4], row[5]
        if setting in ("inpatient", "outpatient"):
            assert system == "ICD-10" and re.fullmatch(r"[A-Z]\d\d(\.\d)?", code)  # type: ignore
        else:
            assert system == "SNOMED" and code.isdigit()  # type: ignore[union-attr]


# --- data-quality problems ------------------------------------------------------------------


def _copies(table: str, given: int, family: int, dob: int) -> list[tuple[list, list]]:
    """(department row, registry row) for every linked department record."""
    department_name = table.split(".")[0]
    truth = {(row[0], int(row[1])): int(row[2])  # type: ignore[arg-type]
             for row in rows()["registry.link_truth"]}
    citizens = citizens_by_id()
    out = []
    for row in rows()[table]:
        citizen = truth.get((department_name, int(row[0])))  # type: ignore[arg-type]
        if citizen is not None and citizen in citizens:  # not someone the registry lacks
            out.append((row, citizens[citizen]))
    return out


@pytest.mark.parametrize(
    ("table", "given", "family", "dob"),
    [("health.patient", 2, 3, 4), ("socialcare.client", 1, 2, 3),
     ("education.pupil", 2, 3, 4), ("housing.tenant", 1, 2, 3)],
)
def test_department_copies_of_identity_have_realistic_problems(
    table: str, given: int, family: int, dob: int
) -> None:
    pairs = _copies(table, given, family, dob)
    nicknames = sum(row[given] in VARIANTS.get(c[1], ()) for row, c in pairs)  # type: ignore
    other_given = sum(row[given] != c[1] for row, c in pairs)
    other_family = sum(row[family] != c[2] for row, c in pairs)
    missing_dob = sum(row[dob] is None for row, _ in pairs)
    swapped = sum(
        row[dob] is not None and row[dob] != c[3]
        and row[dob][:4] == c[3][:4]  # type: ignore[index]
        and row[dob][5:7] == c[3][8:10] and row[dob][8:10] == c[3][5:7]  # type: ignore[index]
        for row, c in pairs
    )
    assert nicknames > 0 and other_given > nicknames  # nicknames and typing slips
    assert other_family > 0
    assert swapped > 0
    assert missing_dob > 0
    assert other_given < 0.2 * len(pairs)  # most copies are right


def test_moved_citizens_keep_old_postcodes_in_departments() -> None:
    people = population()
    pairs = _copies("health.patient", 2, 3, 4)
    old = 0
    for row, citizen in pairs:
        i = int(citizen[0]) - 1  # type: ignore[arg-type]
        if people.old_postcode(i) and row[6] == people.old_postcode(i):
            old += 1
    assert old > 0.002 * len(pairs)


def test_some_identifiers_are_missing() -> None:
    patients = rows()["health.patient"]
    missing = sum(row[1] is None for row in patients)
    assert 0.005 * len(patients) <= missing <= 0.05 * len(patients)
    clients = rows()["socialcare.client"]
    assert 0.15 * len(clients) <= sum(row[5] is None for row in clients) <= 0.45 * len(clients)


# --- linkage: the master person index against the truth ---------------------------------------


def test_person_link_agrees_with_link_truth() -> None:
    truth = {(row[0], row[1]): row[2] for row in rows()["registry.link_truth"]}
    links = rows()["registry.person_link"]
    assert all(truth[(row[0], row[1])] == row[2] for row in links)  # never a false link
    per_citizen = Counter((row[2], row[0]) for row in links)
    assert max(per_citizen.values()) == 1  # UNIQUE (citizen_id, department)
    assert {row[3] for row in links} == {"deterministic", "probabilistic", "manual"}
    unlinked = len(truth) - len(links)
    assert 0.02 * len(truth) <= unlinked <= 0.12 * len(truth)
    duplicates = Counter((dept, citizen) for (dept, _), citizen in truth.items())
    assert sum(n > 1 for n in duplicates.values()) > 0  # duplicate records exist


def test_every_department_record_is_in_the_truth_or_lives_elsewhere() -> None:
    truth = {(row[0], row[1]) for row in rows()["registry.link_truth"]}
    for table, postcode in (("health.patient", 6), ("socialcare.client", 4),
                            ("education.pupil", 5), ("housing.tenant", None)):
        dept = table.split(".")[0]
        outside = 0
        for row in rows()[table]:
            if (dept, row[0]) not in truth:
                outside += 1
                assert dept == "health" and postcode is not None
                assert row[postcode].startswith("KG")  # type: ignore[union-attr]
        if dept == "health":
            assert outside > 0  # patients registered here who live outside the borough
    citizen_ids = {row[0] for row in rows()["registry.citizen"]}
    # people the registry does not hold yet have department records: their ids come after it
    lacking = {row[2] for row in rows()["registry.link_truth"]} - citizen_ids
    assert lacking and all(int(c) > len(citizen_ids) for c in lacking)  # type: ignore[arg-type]
    linked = {row[2] for row in rows()["registry.person_link"]}
    assert linked <= citizen_ids


def test_dates_are_consistent() -> None:
    today = dates.AS_OF.isoformat()
    citizens = citizens_by_id()
    for row in rows()["registry.citizen"]:
        assert row[3] <= today  # type: ignore[operator]
        if row[11]:
            assert row[3] < row[11] <= today  # type: ignore[operator]
    for row in rows()["health.encounter"][:5000]:
        assert row[2] <= today  # type: ignore[operator]
    for row in rows()["education.enrolment"]:
        assert row[5] is None or row[4] <= row[5]  # type: ignore[operator]
    assert date.fromisoformat(citizens[1][3])  # type: ignore[arg-type]
