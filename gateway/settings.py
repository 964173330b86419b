"""Settings: one frozen object read once at start-up from the environment (and an optional .env file).

Every setting is documented by its `description`; `citizen-gateway settings` prints the table.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", env_file=".env", frozen=True,
                                      extra="ignore")

    listen_host: str = Field("127.0.0.1", description="Address the gateway listens on.")
    listen_port: int = Field(8000, description="Port the gateway listens on.")
    contract_path: Path = Field(REPO_ROOT / "schema.graphql",
                                description="The citizen-view contract (schema.graphql).")
    policy_dir: Path = Field(REPO_ROOT / "policies",
                             description="Folder of the Casbin model and policy files.")
    audit_path: Path = Field(Path("/var/tmp/citizen-gateway/audit.jsonl"),
                             description="Append-only audit log (JSON lines, hash-chained).")

    engine: str = Field("trino", description="Query engine: trino or duckdb.")
    trino_host: str = Field("127.0.0.1", description="Trino coordinator host.")
    trino_port: int = Field(58080, description="Trino coordinator port.")
    trino_http_scheme: str = Field("http", description="http or https.")
    query_timeout_seconds: float = Field(20.0, description=(
        "Longest an engine query may run; set as Trino's query_max_run_time and as the client's "
        "timeout. Over it: 504."))
    max_engine_queries_in_flight: int = Field(16, description=(
        "Engine queries running at once; beyond it requests are refused with 503 and Retry-After."))

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
    return Settings()
