"""One error hierarchy. Each error carries its HTTP status and a stable `extensions.code`.

The message of a GatewayError is written for the client: it never holds SQL, a stack trace or a
value the requester may not see. Anything else raised inside the gateway is reported to the client
as INTERNAL with a fixed message and logged in full on the server.
"""

from __future__ import annotations

import re
from typing import Any

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def without_suggestions(message: str) -> str:
    """graphql-core's "Did you mean ...?" would name fields a role may not know of: never sent."""
    return _SUGGESTION.sub("", message)


class GatewayError(Exception):
    status = 500
    code = "INTERNAL"
    retry_after: int | None = None  # seconds, sent as Retry-After with 429 and 503

    def __init__(self, message: str, *, path: list[str | int] | None = None,
                 extensions: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.extra = extensions or {}

    def as_graphql_error(self) -> dict[str, Any]:
        """This error as one GraphQL error: message, locations and path, then extensions."""
        extensions = dict(self.extra)
        error: dict[str, Any] = {"message": without_suggestions(self.message)}
        locations = extensions.pop("locations", None)
        if locations:
            error["locations"] = locations
        if self.path is not None:
            error["path"] = self.path
        error["extensions"] = {"code": self.code, **extensions}
        return error

    def formatted(self) -> list[dict[str, Any]]:
        """The `errors` of a response that fails with this error."""
        return [self.as_graphql_error()]

    def headers(self) -> dict[str, str]:
        """The HTTP headers its response needs beyond the usual ones."""
        return {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}


class BadRequest(GatewayError):
    """The request is not a GraphQL request the gateway can run (syntax, validation, arguments)."""

    status = 400
    code = "BAD_REQUEST"


class GraphQLSyntaxError(BadRequest):
    code = "GRAPHQL_PARSE_FAILED"


class GraphQLValidationError(BadRequest):
    """The document does not validate: the first error, and the others after it (`more`)."""

    code = "GRAPHQL_VALIDATION_FAILED"

    def __init__(self, message: str, *, extensions: dict[str, Any] | None = None,
                 more: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message, extensions=extensions)
        self.more = more or []  # each {"message", "locations"?, "extensions"}

    def formatted(self) -> list[dict[str, Any]]:
        return [*super().formatted(), *self.more]


class BadArgument(BadRequest):
    code = "BAD_USER_INPUT"


class BadCursor(BadArgument):
    code = "BAD_CURSOR"


class LimitExceeded(BadRequest):
    """A request over one of the gateway's limits (gateway/pipeline/limits.py). `extensions.limit` names
    the limit; the configured value is not echoed."""

    code = "LIMIT_EXCEEDED"

    def __init__(self, message: str, limit: str) -> None:
        super().__init__(message, extensions={"limit": limit})
        self.limit = limit


class PayloadTooLarge(LimitExceeded):
    status = 413


class Unauthenticated(GatewayError):
    status = 401
    code = "UNAUTHENTICATED"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="citizen-gateway"'}


class Forbidden(GatewayError):
    status = 403
    code = "FORBIDDEN"


class IntrospectionDisabled(Forbidden):
    """The policy withholds the schema (Query.__schema) from this role and purpose."""

    code = "INTROSPECTION_DISABLED"


class NotAcceptable(GatewayError):
    status = 406
    code = "NOT_ACCEPTABLE"


class MethodNotAllowed(GatewayError):
    status = 405
    code = "METHOD_NOT_ALLOWED"

    def headers(self) -> dict[str, str]:
        return {"Allow": "GET, POST"}


class UnsupportedMediaType(GatewayError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"


class TooManyRequests(GatewayError):
    """This user sent more requests than their rate allows (a token bucket per user)."""

    status = 429
    code = "RATE_LIMITED"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Overloaded(GatewayError):
    """Every engine slot is busy and the short queue before them is full: try again shortly."""

    status = 503
    code = "OVERLOADED"
    retry_after = 1


class EngineError(GatewayError):
    """The engine (Trino) or a department database behind it failed."""

    status = 502
    code = "ENGINE_ERROR"


class EngineUnavailable(EngineError):
    status = 503
    code = "ENGINE_UNAVAILABLE"
    retry_after = 5


class DepartmentUnavailable(EngineUnavailable):
    """A department database does not answer. For the registry (the master person index) the
    request fails with 503; any other department is left out of the answer, with this error at
    each path it would have filled (see gateway/pipeline/degraded.py)."""

    code = "DEPARTMENT_UNAVAILABLE"

    def __init__(self, department: str, *, path: list[str | int] | None = None) -> None:
        super().__init__(f"The {department} department's records could not be read: its database "
                         "does not answer.", path=path, extensions={"department": department})
        self.department = department


class EngineTimeout(EngineError):
    status = 504
    code = "ENGINE_TIMEOUT"


class StartupError(Exception):
    """The gateway cannot start: a bad contract, policy, connector file or setting. Its message is
    one line for the operator; the commands print it and exit 2, never a traceback."""


class ConfigError(StartupError, ValueError):
    """A setting is missing or has a value the gateway cannot use."""


class ContractError(StartupError):
    """schema.graphql does not describe a usable citizen view (raised at start-up, not per request)."""


class LinkageError(StartupError):
    """A linkage run cannot go on (a department unreachable, a refused account, a model that does
    not train); the previous index stays in force. One line for the operator."""
