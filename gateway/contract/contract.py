"""schema.graphql read into a typed description of where each field lives.

The contract is the single description of the citizen view: its types, and for each field the
column it reads, the department link or the join that reaches it. It is read once at start-up;
a contract that does not hold together is a ContractError there, never a surprise per request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

from graphql import (
    DirectiveNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    StringValueNode,
    build_schema,
    get_named_type,
)

from gateway.errors import ContractError
from gateway.ir import Element, Kind, MaskKind, PersonIndex, Quantifier, Table
from gateway.masks import GENERALISATIONS, MASKS, is_mask

ROOT_TYPE = "Citizen"
CONNECTION_TYPES = frozenset({"Query", "CitizenConnection", "CitizenEdge", "PageInfo"})
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
QUANTIFIERS: tuple[Quantifier, ...] = get_args(Quantifier)  # a list filter's fields
ELEMENTS: tuple[Element, ...] = get_args(Element)
SCALAR_KINDS: dict[str, Kind] = {"ID": "id", "String": "string", "Int": "int", "Float": "float",
                "Boolean": "boolean", "Date": "date"}


def parse_table(dotted: str) -> Table:
    parts = dotted.split(".")
    if len(parts) != 3 or not all(_IDENTIFIER.fullmatch(part) for part in parts):
        raise ContractError(f"table {dotted!r} must be catalog.schema.table")
    return Table(*parts)


@dataclass(frozen=True)
class EnumInfo:
    name: str
    stored_by_name: dict[str, str]

    def stored(self, name: str) -> str:
        return self.stored_by_name[name]


@dataclass(frozen=True)
class ColumnField:
    """A scalar or enum field read from one column of its type's table."""

    name: str
    column: str
    kind: Kind
    nullable: bool
    enum: EnumInfo | None = None
    generalised: MaskKind | None = None  # a mask always applied, whatever the policy (@generalised)
    element: Element | None = None  # what the field is (@element)


@dataclass(frozen=True)
class LinkField:
    """A department record of the citizen, found through the master person index."""

    name: str
    target: str
    department: str


@dataclass(frozen=True)
class OrderKey:
    column: str
    descending: bool


@dataclass(frozen=True)
class JoinField:
    """A nested record (many=False) or list (many=True) joined to its parent by one column."""

    name: str
    target: str
    column: str
    parent_column: str
    many: bool
    default_order: tuple[OrderKey, ...]


FieldInfo = ColumnField | LinkField | JoinField


@dataclass(frozen=True)
class ObjectInfo:
    name: str
    table: Table
    key: str
    fields: dict[str, FieldInfo]

    @property
    def department(self) -> str:
        return self.table.catalog


@dataclass(frozen=True)
class Contract:
    sdl: str
    schema: GraphQLSchema
    objects: dict[str, ObjectInfo]
    person_index: PersonIndex

    @property
    def root(self) -> ObjectInfo:
        return self.objects[ROOT_TYPE]

    def departments(self) -> list[str]:
        return sorted({info.department for info in self.objects.values()})




def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _generalised(args: dict[str, str] | None, where: str) -> MaskKind | None:
    if args is None:
        return None
    mask = args.get("mask", "")
    if not (is_mask(mask) and mask in GENERALISATIONS):
        raise ContractError(f"{where}: @generalised(mask:) must be one of "
                            f"{', '.join(sorted(GENERALISATIONS))}")
    return mask


def _element(args: dict[str, str] | None, where: str) -> Element | None:
    if args is None:
        return None
    for element in ELEMENTS:
        if args.get("name") == element:
            return element
    raise ContractError(f"{where}: @element(name:) must be one of {', '.join(ELEMENTS)}")


def _directive_args(nodes: tuple[DirectiveNode, ...] | None, name: str) -> dict[str, str] | None:
    for node in nodes or ():
        if node.name.value == name:
            args: dict[str, str] = {}
            for argument in node.arguments:
                if not isinstance(argument.value, StringValueNode):
                    raise ContractError(f"@{name}({argument.name.value}:) must be a string")
                args[argument.name.value] = argument.value.value
            return args
    return None


