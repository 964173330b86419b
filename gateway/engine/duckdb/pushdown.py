"""Pushdown for DuckDB: every department table read by an indexed, literal predicate.

DuckDB passes a filter to a PostgreSQL, MariaDB or SQLite source only when it is a literal
(`=`, a literal `IN` list, a range). The compiler already gives each department's first table a
literal id list (the fetch step); this pass makes the rest literal too, and keeps DuckDB's
semantics where a source would answer differently. One compiled tree in, the statements DuckDB
runs out (the query last):

1. literal keys travel across joins: a CTE read with `key IN (1, 2)` and joined on that key to a
   department table gives the table the same literal list (the registry's person_link joins of a
   lookup: DuckDB itself propagates it to the first join only);
2. the rest is staged: a table restricted by `key IN (SELECT x FROM cte)` (a nested list, e.g. the
   assessments of the cases just read) or joined to a CTE without literal keys (the person_link
   joins of a page) is read through `query(...)` with a literal list that a preceding
   `SET VARIABLE` computes: `SET VARIABLE k1 = (SELECT '1, 2, 3' ...)` then `... WHERE key IN (` ||
   getvariable('k1') || `)`. The list is built from BIGINT keys only (a non-integer key fails
   loudly instead of being spliced into SQL);
3. SQLite has no filter pushdown at all in DuckDB's scanner: every SQLite table is read through
   `sqlite_query(catalog, 'SELECT cols FROM table WHERE key IN (...)')` (typed back to what
   ATTACH would give, since sqlite_query returns text), which is also where `catalog.schema.table`
   becomes SQLite's single schema;
4. MariaDB compares strings with its collation (case- and trailing-space-insensitive) and DuckDB
   does not check a pushed filter again, so a string comparison on a MariaDB table is kept inside
   DuckDB (`(col || '') = 'x'` is not pushed); integer keys are still pushed. PostgreSQL gets
   string filters with COLLATE "C" from DuckDB's scanner, which is exact.

Id lists the service binds after rendering (compile/bind.py's markers, replaced
by integer lists in the rendered text) are known only at bind time: each key condition holding
one becomes a `SET VARIABLE` of its own, whose text carries the marker (so the rendered program
holds each marker exactly as often as the compiled tree, which `bind` checks), checked to be a
list of integers when it runs; the table is then read through `query(...)` / `sqlite_query(...)`
with that list, like a staged one, and the list is reused across joins without repeating the
marker.

Every other predicate the compiler wrote stays in the statement; literal lists are added,
never substituted. An `IN (SELECT ...)` is replaced by its staged list, a key condition on a
bound list by its variable (both read exactly as written, `key IN (list)`, by the source).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlglot import exp

from gateway.compile.bind import marker_name
from gateway.compile.sql import conjunction, ident
from gateway.engine.duckdb.sources import Kind
from gateway.errors import StartupError


@dataclass(frozen=True)
class Catalog:
    """What the pass needs to know of an attached department."""

    kind: Kind
    # SQLite only: table -> column -> the DuckDB type ATTACH maps it to (sqlite_query gives text)
    columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


class PushdownError(StartupError, ValueError):
    """The statement reads something the attached catalogs do not have."""


_STRING_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Like, exp.ILike)


@functools.lru_cache(maxsize=256)
def _parsed_type(name: str) -> exp.DataType:
    return exp.DataType.build(name, dialect="duckdb")


def _data_type(name: str) -> exp.DataType:
    """A DuckDB type by name (parsed once per name; each use gets its own copy)."""
    return _parsed_type(name).copy()


def _conjuncts(condition: exp.Expr | None) -> list[exp.Expr]:
    if condition is None:
        return []
    if isinstance(condition, exp.And):
        return _conjuncts(condition.this) + _conjuncts(condition.expression)
    return [condition]


def _integer(node: exp.Expr) -> int | None:
    if isinstance(node, exp.Literal) and not node.is_string:
        try:
            return int(node.this)
        except ValueError:
            return None
    return None


def _column_of(node: exp.Expr, alias: str) -> str | None:
    if isinstance(node, exp.Column) and node.table == alias:
        return node.name
    return None


def literal_key(condition: exp.Expr, alias: str) -> tuple[str, tuple[int, ...]] | None:
    """`alias.key = 5` or `alias.key IN (1, 2)`: the key and its integer values."""
    if isinstance(condition, exp.EQ):
        column, value = _column_of(condition.this, alias), _integer(condition.expression)
        if column is not None and value is not None:
            return column, (value,)
    if isinstance(condition, exp.In) and not condition.args.get("query"):
        column = _column_of(condition.this, alias)
        values = [_integer(item) for item in condition.expressions]
        if column is not None and values and all(v is not None for v in values):
            return column, tuple(v for v in values if v is not None)
    return None


def _is_marker(node: exp.Expr) -> bool:
    return marker_name(node) is not None


def marker_key(condition: exp.Expr, alias: str) -> tuple[str, exp.Column] | None:
    """`alias.key = <marker>` or `alias.key IN (<marker>)`: the key and the marker."""
    if isinstance(condition, exp.EQ) and _is_marker(condition.expression):
        column = _column_of(condition.this, alias)
        if column is not None:
            return column, condition.expression
    if isinstance(condition, exp.In) and not condition.args.get("query") and \
            len(condition.expressions) == 1 and _is_marker(condition.expressions[0]):
        column = _column_of(condition.this, alias)
        if column is not None:
            return column, condition.expressions[0]
    return None


def _semi_join(condition: exp.Expr, alias: str) -> tuple[str, exp.Select] | None:
    """`alias.key IN (SELECT cte.x FROM cte ...)`: the key and the subquery giving its values."""
    if isinstance(condition, exp.In) and isinstance(condition.args.get("query"), exp.Subquery):
        column = _column_of(condition.this, alias)
        select = condition.args["query"].this
        if column is not None and isinstance(select, exp.Select) and len(select.expressions) == 1:
            return column, select
    return None


def _referenced_columns(scope: exp.Select, alias: str) -> list[str]:
    """Columns of `alias` the select uses, outside nested selects (their own scopes)."""
    names: set[str] = set()
    for node in scope.walk(prune=lambda n: isinstance(n, exp.Select) and n is not scope):
        if isinstance(node, exp.Column) and node.table == alias:
            names.add(node.name)
    return sorted(names)


@dataclass
class _Constraint:
    column: str
    values: tuple[int, ...] | None = None  # literal values, known now
    variable: str | None = None  # or a staged list, known when the statement runs


class Pushdown:
    def __init__(self, catalogs: Mapping[str, Catalog]) -> None:
        self.catalogs = catalogs
        self.ctes: dict[str, exp.CTE] = {}
        self.known: dict[tuple[str, str], _Constraint] = {}
        self.stages: list[exp.Expr] = []
        self.variables: dict[str, str] = {}  # the value query's SQL -> its variable
        self.bound = 0  # variables holding bound id lists
        self.done: set[int] = set()  # the selects already rewritten (by id)

    # ---------------------------------------------------------------- the statements

    def program(self, tree: exp.Select) -> list[exp.Expr]:
        tree = tree.copy()
        with_ = tree.args.get("with_")
        if with_ is not None:
            for cte in with_.expressions:
                self.ctes[cte.alias] = cte
                self._select(cte.this, cte.alias)
        self._select(tree, None)
        # The selects inside conditions kept in DuckDB (a filter's `none` / `every`, a guarded
        # `some`): their tables are sources too.
        for select in list(tree.find_all(exp.Select)):
            self._select(select, None)
        return [*self.stages, tree]

    def _select(self, select: exp.Select, cte_alias: str | None) -> None:
        if id(select) in self.done:
            return
        self.done.add(id(select))
        from_ = select.args.get("from_")
        own: dict[str, _Constraint] = {}  # what is known of the FROM table's columns
        if from_ is not None and self._is_source(from_.this):
            own = self._from_table(select, from_.this, cte_alias)
        for join in select.args.get("joins") or []:
            if self._is_source(join.this):
                self._joined_table(select, join, own)

    def _is_source(self, node: exp.Expr) -> bool:
        if not (isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier)):
            return False
        catalog = node.args.get("catalog")
        return isinstance(catalog, exp.Identifier) and catalog.name in self.catalogs

    # ---------------------------------------------------------------- a table in FROM

    def _from_table(self, select: exp.Select, table: exp.Table,
                    cte_alias: str | None) -> dict[str, _Constraint]:
        alias = table.alias_or_name
        where = select.args.get("where")
        kept: list[exp.Expr] = []
        constraints: list[_Constraint] = []
        for condition in _conjuncts(where.this if where is not None else None):
            found = literal_key(condition, alias)
            marked = marker_key(condition, alias)
            semi = _semi_join(condition, alias)
            if found is not None:
                constraints.append(_Constraint(found[0], values=found[1]))
                kept.append(condition)  # literals may be repeated: DuckDB pushes it too
            elif marked is not None:
                constraints.append(_Constraint(marked[0], variable=self._bind_variable(marked[1])))
            elif semi is not None:
                constraints.append(_Constraint(semi[0], variable=self._stage(semi[1])))
            else:
                kept.append(condition)
        for constraint in constraints:
            if cte_alias is not None:
                for projection in select.expressions:
                    if _column_of(projection.unalias(), alias) == constraint.column:
                        self.known[(cte_alias, projection.alias_or_name)] = constraint
        remaining = conjunction(kept)
        if remaining is not None and self.catalogs[table.catalog].kind == "mysql":
            remaining = _keep_strings_in_duckdb(remaining, alias)
        select.set("where", exp.Where(this=remaining) if remaining is not None else None)
        table.replace(self._read(select, table, constraints))
        return {constraint.column: constraint for constraint in constraints}

    # ---------------------------------------------------------------- a table in a JOIN

    def _joined_table(self, select: exp.Select, join: exp.Join,
                      own: dict[str, _Constraint]) -> None:
        """A department table joined on its key to a CTE's column, or to the select's own FROM
        table (the registry's person_link joins): it gets that column's list."""
        table = join.this
        alias = table.alias_or_name
        on = join.args.get("on")
        from_ = select.args.get("from_")
        own_from = from_.this.alias_or_name if from_ is not None else None
        constraints: list[_Constraint] = []
        added: list[exp.Expr] = []
        for condition in _conjuncts(on):
            if not isinstance(condition, exp.EQ):
                continue
            for mine, other in ((condition.this, condition.expression),
                                (condition.expression, condition.this)):
                column = _column_of(mine, alias)
                if column is None or not isinstance(other, exp.Column) or \
                        other.table not in (*self.ctes, own_from):
                    continue
                known = self.known.get((other.table, other.name)) if other.table in self.ctes \
                    else own.get(other.name)
                if known is not None and known.values is not None:
                    constraints.append(_Constraint(column, values=known.values))
                    added.append(exp.In(this=exp.Column(this=ident(column), table=ident(alias)),
                                        expressions=[exp.Literal.number(v) for v in known.values]))
                elif known is not None:
                    constraints.append(_Constraint(column, variable=known.variable))
                elif other.table in self.ctes:
                    source = exp.Select(expressions=[other.copy()]).from_(
                        exp.Table(this=ident(other.table), alias=exp.TableAlias(
                            this=ident(other.table))), copy=False)
                    constraints.append(_Constraint(column, variable=self._stage(source)))
                elif _only_reads(select, own_from):
                    # the rows of this very select's FROM: its WHERE, ORDER BY and LIMIT (the
                    # joins are LEFT joins to at most one row each: they do not change them)
                    source = exp.Select(expressions=[other.copy()]).from_(
                        from_.this.copy(), copy=False)  # type: ignore[union-attr]
                    for key in ("where", "order", "limit"):
                        if select.args.get(key) is not None:
                            source.set(key, select.args[key].copy())
                    constraints.append(_Constraint(column, variable=self._stage(source)))
        if on is not None:
            on = conjunction([*_conjuncts(on), *added])
            if self.catalogs[table.catalog].kind == "mysql" and on is not None:
                on = _keep_strings_in_duckdb(on, alias)
            join.set("on", on)
        table.replace(self._read(select, table, constraints))

    # ---------------------------------------------------------------- staging

    def _stage(self, values: exp.Select) -> str:
        """A variable holding the distinct values of the one-column `values`, as SQL text.
        `values` may itself read sources (a filter on related rows): it is rewritten first, its
        own stages coming before this one."""
        self._select(values, None)
        for inner in list(values.find_all(exp.Select)):
            self._select(inner, None)
        key = values.sql("duckdb")
        if key in self.variables:
            return self.variables[key]
        name = f"citizen_gateway_keys_{len(self.variables) + 1}"
        self.variables[key] = name
        item = exp.column("x", "s", quoted=True)
        listed = exp.Anonymous(this="array_to_string", expressions=[
            exp.Anonymous(this="list_sort", expressions=[
                exp.Anonymous(this="list_distinct", expressions=[
                    exp.Anonymous(this="list", expressions=[
                        exp.Cast(this=item, to=_data_type("BIGINT"))])])]),
            exp.Literal.string(", ")])
        text = exp.Coalesce(this=exp.Nullif(this=listed, expression=exp.Literal.string("")),
                            expressions=[exp.Literal.string("NULL")])
        query = exp.Select(expressions=[text]).from_(exp.Subquery(
            this=values.copy(), alias=exp.TableAlias(this=ident("s"), columns=[ident("x")])),
            copy=False).where(exp.Not(this=exp.Is(this=item.copy(), expression=exp.Null())),
                              copy=False)
        needed = self._ctes_for(values)
        if needed:
            query.set("with_", exp.With(expressions=[self.ctes[name].copy() for name in needed]))
        self.stages.append(exp.Set(expressions=[exp.SetItem(
            this=exp.EQ(this=exp.column(name), expression=exp.Subquery(this=query)),
            kind="VARIABLE")]))
        return name

    def _bind_variable(self, marker: exp.Column) -> str:
        """A variable holding a bound id list: the marker is written once, inside this statement
        (bind fills it), and the list is checked to be integers before anything reads it."""
        self.bound += 1
        name = f"citizen_gateway_ids_{self.bound}"
        text = exp.column("ids", "bound", quoted=True)
        checked = exp.Case(
            ifs=[exp.If(this=exp.Anonymous(this="regexp_full_match", expressions=[
                text, exp.Literal.string("[0-9, -]*")]),
                true=exp.Coalesce(this=exp.Nullif(this=exp.Trim(this=text.copy()),
                                                  expression=exp.Literal.string("")),
                                  expressions=[exp.Literal.string("NULL")]))],
            default=exp.Anonymous(this="error", expressions=[
                exp.Literal.string("citizen-gateway: a bound id list is not integers")]))
        # The marker, once, inside a string: bind replaces the quoted marker with the list.
        marked = exp.Select(expressions=[exp.Alias(this=exp.Literal.string(f'"{marker.name}"'),
                                                   alias=ident("ids"))])
        query = exp.Select(expressions=[checked]).from_(
            exp.Subquery(this=marked, alias=exp.TableAlias(this=ident("bound"))), copy=False)
        self.stages.append(exp.Set(expressions=[exp.SetItem(
            this=exp.EQ(this=exp.column(name), expression=exp.Subquery(this=query)),
            kind="VARIABLE")]))
        return name

    def _ctes_for(self, node: exp.Expr) -> list[str]:
        """The CTEs `node` reads, directly or through other CTEs, in definition order."""
        found: set[str] = set()
        pending = [node]
        while pending:
            current = pending.pop()
            for table in current.find_all(exp.Table):
                name = table.name
                if not table.args.get("db") and name in self.ctes and name not in found:
                    found.add(name)
                    pending.append(self.ctes[name].this)
        return [name for name in self.ctes if name in found]

    # ---------------------------------------------------------------- how a table is read

    def _read(self, scope: exp.Select, table: exp.Table,
              constraints: list[_Constraint]) -> exp.Expr:
        catalog = self.catalogs[table.catalog]
        alias = table.alias_or_name
        columns = _referenced_columns(scope, alias)
        staged = [c for c in constraints if c.variable is not None]
        if catalog.kind == "sqlite":
            return self._sqlite(table, alias, columns, constraints, _plain_limit(scope, table))
        if not staged:
            return table
        inner = exp.Select(expressions=[exp.Column(this=ident(c), table=ident(alias))
                                        for c in columns] or [exp.Star()]).from_(
            exp.Table(this=ident(table.name), db=ident(table.db), catalog=ident(table.catalog),
                      alias=exp.TableAlias(this=ident(alias))), copy=False)
        text = _with_staged(inner.sql("duckdb"), False,
                            [exp.Column(this=ident(c.column), table=ident(alias)).sql("duckdb")
                             for c in staged], [c.variable for c in staged if c.variable])
        return exp.Table(this=exp.Anonymous(this="query", expressions=[text]),
                         alias=exp.TableAlias(this=ident(alias)))

    def _sqlite(self, table: exp.Table, alias: str, columns: list[str],
                constraints: list[_Constraint], limit: exp.Limit | None = None) -> exp.Expr:
        catalog = self.catalogs[table.catalog]
        types = catalog.columns.get(table.name)
        if types is None:
            raise PushdownError(f"{table.catalog}.{table.name}: no such SQLite table")
        missing = [c for c in columns if c not in types]
        if missing:
            raise PushdownError(f"{table.catalog}.{table.name}: no column {', '.join(missing)}")
        read = columns or [next(iter(types))]
        inner = exp.Select(expressions=[exp.column(c, quoted=True) for c in read]).from_(
            exp.Table(this=ident(table.name)), copy=False)
        literal = [exp.In(this=exp.column(c.column, quoted=True),
                          expressions=[exp.Literal.number(v) for v in c.values])
                   for c in constraints if c.values is not None]
        condition = conjunction(literal)
        if condition is not None:
            inner = inner.where(condition, copy=False)
        if limit is not None:
            inner.set("limit", limit.copy())
        staged = [c for c in constraints if c.variable is not None]
        text = _with_staged(inner.sql("sqlite"), condition is not None,
                            [exp.column(c.column, quoted=True).sql("sqlite") for c in staged],
                            [c.variable for c in staged if c.variable])
        typed = exp.Select(expressions=[
            exp.Alias(this=exp.Cast(this=exp.column(c, quoted=True), to=_data_type(types[c])),
                      alias=ident(c))
            for c in read]).from_(exp.Table(this=exp.Anonymous(
                this="sqlite_query", expressions=[exp.Literal.string(table.catalog), text]),
                alias=exp.TableAlias(this=ident("sqlite"))), copy=False)
        return exp.Subquery(this=typed, alias=exp.TableAlias(this=ident(alias)))


def _only_reads(select: exp.Select, alias: str | None) -> bool:
    """Whether the select's WHERE and ORDER BY read columns of `alias` only."""
    for key in ("where", "order"):
        part = select.args.get(key)
        if part is not None and any(column.table != alias for column in part.find_all(exp.Column)):
            return False
    return alias is not None


def _plain_limit(select: exp.Select, table: exp.Table) -> exp.Limit | None:
    """The LIMIT of `SELECT ... FROM table LIMIT n` with nothing between (a probe): SQLite may
    stop after n rows too."""
    limit = select.args.get("limit")
    from_ = select.args.get("from_")
    if limit is None or from_ is None or from_.this is not table or any(
            select.args.get(key) for key in ("where", "joins", "group", "order", "having",
                                             "distinct", "qualify")):
        return None
    if select.find(exp.Window, exp.AggFunc) is not None:
        return None
    return limit if isinstance(limit, exp.Limit) else None


def _with_staged(sql: str, has_where: bool, columns: list[str], variables: list[str]) -> exp.Expr:
    """`sql` and `column IN (<variable>)` per staged list, as a string expression for DuckDB."""
    if not variables:
        return exp.Literal.string(sql)
    pieces: list[exp.Expr] = []
    text = sql
    for column, variable in zip(columns, variables, strict=True):
        text += (" AND " if has_where else " WHERE ") + f"{column} IN ("
        has_where = True
        pieces.append(exp.Literal.string(text))
        pieces.append(exp.Anonymous(this="getvariable", expressions=[exp.Literal.string(variable)]))
        text = ")"
    pieces.append(exp.Literal.string(text))
    result = pieces[0]
    for piece in pieces[1:]:
        result = exp.DPipe(this=result, expression=piece, safe=True)
    return result


def _keep_strings_in_duckdb(condition: exp.Expr, alias: str) -> exp.Expr:
    """String comparisons on `alias` rewritten so DuckDB does not push them to MariaDB."""

    def is_string(node: exp.Expr) -> bool:
        return isinstance(node, exp.Literal) and node.is_string

    def shield(node: exp.Expr) -> exp.Expr:
        if isinstance(node, _STRING_COMPARISONS):
            sides = [node.this, node.expression]
        elif isinstance(node, exp.In) and not node.args.get("query"):
            sides = [node.this, *node.expressions]
        else:
            return node
        if not any(is_string(side) for side in sides):
            return node
        for key in ("this", "expression"):
            side = node.args.get(key)
            if isinstance(side, exp.Column) and side.table == alias:
                node.set(key, exp.Paren(this=exp.DPipe(this=side.copy(),
                                                       expression=exp.Literal.string(""),
                                                       safe=True)))
        return node

    return condition.transform(shield, copy=False)


def program(tree: exp.Select, catalogs: Mapping[str, Catalog]) -> list[exp.Expr]:
    """The statements DuckDB runs for one compiled statement: SET VARIABLE stages, then the query."""
    return Pushdown(catalogs).program(tree)
