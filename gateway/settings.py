"""Settings: one frozen object read once at start-up from the environment (and an optional .env file).

Every setting is documented by its `description`; `citizen-gateway settings` prints the table.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from gateway.errors import ConfigError

# What the package ships (in a checkout, links to the repository's own files; in a wheel, copies):
# the contract, the council's example policies and the connector files. A council's deployment
# points the settings below at its own directories instead.
SHIPPED = Path(str(importlib.resources.files("gateway") / "shipped")).resolve()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", env_file=".env", frozen=True,
                                      extra="ignore")

    listen_host: str = Field("127.0.0.1", description="Address the gateway listens on.")
    listen_port: int = Field(8000, description="Port the gateway listens on.")
    contract_path: Path = Field(SHIPPED / "schema.graphql",
                                description="The citizen-view contract (schema.graphql).")
    policy_dir: Path = Field(SHIPPED / "policies",
                             description="Folder of the Casbin model and policy files.")
    audit_path: Path = Field(Path("/var/tmp/citizen-gateway/audit.jsonl"),
                             description="Append-only audit log (JSON lines, hash-chained).")

    engine: str = Field("trino", description="Query engine: trino or duckdb.")
    connectors_dir: Path = Field(SHIPPED / "connectors", description=(
        "Department catalog files (<department>.properties): Trino's catalogs, and what the duckdb "
        "engine attaches (the same connection-url, user and password)."))
    duckdb_sqlite_dir: Path | None = Field(None, description=(
        "duckdb engine: attach <dir>/<department>.sqlite (the demo's files) instead of the "
        "databases named in connectors_dir."))
    duckdb_connections: int = Field(8, ge=1, description=(
        "duckdb engine: idle connections kept for reuse; more are opened while more queries run."))
    duckdb_threads: int = Field(1, ge=1, description=(
        "duckdb engine: threads one query may use. At 1 each query runs on the thread that asked "
        "(queries still run side by side); more lets one query scan several tables of one MySQL "
        "database at once, which the 1.5 mysql scanner does not do safely."))
    duckdb_worker_process: bool = Field(True, description=(
        "duckdb engine: run it in a supervised child process, so a native crash fails the queries "
        "in flight with 503 and the engine restarts, instead of taking the gateway down."))
    trino_host: str = Field("127.0.0.1", description="Trino coordinator host.")
    trino_port: int = Field(58080, description="Trino coordinator port.")
    trino_http_scheme: str = Field("http", description="http or https.")
    query_timeout_seconds: float = Field(20.0, description=(
        "Longest an engine query may run: sent as Trino's query_max_run_time, and the gateway "
        "cancels the query itself shortly after. Over it: 504 ENGINE_TIMEOUT."))
    max_engine_queries_in_flight: int = Field(16, ge=1, description=(
        "Requests using the engine at once (each runs its queries one after another, so this "
        "bounds the engine queries in flight); beyond it a request waits in a short queue "
        "(engine_queue_size, engine_queue_wait_seconds), then 503 OVERLOADED with Retry-After."))

    # -- hardening: limits, timeouts, degraded answers, backpressure, operations (README: Settings)
    max_body_bytes: int = Field(64 * 1024, ge=1024, description=(
        "Largest POST body read; over it: 413 LIMIT_EXCEEDED (bodySize)."))
    max_document_chars: int = Field(15_000, ge=100, description=(
        "Longest GraphQL document, in characters; over it: 400 LIMIT_EXCEEDED (documentSize)."))
    max_tokens: int = Field(1_000, ge=10, description=(
        "Most lexical tokens in a document (graphql-core's parser max_tokens); over it: 400 "
        "LIMIT_EXCEEDED (tokens)."))
    max_depth: int = Field(6, ge=1, description=(
        "Deepest field nesting (a root field is depth 1; `ofType` chains of introspection do not "
        "count); over it: 400 LIMIT_EXCEEDED (depth)."))
    max_aliases: int = Field(15, ge=0, description=(
        "Most aliased fields in the operation, fragments expanded; over it: 400 LIMIT_EXCEEDED "
        "(aliases)."))
    max_directives: int = Field(50, ge=0, description=(
        "Most directive uses in the operation, fragments expanded; over it: 400 LIMIT_EXCEEDED "
        "(directives)."))
    max_cost: float = Field(5_000, gt=0, description=(
        "Largest operation cost: each field costs cost_object or cost_scalar times "
        "cost_depth_factor^(depth-1), fragments expanded; over it: 400 LIMIT_EXCEEDED (cost)."))
    cost_object: float = Field(2, ge=0, description="Cost of a field of an object type.")
    cost_scalar: float = Field(1, ge=0, description="Cost of a field of a scalar or enum type.")
    cost_depth_factor: float = Field(1.5, ge=1, description=(
        "Each level of nesting multiplies a field's cost by this factor."))
    max_list_size: int = Field(100, ge=1, le=100, description=(
        "Largest `first` of any list (at most 100, the planner's ceiling); over it: 400 "
        "BAD_USER_INPUT with extensions.limit = first."))
    list_size_limits: dict[str, int] = Field(default_factory=dict, description=(
        "Smaller `first` caps per list field, by schema coordinate, e.g. "
        '{"Patient.encounters": 50, "Query.citizens": 25} (JSON in the environment).'))
    max_related_filters: int = Field(12, ge=1, description=(
        "Most filters on related records (a department, a nested record or list: `exists`, "
        "`some`, `none`, `every`) in one request, each a semi-join in the engine; over it: 400 "
        "LIMIT_EXCEEDED (relatedFilters)."))
    max_validation_errors: int = Field(100, ge=1, description=(
        "Validation stops after this many errors (the last error then says so)."))
    request_timeout_seconds: float = Field(30.0, gt=0, description=(
        "Longest one request may spend in the engine, all its queries and probes together; "
        "over it: 504 ENGINE_TIMEOUT."))
    engine_connect_timeout_seconds: float = Field(3.0, gt=0, description=(
        "Longest wait to connect to the engine; an engine that does not accept: 503 at once."))
    engine_queue_size: int = Field(32, ge=0, description=(
        "Requests that may wait for an engine slot when all are busy; beyond it: 503 OVERLOADED "
        "with Retry-After."))
    engine_queue_wait_seconds: float = Field(2.0, ge=0, description=(
        "Longest a request waits for an engine slot before 503 OVERLOADED."))
    rate_limit_per_second: float = Field(20.0, ge=0, description=(
        "Requests per second each user may sustain (token bucket refill); 0 turns the rate limit "
        "off. Over it: 429 RATE_LIMITED with Retry-After."))
    rate_limit_burst: int = Field(60, ge=1, description=(
        "Requests a user may send at once before the rate applies (token bucket size)."))
    degraded_answers: bool = Field(True, description=(
        "When a department other than the registry does not answer, answer with the others and "
        "a DEPARTMENT_UNAVAILABLE error at each missing path (off: the whole request fails, 503)."))
    department_status_ttl_seconds: float = Field(5.0, ge=0, description=(
        "How long a department found down by a probe is left out before it is tried again."))
    probe_timeout_seconds: float = Field(3.0, gt=0, description=(
        "Longest a per-department probe (a one-row read through the engine) may take."))
    log_level: str = Field("INFO", description=(
        "Level of the gateway's JSON log lines (stderr): DEBUG, INFO, WARNING, ERROR."))
    access_log: bool = Field(True, description=(
        "One JSON line per request (logger gateway.access): who, why, what (operation hash), "
        "stage timings, engine query ids, outcome; never a data value."))
    metrics_enabled: bool = Field(True, description="Serve Prometheus metrics at /metrics.")

    jwt_secret: str | None = Field(None, description="Shared HS256 secret verifying bearer tokens.")
    jwt_public_key_file: Path | None = Field(None, description=(
        "PEM public key or JWKS file verifying RS256/ES256 bearer tokens."))
    jwt_issuer: str = Field("citizen-gateway-dev", description="Required `iss` of bearer tokens.")
    jwt_audience: str = Field("citizen-gateway", description="Required `aud` of bearer tokens.")
    dev_mode: bool = Field(False, description=(
        "Development only: enables the built-in development signing key and `citizen-gateway "
        "token`. Never in production."))

    pseudonym_key: str = Field("", description=(
        "Secret key of the deterministic pseudonyms (keyed hash). Required outside dev_mode."))
    cursor_key: str = Field("", description=(
        "Secret key signing pagination cursors. Required outside dev_mode."))


DEV_SECRET = "citizen-gateway-development-only-secret-do-not-deploy"


def load_settings() -> Settings:
    """The settings from the environment; a bad value is one ConfigError naming each variable."""
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"GATEWAY_{'_'.join(str(part) for part in problem['loc']).upper()}: {problem['msg']}"
            for problem in error.errors())
        raise ConfigError(problems) from None
