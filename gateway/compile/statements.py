"""The statements of one root: `single` (registry fields only), or `resolve` then `fetch`.

See the package's docstring for why there are two steps and what each reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from gateway.compile.bind import Resolved, link_column, marker
from gateway.compile.predicates import keyset, order_by, predicate
from gateway.compile.sql import (
    array_type,
    column,
    conjunction,
    ident,
    named,
    primary_links,
    sql_type,
    struct_type,
    table,
    varchar,
)
from gateway.compile.values import column_value
from gateway.ir import (
    CitizenLookup,
    CitizenPage,
    Column,
    Kind,
    Nested,
    PersonIndex,
    Predicate,
    Selection,
    Sort,
    Table,
    Typename,
    ViaJoin,
    ViaPersonIndex,
    comparisons,
)

RANK = "__rank"
PARENT_KEY = "__parent"
ITEMS = "__items"


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
    def __init__(self, person_index: PersonIndex, pseudonym_key: str) -> None:
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
        self.ctes.append(exp.CTE(this=select, alias=exp.TableAlias(this=ident(alias))))

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
                needed |= {c.column for c in comparisons(selection.parent_guard)}
        return sorted(needed)

    def _scan(self, source: Table, key: str, selections: tuple[Selection, ...],
              conditions: list[exp.Expr], extra: set[str],
              rank: tuple[str, tuple[Sort, ...]] | None = None) -> str:
        """A CTE reading only the needed columns of the table's matching rows."""
        alias = self._alias("r")
        self.departments.add(source.catalog)
        projections: list[exp.Expr] = [
            exp.alias_(column("t", name), ident(name))
            for name in self._needed_columns(key, selections, extra)
        ]
        if rank is not None:
            partition, order = rank
            projections.append(exp.alias_(exp.Window(
                this=exp.RowNumber(),
                partition_by=[column("t", partition)],
                order=order_by("t", order),
            ), ident(RANK)))
        select = exp.Select(expressions=projections).from_(table(source, "t"), copy=False)
        where = conjunction(conditions)
        if where is not None:
            select = select.where(where, copy=False)
        self._add_cte(alias, select)
        return alias

    @staticmethod
    def _semi_join(key: exp.Expr, source: str, source_column: str) -> exp.Expr:
        """`key IN (SELECT source_column FROM source)`: the rows under a parent read earlier."""
        subquery = exp.Select(expressions=[column(source, source_column)]).from_(
            exp.Table(this=ident(source), alias=exp.TableAlias(this=ident(source))), copy=False)
        return exp.In(this=key, query=exp.Subquery(this=subquery))

    def _row_type(self, selections: tuple[Selection, ...]) -> exp.DataType:
        """The ROW type of an object, without reading anything (for a record known to be absent)."""
        types: list[tuple[str, exp.DataType]] = []
        for selection in selections:
            if isinstance(selection, Column):
                types.append((selection.key, sql_type(selection.kind)))
            elif isinstance(selection, Typename):
                types.append((selection.key, varchar()))
            else:
                inner = self._row_type(selection.selections)
                types.append((selection.key, array_type(inner) if selection.many else inner))
        return struct_type(types)

    def row(self, relation: _Relation, selections: tuple[Selection, ...]) -> tuple[exp.Expr, exp.DataType]:
        """The named ROW of one result object, adding the joins its nested fields need."""
        values: list[exp.Expr] = []
        types: list[tuple[str, exp.DataType]] = []
        for selection in selections:
            if isinstance(selection, Column):
                values.append(column_value(relation.alias, selection, self.pseudonym_key))
                types.append((selection.key, sql_type(selection.kind)))
            elif isinstance(selection, Typename):
                values.append(exp.Literal.string(selection.type_name))
                types.append((selection.key, varchar()))
            else:
                value, type_ = self.nested(relation, selection)
                values.append(value)
                types.append((selection.key, type_))
        row_type = struct_type(types)
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
            conditions.append(exp.In(this=column("t", nested.table_key),
                                     expressions=[self._bind(f"ids_{nested.via.department}")]))
            own_column = nested.table_key
            join_source, parent_key_column = parent.links, link_column(nested.via.department)
        elif parent.literal_ids and nested.via.parent_column == parent.key:
            # The parent's keys are the literal ids themselves: no need to read the parent first.
            conditions.append(exp.In(this=column("t", nested.via.column),
                                     expressions=[self._bind(parent.literal_ids)]))
            own_column = nested.via.column
            join_source, parent_key_column = parent.alias, nested.via.parent_column
        else:
            conditions.append(self._semi_join(column("t", nested.via.column), parent.alias,
                                              nested.via.parent_column))
            own_column = nested.via.column
            join_source, parent_key_column = parent.alias, nested.via.parent_column
        if nested.where is not None:
            conditions.append(predicate("t", nested.where, self.person_index))
        if nested.row_filter is not None:
            conditions.append(predicate("t", nested.row_filter))

        rank = (own_column, nested.order) if nested.many else None
        alias = self._scan(nested.table, nested.table_key, nested.selections, conditions,
                           {own_column} | {sort.column for sort in nested.order}, rank)
        child = _Relation(alias, nested.table_key, literal_ids=(
            f"ids_{nested.via.department}" if isinstance(nested.via, ViaPersonIndex) else ""))
        row, row_type = self.row(child, nested.selections)
        # The left side is the record's own key, or for a list the key of its aggregate (below).
        on = exp.EQ(this=column(alias, own_column), expression=column(join_source, parent_key_column))

        if not nested.many:
            parent.joins.append(exp.Join(this=named(alias), on=on, side="LEFT"))
            parent.joins.extend(child.joins)
            present = exp.Not(this=exp.Is(this=column(alias, nested.table_key), expression=exp.Null()))
            return exp.Case(ifs=[exp.If(this=present, true=row)], default=exp.Null()), row_type

        aggregate_alias = self._alias("a")
        order = exp.Order(this=row, expressions=[
            exp.Ordered(this=column(alias, sort.column), desc=sort.descending, nulls_first=False)
            for sort in nested.order])
        aggregate = exp.Select(expressions=[
            exp.alias_(column(alias, own_column), ident(PARENT_KEY)),
            exp.alias_(exp.ArrayAgg(this=order), ident(ITEMS)),
        ]).from_(named(alias), copy=False)
        for join in child.joins:
            aggregate = aggregate.join(join, copy=False)
        assert nested.first is not None
        aggregate = aggregate.where(
            exp.LTE(this=column(alias, RANK), expression=exp.Literal.number(nested.first)), copy=False
        ).group_by(column(alias, own_column), copy=False)
        self._add_cte(aggregate_alias, aggregate)
        on.set("this", column(aggregate_alias, PARENT_KEY))
        parent.joins.append(exp.Join(this=named(aggregate_alias), on=on,
                                     side="LEFT"))
        list_type = array_type(row_type)
        empty = exp.Cast(this=exp.Array(expressions=[]), to=list_type)
        return exp.Coalesce(this=column(aggregate_alias, ITEMS), expressions=[empty]), list_type

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
                conditions.append(predicate("t", root.where, self.person_index))
            if root.after is not None:
                conditions.append(keyset("t", root.order, root.after))
        if root.row_filter is not None:
            conditions.append(predicate("t", root.row_filter))
        return conditions

    def _root_select(self, root: CitizenLookup | CitizenPage,
                     conditions: list[exp.Expr]) -> exp.Select:
        """The citizens' own rows, read directly (no CTE): one flat SELECT the registry's
        database can answer whole, ORDER BY and LIMIT included."""
        select = exp.Select().from_(table(root.table, "t"), copy=False)
        where = conjunction(conditions)
        if where is not None:
            select = select.where(where, copy=False)
        if isinstance(root, CitizenPage):
            select.set("order", order_by("t", root.order))
            select.set("limit", exp.Limit(expression=exp.Literal.number(root.first + 1)))
        self.departments.add(root.table.catalog)
        return select

    def _lookup_key(self, root: CitizenLookup | CitizenPage) -> list[exp.Expr]:
        if isinstance(root, CitizenLookup):
            return [exp.EQ(this=column("t", root.table_key), expression=self._bind("citizen"))]
        return []

    def _bind(self, name: str) -> exp.Expr:
        """A place for a list of integer ids, filled in by `bind` after rendering, so that the
        rendered SQL of a plan serves every citizen (see `Template`)."""
        self.markers[name] = self.markers.get(name, 0) + 1
        return marker(name)

    def single(self, root: CitizenLookup | CitizenPage) -> Statement:
        """The whole answer in one statement, when no department record is selected.

        Result columns: one JSON text per view, the sort keys (pages), then the citizen id.
        """
        order = root.order if isinstance(root, CitizenPage) else ()
        views = root.views
        select = self._root_select(root, self._lookup_key(root) + self._root_conditions(root))
        relation = _Relation("t", root.table_key)
        projections: list[exp.Expr] = []
        for index, view in enumerate(views):
            row, _ = self.row(relation, view)
            projections.append(exp.alias_(self._json(row), ident(f"node{index}")))
        for index, sort in enumerate(order):
            projections.append(exp.alias_(
                exp.Cast(this=column("t", sort.column), to=varchar()),
                ident(f"sort{index}")))
        projections.append(exp.alias_(column("t", root.table_key), ident("citizen")))
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
        links = _links(root)
        select = self._root_select(root, self._lookup_key(root) + self._root_conditions(root))
        index = self.person_index
        projections: list[exp.Expr] = [column("t", root.table_key)]
        projections += [exp.Cast(this=column("t", sort.column), to=varchar())
                        for sort in order]
        for department, guard in links.items():
            link = self._alias("l")
            on: list[exp.Expr] = [
                exp.EQ(this=column(link, index.citizen_key), expression=column("t", root.table_key)),
                exp.EQ(this=column(link, index.department_column),
                       expression=exp.Literal.string(department)),
                *primary_links(index, link)]
            if guard is not None:
                on.append(predicate("t", guard))
            select = select.join(exp.Join(this=table(index.table, link), on=conjunction(on),
                                          side="LEFT"), copy=False)
            projections.append(column(link, index.local_key))
        select.set("expressions", [exp.alias_(p, ident(f"c{i}")) for i, p in enumerate(projections)])
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
            exp.In(this=column("t", root.table_key), expressions=[self._bind("citizens")])]
        if root.row_filter is not None:
            conditions.append(predicate("t", root.row_filter))
        views = root.views
        every = tuple(selection for view in views for selection in view)
        alias = self._scan(root.table, root.table_key, every, conditions, set())
        relation = _Relation(alias, root.table_key, links=mapping)
        relation.joins.append(exp.Join(
            this=named(alias),
            on=exp.EQ(this=column(alias, root.table_key), expression=column(mapping, "citizen"))))
        projections: list[exp.Expr] = []
        for index, view in enumerate(views):
            row, _ = self.row(relation, view)
            projections.append(exp.alias_(self._json(row), ident(f"node{index}")))
        projections.append(exp.alias_(column(mapping, "citizen"), ident("citizen")))
        columns = [ident(name) for name in ("position", "citizen", *map(link_column, departments))]
        tree = self._finish(exp.Subquery(this=values, alias=exp.TableAlias(
            this=ident(mapping), columns=columns)), relation.joins, projections)
        return Statement(tree, (), tuple(sorted(self.departments)), dict(self.markers))


def _links(root: CitizenLookup | CitizenPage) -> dict[str, Predicate | None]:
    """Departments reached through the person index, with the guard on the citizen for each."""
    found: dict[str, Predicate | None] = {}
    for selection in (selection for view in root.views for selection in view):
        if isinstance(selection, Nested) and isinstance(selection.via, ViaPersonIndex):
            found[selection.via.department] = selection.parent_guard
    return found


def needs_resolve(root: CitizenLookup | CitizenPage) -> bool:
    """Department records are read by literal ids found first; without any, one step suffices."""
    return bool(_links(root))


def compile_single(root: CitizenLookup | CitizenPage, person_index: PersonIndex,
                   pseudonym_key: str) -> Statement:
    return Compiler(person_index, pseudonym_key).single(root)


def compile_resolve(root: CitizenLookup | CitizenPage, person_index: PersonIndex) -> Statement:
    return Compiler(person_index, "").resolve(root)


def compile_fetch(root: CitizenLookup | CitizenPage, resolved: Resolved,
                  person_index: PersonIndex, pseudonym_key: str) -> Statement:
    return Compiler(person_index, pseudonym_key).fetch(root, resolved)
