"""Shape: engine rows become the GraphQL `data` of one root field, exactly as selected.

The engine already built each citizen object (aliases as keys, in selection order, nested lists
included) as JSON text, so shaping is one json.loads per row plus the connection envelope.
"""

from __future__ import annotations

import json
from typing import Any

from gateway.ir import (
    CitizenLookup,
    CitizenPage,
    CursorPart,
    EdgesPart,
    EndCursorPart,
    HasNextPagePart,
    NodePart,
    PageInfoPart,
    Scalar,
    Typename,
)
from gateway.pipeline import cursor as cursors


def lookup(root: CitizenLookup, rows: list[tuple[Any, ...]]) -> Any:
    return json.loads(rows[0][0]) if rows else None


def _sort_values(root: CitizenPage, row: tuple[Any, ...]) -> tuple[Scalar, ...]:
    return tuple(row[len(root.views):len(root.views) + len(root.order)])


def page(root: CitizenPage, rows: list[tuple[Any, ...]], has_next: bool,
         cursor_key: bytes) -> dict[str, Any]:
    """`rows`: (JSON per view, sort keys, citizen id) for each citizen of the page, in order."""
    nodes = [[json.loads(row[view]) for view in range(len(root.views))] for row in rows]
    cursors_of_rows: list[str] | None = None

    def row_cursors() -> list[str]:
        nonlocal cursors_of_rows
        if cursors_of_rows is None:
            cursors_of_rows = [cursors.encode(_sort_values(root, row), root.order, cursor_key)
                               for row in rows]
        return cursors_of_rows

    result: dict[str, Any] = {}
    for part in root.parts:
        if isinstance(part, Typename):
            result[part.key] = part.type_name
        elif isinstance(part, NodePart):
            result[part.key] = [views[part.view] for views in nodes]
        elif isinstance(part, EdgesPart):
            edges = []
            for index, views in enumerate(nodes):
                edge: dict[str, Any] = {}
                for edge_part in part.parts:
                    if isinstance(edge_part, CursorPart):
                        edge[edge_part.key] = row_cursors()[index]
                    elif isinstance(edge_part, NodePart):
                        edge[edge_part.key] = views[edge_part.view]
                    else:
                        edge[edge_part.key] = edge_part.type_name
                edges.append(edge)
            result[part.key] = edges
        elif isinstance(part, PageInfoPart):
            info: dict[str, Any] = {}
            for info_part in part.parts:
                if isinstance(info_part, HasNextPagePart):
                    info[info_part.key] = has_next
                elif isinstance(info_part, EndCursorPart):
                    info[info_part.key] = row_cursors()[-1] if rows else None
                else:
                    info[info_part.key] = info_part.type_name
            result[part.key] = info
    return result
