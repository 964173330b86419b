"""The identifying columns of every person, read in place and standardised alike.

One DuckDB database of the linker's own, in memory: each department attached read-only from the
same connectors/ files Trino reads (or the demo's SQLite files), the registry attached writable
(the index is written back there). Only the columns the contract marks as identifying are read;
each side gets every element's column (NULL where a department does not record it), because
Splink links tables of identical columns.

Credentials: `<DEPT>_LINK_DB_USER` / `<DEPT>_LINK_DB_PASSWORD`, where set, stand in for the
`<DEPT>_DB_USER` / `<DEPT>_DB_PASSWORD` the connector files name, so the linker runs as a linkage
account granted the identifying columns only while the gateway's readers stay as they are.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
from sqlglot import exp

from gateway.contract.contract import ELEMENTS
from gateway.engine.duckdb.sources import Source, extension_file, from_connectors, from_sqlite_dir
from gateway.errors import LinkageError
from gateway.ir import Element
from gateway.linkage.identity import Identities, IdentitySource

REGISTRY_TABLE = "people_registry"
_LINK_CREDENTIAL = re.compile(r"^([A-Z0-9_]+)_LINK_DB_(USER|PASSWORD)$")


def people_table(department: str) -> str:
    return f"people_{department}"


def linkage_env(env: Mapping[str, str]) -> dict[str, str]:
    """The environment the connector files are resolved in: linkage accounts where given."""
    out = dict(env)
    for name, value in env.items():
        match = _LINK_CREDENTIAL.match(name)
        if match:
            out[f"{match.group(1)}_DB_{match.group(2)}"] = value
    return out


def _text(column: exp.Expr) -> exp.Expr:
    return exp.Cast(this=column, to=exp.DataType.build("VARCHAR"))


def _blank_is_null(value: exp.Expr) -> exp.Expr:
    return exp.Nullif(this=value, expression=exp.Literal.string(""))


def _standard(element: Element, column: exp.Expr) -> exp.Expr:
    """One element as every side stores it for comparison."""
    text: exp.Expr = exp.Trim(this=_text(column))
    if element in ("given_name", "family_name"):
        # lower case, letters (and a family name's hyphens) only: O'Brien = OBrien; a given name
        # is its first word (a middle name run into it is not a different name)
        if element == "given_name":
            text = exp.func("split_part", text, exp.Literal.string(" "), exp.Literal.number(1))
        kept = "[^a-z]" if element == "given_name" else "[^a-z-]"
        return _blank_is_null(exp.RegexpReplace(this=exp.Lower(this=text),
                                                expression=exp.Literal.string(kept),
                                                replacement=exp.Literal.string(""),
                                                modifiers=exp.Literal.string("g")))
    if element == "date_of_birth":
        return exp.TryCast(this=column, to=exp.DataType.build("DATE"))
    if element in ("nhs_number", "ni_number", "upn"):
        kept = "[^0-9]" if element == "nhs_number" else "[^A-Z0-9]"
        return _blank_is_null(exp.RegexpReplace(this=exp.Upper(this=text),
                                                expression=exp.Literal.string(kept),
                                                replacement=exp.Literal.string(""),
                                                modifiers=exp.Literal.string("g")))
    if element == "sex":  # U (not known) says nothing either way
        return exp.Nullif(this=_blank_is_null(exp.Upper(this=text)),
                          expression=exp.Literal.string("U"))
    return _blank_is_null(exp.Upper(this=text))  # postcode


def _source_table(source: IdentitySource, kind: str) -> exp.Table:
    table = source.table
    schema = "main" if kind == "sqlite" else table.schema  # SQLite has one schema
    return exp.table_(table.table, db=schema, catalog=table.catalog, quoted=True)


def standardised(source: IdentitySource, kind: str) -> exp.Select:
    """SELECT of the source's people: unique_id, every element, the blocking columns."""
    values: dict[str, exp.Expr] = {
        "unique_id": exp.Cast(this=exp.column(source.key, quoted=True),
                              to=exp.DataType.build("BIGINT")),
    }
    for element in ELEMENTS:
        column = source.columns.get(element)
        values[element] = (_standard(element, exp.column(column, quoted=True)) if column else
                           exp.Cast(this=exp.null(),
                                    to=exp.DataType.build("DATE" if element == "date_of_birth"
                                                          else "VARCHAR")))
    inner = exp.select(*(exp.alias_(value, name, quoted=True) for name, value in values.items()))
    inner = inner.from_(_source_table(source, kind))
    given, family, born = (exp.column(name, quoted=True)
                           for name in ("given_name", "family_name", "date_of_birth"))
    # For term frequencies of whole names, and for blocking: a birth year and a month-day, so that
    # name blocks can be split by either half of a date of birth and still meet a record whose
    # other half is wrong.
    derived = {
        "full_name": exp.DPipe(this=exp.DPipe(this=given, expression=exp.Literal.string(" ")),
                               expression=family),
        "birth_year": exp.func("strftime", born, exp.Literal.string("%Y")),
        "birth_month_day": exp.func("strftime", born, exp.Literal.string("%m-%d")),
    }
    return exp.select(*(exp.column(name, quoted=True) for name in values),
                      *(exp.alias_(value, name, quoted=True) for name, value in derived.items())
                      ).from_(inner.subquery("p"))