def _column_name(raw: str, where: str) -> str:
    if not _IDENTIFIER.fullmatch(raw):
        raise ContractError(f"{where}: {raw!r} is not a plain column name")
    return raw


def _parse_order(raw: str, where: str) -> tuple[OrderKey, ...]:
    keys = []
    for part in raw.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC")):
            raise ContractError(f"{where}: order {raw!r} must be 'column [ASC|DESC], ...'")
        keys.append(OrderKey(_column_name(words[0], where),
                             len(words) == 2 and words[1].upper() == "DESC"))
    return tuple(keys)


def _enum_info(enum: GraphQLEnumType) -> EnumInfo:
    stored = {}
    for name, value in enum.values.items():
        args = _directive_args(value.ast_node.directives if value.ast_node else None, "stored")
        stored[name] = args["value"] if args else name.lower()
    return EnumInfo(enum.name, stored)


def _unwrap(type_: GraphQLOutputType) -> tuple[GraphQLOutputType, bool, bool]:
    """(named type, nullable, is a list)."""
    nullable = not isinstance(type_, GraphQLNonNull)
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    many = isinstance(type_, GraphQLList)
    if isinstance(type_, GraphQLList):
        type_ = type_.of_type
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
    return type_, nullable, many


def _object_info(object_type: GraphQLObjectType) -> ObjectInfo:
    where = object_type.name
    node = object_type.ast_node
    table_args = _directive_args(node.directives if node else None, "table")
    if table_args is None:
        raise ContractError(f"type {where} has no @table(name:, key:)")
    fields: dict[str, FieldInfo] = {}
    for field_name, field in object_type.fields.items():
        field_where = f"{where}.{field_name}"
        directives = field.ast_node.directives if field.ast_node else None
        named, nullable, many = _unwrap(field.type)
        if isinstance(named, GraphQLObjectType):
            link = _directive_args(directives, "link")
            join = _directive_args(directives, "join")
            if link is not None and not many:
                fields[field_name] = LinkField(field_name, named.name, link["department"])
            elif join is not None:
                fields[field_name] = JoinField(
                    field_name, named.name,
                    _column_name(join["column"], field_where),
                    _column_name(join["parent"], field_where),
                    many,
                    _parse_order(join["order"], field_where) if "order" in join else (),
                )
            else:
                raise ContractError(f"{field_where} needs @link(department:) or @join(column:, parent:)")
            continue
        if many:
            raise ContractError(f"{field_where}: lists of scalars are not supported")
        column_args = _directive_args(directives, "column")
        column = _column_name(column_args["name"] if column_args else snake_case(field_name),
                              field_where)
        generalised = _generalised(_directive_args(directives, "generalised"), field_where)
        element = _element(_directive_args(directives, "element"), field_where)
        if isinstance(named, GraphQLEnumType):
            fields[field_name] = ColumnField(field_name, column, "enum", nullable, _enum_info(named),
                                             element=element)
        elif isinstance(named, GraphQLScalarType) and named.name in SCALAR_KINDS:
            if generalised is not None and SCALAR_KINDS[named.name] not in MASKS[generalised].kinds:
                raise ContractError(f"{field_where}: @generalised(mask: {generalised!r}) does not "
                                    f"fit a {named.name} ({MASKS[generalised].meaning})")
            fields[field_name] = ColumnField(field_name, column, SCALAR_KINDS[named.name], nullable,
                                             generalised=generalised, element=element)
        else:
            raise ContractError(f"{field_where}: unsupported type {named}")
    return ObjectInfo(
        object_type.name,
        parse_table(table_args["name"]),
        _column_name(table_args["key"], where),
        fields,
    )


