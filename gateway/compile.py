"""Compile: a planned, authorized root becomes sqlglot statements, a constant number per root.

Without department records (only registry fields): ONE statement. With them: TWO, whatever the
nesting and however many citizens:

1. resolve (registry only): the citizens of the answer, in order, with each department's local
   id from the master person index (guards such as an opt-out applied here);
2. fetch: the citizens' views, each department table read with a LITERAL `IN (ids)` on its
   key, nested lists built inside the engine as arrays of named rows, each citizen rendered by
   the engine as one JSON text:

    WITH r1 AS (citizen rows WHERE citizen_id IN (42, 43)),
         r2 AS (patient rows WHERE patient_id IN (1000)),
         r3 AS (encounter rows WHERE patient_id IN (1000), ranked per patient),
         a4 AS (SELECT patient_id, array_agg(CAST(ROW(...) AS ROW(...)) ORDER BY ...) GROUP BY ...)
    SELECT json_format(CAST(ROW(...) AS JSON)) FROM (VALUES (0, 42, 1000), ...) m
      JOIN r1 ... LEFT JOIN r2 ON r2.patient_id = m.link_health LEFT JOIN a4 ...

Why two: measured here, one statement whose departments are reached through `IN (subquery)`
chains (dynamic filtering) planned 64 fragments and took 3-4 s for one citizen, since Trino
inlines every CTE at each use; the two steps take a few hundred ms, and literal ids are what
reaches a department database as an indexed predicate on every engine (DuckDB pushes down only
literals). Masks are applied here, inside the SQL: a masked value never leaves the engine in
clear.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlglot import exp

from gateway.errors import BadArgument
from gateway.ir import (
    AllOf,
    AnyOf,
    CitizenLookup,
    CitizenPage,
    Column,
    Compare,
    Kind,
    Mask,
    Negation,
    Nested,
    PersonIndexRef,
    Predicate,
    Scalar,
    Selection,
    Sort,
    Table,
    Typename,
    ViaJoin,
    ViaPersonIndex,
)

RANK = "__rank"
MARKER = "__bind_"  # a quoted identifier marking where `bind` puts a list of integer ids
PARENT_KEY = "__parent"
ITEMS = "__items"

_SQL_TYPES: dict[str, Any] = {  # GraphQL kind -> sqlglot DataType.Type
    "id": exp.DataType.Type.VARCHAR,
    "string": exp.DataType.Type.VARCHAR,
    "date": exp.DataType.Type.VARCHAR,
    "enum": exp.DataType.Type.VARCHAR,
    "int": exp.DataType.Type.INT,
    "float": exp.DataType.Type.DOUBLE,
    "boolean": exp.DataType.Type.BOOLEAN,
}


def _type(kind: Kind) -> exp.DataType:
    return exp.DataType(this=_SQL_TYPES[kind])


def _ident(name: str) -> exp.Identifier:
    return exp.Identifier(this=name, quoted=True)


def _col(alias: str, name: str) -> exp.Column:
    return exp.Column(this=_ident(name), table=_ident(alias))


def _table(table: Table, alias: str) -> exp.Table:
    return exp.Table(this=_ident(table.table), db=_ident(table.schema),
                     catalog=_ident(table.catalog), alias=exp.TableAlias(this=_ident(alias)))


def _struct_type(fields: list[tuple[str, exp.DataType]]) -> exp.DataType:
    return exp.DataType(
        this=exp.DataType.Type.STRUCT,
        expressions=[exp.ColumnDef(this=_ident(name), kind=kind) for name, kind in fields],
        nested=True,
    )


def _array_type(element: exp.DataType) -> exp.DataType:
    return exp.DataType(this=exp.DataType.Type.ARRAY, expressions=[element], nested=True)


def conjunction(parts: Sequence[exp.Expr]) -> exp.Expr | None:
    """`a AND b AND ...` of the parts, None for none (shared with the DuckDB pushdown pass)."""
    if not parts:
        return None
    condition = parts[0]
    for part in parts[1:]:
        condition = exp.And(this=condition, expression=part)
    return condition


def literal(kind: Kind, value: Scalar) -> exp.Expr:
    """A user value as a typed SQL literal (never as SQL text)."""
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if kind == "date":
        return exp.Cast(this=exp.Literal.string(str(value)), to=exp.DataType.build("DATE"))
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(value)


def _like_prefix(value: str) -> exp.Expr:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return exp.Literal.string(escaped + "%")


@dataclass
class Statement:
    """What the executor needs: the sqlglot tree and how to read its result columns."""

    tree: exp.Select
    cursor_kinds: tuple[Kind, ...] = ()  # then the sort key of each row, for cursors
    departments: tuple[str, ...] = ()
    markers: dict[str, int] = field(default_factory=dict)  # id lists to bind, and their uses


@dataclass
class _Relation:
    """A row source being built: its CTE alias, and the LEFT JOINs its nested fields need."""

    alias: str
    key: str  # the key column of the relation's table
    links: str | None = None  # the alias holding the citizen's department ids (the root only)
    literal_ids: str = ""  # the bound id list holding the relation's keys, when known beforehand
    joins: list[exp.Join] = field(default_factory=list)


class Compiler:
    def __init__(self, person_index: PersonIndexRef, pseudonym_key: str) -> None:
        self.person_index = person_index
        self.pseudonym_key = pseudonym_key
        self.ctes: list[exp.CTE] = []
        self.departments: set[str] = set()
        self.link_ids: dict[str, tuple[int, ...]] = {}
        self.markers: dict[str, int] = {}
        self._count = 0

    def _alias(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"

    def _add_cte(self, alias: str, select: exp.Select) -> None:
        self.ctes.append(exp.CTE(this=select, alias=exp.TableAlias(this=_ident(alias))))

    # ---------------------------------------------------------------- predicates

    def predicate(self, alias: str, predicate: Predicate) -> exp.Expr:
        if isinstance(predicate, AllOf):
            parts = [self.predicate(alias, part) for part in predicate.parts]
            return exp.Paren(this=conjunction(parts)) if parts else exp.true()
        if isinstance(predicate, AnyOf):
            if not predicate.parts:
                return exp.false()
            condition = self.predicate(alias, predicate.parts[0])
            for part in predicate.parts[1:]:
                condition = exp.Or(this=condition, expression=self.predicate(alias, part))
            return exp.Paren(this=condition)
        if isinstance(predicate, Negation):
            return exp.Not(this=exp.Paren(this=self.predicate(alias, predicate.part)))
        return self._compare(alias, predicate)

    def _compare(self, alias: str, compare: Compare) -> exp.Expr:
        column = _col(alias, compare.column)
        value = compare.value
        if compare.op == "isNull":
            is_null = exp.Is(this=column, expression=exp.Null())
            return is_null if value else exp.Not(this=is_null)
        if compare.op == "in":
            assert isinstance(value, tuple)
            if not value:
                return exp.false()
            return exp.In(this=column, expressions=[literal(compare.kind, item) for item in value])
        assert value is not None and not isinstance(value, tuple)
        if compare.op == "startsWith":
            # exp.Escape, not Like(escape=): sqlglot renders only the former as ESCAPE '\'
            return exp.Escape(this=exp.Like(this=column, expression=_like_prefix(str(value))),
                              expression=exp.Literal.string("\\"))
        operator: dict[str, type[exp.Binary]] = {
            "eq": exp.EQ, "ne": exp.NEQ, "lt": exp.LT, "lte": exp.LTE, "gt": exp.GT, "gte": exp.GTE,
        }
        return operator[compare.op](this=column, expression=literal(compare.kind, value))

    # ---------------------------------------------------------------- values

    def mask_expression(self, mask: Mask, value: exp.Expr, kind: Kind) -> exp.Expr:
        """The masked form of a column, computed in the engine. Keeps the field's SQL type."""
        if mask.kind == "redact":
            return exp.Cast(this=exp.Null(), to=_type(kind))
        text = exp.Cast(this=value, to=exp.DataType.build("VARCHAR"))
        if mask.kind == "partial":  # all but the last 4 characters hidden
            length = exp.Length(this=text.copy())
            tail = exp.Substring(this=text.copy(),
                                 start=exp.Sub(this=length.copy(), expression=exp.Literal.number(3)))
            return exp.Case(
                ifs=[exp.If(this=exp.GT(this=length.copy(), expression=exp.Literal.number(4)),
                            true=exp.Pad(this=tail, expression=length.copy(),
                                         fill_pattern=exp.Literal.string("*"), is_left=True))],
                default=exp.Pad(this=exp.Literal.string(""), expression=length,
                                fill_pattern=exp.Literal.string("*"), is_left=True),
            )
        if mask.kind == "pseudonym":  # keyed hash: same input, same pseudonym; no way back
            keyed = exp.Concat(expressions=[exp.Literal.string(self.pseudonym_key + "|"), text])
            # SHA2 of the UTF-8 bytes is lower-case hex in both dialects (Trino: to_hex(sha256(
            # to_utf8(..))), DuckDB: sha256(encode(..))); 16 hex digits = 64 bits.
            digest = exp.SHA2(this=exp.Encode(this=keyed, charset=exp.Literal.string("utf-8")),
                              length=exp.Literal.number(256))
            return exp.Concat(expressions=[
                exp.Literal.string("p-"),
                exp.Substring(this=digest, start=exp.Literal.number(1), length=exp.Literal.number(16)),
            ])
        if mask.kind == "year":  # the date becomes 1 January of its year
            return exp.Cast(this=exp.DateTrunc(unit=exp.Literal.string("year"), this=value),  # type: ignore[no-untyped-call]
                            to=exp.DataType.build("DATE"))
        if mask.kind == "district":  # a postcode keeps only its outward code, e.g. B15
            return exp.Anonymous(this="split_part", expressions=[text, exp.Literal.string(" "),
                                                                 exp.Literal.number(1)])
        if mask.kind == "age_band":  # ten-year band of age today, e.g. "30-39"
            # Whole years of age, computed the same way in every dialect (DuckDB's date_diff
            # counts year boundaries, Trino's whole years): years apart, less one before the
            # birthday this year.
            today = exp.CurrentDate()

            def month_day(date: exp.Expr) -> exp.Expr:
                return exp.Add(this=exp.Mul(this=exp.Month(this=date.copy()),
                                            expression=exp.Literal.number(100)),
                               expression=exp.Day(this=date.copy()))

            before_birthday = exp.Case(
                ifs=[exp.If(this=exp.LT(this=month_day(today), expression=month_day(value)),
                            true=exp.Literal.number(1))],
                default=exp.Literal.number(0))
            apart = exp.Sub(this=exp.Year(this=today.copy()),
                            expression=exp.Year(this=value.copy()))
            years = exp.Paren(this=exp.Sub(this=apart, expression=before_birthday))
            low = exp.Mul(this=exp.IntDiv(this=years, expression=exp.Literal.number(10)),
                          expression=exp.Literal.number(10))
            return exp.Concat(expressions=[
                exp.Cast(this=low, to=exp.DataType.build("VARCHAR")), exp.Literal.string("-"),
                exp.Cast(this=exp.Add(this=low.copy(), expression=exp.Literal.number(9)),
                         to=exp.DataType.build("VARCHAR")),
            ])
        raise ValueError(f"unknown mask {mask.kind}")

    def _value(self, alias: str, column: Column) -> exp.Expr:
        raw: exp.Expr = _col(alias, column.column)
        mask = column.mask
        if column.generalised is not None and (mask is None or mask.kind != "redact"):
            # The contract's floor: the policy may only make this field stricter, never clearer.
            mask = Mask(column.generalised, "generalised by the contract")
        if mask is not None:
            raw = self.mask_expression(mask, raw, column.kind)
            if mask.kind in ("redact", "partial", "pseudonym", "district", "age_band"):
                return exp.Cast(this=raw, to=_type(column.kind))
        if column.kind == "enum":
            return exp.Case(
                this=raw,
                ifs=[exp.If(this=exp.Literal.string(stored), true=exp.Literal.string(name))
                     for stored, name in column.enum],
            )
        return exp.Cast(this=raw, to=_type(column.kind))

    # ---------------------------------------------------------------- relations

    def _needed_columns(self, key: str, selections: tuple[Selection, ...],
                        extra: set[str]) -> list[str]:
        needed = {key} | extra
        for selection in selections:
            if isinstance(selection, Column):
                needed.add(selection.column)
            elif isinstance(selection, Nested):
                if isinstance(selection.via, ViaJoin):
                    needed.add(selection.via.parent_column)
                needed |= _predicate_columns(selection.parent_guard)
        return sorted(needed)

    def _scan(self, table: Table, key: str, selections: tuple[Selection, ...],
              conditions: list[exp.Expr], extra: set[str],
              rank: tuple[str, tuple[Sort, ...]] | None = None) -> str:
        """A CTE reading only the needed columns of the table's matching rows."""
        alias = self._alias("r")
        self.departments.add(table.catalog)
        projections: list[exp.Expr] = [
            exp.alias_(_col("t", name), _ident(name))
            for name in self._needed_columns(key, selections, extra)
        ]
        if rank is not None:
            partition, order = rank
            projections.append(exp.alias_(exp.Window(
                this=exp.RowNumber(),
                partition_by=[_col("t", partition)],
                order=exp.Order(expressions=[
                    exp.Ordered(this=_col("t", sort.column), desc=sort.descending,
                                nulls_first=False) for sort in order]),
            ), _ident(RANK)))
        select = exp.Select(expressions=projections).from_(_table(table, "t"), copy=False)
        where = conjunction(conditions)
        if where is not None:
            select = select.where(where, copy=False)
        self._add_cte(alias, select)
        return alias

    def _semi_join(self, column: exp.Expr, source: str, source_column: str,
                   guard: Predicate | None = None) -> exp.Expr:
        subquery = exp.Select(expressions=[_col(source, source_column)]).from_(
            exp.Table(this=_ident(source), alias=exp.TableAlias(this=_ident(source))), copy=False)
        if guard is not None:
            subquery = subquery.where(self.predicate(source, guard), copy=False)
        return exp.In(this=column, query=exp.Subquery(this=subquery))

    def _row_type(self, selections: tuple[Selection, ...]) -> exp.DataType:
        """The ROW type of an object, without reading anything (for a record known to be absent)."""
        types: list[tuple[str, exp.DataType]] = []
        for selection in selections:
            if isinstance(selection, Column):
                types.append((selection.key, _type(selection.kind)))
            elif isinstance(selection, Typename):
                types.append((selection.key, exp.DataType.build("VARCHAR")))
            else:
                inner = self._row_type(selection.selections)
                types.append((selection.key, _array_type(inner) if selection.many else inner))
        return _struct_type(types)

    def row(self, relation: _Relation, selections: tuple[Selection, ...]) -> tuple[exp.Expr, exp.DataType]:
        """The named ROW of one result object, adding the joins its nested fields need."""
        values: list[exp.Expr] = []
        types: list[tuple[str, exp.DataType]] = []
        for selection in selections:
            if isinstance(selection, Column):
                values.append(self._value(relation.alias, selection))
                types.append((selection.key, _type(selection.kind)))
            elif isinstance(selection, Typename):
                values.append(exp.Literal.string(selection.type_name))
                types.append((selection.key, exp.DataType.build("VARCHAR")))
            else:
                value, type_ = self.nested(relation, selection)
                values.append(value)
                types.append((selection.key, type_))
        row_type = _struct_type(types)
        return exp.Cast(this=exp.Struct(expressions=values), to=row_type), row_type

    def nested(self, parent: _Relation, nested: Nested) -> tuple[exp.Expr, exp.DataType]:
        conditions: list[exp.Expr] = []
        if isinstance(nested.via, ViaPersonIndex):
            # The department's local ids were resolved first: a literal IN list reaches the
            # department database as an indexed predicate, with no dynamic filter to wait for.
            assert parent.links is not None, "department records are read in the fetch step"
            ids = self.link_ids.get(nested.via.department, ())
            if not ids:  # no citizen here has a record in this department: nothing to read
                return exp.Null(), self._row_type(nested.selections)
            conditions.append(exp.In(this=_col("t", nested.table_key),
                                     expressions=[self._bind(f"ids_{nested.via.department}")]))
            own_column = nested.table_key
            join_source, parent_key_column = parent.links, _link_column(nested.via.department)
        elif parent.literal_ids and nested.via.parent_column == parent.key:
            # The parent's keys are the literal ids themselves: no need to read the parent first.
            conditions.append(exp.In(this=_col("t", nested.via.column),
                                     expressions=[self._bind(parent.literal_ids)]))
            own_column = nested.via.column
            join_source, parent_key_column = parent.alias, nested.via.parent_column
        else:
            conditions.append(self._semi_join(_col("t", nested.via.column), parent.alias,
                                              nested.via.parent_column))
            own_column = nested.via.column
            join_source, parent_key_column = parent.alias, nested.via.parent_column
        if nested.where is not None:
            conditions.append(self.predicate("t", nested.where))
        if nested.row_filter is not None:
            conditions.append(self.predicate("t", nested.row_filter))

        rank = (own_column, nested.order) if nested.many else None
        alias = self._scan(nested.table, nested.table_key, nested.selections, conditions,
                           {own_column} | {sort.column for sort in nested.order}, rank)
        child = _Relation(alias, nested.table_key, literal_ids=(
            f"ids_{nested.via.department}" if isinstance(nested.via, ViaPersonIndex) else ""))
        row, row_type = self.row(child, nested.selections)
        # The left side is the record's own key, or for a list the key of its aggregate (below).
        on = exp.EQ(this=_col(alias, own_column), expression=_col(join_source, parent_key_column))

        if not nested.many:
            parent.joins.append(exp.Join(this=exp.Table(this=_ident(alias)), on=on, side="LEFT"))
            parent.joins.extend(child.joins)
            present = exp.Not(this=exp.Is(this=_col(alias, nested.table_key), expression=exp.Null()))
            return exp.Case(ifs=[exp.If(this=present, true=row)], default=exp.Null()), row_type

        aggregate_alias = self._alias("a")
        order = exp.Order(this=row, expressions=[
            exp.Ordered(this=_col(alias, sort.column), desc=sort.descending, nulls_first=False)
            for sort in nested.order])
        aggregate = exp.Select(expressions=[
            exp.alias_(_col(alias, own_column), _ident(PARENT_KEY)),
            exp.alias_(exp.ArrayAgg(this=order), _ident(ITEMS)),
        ]).from_(exp.Table(this=_ident(alias)), copy=False)
        for join in child.joins:
            aggregate = aggregate.join(join, copy=False)
        assert nested.first is not None
        aggregate = aggregate.where(
            exp.LTE(this=_col(alias, RANK), expression=exp.Literal.number(nested.first)), copy=False
        ).group_by(_col(alias, own_column), copy=False)
        self._add_cte(aggregate_alias, aggregate)
        on.set("this", _col(aggregate_alias, PARENT_KEY))
        parent.joins.append(exp.Join(this=exp.Table(this=_ident(aggregate_alias)), on=on,
                                     side="LEFT"))
        list_type = _array_type(row_type)
        empty = exp.Cast(this=exp.Array(expressions=[]), to=list_type)
        return exp.Coalesce(this=_col(aggregate_alias, ITEMS), expressions=[empty]), list_type

    # ---------------------------------------------------------------- roots

    def _finish(self, source: exp.Expr, joins: list[exp.Join],
                projections: list[exp.Expr]) -> exp.Select:
        select = exp.Select(expressions=projections).from_(source, copy=False)
        for join in joins:
            select = select.join(join, copy=False)
        if self.ctes:
            select.set("with_", exp.With(expressions=self.ctes))
        return select

    @staticmethod
    def _json(row: exp.Expr) -> exp.Expr:
        return exp.JSONFormat(this=exp.Cast(this=row, to=exp.DataType.build("JSON")))

    def _root_conditions(self, root: CitizenLookup | CitizenPage) -> list[exp.Expr]:
        conditions: list[exp.Expr] = []
        if isinstance(root, CitizenPage):
            if root.where is not None:
                conditions.append(self.predicate("t", root.where))
            if root.after is not None:
                conditions.append(self._keyset("t", root.order, root.after))
        if root.row_filter is not None:
            conditions.append(self.predicate("t", root.row_filter))
        return conditions

    def _root_select(self, root: CitizenLookup | CitizenPage,
                     conditions: list[exp.Expr]) -> exp.Select:
        """The citizens' own rows, read directly (no CTE): one flat SELECT the registry's
        database can answer whole, ORDER BY and LIMIT included."""
        select = exp.Select().from_(_table(root.table, "t"), copy=False)
        where = conjunction(conditions)
        if where is not None:
            select = select.where(where, copy=False)
        if isinstance(root, CitizenPage):
            select.set("order", self._order_by("t", root.order))
            select.set("limit", exp.Limit(expression=exp.Literal.number(root.first + 1)))
        self.departments.add(root.table.catalog)
        return select

    def _lookup_key(self, root: CitizenLookup | CitizenPage) -> list[exp.Expr]:
        if isinstance(root, CitizenLookup):
            return [exp.EQ(this=_col("t", root.table_key), expression=self._bind("citizen"))]
        return []

    def _bind(self, name: str) -> exp.Expr:
        """A place for a list of integer ids, filled in by `bind` after rendering, so that the
        rendered SQL of a plan serves every citizen (see `Template`)."""
        self.markers[name] = self.markers.get(name, 0) + 1
        return exp.Column(this=exp.Identifier(this=f"{MARKER}{name}__", quoted=True))

    def single(self, root: CitizenLookup | CitizenPage) -> Statement:
        """The whole answer in one statement, when no department record is selected.

        Result columns: one JSON text per view, the sort keys (pages), then the citizen id.
        """
        order = root.order if isinstance(root, CitizenPage) else ()
        views = root.views if isinstance(root, CitizenPage) else (root.selections,)
        select = self._root_select(root, self._lookup_key(root) + self._root_conditions(root))
        relation = _Relation("t", root.table_key)
        projections: list[exp.Expr] = []
        for index, view in enumerate(views):
            row, _ = self.row(relation, view)
            projections.append(exp.alias_(self._json(row), _ident(f"node{index}")))
        for index, sort in enumerate(order):
            projections.append(exp.alias_(
                exp.Cast(this=_col("t", sort.column), to=exp.DataType.build("VARCHAR")),
                _ident(f"sort{index}")))
        projections.append(exp.alias_(_col("t", root.table_key), _ident("citizen")))
        assert not relation.joins, "citizen-level fields other than department links are columns"
        select.set("expressions", projections)
        return Statement(select, tuple(sort.kind for sort in order),
                         tuple(sorted(self.departments)), dict(self.markers))

    def resolve(self, root: CitizenLookup | CitizenPage) -> Statement:
        """Step 1 (registry only): the citizens of the answer, in order, with their department ids.

        Result columns: citizen id, then the sort keys (pages), then one local id per department
        (NULL where the citizen has no record there, or a guard such as an opt-out hides it).
        The person index holds at most one link per citizen and department, so the LEFT JOINs
        never multiply rows and LIMIT counts citizens.
        """
        order = root.order if isinstance(root, CitizenPage) else ()
        links = _links(_selections_of(root))
        select = self._root_select(root, self._lookup_key(root) + self._root_conditions(root))
        index = self.person_index
        projections: list[exp.Expr] = [_col("t", root.table_key)]
        projections += [exp.Cast(this=_col("t", sort.column), to=exp.DataType.build("VARCHAR"))
                        for sort in order]
        for department, guard in links.items():
            link = self._alias("l")
            on: list[exp.Expr] = [
                exp.EQ(this=_col(link, index.citizen_key), expression=_col("t", root.table_key)),
                exp.EQ(this=_col(link, index.department_column),
                       expression=exp.Literal.string(department))]
            if guard is not None:
                on.append(self.predicate("t", guard))
            select = select.join(exp.Join(this=_table(index.table, link), on=conjunction(on),
                                          side="LEFT"), copy=False)
            projections.append(_col(link, index.local_key))
        select.set("expressions", [exp.alias_(p, _ident(f"c{i}")) for i, p in enumerate(projections)])
        return Statement(select, tuple(sort.kind for sort in order), tuple(links),
                         dict(self.markers))

    def fetch(self, root: CitizenLookup | CitizenPage, resolved: Resolved) -> Statement:
        """Step 2: the resolved citizens' views, every department read by literal id lists.

        Result columns: one JSON text per view, then the citizen id (rows in no particular
        order: the caller puts them in the resolve step's order). The id lists and the mapping
        of citizens to department ids are bound after rendering (`bind`); which departments
        have ids at all shapes the statement (a department nobody here is known to is not read).
        """
        self.link_ids = {department: ids for department, ids in
                         resolved.ids_by_department().items() if ids}
        mapping = "m"
        departments = resolved.departments
        values = exp.Values(expressions=[self._bind("mapping")])
        conditions: list[exp.Expr] = [
            exp.In(this=_col("t", root.table_key), expressions=[self._bind("citizens")])]
        if root.row_filter is not None:
            conditions.append(self.predicate("t", root.row_filter))
        views = root.views if isinstance(root, CitizenPage) else (root.selections,)
        every = tuple(selection for view in views for selection in view)
        alias = self._scan(root.table, root.table_key, every, conditions, set())
        relation = _Relation(alias, root.table_key, links=mapping)
        relation.joins.append(exp.Join(
            this=exp.Table(this=_ident(alias)),
            on=exp.EQ(this=_col(alias, root.table_key), expression=_col(mapping, "citizen"))))
        projections: list[exp.Expr] = []
        for index, view in enumerate(views):
            row, _ = self.row(relation, view)
            projections.append(exp.alias_(self._json(row), _ident(f"node{index}")))
        projections.append(exp.alias_(_col(mapping, "citizen"), _ident("citizen")))
        columns = [_ident(name) for name in ("position", "citizen", *map(_link_column, departments))]
        tree = self._finish(exp.Subquery(this=values, alias=exp.TableAlias(
            this=_ident(mapping), columns=columns)), relation.joins, projections)
        return Statement(tree, (), tuple(sorted(self.departments)), dict(self.markers))

    @staticmethod
    def _order_by(alias: str, order: tuple[Sort, ...]) -> exp.Order:
        return exp.Order(expressions=[
            exp.Ordered(this=_col(alias, sort.column), desc=sort.descending, nulls_first=False)
            for sort in order])

    def _keyset(self, alias: str, order: tuple[Sort, ...], after: tuple[Scalar, ...]) -> exp.Expr:
        """Rows strictly after the cursor in the page order: (a > x) OR (a = x AND b > y) ..."""
        alternatives: list[exp.Expr] = []
        for index, sort in enumerate(order):
            parts: list[exp.Expr] = []
            for previous, value in zip(order[:index], after[:index], strict=True):
                parts.append(exp.EQ(this=_col(alias, previous.column),
                                    expression=_cursor_literal(previous.kind, value)))
            beyond = exp.LT if sort.descending else exp.GT
            parts.append(beyond(this=_col(alias, sort.column),
                                expression=_cursor_literal(sort.kind, after[index])))
            alternatives.append(exp.Paren(this=conjunction(parts)))
        condition = alternatives[0]
        for alternative in alternatives[1:]:
            condition = exp.Or(this=condition, expression=alternative)
        return exp.Paren(this=condition)


