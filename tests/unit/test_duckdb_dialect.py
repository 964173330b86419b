"""The DuckDB rendering of compiled statements: what differs from Trino, and the pushdown pass.

Golden files: each tests/unit/golden/NAME.graphql (the compiler's golden cases) rendered for the
DuckDB engine into tests/unit/golden_duckdb/NAME.{servers,sqlite}.sql, once with the departments
on PostgreSQL/MariaDB (as the local stack) and once as the demo's SQLite files. Review a changed
.sql like code; regenerate with UPDATE_GOLDEN=1. Values are checked by running the expressions in
DuckDB; equality with Trino's output is checked end to end in tests/integration/test_differential.py.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

import duckdb
import pytest
from graphql import parse
from sqlglot import exp
from test_compile_golden import CASES, CURSOR_KEY, GOLDEN, _variables, planned

from gateway.compile import (
    Resolved,
    Statement,
    bind,
    bind_tree,
    compile_fetch,
    compile_resolve,
    compile_single,
    needs_resolve,
)
from gateway.compile.predicates import like_prefix
from gateway.compile.sql import sql_type
from gateway.engine.duckdb.dialect import render as render_duckdb
from gateway.engine.duckdb.engine import DuckDBEngine
from gateway.engine.duckdb.pushdown import Catalog, program
from gateway.ir import CitizenLookup, CitizenPage, MaskKind
from gateway.masks import MASKS
from gateway.pipeline.plan import Planner, coerce_variables, select_operation
from gateway.requester import Requester
from gateway.settings import Settings

GOLDEN_DUCKDB = Path(__file__).parent / "golden_duckdb"
SERVERS = {"registry": Catalog("postgres"), "health": Catalog("postgres"),
           "housing": Catalog("postgres"), "socialcare": Catalog("mysql"),
           "education": Catalog("mysql")}
DIALECT = "citizenduckdb"  # the dialect's own differences, without attachments
DEPARTMENTS = ["education", "health", "housing", "registry", "socialcare"]


@pytest.fixture(scope="module")
def sqlite_catalogs(sqlite_council: Path) -> dict[str, Catalog]:
    """The catalogs as the engine describes the attached SQLite files (their column types)."""
    engine = DuckDBEngine(Settings(engine="duckdb", duckdb_sqlite_dir=sqlite_council), DEPARTMENTS)
    try:
        return dict(engine.catalogs)
    finally:
        engine.close()


def _evaluate(expression: exp.Expr) -> Any:
    return duckdb.sql("SELECT " + expression.sql(dialect=DIALECT)).fetchone()[0]  # type: ignore[index]


def _mask(kind: MaskKind, value: exp.Expr, key: str = "k") -> Any:
    return _evaluate(MASKS[kind].build(value, sql_type("string"), key))


# ------------------------------------------------------------------ functions that differ or not


@pytest.mark.parametrize("text", ["", "a", "abcd", "abcde", "Zoë Ann-Marie", "AB123456C"])
def test_partial_mask_keeps_the_last_four(text: str) -> None:
    expected = "*" * (len(text) - 4) + text[-4:] if len(text) > 4 else "*" * len(text)
    assert _mask("partial", exp.Literal.string(text)) == expected


@pytest.mark.parametrize(("key", "value"), [("k", "Smith"), ("clé|ü", "Zoë O'Brien"), ("", "")])
def test_pseudonym_is_sha256_of_the_utf8_bytes(key: str, value: str) -> None:
    # Trino: lower(to_hex(sha256(to_utf8(concat(key, '|', value))))), the same bytes and digest.
    expected = "p-" + hashlib.sha256(f"{key}|{value}".encode()).hexdigest()[:16]
    assert _mask("pseudonym", exp.Literal.string(value), key) == expected


def test_masks_of_null_are_null() -> None:
    for kind in ("partial", "pseudonym", "district", "redact"):
        assert _mask(kind, exp.Null()) is None


def test_generalised_dates_and_postcodes() -> None:
    date = exp.Cast(this=exp.Literal.string("1990-07-04"), to=exp.DataType.build("DATE"))
    assert _mask("year", date) == datetime.date(1990, 1, 1)
    assert _mask("district", exp.Literal.string("KF13 1AF")) == "KF13"
    today = datetime.date.today()
    for born in (datetime.date(1990, 7, 4), today.replace(year=today.year - 30),
                 today.replace(year=today.year - 30) + datetime.timedelta(days=1)):
        birthday = exp.Cast(this=exp.Literal.string(born.isoformat()), to=exp.DataType.build("DATE"))
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        assert _mask("age_band", birthday) == f"{age // 10 * 10}-{age // 10 * 10 + 9}"


@pytest.mark.parametrize(("value", "prefix", "matches"), [
    ("a_b", "a_", True), ("axb", "a_", False), ("50%", "50%", True), ("500", "50%", False),
    ("a\\b", "a\\", True), ("ab", "a\\", False), ("Smith", "Sm", True), ("smith", "Sm", False),
])
def test_starts_with_escapes_wildcards(value: str, prefix: str, matches: bool) -> None:
    like = exp.Like(this=exp.Literal.string(value), expression=like_prefix(prefix),
                    escape=exp.Literal.string("\\"))
    assert like.sql(dialect=DIALECT).endswith("ESCAPE '\\'")
    assert _evaluate(like) is matches


def test_rows_become_the_json_the_gateway_reads() -> None:
    """CAST(ROW(..) AS ROW(..)) and json_format(CAST(.. AS JSON)) as the compiler builds them."""
    inner = exp.DataType.build("STRUCT(\"n\" DOUBLE, \"d\" VARCHAR)", dialect="duckdb")
    row = exp.Cast(this=exp.Struct(expressions=[exp.Literal.number("95.37"),
                                                exp.Cast(this=exp.Literal.string("2020-01-02"),
                                                         to=exp.DataType.build("VARCHAR"))]),
                   to=inner)
    items = exp.ArrayAgg(this=exp.Order(this=row, expressions=[exp.Ordered(this=exp.Literal.number(1))]))
    outer = exp.Select(expressions=[exp.JSONFormat(this=exp.Cast(
        this=exp.Cast(this=exp.Struct(expressions=[exp.Literal.string("é\"\\"), exp.Null(), items]),
                      to=exp.DataType.build('STRUCT("a" VARCHAR, "b" INT, "c" STRUCT("n" DOUBLE, '
                                            '"d" VARCHAR)[])', dialect="duckdb")),
        to=exp.DataType.build("JSON")))])
    text = duckdb.sql(outer.sql(dialect=DIALECT)).fetchone()[0]  # type: ignore[index]
    assert json.loads(text) == {"a": "é\"\\", "b": None, "c": [{"n": 95.37, "d": "2020-01-02"}]}
    assert list(json.loads(text)) == ["a", "b", "c"]  # the selection's order


# ------------------------------------------------------------------ golden files


def compiled(name: str, contract: Any,
             served_schema: Any) -> list[tuple[Statement, dict[str, Any]]]:
    """The statements the service would render for golden case NAME (as in test_compile_golden),
    each with the ids the service binds into its rendered SQL."""
    plan, _ = planned(name, contract, served_schema)
    statements: list[tuple[Statement, dict[str, Any]]] = []
    for root in plan.roots:
        assert isinstance(root, CitizenLookup | CitizenPage)
        citizen = {"citizen": root.citizen_id} if isinstance(root, CitizenLookup) else {}
        if not needs_resolve(root):
            statements.append((compile_single(root, plan.person_index, "golden-pseudonym-key"),
                               citizen))
            continue
        resolve = compile_resolve(root, plan.person_index)
        departments = resolve.departments
        resolved = Resolved(departments, (
            (42, tuple(1000 + i for i in range(len(departments)))),
            (43, tuple(2000 + i if i % 2 else None for i in range(len(departments)))),
        ))
        fetch = compile_fetch(root, resolved, plan.person_index, "golden-pseudonym-key")
        statements += [(resolve, citizen), (fetch, {"resolved": resolved})]
    return statements


def render(statements: list[tuple[Statement, dict[str, Any]]],
           catalogs: dict[str, Catalog]) -> str:
    return "\n".join(render_duckdb(bind_tree(statement.tree, **values), catalogs, pretty=True)
                     + ";\n" for statement, values in statements)


@pytest.mark.parametrize("configuration", ["servers", "sqlite"])
@pytest.mark.parametrize("name", CASES)
def test_golden_duckdb_sql(name: str, configuration: str, contract: Any, served_schema: Any,
                           sqlite_catalogs: dict[str, Catalog]) -> None:
    catalogs = SERVERS if configuration == "servers" else sqlite_catalogs
    actual = render(compiled(name, contract, served_schema), catalogs)
    path = GOLDEN_DUCKDB / f"{name}.{configuration}.sql"
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual)
    assert path.exists(), f"no golden {path.name}: write it with UPDATE_GOLDEN=1"
    assert actual == path.read_text()


# ------------------------------------------------------------------ pushdown


TABLES = ("citizen", "person_link", "patient", "encounter", "prescription", "client", "social_case",
          "assessment", "safeguarding_flag", "pupil", "enrolment", "attendance", "exclusion",
          "tenant", "tenancy", "rent_account", "repair")


def _sqlite_reads(statements: list[exp.Expr]) -> list[tuple[str, str]]:
    """(catalog, SQLite SQL) of every sqlite_query, staged lists filled in with two ids."""
    reads = []
    for statement in statements:
        for call in statement.find_all(exp.Anonymous):
            if call.name.lower() != "sqlite_query":
                continue
            catalog, text = call.expressions
            parts = [text] if not isinstance(text, exp.DPipe) else list(text.flatten())
            sql = "".join(part.this if isinstance(part, exp.Literal) else "1, 2" for part in parts)
            reads.append((catalog.this, sql))
    return reads


def test_every_sqlite_table_is_read_by_an_index_search(contract: Any, served_schema: Any,
                                                       sqlite_council: Path,
                                                       sqlite_catalogs: dict[str, Catalog]) -> None:
    """SQLite's own EXPLAIN QUERY PLAN of each read: SEARCH by a key, never SCAN."""
    statements: list[exp.Expr] = []
    for statement, values in compiled("citizen_every_department", contract, served_schema):
        statements += program(bind_tree(statement.tree, **values), sqlite_catalogs)
    reads = _sqlite_reads(statements)
    seen = set()
    for catalog, sql in reads:
        table = re.search(r'FROM "(\w+)"', sql).group(1)  # type: ignore[union-attr]
        seen.add(table)
        with sqlite3.connect(sqlite_council / f"{catalog}.sqlite") as connection:
            plan = [row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql)]
        assert all(step.startswith("SEARCH") for step in plan), (sql, plan)
    assert seen == set(TABLES)


