"""The served schema (introspected, printed as SDL) is the contract in schema.graphql."""

from __future__ import annotations

from graphql import (
    GraphQLSchema,
    build_client_schema,
    graphql_sync,
    introspection_from_schema,
    lexicographic_sort_schema,
    print_schema,
    specified_directives,
)

from gateway.contract.contract import Contract


def _printed(schema: GraphQLSchema) -> str:
    without_directives = GraphQLSchema(query=schema.query_type, types=list(schema.type_map.values()),
                                       directives=specified_directives)
    return print_schema(lexicographic_sort_schema(without_directives))


def test_served_schema_is_the_contract(contract: Contract, served_schema: GraphQLSchema) -> None:
    served = build_client_schema(introspection_from_schema(served_schema))
    assert _printed(served) == _printed(contract.schema)


def test_every_type_and_field_is_described(served_schema: GraphQLSchema) -> None:
    result = graphql_sync(served_schema, "{ __schema { types { name description kind "
                                         "fields { name description } inputFields { name description } "
                                         "enumValues { name description } } } }")
    assert result.errors is None and result.data is not None
    missing = []
    for type_ in result.data["__schema"]["types"]:
        if type_["name"].startswith("__") or type_["name"] in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        if not type_["description"]:
            missing.append(type_["name"])
        for member in (type_["fields"] or []) + (type_["inputFields"] or []) + (type_["enumValues"] or []):
            if not member["description"]:
                missing.append(f"{type_['name']}.{member['name']}")
    assert missing == []
