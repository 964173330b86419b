"""The id lists of a statement, bound after it is rendered, so one rendering serves every citizen.

The compiler puts a marker, the quoted column `"__bind_<name>__"`, where a list of integer ids
goes (the citizen of a lookup, the resolved citizens, each department's local ids, the mapping
of citizens to them); `bind` writes the integers into the rendered text and `bind_tree` into the
tree (for engines that rewrite the tree while rendering it). This module owns the protocol:
nothing else spells a marker.

>>> bind('SELECT 1 WHERE "t"."id" = "__bind_citizen__"', {"citizen": 1}, citizen=42)
'SELECT 1 WHERE "t"."id" = 42'
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlglot import exp

from gateway.compile.sql import ident
from gateway.errors import BadArgument
from gateway.ir import CitizenLookup, CitizenPage

MARKER = "__bind_"


def marker(name: str) -> exp.Column:
    """The place of a list in a statement until `bind` fills it.

    >>> marker("citizens").sql("trino")
    '"__bind_citizens__"'
    """
    return exp.Column(this=ident(f"{MARKER}{name}__"))


def marker_name(node: exp.Expr) -> str | None:
    """The list a node marks, or None for any other node.

    >>> marker_name(marker("ids_health")), marker_name(exp.column("x"))
    ('ids_health', None)
    """
    if isinstance(node, exp.Column) and not node.table:
        name = node.name
        if name.startswith(MARKER) and name.endswith("__"):
            return name[len(MARKER):-2]
    return None


def link_column(department: str) -> str:
    """The mapping's column holding each citizen's local id in `department`."""
    return f"link_{department}"


@dataclass(frozen=True)
class Resolved:
    """The outcome of the resolve step: citizens in answer order and their department ids."""

    departments: tuple[str, ...]
    rows: tuple[tuple[int, tuple[int | None, ...]], ...]

    def ids_by_department(self) -> dict[str, tuple[int, ...]]:
        found: dict[str, set[int]] = {department: set() for department in self.departments}
        for _, ids in self.rows:
            for department, local_id in zip(self.departments, ids, strict=True):
                if local_id is not None:
                    found[department].add(local_id)
        return {department: tuple(sorted(ids)) for department, ids in found.items()}


def template_key(root: CitizenLookup | CitizenPage) -> CitizenLookup | CitizenPage:
    """The root as the rendered SQL depends on it: a lookup's citizen id is bound, not rendered."""
    return replace(root, citizen_id=0) if isinstance(root, CitizenLookup) else root


def _lists(citizen: int | None, resolved: Resolved | None) -> dict[str, list[list[int | None]]]:
    """Each marker's values: a list of rows (a row of one value, except in the mapping)."""
    lists: dict[str, list[list[int | None]]] = {}
    if citizen is not None:
        lists["citizen"] = [[int(citizen)]]
    if resolved is not None:
        lists["citizens"] = [[int(c)] for c in sorted({c for c, _ in resolved.rows})]
        lists["mapping"] = [[position, int(citizen_id), *(None if i is None else int(i) for i in ids)]
                            for position, (citizen_id, ids) in enumerate(resolved.rows)]
        for department, ids in resolved.ids_by_department().items():
            lists[f"ids_{department}"] = [[int(i)] for i in ids]
    return lists


def bind(sql: str, markers: dict[str, int], *, citizen: int | None = None,
         resolved: Resolved | None = None) -> str:
    """Fill the id lists into rendered SQL. Only integers are ever written here (never user
    text), and each marker must appear exactly as often as the compiler put it: a user value
    that spells a marker is refused rather than bound."""
    def text(value: int | None) -> str:
        return "CAST(NULL AS BIGINT)" if value is None else str(value)

    lists = _lists(citizen, resolved)
    for name, uses in markers.items():
        token = marker(name).sql()
        if sql.count(token) != uses:
            raise BadArgument(f"a value may not contain {MARKER!r}")
        rows = lists[name]
        if name == "mapping":
            filled = ", ".join("(" + ", ".join(map(text, row)) + ")" for row in rows)
        else:
            filled = ", ".join(text(row[0]) for row in rows)
        sql = sql.replace(token, filled)
    if MARKER in sql:
        raise BadArgument(f"a value may not contain {MARKER!r}")
    return sql


def bind_tree(tree: exp.Select, *, citizen: int | None = None,
              resolved: Resolved | None = None) -> exp.Select:
    """The same binding on the tree itself, for engines that rewrite the tree while rendering it
    (DuckDB's pushdown needs the literal lists in the tree)."""
    def number(value: int | None) -> exp.Expr:
        if value is None:
            return exp.Cast(this=exp.Null(), to=exp.DataType.build("BIGINT"))
        return exp.Literal.number(value)

    lists = _lists(citizen, resolved)
    tree = tree.copy()
    for node in list(tree.find_all(exp.Column)):
        name = marker_name(node)
        if name is None:
            continue
        rows = lists[name]
        values = [exp.Tuple(expressions=[number(v) for v in row]) if name == "mapping"
                  else number(row[0]) for row in rows]
        parent = node.parent
        if isinstance(parent, exp.In | exp.Values):
            parent.set("expressions", values)
        else:
            node.replace(values[0])
    return tree
