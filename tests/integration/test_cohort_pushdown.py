"""A three-department cohort through Trino reads, in each department database, about the rows
that match that department's conditions: not the table.

The cohort is the shipped "children in need, persistently absent, seen in emergency care"
(docs/cohorts.md), asked of a gateway on Trino. The evidence is the databases' own counters, read
before and after: MariaDB's per-table rows read (TABLE_STATISTICS, userstat=1 in the local stack)
for social care and education, and PostgreSQL's tuples read by sequential and index scans
(pg_stat_user_tables) for health and the registry's person index. The counts of matching rows
come from hand-written SQL in each database.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cohorts import shipped, walk
from gateway_server import ALL_CLEAR, LiveGateway, live_gateway
from reference import MARIADB, Reference

from stack.settings import Settings

pytestmark = pytest.mark.integration

COHORT = next(c for c in shipped() if c.name == "ChildrenInNeedAbsentEmergency")
VALUES = {"absences": 10, "since": "2024-04-01"}  # the shipped absences; someone matches here


@dataclass(frozen=True)
class Table:
    department: str
    name: str
    matching: str  # hand-written: the rows this department's conditions select

    @property
    def mariadb(self) -> bool:
        return self.department in MARIADB


TABLES = (
    Table("socialcare", "social_case",
          "SELECT count(*) FROM social_case WHERE status = 'open' AND service = 'children'"),
    Table("education", "attendance",
          f"SELECT count(*) FROM attendance WHERE unauthorised_absences >= {VALUES['absences']}"),
    Table("health", "encounter", "SELECT count(*) FROM encounter WHERE setting = 'emergency' "
          f"AND encounter_date >= '{VALUES['since']}'"),
)


def _rows_read(databases: Any, table: Table) -> int:
    """Rows the database itself has read from `table` since it started."""
    if table.mariadb:
        with databases.mariadb_loader(table.department) as connection, \
                connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(SUM(rows_read), 0) FROM "
                           "information_schema.table_statistics "
                           "WHERE table_schema = %s AND table_name = %s",
                           (table.department, table.name))
            return int(cursor.fetchone()[0])
    with databases.postgres_loader(table.department) as connection:
        connection.execute("SELECT pg_stat_clear_snapshot()")
        row = connection.execute(
            "SELECT seq_tup_read + COALESCE(idx_tup_fetch, 0) FROM pg_stat_user_tables "
            "WHERE schemaname = %s AND relname = %s", (table.department, table.name)).fetchone()
        assert row is not None
        return int(row[0])


def _sequential_scans(databases: Any) -> int:
    """Sequential scans PostgreSQL has made of the person index since it started."""
    with databases.postgres_loader("registry") as connection:
        connection.execute("SELECT pg_stat_clear_snapshot()")
        row = connection.execute("SELECT seq_scan FROM pg_stat_user_tables "
                                 "WHERE schemaname = 'registry' AND relname = 'person_link'"
                                 ).fetchone()
        assert row is not None
        return int(row[0])


def _settled(read: Callable[[], int], before: int) -> int:
    """The counter once it has moved and stopped moving (statistics are flushed lazily)."""
    deadline = time.monotonic() + 15
    last = read()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = read()
        if now > before and now == last:
            return now
        last = now
    return last


@pytest.fixture(scope="module")
def gateway(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    for name, value in stack.connector_env().items():
        os.environ.setdefault(name, value)
    with live_gateway(tmp_path_factory.mktemp("cohort-pushdown"), ALL_CLEAR, access_log=False,
                      rate_limit_per_second=0) as live:
        yield live


def test_each_department_reads_about_its_matching_rows(
        gateway: LiveGateway, databases: Any, reference: Reference) -> None:
    expected = COHORT.reference(reference, **VALUES)
    assert expected, "nobody matches: the cohort would not run every department's scan"
    totals, matching = {}, {}
    for table in TABLES:
        with reference.cursor(table.department) as cursor:
            cursor.execute(table.matching)
            matching[table] = int(cursor.fetchone()[0])
            cursor.execute(f"SELECT count(*) FROM {table.name}")
            totals[table] = int(cursor.fetchone()[0])
        assert 0 < 3 * matching[table] < totals[table], (table, matching, totals)

    link = Table("registry", "person_link", "")
    with reference.cursor("registry") as cursor:
        cursor.execute("SELECT count(*) FROM person_link")
        links = int(cursor.fetchone()[0])
    before = {table: _rows_read(databases, table) for table in (*TABLES, link)}
    before_scans = _sequential_scans(databases)
    found = walk(gateway.post, COHORT.document, **VALUES)
    assert {int(citizen) for citizen in found} == expected

    report = {}
    for table in TABLES:
        read = _settled(lambda t=table: _rows_read(databases, t), before[table]) - before[table]
        report[table.name] = (read, matching[table], totals[table])
    for table in TABLES:
        read, match, _total = report[table.name]
        # an index range of the matching rows (a few more for the index's boundary), never the
        # table: the department's conditions reached its database as predicates
        assert 0 < read <= match + 2, report
    # the person index is crossed inside the engine, its scans narrowed by dynamic filters to
    # the links of those records. Looked up by key they read no more than those; PostgreSQL may
    # answer one long key list (here most of a department's links, on a small council) with a
    # sequential scan of the table instead, which reads it once, never once per department.
    read = _settled(lambda: _rows_read(databases, link), before[link]) - before[link]
    scans = _sequential_scans(databases) - before_scans
    assert scans <= 1, (scans, read, links)
    assert 0 < read - scans * links <= sum(matching.values()), (read, links, report)
