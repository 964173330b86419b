"""A citizen lookup through Trino reads that citizen's rows only, not the department's table.

Evidence from both ends: Trino's EXPLAIN ANALYZE (rows the table scan received from the
connector) and the query's physical input rows, and the databases' own counters
(pg_stat_user_tables; MariaDB's TABLE_STATISTICS, userstat=1 in the local stack).

Shapes checked, on PostgreSQL (health.encounter) and MariaDB (socialcare.social_case):
  literal `=`                       pushed as a predicate (constraint on the key)
  literal IN list of 100 ids        pushed as a discrete IN list (domain-compaction-threshold)
  IN (SELECT ... person_link)       dynamic filter from registry reaches the department scan
  JOIN person_link                  same, through the dynamic filter of the inner join
  person_link LEFT JOIN dept        the optimizer flips it to a RIGHT join with the registry
                                    side as build side, so the dynamic filter applies too
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from stack.settings import HOST, Settings

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Target:
    department: str  # catalog = schema = database
    table: str
    key: str  # the department's person key in `table`

    @property
    def qualified(self) -> str:
        return f"{self.department}.{self.department}.{self.table}"


HEALTH = Target("health", "encounter", "patient_id")
SOCIALCARE = Target("socialcare", "social_case", "client_id")
TARGETS = [pytest.param(HEALTH, id="postgresql"), pytest.param(SOCIALCARE, id="mariadb")]


def _rows_per_person(databases: Any, target: Target) -> dict[int, int]:
    sql = f"SELECT {target.key}, count(*) FROM {target.table} GROUP BY {target.key}"
    if target.department == "health":
        with databases.postgres_reader("health") as connection:
            rows = connection.execute(sql.replace(" FROM ", " FROM health.", 1)).fetchall()
    else:
        connection = databases.mariadb_reader(target.department)
        with connection, connection.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall()
    return {int(person): int(count) for person, count in rows}


def _links(databases: Any, department: str) -> dict[int, int]:
    """local id -> citizen id for one department."""
    with databases.postgres_reader("registry") as connection:
        rows = connection.execute(
            "SELECT local_id, citizen_id FROM registry.person_link WHERE department = %s",
            (department,),
        ).fetchall()
    return {int(local): int(citizen) for local, citizen in rows}


def scan_input_rows(plan: str, target: Target) -> int:
    """Rows the scans of `target` received from the connector, from EXPLAIN ANALYZE text."""
    lines = plan.splitlines()
    total, found = 0, False
    for number, line in enumerate(lines):
        if f"table = {target.department}:" not in line or target.table not in line:
            continue
        for following in lines[number + 1 : number + 40]:
            match = re.match(r"^[\s│├└─]*Input: ([\d,]+) rows?", following)
            if match:
                total += int(match.group(1).replace(",", ""))
                found = True
                break
    assert found, f"no scan of {target.qualified} in the plan:\n{plan}"
    return total


def physical_input_rows(settings: Settings, query_id: str) -> int:
    """Rows Trino read from all connectors for one query (GET /v1/query/{id})."""
    request = urllib.request.Request(
        f"http://{HOST}:{settings.trino_port}/v1/query/{query_id}",
        headers={"X-Trino-User": "citizen-gateway-stack"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        info = json.load(response)
    return int(info["queryStats"]["physicalInputPositions"])


def _shapes(target: Target, local_ids: list[int], citizens: list[int]) -> dict[str, str]:
    department, key, table = target.department, target.key, target.qualified
    link = "registry.registry.person_link"
    ids = ", ".join(map(str, local_ids))
    who = ", ".join(map(str, citizens))
    return {
        "literal": f"SELECT * FROM {table} WHERE {key} IN ({ids})",
        "in_subquery": (
            f"SELECT * FROM {table} WHERE {key} IN (SELECT local_id FROM {link} "
            f"WHERE department = '{department}' AND citizen_id IN ({who}))"
        ),
        "inner_join": (
            f"SELECT t.* FROM {link} l JOIN {table} t ON t.{key} = l.local_id "
            f"WHERE l.department = '{department}' AND l.citizen_id IN ({who})"
        ),
        "left_join": (
            f"SELECT l.citizen_id, t.* FROM {link} l LEFT JOIN {table} t ON t.{key} = l.local_id "
            f"WHERE l.department = '{department}' AND l.citizen_id IN ({who})"
        ),
    }


def _pick(databases: Any, target: Target, how_many: int) -> tuple[list[int], list[int], int, int]:
    """Up to `how_many` linked people with rows. Several are spread over the key range (every
    third one), so a min..max range instead of a discrete list would read people in between."""
    per_person = _rows_per_person(databases, target)
    links = _links(databases, target.department)
    linked = sorted(local for local in links if per_person.get(local))
    if how_many == 1:
        assert linked, f"no linked {target.department} record has rows: is the stack seeded?"
        chosen = [linked[len(linked) // 2]]
    else:
        chosen = linked[1::3][:how_many]
        assert len(chosen) >= 3, f"too few linked {target.department} records with rows"
    expected = sum(per_person[local] for local in chosen)
    total = sum(per_person.values())
    return chosen, [links[local] for local in chosen], expected, total


Pick = tuple[list[int], list[int], int, int]


@pytest.fixture(scope="module")
def pick(databases: Any) -> Callable[[Target, int], Pick]:
    """`_pick`, remembered for the module (it reads whole link and count lists)."""
    chosen: dict[tuple[Target, int], Pick] = {}

    def cached(target: Target, how_many: int) -> Pick:
        if (target, how_many) not in chosen:
            chosen[(target, how_many)] = _pick(databases, target, how_many)
        return chosen[(target, how_many)]

    return cached


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("people", [1, 100], ids=["one citizen", "up to 100 citizens"])
@pytest.mark.parametrize("shape", ["literal", "in_subquery", "inner_join", "left_join"])
def test_lookup_reads_only_the_citizens_rows(
    pick: Callable[[Target, int], Pick], trino_cursor: Any, stack: Settings, target: Target,
    people: int, shape: str,
) -> None:
    local_ids, citizens, expected, total = pick(target, people)
    assert expected < total, "the chosen citizens hold every row: the check would prove nothing"
    sql = _shapes(target, local_ids, citizens)[shape]

    trino_cursor.execute("EXPLAIN ANALYZE " + sql)
    plan = trino_cursor.fetchall()[0][0]
    assert scan_input_rows(plan, target) == expected, plan

    trino_cursor.execute(sql)
    rows = trino_cursor.fetchall()
    assert len(rows) == expected
    registry_rows = 0 if shape == "literal" else len(citizens)
    assert physical_input_rows(stack, trino_cursor.query_id) == expected + registry_rows


def _wait_for(
    read: Callable[[], dict[str, int]], changed: Callable[[dict[str, int]], bool]
) -> dict[str, int]:
    """Poll a counter snapshot until `changed` holds (statistics are flushed asynchronously)."""
    deadline = time.monotonic() + 15
    while True:
        snapshot = read()
        if changed(snapshot) or time.monotonic() > deadline:
            return snapshot
        time.sleep(0.3)


def test_postgresql_sees_an_index_lookup_not_a_scan(
    databases: Any, pick: Callable[[Target, int], Pick], trino_cursor: Any
) -> None:
    """pg_stat_user_tables for health.encounter: an index scan, no sequential rows read."""
    local_ids, citizens, expected, total = pick(HEALTH, 1)

    def counters() -> dict[str, int]:
        with databases.postgres_loader("health") as connection:
            connection.execute("SELECT pg_stat_clear_snapshot()")
            row = connection.execute(
                "SELECT seq_scan, seq_tup_read, idx_scan, idx_tup_fetch FROM pg_stat_user_tables "
                "WHERE schemaname = 'health' AND relname = 'encounter'"
            ).fetchone()
        assert row is not None
        names = ("seq_scan", "seq_tup_read", "idx_scan", "idx_tup_fetch")
        return dict(zip(names, map(int, row), strict=True))

    before = counters()
    trino_cursor.execute(_shapes(HEALTH, local_ids, citizens)["in_subquery"])
    assert len(trino_cursor.fetchall()) == expected
    after = _wait_for(counters, lambda now: now["idx_scan"] > before["idx_scan"])
    assert after["idx_scan"] > before["idx_scan"], (before, after)
    assert after["seq_tup_read"] - before["seq_tup_read"] < total, (before, after)


def test_mariadb_reads_only_the_citizens_rows(
    databases: Any, pick: Callable[[Target, int], Pick], trino_cursor: Any
) -> None:
    """MariaDB's own per-table counter of rows read (userstat) for socialcare.social_case."""
    local_ids, citizens, expected, total = pick(SOCIALCARE, 1)

    def counters() -> dict[str, int]:
        with databases.mariadb_loader("socialcare") as connection, connection.cursor() as cursor:
            cursor.execute(
                "SELECT COALESCE(SUM(rows_read), 0) FROM information_schema.table_statistics "
                "WHERE table_schema = 'socialcare' AND table_name = 'social_case'"
            )
            row = cursor.fetchone()
        return {"rows_read": int(row[0])}

    before = counters()
    trino_cursor.execute(_shapes(SOCIALCARE, local_ids, citizens)["in_subquery"])
    assert len(trino_cursor.fetchall()) == expected
    after = _wait_for(counters, lambda now: now["rows_read"] > before["rows_read"])
    read = after["rows_read"] - before["rows_read"]
    assert 0 < read < total, (before, after, expected, total)
    assert read <= expected + 1, (before, after, expected)
