"""Predicates of the plan (a `where:`, a row rule, a guard, a cursor) as SQL conditions.

>>> from gateway.ir import Compare
>>> predicate("t", Compare("familyName", "family_name", "string", "startsWith", "O_B")).sql("trino")
'"t"."family_name" LIKE \\'O\\\\_B%\\' ESCAPE \\'\\\\\\''
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from gateway.compile.sql import (
    column,
    conjunction,
    disjunction,
    literal,
    primary_links,
    sql_type,
    table,
)
from gateway.ir import (
    AllOf,
    AnyOf,
    Compare,
    Kind,
    Negation,
    PersonIndex,
    Predicate,
    Related,
    Scalar,
    Sort,
    ViaJoin,
    ViaPersonIndex,
)

_OPERATORS: dict[str, type[exp.Binary]] = {
    "eq": exp.EQ, "ne": exp.NEQ, "lt": exp.LT, "lte": exp.LTE, "gt": exp.GT, "gte": exp.GTE,
}


def predicate(alias: str, tree: Predicate, index: PersonIndex | None = None,
              depth: int = 0) -> exp.Expr:
    """The condition on the rows of `alias`; and/or groups parenthesised as the user wrote them.

    >>> from gateway.ir import Compare
    >>> either = AnyOf((Compare("ward", "ward", "string", "eq", "North"),
    ...                 Compare("ward", "ward", "string", "isNull", True)))
    >>> predicate("t", either).sql("trino")
    '("t"."ward" = \\'North\\' OR "t"."ward" IS NULL)'
    """
    if isinstance(tree, AllOf):
        parts = [predicate(alias, part, index, depth) for part in tree.parts]
        return exp.Paren(this=conjunction(parts)) if parts else exp.true()
    if isinstance(tree, AnyOf):
        if not tree.parts:
            return exp.false()
        return exp.Paren(this=disjunction([predicate(alias, part, index, depth)
                                           for part in tree.parts]))
    if isinstance(tree, Negation):
        return exp.Not(this=exp.Paren(this=predicate(alias, tree.part, index, depth)))
    if isinstance(tree, Related):
        return related(alias, tree, index, depth)
    return compare(alias, tree)


def related(alias: str, condition: Related, index: PersonIndex | None, depth: int) -> exp.Expr:
    """A condition on related rows as an uncorrelated semi-join: the parent's key `IN` the keys
    of the related rows that match, each level a subquery over its own table, so each
    department's conditions reach that department's table (and a person-index link is crossed
    inside the engine). `none` and `every` are the negation, NULL-safe: a parent with no
    related rows has none of them, and every one of them matches.

    >>> from gateway.ir import Table, ViaJoin
    >>> cases = Related("cases", "SocialCase", Table("sc", "sc", "cases"),
    ...                 "case_id", ViaJoin("client_id", "client_id"), "client_id", "some",
    ...                 Compare("status", "status", "enum", "eq", "open"))
    >>> print(related("t", cases, None, 0).sql("trino"))
    "t"."client_id" IN (SELECT "f1"."client_id" FROM "sc"."sc"."cases" AS "f1" WHERE "f1"."status" = 'open')
    """
    keys = _keys(condition, index, depth)
    if keys is None:
        return exp.true()  # every row matches no condition at all
    test: exp.Expr = exp.In(this=column(alias, condition.parent_column),
                            query=exp.Subquery(this=keys))
    if condition.parent_guard is not None:
        test = exp.Paren(this=exp.And(this=predicate(alias, condition.parent_guard, index, depth),
                                      expression=test))
    if condition.quantifier == "some":
        return test
    return exp.Not(this=exp.Coalesce(this=test, expressions=[exp.false()]))


@dataclass(frozen=True)
class _Rows:
    """The related rows that match, as one table's alias, the column they offer the parent, and
    their condition: a select, or the right side of a join with the person index."""

    source: exp.Expr  # the table, aliased
    key: exp.Column
    where: exp.Expr | None

    def select(self) -> exp.Select:
        rows = exp.Select(expressions=[self.key]).from_(self.source, copy=False)
        return rows.where(self.where, copy=False) if self.where is not None else rows


def _keys(condition: Related, index: PersonIndex | None, depth: int) -> exp.Select | None:
    """The parent-side keys of the related rows that match (for `every`: that fail to)."""
    rows = _rows(condition, index, depth)
    if rows is None:
        return None
    via = condition.via
    if isinstance(via, ViaJoin):
        return rows.select()
    # the citizens linked to those department records: a join, not a nested IN (Trino plans
    # the join with dynamic filters both ways; the nested semi-join took 1.5 x as long)
    assert index is not None, "a department filter needs the person index"
    link = f"p{depth + 1}"
    crossing = exp.Select(expressions=[column(link, index.citizen_key)]).from_(
        table(index.table, link), copy=False).join(
        rows.source, on=exp.EQ(this=rows.key, expression=column(link, index.local_key)),
        copy=False)
    department = exp.EQ(this=column(link, index.department_column),
                        expression=exp.Literal.string(via.department))
    return crossing.where(conjunction([department, *primary_links(index, link),
                                       *([rows.where] if rows.where else [])]), copy=False)


def _rows(condition: Related, index: PersonIndex | None, depth: int) -> _Rows | None:
    inner = f"f{depth + 1}"
    listed = _only_list(condition)
    if listed is not None:
        # a record whose one condition is "some row of its list matches": the list's rows
        # carry the record's key, so the record's own table (every patient, say) is not read
        return _rows(listed, index, depth)
    conditions: list[exp.Expr] = []
    if condition.row_filter is not None:
        conditions.append(predicate(inner, condition.row_filter, index, depth + 1))
    if condition.where is not None:
        matches = predicate(inner, condition.where, index, depth + 1)
        if condition.quantifier == "every":  # a row that does not match (false or unknown)
            matches = exp.Not(this=exp.Coalesce(this=matches, expressions=[exp.false()]))
        conditions.append(matches)
    elif condition.quantifier == "every":
        return None
    via = condition.via
    own = via.column if isinstance(via, ViaJoin) else condition.table_key
    return _Rows(table(condition.table, inner), column(inner, own), conjunction(conditions))


def _only_list(condition: Related) -> Related | None:
    """The list condition a department-record filter consists of, when the record's own rows
    can be skipped: `some` row of a list hanging from the record's key, no rule on the record
    itself (the person index links the record's key, which the list's rows carry)."""
    where = condition.where
    if isinstance(where, AllOf) and len(where.parts) == 1:
        where = where.parts[0]
    if (not isinstance(condition.via, ViaPersonIndex) or condition.quantifier == "every"
            or condition.row_filter is not None or not isinstance(where, Related)):
        return None
    if (where.quantifier != "some" or where.parent_guard is not None
            or not isinstance(where.via, ViaJoin) or where.parent_column != condition.table_key):
        return None
    return where


def compare(alias: str, comparison: Compare) -> exp.Expr:
    """One comparison of a column with the user's value (as a literal, never as text)."""
    target: exp.Expr = column(alias, comparison.column)
    value = comparison.value
    if comparison.op == "isNull":
        is_null = exp.Is(this=target, expression=exp.Null())
        return is_null if value else exp.Not(this=is_null)
    if comparison.op == "in":
        assert isinstance(value, tuple)
        if not value:
            return exp.false()
        return exp.In(this=target, expressions=[literal(comparison.kind, item) for item in value])
    assert value is not None and not isinstance(value, tuple)
    if comparison.kind == "boolean":
        # a MariaDB BOOLEAN reaches Trino as a tinyint: compared as the value leaves the engine
        target = exp.Cast(this=target, to=sql_type("boolean"))
    if comparison.op == "startsWith":
        # exp.Escape, not Like(escape=): sqlglot renders only the former as ESCAPE '\'
        return exp.Escape(this=exp.Like(this=target, expression=like_prefix(str(value))),
                          expression=exp.Literal.string("\\"))
    return _OPERATORS[comparison.op](this=target, expression=literal(comparison.kind, value))


