"""DuckDB over the real PostgreSQL and MariaDB: every department table gets an indexed literal predicate.

Evidence from both ends for citizen lookups through the gateway on the DuckDB engine:

- what each database received: DuckDB's scanners print every statement they send
  (pg_debug_show_queries, mysql_debug_show_queries); each read of a department table must carry a
  literal `key = v` / `key IN (...)` on the leading column of one of the table's indexes;
- what the database makes of it: each received statement, EXPLAINed by the database itself as the
  department's reader, is answered through an index (PostgreSQL: an Index/Bitmap Index Scan when
  sequential scans are discouraged, so a tiny table read by a sequential scan does not hide a
  predicate no index could serve; MariaDB: a key is used).

Every one of the 17 tables the citizen view reads must be seen.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from gateway_server import ALL_CLEAR, LiveGateway, live_gateway
from reference import FULL_VIEW, Reference

from stack.settings import Settings

pytestmark = pytest.mark.integration

MARIADB = ("socialcare", "education")
TABLES = {
    "registry": {"citizen", "person_link"},
    "health": {"patient", "encounter", "prescription"},
    "socialcare": {"client", "social_case", "assessment", "safeguarding_flag"},
    "education": {"pupil", "enrolment", "attendance", "exclusion"},
    "housing": {"tenant", "tenancy", "rent_account", "repair"},
}
_POSTGRES_READ = re.compile(r'COPY \((SELECT .*? FROM "(\w+)"\."(\w+)"(?: WHERE (.*?))?)\) TO STDOUT')
_MARIADB_READ = re.compile(r"^(SELECT .*? FROM `(\w+)`\.`(\w+)`(?: WHERE (.*))?)$")


@pytest.fixture(scope="module")
def duckdb_gateway(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    for name, value in stack.connector_env().items():
        os.environ.setdefault(name, value)
    # In process: the test switches the scanners' query echo on and reads it from this process.
    with live_gateway(tmp_path_factory.mktemp("duckdb"), ALL_CLEAR, engine="duckdb",
                      access_log=False, duckdb_worker_process=False) as live:
        yield live


def _citizens(reference: Reference) -> list[int]:
    """Citizens whose records reach every table: records in three or more departments, and the
    first citizen with an assessment, with a repair and with a rent account."""
    with reference._postgres("registry") as cursor:
        cursor.execute("SELECT citizen_id FROM registry.person_link GROUP BY citizen_id "
                       "HAVING count(DISTINCT department) >= 3 ORDER BY citizen_id LIMIT 3")
        chosen = [int(row[0]) for row in cursor.fetchall()]
    deep = {
        "socialcare": ("socialcare", "SELECT c.client_id FROM social_case c JOIN assessment a "
                                     "ON a.case_id = c.case_id ORDER BY c.client_id LIMIT 1"),
        "housing": ("housing", "SELECT t.tenant_id FROM housing.tenancy t JOIN housing.repair r "
                               "ON r.tenancy_id = t.tenancy_id JOIN housing.rent_account a "
                               "ON a.tenancy_id = t.tenancy_id ORDER BY t.tenant_id LIMIT 1"),
    }
    for department, (database, sql) in deep.items():
        opener = reference._mariadb if database in MARIADB else reference._postgres
        with opener(database) as cursor:
            cursor.execute(sql)
            local = cursor.fetchone()[0]  # type: ignore[index]
        with reference._postgres("registry") as cursor:
            cursor.execute("SELECT citizen_id FROM registry.person_link WHERE department = %s "
                           "AND local_id = %s", (department, local))
            chosen.append(int(cursor.fetchone()[0]))  # type: ignore[index]
    return chosen


def _received(output: str) -> list[tuple[str, str, str, str | None]]:
    """(database, table, statement, WHERE clause) of every read DuckDB sent to a department."""
    reads = []
    for line in output.splitlines():
        line = line.strip()
        if match := _POSTGRES_READ.search(line):
            statement, schema, table, where = match.groups()
            reads.append((schema, table, statement, where))
        elif match := _MARIADB_READ.match(line):
            statement, database, table, where = match.groups()
            reads.append((database, table, statement, where))
    return reads


def _index_leads(reference: Reference, database: str, table: str) -> set[str]:
    """The leading column of each index of the table, as the database itself reports them."""
    if database in MARIADB:
        with reference._mariadb(database) as cursor:
            cursor.execute("SELECT column_name FROM information_schema.statistics WHERE "
                           "table_schema = %s AND table_name = %s AND seq_in_index = 1",
                           (database, table))
            return {row[0] for row in cursor.fetchall()}
    with reference._postgres(database) as cursor:
        cursor.execute("SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                       "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a "
                       "ON a.attrelid = c.oid AND a.attnum = i.indkey[0] "
                       "WHERE n.nspname = %s AND c.relname = %s", (database, table))
        return {row[0] for row in cursor.fetchall()}


def _explain(reference: Reference, database: str, statement: str) -> tuple[bool, str]:
    if database in MARIADB:
        with reference._mariadb(database) as cursor:
            cursor.execute("EXPLAIN " + statement)
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        return all(row["key"] for row in rows), repr(rows)
    with reference._postgres(database) as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + statement)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return "Index" in plan and "Seq Scan" not in plan, plan


def test_every_department_table_is_read_by_an_indexed_literal_predicate(
        duckdb_gateway: LiveGateway, reference: Reference, capfd: pytest.CaptureFixture[str]) -> None:
    database: Any = duckdb_gateway.gateway.engine.database  # type: ignore[attr-defined]
    citizens = _citizens(reference)
    capfd.readouterr()
    database.execute("SET GLOBAL pg_debug_show_queries = true")
    database.execute("SET GLOBAL mysql_debug_show_queries = true")
    try:
        for citizen in citizens:
            response = duckdb_gateway.post(FULL_VIEW, {"id": str(citizen)})
            assert response.status_code == 200, response.text
            assert response.json()["data"]["citizen"]["id"] == str(citizen)
    finally:
        database.execute("SET GLOBAL pg_debug_show_queries = false")
        database.execute("SET GLOBAL mysql_debug_show_queries = false")
    captured = capfd.readouterr()
    reads = _received(captured.out + "\n" + captured.err)
    seen: dict[str, set[str]] = {}
    leads: dict[tuple[str, str], set[str]] = {}
    for db, table, statement, where in reads:
        if table not in TABLES.get(db, set()):
            continue  # catalog reads of the scanners (pg_namespace, information_schema, ...)
        seen.setdefault(db, set()).add(table)
        assert where, f"{db}.{table} read without a predicate: {statement}"
        if (db, table) not in leads:
            leads[(db, table)] = _index_leads(reference, db, table)
        # an id list, or (DuckDB's own rewrite of a list of consecutive ids) a range of them
        keyed = [column for column in leads[(db, table)]
                 if re.search(rf'[`"]{column}[`"] (?:= |IN \(|>= )', where)]
        assert keyed, f"{db}.{table}: no literal predicate on an indexed column: {where}"
        indexed, plan = _explain(reference, db, statement)
        assert indexed, f"{db}.{table} is not read through an index:\n{statement}\n{plan}"
    assert seen == TABLES, {db: TABLES[db] - seen.get(db, set()) for db in TABLES}
