"""Degraded answers: when a department database is down, answer with the departments that are up.

Trino fails a whole query when one catalog's database does not answer. So when the fetch step
(every department read by literal ids, see gateway/compile/) fails, the gateway asks which departments
answer — one cheap probe per catalog, a one-row read through the engine, run in parallel and
cached for `department_status_ttl_seconds` — and runs the fetch again with the departments that
are down given no ids: the compiler then reads nothing there and emits NULL. The answer carries a
DEPARTMENT_UNAVAILABLE error at each path a missing department would have filled (only where the
registry says the citizen has a record there: elsewhere null is the true answer) and the status
of each department read in `extensions.departments`. While a department is known down, requests
leave it out at once instead of failing first. The registry holds the master person index: without
it nothing can be answered, so a registry that is down fails the request with 503.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlglot import exp

from gateway.contract.contract import Contract, LinkField
from gateway.engine import Engine
from gateway.errors import EngineError, EngineTimeout, EngineUnavailable
from gateway.ir import (
    CitizenLookup,
    CitizenPage,
    EdgesPart,
    Nested,
    NodePart,
    Selection,
    Table,
    ViaPersonIndex,
)
from gateway.requester import Requester

OK = "ok"
UNAVAILABLE = "unavailable"
PROBE_USER = Requester("citizen-gateway-probe", (), "operations")


def probe_tables(contract: Contract) -> dict[str, Table]:
    """One table per department catalog to probe: the record a @link reaches, else any table."""
    tables: dict[str, Table] = {}
    for field in contract.root.fields.values():
        if isinstance(field, LinkField):
            table = contract.objects[field.target].table
            tables.setdefault(table.catalog, table)
    tables.setdefault(contract.root.table.catalog, contract.root.table)
    for info in sorted(contract.objects.values(), key=lambda info: info.name):
        tables.setdefault(info.table.catalog, info.table)
    return tables


def probe_query(table: Table) -> exp.Select:
    """SELECT 1 FROM the table LIMIT 1: one row read in the department's own database."""
    return exp.select(exp.Literal.number(1)).from_(exp.Table(
        this=exp.to_identifier(table.table, quoted=True),
        db=exp.to_identifier(table.schema, quoted=True),
        catalog=exp.to_identifier(table.catalog, quoted=True))).limit(1)


@dataclass
class _Known:
    up: bool
    at: float


class DepartmentStatus:
    """Which department catalogs answer. Probes of one department never overlap (the second
    caller waits for the first one's verdict), and a verdict is kept for `ttl` seconds."""

    def __init__(self, engine: Engine, tables: dict[str, Table], *, ttl: float,
                 timeout: float, on_probe: Callable[[str, bool, float], None] | None = None) -> None:
        self.engine = engine
        self.tables = tables
        self.ttl = ttl
        self.timeout = timeout
        self.on_probe = on_probe
        self._known: dict[str, _Known] = {}
        self._locks = {department: threading.Lock() for department in tables}
        self._pool = ThreadPoolExecutor(max_workers=max(1, len(tables)),
                                        thread_name_prefix="department-probe")

    def known_down(self) -> set[str]:
        now = time.monotonic()
        return {department for department, known in self._known.items()
                if not known.up and now - known.at < self.ttl}

    def _probe_one(self, department: str, timeout: float, max_age: float,
                   since: float | None) -> bool:
        with self._locks[department]:
            known = self._known.get(department)
            now = time.monotonic()
            if known is not None and since is not None and known.at >= since:
                return known.up  # probed by another request after the caller's failure
            if known is not None and now - known.at < max_age:
                return known.up  # fresh enough for the caller (readiness)
            started = time.perf_counter()
            at = time.monotonic()  # a verdict dates from when its probe began
            try:
                self.engine.run(self.engine.render(probe_query(self.tables[department])),
                                PROBE_USER, timeout=timeout)
                up = True
            except EngineUnavailable:
                raise  # the engine itself is down: not a verdict about this department
            except (EngineTimeout, EngineError):
                up = False
            self._known[department] = _Known(up, at)
            if self.on_probe is not None:
                self.on_probe(department, up, time.perf_counter() - started)
            return up

    def probe(self, departments: Iterable[str], timeout: float | None = None,
              max_age: float = 0.0, since: float | None = None) -> dict[str, bool]:
        """Probe each department now, in parallel; {department: answers}. A verdict younger
        than `max_age` seconds, or from a probe begun at or after `since` (monotonic: when the
        caller's query failed), is taken as it is: concurrent failures share one probe."""
        wanted = [d for d in dict.fromkeys(departments) if d in self.tables]
        limit = min(self.timeout, timeout) if timeout is not None else self.timeout
        futures = {d: self._pool.submit(self._probe_one, d, limit, max_age, since)
                   for d in wanted}
        return {d: future.result() for d, future in futures.items()}

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


# ------------------------------------------------------------------ what a missing department leaves out


def _catalogs(selections: Iterable[Selection]) -> set[str]:
    found: set[str] = set()
    for selection in selections:
        if isinstance(selection, Nested):
            found.add(selection.table.catalog)
            found |= _catalogs(selection.selections)
    return found


def link_catalogs(root: CitizenLookup | CitizenPage) -> dict[str, set[str]]:
    """Each department reached through the person index: the catalogs its records are read from."""
    found: dict[str, set[str]] = {}
    for view in root.views:
        for selection in view:
            if isinstance(selection, Nested) and isinstance(selection.via, ViaPersonIndex):
                found.setdefault(selection.via.department, set()).update(_catalogs([selection]))
    return found


def _link_keys(view: tuple[Selection, ...], department: str) -> list[str]:
    return [selection.key for selection in view if isinstance(selection, Nested)
            and isinstance(selection.via, ViaPersonIndex) and selection.via.department == department]


def missing_paths(root: CitizenLookup | CitizenPage,
                  missing: list[set[str]]) -> list[tuple[list[str | int], str]]:
    """(path, department) of every value left out: `missing[i]` are the departments the i-th
    citizen of the answer has a record in that could not be read."""
    paths: list[tuple[list[str | int], str]] = []
    if isinstance(root, CitizenLookup):
        for department in sorted(missing[0] if missing else ()):
            for key in _link_keys(root.selections, department):
                paths.append(([root.key, key], department))
        return paths
    for index, departments in enumerate(missing):
        for department in sorted(departments):
            for part in root.parts:
                if isinstance(part, NodePart):
                    for key in _link_keys(root.views[part.view], department):
                        paths.append(([root.key, part.key, index, key], department))
                elif isinstance(part, EdgesPart):
                    for edge_part in part.parts:
                        if isinstance(edge_part, NodePart):
                            for key in _link_keys(root.views[edge_part.view], department):
                                paths.append(([root.key, part.key, index, edge_part.key, key],
                                              department))
    return paths
