"""Compile: a planned, authorized root becomes sqlglot statements, a constant number per root.

Without department records (only registry fields): ONE statement. With them: TWO, whatever the
nesting and however many citizens:

1. resolve (registry only): the citizens of the answer, in order, with each department's local
   id from the master person index (guards such as an opt-out applied here);
2. fetch: the citizens' views, each department table read with a LITERAL `IN (ids)` on its
   key, nested lists built inside the engine as arrays of named rows, each citizen rendered by
   the engine as one JSON text:

    WITH r1 AS (citizen rows WHERE citizen_id IN (42, 43)),
         r2 AS (patient rows WHERE patient_id IN (1000)),
         r3 AS (encounter rows WHERE patient_id IN (1000), ranked per patient),
         a4 AS (SELECT patient_id, array_agg(CAST(ROW(...) AS ROW(...)) ORDER BY ...) GROUP BY ...)
    SELECT json_format(CAST(ROW(...) AS JSON)) FROM (VALUES (0, 42, 1000), ...) m
      JOIN r1 ... LEFT JOIN r2 ON r2.patient_id = m.link_health LEFT JOIN a4 ...

Why two: measured here, one statement whose departments are reached through `IN (subquery)`
chains (dynamic filtering) planned 64 fragments and took 3-4 s for one citizen, since Trino
inlines every CTE at each use; the two steps take a few hundred ms, and literal ids are what
reaches a department database as an indexed predicate on every engine (DuckDB pushes down only
literals). Masks are applied here, inside the SQL: a masked value never leaves the engine in
clear.

The package, one job per module: `sql` (names, types, literals, AND/OR), `predicates` (where,
row rules, guards, cursors), `values` (a column masked, renamed, cast), `bind` (the id lists
bound after rendering), `statements` (the statements of a root).
"""

from gateway.compile.bind import Resolved, bind, bind_tree, template_key
from gateway.compile.statements import (
    Statement,
    compile_fetch,
    compile_resolve,
    compile_single,
    needs_resolve,
)

__all__ = [
    "Resolved",
    "Statement",
    "bind",
    "bind_tree",
    "compile_fetch",
    "compile_resolve",
    "compile_single",
    "needs_resolve",
    "template_key",
]
