"""Authorization beyond single fields: several roles, filters, sorts and cursors that would be
oracles, row rules, introspection, unknown vocabulary, and what a refusal tells the client."""

from __future__ import annotations

from pathlib import Path

import pytest
from governance_support import POLICIES, copy_policies, plan_query, requester
from graphql import GraphQLSchema
from sqlglot import exp

from gateway.compile import compile_resolve, compile_single
from gateway.contract.contract import Contract
from gateway.errors import Forbidden
from gateway.ir import (
    AnyOf,
    CitizenLookup,
    CitizenPage,
    Column,
    Compare,
    IntrospectionRoot,
    Nested,
    Selection,
    Sort,
)
from gateway.pipeline import cursor as cursors
from gateway.policy.authorize import AuthorizedPlan, Refused, authorize
from gateway.policy.policy import Policy, read_policy


@pytest.fixture(scope="module")
def policy(contract: Contract) -> Policy:
    return read_policy(POLICIES, contract)


def _authorize(contract: Contract, schema: GraphQLSchema, policy: Policy, query: str,
               roles: str | tuple[str, ...], purpose: str, team: str | None = None,
               variables: dict[str, object] | None = None) -> AuthorizedPlan:
    plan = plan_query(contract, schema, query, variables)
    return authorize(plan, requester(roles, purpose, team), policy)


def _refusals(contract: Contract, schema: GraphQLSchema, policy: Policy, query: str,
              roles: str | tuple[str, ...], purpose: str,
              variables: dict[str, object] | None = None) -> set[tuple[str, str]]:
    with pytest.raises(Refused) as refused:
        _authorize(contract, schema, policy, query, roles, purpose, variables=variables)
    return {(refusal.object, refusal.use) for refusal in refused.value.refusals}


def _nested(selections: tuple[Selection, ...], *path: str) -> Nested:
    for selection in selections:
        if isinstance(selection, Nested) and selection.field == path[0]:
            return selection if len(path) == 1 else _nested(selection.selections, *path[1:])
    raise AssertionError(path)


# ------------------------------------------------------------------ several roles


def test_two_roles_get_the_strictest_decision_of_all_their_rules(
        contract: Contract, served_schema: GraphQLSchema, policy: Policy) -> None:
    query = "{ citizen(id: 1) { niNumber health { nhsNumber encounters { diagnosisCode } } } }"
    both = _authorize(contract, served_schema, policy, query, ("clinician", "caseworker"),
                      "safeguarding")
    verdicts = {v.object: v for v in both.verdicts}
    # caseworker: partial; clinician: clear  -> partial (caseworker's rule decides)
    assert verdicts["Patient.nhsNumber"].decision == "partial"
    assert "caseworker" in verdicts["Patient.nhsNumber"].reason
    # caseworker: partial; clinician: redact -> redact
    assert verdicts["Citizen.niNumber"].decision == "redact"
    assert "clinician" in verdicts["Citizen.niNumber"].reason
    # only the clinician has a rule: it decides (holding another role does not refuse it)
    assert verdicts["Encounter.diagnosisCode"].decision == "clear"
    # the order the roles are listed in changes nothing
    again = _authorize(contract, served_schema, policy, query, ("caseworker", "clinician"),
                       "safeguarding")
    assert again.verdicts == both.verdicts


def test_a_second_role_brings_its_row_rules(contract: Contract, served_schema: GraphQLSchema,
                                            policy: Policy) -> None:
    query = "{ citizen(id: 1) { socialCare { cases { status } } } }"
    alone = _authorize(contract, served_schema, policy, query, "clinician", "safeguarding")
    root = alone.plan.roots[0]
    assert isinstance(root, CitizenLookup)
    assert _nested(root.selections, "socialCare", "cases").row_filter is None
    both = _authorize(contract, served_schema, policy, query, ("clinician", "caseworker"),
                      "safeguarding", team="north-children")
    root = both.plan.roots[0]
    assert isinstance(root, CitizenLookup)
    assert _nested(root.selections, "socialCare", "cases").row_filter == Compare(
        "team", "team", "string", "eq", "north-children")


def test_decisions_are_cached_per_roles_and_purpose(policy: Policy) -> None:
    first = policy.decisions(["caseworker", "clinician"], "safeguarding")
    assert policy.decisions(["clinician", "caseworker", "clinician"], "safeguarding") is first
    assert first.version == policy.version


# ------------------------------------------------------------------ no oracles

ANALYST = ("analyst", "service_planning")


