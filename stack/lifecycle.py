"""The whole local stack: up, down, status and ready, part by part, in dependency order."""

from __future__ import annotations

import time
from collections.abc import Callable

from stack import mariadb, postgres, trino
from stack.errors import StackError
from stack.seed import ensure_seeded
from stack.settings import CONNECTORS_DIR, DEPARTMENTS, HOST, Settings, departments_on

Say = Callable[[str], None]


def _timed(say: Say, part: str, step: Callable[[], None]) -> None:
    started = time.monotonic()
    step()
    say(f"{part}: up in {time.monotonic() - started:.1f}s")


def _catalogs_changed(settings: Settings) -> bool:
    """Whether connectors/ differs from the catalog files the running Trino was started with."""
    running = settings.trino_dir / "etc" / "catalog"
    for source in CONNECTORS_DIR.glob("*.properties"):
        copy = running / source.name
        if not copy.exists() or copy.read_bytes() != source.read_bytes():
            return True
    return False


def up(settings: Settings, say: Say = print) -> None:
    """Bring every part up (idempotent), seed if empty, and wait until every catalog answers."""
    started = time.monotonic()
    settings.stack_dir.mkdir(parents=True, exist_ok=True)
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    _timed(say, "postgres", lambda: postgres.up(settings))
    _timed(say, "mariadb", lambda: mariadb.up(settings))
    ensure_seeded(settings, say)
    if trino.running(settings) and _catalogs_changed(settings):
        say("trino: connectors/ changed since it started; restarting")
        trino.stop(settings)
    _timed(say, "trino", lambda: trino.up(settings))
    counts = trino.wait_ready(settings, settings.ready_timeout)
    say(
        "trino: every catalog answers ("
        + ", ".join(f"{name} {rows} rows" for name, rows in counts.items()) + ")"
    )
    say(f"stack up in {time.monotonic() - started:.1f}s")
    for line in where(settings):
        say(line)


def where(settings: Settings) -> list[str]:
    pg = ", ".join(d.name for d in departments_on("postgres"))
    maria = ", ".join(d.name for d in departments_on("mariadb"))
    return [
        f"  postgres  {HOST}:{settings.postgres_port}  databases {pg}",
        f"  mariadb   {HOST}:{settings.mariadb_port}  databases {maria}",
        f"  trino     http://{HOST}:{settings.trino_port}  catalogs "
        + ", ".join(d.name for d in DEPARTMENTS),
    ]


def down(settings: Settings, say: Say = print) -> list[StackError]:
    """Stop Trino, MariaDB and PostgreSQL; every part is tried even if one fails."""
    failures: list[StackError] = []
    for part, stop in (("trino", trino.stop), ("mariadb", mariadb.stop),
                       ("postgres", postgres.stop)):
        try:
            stop(settings)
            say(f"{part}: stopped")
        except StackError as error:
            failures.append(error)
    return failures


def status(settings: Settings) -> dict[str, tuple[bool, str]]:
    """Each part: (running, description)."""
    return {
        "postgres": (postgres.running(settings), postgres.status(settings)),
        "mariadb": (mariadb.running(settings), mariadb.status(settings)),
        "trino": (trino.running(settings), trino.status(settings)),
    }


def ready(settings: Settings) -> dict[str, int]:
    """Every reader account logs in directly, then every catalog answers through Trino."""
    for department in DEPARTMENTS:
        engine = postgres if department.engine == "postgres" else mariadb
        engine.check(settings, department)
    return trino.ready(settings)
