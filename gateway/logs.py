"""Logs: one JSON object per line on stderr, with the standard library's logging.

`configure` installs the JSON formatter on the `gateway` logger (once per process). The access
log (`gateway.access`) writes one line per request with the fields of `access_fields`: who
(user, roles), why (purpose), what (the operation's hash, never its text or variables), how long
each stage took, the engine's query ids, and the outcome. Nothing in it is a data value: no
citizen id, no field value, no variable.
"""

from __future__ import annotations

import datetime
import json
import logging
import sys
from typing import Any

ACCESS = logging.getLogger("gateway.access")
_HANDLER_NAME = "gateway-json"
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message",
                                                                                  "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC)
            .isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, separators=(",", ":"))


def configure(level: str = "INFO") -> None:
    """JSON lines on stderr for the `gateway` loggers; idempotent."""
    logger = logging.getLogger("gateway")
    logger.setLevel(level.upper())
    if any(handler.get_name() == _HANDLER_NAME for handler in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)


def access(fields: dict[str, Any]) -> None:
    """One access line; `fields` become top-level keys of the JSON object."""
    ACCESS.info("request", extra={key if key not in _STANDARD else f"request_{key}": value
                                  for key, value in fields.items()})