def _literal_key(node: exp.Expr, alias: str) -> bool:
    """`alias.column IN (1, 2)` or `alias.column = 1`."""
    if not (isinstance(node.this, exp.Column) and node.this.table == alias):
        return False
    values = node.expressions if isinstance(node, exp.In) else [node.expression]
    return bool(values) and all(isinstance(v, exp.Literal) and not v.is_string for v in values)


def test_every_server_table_gets_a_literal_key_list(contract: Any, served_schema: Any) -> None:
    """PostgreSQL/MariaDB: each department table is read with `key IN (literals)` in its own
    WHERE or join condition, or through query() with a staged literal list."""
    statements: list[exp.Expr] = []
    for statement, values in compiled("citizen_every_department", contract, served_schema):
        statements += program(bind_tree(statement.tree, **values), SERVERS)
    seen = set()
    for statement in statements:
        for table in statement.find_all(exp.Table):
            if table.catalog not in SERVERS:
                continue
            scope = table.find_ancestor(exp.Select)
            assert scope is not None
            join = table.parent if isinstance(table.parent, exp.Join) else None
            condition = join.args.get("on") if join else scope.args.get("where")
            keyed = condition is not None and any(
                _literal_key(node, table.alias_or_name) for node in condition.find_all(exp.In, exp.EQ))
            staged = isinstance(scope.parent, exp.Anonymous)  # a query() text's own table
            assert keyed or staged, table.sql()
            seen.add(table.name)
        for call in statement.find_all(exp.Anonymous):
            if call.name.lower() == "query":
                text = "".join(p.this if isinstance(p, exp.Literal) else "1" for p in
                               call.expressions[0].flatten())
                assert re.search(r'WHERE "\w+"\."\w+" IN \(1\)$', text), text
                seen.add(re.search(r'\."(\w+)" AS', text).group(1))  # type: ignore[union-attr]
    assert seen == set(TABLES)


