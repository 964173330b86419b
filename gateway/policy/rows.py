"""The row rules, declared once: what each keeps, the field it reads, where it applies, and the
predicate it adds for one requester.

A row rule (`p2` in policy.csv) narrows which rows a requester reads, inside the engine. The
catalog finds where each can apply from the contract (`places`), the policy loader refuses a
rule this registry does not hold, and the authorizer asks `predicate`; adding a row rule is one
entry below.

>>> ROW_RULES["own_team"].field
'team'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from gateway.contract.contract import ColumnField, Contract
from gateway.ir import AnyOf, Compare, Kind, Predicate
from gateway.requester import Requester

# predicate(column, requester): the rows this requester may read, on the rule's column.
RowPredicate = Callable[[str, Requester], Predicate]


@dataclass(frozen=True)
class RowRule:
    meaning: str
    field: str  # the contract field it reads, on the type that has it
    kind: Kind  # what that field must be
    # "type": the rows of the type holding the field; "records": every record or list reached
    # from that type (the citizen's department records, through the citizen's own field).
    applies_to: Literal["type", "records"]
    predicate: RowPredicate


def _own_team(column: str, requester: Requester) -> Predicate:
    team = requester.attribute("team")
    # No team in the token: no case is the requester's own team's.
    return Compare("team", column, "string", "eq", team) if team else AnyOf(())


def _not_opted_out(column: str, requester: Requester) -> Predicate:
    return Compare("healthOptOut", column, "boolean", "eq", False)


ROW_RULES: dict[str, RowRule] = {
    "own_team": RowRule(
        "only rows whose team is the requester's own team (the `team` of their token)",
        "team", "string", "type", _own_team),
    "not_opted_out": RowRule(
        "only for citizens who have not registered the national data opt-out",
        "healthOptOut", "boolean", "records", _not_opted_out),
}


@dataclass(frozen=True)
class RowTarget:
    """Where a row rule can apply and the column it reads: a type, or a record or list field."""

    name: str
    rule: str
    column: str


def places(contract: Contract) -> Iterator[RowTarget]:
    """Every (object, rule) of the contract a row rule can apply to."""
    for info in contract.objects.values():
        for rule_name, rule in ROW_RULES.items():
            reads = info.fields.get(rule.field)
            if not (isinstance(reads, ColumnField) and reads.kind == rule.kind):
                continue
            if rule.applies_to == "type":
                yield RowTarget(info.name, rule_name, reads.column)
                continue
            for name, field_info in info.fields.items():
                if not isinstance(field_info, ColumnField):
                    yield RowTarget(f"{info.name}.{name}", rule_name, reads.column)
