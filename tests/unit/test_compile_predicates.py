"""Predicates the compiler writes: user values only as literals, wildcards escaped."""

from __future__ import annotations

import pytest

from gateway.compile import Compiler
from gateway.ir import Compare, PersonIndexRef, Table


@pytest.mark.parametrize("dialect", ["trino", "duckdb"])
def test_starts_with_escapes_like_wildcards(dialect: str) -> None:
    index = PersonIndexRef(Table("registry", "registry", "person_link"), "citizen_id",
                           "department", "local_id")
    condition = Compiler(index, "").predicate(
        "t", Compare("postcode", "postcode", "string", "startsWith", "KF1_%\\'x"))
    sql = condition.sql(dialect=dialect)
    # _ and % are text, not wildcards; the quote is doubled; the escape character is declared.
    assert sql == """"t"."postcode" LIKE 'KF1\\_\\%\\\\''x%' ESCAPE '\\'""", sql