def test_mariadb_string_comparisons_stay_in_duckdb() -> None:
    where = exp.And(this=exp.In(this=exp.column("client_id", "t"),
                                expressions=[exp.Literal.number(7)]),
                    expression=exp.EQ(this=exp.column("team", "t"),
                                      expression=exp.Literal.string("north-children")))
    for catalog, shielded in (("socialcare", True), ("registry", False)):
        select = exp.select(exp.column("case_id", "t")).from_(exp.Table(
            this=exp.to_identifier("social_case"), db=exp.to_identifier(catalog),
            catalog=exp.to_identifier(catalog), alias=exp.TableAlias(this=exp.to_identifier("t")))
        ).where(where.copy())
        sql = program(select, SERVERS)[-1].sql("duckdb")
        assert ("(t.team || '') = 'north-children'" in sql) is shielded, sql
        assert "t.client_id IN (7)" in sql  # the key is still pushed


def test_a_staged_list_needs_integer_keys() -> None:
    """A staged key list is built from BIGINTs: a non-integer key fails, never lands in SQL."""
    with pytest.raises(duckdb.ConversionException):
        duckdb.sql("SELECT array_to_string(list_sort(list_distinct(list(CAST(x AS BIGINT)))), ', ') "
                   "FROM (VALUES ('1'), ('2) OR (1=1')) AS s(x)").fetchall()


