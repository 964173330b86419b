"""Failure behaviour on the real stack: slow queries, a department down, the registry down, Trino
down. Each outage is undone in a `finally` and waited out, so the tests after these stay green.

- a query over its time: 504 at the configured time, the query ended in Trino, never resubmitted;
- every engine slot busy: 503 OVERLOADED with Retry-After, at once;
- the registry refusing connections: 503 DEPARTMENT_UNAVAILABLE (registry);
- a PostgreSQL department refusing connections, then the MariaDB server stopped (social care and
  education): 200 with the other departments, an error at each missing path, the departments'
  status in `extensions`, the audit saying what was missing; full answers again once it is back;
- Trino unreachable, then Trino stopped and started again: 503 within seconds, never a hang.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from gateway_server import ALL_CLEAR, LiveGateway, free_port, live_gateway
from reference import FULL_VIEW, Reference

from stack import mariadb, postgres, trino
from stack.settings import Settings

pytestmark = pytest.mark.integration

MARIADB_DEPARTMENTS = ("education", "socialcare")


def _user(case: str) -> str:
    return f"test-failure-{case}-{uuid.uuid4().hex[:8]}"


def _queries(trino_cursor: Any, user: str) -> list[tuple[str, str]]:
    """(state, error name) of each query Trino ran for `user`, oldest first."""
    trino_cursor.execute('SELECT state, error_code FROM system.runtime.queries WHERE "user" = ? '
                         "ORDER BY created", [user])
    return [(row[0], row[1] or "") for row in trino_cursor.fetchall()]


def _linked(reference: Reference, department: str, count: int) -> list[int]:
    with reference._postgres("registry") as cursor:
        cursor.execute("SELECT citizen_id FROM registry.person_link WHERE department = %s "
                       "ORDER BY local_id LIMIT %s", (department, count))
        return [row[0] for row in cursor.fetchall()]


def _links(reference: Reference, citizens: list[int]) -> dict[int, set[str]]:
    with reference._postgres("registry") as cursor:
        cursor.execute("SELECT citizen_id, department FROM registry.person_link "
                       "WHERE citizen_id = ANY(%s)", (citizens,))
        found: dict[int, set[str]] = {citizen: set() for citizen in citizens}
        for citizen, department in cursor.fetchall():
            found[citizen].add(department)
        return found


@contextmanager
def _locked(databases: Any, department: str, table: str) -> Iterator[None]:
    """Hold an ACCESS EXCLUSIVE lock on a department table: every read of it waits."""
    connection = databases.postgres_loader(department)
    connection.autocommit = False
    try:
        connection.execute(f"LOCK TABLE {department}.{table} IN ACCESS EXCLUSIVE MODE")
        yield
    finally:
        connection.rollback()
        connection.close()


@contextmanager
def _refusing_connections(stack: Settings, database: str) -> Iterator[None]:
    """The PostgreSQL database refuses new connections (the server and the others stay up)."""
    postgres.psql(stack, "postgres", f"ALTER DATABASE {database} WITH ALLOW_CONNECTIONS false;")
    try:
        yield
    finally:
        postgres.psql(stack, "postgres", f"ALTER DATABASE {database} WITH ALLOW_CONNECTIONS true;")


@pytest.fixture(scope="module")
def failing_gateway(stack: Settings, tmp_path_factory: pytest.TempPathFactory
                    ) -> Iterator[LiveGateway]:
    """A gateway that forgets a department's outage quickly (5 s), so recovery shows soon."""
    with live_gateway(tmp_path_factory.mktemp("failures"), ALL_CLEAR,
                      department_status_ttl_seconds=5.0, query_timeout_seconds=15,
                      request_timeout_seconds=20) as live:
        yield live


# ------------------------------------------------------------------ time


