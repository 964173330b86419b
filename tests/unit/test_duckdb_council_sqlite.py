"""The council as SQLite files (council/sqlite.py): the demo's departments, same tables as the servers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from council.ddl import read_layout
from council.seed import write_tsv
from council.sqlite import DATABASES, is_current, write_sqlite
from gateway.cli.demo_council import prepare_council

CITIZENS = 300


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("council")
    write_sqlite(CITIZENS, 7, directory)
    return directory


def _ddl_tables() -> list[tuple[str, str, list[str], list[str]]]:
    """(file, table, columns, index names) of every table in council/ddl, parsed by sqlglot."""
    found = []
    for department in DATABASES:
        layout = read_layout(department)
        dialect = "mysql" if department in ("socialcare", "education") else "postgres"
        for table in layout.tables:
            create = sqlglot.parse_one(table.create, read=dialect)
            columns = [c.name for c in create.this.expressions if isinstance(c, exp.ColumnDef)]
            schema, _, name = table.name.rpartition(".")
            indexes = [statement.split()[3 if statement.upper().startswith("CREATE UNIQUE")
                                          else 2] if statement.upper().startswith("CREATE")
                       else statement.split("CONSTRAINT")[1].split()[0]
                       for statement in table.after_load]
            found.append((schema or department, name, columns, indexes))
    return found


def test_same_tables_columns_and_key_indexes_as_council_ddl(council: Path) -> None:
    for file, table, columns, indexes in _ddl_tables():
        with sqlite3.connect(council / f"{file}.sqlite") as connection:
            info = connection.execute(f'PRAGMA table_info("{table}")').fetchall()
            assert [row[1] for row in info] == columns, table
            present = {row[1] for row in connection.execute(f'PRAGMA index_list("{table}")')}
            assert set(indexes) <= present, (table, indexes, present)
            keys = [row[1] for row in info if row[5]]
            assert keys, f"{table} has no primary key"
            # A lookup by the key, or by an indexed link column, is a SEARCH, never a SCAN.
            for column in [keys[0]] + [c for c in columns if c.endswith("_id") and c != keys[0]]:
                plan = " ".join(row[3] for row in connection.execute(
                    f'EXPLAIN QUERY PLAN SELECT * FROM "{table}" WHERE "{column}" IN (1, 2)'))
                indexed = column == keys[0] or any(
                    column == connection.execute(f'PRAGMA index_info("{index}")').fetchone()[2]
                    for index in present)
                if indexed:
                    assert plan.startswith("SEARCH"), (table, column, plan)


def test_the_same_rows_as_the_database_loader(council: Path, tmp_path: Path) -> None:
    """Row counts and keys equal the generator's TSV output (what `seed` bulk-loads)."""
    report = write_tsv(CITIZENS, 7, tmp_path)
    for name, count in report.rows.items():
        file, table = name.split(".")
        file = "registry_truth" if table == "link_truth" else file
        keys = sorted(line.split("\t")[0] for line in (tmp_path / f"{name}.tsv").read_text().splitlines())
        with sqlite3.connect(council / f"{file}.sqlite") as connection:
            rows = connection.execute(f'SELECT * FROM "{table}"').fetchall()
        assert len(rows) == count, name
        assert sorted(str(row[0]) for row in rows) == keys, name


def test_deterministic(council: Path, tmp_path: Path) -> None:
    write_sqlite(CITIZENS, 7, tmp_path)
    for file in [*DATABASES, "registry_truth"]:
        with sqlite3.connect(council / f"{file}.sqlite") as a, \
                sqlite3.connect(tmp_path / f"{file}.sqlite") as b:
            for (table,) in a.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                      "AND name NOT LIKE 'sqlite_%'"):
                query = f'SELECT * FROM "{table}" ORDER BY rowid'
                assert a.execute(query).fetchall() == b.execute(query).fetchall(), table


def test_reused_when_current_regenerated_when_not(tmp_path: Path) -> None:
    said: list[str] = []
    assert prepare_council(tmp_path, 50, 7, said.append) is True
    assert is_current(tmp_path, 50, 7)
    assert prepare_council(tmp_path, 50, 7, said.append) is False
    assert not is_current(tmp_path, 60, 7)
    assert prepare_council(tmp_path, 60, 7, said.append) is True
    assert not (tmp_path / ".building").exists()
    (tmp_path / "health.sqlite").unlink()
    assert not is_current(tmp_path, 60, 7)
