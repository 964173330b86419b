"""The compiled statement in DuckDB's SQL: sqlglot's `duckdb` dialect, plus what differs here.

The compiler builds ONE sqlglot tree per step for every engine; Trino gets it in the `trino`
dialect, DuckDB in a dialect made by `dialect_for(catalogs)` (one per attached configuration,
registered with sqlglot under its own name, since the engine protocol names dialects by string).
Its differences, each checked against Trino (tests/unit/test_duckdb_dialect.py, and end to end in
tests/integration/test_differential.py):

- LPAD takes an INTEGER length in DuckDB; LENGTH gives a BIGINT (the `partial` mask).
- LIKE ... ESCAPE: the compiler's `startsWith` escapes `%`, `_` and `\\` and asks for ESCAPE '\\';
  rendered here with the ESCAPE clause (without it DuckDB matches `\\_` literally).
- The statement becomes a short program (duckdb_pushdown.py): `SET VARIABLE` stages computing
  literal key lists, then the query, separated by ";\\n". DuckDB runs it as one call.

The same in both, verified rather than rewritten: the pseudonym (SHA-256 of the UTF-8 bytes,
lower-case hex: Trino's to_hex(sha256(to_utf8(..))) lowered, DuckDB's sha256(encode(..)));
json_format(CAST(row AS JSON)) (DuckDB: CAST(to_json(CAST(row AS JSON)) AS VARCHAR), numbers
printed differently but equal once parsed, which is how the gateway reads them); ROW(..) cast to a
named ROW/STRUCT type; ARRAY_AGG(x ORDER BY ..); CAST(date AS VARCHAR) (ISO 8601); CONCAT as `||`
(NULL in, NULL out, as Trino's concat); date_trunc('year', d) cast back to DATE; split_part;
the age band's integer arithmetic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, ClassVar

from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.generators.duckdb import DuckDBGenerator

from gateway.engine.duckdb_pushdown import Catalog, program


class CitizenDuckDB(DuckDB):
    """DuckDB over the attached department catalogs (`CATALOGS`, set per configuration)."""

    CATALOGS: ClassVar[Mapping[str, Catalog]] = {}

    class Generator(DuckDBGenerator):
        def pad_sql(self, expression: exp.Pad) -> str:
            length = expression.expression
            if not (isinstance(length, exp.Literal) and not length.is_string):
                expression = expression.copy()
                expression.set("expression", exp.Cast(this=length.copy(),
                                                      to=exp.DataType.build("INT")))
            result: str = super().pad_sql(expression)
            return result

        def like_sql(self, expression: exp.Like) -> str:
            escape = expression.args.get("escape")
            like: str = super().like_sql(expression)
            if escape is None:
                return like
            return f"{like} ESCAPE {self.sql(escape)}"

    def generate(self, expression: exp.Expr, copy: bool = True, **opts: Any) -> str:
        if not isinstance(expression, exp.Select) or not self.CATALOGS:
            rendered: str = super().generate(expression, copy=copy, **opts)
            return rendered
        generator = self.generator(**opts)
        return ";\n".join(generator.generate(statement, copy=False)
                          for statement in program(expression, self.CATALOGS))


def dialect_for(catalogs: Mapping[str, Catalog]) -> str:
    """The sqlglot dialect name rendering statements for these attached catalogs."""
    description = repr(sorted((name, catalog.kind, sorted(
        (table, sorted(columns.items())) for table, columns in catalog.columns.items()))
        for name, catalog in catalogs.items()))
    digest = hashlib.sha256(description.encode()).hexdigest()[:12]
    name = f"CitizenDuckDB_{digest}"
    type(name, (CitizenDuckDB,), {"CATALOGS": dict(catalogs), "__module__": __name__})
    return name.lower()  # sqlglot registers a dialect class under its lower-cased name
