"""What a policy talks about: its decisions and the contract's fields as objects.

The Catalog lists every object a field rule can decide about (each field of the contract, the
root queries, introspection) and where each row rule can apply, and answers the model's
`objectMatch` and `purposeMatch`; the decisions are ordered from loosest to strictest (the masks
as `gateway.masks` declares them); `mask_problem` says when a mask would break the type the
contract promises for a field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gateway.contract.contract import ColumnField, Contract, JoinField, LinkField
from gateway.ir import MaskKind
from gateway.masks import MASKS, is_mask
from gateway.policy.rows import RowTarget, places

Decision = Literal["clear", "deny"] | MaskKind
# From loosest to strictest. When several rules match, the later one in this order wins.
DECISIONS: tuple[Decision, ...] = ("clear", *MASKS, "deny")
STRICTNESS: dict[str, int] = {decision: rank for rank, decision in enumerate(DECISIONS)}

QUERY = "Query"
ROOT_FIELDS = ("citizen", "citizens")
INTROSPECTION = "Query.__schema"  # covers __schema and __type: the schema, never data
ANY = "\x00any"  # a request object every pattern matches: "which rules could apply at all"


Category = Literal["value", "record", "list", "root", "schema"]


@dataclass(frozen=True)
class Target:
    """A thing a field rule decides about: a field of the contract, a root field, introspection."""

    name: str  # Type.field
    type_name: str
    field: str
    department: str  # "" for Query fields
    category: Category
    kind: str = ""  # value fields: id, string, int, float, boolean, date, enum
    nullable: bool = True
    date_column: bool = False  # a String field reading a column a Date field of its type reads


class Catalog:
    """Every policy object of one contract, and how the patterns of policy.csv match them."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        targets: list[Target] = [Target(f"{QUERY}.{name}", QUERY, name, "", "root")
                                 for name in ROOT_FIELDS]
        targets.append(Target(INTROSPECTION, QUERY, "__schema", "", "schema"))
        for info in contract.objects.values():
            date_columns = {f.column for f in info.fields.values()
                            if isinstance(f, ColumnField) and f.kind == "date"}
            for name, field_info in info.fields.items():
                qualified = f"{info.name}.{name}"
                if isinstance(field_info, ColumnField):
                    targets.append(Target(
                        qualified, info.name, name, info.department, "value", field_info.kind,
                        field_info.nullable,
                        field_info.kind == "string" and field_info.column in date_columns))
                    continue
                department = (contract.objects[field_info.target].department
                              if isinstance(field_info, LinkField) else info.department)
                many = isinstance(field_info, JoinField) and field_info.many
                targets.append(Target(qualified, info.name, name, department,
                                      "list" if many else "record"))
        self.targets: dict[str, Target] = {target.name: target for target in targets}
        self.row_targets: dict[tuple[str, str], RowTarget] = {
            (row.name, row.rule): row for row in places(contract)}
        self.types = frozenset(contract.objects) | {QUERY}
        self.departments = frozenset(contract.departments())

    def pattern_problem(self, pattern: str) -> str | None:
        """Why a field-rule object names nothing in the contract (None when it is fine)."""
        if pattern == "*" or pattern in self.targets:
            return None
        if pattern.endswith(":*"):
            department = pattern[:-2]
            if department in self.departments:
                return None
            known = ", ".join(sorted(self.departments))
            return f"unknown department {department!r} (known: {known})"
        type_name, dot, field_name = pattern.partition(".")
        if not dot:
            return f"{pattern!r} is not Type.field, Type.*, department:* or *"
        if type_name not in self.types:
            return f"unknown type {type_name!r}"
        if field_name != "*":
            return f"{type_name} has no field {field_name!r}"
        return None

    def matches(self, request: str, pattern: str) -> bool:
        """objectMatch(r.object, p.object) of the model."""
        if request == ANY or pattern in ("*", request):
            return True
        target = self.targets.get(request)
        if target is None:
            return False
        if pattern.endswith(":*"):
            return target.department == pattern[:-2] and target.category != "schema"
        if pattern.endswith(".*"):
            return (target.type_name == pattern[:-2]
                    and target.category in ("value", "root", "schema"))
        return False

    def expand(self, pattern: str) -> list[Target]:
        return [target for target in self.targets.values() if self.matches(target.name, pattern)]


def purpose_matches(request: str, pattern: str) -> bool:
    """purposeMatch(r.purpose, p.purpose) of the model: *, !x (every purpose but x), or x."""
    if request == ANY or pattern == "*":
        return True
    if pattern.startswith("!"):
        return request != pattern[1:]
    return request == pattern


def mask_problem(target: Target, decision: str) -> str | None:
    """Why `decision` cannot be applied to `target` without breaking the contract."""
    if not is_mask(decision):  # clear or deny
        return None
    spec = MASKS[decision]
    if target.category != "value":
        what = "a nested record or list" if target.category in ("record", "list") else "a query"
        return f"{decision} applies to values; {target.name} is {what}: use clear or deny"
    if decision == "redact" and not target.nullable:
        return (f"redact would make {target.name} null, but the contract says it is never null: "
                "use deny, or a mask that keeps a value")
    if spec.reads_date:
        if target.kind == "date":
            return (f"{decision} turns a date into text ({spec.meaning}), which is not a Date: "
                    f"mask {target.name} with year, or give the contract a String field reading "
                    "the same column (e.g. ageBand: String @column(name: \"date_of_birth\")) "
                    f"and mask that with {decision}")
        if not target.date_column:
            return (f"{decision} needs a date: {target.name} is a String that reads no date "
                    "column (a Date field of the same type must read the same column)")
        return None
    if target.kind not in spec.kinds:
        allowed = {name for name, other in MASKS.items() if target.kind in other.kinds}
        return (f"{decision} cannot be applied to {target.name} ({target.kind}): "
                f"it can take {', '.join(sorted(allowed | {'clear', 'deny'}))}")
    return None