@pytest.mark.parametrize("setting", ["query_timeout_seconds", "request_timeout_seconds"])
def test_a_query_over_time_is_504_at_the_configured_time(
        stack: Settings, databases: Any, reference: Reference, trino_cursor: Any,
        tmp_path: Path, setting: str) -> None:
    citizen = _linked(reference, "health", 1)[0]
    with live_gateway(tmp_path, ALL_CLEAR, **{setting: 2.0}) as live:
        user = _user("slow")
        with _locked(databases, "health", "patient"):
            started = time.monotonic()
            response = live.post(FULL_VIEW, {"id": str(citizen)}, user=user)
            elapsed = time.monotonic() - started
        assert response.status_code == 504, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "ENGINE_TIMEOUT"
        assert "data" not in response.json()
        assert 1.5 < elapsed < 5.0, elapsed
        time.sleep(1.5)  # Trino registers the end of the query
        queries = _queries(trino_cursor, user)
        # resolve answered, fetch ended over time; nothing was submitted twice, nothing runs on
        assert len(queries) == 2, queries
        assert queries[0] == ("FINISHED", "")
        assert queries[1][0] == "FAILED"
        assert queries[1][1] in ("EXCEEDED_TIME_LIMIT", "USER_CANCELED"), queries
        again = live.post(FULL_VIEW, {"id": str(citizen)}, user=user)
        assert again.status_code == 200 and "errors" not in again.json()
        record = next(r for r in live.gateway.audit.records() if r["user"] == user)
        assert record["outcome"] == "failed:ENGINE_TIMEOUT"


def test_every_engine_slot_busy_is_503_with_retry_after(
        stack: Settings, databases: Any, reference: Reference, tmp_path: Path) -> None:
    citizen = _linked(reference, "health", 1)[0]
    with live_gateway(tmp_path, ALL_CLEAR, max_engine_queries_in_flight=1, engine_queue_size=0,
                      query_timeout_seconds=20) as live:
        held: list[httpx.Response] = []
        with _locked(databases, "health", "patient"):
            holder = threading.Thread(target=lambda: held.append(
                live.post(FULL_VIEW, {"id": str(citizen)})))
            holder.start()
            deadline = time.monotonic() + 10
            slots = live.gateway.service.hardening.slots
            assert slots is not None
            while slots.busy == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            started = time.monotonic()
            refused = live.post("{ citizen(id: 1) { id } }")
            assert time.monotonic() - started < 1.0
            assert refused.status_code == 503, refused.text
            assert refused.headers["retry-after"] == "1"
            assert refused.json()["errors"][0]["extensions"]["code"] == "OVERLOADED"
            assert live.post("{ __typename }").status_code == 200  # no engine needed: answered
        holder.join(timeout=30)
        assert held and held[0].status_code == 200, held
        metrics = httpx.get(f"{live.url}/metrics").text
        assert 'gateway_backpressure_rejections_total{reason="overloaded"} 1.0' in metrics


# ------------------------------------------------------------------ the registry, a PostgreSQL department


def test_registry_refusing_connections_is_503(stack: Settings, failing_gateway: LiveGateway,
                                              reference: Reference) -> None:
    citizen = _linked(reference, "health", 1)[0]
    with _refusing_connections(stack, "registry"):
        for query, variables in [(FULL_VIEW, {"id": str(citizen)}),
                                 ("{ citizen(id: 1) { id familyName } }", None),
                                 ("{ citizens(first: 3) { nodes { id health { nhsNumber } } } }", None)]:
            started = time.monotonic()
            response = failing_gateway.post(query, variables)
            assert time.monotonic() - started < 10
            assert response.status_code == 503, response.text
            error = response.json()["errors"][0]
            assert error["extensions"] == {"code": "DEPARTMENT_UNAVAILABLE", "department": "registry"}
            assert "retry-after" in response.headers
            assert "data" not in response.json()
    assert failing_gateway.post(FULL_VIEW, {"id": str(citizen)}).status_code == 200


def _without(view: dict[str, Any], departments: tuple[str, ...]) -> dict[str, Any]:
    fields = {"health": "health", "socialcare": "socialCare", "education": "education",
              "housing": "housing"}
    return {key: value for key, value in view.items()
            if key not in {fields[d] for d in departments}}


