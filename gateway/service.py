"""The request path, top to bottom: parse → validate → plan → authorize → compile → execute → shape → audit.

Each stage is a function of its own module; this one only runs them in order, caches what can be
cached (validated documents; rendered SQL per authorized root) and times every stage.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    SelectionSetNode,
    execute,
    parse,
    specified_rules,
    validate,
)
from starlette.concurrency import run_in_threadpool

from gateway import shape
from gateway.compile import (
    Resolved,
    Statement,
    compile_fetch,
    compile_resolve,
    compile_single,
    needs_resolve,
)
from gateway.contract import Contract
from gateway.engine import Engine
from gateway.errors import (
    BadRequest,
    GatewayError,
    GraphQLSyntaxError,
    GraphQLValidationError,
)
from gateway.ir import CitizenLookup, CitizenPage, IntrospectionRoot, OperationPlan, TypenameRoot
from gateway.plan import Planner, coerce_variables, select_operation
from gateway.requester import Requester

log = logging.getLogger(__name__)

K = TypeVar("K")
V = TypeVar("V")

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class LRU(Generic[K, V]):
    """A small bounded cache; entries are immutable so sharing them between requests is safe."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self.entries.get(key)
        if value is not None:
            self.entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self.entries[key] = value
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


@dataclass
class GraphQLRequest:
    query: str
    variables: Mapping[str, Any] | None = None
    operation_name: str | None = None


@dataclass
class Trace:
    """What happened to one request: timings by stage, engine queries, citizens returned."""

    stages: dict[str, float] = field(default_factory=dict)
    engine_query_ids: list[str] = field(default_factory=list)
    engine_ms: float = 0.0
    citizen_ids: list[str] = field(default_factory=list)
    operation_hash: str = ""
    plan: OperationPlan | None = None
    policy_version: str = ""
    decisions: Any = None

    def timed(self, stage: str, started: float) -> float:
        now = time.perf_counter()
        self.stages[stage] = self.stages.get(stage, 0.0) + (now - started) * 1000
        return now


class Authorizer(Protocol):
    def __call__(self, plan: OperationPlan, requester: Requester, trace: Trace) -> OperationPlan: ...


def without_suggestions(message: str) -> str:
    """graphql-core's "Did you mean ...?" would name fields a role may not know of: never sent."""
    return _SUGGESTION.sub("", message)


@dataclass(frozen=True)
class _Rendered:
    sql: str
    statement: Statement


