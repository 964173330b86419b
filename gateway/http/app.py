"""HTTP: the Starlette application, following the GraphQL-over-HTTP specification.

- POST /graphql with `Content-Type: application/json` (charset utf-8 or none) and a JSON object
  `{query, operationName?, variables?, extensions?}`; GET /graphql with the same parameters in the
  query string (`variables` and `extensions` JSON-encoded), for query operations only (a mutation
  or subscription over GET: 405 with `Allow: GET, POST`). Another method: 405.
- The response is `application/graphql-response+json` when the Accept header prefers it, else
  `application/json` (q-values honoured, q=0 excludes); an Accept naming neither: 406. Always
  utf-8, `Cache-Control: no-store` (answers hold personal data), `Vary: Accept`.
- Status codes: 200 whenever `data` is present (a partial answer, with errors at the missing
  paths, included); a request error is 4xx with `errors` and no `data` — 400 unparseable JSON,
  bad parameters, syntax, validation, limits (413 for a body over the size limit), 401 no or bad
  token, 403 refused by policy, 405 wrong method, 406 unacceptable Accept, 415 wrong content
  type, 429 rate limited; an engine failure is 502, 503 (engine or registry down, or overloaded;
  with Retry-After) or 504 (over time).

Deliberate deviations from the specification:

- Request errors are 4xx even when the client accepts only `application/json`, where the
  specification says SHOULD 200 (the product owner's choice: a failed request must look failed
  to every proxy, log and client). So the media type never changes a status code.
- No Accept header, or `*/*`, gets `application/json` (the specification's pre-2025 default,
  which the explorer and existing clients rely on); a client that wants the new media type asks
  for it.
- A JSON array body (batching) is refused with 400 LIMIT_EXCEEDED (`limit: batch`): one
  operation per request keeps limits, audit and backpressure per operation.

Nothing of the engine, SQL or a stack trace is ever in a response. /healthz says the process is
up, /readyz that the engine and every department catalog answer, /metrics serves Prometheus text.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from gateway import logs
from gateway.errors import (
    BadRequest,
    EngineError,
    Forbidden,
    GatewayError,
    LimitExceeded,
    NotAcceptable,
    Overloaded,
    PayloadTooLarge,
    TooManyRequests,
    UnsupportedMediaType,
)
from gateway.metrics import CONTENT_TYPE, GatewayMetrics
from gateway.pipeline.backpressure import RateLimiter
from gateway.pipeline.limits import MESSAGES
from gateway.pipeline.service import CitizenViewService
from gateway.pipeline.trace import GraphQLRequest, Trace
from gateway.policy.authorize import UnknownToPolicy
from gateway.requester import Requester

log = logging.getLogger(__name__)

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
MAX_BODY_BYTES = 64 * 1024
_HEADERS = {"Cache-Control": "no-store", "Vary": "Accept"}

Authenticate = Callable[[str | None], Requester]
AuditHook = Callable[[Requester, Trace, str, GatewayError | None], object]


def negotiate(accept: str) -> str:
    """The response media type for an Accept header: the acceptable one with the highest q;
    on a tie the more specific (graphql-response+json, then json, then a wildcard)."""
    if not accept.strip():
        return JSON
    best: tuple[float, int, str] | None = None
    for part in accept.split(","):
        media, *parameters = [piece.strip() for piece in part.split(";")]
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        choice = {GRAPHQL_RESPONSE: (2, GRAPHQL_RESPONSE), JSON: (1, JSON),
                  "application/*": (0, JSON), "*/*": (0, JSON)}.get(media)
        if choice is None or quality <= 0:
            continue
        candidate = (quality, choice[0], choice[1])
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    if best is None:
        raise NotAcceptable(f"this endpoint answers {GRAPHQL_RESPONSE} or {JSON}")
    return best[2]


def _json(raw: str | bytes, what: str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise BadRequest(f"{what} is not valid JSON") from None


async def _read_request(request: Request, max_body: int) -> GraphQLRequest:
    if request.method == "GET":
        params = request.query_params
        payload: dict[str, Any] = {"query": params.get("query"),
                                   "operationName": params.get("operationName")}
        for name in ("variables", "extensions"):
            raw = params.get(name)
            if raw:
                payload[name] = _json(raw, f"`{name}`")
        return _graphql_request(payload, read_only=True)
    media, *parameters = [piece.strip().lower()
                          for piece in request.headers.get("content-type", "").split(";")]
    if media != JSON:
        raise UnsupportedMediaType("POST a JSON body with Content-Type: application/json")
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip() == "charset" and value.strip().strip('"') not in ("utf-8", "utf8"):
            raise UnsupportedMediaType("the request body must be utf-8")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_body:
        raise PayloadTooLarge(MESSAGES["bodySize"], "bodySize")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_body:
            raise PayloadTooLarge(MESSAGES["bodySize"], "bodySize")
    if not body.strip():
        raise BadRequest("the request has no body: POST a JSON object with a `query`")
    payload = _json(bytes(body), "the request body")
    if isinstance(payload, list):
        raise LimitExceeded(MESSAGES["batch"], "batch")
    if not isinstance(payload, dict):
        raise BadRequest("the request body must be a JSON object")
    return _graphql_request(payload, read_only=False)


def _graphql_request(payload: dict[str, Any], *, read_only: bool) -> GraphQLRequest:
    query = payload.get("query")
    if not isinstance(query, str) or not query.strip():
        raise BadRequest("the request has no `query` string")
    variables = payload.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise BadRequest("`variables` must be a JSON object")
    operation_name = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise BadRequest("`operationName` must be a string")
    extensions = payload.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise BadRequest("`extensions` must be a JSON object")
    return GraphQLRequest(query, variables, operation_name, read_only=read_only)


def create_app(service: CitizenViewService, authenticate: Authenticate,
               audit: AuditHook | None = None,
               extra_routes: list[BaseRoute] | None = None,
               readiness: Callable[[], dict[str, Any]] | None = None, *,
               metrics: GatewayMetrics | None = None,
               rate_limiter: RateLimiter | None = None,
               max_body_bytes: int = MAX_BODY_BYTES,
               access_log: bool = True,
               on_shutdown: Callable[[], None] | None = None) -> Starlette:

    async def record(requester: Requester, trace: Trace, outcome: str,
                     error: GatewayError | None) -> None:
        if audit is not None:
            await run_in_threadpool(audit, requester, trace, outcome, error)

    async def graphql_endpoint(request: Request) -> Response:
        started = time.perf_counter()
        media_type = JSON
        requester: Requester | None = None
        trace = Trace()
        failure: GatewayError | None = None
        try:
            media_type = negotiate(request.headers.get("accept", ""))
            requester = authenticate(request.headers.get("authorization"))
            if rate_limiter is not None:
                rate_limiter.take(requester.user)
            graphql_request = await _read_request(request, max_body_bytes)
            data = await service.execute(graphql_request, requester, trace)
            outcome = "partial" if trace.missing else "answered"
            # The audit record is durable before a single value leaves the gateway.
            await record(requester, trace, outcome, None)
        except GatewayError as error:
            failure = error
            outcome = "refused" if error.status < 500 else "failed"
            if requester is None and isinstance(error, UnknownToPolicy):
                requester = error.requester  # signed, so who asked is known: audited
            if requester is not None and not isinstance(error, TooManyRequests):
                try:
                    await record(requester, trace, outcome, error)
                except Exception:  # noqa: BLE001 - no answer leaves without its audit record
                    log.exception("the audit record of a %s request could not be written", outcome)
                    failure = error = GatewayError("the gateway failed to answer this request")
                    outcome = "failed"
            response: Response = JSONResponse({"errors": error.formatted()},
                                              status_code=error.status,
                                              media_type=f"{media_type}; charset=utf-8",
                                              headers={**_HEADERS, **error.headers()})
        except Exception:
            log.exception("internal error")
            failure = GatewayError("the gateway failed to answer this request")
            outcome = "failed"
            if requester is not None:
                try:
                    await record(requester, trace, outcome, None)
                except Exception:  # noqa: BLE001 - the audit may be what failed
                    log.exception("the audit record of a failed request could not be written")
            response = JSONResponse({"errors": failure.formatted()}, status_code=500,
                                    media_type=f"{media_type}; charset=utf-8", headers=_HEADERS)
        else:
            body: dict[str, Any] = {"data": data}
            if trace.errors:
                body = {"errors": trace.errors, "data": data}
            extensions: dict[str, Any] = {"timings": {k: round(v, 2)
                                                      for k, v in trace.stages.items()}}
            if trace.departments:
                extensions["departments"] = trace.departments
            body["extensions"] = extensions
            response = JSONResponse(body, media_type=f"{media_type}; charset=utf-8",
                                    headers=_HEADERS)
        seconds = time.perf_counter() - started
        _observe(metrics, outcome, failure, trace, seconds)
        if access_log:
            logs.access(_access_fields(request, requester, trace, outcome, failure,
                                       response.status_code, seconds))
        return response

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        status = await run_in_threadpool(readiness) if readiness else {}
        ready = all(value == "ok" or (isinstance(value, dict) and value.get("status") == "ok")
                    for value in status.values())
        return JSONResponse({"status": "ok" if ready else "unavailable", "checks": status},
                            status_code=200 if ready else 503)

    async def metrics_endpoint(_: Request) -> Response:
        assert metrics is not None
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    routes: list[BaseRoute] = [
        Route("/graphql", graphql_endpoint, methods=["GET", "POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        *([Route("/metrics", metrics_endpoint)] if metrics is not None else []),
        *(extra_routes or []),
    ]
    # gzip level 5: most of level 9's saving on JSON at a fraction of the CPU
    gzip = Middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if on_shutdown is not None:  # the engine's connections, threads and worker process
            await run_in_threadpool(on_shutdown)

    return Starlette(routes=routes, middleware=[gzip], lifespan=lifespan)


def _observe(metrics: GatewayMetrics | None, outcome: str, failure: GatewayError | None,
             trace: Trace, seconds: float) -> None:
    if metrics is None:
        return
    code = failure.code if failure is not None else "OK"
    metrics.requests.labels(outcome, code).inc()
    metrics.latency.labels(outcome).observe(seconds)
    if isinstance(failure, Forbidden):
        metrics.policy_denials.inc()
    if isinstance(failure, LimitExceeded):
        metrics.limit_rejections.labels(failure.limit).inc()
    elif failure is not None and "limit" in failure.extra:
        metrics.limit_rejections.labels(str(failure.extra["limit"])).inc()
    if isinstance(failure, TooManyRequests):
        metrics.rejections.labels("rate_limited").inc()
    if isinstance(failure, Overloaded):
        metrics.rejections.labels("overloaded").inc()
    for department in sorted(trace.missing):
        metrics.degraded.labels(department).inc()


def _access_fields(request: Request, requester: Requester | None, trace: Trace, outcome: str,
                   failure: GatewayError | None, status: int, seconds: float) -> dict[str, Any]:
    """The access log line: who, why, what, how long, which engine queries; no data value."""
    fields: dict[str, Any] = {
        "method": request.method,
        "status": status,
        "outcome": outcome,
        "code": failure.code if failure is not None else None,
        "user": requester.user if requester is not None else None,
        "roles": list(requester.roles) if requester is not None else [],
        "purpose": requester.purpose if requester is not None else None,
        "operation": trace.operation_hash or None,
        "policy": trace.policy_version or None,
        "duration_ms": round(seconds * 1000, 2),
        "stages_ms": {stage: round(ms, 2) for stage, ms in trace.stages.items()},
        "engine_ms": round(trace.engine_ms, 2),
        "engine_query_ids": list(trace.engine_query_ids),
        "citizens": len(trace.citizen_ids),
    }
    if trace.departments:
        fields["departments"] = dict(trace.departments)
    if trace.missing:
        fields["missing"] = sorted(trace.missing)
    if failure is not None and "limit" in failure.extra:
        fields["limit"] = failure.extra["limit"]
    if isinstance(failure, EngineError) and failure.extra.get("queryId"):
        fields["failed_query_id"] = failure.extra["queryId"]
    return fields