@pytest.mark.parametrize(("query", "expected"), [
    ('{ citizens(where: {dateOfBirth: {lt: "1950-01-01"}}) { nodes { sex } } }',
     {("Citizen.dateOfBirth", "filter")}),
    ('{ citizens(where: {or: [{ward: {eq: "X"}}, {not: {postcode: {startsWith: "B1"}}}]}) '
     '{ nodes { sex } } }', {("Citizen.postcode", "filter")}),
    ('{ citizens(where: {id: {eq: "42"}}) { nodes { sex } } }', {("Citizen.id", "filter")}),
    ('{ citizens(where: {givenName: {isNull: false}}) { nodes { sex } } }',
     {("Citizen.givenName", "filter")}),
    ("{ citizens(orderBy: [{field: familyName}]) { nodes { sex } } }",
     {("Citizen.familyName", "sort")}),
    ('{ citizens { nodes { health { encounters(where: {encounterDate: {gt: "2020-01-01"}}) '
     "{ setting } } } } }", {("Encounter.encounterDate", "filter")}),
    ("{ citizens { nodes { health { encounters(orderBy: [{field: encounterDate}]) "
     "{ setting } } } } }", {("Encounter.encounterDate", "sort")}),
    ("{ citizens { edges { cursor node { sex } } } }", {("Citizen.id", "cursor")}),
    ("{ citizens { pageInfo { endCursor } nodes { sex } } }", {("Citizen.id", "cursor")}),
])
def test_filter_sort_and_cursor_over_a_field_not_in_clear_are_refused(
        query: str, expected: set[tuple[str, str]], contract: Contract,
        served_schema: GraphQLSchema, policy: Policy) -> None:
    assert _refusals(contract, served_schema, policy, query, *ANALYST) == expected


def test_after_cursor_over_a_masked_order_is_refused(contract: Contract,
                                                     served_schema: GraphQLSchema,
                                                     policy: Policy) -> None:
    order = (Sort("id", "citizen_id", "id"),)
    after = cursors.encode((41,), order, b"unit-cursor-key")
    refused = _refusals(contract, served_schema, policy,
                        "query($after: String) { citizens(after: $after) { nodes { sex } } }",
                        *ANALYST, variables={"after": after})
    assert refused == {("Citizen.id", "cursor")}


@pytest.mark.parametrize("query", [
    '{ citizens(where: {ward: {eq: "Ladywood"}, healthOptOut: {eq: false}}) '
    "{ nodes { sex ward } pageInfo { hasNextPage } } }",
    "{ citizens { nodes { health { encounters(where: {diagnosisCode: {startsWith: \"E11\"}}) "
    "{ setting } } } } }",
    # the default order of a list sorts on a masked date: allowed (the requester did not choose it)
    "{ citizens { nodes { health { encounters { encounterDate } } } } }",
    # ordering by the key alone is the default order
    "{ citizens(orderBy: [{field: id}]) { nodes { sex } } }",
])
def test_filters_on_fields_in_clear_are_allowed(query: str, contract: Contract,
                                                served_schema: GraphQLSchema,
                                                policy: Policy) -> None:
    _authorize(contract, served_schema, policy, query, *ANALYST)


def test_caseworker_may_filter_sort_and_page_on_fields_in_clear(
        contract: Contract, served_schema: GraphQLSchema, policy: Policy) -> None:
    authorized = _authorize(
        contract, served_schema, policy,
        '{ citizens(where: {familyName: {eq: "Smith"}}, orderBy: [{field: dateOfBirth}]) '
        "{ edges { cursor node { id } } pageInfo { endCursor } } }",
        "caseworker", "direct_care")
    assert isinstance(authorized.plan.roots[0], CitizenPage)


# ------------------------------------------------------------------ row rules


def test_caseworker_sees_only_their_team_cases(contract: Contract, served_schema: GraphQLSchema,
                                              policy: Policy) -> None:
    query = "{ citizen(id: 1) { socialCare { cases { status assessments { outcome } } } } }"
    authorized = _authorize(contract, served_schema, policy, query, "caseworker", "direct_care",
                            team="north-children")
    root = authorized.plan.roots[0]
    assert isinstance(root, CitizenLookup)
    cases = _nested(root.selections, "socialCare", "cases")
    assert cases.row_filter == Compare("team", "team", "string", "eq", "north-children")
    assert _nested(root.selections, "socialCare", "cases", "assessments").row_filter is None
    assert [(row.object, row.rule) for row in authorized.rows] == [("SocialCase", "own_team")]


def test_caseworker_without_a_team_sees_no_cases(contract: Contract,
                                                 served_schema: GraphQLSchema,
                                                 policy: Policy) -> None:
    authorized = _authorize(contract, served_schema, policy,
                            "{ citizen(id: 1) { socialCare { cases { status } } } }",
                            "caseworker", "direct_care", team=None)
    root = authorized.plan.roots[0]
    assert isinstance(root, CitizenLookup)
    assert _nested(root.selections, "socialCare", "cases").row_filter == AnyOf(())


@pytest.mark.parametrize(("roles", "purpose", "guarded"), [
    ("clinician", "direct_care", False),
    ("clinician", "safeguarding", True),
    ("caseworker", "safeguarding", True),
    ("analyst", "service_planning", True),
])
def test_opted_out_citizens_health_only_for_direct_care(
        roles: str, purpose: str, guarded: bool, contract: Contract,
        served_schema: GraphQLSchema, policy: Policy) -> None:
    query = "{ citizens { nodes { sex health { gpPracticeCode } } } }"
    authorized = _authorize(contract, served_schema, policy, query, roles, purpose)
    root = authorized.plan.roots[0]
    assert isinstance(root, CitizenPage)
    health = _nested(root.views[0], "health")
    expected = Compare("healthOptOut", "health_opt_out", "boolean", "eq", False)
    assert health.parent_guard == (expected if guarded else None)


