"""One error hierarchy. Each error carries its HTTP status and a stable `extensions.code`.

The message of a GatewayError is written for the client: it never holds SQL, a stack trace or a
value the requester may not see. Anything else raised inside the gateway is reported to the client
as INTERNAL with a fixed message and logged in full on the server.
"""

from __future__ import annotations

from typing import Any


class GatewayError(Exception):
    status = 500
    code = "INTERNAL"

    def __init__(self, message: str, *, path: list[str | int] | None = None,
                 extensions: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.extra = extensions or {}

    def as_graphql_error(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message}
        if self.path is not None:
            error["path"] = self.path
        error["extensions"] = {"code": self.code, **self.extra}
        return error


class BadRequest(GatewayError):
    """The request is not a GraphQL request the gateway can run (syntax, validation, arguments)."""

    status = 400
    code = "BAD_REQUEST"


class GraphQLSyntaxError(BadRequest):
    code = "GRAPHQL_PARSE_FAILED"


class GraphQLValidationError(BadRequest):
    code = "GRAPHQL_VALIDATION_FAILED"


class BadArgument(BadRequest):
    code = "BAD_USER_INPUT"


class BadCursor(BadArgument):
    code = "BAD_CURSOR"


class LimitExceeded(BadRequest):
    code = "LIMIT_EXCEEDED"


class Unauthenticated(GatewayError):
    status = 401
    code = "UNAUTHENTICATED"


class Forbidden(GatewayError):
    status = 403
    code = "FORBIDDEN"


class NotAcceptable(GatewayError):
    status = 406
    code = "NOT_ACCEPTABLE"


class MethodNotAllowed(GatewayError):
    status = 405
    code = "METHOD_NOT_ALLOWED"


class UnsupportedMediaType(GatewayError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"


class TooManyRequests(GatewayError):
    status = 429
    code = "RATE_LIMITED"


class EngineError(GatewayError):
    """The engine (Trino) or a department database behind it failed."""

    status = 502
    code = "ENGINE_ERROR"


class EngineUnavailable(EngineError):
    status = 503
    code = "ENGINE_UNAVAILABLE"


class EngineTimeout(EngineError):
    status = 504
    code = "ENGINE_TIMEOUT"


class ContractError(Exception):
    """schema.graphql does not describe a usable citizen view (raised at start-up, not per request)."""
