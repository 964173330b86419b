"""Golden tests of the compiler: GraphQL in, the Trino SQL statement out.

Each tests/unit/golden/NAME.graphql (with optional NAME.variables.json) is planned and compiled
into NAME.sql. A document whose first line is `# authorize: roles=R purpose=P [attribute=value]`
is authorized first against the shipped policy, so its SQL shows that requester's masks and row
rules. Review a changed .sql like code; regenerate with UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from graphql import parse, validate

from gateway.compile import (
    Resolved,
    Statement,
    bind,
    compile_fetch,
    compile_resolve,
    compile_single,
    needs_resolve,
)
from gateway.ir import CitizenLookup, CitizenPage, OperationPlan, Sort
from gateway.pipeline import cursor as cursors
from gateway.pipeline.plan import Planner, coerce_variables, select_operation
from gateway.policy.authorize import authorize
from gateway.policy.policy import read_policy
from gateway.requester import Requester
from gateway.settings import SHIPPED

GOLDEN = Path(__file__).parent / "golden"
CURSOR_KEY = b"golden-cursor-key"
CASES = sorted(path.stem for path in GOLDEN.glob("*.graphql"))


def _variables(name: str) -> dict[str, object]:
    path = GOLDEN / f"{name}.variables.json"
    if not path.exists():
        return {}
    variables = json.loads(path.read_text())
    for key, value in variables.items():
        if isinstance(value, dict) and "$cursor" in value:  # a real signed cursor for this order
            order = tuple(Sort(field, field, "string", desc) for field, desc in value["$cursor"])
            variables[key] = cursors.encode(tuple(value["values"]), order, CURSOR_KEY)
    return variables


def _requester(text: str) -> Requester | None:
    """The `# authorize:` header of a golden document, if it has one."""
    first = text.splitlines()[0]
    if not first.startswith("# authorize:"):
        return None
    fields = dict(part.split("=", 1) for part in first.removeprefix("# authorize:").split())
    roles, purpose = tuple(fields.pop("roles").split("+")), fields.pop("purpose")
    return Requester("golden", roles, purpose, tuple(sorted(fields.items())))


def planned(name: str, contract, served_schema) -> tuple[OperationPlan, str]:  # type: ignore[no-untyped-def]
    """The plan of golden case NAME (authorized when it says so) and a header naming the
    verdicts and row rules that shaped it."""
    text = (GOLDEN / f"{name}.graphql").read_text()
    document = parse(text)
    assert not validate(served_schema, document)
    operation = select_operation(document, None)
    variables = coerce_variables(served_schema, operation, _variables(name))
    plan = Planner(contract, served_schema, document, variables, CURSOR_KEY).plan(operation)
    requester = _requester(text)
    header = ""
    if requester is not None:
        authorized = authorize(plan, requester, read_policy(SHIPPED / "policies", contract))
        plan = authorized.plan
        header = "".join(f"-- {verdict.object}: {verdict.decision} ({verdict.reason})\n"
                         for verdict in authorized.verdicts)
        header += "".join(f"-- rows of {row.object}: {row.rule} ({row.reason})\n" for row in authorized.rows)
    return plan, header


def compile_case(name: str, contract, served_schema) -> str:  # type: ignore[no-untyped-def]
    plan, header = planned(name, contract, served_schema)
    statements: list[str] = []
    citizen = {"citizen": root.citizen_id} if isinstance(root := plan.roots[0], CitizenLookup) else {}

    def rendered(statement: Statement, **values: object) -> str:
        sql = statement.tree.sql(dialect="trino", pretty=True)
        return bind(sql, statement.markers, **values)  # type: ignore[arg-type]

    for root in plan.roots:
        assert isinstance(root, CitizenLookup | CitizenPage)
        if not needs_resolve(root):
            single = compile_single(root, plan.person_index, "golden-pseudonym-key")
            statements.append(rendered(single, **citizen))
            continue
        resolve = compile_resolve(root, plan.person_index)
        # As if the resolve step had found two citizens, each with a record in some departments.
        departments = resolve.departments
        resolved = Resolved(departments, (
            (42, tuple(1000 + i for i in range(len(departments)))),
            (43, tuple(2000 + i if i % 2 else None for i in range(len(departments)))),
        ))
        fetch = compile_fetch(root, resolved, plan.person_index, "golden-pseudonym-key")
        statements += [rendered(resolve, **citizen), rendered(fetch, resolved=resolved)]
    return header + "\n".join(sql + ";\n" for sql in statements)


@pytest.mark.parametrize("name", CASES)
def test_golden_sql(name: str, contract, served_schema) -> None:  # type: ignore[no-untyped-def]
    actual = compile_case(name, contract, served_schema)
    expected_path = GOLDEN / f"{name}.sql"
    if os.environ.get("UPDATE_GOLDEN"):
        expected_path.write_text(actual)
    assert expected_path.exists(), f"no golden {expected_path.name}: write it with UPDATE_GOLDEN=1"
    assert actual == expected_path.read_text()


def test_every_department_table_is_read_through_a_semi_join(contract, served_schema) -> None:  # type: ignore[no-untyped-def]
    """No department table may be read without a predicate on its key (that would be a scan)."""
    sql = compile_case("citizen_every_department", contract, served_schema)
    for table in ("citizen", "patient", "encounter", "prescription", "client", "social_case", "assessment",
                  "safeguarding_flag", "pupil", "enrolment", "attendance", "exclusion", "tenant",
                  "tenancy", "rent_account", "repair"):
        fetch = sql.split(";\n")[1]
        scan = fetch.split(f'."{table}" AS "t"', 1)[1].split("), ", 1)[0]
        assert " IN (" in scan, f"{table} is read without a key predicate"