def test_a_postgresql_department_refusing_connections_gives_a_partial_answer(
        stack: Settings, failing_gateway: LiveGateway, reference: Reference) -> None:
    citizens = _linked(reference, "health", 3)
    expected = {citizen: reference.full_view(citizen) for citizen in citizens}
    user = _user("health-down")
    with _refusing_connections(stack, "health"):
        for citizen in citizens:
            response = failing_gateway.post(FULL_VIEW, {"id": str(citizen)}, user=user)
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["data"]["citizen"]["health"] is None
            assert _without(body["data"]["citizen"], ("health",)) == _without(
                expected[citizen], ("health",))  # type: ignore[arg-type]
            assert body["errors"] == [{
                "message": body["errors"][0]["message"], "path": ["citizen", "health"],
                "extensions": {"code": "DEPARTMENT_UNAVAILABLE", "department": "health"}}]
            assert body["extensions"]["departments"]["health"] == "unavailable"
            assert body["extensions"]["departments"]["registry"] == "ok"
    records = [r for r in failing_gateway.gateway.audit.records() if r["user"] == user]
    assert [r["outcome"] for r in records] == ["partial"] * 3
    assert all(r["missing"] == ["health"] for r in records)


def test_with_degraded_answers_off_a_department_down_is_503(
        stack: Settings, reference: Reference, tmp_path: Path) -> None:
    citizen = _linked(reference, "health", 1)[0]
    with live_gateway(tmp_path, ALL_CLEAR, degraded_answers=False) as live, \
            _refusing_connections(stack, "health"):
        response = live.post(FULL_VIEW, {"id": str(citizen)})
        assert response.status_code == 503, response.text
        assert response.json()["errors"][0]["extensions"] == {
            "code": "DEPARTMENT_UNAVAILABLE", "department": "health"}
        assert "data" not in response.json()


# ------------------------------------------------------------------ MariaDB stopped


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f}s")
        time.sleep(0.5)


def test_mariadb_stopped_gives_partial_answers_then_full_answers_again(
        stack: Settings, failing_gateway: LiveGateway, reference: Reference,
        trino_cursor: Any) -> None:
    live = failing_gateway
    citizens = sorted(set(_linked(reference, "socialcare", 3) + _linked(reference, "education", 3)
                          + _linked(reference, "health", 2)))
    expected = {citizen: reference.full_view(citizen) for citizen in citizens}
    page = "{ citizens(first: 100) { nodes { id socialCare { clientId } housing { tenantId } } } }"
    page_citizens = [int(node["id"]) for node in
                     live.post(page).json()["data"]["citizens"]["nodes"]]
    page_links = _links(reference, page_citizens)
    assert 0 < sum("socialcare" in links for links in page_links.values()) < len(page_citizens)
    full_page = live.post(page).json()
    user = _user("mariadb-down")
    mariadb.stop(stack)
    try:
        for citizen in citizens:
            started = time.monotonic()
            response = live.post(FULL_VIEW, {"id": str(citizen)}, user=user)
            assert time.monotonic() - started < live.settings.request_timeout_seconds
            assert response.status_code == 200, response.text
            body = response.json()
            view = body["data"]["citizen"]
            assert _without(view, MARIADB_DEPARTMENTS) == _without(
                expected[citizen], MARIADB_DEPARTMENTS)  # type: ignore[arg-type]
            assert view["socialCare"] is None and view["education"] is None
            links = _links(reference, [citizen])[citizen]
            wanted = [(["citizen", field], department) for department, field in  # by department
                      (("education", "education"), ("socialcare", "socialCare"))
                      if department in links]
            assert [(e["path"], e["extensions"]["department"]) for e in body.get("errors", [])] == wanted
            assert all(e["extensions"]["code"] == "DEPARTMENT_UNAVAILABLE" for e in body.get("errors", []))
            assert body["extensions"]["departments"] == {  # unavailable: something is missing
                "education": "unavailable" if "education" in links else "ok", "health": "ok",
                "housing": "ok", "registry": "ok",
                "socialcare": "unavailable" if "socialcare" in links else "ok"}
        # A page: an error at each citizen's missing path, none where there is nothing to miss.
        response = live.post(page, user=user)
        assert response.status_code == 200
        body = response.json()
        nodes = body["data"]["citizens"]["nodes"]
        assert [node["id"] for node in nodes] == [str(c) for c in page_citizens]
        assert [node["housing"] for node in nodes] == [
            node["housing"] for node in full_page["data"]["citizens"]["nodes"]]
        assert all(node["socialCare"] is None for node in nodes)
        assert sorted(tuple(e["path"]) for e in body.get("errors", [])) == sorted(
            ("citizens", "nodes", index, "socialCare") for index, citizen in enumerate(page_citizens)
            if "socialcare" in page_links[citizen])
        # While the outage is known, the failing department is left out at once: no failed
        # fetch first (resolve and fetch only, both finished). The request before refreshes
        # the verdict, so a slow machine cannot let it expire in between.
        assert live.post(FULL_VIEW, {"id": str(citizens[0])}).status_code == 200
        known = _user("mariadb-known-down")
        assert live.post(FULL_VIEW, {"id": str(citizens[0])}, user=known).status_code == 200
        assert _queries(trino_cursor, known) == [("FINISHED", ""), ("FINISHED", "")]
        ready = httpx.get(f"{live.url}/readyz", timeout=60)
        assert ready.status_code == 503
        assert ready.json()["checks"]["socialcare"] != "ok"
    finally:
        mariadb.start(stack)
        trino.wait_ready(stack, 120)
    records = [r for r in live.gateway.audit.records() if r["user"] == user]
    assert len(records) == len(citizens) + 1
    links = _links(reference, citizens)
    for citizen, record in zip(citizens, records, strict=False):
        lost = sorted(set(MARIADB_DEPARTMENTS) & links[citizen])
        assert (record["outcome"], record.get("missing", [])) == (
            "partial" if lost else "answered", lost), citizen
    assert records[-1]["outcome"] == "partial" and records[-1]["missing"] == ["socialcare"]
    metrics = httpx.get(f"{live.url}/metrics").text
    assert 'gateway_degraded_responses_total{department="socialcare"}' in metrics
    assert 'gateway_department_up{department="socialcare"} 0.0' in metrics

    def full_again() -> bool:
        responses = [live.post(FULL_VIEW, {"id": str(citizen)}) for citizen in citizens]
        return all(r.status_code == 200 and "errors" not in r.json() for r in responses)

    _wait(full_again, 30, "full answers after MariaDB is back")
    for citizen in citizens:
        response = live.post(FULL_VIEW, {"id": str(citizen)})
        assert response.json() == {"data": {"citizen": expected[citizen]},
                                   "extensions": response.json()["extensions"]}
        assert set(response.json()["extensions"]["departments"].values()) == {"ok"}


