"""What one request is and what happened to it: the request as read from HTTP, and its trace.

The trace is observability (stage timings, engine query ids, citizens returned, departments left
out) plus the one typed outcome the audit needs: the authorization, an AuthorizedPlan or the
Refused error. No stage reads a result of another stage back out of it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gateway.policy.authorize import AuthorizedPlan, Refused


@dataclass
class GraphQLRequest:
    query: str
    variables: Mapping[str, Any] | None = None
    operation_name: str | None = None
    read_only: bool = False  # sent with GET: only a query operation may run


@dataclass
class Trace:
    """What happened to one request: timings by stage, engine queries, citizens returned, and,
    for a partial answer, the errors at the missing paths and the status of each department."""

    stages: dict[str, float] = field(default_factory=dict)
    engine_query_ids: list[str] = field(default_factory=list)
    engine_ms: float = 0.0
    citizen_ids: list[str] = field(default_factory=list)
    operation_hash: str = ""
    authorization: AuthorizedPlan | Refused | None = None  # set by the authorize stage
    errors: list[dict[str, Any]] = field(default_factory=list)  # partial answer: data errors
    departments: dict[str, str] = field(default_factory=dict)  # department -> ok | unavailable
    missing: set[str] = field(default_factory=set)  # departments left out of the answer

    @property
    def policy_version(self) -> str:
        """The policy that decided the request ("" when it was not authorized at all)."""
        return self.authorization.policy_version if self.authorization is not None else ""

    def timed(self, stage: str, started: float) -> float:
        now = time.perf_counter()
        self.stages[stage] = self.stages.get(stage, 0.0) + (now - started) * 1000
        return now


def operation_hash(query: str, operation_name: str | None = None) -> str:
    """What was asked, without keeping it: 16 hex digits of SHA-256 over the document and the
    operation chosen in it (two operations of one document differ). The variables are left out:
    the same question about another citizen is the same operation (the citizens are recorded)."""
    payload = {"query": query, "operationName": operation_name}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]