def _check_inputs(schema: GraphQLSchema, objects: dict[str, ObjectInfo]) -> None:
    """Filter and order inputs may only name what the type they filter or order has: its columns,
    its records and lists (filtered by their own type's `Where` / `ListFilter`), and `exists`
    where the type is a record of something else."""
    records = {field_info.target for info in objects.values() for field_info in info.fields.values()
               if isinstance(field_info, LinkField)
               or (isinstance(field_info, JoinField) and not field_info.many)}
    for type_name, type_ in schema.type_map.items():
        if type_name.endswith("ListFilter") and isinstance(type_, GraphQLInputObjectType):
            element = type_name[: -len("ListFilter")]
            if element not in objects:
                raise ContractError(f"input {type_name} filters no known type")
            for field_name, input_field in type_.fields.items():
                if field_name not in QUANTIFIERS or get_named_type(input_field.type).name \
                        != f"{element}Where":
                    raise ContractError(f"{type_name}.{field_name}: a list filter holds only "
                                        f"{', '.join(QUANTIFIERS)}, each a {element}Where")
        if type_name.endswith("Where") and isinstance(type_, GraphQLInputObjectType):
            target = objects.get(type_name[: -len("Where")])
            if target is None:
                raise ContractError(f"input {type_name} filters no known type")
            for field_name, input_field in type_.fields.items():
                if field_name in ("and", "or", "not"):
                    continue
                if field_name == "exists":
                    if target.name not in records:
                        raise ContractError(f"{type_name}.exists: {target.name} is not a record "
                                            "of another type (it is always there)")
                    continue
                field_info = target.fields.get(field_name)
                if isinstance(field_info, ColumnField):
                    continue
                if field_info is None:
                    raise ContractError(f"{type_name}.{field_name} is not a field of {target.name}")
                many = isinstance(field_info, JoinField) and field_info.many
                wanted = f"{field_info.target}{'ListFilter' if many else 'Where'}"
                if get_named_type(input_field.type).name != wanted:
                    raise ContractError(f"{type_name}.{field_name} must be a {wanted}")
        if type_name.endswith("OrderField") and isinstance(type_, GraphQLEnumType):
            target = objects.get(type_name[: -len("OrderField")])
            if target is None:
                raise ContractError(f"enum {type_name} orders no known type")
            for value_name in type_.values:
                field_info = target.fields.get(value_name)
                if not isinstance(field_info, ColumnField) or field_info.nullable:
                    raise ContractError(
                        f"{type_name}.{value_name} must name a non-null column of {target.name}"
                    )


def load_contract(path: Path) -> Contract:
    sdl = path.read_text(encoding="utf-8")
    try:
        schema = build_schema(sdl)
    except Exception as error:  # graphql-core raises TypeError/GraphQLError for bad SDL
        raise ContractError(f"{path}: {error}") from error
    objects = {
        name: _object_info(type_)
        for name, type_ in schema.type_map.items()
        if isinstance(type_, GraphQLObjectType)
        and not name.startswith("__")
        and name not in CONNECTION_TYPES
    }
    if ROOT_TYPE not in objects:
        raise ContractError(f"{path}: no type {ROOT_TYPE}")
    for info in objects.values():
        for field_info in info.fields.values():
            if isinstance(field_info, LinkField | JoinField) and field_info.target not in objects:
                raise ContractError(f"{info.name}.{field_info.name}: unknown type {field_info.target}")
    _check_inputs(schema, objects)
    index_args = _directive_args(schema.ast_node.directives if schema.ast_node else None,
                                 "personIndex")
    if index_args is None:
        raise ContractError(f"{path}: the schema needs @personIndex(...)")
    person_index = PersonIndex(
        parse_table(index_args["table"]),
        _column_name(index_args["citizenKey"], "@personIndex"),
        _column_name(index_args["department"], "@personIndex"),
        _column_name(index_args["localKey"], "@personIndex"),
        _column_name(index_args["primary"], "@personIndex") if "primary" in index_args else None,
    )
    return Contract(sdl, schema, objects, person_index)
