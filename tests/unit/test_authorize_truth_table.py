"""The access truth table: role × purpose × field → clear, a mask kind, or refused.

Each row is planned from a real GraphQL query reaching the field and authorized against the
shipped policy (policies/), so a row checks the whole path: contract, policy, matcher, strictest
decision, and the mask placed on the planned column. The contract here has one field more than
schema.graphql, `Citizen.ageBand: String` reading date_of_birth, and the policy the one line that
bands it for analysts (the line policy.csv shows commented out): age_band needs a String field.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from governance_support import (
    AGE_BAND_RULE,
    contract_with_age_band,
    copy_policies,
    plan_query,
    requester,
)
from graphql import GraphQLSchema

from gateway.contract.contract import ColumnField, Contract
from gateway.contract.schema import build_executable_schema
from gateway.ir import Column, Nested, Selection
from gateway.policy.authorize import Refused, authorize
from gateway.policy.policy import Policy, read_policy

# role(s: a+b holds both)       purpose           field                               expected
TRUTH_TABLE = """
caseworker                      direct_care       Query.citizen                       clear
caseworker                      direct_care       Citizen.givenName                   clear
caseworker                      direct_care       Citizen.niNumber                    partial
caseworker                      direct_care       Citizen.health                      refused
caseworker                      direct_care       SocialCase.categoryOfNeed           clear
caseworker                      direct_care       Assessment.outcome                  clear
caseworker                      direct_care       Pupil.senProvision                  refused
caseworker                      safeguarding      Pupil.senProvision                  clear
caseworker                      safeguarding      Tenant.niNumber                     partial
caseworker                      safeguarding      Patient.nhsNumber                   partial
caseworker                      safeguarding      Patient.gpPracticeCode              clear
caseworker                      safeguarding      Encounter.encounterDate             clear
caseworker                      safeguarding      Encounter.diagnosisCode             refused
caseworker                      safeguarding      Prescription.medication             refused
caseworker                      service_planning  Citizen.givenName                   refused
clinician                       direct_care       Citizen.niNumber                    redact
clinician                       direct_care       Encounter.diagnosisText             clear
clinician                       direct_care       Prescription.dose                   clear
clinician                       direct_care       SocialCase.status                   refused
clinician                       safeguarding      SocialCase.status                   clear
clinician                       safeguarding      SocialCase.categoryOfNeed           redact
clinician                       safeguarding      SafeguardingFlag.flagType           clear
clinician                       safeguarding      Assessment.outcome                  refused
clinician                       audit             Citizen.id                          refused
education_welfare_officer       direct_care       Attendance.unauthorisedAbsences     clear
education_welfare_officer       direct_care       Exclusion.reason                    clear
education_welfare_officer       direct_care       Citizen.niNumber                    refused
education_welfare_officer       direct_care       Citizen.healthOptOut                refused
education_welfare_officer       direct_care       SafeguardingFlag.active             refused
education_welfare_officer       safeguarding      SafeguardingFlag.active             clear
education_welfare_officer       safeguarding      SocialCase.status                   refused
housing_officer                 direct_care       Citizen.niNumber                    clear
housing_officer                 direct_care       RentAccount.balance                 clear
housing_officer                 direct_care       Repair.category                     clear
housing_officer                 direct_care       Patient.patientId                   refused
housing_officer                 safeguarding      SafeguardingFlag.flagType           clear
analyst                         service_planning  Query.citizen                       refused
analyst                         service_planning  Query.citizens                      clear
analyst                         service_planning  Citizen.id                          pseudonym
analyst                         service_planning  Citizen.givenName                   pseudonym
analyst                         service_planning  Citizen.dateOfBirth                 year
analyst                         service_planning  Citizen.ageBand                     age_band
analyst                         service_planning  Citizen.postcode                    district
analyst                         service_planning  Citizen.niNumber                    redact
analyst                         service_planning  Citizen.addressLine                 redact
analyst                         service_planning  Citizen.ward                        clear
analyst                         service_planning  Patient.nhsNumber                   pseudonym
analyst                         service_planning  Patient.givenName                   refused
analyst                         service_planning  Encounter.diagnosisCode             clear
analyst                         service_planning  Encounter.diagnosisText             refused
analyst                         service_planning  Encounter.encounterDate             year
analyst                         service_planning  Tenancy.postcode                    district
analyst                         service_planning  RentAccount.arrearsWeeks            clear
analyst                         service_planning  Exclusion.reason                    refused
analyst                         direct_care       Citizen.ward                        refused
auditor                         audit             Query.citizen                       clear
auditor                         audit             Citizen.familyName                  clear
auditor                         audit             Citizen.postcode                    refused
auditor                         audit             Query.citizens                      refused
auditor                         direct_care       Citizen.familyName                  refused
admin                           audit             Citizen.familyName                  clear
admin                           audit             Citizen.health                      refused
caseworker+clinician            safeguarding      Patient.nhsNumber                   partial
caseworker+clinician            safeguarding      Citizen.niNumber                    redact
caseworker+clinician            safeguarding      Encounter.diagnosisCode             clear
caseworker+analyst              service_planning  Citizen.givenName                   pseudonym
housing_officer+clinician       direct_care       Citizen.healthOptOut                refused
"""

ROWS = [tuple(line.split()) for line in TRUTH_TABLE.strip().splitlines()]

# How to reach each type from a citizen.
PATHS: dict[str, tuple[str, ...]] = {
    "Citizen": (),
    "Patient": ("health",),
    "Encounter": ("health", "encounters"),
    "Prescription": ("health", "prescriptions"),
    "SocialCareClient": ("socialCare",),
    "SocialCase": ("socialCare", "cases"),
    "Assessment": ("socialCare", "cases", "assessments"),
    "SafeguardingFlag": ("socialCare", "safeguardingFlags"),
    "Pupil": ("education",),
    "Enrolment": ("education", "enrolments"),
    "Attendance": ("education", "attendance"),
    "Exclusion": ("education", "exclusions"),
    "Tenant": ("housing",),
    "Tenancy": ("housing", "tenancies"),
    "RentAccount": ("housing", "tenancies", "rentAccount"),
    "Repair": ("housing", "tenancies", "repairs"),
}


@pytest.fixture(scope="module")
def age_band_contract(tmp_path_factory: pytest.TempPathFactory) -> Contract:
    return contract_with_age_band(tmp_path_factory.mktemp("contract"))


@pytest.fixture(scope="module")
def age_band_schema(age_band_contract: Contract) -> GraphQLSchema:
    schema: GraphQLSchema = build_executable_schema(age_band_contract).graphql_schema
    return schema


@pytest.fixture(scope="module")
def table_policy(tmp_path_factory: pytest.TempPathFactory, age_band_contract: Contract) -> Policy:
    directory = copy_policies(tmp_path_factory.mktemp("policies"), AGE_BAND_RULE)
    return read_policy(directory, age_band_contract)


def _query(field: str, root: str, contract: Contract) -> str:
    type_name, _, name = field.partition(".")
    if type_name == "Query":
        selection = "id" if name == "citizen" else "nodes { id }"
        args = "(id: 7)" if name == "citizen" else "(first: 5)"
        return f"{{ {name}{args} {{ {selection} }} }}"
    is_value = isinstance(contract.objects[type_name].fields[name], ColumnField)
    body = name if is_value else f"{name} {{ __typename }}"
    for step in reversed(PATHS[type_name]):
        body = f"{step} {{ {body} }}"
    if root == "citizen":
        return f"{{ citizen(id: 7) {{ {body} }} }}"
    return f"{{ citizens(first: 5) {{ nodes {{ {body} }} }} }}"


def _route(field: str) -> set[str]:
    """The field and every record or list on the way to it from the citizen."""
    type_name = field.partition(".")[0]
    by_path = {path: name for name, path in PATHS.items()}
    path = PATHS.get(type_name, ())
    return {field} | {f"{by_path[path[:index]]}.{path[index]}" for index in range(len(path))}


def _column(selections: tuple[Selection, ...], path: tuple[str, ...], name: str) -> Column:
    for selection in selections:
        if path and isinstance(selection, Nested) and selection.field == path[0]:
            return _column(selection.selections, path[1:], name)
        if not path and isinstance(selection, Column) and selection.field == name:
            return selection
    raise AssertionError(f"{name} not in the plan")


@pytest.mark.parametrize(("roles", "purpose", "field", "expected"), ROWS,
                         ids=[" ".join(row) for row in ROWS])
def test_truth_table(roles: str, purpose: str, field: str, expected: str,
                     table_policy: Policy, age_band_contract: Contract,
                     age_band_schema: GraphQLSchema) -> None:
    who = requester(tuple(roles.split("+")), purpose, team="north-children")
    lookup = table_policy.decisions(who.roles, purpose).field("Query.citizen").decision == "clear"
    plan = plan_query(age_band_contract, age_band_schema,
                      _query(field, "citizen" if lookup else "citizens", age_band_contract))
    if expected == "refused":
        with pytest.raises(Refused) as refused:
            authorize(plan, who, table_policy)
        route = _route(field) | {"Query.citizen", "Query.citizens"}
        assert {refusal.object for refusal in refused.value.refusals} <= route
        assert all(refusal.use == "select" for refusal in refused.value.refusals)
        return
    authorized = authorize(plan, who, table_policy)
    verdicts = {verdict.object: verdict for verdict in authorized.verdicts}
    assert verdicts[field].decision == expected
    assert verdicts[field].reason.startswith("policy.csv:")
    type_name, _, name = field.partition(".")
    if type_name == "Query":
        return
    root = authorized.plan.roots[0]
    selections = root.selections if hasattr(root, "selections") else root.views[0]  # type: ignore[union-attr]
    column = _column(selections, PATHS[type_name], name)
    if expected == "clear":
        assert column.mask is None
    else:
        assert column.mask is not None and column.mask.kind == expected
        assert column.mask.reason == verdicts[field].reason


def test_the_table_covers_every_role_and_every_decision(table_policy: Policy) -> None:
    roles = {role for row in ROWS for role in row[0].split("+")}
    assert roles == set(table_policy.vocabulary.roles)
    outcomes = {row[3] for row in ROWS}
    assert outcomes == {"clear", "partial", "district", "year", "age_band", "pseudonym",
                        "redact", "refused"}
    assert {row[1] for row in ROWS} == set(table_policy.vocabulary.purposes)


def test_refusal_names_the_exact_field_when_its_path_is_open(
        table_policy: Policy, age_band_contract: Contract,
        age_band_schema: GraphQLSchema) -> None:
    plan = plan_query(age_band_contract, age_band_schema,
                      "{ citizen(id: 7) { health { encounters { encounterDate diagnosisCode } } } }")
    with pytest.raises(Refused) as refused:
        authorize(plan, requester("caseworker", "safeguarding"), table_policy)
    assert [r.object for r in refused.value.refusals] == ["Encounter.diagnosisCode"]


def test_shipped_policy_loads_against_the_shipped_contract(contract: Contract) -> None:
    policy = read_policy(Path(__file__).resolve().parents[2] / "policies", contract)
    assert "analyst" in policy.vocabulary.roles
