"""Predicates the compiler writes: user values only as literals, wildcards escaped."""

from __future__ import annotations

import pytest

from gateway.compile.predicates import predicate
from gateway.ir import Compare


@pytest.mark.parametrize("dialect", ["trino", "duckdb"])
def test_starts_with_escapes_like_wildcards(dialect: str) -> None:
    condition = predicate(
        "t", Compare("postcode", "postcode", "string", "startsWith", "KF1_%\\'x"))
    sql = condition.sql(dialect=dialect)
    # _ and % are text, not wildcards; the quote is doubled; the escape character is declared.
    assert sql == """"t"."postcode" LIKE 'KF1\\_\\%\\\\''x%' ESCAPE '\\'""", sql