def test_the_guard_reaches_the_sql(contract: Contract, served_schema: GraphQLSchema,
                                   policy: Policy) -> None:
    authorized = _authorize(contract, served_schema, policy,
                            "{ citizens { nodes { health { gpPracticeCode } } } }", *ANALYST)
    root = authorized.plan.roots[0]
    assert isinstance(root, CitizenPage)
    sql = compile_resolve(root, authorized.plan.person_index).tree.sql(dialect="trino")
    assert 'CAST("t"."health_opt_out" AS BOOLEAN) = FALSE' in sql


# ------------------------------------------------------------------ masks reach the SQL


def test_masked_columns_never_leave_the_engine_in_clear(contract: Contract,
                                                      served_schema: GraphQLSchema,
                                                      policy: Policy) -> None:
    authorized = _authorize(contract, served_schema, policy,
                            "{ citizens { nodes { id givenName dateOfBirth postcode niNumber } } }",
                            *ANALYST)
    root = authorized.plan.roots[0]
    assert isinstance(root, CitizenPage)
    masks = {s.field: s.mask.kind for s in root.views[0] if isinstance(s, Column) and s.mask}
    assert masks == {"id": "pseudonym", "givenName": "pseudonym", "dateOfBirth": "year",
                     "postcode": "district", "niNumber": "redact"}
    tree = compile_single(root, authorized.plan.person_index, "k").tree
    node = next(p for p in tree.expressions if p.alias == "node0")
    masking = (exp.SHA2, exp.DateTrunc, exp.Anonymous)  # pseudonym, year, district (split_part)
    seen = set()
    for column in node.find_all(exp.Column):
        if column.name in ("citizen_id", "given_name", "date_of_birth", "postcode"):
            assert isinstance(column.find_ancestor(*masking), masking), column.name
            seen.add(column.name)
    assert seen == {"citizen_id", "given_name", "date_of_birth", "postcode"}
    assert "ni_number" not in {column.name for column in node.find_all(exp.Column)}  # redacted


# ------------------------------------------------------------------ introspection, vocabulary


def test_introspection_is_allowed_for_every_role(contract: Contract,
                                                 served_schema: GraphQLSchema,
                                                 policy: Policy) -> None:
    for role in sorted(policy.vocabulary.roles):
        authorized = _authorize(contract, served_schema, policy,
                                "{ __schema { types { name } } }", role, "audit")
        assert isinstance(authorized.plan.roots[0], IntrospectionRoot)
        assert [v.decision for v in authorized.verdicts] == ["clear"]


def test_introspection_can_be_withheld(tmp_path: Path, contract: Contract,
                                       served_schema: GraphQLSchema) -> None:
    directory = copy_policies(tmp_path, "p, analyst, *, Query.__schema, deny\n")
    stricter = read_policy(directory, contract)
    refused = _refusals(contract, served_schema, stricter, "{ __type(name: \"Citizen\") { name } }",
                        *ANALYST)
    assert refused == {("Query.__schema", "select")}


@pytest.mark.parametrize(("roles", "purpose", "message"), [
    (("janitor",), "direct_care", "role 'janitor' is not known"),
    (("caseworker", "janitor"), "direct_care", "role 'janitor' is not known"),
    (("caseworker",), "curiosity", "purpose 'curiosity' is not known"),
    ((), "direct_care", "no role"),
])
def test_unknown_roles_and_purposes_are_forbidden(roles: tuple[str, ...], purpose: str,
                                                  message: str, contract: Contract,
                                                  served_schema: GraphQLSchema,
                                                  policy: Policy) -> None:
    plan = plan_query(contract, served_schema, "{ citizen(id: 1) { id } }")
    with pytest.raises(Forbidden, match=message) as raised:
        authorize(plan, requester(roles, purpose), policy)
    assert not isinstance(raised.value, Refused)


def test_a_refusal_names_fields_and_nothing_else(contract: Contract,
                                                 served_schema: GraphQLSchema,
                                                 policy: Policy) -> None:
    plan = plan_query(contract, served_schema,
                      '{ citizens(where: {familyName: {eq: "Zebedee"}}) '
                      "{ nodes { ward health { givenName } } } }")
    with pytest.raises(Refused) as refused:
        authorize(plan, requester(*ANALYST), policy)
    error = refused.value.as_graphql_error()
    assert error["extensions"] == {"code": "FORBIDDEN"}
    message = error["message"]
    assert "Patient.givenName" in message and "Citizen.familyName" in message
    for leak in ("Zebedee", "policy.csv", "pseudonym", "analyst", "clear", "Did you mean"):
        assert leak not in message
    assert refused.value.status == 403
