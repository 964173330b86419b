"""HTTP: the Starlette application, following the GraphQL-over-HTTP conventions.

POST /graphql (application/json) and GET /graphql (queries only); the response is
application/graphql-response+json when the client accepts it, else application/json. Request
errors (unparseable, invalid, bad arguments) are 4xx with GraphQL errors; nothing of the engine, SQL
or a stack trace is ever in a response. /healthz says the process is up, /readyz that the engine
and every department catalog answer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.errors import (
    BadRequest,
    GatewayError,
    MethodNotAllowed,
    NotAcceptable,
    UnsupportedMediaType,
)
from gateway.requester import Requester
from gateway.service import CitizenViewService, GraphQLRequest, Trace, error_body

log = logging.getLogger(__name__)

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
MAX_BODY_BYTES = 64 * 1024

Authenticate = Callable[[str | None], Requester]
AuditHook = Callable[[Requester, Trace, str, GatewayError | None], None]


def _response_type(request: Request) -> str:
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return JSON
    offered = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if GRAPHQL_RESPONSE in offered:
        return GRAPHQL_RESPONSE
    if JSON in offered or "*/*" in offered or "application/*" in offered:
        return JSON
    raise NotAcceptable(f"this endpoint answers {GRAPHQL_RESPONSE} or {JSON}")


async def _read_request(request: Request) -> GraphQLRequest:
    if request.method == "GET":
        params = request.query_params
        raw_variables = params.get("variables")
        variables = None
        if raw_variables:
            try:
                variables = json.loads(raw_variables)
            except ValueError:
                raise BadRequest("`variables` must be a JSON object") from None
        return _graphql_request({"query": params.get("query"), "variables": variables,
                                 "operationName": params.get("operationName")})
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != JSON:
        raise UnsupportedMediaType("POST a JSON body with Content-Type: application/json")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise BadRequest("the request body is too large")
    try:
        payload = json.loads(body)
    except ValueError:
        raise BadRequest("the request body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise BadRequest("the request body must be a JSON object")
    return _graphql_request(payload)


def _graphql_request(payload: dict[str, Any]) -> GraphQLRequest:
    query = payload.get("query")
    if not isinstance(query, str) or not query.strip():
        raise BadRequest("the request has no `query` string")
    variables = payload.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise BadRequest("`variables` must be a JSON object")
    operation_name = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise BadRequest("`operationName` must be a string")
    return GraphQLRequest(query, variables, operation_name)


def _is_query_only(query: str) -> bool:
    stripped = query.lstrip()
    return not (stripped.startswith("mutation") or stripped.startswith("subscription"))


def create_app(service: CitizenViewService, authenticate: Authenticate,
               audit: AuditHook | None = None,
               extra_routes: list[BaseRoute] | None = None,
               readiness: Callable[[], dict[str, Any]] | None = None) -> Starlette:

    async def graphql_endpoint(request: Request) -> Response:
        media_type = JSON
        requester: Requester | None = None
        trace = Trace()
        try:
            media_type = _response_type(request)
            graphql_request = await _read_request(request)
            if request.method == "GET" and not _is_query_only(graphql_request.query):
                raise MethodNotAllowed("only queries may be sent with GET; use POST")
            requester = authenticate(request.headers.get("authorization"))
            data = await service.execute(graphql_request, requester, trace)
        except GatewayError as error:
            if requester is not None and audit is not None:
                await run_in_threadpool(audit, requester, trace, "refused", error)
            headers = {"Allow": "GET, POST"} if isinstance(error, MethodNotAllowed) else None
            if error.status == 401:
                headers = {"WWW-Authenticate": 'Bearer realm="citizen-gateway"'}
            return JSONResponse(error_body(error), status_code=error.status,
                                media_type=media_type, headers=headers)
        except Exception:
            log.exception("internal error")
            if requester is not None and audit is not None:
                await run_in_threadpool(audit, requester, trace, "failed", None)
            failure = GatewayError("the gateway failed to answer this request")
            return JSONResponse(error_body(failure), status_code=500, media_type=media_type)
        if audit is not None:
            # The audit record is durable before a single value leaves the gateway.
            await run_in_threadpool(audit, requester, trace, "answered", None)
        body = {"data": data, "extensions": {"timings": {k: round(v, 2)
                                                         for k, v in trace.stages.items()}}}
        return JSONResponse(body, media_type=media_type)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        status = await run_in_threadpool(readiness) if readiness else {}
        ready = all(value == "ok" or (isinstance(value, dict) and value.get("status") == "ok")
                    for value in status.values())
        return JSONResponse({"status": "ok" if ready else "unavailable", "checks": status},
                            status_code=200 if ready else 503)

    routes: list[BaseRoute] = [
        Route("/graphql", graphql_endpoint, methods=["GET", "POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        *(extra_routes or []),
    ]
    return Starlette(routes=routes, middleware=[Middleware(GZipMiddleware, minimum_size=1024)])
