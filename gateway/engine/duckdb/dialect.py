"""The compiled statement in DuckDB's SQL: sqlglot's `duckdb` dialect, plus what differs here.

The compiler builds ONE sqlglot tree per step for every engine; each engine renders it
(`Engine.render`): Trino in the `trino` dialect, DuckDB with `render(tree, catalogs)` below, the
pushdown pass first and then this one static dialect. Its differences, each checked against
Trino (tests/unit/test_duckdb_dialect.py, and end to end in tests/integration/
test_differential.py):

- LPAD takes an INTEGER length in DuckDB; LENGTH gives a BIGINT (the `partial` mask).
- LIKE ... ESCAPE: the compiler's `startsWith` escapes `%`, `_` and `\\` and asks for ESCAPE '\\';
  rendered here with the ESCAPE clause (without it DuckDB matches `\\_` literally).
- The statement becomes a short program (pushdown.py): `SET VARIABLE` stages computing
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

from collections.abc import Mapping

from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.generators.duckdb import DuckDBGenerator

from gateway.engine.duckdb.pushdown import Catalog, program


class CitizenDuckDB(DuckDB):
    """sqlglot's DuckDB with the differences above; sqlglot registers it as "citizenduckdb"."""

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


DIALECT = CitizenDuckDB()


def render(tree: exp.Expr, catalogs: Mapping[str, Catalog], *, pretty: bool = False) -> str:
    """The statement as DuckDB runs it over these attached catalogs: for a query, the pushdown
    program (pushdown.py: `SET VARIABLE` stages, then the query) joined by ";\\n"."""
    generator = DIALECT.generator(pretty=pretty)
    if not isinstance(tree, exp.Select) or not catalogs:
        return generator.generate(tree, copy=True)
    return ";\n".join(generator.generate(statement, copy=False)
                      for statement in program(tree, catalogs))
