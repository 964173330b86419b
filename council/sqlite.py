"""The synthetic council as SQLite files: one per department, for the demo (no database servers).

Same generator, same rows as `citizen-gateway seed` loads into PostgreSQL and MariaDB, same tables
and columns (council/ddl/*.sql, translated to SQLite), the same indexes on the keys:

    <dir>/registry.sqlite        citizen, person_link
    <dir>/registry_truth.sqlite  link_truth (the linkage ground truth; never read by the gateway)
    <dir>/health.sqlite          patient, encounter, prescription
    <dir>/socialcare.sqlite      client, social_case, assessment, safeguarding_flag
    <dir>/education.sqlite       pupil, enrolment, attendance, exclusion
    <dir>/housing.sqlite         tenant, tenancy, rent_account, repair
    <dir>/council.json           what was generated (citizens, seed), written last

Translation of the DDL: the schema qualifier goes (each PostgreSQL schema is a file), a
`bigint PRIMARY KEY` becomes `INTEGER PRIMARY KEY` (SQLite's rowid: the key is the table's own
B-tree), `ALTER TABLE t ADD CONSTRAINT c UNIQUE (...)` becomes `CREATE UNIQUE INDEX c ON t (...)`;
column types stay as declared (SQLite keeps them, and DuckDB's scanner maps them: DATE, BIGINT,
DOUBLE for numeric, VARCHAR). Values go in as the text the loaders use; SQLite's column affinity
stores integers, reals and 0/1 booleans as numbers and everything else as text.

Deterministic: the same --citizens and --seed give the same rows in the same order. Files are
built under a temporary name and renamed into place, so a reader never sees half a council.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from council.batch import NULL
from council.ddl import Layout, Table, read_layout
from council.departments import DEPARTMENTS, LINK_TABLES
from council.population import build_population
from council.seed import Report

MANIFEST = "council.json"
FORMAT = "citizen-gateway council, SQLite, v1"
DATABASES = ("registry", "health", "socialcare", "education", "housing")

_TABLE_NAME = re.compile(r"^(CREATE\s+TABLE\s+)(?:IF\s+NOT\s+EXISTS\s+)?([\w.]+)", re.I)
_INDEX = re.compile(r"^CREATE\s+(UNIQUE\s+)?INDEX\s+(\w+)\s+ON\s+([\w.]+)\s*(\(.*?\)(?:\s+WHERE\s+\w+)?)$",
                    re.I | re.S)
_UNIQUE = re.compile(r"^ALTER\s+TABLE\s+([\w.]+)\s+ADD\s+CONSTRAINT\s+(\w+)\s+UNIQUE\s*(\(.*\))$",
                     re.I | re.S)
_ROWID_KEY = re.compile(r"\b(\w+)\s+bigint\s+PRIMARY\s+KEY\b", re.I)


@dataclass(frozen=True)
class SqliteTable:
    file: str  # the database file's stem: the PostgreSQL schema, or the MariaDB database
    name: str
    create: str
    indexes: tuple[str, ...]
    columns: int


def _file_and_name(qualified: str, department: str) -> tuple[str, str]:
    schema, _, name = qualified.rpartition(".")
    return (schema or department), name


def translate(table: Table, department: str) -> SqliteTable:
    """One table of council/ddl as SQLite statements."""
    file, name = _file_and_name(table.name, department)
    create = _TABLE_NAME.sub(lambda m: f'{m.group(1)}"{name}"', table.create, count=1)
    create = _ROWID_KEY.sub(r"\1 INTEGER PRIMARY KEY", create, count=1)
    body = create[create.index("(") + 1:create.rindex(")")]
    columns = sum(1 for part in _split_columns(body)
                  if not re.match(r"\s*(PRIMARY|UNIQUE|CONSTRAINT|FOREIGN|CHECK)\b", part, re.I))
    indexes = []
    for statement in table.after_load:
        if match := _INDEX.match(statement):
            unique, index, target, keys = match.groups()
            indexes.append(f'CREATE {unique or ""}INDEX "{index}" ON '
                           f'"{_file_and_name(target, department)[1]}" {keys}')
        elif match := _UNIQUE.match(statement):
            target, index, keys = match.groups()
            indexes.append(f'CREATE UNIQUE INDEX "{index}" ON '
                           f'"{_file_and_name(target, department)[1]}" {keys}')
        else:
            raise ValueError(f"{department}.sql: no SQLite translation for {statement[:60]}...")
    return SqliteTable(file, name, create, tuple(indexes), columns)


def _split_columns(body: str) -> list[str]:
    """Top-level comma-separated parts of a CREATE TABLE body (commas inside (8,2) kept)."""
    parts, depth, current = [], 0, ""
    for char in body:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part for part in parts if part.strip()]


def layouts() -> dict[str, Layout]:
    return {name: read_layout(name) for name in DATABASES}


def tables() -> dict[str, SqliteTable]:
    """Every table by its own name (names are unique across the council)."""
    found: dict[str, SqliteTable] = {}
    for department, layout in layouts().items():
        for table in layout.tables:
            translated = translate(table, department)
            found[translated.name] = translated
    return found


def _rows(lines: Iterable[str]) -> Iterable[list[str | None]]:
    for line in lines:
        yield [None if value == NULL else value for value in line.rstrip("\n").split("\t")]


def is_current(directory: Path, citizens: int, seed: int) -> bool:
    """Whether `directory` holds the council of these citizens and seed, complete."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (manifest.get("format") == FORMAT and manifest.get("citizens") == citizens
            and manifest.get("seed") == seed
            and all((directory / f"{name}.sqlite").is_file() for name in manifest.get("files", [])))


def write_sqlite(citizens: int, seed: int, directory: Path) -> Report:
    """Generate the council into `directory` (replacing what is there)."""
    started = time.monotonic()
    directory.mkdir(parents=True, exist_ok=True)
    building = directory / ".building"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir()
    by_name = tables()
    files = sorted({table.file for table in by_name.values()})
    connections = {file: sqlite3.connect(building / f"{file}.sqlite") for file in files}
    rows: dict[str, int] = {}
    try:
        for connection in connections.values():
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
        for table in by_name.values():
            connections[table.file].execute(table.create)

        def insert(name: str, lines: list[str]) -> None:
            if not lines:
                return
            table = by_name[name]
            marks = ", ".join("?" * table.columns)
            connections[table.file].executemany(f'INSERT INTO "{name}" VALUES ({marks})',
                                                _rows(lines))
            key = f"{table.file}.{name}"
            rows[key] = rows.get(key, 0) + len(lines)

        population = build_population(citizens, seed)
        for department in DEPARTMENTS:
            for batch in department.generate(population, seed):
                for name, lines in batch.rows.items():
                    insert(name, lines)
                insert(LINK_TABLES[0], batch.links)
                insert(LINK_TABLES[1], batch.truth)
        for table in by_name.values():
            for statement in table.indexes:
                connections[table.file].execute(statement)
        for connection in connections.values():
            connection.commit()  # no ANALYZE: without statistics SQLite always uses the key index
    finally:
        for connection in connections.values():
            connection.close()
    (directory / MANIFEST).unlink(missing_ok=True)
    for file in files:
        (building / f"{file}.sqlite").replace(directory / f"{file}.sqlite")
    building.rmdir()
    manifest = {"format": FORMAT, "citizens": citizens, "seed": seed, "files": files,
                "rows": dict(sorted(rows.items()))}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return Report(rows, time.monotonic() - started)
