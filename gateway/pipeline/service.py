"""The request path, top to bottom: parse → validate → plan → authorize → compile → execute → shape → audit.

Each stage is a function of its own module; this one only runs them in order, caches what can be
cached (validated documents; rendered SQL per authorized root) and times every stage.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, NoReturn, TypeVar

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from starlette.concurrency import run_in_threadpool

from gateway.compile import (
    Resolved,
    Statement,
    bind,
    compile_fetch,
    compile_resolve,
    compile_single,
    needs_resolve,
    template_key,
)
from gateway.contract.contract import Contract
from gateway.engine import Engine
from gateway.errors import (
    BadRequest,
    DepartmentUnavailable,
    EngineError,
    EngineTimeout,
    EngineUnavailable,
    GraphQLSyntaxError,
    GraphQLValidationError,
    IntrospectionDisabled,
    MethodNotAllowed,
    without_suggestions,
)
from gateway.ir import CitizenLookup, CitizenPage, IntrospectionRoot, TypenameRoot
from gateway.metrics import GatewayMetrics
from gateway.pipeline import shape
from gateway.pipeline.backpressure import EngineSlots
from gateway.pipeline.degraded import OK, UNAVAILABLE, DepartmentStatus, link_catalogs, missing_paths
from gateway.pipeline.limits import (
    Limits,
    check_document_size,
    check_filter_values,
    check_list_sizes,
    exceeded,
    limit_rules,
)
from gateway.pipeline.plan import Planner, coerce_variables, select_operation
from gateway.pipeline.trace import GraphQLRequest, Trace, operation_hash
from gateway.policy.authorize import AuthorizedPlan, Refused, authorize, introspection_allowed
from gateway.policy.policy import Policy
from gateway.requester import Requester

log = logging.getLogger(__name__)

K = TypeVar("K")
V = TypeVar("V")



class LRU(Generic[K, V]):
    """A small bounded cache; entries are immutable so sharing them between requests is safe.
    Bounded by count and, when `weigh` is given, by the total weight of its entries."""

    def __init__(self, size: int, max_weight: int = 0,
                 weigh: Callable[[V], int] | None = None) -> None:
        self.size = size
        self.max_weight = max_weight
        self.weigh = weigh
        self.weight = 0
        self.entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self.entries.get(key)
        if value is not None:
            self.entries.move_to_end(key)
        return value

    def _weight(self, value: V) -> int:
        return self.weigh(value) if self.weigh is not None else 0

    def put(self, key: K, value: V) -> None:
        previous = self.entries.get(key)
        if previous is not None:
            self.weight -= self._weight(previous)
        self.entries[key] = value
        self.weight += self._weight(value)
        self.entries.move_to_end(key)
        while len(self.entries) > self.size or (self.max_weight and self.weight > self.max_weight
                                                and len(self.entries) > 1):
            _, evicted = self.entries.popitem(last=False)
            self.weight -= self._weight(evicted)


@dataclass(frozen=True)
class _Rendered:
    """What the executor needs of a compiled statement: its SQL as the engine rendered it and how
    to read its columns. Never the sqlglot tree (a full view's weighs ~400 KiB, its SQL a few)."""

    sql: str  # with the id lists still to bind (gateway/compile/bind.py)
    cursor_kinds: tuple[Any, ...]
    departments: tuple[str, ...]
    statement_markers: tuple[tuple[str, int], ...]

    def bind(self, *, citizen: int | None = None, resolved: Resolved | None = None) -> str:
        """The cached text with the integer id lists filled in."""
        return bind(self.sql, dict(self.statement_markers), citizen=citizen, resolved=resolved)


@dataclass(frozen=True)
class Hardening:
    """What bounds one request beyond its document: time, engine slots, department probes."""

    request_timeout: float = 30.0
    slots: EngineSlots | None = None
    departments: DepartmentStatus | None = None
    degraded_answers: bool = True
    metrics: GatewayMetrics | None = None


_ABORTED = "Too many validation errors"


class CitizenViewService:
    def __init__(self, contract: Contract, schema: GraphQLSchema, engine: Engine,
                 policy: Callable[[], Policy], *, cursor_key: bytes, pseudonym_key: str,
                 limits: Limits | None = None, validation_rules: tuple[Any, ...] = (),
                 hardening: Hardening | None = None) -> None:
        self.contract = contract
        self.schema = schema
        self.engine = engine
        self.policy = policy  # the policy in force now (the store's `current`)
        self.cursor_key = cursor_key
        self.pseudonym_key = pseudonym_key
        self.limits = limits or Limits()
        self.limit_rules = limit_rules(self.limits)
        self.rules = tuple(specified_rules) + validation_rules
        self.hardening = hardening or Hardening()
        # Parsed documents weigh ~15-25 bytes per character of their text: bounded by both.
        self.documents: LRU[tuple[str, bool], DocumentNode] = LRU(
            512, max_weight=1_000_000, weigh=lambda document: len(document.loc.source.body)
            if document.loc is not None else 1_000)
        # Keyed by the authorized root (literal ids included; ~30 KiB an entry with its key for a
        # full view): bounded by count and by SQL size.
        self.rendered: LRU[tuple[Any, ...], _Rendered] = LRU(
            512, max_weight=4 * 1024 * 1024, weigh=lambda rendered: len(rendered.sql))

    # ---------------------------------------------------------------- stages

    def document(self, request: GraphQLRequest, trace: Trace, introspection: bool = True
                 ) -> DocumentNode:
        """Parsed and validated, within every limit; cached per (text, introspection allowed)."""
        query = request.query
        key = (query, introspection)
        cached = self.documents.get(key)
        if cached is not None:
            _refuse_non_query_over_get(cached, request)
            return cached
        check_document_size(query, self.limits)
        started = time.perf_counter()
        try:
            document = parse(query, max_tokens=self.limits.tokens)
        except GraphQLError as error:
            if "Document contains more than" in error.message:
                raise exceeded("tokens") from None
            raise GraphQLSyntaxError(without_suggestions(error.message),
                                     extensions=_locations(error)) from None
        except RecursionError:  # nesting deep enough to exhaust the parser's stack
            raise exceeded("depth") from None
        started = trace.timed("parse", started)
        _refuse_non_query_over_get(document, request)
        over = validate(self.schema, document, list(self.limit_rules))
        if over:
            trace.timed("validate", started)
            # No limit named: the measure itself gave up (graphql-core turns a RecursionError
            # into "Validation aborted."), which only nesting deep enough can cause.
            raise exceeded((over[0].extensions or {}).get("limit") or "depth")
        rules = list(self.rules)
        if not introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        errors = validate(self.schema, document, rules, max_errors=self.limits.validation_errors,
                          hide_suggestions=True)
        trace.timed("validate", started)
        if errors and errors[-1].message == "Validation aborted.":
            # graphql-core's own budgets (overlapping fields, fragment work, recursion) ran out
            raise exceeded("validation")
        if errors:
            if not introspection and any("introspection has been disabled" in e.message
                                         for e in errors):
                raise IntrospectionDisabled(
                    "Your role and purpose do not allow reading the schema (introspection); "
                    "`__typename` is still answered.")
            raise GraphQLValidationError(errors[0].message, extensions=_locations(errors[0]), more=[
                {"message": without_suggestions(e.message), **_locations(e),
                 "extensions": {"code": "LIMIT_EXCEEDED", "limit": "validationErrors"}
                 if e.message.startswith(_ABORTED) else {"code": GraphQLValidationError.code}}
                for e in errors[1:]])
        self.documents.put(key, document)
        return document

    def _render(self, key: tuple[Any, ...], trace: Trace,
                make: Callable[[], Statement]) -> _Rendered:
        cached = self.rendered.get(key)
        if cached is not None:
            return cached
        started = time.perf_counter()
        statement = make()
        rendered = _Rendered(self.engine.render(statement.tree), statement.cursor_kinds,
                             statement.departments, tuple(statement.markers.items()))
        trace.timed("compile", started)
        self.rendered.put(key, rendered)
        return rendered

    # ---------------------------------------------------------------- the request

    async def execute(self, request: GraphQLRequest, requester: Requester,
                      trace: Trace) -> dict[str, Any]:
        """The `data` of the response; raises GatewayError for anything the client must be told.
        A partial answer (a department down) leaves its errors and department status in `trace`."""
        trace.operation_hash = operation_hash(request.query, request.operation_name)
        policy = self.policy()  # one snapshot decides validation and authorization alike
        document = self.document(request, trace, introspection_allowed(policy, requester))
        started = time.perf_counter()
        operation = select_operation(document, request.operation_name)
        variables = coerce_variables(self.schema, operation, request.variables)
        check_list_sizes(self.schema, document, operation, variables, self.limits)
        plan = Planner(self.contract, self.schema, document, variables,
                       self.cursor_key).plan(operation)
        check_filter_values(plan, self.limits)
        started = trace.timed("plan", started)
        try:
            authorized = authorize(plan, requester, policy)
        except Refused as refused:
            trace.authorization = refused
            raise
        trace.authorization = authorized
        trace.timed("authorize", started)
        return await self._answer(document, operation, variables, authorized, trace)

    async def _answer(self, document: DocumentNode, operation: OperationDefinitionNode,
                      variables: dict[str, Any], authorized: AuthorizedPlan,
                      trace: Trace) -> dict[str, Any]:
        """Compile, execute and shape each root of the authorized plan (only such plans run)."""
        plan = authorized.plan
        engine_roots = [root for root in plan.roots if isinstance(root, CitizenLookup | CitizenPage)]
        slot = self.hardening.slots.slot() if engine_roots and self.hardening.slots else None
        data: dict[str, Any] = {}
        async with slot if slot is not None else _no_slot():
            deadline = time.monotonic() + self.hardening.request_timeout
            for root in plan.roots:
                if isinstance(root, TypenameRoot):
                    data[root.key] = root.type_name
                elif isinstance(root, IntrospectionRoot):
                    data[root.key] = self._introspect(document, operation, variables, root.key)
                else:
                    data[root.key] = await self._run(root, authorized, trace, deadline)
        return data

    async def _query(self, sql: str, requester: Requester, trace: Trace, deadline: float,
                     step: str) -> list[tuple[Any, ...]]:
        metrics = self.hardening.metrics
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise EngineTimeout("the request ran out of time")
        started = time.perf_counter()
        if metrics is not None:
            metrics.in_flight.inc()
        try:
            result = await run_in_threadpool(partial(self.engine.run, sql, requester,
                                                     timeout=remaining))
        except EngineError as error:
            if metrics is not None:
                outcome = ("timeout" if isinstance(error, EngineTimeout) else "unavailable"
                           if isinstance(error, EngineUnavailable) else "error")
                metrics.engine_queries.labels(step, outcome).inc()
                metrics.engine_time.labels(step).observe(time.perf_counter() - started)
            query_id = error.extra.get("queryId")
            if query_id:
                trace.engine_query_ids.append(str(query_id))
            raise
        finally:
            if metrics is not None:
                metrics.in_flight.dec()
        if metrics is not None:
            metrics.engine_queries.labels(step, "ok").inc()
            metrics.engine_time.labels(step).observe(result.elapsed_ms / 1000)
        trace.stages["execute"] = trace.stages.get("execute", 0.0) + result.elapsed_ms
        trace.engine_ms += result.elapsed_ms
        if result.query_id:
            trace.engine_query_ids.append(result.query_id)
        return result.rows

    async def _probe(self, departments: set[str], deadline: float) -> dict[str, bool]:
        """Which of `departments` answer, now: probed after the failure that asks."""
        status = self.hardening.departments
        if status is None:
            return {}
        failed_at = time.monotonic()
        remaining = deadline - failed_at
        if remaining <= 0:
            raise EngineTimeout("the request ran out of time")
        return await run_in_threadpool(partial(status.probe, sorted(departments), remaining,
                                               since=failed_at))

    async def _registry_failed(self, error: EngineError, catalogs: set[str],
                               deadline: float) -> NoReturn:
        """A query reading only the registry failed: say so if the registry is what is down."""
        if type(error) is EngineError:  # not a timeout, not the engine itself
            found = await self._probe(catalogs, deadline)
            down = sorted(catalog for catalog, up in found.items() if not up)
            if down:
                raise DepartmentUnavailable(down[0]) from None
        raise error

    async def _rows(self, root: CitizenLookup | CitizenPage, authorized: AuthorizedPlan,
                    trace: Trace, deadline: float
                    ) -> tuple[list[tuple[Any, ...]], bool, list[set[str]]]:
        """Rows of (JSON per view, sort keys, citizen id) in answer order, whether more follow,
        and for each row the departments it has a record in that could not be read.

        Without department records one statement answers. With them, two: resolve the citizens
        and their department ids (registry only), then fetch every department by literal ids,
        which is what lets each department database use its index (see gateway/compile/). When the
        fetch fails because a department is down, it runs again without that department
        (see degraded.py).
        """
        first = root.first if isinstance(root, CitizenPage) else 1
        requester, version = authorized.requester, authorized.policy_version
        index = authorized.plan.person_index
        registry = {root.table.catalog, index.table.catalog}
        if not needs_resolve(root):
            single = self._render(("single", template_key(root), version), trace,
                                  lambda: compile_single(root, index, self.pseudonym_key))
            try:
                single_rows = await self._query(single.bind(citizen=_citizen(root)), requester,
                                                trace, deadline, "single")
            except EngineError as error:
                await self._registry_failed(error, registry, deadline)
            trace.departments.update(dict.fromkeys(sorted(registry), OK))
            return (single_rows[:first], len(single_rows) > first,
                    [set() for _ in single_rows[:first]])
        resolve = self._render(("resolve", template_key(root), version), trace,
                               lambda: compile_resolve(root, index))
        try:
            resolved_rows = await self._query(resolve.bind(citizen=_citizen(root)), requester,
                                              trace, deadline, "resolve")
        except EngineError as error:
            await self._registry_failed(error, registry, deadline)
        has_next = len(resolved_rows) > first
        resolved_rows = resolved_rows[:first]
        links = link_catalogs(root)
        departments = registry.union(*links.values())
        if not resolved_rows:
            trace.departments.update(dict.fromkeys(sorted(registry), OK))
            return [], has_next, []
        sort_count = len(resolve.cursor_kinds)
        linked = resolve.departments
        resolved = Resolved(linked, tuple(
            (int(row[0]), tuple(row[1 + sort_count:])) for row in resolved_rows))

        status = self.hardening.departments
        degrade = self.hardening.degraded_answers
        # Departments known to be down are left out at once (the resolve just read the registry).
        known_down = status.known_down() - registry if status is not None and degrade else set()
        skipped = {d for d, catalogs in links.items() if catalogs & known_down}
        try:
            fetched_rows = await self._fetch(root, resolved, skipped, authorized, trace, deadline)
        except EngineError as error:
            if type(error) is not EngineError or status is None:
                raise  # a timeout, or the engine itself down: no department to blame
            found = await self._probe(departments, deadline)
            down = {catalog for catalog, up in found.items() if not up}
            if down & registry:
                raise DepartmentUnavailable(sorted(down & registry)[0]) from None
            now_skipped = {d for d, catalogs in links.items() if catalogs & down}
            if not now_skipped - skipped:
                raise  # every department answers: the failure is not a department being down
            if not degrade:
                raise DepartmentUnavailable(sorted(down)[0]) from None
            skipped = now_skipped
            known_down = down
            fetched_rows = await self._fetch(root, resolved, skipped, authorized, trace, deadline)

        fetched = {row[-1]: tuple(row[:-1]) for row in fetched_rows}
        position = {department: i for i, department in enumerate(linked)}
        rows: list[tuple[Any, ...]] = []
        missing: list[set[str]] = []
        for row in resolved_rows:
            if row[0] not in fetched:
                continue
            rows.append(fetched[row[0]] + tuple(row[1:1 + sort_count]) + (row[0],))
            local_ids = row[1 + sort_count:]
            missing.append({d for d in skipped if local_ids[position[d]] is not None})
        # A department is unavailable for this answer when records of it are missing from it; one
        # that is down but holds nothing for these citizens takes nothing from the answer.
        down_catalogs = {c for d in set().union(*missing) for c in links[d]} & known_down
        trace.departments.update({catalog: UNAVAILABLE if catalog in down_catalogs else OK
                                  for catalog in sorted(departments)})
        trace.missing |= down_catalogs
        return rows, has_next, missing

    async def _fetch(self, root: CitizenLookup | CitizenPage, resolved: Resolved,
                     skipped: set[str], authorized: AuthorizedPlan, trace: Trace,
                     deadline: float) -> list[tuple[Any, ...]]:
        """The fetch step; departments in `skipped` are given no ids, so nothing is read there."""
        if skipped:
            keep = [department not in skipped for department in resolved.departments]
            resolved = Resolved(resolved.departments, tuple(
                (citizen, tuple(i if kept else None for i, kept in zip(ids, keep, strict=True)))
                for citizen, ids in resolved.rows))
        index = authorized.plan.person_index
        # The rendered fetch depends on which departments have ids, not on the ids themselves.
        shape_key = tuple(bool(ids) for ids in resolved.ids_by_department().values())
        fetch = self._render(("fetch", template_key(root), resolved.departments, shape_key,
                              authorized.policy_version), trace,
                             lambda: compile_fetch(root, resolved, index, self.pseudonym_key))
        return await self._query(fetch.bind(resolved=resolved), authorized.requester, trace,
                                 deadline,
                                 "fetch")

    async def _run(self, root: CitizenLookup | CitizenPage, authorized: AuthorizedPlan,
                   trace: Trace, deadline: float) -> Any:
        rows, has_next, missing = await self._rows(root, authorized, trace, deadline)
        started = time.perf_counter()
        trace.citizen_ids.extend(str(row[-1]) for row in rows)
        if isinstance(root, CitizenLookup):
            value = shape.lookup(root, rows)
        else:
            value = shape.page(root, rows, has_next, self.cursor_key)
        for path, department in missing_paths(root, missing):
            trace.errors.append(DepartmentUnavailable(department, path=path).as_graphql_error())
        trace.timed("shape", started)
        return value

    def _introspect(self, document: DocumentNode, operation: OperationDefinitionNode,
                    variables: dict[str, Any], key: str) -> Any:
        """Introspection is answered by graphql-core from the served schema, never the engine."""
        from graphql.execution.collect_fields import collect_fields

        fragments = {d.name.value: d for d in document.definitions
                     if isinstance(d, FragmentDefinitionNode)}
        assert self.schema.query_type is not None
        nodes: list[FieldNode] = collect_fields(self.schema, fragments, variables,
                                                self.schema.query_type, operation.selection_set)[key]
        single = OperationDefinitionNode(
            operation=operation.operation, name=operation.name,
            variable_definitions=operation.variable_definitions,
            directives=operation.directives,
            selection_set=SelectionSetNode(selections=tuple(nodes)),
        )
        sub_document = DocumentNode(definitions=(single, *[d for d in document.definitions
                                                           if d is not operation]))
        result = execute(self.schema, sub_document, variable_values=variables)
        if result.errors:  # type: ignore[union-attr]
            raise BadRequest(without_suggestions(result.errors[0].message))  # type: ignore[union-attr]
        return result.data[key]  # type: ignore[union-attr,index]


@asynccontextmanager
async def _no_slot() -> AsyncIterator[None]:
    yield


def _refuse_non_query_over_get(document: DocumentNode, request: GraphQLRequest) -> None:
    """GraphQL over HTTP: a GET may run a query only (405 otherwise, before validation)."""
    if not request.read_only:
        return
    operation = get_operation_ast(document, request.operation_name)
    if operation is not None and operation.operation is not OperationType.QUERY:
        raise MethodNotAllowed(f"{operation.operation.value} operations cannot be sent with GET; "
                               "use POST")


def _locations(error: GraphQLError) -> dict[str, Any]:
    if not error.locations:
        return {}
    return {"locations": [{"line": loc.line, "column": loc.column} for loc in error.locations]}


def _citizen(root: CitizenLookup | CitizenPage) -> int | None:
    return root.citizen_id if isinstance(root, CitizenLookup) else None