# ------------------------------------------------------------------ id lists bound after rendering


def test_rendered_once_then_bound_equals_rendered_bound(contract: Any, served_schema: Any,
                                                        sqlite_council: Path,
                                                        sqlite_catalogs: dict[str, Catalog]) -> None:
    """The service caches the rendered SQL per plan shape and binds the id lists into the text
    (gateway/compile/bind.py, which checks each marker appears as often as the compiler wrote it). DuckDB's
    program keeps that count and answers exactly as the tree rendered with the lists in place,
    on a real council, for lookups (every department) and pages."""
    engine = DuckDBEngine(Settings(engine="duckdb", duckdb_sqlite_dir=sqlite_council), DEPARTMENTS)
    who = Requester("tester", ("tester",), "testing")
    try:
        for name in CASES:
            document = parse((GOLDEN / f"{name}.graphql").read_text())
            operation = select_operation(document, None)
            variables = coerce_variables(served_schema, operation, _variables(name))
            plan = Planner(contract, served_schema, document, variables, CURSOR_KEY).plan(operation)
            for root in plan.roots:
                assert isinstance(root, CitizenLookup | CitizenPage)
                if isinstance(root, CitizenLookup):
                    root = dataclasses.replace(root, citizen_id=_busiest(sqlite_council))
                citizen = {"citizen": root.citizen_id} if isinstance(root, CitizenLookup) else {}
                first = (compile_single(root, plan.person_index, "k") if not needs_resolve(root)
                         else compile_resolve(root, plan.person_index))
                rows = _both_ways(engine, who, first, citizen)
                if not needs_resolve(root) or not rows:
                    continue
                resolved = Resolved(first.departments, tuple(
                    (int(row[0]), tuple(row[1 + len(first.cursor_kinds):])) for row in rows))
                fetch = compile_fetch(root, resolved, plan.person_index, "k")
                assert _both_ways(engine, who, fetch, {"resolved": resolved}), name
    finally:
        engine.close()


def _busiest(council: Path) -> int:
    with sqlite3.connect(council / "registry.sqlite") as registry:
        return int(registry.execute("SELECT citizen_id FROM person_link GROUP BY citizen_id "
                                    "ORDER BY count(*) DESC, citizen_id LIMIT 1").fetchone()[0])


def _both_ways(engine: DuckDBEngine, who: Requester, statement: Statement,
               values: dict[str, Any]) -> list[tuple[Any, ...]]:
    template = engine.render(statement.tree)
    assert "citizen_gateway_ids_" in template or not statement.markers or \
        set(statement.markers) <= {"mapping"}
    bound_text = bind(template, statement.markers, **values)
    bound_tree = engine.render(bind_tree(statement.tree, **values))
    by_text = sorted(engine.run(bound_text, who).rows, key=repr)
    by_tree = sorted(engine.run(bound_tree, who).rows, key=repr)
    assert by_text == by_tree
    return engine.run(bound_text, who).rows