@dataclass(frozen=True)
class Resolved:
    """The outcome of the resolve step: citizens in answer order and their department ids."""

    departments: tuple[str, ...]
    rows: tuple[tuple[int, tuple[int | None, ...]], ...]

    def ids_by_department(self) -> dict[str, tuple[int, ...]]:
        found: dict[str, set[int]] = {department: set() for department in self.departments}
        for _, ids in self.rows:
            for department, local_id in zip(self.departments, ids, strict=True):
                if local_id is not None:
                    found[department].add(local_id)
        return {department: tuple(sorted(ids)) for department, ids in found.items()}


def _link_column(department: str) -> str:
    return f"link_{department}"


def _selections_of(root: CitizenLookup | CitizenPage) -> tuple[Selection, ...]:
    if isinstance(root, CitizenLookup):
        return root.selections
    return tuple(selection for view in root.views for selection in view)


def _links(selections: tuple[Selection, ...]) -> dict[str, Predicate | None]:
    """Departments reached through the person index, with the guard on the citizen for each."""
    found: dict[str, Predicate | None] = {}
    for selection in selections:
        if isinstance(selection, Nested) and isinstance(selection.via, ViaPersonIndex):
            found[selection.via.department] = selection.parent_guard
    return found


def needs_resolve(root: CitizenLookup | CitizenPage) -> bool:
    """Department records are read by literal ids found first; without any, one step suffices."""
    return bool(_links(_selections_of(root)))


