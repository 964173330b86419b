"""A client of a GraphQL server over HTTP: the gateway, or the naive server. Same documents, same
variables, one keep-alive connection per client thread.

The analyst aggregate is what a client of the GraphQL API must do today, since the API has no
aggregate root: ask for the citizens page by page under the analyst token and count them itself.
The policy refuses cursors to analysts (a cursor carries the real citizen id), so the client cannot
page through everyone: it can only narrow with filters on fields it sees in clear (ward, sex,
health opt-out), one page of at most 100 citizens per combination. Where a combination has more
than 100 citizens the count is incomplete, and the result says so (`complete`, `seen`).
"""

from __future__ import annotations

import datetime
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from bench import cohort, documents, records
from bench.result import BenchError, Result

Token = Callable[[str, str], str]  # (user, workload) -> bearer token


class GraphQLPath:
    def __init__(self, name: str, url: str, token: Token, wards: Sequence[str | None],
                 engine: str | None = "trino") -> None:
        self.name = name
        self.url = url
        self.token = token
        self.wards = list(wards)
        self.engine = engine
        self.user = f"bench-{name}"
        self.local = threading.local()
        self.clients: list[httpx.Client] = []
        self.lock = threading.Lock()
        self.first_seen = False  # a new operation name on every request (no cached document)
        self.counter = 0

    def _client(self) -> httpx.Client:
        client = getattr(self.local, "client", None)
        if client is None:
            client = self.local.client = httpx.Client(timeout=900)
            with self.lock:
                self.clients.append(client)
        return client

    def _operation(self, name: str) -> str:
        if not self.first_seen:
            return name
        with self.lock:
            self.counter += 1
            return f"{name}_{self.counter}_{id(self)}"

    def post(self, query: str, variables: dict[str, Any], workload: str) -> tuple[Any, dict[str, Any]]:
        response = self._client().post(
            f"{self.url}/graphql", json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self.token(self.user, workload)}",
                     "X-Bench-User": self.user})
        try:
            body = response.json()
        except ValueError:
            raise BenchError(f"{self.name}: HTTP {response.status_code}: {response.text[:200]}") from None
        if response.status_code != 200 or body.get("errors"):
            raise BenchError(f"{self.name}: HTTP {response.status_code}: "
                             f"{(body.get('errors') or [{}])[0].get('message')}")
        return body["data"], body.get("extensions") or {}

    @staticmethod
    def _timings(extensions: dict[str, Any]) -> dict[str, float] | None:
        timings = extensions.get("timings")
        return dict(timings) if timings is not None else None

    def lookup(self, citizen_id: int) -> Result:
        data, extensions = self.post(documents.lookup(self._operation(documents.LOOKUP_OPERATION)),
                                     {"id": str(citizen_id)}, "lookup")
        return Result(data["citizen"], self._timings(extensions), extra=extensions)

    def caseload(self, citizen_ids: Sequence[int]) -> Result:
        data, extensions = self.post(
            documents.caseload(self._operation(documents.CASELOAD_OPERATION)),
            {"ids": [str(i) for i in citizen_ids], "first": len(citizen_ids)}, "caseload")
        return Result(data["citizens"]["nodes"], self._timings(extensions), extra=extensions)

    def cohort(self, values: dict[str, Any]) -> Result:
        data, extensions = self.post(cohort.document(), values, "cohort")
        return Result(data["citizens"]["nodes"], self._timings(extensions), extra=extensions)

    def partitions(self) -> list[dict[str, Any]]:
        """Every combination of the filters the analyst may use (fields it sees in clear)."""
        return [{"ward": {"eq": ward} if ward is not None else {"isNull": True},
                 "sex": {"eq": sex}, "healthOptOut": {"eq": opt_out}}
                for ward in self.wards for sex in ("F", "M", "U") for opt_out in (False, True)]

    def analyst(self) -> Result:
        this_year = datetime.date.today().year
        counts: Counter[str] = Counter()
        timings: Counter[str] = Counter()
        complete, seen, requests = True, 0, 0
        for where in self.partitions():
            data, extensions = self.post(documents.ANALYST_PAGE, {"where": where, "first": 100},
                                         "analyst")
            timings.update(self._timings(extensions) or {})
            requests += 1
            page = data["citizens"]
            complete = complete and not page["pageInfo"]["hasNextPage"]
            for node in page["nodes"]:
                seen += 1
                counts[records.count_key(node["ward"],
                                         records.age_band(int(node["dateOfBirth"][:4]), this_year))] += 1
        return Result({"counts": dict(counts), "complete": complete, "seen": seen},
                      dict(timings) if timings else None, requests=requests)

    def close(self) -> None:
        with self.lock:
            for client in self.clients:
                client.close()
            self.clients.clear()
        self.local = threading.local()