def like_prefix(value: str) -> exp.Expr:
    """A LIKE pattern matching what starts with `value`, its own % _ and \\ escaped.

    >>> like_prefix("50%").sql("trino")
    "'50\\\\%%'"
    """
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return exp.Literal.string(escaped + "%")


def order_by(alias: str, order: tuple[Sort, ...]) -> exp.Order:
    """ORDER BY the sort keys, NULLs last in either direction (as the cursors assume)."""
    return exp.Order(expressions=[
        exp.Ordered(this=column(alias, sort.column), desc=sort.descending, nulls_first=False)
        for sort in order])


def keyset(alias: str, order: tuple[Sort, ...], after: tuple[Scalar, ...]) -> exp.Expr:
    """Rows strictly after the cursor in the page order: (a > x) OR (a = x AND b > y) ...

    >>> keyset("t", (Sort("familyName", "family_name", "string"), Sort("id", "citizen_id", "id")),
    ...        ("Okafor", 7)).sql("trino")
    '(("t"."family_name" > \\'Okafor\\') OR ("t"."family_name" = \\'Okafor\\' AND "t"."citizen_id" > 7))'
    """
    alternatives: list[exp.Expr] = []
    for index, sort in enumerate(order):
        parts: list[exp.Expr] = [
            exp.EQ(this=column(alias, previous.column),
                   expression=_cursor_literal(previous.kind, value))
            for previous, value in zip(order[:index], after[:index], strict=True)]
        beyond = exp.LT if sort.descending else exp.GT
        parts.append(beyond(this=column(alias, sort.column),
                            expression=_cursor_literal(sort.kind, after[index])))
        alternatives.append(exp.Paren(this=conjunction(parts)))
    return exp.Paren(this=disjunction(alternatives))


def _cursor_literal(kind: Kind, value: Scalar) -> exp.Expr:
    if kind in ("id", "int"):
        return exp.Literal.number(int(value))
    return literal(kind, value)
