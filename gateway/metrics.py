"""Metrics: Prometheus counters and histograms, served at /metrics.

Each gateway has its own registry (several gateways can live in one process, as in the tests).
Labels are bounded sets (outcomes, codes, limits, departments, engine steps): never a user, a
citizen or a query text.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST

_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "gateway_requests", "GraphQL requests answered, by outcome and error code.",
            ["outcome", "code"], registry=r)
        self.latency = Histogram(
            "gateway_request_duration_seconds", "Time to answer a GraphQL request, by outcome.",
            ["outcome"], buckets=_LATENCY, registry=r)
        self.engine_time = Histogram(
            "gateway_engine_query_duration_seconds",
            "Time of each engine query as the gateway saw it, by step "
            "(single, resolve, fetch, probe).", ["step"], buckets=_LATENCY, registry=r)
        self.engine_queries = Counter(
            "gateway_engine_queries", "Engine queries, by step and result (ok, error, timeout, "
            "unavailable).", ["step", "result"], registry=r)
        self.in_flight = Gauge(
            "gateway_engine_queries_in_flight", "Engine queries running now.", registry=r)
        self.policy_denials = Counter(
            "gateway_policy_denials", "Requests refused by the access policy (403).", registry=r)
        self.limit_rejections = Counter(
            "gateway_limit_rejections", "Requests refused for going over a limit, by limit.",
            ["limit"], registry=r)
        self.degraded = Counter(
            "gateway_degraded_responses",
            "Answers given without a department that did not answer, by department.",
            ["department"], registry=r)
        self.rejections = Counter(
            "gateway_backpressure_rejections",
            "Requests refused before the engine: rate limited (429) or overloaded (503).",
            ["reason"], registry=r)
        self.department_up = Gauge(
            "gateway_department_up",
            "Last probe of each department catalog: 1 answers, 0 does not.", ["department"],
            registry=r)

    def probe(self, department: str, up: bool, seconds: float) -> None:
        self.department_up.labels(department).set(1 if up else 0)
        self.engine_time.labels("probe").observe(seconds)
        self.engine_queries.labels("probe", "ok" if up else "error").inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
