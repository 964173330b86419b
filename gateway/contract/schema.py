"""The executable GraphQL schema, built with graphene from the contract (schema.graphql).

Each SDL type becomes a graphene class of the same name, fields, arguments, defaults and
descriptions, so the served schema is the contract. No resolvers: data is never resolved field by
field; the gateway compiles the whole selection into one SQL statement. graphene's schema is used
for parsing, validation and introspection.
"""

from __future__ import annotations

import datetime
from typing import Any

import graphene
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLWrappingType,
    StringValueNode,
    ValueNode,
)

from gateway.contract.contract import Contract

_BUILTIN_SCALARS: dict[str, Any] = {
    "ID": graphene.ID,
    "String": graphene.String,
    "Int": graphene.Int,
    "Float": graphene.Float,
    "Boolean": graphene.Boolean,
}


def _parse_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        raise ValueError("a Date is a string such as 2014-03-31")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date such as 2014-03-31") from None


def _parse_date_literal(node: ValueNode, _variables: Any = None) -> datetime.date:
    if not isinstance(node, StringValueNode):
        raise ValueError("a Date is a string such as 2014-03-31")
    return _parse_date(node.value)


def _serialize_date(value: Any) -> str:
    return value if isinstance(value, str) else _parse_date(value).isoformat()


class _Builder:
    def __init__(self, schema: GraphQLSchema) -> None:
        self.source = schema
        self.types: dict[str, Any] = dict(_BUILTIN_SCALARS)

    def named(self, name: str) -> Any:
        if name not in self.types:
            source_type = self.source.type_map[name]
            if isinstance(source_type, GraphQLObjectType):
                self.types[name] = self.object_type(source_type)
            elif isinstance(source_type, GraphQLInputObjectType):
                self.types[name] = self.input_type(source_type)
            elif isinstance(source_type, GraphQLEnumType):
                self.types[name] = self.enum_type(source_type)
            elif isinstance(source_type, GraphQLScalarType):
                self.types[name] = self.scalar_type(source_type)
            else:
                raise TypeError(f"unsupported type {name}")
        return self.types[name]

    def wrapped(self, type_: GraphQLOutputType | GraphQLInputType) -> Any:
        """A graphene type expression, with named types looked up lazily (types refer to each other)."""
        if isinstance(type_, GraphQLNonNull):
            return graphene.NonNull(self.wrapped(type_.of_type))
        if isinstance(type_, GraphQLList):
            return graphene.List(self.wrapped(type_.of_type))
        assert not isinstance(type_, GraphQLWrappingType)
        name = type_.name

        def lazy() -> Any:
            return self.named(name)

        return lazy

    def scalar_type(self, source: GraphQLScalarType) -> Any:
        if source.name != "Date":
            raise TypeError(f"unsupported scalar {source.name}")
        return type("Date", (graphene.Scalar,), {
            "__doc__": source.description,
            "serialize": staticmethod(_serialize_date),
            "parse_value": staticmethod(_parse_date),
            "parse_literal": staticmethod(_parse_date_literal),
        })

    def enum_type(self, source: GraphQLEnumType) -> Any:
        descriptions = {name: value.description for name, value in source.values.items()}

        def describe(value: Any) -> str | None:
            return source.description if value is None else descriptions.get(value.name)

        meta = type("Meta", (), {"description": describe})
        members: dict[str, Any] = {name: name for name in source.values}
        members["Meta"] = meta
        return type(source.name, (graphene.Enum,), members)

    def _default(self, field: GraphQLInputField | GraphQLArgument) -> Any:
        return field.default_value  # Undefined stays Undefined: no default printed

    def input_type(self, source: GraphQLInputObjectType) -> Any:
        attrs: dict[str, Any] = {"__doc__": source.description}
        for name, field in source.fields.items():
            attrs[name] = graphene.InputField(
                self.wrapped(field.type), name=name, description=field.description,
                default_value=self._default(field),
            )
        return type(source.name, (graphene.InputObjectType,), attrs)

    def object_type(self, source: GraphQLObjectType) -> Any:
        attrs: dict[str, Any] = {"__doc__": source.description}
        for name, field in source.fields.items():
            args = {
                arg_name: graphene.Argument(
                    self.wrapped(arg.type), name=arg_name, description=arg.description,
                    default_value=self._default(arg),
                )
                for arg_name, arg in field.args.items()
            }
            attrs[name] = graphene.Field(
                self.wrapped(field.type), name=name, description=field.description, args=args,
            )
        return type(source.name, (graphene.ObjectType,), attrs)


def build_executable_schema(contract: Contract) -> graphene.Schema:
    builder = _Builder(contract.schema)
    query_type = contract.schema.query_type
    assert query_type is not None
    query = builder.named(query_type.name)
    extra = [builder.named(name) for name in contract.schema.type_map
             if not name.startswith("__") and name not in _BUILTIN_SCALARS]
    return graphene.Schema(query=query, types=extra, auto_camelcase=False)
