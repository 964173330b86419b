"""Assembly: every part of the gateway built once from the settings, and the ASGI app over them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLSchema
from starlette.applications import Starlette

from gateway import logs
from gateway.audit import AuditLog
from gateway.contract.contract import Contract, load_contract
from gateway.contract.schema import build_executable_schema
from gateway.engine import Engine
from gateway.engine.trino import TrinoEngine
from gateway.errors import ConfigError, GatewayError
from gateway.http.app import create_app
from gateway.http.auth import TokenVerifier
from gateway.http.explorer import explorer_routes
from gateway.http.governance_page import governance_routes
from gateway.metrics import GatewayMetrics
from gateway.pipeline.backpressure import EngineSlots, RateLimiter
from gateway.pipeline.degraded import DepartmentStatus, probe_tables
from gateway.pipeline.limits import Limits
from gateway.pipeline.service import CitizenViewService, Hardening
from gateway.policy.store import PolicyStore
from gateway.settings import DEV_SECRET, Settings

log = logging.getLogger(__name__)


@dataclass
class Gateway:
    settings: Settings
    contract: Contract
    schema: GraphQLSchema
    engine: Engine
    policies: PolicyStore
    verifier: TokenVerifier
    audit: AuditLog
    service: CitizenViewService
    app: Starlette
    metrics: GatewayMetrics | None = None
    departments: DepartmentStatus | None = None

    def close(self) -> None:
        """What the app's lifespan ends: the probe threads, then the engine."""
        if self.departments is not None:
            self.departments.close()
        self.engine.close()


def _secret(settings: Settings, value: str, name: str) -> str:
    if value:
        return value
    if not settings.dev_mode:
        raise ConfigError(f"GATEWAY_{name.upper()} must be set (a long random secret)")
    return f"{DEV_SECRET}:{name}"


def build_engine(settings: Settings, contract: Contract) -> Engine:
    if settings.engine == "duckdb":
        if settings.duckdb_worker_process:
            from gateway.engine.duckdb.worker import SupervisedDuckDB

            return SupervisedDuckDB(settings, contract.departments())
        from gateway.engine.duckdb.engine import DuckDBEngine  # loads duckdb only when chosen

        return DuckDBEngine(settings, contract.departments())
    if settings.engine != "trino":
        raise ConfigError(f"GATEWAY_ENGINE must be trino or duckdb, not {settings.engine!r}")
    return TrinoEngine(settings, contract.departments())


def build_gateway(settings: Settings, engine: Engine | None = None) -> Gateway:
    contract = load_contract(settings.contract_path)
    schema = build_executable_schema(contract).graphql_schema
    engine = engine or build_engine(settings, contract)
    policies = PolicyStore(settings.policy_dir, contract, poll_seconds=1.0)
    verifier = TokenVerifier(settings, vocabulary=lambda: policies.current().vocabulary)
    audit = AuditLog(settings.audit_path)
    logs.configure(settings.log_level)
    metrics = GatewayMetrics()
    departments = DepartmentStatus(engine, probe_tables(contract),
                                   ttl=settings.department_status_ttl_seconds,
                                   timeout=settings.probe_timeout_seconds, on_probe=metrics.probe)

    service = CitizenViewService(
        contract, schema, engine, policies.current,
        cursor_key=_secret(settings, settings.cursor_key, "cursor_key").encode(),
        pseudonym_key=_secret(settings, settings.pseudonym_key, "pseudonym_key"),
        limits=Limits.from_settings(settings),
        hardening=Hardening(
            request_timeout=settings.request_timeout_seconds,
            slots=EngineSlots(settings.max_engine_queries_in_flight, settings.engine_queue_size,
                              settings.engine_queue_wait_seconds),
            departments=departments, degraded_answers=settings.degraded_answers, metrics=metrics),
    )

    def readiness() -> dict[str, Any]:
        try:  # a one-row read per department (metadata Trino cached would not prove it
            # answers); a verdict under 2 s old is reused, so /readyz cannot flood the engine
            found = departments.probe(departments.tables, max_age=2.0)
            checks: dict[str, Any] = {department: "ok" if up else "does not answer"
                                      for department, up in found.items()}
        except GatewayError as error:
            checks = {department: error.message for department in departments.tables}
        policy_status = policies.status()
        checks["policy"] = {"status": "ok" if policy_status["ready"] else "unavailable",
                            **policy_status}
        return checks

    pages = explorer_routes() + governance_routes(policies)
    app = create_app(service, verifier.verify, audit.record_request, pages, readiness,
                     metrics=metrics if settings.metrics_enabled else None,
                     rate_limiter=RateLimiter(settings.rate_limit_per_second,
                                              settings.rate_limit_burst),
                     max_body_bytes=settings.max_body_bytes, access_log=settings.access_log,
                     on_shutdown=lambda: gateway.close())
    gateway = Gateway(settings, contract, schema, engine, policies, verifier, audit, service, app,
                      metrics, departments)
    return gateway