class CitizenViewService:
    def __init__(self, contract: Contract, schema: GraphQLSchema, engine: Engine,
                 authorize: Authorizer, *, cursor_key: bytes, pseudonym_key: str,
                 max_tokens: int = 1000, validation_rules: tuple[Any, ...] = (),
                 on_introspection: Callable[[Requester], None] | None = None) -> None:
        self.contract = contract
        self.schema = schema
        self.engine = engine
        self.authorize = authorize
        self.cursor_key = cursor_key
        self.pseudonym_key = pseudonym_key
        self.max_tokens = max_tokens
        self.rules = tuple(specified_rules) + validation_rules
        self.on_introspection = on_introspection
        self.documents: LRU[str, DocumentNode] = LRU(512)
        self.rendered: LRU[tuple[Any, ...], _Rendered] = LRU(2048)

    # ---------------------------------------------------------------- stages

    def document(self, query: str, trace: Trace) -> DocumentNode:
        cached = self.documents.get(query)
        if cached is not None:
            return cached
        started = time.perf_counter()
        try:
            document = parse(query, max_tokens=self.max_tokens)
        except GraphQLError as error:
            raise GraphQLSyntaxError(without_suggestions(error.message),
                                     extensions=_locations(error)) from None
        started = trace.timed("parse", started)
        errors = validate(self.schema, document, list(self.rules), max_errors=100)
        trace.timed("validate", started)
        if errors:
            invalid = GraphQLValidationError(without_suggestions(errors[0].message),
                                             extensions=_locations(errors[0]))
            invalid.extra["errors"] = [
                {"message": without_suggestions(e.message), **_locations(e)} for e in errors[1:]
            ]
            raise invalid
        self.documents.put(query, document)
        return document

    def _render(self, key: tuple[Any, ...], trace: Trace,
                make: Callable[[], Statement]) -> _Rendered:
        cached = self.rendered.get(key)
        if cached is not None:
            return cached
        started = time.perf_counter()
        statement = make()
        rendered = _Rendered(statement.tree.sql(dialect=self.engine.dialect), statement)
        trace.timed("compile", started)
        self.rendered.put(key, rendered)
        return rendered

    def _person_index(self, trace: Trace) -> Any:
        assert trace.plan is not None
        return trace.plan.person_index

    # ---------------------------------------------------------------- the request

    async def execute(self, request: GraphQLRequest, requester: Requester,
                      trace: Trace) -> dict[str, Any]:
        """The `data` of the response; raises GatewayError for anything the client must be told."""
        trace.operation_hash = hashlib.sha256(request.query.encode()).hexdigest()[:16]
        document = self.document(request.query, trace)
        started = time.perf_counter()
        operation = select_operation(document, request.operation_name)
        variables = coerce_variables(self.schema, operation, request.variables)
        plan = Planner(self.contract, self.schema, document, variables,
                       self.cursor_key).plan(operation)
        trace.plan = plan
        started = trace.timed("plan", started)
        plan = self.authorize(plan, requester, trace)
        trace.plan = plan
        trace.timed("authorize", started)

        data: dict[str, Any] = {}
        for root in plan.roots:
            if isinstance(root, TypenameRoot):
                data[root.key] = root.type_name
            elif isinstance(root, IntrospectionRoot):
                if self.on_introspection is not None:
                    self.on_introspection(requester)
                data[root.key] = self._introspect(document, operation, variables, root.key)
            else:
                data[root.key] = await self._run(root, requester, trace)
        return data

    async def _query(self, sql: str, requester: Requester, trace: Trace) -> list[tuple[Any, ...]]:
        result = await run_in_threadpool(self.engine.run, sql, requester)
        trace.stages["execute"] = trace.stages.get("execute", 0.0) + result.elapsed_ms
        trace.engine_ms += result.elapsed_ms
        if result.query_id:
            trace.engine_query_ids.append(result.query_id)
        return result.rows

    async def _rows(self, root: CitizenLookup | CitizenPage, requester: Requester,
                    trace: Trace) -> tuple[list[tuple[Any, ...]], bool]:
        """Rows of (JSON per view, sort keys, citizen id) in answer order, and whether more follow.

        Without department records one statement answers. With them, two: resolve the citizens
        and their department ids (registry only), then fetch every department by literal ids,
        which is what lets each department database use its index (see compile.py).
        """
        first = root.first if isinstance(root, CitizenPage) else 1
        index = self._person_index(trace)
        if not needs_resolve(root):
            single = self._render(("single", root, trace.policy_version), trace,
                                  lambda: compile_single(root, index, self.pseudonym_key))
            rows = await self._query(single.sql, requester, trace)
            return rows[:first], len(rows) > first
        resolve = self._render(("resolve", root, trace.policy_version), trace,
                               lambda: compile_resolve(root, index))
        resolved_rows = await self._query(resolve.sql, requester, trace)
        has_next = len(resolved_rows) > first
        resolved_rows = resolved_rows[:first]
        if not resolved_rows:
            return [], has_next
        sort_count = len(resolve.statement.cursor_kinds)
        resolved = Resolved(resolve.statement.departments, tuple(
            (int(row[0]), tuple(row[1 + sort_count:])) for row in resolved_rows))
        fetch = self._render(("fetch", root, resolved, trace.policy_version), trace,
                             lambda: compile_fetch(root, resolved, index, self.pseudonym_key))
        fetched = {row[-1]: tuple(row[:-1]) for row in await self._query(fetch.sql, requester, trace)}
        rows = [fetched[row[0]] + tuple(row[1:1 + sort_count]) + (row[0],)
                for row in resolved_rows if row[0] in fetched]
        return rows, has_next

    async def _run(self, root: CitizenLookup | CitizenPage, requester: Requester,
                   trace: Trace) -> Any:
        rows, has_next = await self._rows(root, requester, trace)
        started = time.perf_counter()
        trace.citizen_ids.extend(str(row[-1]) for row in rows)
        if isinstance(root, CitizenLookup):
            value = shape.lookup(root, rows)
        else:
            value = shape.page(root, rows, has_next, self.cursor_key)
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


def _locations(error: GraphQLError) -> dict[str, Any]:
    if not error.locations:
        return {}
    return {"locations": [{"line": loc.line, "column": loc.column} for loc in error.locations]}


def error_body(error: GatewayError) -> dict[str, Any]:
    errors = [error.as_graphql_error()]
    more = errors[0]["extensions"].pop("errors", None)
    locations = errors[0]["extensions"].pop("locations", None)
    if locations:
        errors[0]["locations"] = locations
    for extra in more or []:
        errors.append({"message": extra["message"],
                       **({"locations": extra["locations"]} if "locations" in extra else {}),
                       "extensions": {"code": error.code}})
    return {"errors": errors}
