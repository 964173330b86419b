"""Plan: a validated GraphQL operation and its variables become the typed IR of what to read.

Field collection (fragments, @skip/@include, aliases) and argument coercion are graphql-core's;
this module only maps the collected fields onto the contract.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping
from typing import Any, TypeGuard, get_args

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
)
from graphql.execution.collect_fields import collect_fields, collect_sub_fields
from graphql.execution.values import get_argument_values, get_variable_values

from gateway.contract.contract import ColumnField, Contract, JoinField, LinkField, ObjectInfo
from gateway.errors import BadArgument, BadRequest, GraphQLValidationError
from gateway.ir import (
    AllOf,
    AnyOf,
    CitizenLookup,
    CitizenPage,
    Column,
    Compare,
    CompareOp,
    ConnectionPart,
    CursorPart,
    EdgesPart,
    EndCursorPart,
    HasNextPagePart,
    IntrospectionRoot,
    Negation,
    Nested,
    NodePart,
    OperationPlan,
    PageInfoPart,
    Predicate,
    Quantifier,
    Related,
    Root,
    Scalar,
    Selection,
    Sort,
    Typename,
    TypenameRoot,
    ViaJoin,
    ViaPersonIndex,
)
from gateway.pipeline import cursor as cursors

MAX_FIRST = 100


def _is_compare_op(name: str) -> TypeGuard[CompareOp]:
    return name in get_args(CompareOp)


def _is_quantifier(name: str) -> TypeGuard[Quantifier]:
    return name in get_args(Quantifier)


def select_operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        if operation_name:
            raise BadRequest(f"the document has no operation named {operation_name!r}")
        raise BadRequest("the document has several operations: say which one with operationName")
    return operation


def coerce_variables(schema: GraphQLSchema, operation: OperationDefinitionNode,
                     raw: Mapping[str, Any] | None) -> dict[str, Any]:
    coerced = get_variable_values(schema, operation.variable_definitions or (), dict(raw or {}),
                                  max_errors=20)
    if isinstance(coerced, list):
        raise BadArgument("; ".join(error.message for error in coerced))
    return coerced


def _name(value: Any) -> Any:
    """graphene hands enum arguments over as Python enum members; the plan speaks names."""
    return value.name if isinstance(value, enum.Enum) else value


class Planner:
    def __init__(self, contract: Contract, schema: GraphQLSchema, document: DocumentNode,
                 variables: dict[str, Any], cursor_key: bytes) -> None:
        self.contract = contract
        self.schema = schema
        self.variables = variables
        self.cursor_key = cursor_key
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }

    # -------------------------------------------------------------- helpers

    def _object(self, name: str) -> GraphQLObjectType:
        type_ = self.schema.type_map[name]
        assert isinstance(type_, GraphQLObjectType)
        return type_

    def _subfields(self, type_name: str, nodes: list[FieldNode]) -> dict[str, list[FieldNode]]:
        return collect_sub_fields(self.schema, self.fragments, self.variables,
                                 self._object(type_name), nodes)

    def _arguments(self, field_def: GraphQLField, node: FieldNode) -> dict[str, Any]:
        try:
            return get_argument_values(field_def, node, self.variables)
        except GraphQLError as error:
            raise BadArgument(error.message) from None

    @staticmethod
    def _first(value: Any, where: str) -> int:
        if not isinstance(value, int) or value < 0 or value > MAX_FIRST:
            raise BadArgument(f"{where}: first must be between 0 and {MAX_FIRST}")
        return value

    # -------------------------------------------------------------- values and predicates

    def _literal(self, column: ColumnField, value: Any, where: str) -> Scalar:
        value = _name(value)
        if column.kind == "id":
            text = str(value)
            # ASCII digits only: str.isdigit also takes "١٢" and "１", which int() would read
            if not (text.isascii() and text.isdigit()) or len(text) > 18:
                raise BadArgument(f"{where}: {text!r} is not an id (ids are whole numbers)")
            return int(text)
        if column.kind == "enum":
            assert column.enum is not None
            return column.enum.stored(value)
        if column.kind == "date":
            assert isinstance(value, datetime.date)
            return value.isoformat()
        if isinstance(value, str | int | float | bool):
            return value
        raise BadArgument(f"{where}: unsupported value")

    def _where(self, info: ObjectInfo, raw: Mapping[str, Any] | None, where: str) -> Predicate | None:
        if raw is None:
            return None
        parts: list[Predicate] = []
        for key, value in raw.items():
            if value is None:
                raise BadArgument(f"{where}.{key}: null is not a filter (use isNull)")
            if key == "and":
                parts.append(AllOf(tuple(p for item in value
                                         if (p := self._where(info, item, where)) is not None)))
            elif key == "or":
                parts.append(AnyOf(tuple(p for item in value
                                         if (p := self._where(info, item, where)) is not None)))
            elif key == "not":
                inner = self._where(info, value, where)
                if inner is not None:
                    parts.append(Negation(inner))
            elif key == "exists":  # taken by _related from the record's own filter, nowhere else
                raise BadArgument(f"{where}.exists: put exists directly in the record's filter, "
                                  "not inside and, or or not")
            else:
                field_info = info.fields[key]
                if isinstance(field_info, ColumnField):
                    parts.extend(self._comparisons(field_info, value, f"{where}.{key}"))
                else:
                    parts.extend(self._related(info, field_info, value, f"{where}.{key}"))
        if len(parts) == 1:
            return parts[0]
        return AllOf(tuple(parts))

    def _related(self, info: ObjectInfo, field_info: LinkField | JoinField,
                 raw: Mapping[str, Any], where: str) -> list[Predicate]:
        """A filter on a department record, a nested record or a nested list (`some`, `none`,
        `every`), planned with its own type's filter."""
        target = self.contract.objects[field_info.target]
        via: ViaPersonIndex | ViaJoin
        if isinstance(field_info, LinkField):
            via, parent_column = ViaPersonIndex(field_info.department), info.key
        else:
            via, parent_column = (ViaJoin(field_info.column, field_info.parent_column),
                                  field_info.parent_column)

        def condition(quantifier: Quantifier, inner: Predicate | None) -> Related:
            return Related(field_info.name, target.name, target.table, target.key, via,
                           parent_column, quantifier, inner)

        if isinstance(field_info, JoinField) and field_info.many:
            found: list[Predicate] = []
            for quantifier, value in raw.items():
                assert _is_quantifier(quantifier), quantifier  # the contract's list filters
                if value is None:
                    raise BadArgument(f"{where}.{quantifier}: null is not a filter")
                found.append(condition(quantifier, self._where(target, value,
                                                               f"{where}.{quantifier}")))
            return found
        if "exists" in raw and raw["exists"] is None:
            raise BadArgument(f"{where}.exists: null is not a filter (true or false)")
        rest = {key: value for key, value in raw.items() if key != "exists"}
        inner = self._where(target, rest, where) if rest else None
        return [condition("some" if raw.get("exists", True) else "none", inner)]

    def _comparisons(self, column: ColumnField, ops: Mapping[str, Any], where: str) -> list[Compare]:
        found = []
        for op, value in ops.items():
            assert _is_compare_op(op), op  # the contract's filter inputs hold only these
            if value is None:
                raise BadArgument(f"{where}.{op}: null is not a value to compare with (use isNull)")
            if op == "in":
                literal: Scalar | tuple[Scalar, ...] = tuple(
                    self._literal(column, item, where) for item in value)
            elif op == "isNull":
                literal = bool(value)
            else:
                literal = self._literal(column, value, where)
            found.append(Compare(column.name, column.column, column.kind, op, literal))
        return found

    def _order(self, info: ObjectInfo, raw: list[Mapping[str, Any]] | None,
               default: tuple[Sort, ...]) -> tuple[Sort, ...]:
        sorts: list[Sort] = list(default)
        if raw:
            sorts = []
            for item in raw:
                column = info.fields[_name(item["field"])]
                assert isinstance(column, ColumnField)
                sorts.append(Sort(column.name, column.column, column.kind,
                                  _name(item.get("direction", "ASC")) == "DESC"))
        if not any(sort.column == info.key for sort in sorts):
            key_field = next((f for f in info.fields.values()
                              if isinstance(f, ColumnField) and f.column == info.key), None)
            sorts.append(Sort(key_field.name if key_field else info.key, info.key,
                              key_field.kind if key_field else "id"))
        return tuple(sorts)

    def _default_order(self, info: ObjectInfo, join: JoinField) -> tuple[Sort, ...]:
        by_column = {f.column: f for f in info.fields.values() if isinstance(f, ColumnField)}
        sorts = []
        for key in join.default_order:
            known = by_column.get(key.column)
            sorts.append(Sort(known.name if known else key.column, key.column,
                              known.kind if known else "string", key.descending))
        return tuple(sorts)

    # -------------------------------------------------------------- selections

    def selections(self, info: ObjectInfo, nodes: list[FieldNode]) -> tuple[Selection, ...]:
        planned: list[Selection] = []
        graphql_type = self._object(info.name)
        for key, field_nodes in self._subfields(info.name, nodes).items():
            name = field_nodes[0].name.value
            if name == "__typename":
                planned.append(Typename(key, info.name))
                continue
            field_info = info.fields[name]
            if isinstance(field_info, ColumnField):
                enum_pairs = tuple((stored, graph_name) for graph_name, stored
                                   in field_info.enum.stored_by_name.items()) if field_info.enum else ()
                planned.append(Column(key, name, field_info.column, field_info.kind, enum_pairs,
                                      generalised=field_info.generalised))
                continue
            target = self.contract.objects[field_info.target]
            children = self.selections(target, field_nodes)
            if isinstance(field_info, LinkField):
                planned.append(Nested(key, name, target.name, target.table, target.key,
                                      ViaPersonIndex(field_info.department), False, children))
                continue
            arguments = self._arguments(graphql_type.fields[name], field_nodes[0])
            where = f"{info.name}.{name}"
            planned.append(Nested(
                key, name, target.name, target.table, target.key,
                ViaJoin(field_info.column, field_info.parent_column), field_info.many, children,
                where=self._where(target, arguments.get("where"), where),
                order=self._order(target, arguments.get("orderBy"),
                                  self._default_order(target, field_info))
                if field_info.many else (),
                first=self._first(arguments.get("first"), where) if field_info.many else None,
            ))
        return tuple(planned)

    # -------------------------------------------------------------- roots

    def _lookup(self, key: str, nodes: list[FieldNode], field_def: GraphQLField) -> CitizenLookup:
        root = self.contract.root
        arguments = self._arguments(field_def, nodes[0])
        id_field = next(f for f in root.fields.values()
                        if isinstance(f, ColumnField) and f.column == root.key)
        citizen_id = self._literal(id_field, arguments["id"], "citizen.id")
        assert isinstance(citizen_id, int)
        return CitizenLookup(key, root.table, root.key, citizen_id, self.selections(root, nodes))

    def _page(self, key: str, nodes: list[FieldNode], field_def: GraphQLField) -> CitizenPage:
        root = self.contract.root
        arguments = self._arguments(field_def, nodes[0])
        order = self._order(root, arguments.get("orderBy"), ())
        after = arguments.get("after")
        views: list[tuple[Selection, ...]] = []

        def view_of(view_nodes: list[FieldNode]) -> int:
            selection = self.selections(root, view_nodes)
            if selection not in views:
                views.append(selection)
            return views.index(selection)

        parts: list[ConnectionPart] = []
        for part_key, part_nodes in self._subfields("CitizenConnection", nodes).items():
            name = part_nodes[0].name.value
            if name == "__typename":
                parts.append(Typename(part_key, "CitizenConnection"))
            elif name == "nodes":
                parts.append(NodePart(part_key, view_of(part_nodes)))
            elif name == "edges":
                edge_parts: list[CursorPart | NodePart | Typename] = []
                for edge_key, edge_nodes in self._subfields("CitizenEdge", part_nodes).items():
                    edge_name = edge_nodes[0].name.value
                    if edge_name == "cursor":
                        edge_parts.append(CursorPart(edge_key))
                    elif edge_name == "node":
                        edge_parts.append(NodePart(edge_key, view_of(edge_nodes)))
                    else:
                        edge_parts.append(Typename(edge_key, "CitizenEdge"))
                parts.append(EdgesPart(part_key, tuple(edge_parts)))
            else:
                info_parts: list[HasNextPagePart | EndCursorPart | Typename] = []
                for info_key, info_nodes in self._subfields("PageInfo", part_nodes).items():
                    info_name = info_nodes[0].name.value
                    if info_name == "hasNextPage":
                        info_parts.append(HasNextPagePart(info_key))
                    elif info_name == "endCursor":
                        info_parts.append(EndCursorPart(info_key))
                    else:
                        info_parts.append(Typename(info_key, "PageInfo"))
                parts.append(PageInfoPart(part_key, tuple(info_parts)))
        return CitizenPage(
            key, root.table, root.key,
            where=self._where(root, arguments.get("where"), "citizens.where"),
            order=order,
            first=self._first(arguments.get("first"), "citizens"),
            after=cursors.decode(after, order, self.cursor_key) if after is not None else None,
            views=tuple(views),
            parts=tuple(parts),
        )

    def plan(self, operation: OperationDefinitionNode) -> OperationPlan:
        if operation.operation is not OperationType.QUERY:
            raise GraphQLValidationError(
                f"the citizen view is read-only: {operation.operation.value} operations are not served")
        query_type = self.schema.query_type
        assert query_type is not None
        roots: list[Root] = []
        fields = collect_fields(self.schema, self.fragments, self.variables, query_type,
                                operation.selection_set)
        for key, nodes in fields.items():
            name = nodes[0].name.value
            if name == "__typename":
                roots.append(TypenameRoot(key, query_type.name))
            elif name in ("__schema", "__type"):
                roots.append(IntrospectionRoot(key))
            elif name == "citizen":
                roots.append(self._lookup(key, nodes, query_type.fields[name]))
            elif name == "citizens":
                roots.append(self._page(key, nodes, query_type.fields[name]))
            else:  # validation rejects unknown fields; a contract with more roots needs code here
                raise BadRequest(f"Query.{name} is not served")
        return OperationPlan(tuple(roots), self.contract.person_index)