def _cursor_literal(kind: Kind, value: Scalar) -> exp.Expr:
    if kind in ("id", "int"):
        return exp.Literal.number(int(value))
    return literal(kind, value)


def _predicate_columns(predicate: Predicate | None) -> set[str]:
    if predicate is None:
        return set()
    if isinstance(predicate, AllOf | AnyOf):
        return set().union(*(_predicate_columns(part) for part in predicate.parts))
    if isinstance(predicate, Negation):
        return _predicate_columns(predicate.part)
    return {predicate.column}


def template_key(root: CitizenLookup | CitizenPage) -> CitizenLookup | CitizenPage:
    """The root as the rendered SQL depends on it: a lookup's citizen id is bound, not rendered."""
    return replace(root, citizen_id=0) if isinstance(root, CitizenLookup) else root


def bind(sql: str, markers: dict[str, int], *, citizen: int | None = None,
         resolved: Resolved | None = None) -> str:
    """Fill the id lists into rendered SQL. Only integers are ever written here (never user
    text), and each marker must appear exactly as often as the compiler put it: a user value
    that spells a marker is refused rather than bound."""
    values: dict[str, str] = {}
    if citizen is not None:
        values["citizen"] = str(int(citizen))
    if resolved is not None:
        values["citizens"] = ", ".join(str(int(c)) for c in sorted({c for c, _ in resolved.rows}))
        values["mapping"] = ", ".join(
            "(" + ", ".join([str(position), str(int(citizen_id))]
                            + [str(int(i)) if i is not None else "CAST(NULL AS BIGINT)"
                               for i in ids]) + ")"
            for position, (citizen_id, ids) in enumerate(resolved.rows))
        for department, ids in resolved.ids_by_department().items():
            values[f"ids_{department}"] = ", ".join(str(int(i)) for i in ids)
    for name, uses in markers.items():
        token = f'"{MARKER}{name}__"'
        if sql.count(token) != uses:
            raise BadArgument(f"a value may not contain {MARKER!r}")
        sql = sql.replace(token, values[name])
    if MARKER in sql:
        raise BadArgument(f"a value may not contain {MARKER!r}")
    return sql


