"""After `make up`, the department databases hold exactly what the generator yields for the
stack's seed (7) and citizens (2000): every table, row for row, compared with rows regenerated
in memory; secondary indexes exist and statistics were collected; reloading without --reset is
refused and changes nothing."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pytest

from council.ddl import read_layout
from council.generate import all_rows
from gateway.cli.main import main

pytestmark = pytest.mark.integration

POSTGRES = ("registry", "health", "housing")
MARIADB = ("socialcare", "education")


@lru_cache(maxsize=1)
def expected(citizens: int, seed: int) -> dict[str, list[str]]:
    return all_rows(citizens, seed)


def _text(value: Any) -> str:
    """A database value written the way the generator writes it (COPY text format)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _loaded(databases: Any, dept: str, table: str) -> list[str]:
    if dept in POSTGRES:
        with databases.postgres_loader(dept) as conn:
            fetched = conn.execute(f"SELECT * FROM {table}").fetchall()
    else:
        conn = databases.mariadb_loader(dept)
        try:
            with conn.cursor() as cur:
                cur.execute(f"SELECT * FROM {table}")
                fetched = cur.fetchall()
        finally:
            conn.close()
    return ["\t".join(_text(v) for v in row) + "\n" for row in fetched]


@pytest.mark.parametrize(
    ("dept", "table"),
    [(dept, table.name) for dept in POSTGRES + MARIADB for table in read_layout(dept).tables],
)
def test_databases_hold_exactly_the_generated_rows(
    stack: Any, databases: Any, dept: str, table: str
) -> None:
    short = table.rsplit(".", 1)[-1]
    want = expected(stack.citizens, stack.seed)[f"{dept}.{short}"]
    got = _loaded(databases, dept, table)
    assert len(got) == len(want), f"{table}: {len(got)} rows loaded, {len(want)} generated"
    assert Counter(got) == Counter(want), f"{table}: loaded rows differ from the generator's"


def test_secondary_indexes_and_statistics(stack: Any, databases: Any) -> None:
    with databases.postgres_loader("health") as conn:
        indexes = {r[0] for r in conn.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'health'").fetchall()}
        assert {"encounter_patient", "prescription_patient"} <= indexes
        analysed = conn.execute(
            "SELECT count(*) FROM pg_stat_user_tables WHERE schemaname = 'health' "
            "AND last_analyze IS NULL AND last_autoanalyze IS NULL").fetchone()
        assert analysed == (0,)
    with databases.postgres_loader("registry") as conn:
        constraint = conn.execute(
            "SELECT count(*) FROM pg_indexes WHERE indexname = "
            "'person_link_primary'").fetchone()
        assert constraint == (1,)
    conn = databases.mariadb_loader("education")
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT index_name FROM information_schema.statistics "
                "WHERE table_schema = 'education' AND table_name = 'attendance'")
            assert {r[0] for r in cur.fetchall()} == {"PRIMARY", "attendance_pupil",
                                                      "attendance_unauthorised"}
    finally:
        conn.close()


def test_reloading_without_reset_is_refused(
    stack: Any, databases: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["seed", "--citizens", str(stack.citizens), "--seed", str(stack.seed)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err[-1].startswith("seed: refusing to load into tables that hold data (registry.")
    assert "--reset" in err[-1]
    with databases.postgres_loader("registry") as conn:
        assert conn.execute("SELECT count(*) FROM registry.citizen").fetchone() == (
            stack.citizens,)
