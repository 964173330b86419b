"""The department table layouts (council/ddl/<department>.sql), split for bulk loading.

Each file holds CREATE SCHEMA / CREATE TABLE statements (run before the load: tables with their
primary keys only) and CREATE INDEX / ALTER TABLE ... ADD statements (run after the load, when
building an index from sorted data is far cheaper than maintaining it row by row).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DDL_DIR = Path(__file__).resolve().parent / "ddl"

_CREATE_TABLE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w.]+)", re.I)
_AFTER = re.compile(
    r"(?:CREATE\s+(?:UNIQUE\s+)?INDEX\s+\w+\s+ON\s+([\w.]+))|(?:ALTER\s+TABLE\s+([\w.]+))", re.I
)


@dataclass(frozen=True)
class Table:
    name: str  # as the DDL names it: schema.table in PostgreSQL, table in MariaDB
    create: str
    after_load: tuple[str, ...]

    @property
    def short_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Layout:
    department: str
    schemas: tuple[str, ...]  # CREATE SCHEMA statements (PostgreSQL)
    tables: tuple[Table, ...]

    def table(self, short_name: str) -> Table:
        for table in self.tables:
            if table.short_name == short_name:
                return table
        raise KeyError(f"{self.department} has no table {short_name}")


def statements(sql: str) -> list[str]:
    """The statements of a DDL file: comments removed, split at semicolons."""
    text = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    return [s.strip() for s in text.split(";") if s.strip()]


def read_layout(department: str) -> Layout:
    sql = (DDL_DIR / f"{department}.sql").read_text(encoding="utf-8")
    schemas: list[str] = []
    creates: dict[str, str] = {}
    after: dict[str, list[str]] = {}
    for statement in statements(sql):
        head = statement.split(None, 2)
        if statement.upper().startswith("CREATE SCHEMA"):
            schemas.append(statement)
        elif (match := _CREATE_TABLE.match(statement)) and len(head) > 1:
            creates[match.group(1)] = statement
            after.setdefault(match.group(1), [])
        elif match := _AFTER.match(statement):
            name = match.group(1) or match.group(2)
            if name not in creates:
                raise ValueError(f"{department}.sql: {statement[:60]}... names no table above")
            after[name].append(statement)
        else:
            raise ValueError(f"{department}.sql: unexpected statement {statement[:60]}...")
    tables = tuple(Table(name, creates[name], tuple(after[name])) for name in creates)
    return Layout(department, tuple(schemas), tables)
