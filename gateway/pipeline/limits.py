"""Limits: how big, deep, wide and costly one request may be, checked before anything runs.

Every limit is a check that runs before planning, so a request over it never reaches the engine:

- the body (app.py) and the document's length, before parsing;
- tokens, by graphql-core's parser (`max_tokens`);
- depth, aliases, directives and cost, by the validation rules below, fragments expanded (each
  fragment is measured once and reused, so a chain of fragments spreading each other twice
  cannot make the check itself exponential);
- validation errors, by graphql-core (`max_errors`);
- list sizes (`first`), once the variables are known (`check_list_sizes`);
- filter values the department databases cannot take (`check_filter_values`: a NUL character,
  which PostgreSQL refuses in text, would otherwise fail in the engine as a 502), and how many
  filters on related records one request holds (each is a semi-join: a hundred of them would
  keep the engine planning for minutes).

A limit's error names the limit (`extensions.limit`), never its configured value or the measured
one: a client learns which limit it hit, not where the edge is.

Cost: a field of an object type costs `cost_object`, of a scalar or enum `cost_scalar`, each times
`cost_depth_factor ** (depth - 1)` (a root field has depth 1). `first` does not multiply the cost:
list sizes have their own cap. Inside introspection, `__Type.ofType` does not add depth (the chain
of wrappers is linear, one object per level), so the standard introspection query stays within
depth 6.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    ValidationContext,
    get_named_type,
    is_composite_type,
    value_from_ast,
)

from gateway.errors import BadArgument, LimitExceeded
from gateway.ir import (
    CitizenLookup,
    CitizenPage,
    Nested,
    OperationPlan,
    Predicate,
    Selection,
    comparisons,
    related,
)

__all__ = [
    "Limits",
    "check_document_size",
    "check_filter_values",
    "check_list_sizes",
    "limit_rules",
    "measure",
]


@dataclass(frozen=True)
class Limits:
    document_chars: int = 15_000
    tokens: int = 1_000
    depth: int = 6
    aliases: int = 15
    directives: int = 50
    cost: float = 5_000
    cost_object: float = 2
    cost_scalar: float = 1
    cost_depth_factor: float = 1.5
    list_size: int = 100
    list_sizes: Mapping[str, int] = field(default_factory=dict)  # "Type.field" -> cap
    validation_errors: int = 100
    related_filters: int = 12

    @classmethod
    def from_settings(cls, settings: Any) -> Limits:
        return cls(
            document_chars=settings.max_document_chars, tokens=settings.max_tokens,
            depth=settings.max_depth, aliases=settings.max_aliases,
            directives=settings.max_directives, cost=settings.max_cost,
            cost_object=settings.cost_object, cost_scalar=settings.cost_scalar,
            cost_depth_factor=settings.cost_depth_factor, list_size=settings.max_list_size,
            list_sizes=dict(settings.list_size_limits),
            validation_errors=settings.max_validation_errors,
            related_filters=settings.max_related_filters,
        )

    def list_cap(self, coordinate: str) -> int:
        return min(self.list_size, self.list_sizes.get(coordinate, self.list_size))


# What the client is told for each limit: which limit, not its value.
MESSAGES = {
    "bodySize": "The request body is larger than this gateway accepts.",
    "documentSize": "The GraphQL document is longer than this gateway accepts.",
    "tokens": "The GraphQL document has more tokens than this gateway accepts.",
    "depth": "The operation nests fields more deeply than this gateway allows.",
    "aliases": "The operation uses more aliases than this gateway allows.",
    "directives": "The operation uses more directives than this gateway allows.",
    "cost": "The operation asks for more than this gateway answers in one request: "
            "ask for fewer fields or split it.",
    "batch": "Batched requests (a JSON array) are not accepted: send one operation per request.",
    "validation": "The operation is too complex to validate: simplify it.",
    "relatedFilters": "The operation filters on more related records than this gateway allows "
                      "in one request: narrow it or split it.",
}


def exceeded(limit: str) -> LimitExceeded:
    return LimitExceeded(MESSAGES[limit], limit)


def check_document_size(query: str, limits: Limits) -> None:
    if len(query) > limits.document_chars:
        raise exceeded("documentSize")


# ------------------------------------------------------------------ measuring an operation


@dataclass(frozen=True)
class Measure:
    """Of a selection set, relative to its own level: fields directly in it are at depth 1."""

    depth: int = 0
    aliases: int = 0
    directives: int = 0
    cost: float = 0.0

    def nested(self, levels: int, factor: float) -> Measure:
        """The same selection placed `levels` levels deeper."""
        return Measure(self.depth + levels, self.aliases, self.directives,
                       self.cost * factor ** levels)

    def __add__(self, other: Measure) -> Measure:
        return Measure(max(self.depth, other.depth), self.aliases + other.aliases,
                       self.directives + other.directives, self.cost + other.cost)


class _Measurer:
    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode],
                 limits: Limits) -> None:
        self.schema = schema
        self.fragments = fragments
        self.limits = limits
        self.memo: dict[str, Measure] = {}
        self.in_progress: set[str] = set()

    def _field_def(self, parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
        if parent is None or not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return None
        if name == "__schema" and parent is self.schema.query_type:
            return SchemaMetaFieldDef
        if name == "__type" and parent is self.schema.query_type:
            return TypeMetaFieldDef
        found: GraphQLField | None = parent.fields.get(name)
        return found

    def fragment(self, name: str) -> Measure:
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.in_progress:
            return Measure()  # unknown or cyclic: the specified rules report it
        self.in_progress.add(name)
        type_ = self.schema.get_type(definition.type_condition.name.value)
        measured = self.selection_set(definition.selection_set, type_)
        measured = Measure(measured.depth, measured.aliases,
                           measured.directives + len(definition.directives or ()), measured.cost)
        self.in_progress.discard(name)
        self.memo[name] = measured
        return measured

    def selection_set(self, selection_set: SelectionSetNode | None,
                      parent: GraphQLNamedType | None) -> Measure:
        """Fields of this set at depth 1; the cost of a field at depth d is base * factor^(d-1)."""
        total = Measure()
        if selection_set is None:
            return total
        factor = self.limits.cost_depth_factor
        for selection in selection_set.selections:
            directives = len(selection.directives or ())
            if isinstance(selection, FieldNode):
                field_def = self._field_def(parent, selection.name.value)
                named = get_named_type(field_def.type) if field_def is not None else None
                composite = named is not None and is_composite_type(named)
                base = self.limits.cost_object if composite or selection.selection_set \
                    else self.limits.cost_scalar
                here = Measure(1, 1 if selection.alias else 0, directives, base)
                if selection.selection_set is not None:
                    children = self.selection_set(selection.selection_set,
                                                  named if composite else None)
                    linear = selection.name.value == "ofType" and parent is not None \
                        and parent.name == "__Type"
                    here = here + children.nested(0 if linear else 1, 1.0 if linear else factor)
                total = total + here
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                type_ = self.schema.get_type(condition.name.value) if condition else parent
                inner = self.selection_set(selection.selection_set, type_)
                total = total + Measure(inner.depth, inner.aliases, inner.directives + directives,
                                        inner.cost)
            elif isinstance(selection, FragmentSpreadNode):
                inner = self.fragment(selection.name.value)
                total = total + Measure(inner.depth, inner.aliases, inner.directives + directives,
                                        inner.cost)
        return total


def measure(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode,
            limits: Limits) -> Measure:
    """Depth, aliases, directives and cost of one operation, fragments expanded."""
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    root = schema.get_root_type(operation.operation)
    measured = _Measurer(schema, fragments, limits).selection_set(operation.selection_set, root)
    return Measure(measured.depth, measured.aliases,
                   measured.directives + len(operation.directives or ()), measured.cost)


# ------------------------------------------------------------------ the validation rules


class _LimitRule(ASTValidationRule):
    """Reports an operation over one limit. The measure of each operation is taken once per
    validation and shared by the rules (kept on the validation context)."""

    limit = ""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.limits: Limits = getattr(type(self), "limits", Limits())

    def value(self, measured: Measure) -> float:
        raise NotImplementedError

    def maximum(self) -> float:
        raise NotImplementedError

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        context: Any = self.context
        cache: dict[int, Measure] = context.__dict__.setdefault("_gateway_measures", {})
        measured = cache.get(id(node))
        if measured is None:
            measured = measure(context.schema, context.document, node, self.limits)
            cache[id(node)] = measured
        if self.value(measured) > self.maximum():
            self.report_error(GraphQLError(MESSAGES[self.limit], node, extensions={
                "code": "LIMIT_EXCEEDED", "limit": self.limit}))


class DepthLimit(_LimitRule):
    limit = "depth"

    def value(self, measured: Measure) -> float:
        return measured.depth

    def maximum(self) -> float:
        return self.limits.depth


class AliasLimit(_LimitRule):
    limit = "aliases"

    def value(self, measured: Measure) -> float:
        return measured.aliases

    def maximum(self) -> float:
        return self.limits.aliases


class DirectiveLimit(_LimitRule):
    limit = "directives"

    def value(self, measured: Measure) -> float:
        return measured.directives

    def maximum(self) -> float:
        return self.limits.directives


class CostLimit(_LimitRule):
    limit = "cost"

    def value(self, measured: Measure) -> float:
        return measured.cost

    def maximum(self) -> float:
        return self.limits.cost


def limit_rules(limits: Limits) -> tuple[type[ASTValidationRule], ...]:
    """The rules bound to these limits (graphql-core instantiates a rule per validation)."""
    return tuple(type(rule.__name__, (rule,), {"limits": limits})
                 for rule in (DepthLimit, AliasLimit, DirectiveLimit, CostLimit))


# ------------------------------------------------------------------ list sizes


def check_list_sizes(schema: GraphQLSchema, document: DocumentNode,
                     operation: OperationDefinitionNode, variables: Mapping[str, Any],
                     limits: Limits) -> None:
    """Every `first` the operation will use (its value, a variable's, or the schema default) is at
    most the cap of its field ("Type.field"). Over it: BAD_USER_INPUT, extensions.limit = first."""
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    seen: set[tuple[str, str]] = set()

    def walk(selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None) -> None:
        if selection_set is None or not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                field_def = parent.fields.get(selection.name.value)
                if field_def is None:
                    continue
                argument = field_def.args.get("first")
                if argument is not None:
                    coordinate = f"{parent.name}.{selection.name.value}"
                    node = next((a for a in selection.arguments or ()
                                 if a.name.value == "first"), None)
                    value = (value_from_ast(node.value, argument.type, dict(variables))
                             if node is not None else argument.default_value)
                    if isinstance(value, int) and value > limits.list_cap(coordinate):
                        raise BadArgument(f"{coordinate}: `first` is larger than this gateway "
                                          "allows", extensions={"limit": "first"})
                walk(selection.selection_set, get_named_type(field_def.type))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                walk(selection.selection_set,
                     schema.get_type(condition.name.value) if condition else parent)
            elif isinstance(selection, FragmentSpreadNode):
                definition = fragments.get(selection.name.value)
                key = (selection.name.value, parent.name)
                if definition is not None and key not in seen:
                    seen.add(key)
                    walk(definition.selection_set,
                         schema.get_type(definition.type_condition.name.value))

    walk(operation.selection_set, schema.get_root_type(operation.operation))


# ------------------------------------------------------------------ filter values


def _predicate_values(predicate: Predicate | None) -> list[Any]:
    own = [value for compare in comparisons(predicate)
           for value in (compare.value if isinstance(compare.value, tuple) else (compare.value,))]
    return own + [value for inner in related(predicate) for value in _predicate_values(inner.where)]


def _selection_values(selections: tuple[Selection, ...]) -> list[Any]:
    found: list[Any] = []
    for selection in selections:
        if isinstance(selection, Nested):
            found += _predicate_values(selection.where)
            found += _selection_values(selection.selections)
    return found


def _encodable(value: str) -> bool:
    """Valid Unicode: JSON lets a client send a lone surrogate, which no database can store."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _filters(predicate: Predicate | None) -> int:
    """The filters on related records in `predicate`, at every level."""
    return sum(1 + _filters(inner.where) for inner in related(predicate))


def _selection_filters(selections: tuple[Selection, ...]) -> int:
    return sum(_filters(selection.where) + _selection_filters(selection.selections)
               for selection in selections if isinstance(selection, Nested))


def check_filter_values(plan: OperationPlan, limits: Limits) -> None:
    """No filter value holds a NUL character (PostgreSQL refuses it in text): 400, not a 502;
    and no more filters on related records than the limit."""
    filters = 0
    for root in plan.roots:
        values: list[Any] = []
        if isinstance(root, CitizenLookup):
            values = _selection_values(root.selections)
            filters += _selection_filters(root.selections)
        elif isinstance(root, CitizenPage):
            values = _predicate_values(root.where)
            filters += _filters(root.where)
            for view in root.views:
                values += _selection_values(view)
                filters += _selection_filters(view)
        if any(isinstance(value, str) and "\x00" in value for value in values):
            raise BadArgument("a filter value may not contain the NUL character (U+0000)")
        if any(isinstance(value, str) and not _encodable(value) for value in values):
            raise BadArgument("a filter value may not contain a lone surrogate (a JSON \\uD800 "
                              "escape without its pair): it is not text")
    if filters > limits.related_filters:
        raise exceeded("relatedFilters")
