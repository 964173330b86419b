"""The graphql-core message texts the service recognises (gateway/pipeline/service.py), pinned:
an upgrade of graphql-core that changes one fails here, not silently in production (a token
limit answered as a syntax error, refused introspection as a validation error)."""

from __future__ import annotations

import pytest
from graphql import GraphQLError, NoSchemaIntrospectionCustomRule, build_schema, parse, validate

from gateway.pipeline.service import _ABORTED

SCHEMA = build_schema("type Query { a: Int  q: Query }")


def test_the_token_limit_message() -> None:
    with pytest.raises(GraphQLError) as raised:
        parse("{ a a a a }", max_tokens=3)
    assert "Document contains more than" in raised.value.message


def test_the_error_limit_message() -> None:
    document = parse("{ " + " ".join(f"x{i}: b" for i in range(30)) + " }")
    errors = validate(SCHEMA, document, max_errors=5)
    assert errors[-1].message.startswith(_ABORTED)


def test_the_introspection_rule_message() -> None:
    errors = validate(SCHEMA, parse("{ __schema { queryType { name } } }"),
                      [NoSchemaIntrospectionCustomRule])
    assert "introspection has been disabled" in errors[0].message


def test_nesting_too_deep_for_the_parser_is_a_syntax_error() -> None:
    with pytest.raises(GraphQLError) as raised:
        parse("{" + "q{" * 3000 + "a" + "}" * 3000 + "}")
    assert "nested too deeply" in raised.value.message
