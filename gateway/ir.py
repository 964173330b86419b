"""The plan of one GraphQL operation: what to read, from where, under which rules.

Frozen dataclasses only. This module imports neither graphene nor sqlglot nor Casbin, so the
planner, the authorizer and the compiler meet here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

Kind = Literal["id", "string", "int", "float", "boolean", "date", "enum"]
Scalar = str | int | float | bool
# What a field is, wherever it lives (schema.graphql @element): the identifying elements the
# linker compares across departments.
Element = Literal["given_name", "family_name", "date_of_birth", "sex", "postcode", "nhs_number",
                  "ni_number", "upn"]
MaskKind = Literal["redact", "partial", "pseudonym", "year", "age_band", "district"]
CompareOp = Literal["eq", "ne", "lt", "lte", "gt", "gte", "in", "startsWith", "isNull"]


@dataclass(frozen=True)
class Table:
    catalog: str
    schema: str
    table: str

    def __str__(self) -> str:
        return f"{self.catalog}.{self.schema}.{self.table}"


@dataclass(frozen=True)
class Mask:
    """How a column leaves the engine when the requester may not see it in clear."""

    kind: MaskKind
    reason: str = ""


@dataclass(frozen=True)
class Column:
    """A scalar field: one column of the enclosing table, in the response under `key`."""

    key: str
    field: str  # the GraphQL field name (Type.field is what policies talk about)
    column: str
    kind: Kind
    enum: tuple[tuple[str, str], ...] = ()  # (stored value, GraphQL name) for enum fields
    mask: Mask | None = None
    generalised: MaskKind | None = None  # from the contract: applied whatever the policy says


@dataclass(frozen=True)
class Typename:
    key: str
    type_name: str


# ---------------------------------------------------------------- predicates


@dataclass(frozen=True)
class Compare:
    field: str
    column: str
    kind: Kind
    op: CompareOp
    value: Scalar | tuple[Scalar, ...] | None


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Predicate, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Predicate, ...]


@dataclass(frozen=True)
class Negation:
    part: Predicate


@dataclass(frozen=True)
class ViaPersonIndex:
    """Department record found through the master person index."""

    department: str


@dataclass(frozen=True)
class ViaJoin:
    """Child rows whose `column` equals the parent's `parent_column`."""

    column: str
    parent_column: str


Quantifier = Literal["some", "none", "every"]


@dataclass(frozen=True)
class Related:
    """A condition on rows related to the filtered row: a department record reached through the
    person index (`health: {...}`), a nested record, or a nested list (`cases: {some: {...}}`).

    `some`: at least one related row matches `where` (no `where`: there is one at all);
    `none`: no related row matches; `every`: no related row fails to match (true for none).
    Only rows the requester may see count: the authorizer sets `row_filter` (row rules on the
    related rows) and `parent_guard` (a rule on the filtered row, such as the opt-out), exactly
    as it does when the same records are selected.
    """

    field: str  # the parent type's field: health, cases, rentAccount
    type_name: str
    table: Table
    table_key: str
    via: ViaPersonIndex | ViaJoin
    parent_column: str  # the filtered row's column the related rows hang from
    quantifier: Quantifier
    where: Predicate | None = None
    row_filter: Predicate | None = None
    parent_guard: Predicate | None = None


Predicate = Compare | AllOf | AnyOf | Negation | Related


def _walk(predicate: Predicate | None) -> Iterator[Compare | Related]:
    if predicate is None:
        return
    if isinstance(predicate, AllOf | AnyOf):
        for part in predicate.parts:
            yield from _walk(part)
    elif isinstance(predicate, Negation):
        yield from _walk(predicate.part)
    else:
        yield predicate


def comparisons(predicate: Predicate | None) -> Iterator[Compare]:
    """The comparisons on the filtered row's own columns (not those inside `Related`): the IR
    owns its traversal."""
    return (node for node in _walk(predicate) if isinstance(node, Compare))


def related(predicate: Predicate | None) -> Iterator[Related]:
    """The conditions on related rows, one level down (each holds its own predicate)."""
    return (node for node in _walk(predicate) if isinstance(node, Related))


@dataclass(frozen=True)
class Sort:
    field: str
    column: str
    kind: Kind
    descending: bool = False


# ---------------------------------------------------------------- nested reads


@dataclass(frozen=True)
class Nested:
    """A department record, or a nested record or list, read inside the same statement."""

    key: str
    field: str
    type_name: str
    table: Table
    table_key: str
    via: ViaPersonIndex | ViaJoin
    many: bool
    selections: tuple[Selection, ...]
    where: Predicate | None = None
    order: tuple[Sort, ...] = ()
    first: int | None = None
    # Set by the authorizer: a row rule on this table's columns, and a guard on the parent row
    # (e.g. "not opted out") under which this record may be read at all.
    row_filter: Predicate | None = None
    parent_guard: Predicate | None = None


Selection = Column | Typename | Nested


# ---------------------------------------------------------------- roots


@dataclass(frozen=True)
class PersonIndex:
    table: Table
    citizen_key: str
    department_column: str
    local_key: str
    # the boolean column marking the one record per citizen and department the view reads (a
    # department may hold two records of one person); None: every link is primary
    primary_column: str | None = None


@dataclass(frozen=True)
class CitizenLookup:
    """`citizen(id:)`: one citizen or null."""

    key: str
    table: Table
    table_key: str
    citizen_id: int
    selections: tuple[Selection, ...]
    row_filter: Predicate | None = None

    @property
    def views(self) -> tuple[tuple[Selection, ...], ...]:
        """The node selections of the answer, as for a page: here, the one citizen's."""
        return (self.selections,)


@dataclass(frozen=True)
class CursorPart:
    key: str


@dataclass(frozen=True)
class NodePart:
    key: str
    view: int  # index into CitizenPage.views


@dataclass(frozen=True)
class HasNextPagePart:
    key: str


@dataclass(frozen=True)
class EndCursorPart:
    key: str


@dataclass(frozen=True)
class EdgesPart:
    key: str
    parts: tuple[CursorPart | NodePart | Typename, ...]


@dataclass(frozen=True)
class PageInfoPart:
    key: str
    parts: tuple[HasNextPagePart | EndCursorPart | Typename, ...]


ConnectionPart = EdgesPart | NodePart | PageInfoPart | Typename


@dataclass(frozen=True)
class CitizenPage:
    """`citizens(where:, orderBy:, first:, after:)`: a keyset-paginated page of citizens."""

    key: str
    table: Table
    table_key: str
    where: Predicate | None
    order: tuple[Sort, ...]  # always ends with the table key
    first: int
    after: tuple[Scalar, ...] | None
    views: tuple[tuple[Selection, ...], ...]  # one per distinct node selection (edges.node, nodes)
    parts: tuple[ConnectionPart, ...]
    row_filter: Predicate | None = None


@dataclass(frozen=True)
class TypenameRoot:
    key: str
    type_name: str


@dataclass(frozen=True)
class IntrospectionRoot:
    """`__schema` / `__type`: answered by graphql-core from the served schema, never by the engine."""

    key: str


Root = CitizenLookup | CitizenPage | TypenameRoot | IntrospectionRoot


@dataclass(frozen=True)
class OperationPlan:
    roots: tuple[Root, ...]
    person_index: PersonIndex
