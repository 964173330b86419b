"""Compile: a planned, authorized root becomes ONE sqlglot statement.

Shape of the statement (all reads are in one query, whatever the nesting and the row counts):

    WITH r0 AS (citizen rows),                                   -- the root, filtered
         l1 AS (person index rows WHERE citizen IN (SELECT key FROM r0)),
         r1 AS (department rows WHERE local key IN (SELECT local_id FROM l1)),
         r2 AS (child rows WHERE join column IN (SELECT parent column FROM r1)),
         a2 AS (SELECT join column, array_agg(child row ORDER BY ...) FROM r2 ... GROUP BY ...)
    SELECT json_format(CAST(ROW(...) AS JSON)) FROM r0 LEFT JOIN l1 ... LEFT JOIN r1 ... LEFT JOIN a2

Every department table is read through an `IN (subquery)` semi-join on its parent's rows, which
Trino turns into a dynamic filter that reaches the department database as an indexed predicate
(LEFT JOINs alone would not: see FACTS.md). Nested lists are built inside the engine as arrays of
named rows, and the engine renders each result row as JSON text, so the gateway never resolves
fields one by one. Masks are applied here, inside the SQL: a masked value never leaves the engine
in clear.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

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
PARENT_KEY = "__parent"
ITEMS = "__items"
LINK_CITIZEN = "__citizen"
LINK_LOCAL = "__local"

_SQL_TYPES: dict[str, exp.DataType.Type] = {
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


def _and(parts: list[exp.Expression]) -> exp.Expression | None:
    if not parts:
        return None
    condition = parts[0]
    for part in parts[1:]:
        condition = exp.And(this=condition, expression=part)
    return condition


def literal(kind: Kind, value: Scalar) -> exp.Expression:
    """A user value as a typed SQL literal (never as SQL text)."""
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if kind == "date":
        return exp.Cast(this=exp.Literal.string(str(value)), to=exp.DataType.build("DATE"))
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(value)


def _like_prefix(value: str) -> exp.Expression:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return exp.Literal.string(escaped + "%")


@dataclass
class Statement:
    """What the executor needs: the sqlglot tree and how to read its result columns."""

    tree: exp.Select
    node_columns: int  # the first N columns are JSON texts (one per view)
    cursor_kinds: tuple[Kind, ...] = ()  # then the sort key of each row, for cursors
    departments: tuple[str, ...] = ()


@dataclass
class _Relation:
    """A row source being built: its CTE alias, and the LEFT JOINs its nested fields need."""

    alias: str
    key: str  # the key column of the relation's table
    joins: list[exp.Join] = field(default_factory=list)


class Compiler:
    def __init__(self, person_index: PersonIndexRef, pseudonym_key: str) -> None:
        self.person_index = person_index
        self.pseudonym_key = pseudonym_key
        self.ctes: list[exp.CTE] = []
        self.departments: set[str] = set()
        self._count = 0

    def _alias(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"

    def _add_cte(self, alias: str, select: exp.Select) -> None:
        self.ctes.append(exp.CTE(this=select, alias=exp.TableAlias(this=_ident(alias))))

    # ---------------------------------------------------------------- predicates

    def predicate(self, alias: str, predicate: Predicate) -> exp.Expression:
        if isinstance(predicate, AllOf):
            parts = [self.predicate(alias, part) for part in predicate.parts]
            return exp.Paren(this=_and(parts)) if parts else exp.true()
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

    def _compare(self, alias: str, compare: Compare) -> exp.Expression:
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
            return exp.Like(this=column, expression=_like_prefix(str(value)),
                            escape=exp.Literal.string("\\"))
        operator: dict[str, type[exp.Binary]] = {
            "eq": exp.EQ, "ne": exp.NEQ, "lt": exp.LT, "lte": exp.LTE, "gt": exp.GT, "gte": exp.GTE,
        }
        return operator[compare.op](this=column, expression=literal(compare.kind, value))

    # ---------------------------------------------------------------- values

    def mask_expression(self, mask: Mask, value: exp.Expression, kind: Kind) -> exp.Expression:
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
            return exp.Cast(this=exp.DateTrunc(unit=exp.Literal.string("year"), this=value),
                            to=exp.DataType.build("DATE"))
        if mask.kind == "district":  # a postcode keeps only its outward code, e.g. B15
            return exp.Anonymous(this="split_part", expressions=[text, exp.Literal.string(" "),
                                                                 exp.Literal.number(1)])
        if mask.kind == "age_band":  # ten-year band of age today, e.g. "30-39"
            # Whole years of age, computed the same way in every dialect (DuckDB's date_diff
            # counts year boundaries, Trino's whole years): years apart, less one before the
            # birthday this year.
            today = exp.CurrentDate()

            def month_day(date: exp.Expression) -> exp.Expression:
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

    def _value(self, alias: str, column: Column) -> exp.Expression:
        raw: exp.Expression = _col(alias, column.column)
        if column.mask is not None:
            raw = self.mask_expression(column.mask, raw, column.kind)
            if column.mask.kind in ("redact", "partial", "pseudonym", "district", "age_band"):
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
              conditions: list[exp.Expression], extra: set[str],
              rank: tuple[str, tuple[Sort, ...]] | None = None) -> str:
        """A CTE reading only the needed columns of the table's matching rows."""
        alias = self._alias("r")
        self.departments.add(table.catalog)
        projections: list[exp.Expression] = [
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
        where = _and(conditions)
        if where is not None:
            select = select.where(where, copy=False)
        self._add_cte(alias, select)
        return alias

    def _semi_join(self, column: exp.Expression, source: str, source_column: str,
                   guard: Predicate | None = None) -> exp.Expression:
        subquery = exp.Select(expressions=[_col(source, source_column)]).from_(
            exp.Table(this=_ident(source), alias=exp.TableAlias(this=_ident(source))), copy=False)
        if guard is not None:
            subquery = subquery.where(self.predicate(source, guard), copy=False)
        return exp.In(this=column, query=exp.Subquery(this=subquery))

    def row(self, relation: _Relation, selections: tuple[Selection, ...]) -> tuple[exp.Expression, exp.DataType]:
        """The named ROW of one result object, adding the joins its nested fields need."""
        values: list[exp.Expression] = []
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

    def nested(self, parent: _Relation, nested: Nested) -> tuple[exp.Expression, exp.DataType]:
        conditions: list[exp.Expression] = []
        if nested.where is not None:
            conditions.append(self.predicate("t", nested.where))
        if nested.row_filter is not None:
            conditions.append(self.predicate("t", nested.row_filter))
        parent_key_column: str
        link_alias: str | None = None
        if isinstance(nested.via, ViaPersonIndex):
            index = self.person_index
            link_alias = self._alias("l")
            self.departments.add(index.table.catalog)
            link = exp.Select(expressions=[
                exp.alias_(_col("t", index.citizen_key), _ident(LINK_CITIZEN)),
                exp.alias_(_col("t", index.local_key), _ident(LINK_LOCAL)),
            ]).from_(_table(index.table, "t"), copy=False).where(_and([
                exp.EQ(this=_col("t", index.department_column),
                       expression=exp.Literal.string(nested.via.department)),
                self._semi_join(_col("t", index.citizen_key), parent.alias,
                                parent.key, nested.parent_guard),
            ]), copy=False)
            self._add_cte(link_alias, link)
            conditions.insert(0, self._semi_join(_col("t", nested.table_key), link_alias, LINK_LOCAL))
            own_column, parent_key_column = nested.table_key, LINK_LOCAL
        else:
            conditions.insert(0, self._semi_join(_col("t", nested.via.column), parent.alias,
                                                 nested.via.parent_column, nested.parent_guard))
            own_column, parent_key_column = nested.via.column, nested.via.parent_column

        rank = (own_column, nested.order) if nested.many else None
        alias = self._scan(nested.table, nested.table_key, nested.selections, conditions,
                           {own_column} | {sort.column for sort in nested.order}, rank)
        child = _Relation(alias, nested.table_key)
        row, row_type = self.row(child, nested.selections)
        join_source = link_alias or parent.alias

        if link_alias is not None:
            guard_on = [exp.EQ(this=_col(link_alias, LINK_CITIZEN),
                               expression=_col(parent.alias, parent.key))]
            if nested.parent_guard is not None:
                guard_on.append(self.predicate(parent.alias, nested.parent_guard))
            parent.joins.append(exp.Join(this=exp.Table(this=_ident(link_alias)),
                                         on=_and(guard_on), side="LEFT"))

        if not nested.many:
            on = [exp.EQ(this=_col(alias, own_column), expression=_col(join_source, parent_key_column))]
            if nested.parent_guard is not None and link_alias is None:
                on.append(self.predicate(parent.alias, nested.parent_guard))
            parent.joins.append(exp.Join(this=exp.Table(this=_ident(alias)), on=_and(on), side="LEFT"))
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
        on = [exp.EQ(this=_col(aggregate_alias, PARENT_KEY),
                     expression=_col(join_source, parent_key_column))]
        if nested.parent_guard is not None and link_alias is None:
            on.append(self.predicate(parent.alias, nested.parent_guard))
        parent.joins.append(exp.Join(this=exp.Table(this=_ident(aggregate_alias)), on=_and(on),
                                     side="LEFT"))
        list_type = _array_type(row_type)
        empty = exp.Cast(this=exp.Array(expressions=[]), to=list_type)
        return exp.Coalesce(this=_col(aggregate_alias, ITEMS), expressions=[empty]), list_type

    # ---------------------------------------------------------------- roots

    def _finish(self, relation: _Relation, projections: list[exp.Expression]) -> exp.Select:
        select = exp.Select(expressions=projections).from_(
            exp.Table(this=_ident(relation.alias)), copy=False)
        for join in relation.joins:
            select = select.join(join, copy=False)
        select.set("with_", exp.With(expressions=self.ctes))
        return select

    @staticmethod
    def _json(row: exp.Expression) -> exp.Expression:
        return exp.JSONFormat(this=exp.Cast(this=row, to=exp.DataType.build("JSON")))

    def lookup(self, root: CitizenLookup) -> Statement:
        conditions: list[exp.Expression] = [
            exp.EQ(this=_col("t", root.table_key), expression=exp.Literal.number(root.citizen_id))]
        if root.row_filter is not None:
            conditions.append(self.predicate("t", root.row_filter))
        relation = _Relation(
            self._scan(root.table, root.table_key, root.selections, conditions, set()), root.table_key)
        row, _ = self.row(relation, root.selections)
        tree = self._finish(relation, [
            exp.alias_(self._json(row), _ident("node")),
            exp.alias_(_col(relation.alias, root.table_key), _ident("citizen")),  # for the audit
        ])
        return Statement(tree, 1, (), tuple(sorted(self.departments)))

    def page(self, root: CitizenPage) -> Statement:
        conditions: list[exp.Expression] = []
        if root.where is not None:
            conditions.append(self.predicate("t", root.where))
        if root.row_filter is not None:
            conditions.append(self.predicate("t", root.row_filter))
        if root.after is not None:
            conditions.append(self._keyset("t", root.order, root.after))
        order_columns = {sort.column for sort in root.order}
        all_selections = tuple(selection for view in root.views for selection in view)
        alias = self._scan(root.table, root.table_key, all_selections, conditions, order_columns)
        # The page itself: sorted, one more row than asked for (to know if another page follows).
        page_cte = self.ctes[-1].this
        page_cte.set("order", self._order_by("t", root.order))
        page_cte.set("limit", exp.Limit(expression=exp.Literal.number(root.first + 1)))
        relation = _Relation(alias, root.table_key)
        projections: list[exp.Expression] = []
        for index, view in enumerate(root.views):
            row, _ = self.row(relation, view)
            projections.append(exp.alias_(self._json(row), _ident(f"node{index}")))
        for index, sort in enumerate(root.order):
            projections.append(exp.alias_(
                exp.Cast(this=_col(alias, sort.column), to=exp.DataType.build("VARCHAR")),
                _ident(f"sort{index}")))
        tree = self._finish(relation, projections)
        tree.set("order", self._order_by(alias, root.order))
        return Statement(tree, len(root.views), tuple(sort.kind for sort in root.order),
                         tuple(sorted(self.departments)))

    @staticmethod
    def _order_by(alias: str, order: tuple[Sort, ...]) -> exp.Order:
        return exp.Order(expressions=[
            exp.Ordered(this=_col(alias, sort.column), desc=sort.descending, nulls_first=False)
            for sort in order])

    def _keyset(self, alias: str, order: tuple[Sort, ...], after: tuple[Scalar, ...]) -> exp.Expression:
        """Rows strictly after the cursor in the page order: (a > x) OR (a = x AND b > y) ..."""
        alternatives: list[exp.Expression] = []
        for index, sort in enumerate(order):
            parts: list[exp.Expression] = []
            for previous, value in zip(order[:index], after[:index], strict=True):
                parts.append(exp.EQ(this=_col(alias, previous.column),
                                    expression=_cursor_literal(previous.kind, value)))
            beyond = exp.LT if sort.descending else exp.GT
            parts.append(beyond(this=_col(alias, sort.column),
                                expression=_cursor_literal(sort.kind, after[index])))
            alternatives.append(exp.Paren(this=_and(parts)))
        condition = alternatives[0]
        for alternative in alternatives[1:]:
            condition = exp.Or(this=condition, expression=alternative)
        return exp.Paren(this=condition)


def _cursor_literal(kind: Kind, value: Scalar) -> exp.Expression:
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


def compile_root(root: CitizenLookup | CitizenPage, person_index: PersonIndexRef,
                 pseudonym_key: str) -> Statement:
    compiler = Compiler(person_index, pseudonym_key)
    return compiler.lookup(root) if isinstance(root, CitizenLookup) else compiler.page(root)