def bind_tree(tree: exp.Select, *, citizen: int | None = None,
              resolved: Resolved | None = None) -> exp.Select:
    """The same binding on the tree itself, for engines that rewrite the tree while rendering it
    (DuckDB's pushdown needs the literal lists in the tree)."""
    def number(value: int | None) -> exp.Expr:
        if value is None:
            return exp.Cast(this=exp.Null(), to=exp.DataType.build("BIGINT"))
        return exp.Literal.number(int(value))

    lists: dict[str, list[exp.Expr]] = {}
    if citizen is not None:
        lists["citizen"] = [number(citizen)]
    if resolved is not None:
        lists["citizens"] = [number(c) for c in sorted({c for c, _ in resolved.rows})]
        lists["mapping"] = [
            exp.Tuple(expressions=[number(position), number(citizen_id), *map(number, ids)])
            for position, (citizen_id, ids) in enumerate(resolved.rows)]
        for department, ids in resolved.ids_by_department().items():
            lists[f"ids_{department}"] = [number(i) for i in ids]
    tree = tree.copy()
    for node in list(tree.find_all(exp.Column)):
        name = node.name
        if not (name.startswith(MARKER) and name.endswith("__")):
            continue
        values = lists[name[len(MARKER):-2]]
        parent = node.parent
        if isinstance(parent, exp.In | exp.Values):
            parent.set("expressions", [value.copy() for value in values])
        else:
            node.replace(values[0].copy())
    return tree


def compile_single(root: CitizenLookup | CitizenPage, person_index: PersonIndexRef,
                   pseudonym_key: str) -> Statement:
    return Compiler(person_index, pseudonym_key).single(root)


def compile_resolve(root: CitizenLookup | CitizenPage, person_index: PersonIndexRef) -> Statement:
    return Compiler(person_index, "").resolve(root)


def compile_fetch(root: CitizenLookup | CitizenPage, resolved: Resolved,
                  person_index: PersonIndexRef, pseudonym_key: str) -> Statement:
    return Compiler(person_index, pseudonym_key).fetch(root, resolved)
