"""The one-command demo: a small synthetic council in local SQLite files, the gateway over DuckDB.

No PostgreSQL, MariaDB, Trino or network: the council generator writes one SQLite file per
department (council.sqlite) into a local folder, once (later runs reuse it), and the gateway
attaches them with the DuckDB engine, in dev_mode, under the shipped policies/. GraphiQL is the
page at `/`; the printed tokens are signed with the development key, one per demo role.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gateway.http.auth import issue_token
from gateway.settings import SHIPPED, Settings

HOST = "127.0.0.1"  # the demo listens on loopback only
DEFAULT_CITIZENS = 2000
SEED = 7
TOKEN_HOURS = 12


@dataclass(frozen=True)
class DemoRole:
    role: str
    purpose: str
    team: str | None = None
    why: str = ""


# Three roles that show the policy at work: a caseworker sees social care, education and housing
# for safeguarding (health only as who and when), a clinician sees health in full but NI numbers
# redacted, an analyst only lists citizens, pseudonymised and generalised.
ROLES: tuple[DemoRole, ...] = (
    DemoRole("caseworker", "safeguarding", "north-children", "safeguarding, team north-children"),
    DemoRole("clinician", "direct_care", None, "direct care"),
    DemoRole("analyst", "service_planning", None, "service planning, pseudonymised"),
)


def default_directory(citizens: int, seed: int = SEED) -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "citizen-gateway" / "demo" / f"council-{citizens}-seed{seed}"


def prepare_council(directory: Path, citizens: int, seed: int,
                    say: Callable[[str], None]) -> bool:
    """The council's SQLite files in `directory`: reused if they match, else generated. True if
    generated now."""
    from council.sqlite import is_current, write_sqlite

    if is_current(directory, citizens, seed):
        return False
    say(f"generating {citizens:,} synthetic citizens (seed {seed}) into {directory}")
    report = write_sqlite(citizens, seed, directory)
    say(f"{report.total:,} rows in {report.seconds:.1f}s")
    return True


def demo_settings(directory: Path, port: int) -> Settings:
    return Settings(
        engine="duckdb", duckdb_sqlite_dir=directory, dev_mode=True,
        listen_host=HOST, listen_port=port,
        policy_dir=SHIPPED / "policies", contract_path=SHIPPED / "schema.graphql",
        audit_path=directory / "audit.jsonl", log_level="WARNING",
    )


def tokens(settings: Settings) -> list[tuple[DemoRole, str]]:
    now = int(time.time())
    return [(role, issue_token(settings, f"demo-{role.role}", [role.role], role.purpose,
                               {"team": role.team} if role.team else {},
                               ttl_seconds=TOKEN_HOURS * 3600, now=now))
            for role in ROLES]


def banner(settings: Settings, citizens: int) -> tuple[str, str]:
    """The two lines the demo prints: where it listens, and a token per demo role."""
    url = f"http://{settings.listen_host}:{settings.listen_port}"
    where = (f"Citizen view demo ({citizens:,} synthetic citizens, DuckDB over "
             f"{settings.duckdb_sqlite_dir}): GraphiQL at {url}/ , GraphQL at {url}/graphql")
    listed = "  ".join(f"{role.role} ({role.why}): {token}" for role, token in tokens(settings))
    return where, f"Tokens (paste one into the page; valid {TOKEN_HOURS} h): {listed}"


def serve(settings: Settings, citizens: int, announce: Callable[[str], None]) -> int:
    """Run the gateway until interrupted; announce the two lines once it accepts connections."""
    import uvicorn

    from gateway.wiring import build_gateway

    gateway = build_gateway(settings)
    server = uvicorn.Server(uvicorn.Config(gateway.app, host=settings.listen_host,
                                           port=settings.listen_port, log_level="warning",
                                           lifespan="on"))

    def wait_and_announce() -> None:
        while not server.started:
            if server.should_exit:
                return
            time.sleep(0.02)
        for line in banner(settings, citizens):
            announce(line)

    threading.Thread(target=wait_and_announce, name="demo-banner", daemon=True).start()
    server.run()
    return 0 if server.started else 1