class Workspace:
    """The linker's DuckDB database with the departments attached."""

    def __init__(self, identities: Identities, *, connectors_dir: Path | None = None,
                 sqlite_dir: Path | None = None, env: Mapping[str, str] | None = None,
                 database: str = ":memory:", memory_limit: str = "5GB") -> None:
        self.identities = identities
        catalogs = sorted({identities.registry.table.catalog, identities.index.table.catalog,
                           *(source.table.catalog for source in identities.departments)})
        if sqlite_dir is not None:
            sources = from_sqlite_dir(sqlite_dir, catalogs)
        elif connectors_dir is not None:
            sources = from_connectors(connectors_dir, catalogs, linkage_env(env or {}))
        else:
            raise LinkageError("the linker needs connector files or the demo's SQLite directory")
        self.sources: dict[str, Source] = {source.catalog: source for source in sources}
        self.db = duckdb.connect(database, config={"autoinstall_known_extensions": False,
                                                   "autoload_known_extensions": False})
        # Past the limit DuckDB spills to its temporary directory rather than taking the machine.
        if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", memory_limit):
            raise LinkageError(f"memory limit {memory_limit!r} is not a size such as 5GB")
        self.db.execute(f"SET memory_limit = '{memory_limit}'")
        spill = Path(tempfile.gettempdir()) / "citizen-gateway-link"
        self.db.execute(f"SET temp_directory = {exp.Literal.string(str(spill)).sql('duckdb')}")
        for kind in sorted({source.kind for source in sources}):
            self.db.execute(f"LOAD '{extension_file(kind)}'")
        if any(source.kind == "postgres" for source in sources):
            # Plain column reads: a ctid range needs the whole table granted, and the linkage
            # account holds some columns only.
            self.db.execute("SET GLOBAL pg_use_ctid_scan = false")
        writable = identities.index.table.catalog
        for source in sources:
            try:
                for statement in source.statements(read_only=source.catalog != writable):
                    self.db.execute(statement)
            except duckdb.Error as error:
                raise LinkageError(f"cannot reach {source.describe()}: {one_line(error)}") from None

    def kind(self, catalog: str) -> str:
        return self.sources[catalog].kind

    def extract(self, source: IdentitySource, into: str) -> int:
        """The source's people into a local table; how many there are."""
        select = standardised(source, self.kind(source.table.catalog))
        create = exp.Create(this=exp.to_table(into, quoted=True), kind="TABLE", replace=True,
                            expression=select)
        try:
            self.db.execute(create.sql("duckdb"))
        except duckdb.Error as error:
            raise LinkageError(f"cannot read the people of {source.department}: "
                               f"{one_line(error)}") from None
        count = self.db.execute(
            exp.select(exp.Count(this=exp.Star())).from_(exp.to_table(into, quoted=True))
            .sql("duckdb")).fetchone()
        return int(count[0]) if count else 0

    def execute(self, tree: exp.Expr, parameters: list[Any] | None = None) -> Any:
        return self.db.execute(tree.sql("duckdb"), parameters or [])

    def transaction(self, statements: Sequence[exp.Expr], failure: str) -> None:
        """All of the statements or none; `failure` starts the one-line error otherwise."""
        db = self.db
        try:
            db.execute("BEGIN TRANSACTION")
            for statement in statements:
                db.execute(statement.sql("duckdb"))
            db.execute("COMMIT")
        except duckdb.Error as error:
            with contextlib.suppress(duckdb.Error):  # already gone with the connection
                db.execute("ROLLBACK")
            raise LinkageError(f"{failure}: {one_line(error)}") from None

    def close(self) -> None:
        self.db.close()


def one_line(error: BaseException) -> str:
    """A database error's first line, without the credentials an attach string might hold."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    text = re.sub(r'Failed to prepare COPY ".*?": ', "", text)  # the scanner's own SQL
    return re.sub(r"(password|PASSWORD)\s*[=:]\s*\S+", r"\1=…", text)[:300]
