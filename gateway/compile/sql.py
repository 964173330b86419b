"""The small SQL vocabulary every compile step builds with: quoted names, types, literals, AND/OR.

Every identifier is quoted (a contract's column names are never read as keywords), and a user
value only ever becomes a typed literal node, never SQL text.

>>> conjunction([column("t", "a").eq(1), column("t", "b").eq(2)]).sql("trino")
'"t"."a" = 1 AND "t"."b" = 2'
>>> literal("date", "2020-01-31").sql("trino")
"CAST('2020-01-31' AS DATE)"
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlglot import exp

from gateway.ir import Kind, PersonIndex, Scalar, Table

_SQL_TYPES: dict[Kind, Any] = {  # how each GraphQL kind leaves the engine (an exp.DataType.Type)
    "id": exp.DataType.Type.VARCHAR,
    "string": exp.DataType.Type.VARCHAR,
    "date": exp.DataType.Type.VARCHAR,
    "enum": exp.DataType.Type.VARCHAR,
    "int": exp.DataType.Type.INT,
    "float": exp.DataType.Type.DOUBLE,
    "boolean": exp.DataType.Type.BOOLEAN,
}


def sql_type(kind: Kind) -> exp.DataType:
    """The SQL type a value of this GraphQL kind leaves the engine as.

    >>> sql_type("float").sql("trino")
    'DOUBLE'
    """
    return exp.DataType(this=_SQL_TYPES[kind])


def varchar() -> exp.DataType:
    return exp.DataType.build("VARCHAR")


def ident(name: str) -> exp.Identifier:
    """A quoted identifier: a column named like a keyword stays a name.

    >>> ident("select").sql("trino")
    '"select"'
    """
    return exp.Identifier(this=name, quoted=True)


def column(alias: str, name: str) -> exp.Column:
    """A column of a relation, both names quoted.

    >>> column("t", "citizen_id").sql("trino")
    '"t"."citizen_id"'
    """
    return exp.Column(this=ident(name), table=ident(alias))


def table(source: Table, alias: str) -> exp.Table:
    """A department table under an alias.

    >>> table(Table("registry", "public", "citizen"), "t").sql("trino")
    '"registry"."public"."citizen" AS "t"'
    """
    return exp.Table(this=ident(source.table), db=ident(source.schema),
                     catalog=ident(source.catalog), alias=exp.TableAlias(this=ident(alias)))


def named(alias: str) -> exp.Table:
    """A CTE (or other relation) by its name alone.

    >>> named("r1").sql("trino")
    '"r1"'
    """
    return exp.Table(this=ident(alias))


def struct_type(fields: list[tuple[str, exp.DataType]]) -> exp.DataType:
    """The ROW type of a result object.

    >>> struct_type([("a", sql_type("int"))]).sql("trino")
    'ROW("a" INTEGER)'
    """
    return exp.DataType(
        this=exp.DataType.Type.STRUCT,
        expressions=[exp.ColumnDef(this=ident(name), kind=kind) for name, kind in fields],
        nested=True,
    )


def array_type(element: exp.DataType) -> exp.DataType:
    """The ARRAY type of a result list.

    >>> array_type(sql_type("int")).sql("trino")
    'ARRAY(INTEGER)'
    """
    return exp.DataType(this=exp.DataType.Type.ARRAY, expressions=[element], nested=True)


def primary_links(index: PersonIndex, alias: str) -> list[exp.Expr]:
    """On a join of the person index (as `alias`): the primary links only, one per citizen and
    department, so that a department's second record of one person never doubles a row."""
    if index.primary_column is None:
        return []
    return [exp.EQ(this=column(alias, index.primary_column), expression=exp.true())]


def conjunction(parts: Sequence[exp.Expr]) -> exp.Expr | None:
    """`a AND b AND ...` of the parts, unparenthesised; None for none."""
    return exp.and_(*parts, wrap=False, copy=False) if parts else None


def disjunction(parts: Sequence[exp.Expr]) -> exp.Expr:
    """`a OR b OR ...` of the parts, unparenthesised; FALSE for none.

    >>> disjunction([column("t", "a").eq(1), column("t", "b").eq(2)]).sql("trino")
    '"t"."a" = 1 OR "t"."b" = 2'
    """
    return exp.or_(*parts, wrap=False, copy=False) if parts else exp.false()


def literal(kind: Kind, value: Scalar) -> exp.Expr:
    """A user value as a typed SQL literal (never as SQL text)."""
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if kind == "date":
        return exp.Cast(this=exp.Literal.string(str(value)), to=exp.DataType.build("DATE"))
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(value)