# ------------------------------------------------------------------ Trino


def test_trino_unreachable_is_503_within_seconds(stack: Settings, tmp_path: Path) -> None:
    with live_gateway(tmp_path, ALL_CLEAR, trino_port=free_port()) as live:
        for query in ["{ citizen(id: 1) { id } }", FULL_VIEW]:
            started = time.monotonic()
            response = live.post(query, {"id": "1"} if query == FULL_VIEW else None)
            assert time.monotonic() - started < 3
            assert response.status_code == 503, response.text
            assert response.json()["errors"][0]["extensions"]["code"] == "ENGINE_UNAVAILABLE"
            assert int(response.headers["retry-after"]) > 0
        assert httpx.get(f"{live.url}/readyz", timeout=30).status_code == 503
        assert live.post("{ __typename }").status_code == 200


def test_trino_stopped_is_503_fast_and_answers_again_after_it_restarts(
        stack: Settings, failing_gateway: LiveGateway) -> None:
    live = failing_gateway
    assert live.post("{ citizen(id: 1) { id } }").status_code == 200
    trino.stop(stack)
    statuses: list[int] = []
    try:
        for _ in range(3):
            started = time.monotonic()
            response = live.post("{ citizen(id: 1) { id } }")
            assert time.monotonic() - started < 3, "a stopped Trino must not hold a request"
            assert response.status_code == 503, response.text
            assert response.json()["errors"][0]["extensions"]["code"] == "ENGINE_UNAVAILABLE"
        assert httpx.get(f"{live.url}/readyz", timeout=30).status_code == 503
    finally:
        trino.start(stack)
        deadline = time.monotonic() + stack.ready_timeout
        while time.monotonic() < deadline:  # while it starts: 503 or 200, nothing else, no hang
            started = time.monotonic()
            response = live.post("{ citizen(id: 1) { id } }")
            assert time.monotonic() - started < 25
            statuses.append(response.status_code)
            if response.status_code == 200:
                break
            time.sleep(1)
        trino.wait_started(stack, stack.ready_timeout)
        trino.wait_ready(stack, stack.ready_timeout)
    assert set(statuses) <= {200, 503}, statuses
    assert statuses[-1] == 200
