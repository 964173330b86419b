"""The local Trino server: fetched with Maven, unpacked to the cache, one coordinator node."""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import trino

from stack.errors import StackError
from stack.process import port_open, run
from stack.settings import (
    CONNECTORS_DIR,
    DEPARTMENTS,
    HOST,
    TRINO_VERSION,
    Department,
    Settings,
)

PART = "trino"
# the connectors the departments need, and geospatial: the PostgreSQL connector maps PostGIS
# columns to its Geometry type and will not load without it
PLUGINS = ("postgresql", "mariadb", "geospatial")
STACK_USER = "citizen-gateway-stack"


# --- fetching and unpacking ------------------------------------------------------------------


def fetch(settings: Settings) -> None:
    """Download the server tarball into the Maven repository with the ordinary Maven client."""
    if settings.trino_tarball.exists():
        return
    run(
        PART,
        [
            "mvn", "-q", "-B", f"-Dmaven.repo.local={settings.m2_dir}", "dependency:get",
            f"-Dartifact=io.trino:trino-server:{TRINO_VERSION}:tar.gz", "-Dtransitive=false",
        ],
        timeout=1800,
    )
    if not settings.trino_tarball.exists():
        raise StackError(PART, f"mvn finished but {settings.trino_tarball} is absent")


def installed(settings: Settings) -> bool:
    home = settings.trino_home
    return (home / "bin" / "launcher").exists() and all(
        (home / "plugin" / name).is_dir() for name in PLUGINS
    )


def install(settings: Settings) -> None:
    """Unpack lib/, bin/ and the two JDBC plugins (the tarball's plugins share files through
    hard links, so it is unpacked whole into a staging directory and the parts moved out)."""
    if installed(settings):
        return
    fetch(settings)
    home = settings.trino_home
    staging = settings.cache_dir / f".staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        with tarfile.open(settings.trino_tarball) as archive:
            archive.extractall(staging, filter="tar")
        unpacked = staging / f"trino-server-{TRINO_VERSION}"
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        for part in ("lib", "bin"):
            (unpacked / part).rename(home / part)
        (home / "plugin").mkdir()
        for name in PLUGINS:
            (unpacked / "plugin" / name).rename(home / "plugin" / name)
    except (OSError, tarfile.TarError) as error:
        raise StackError(PART, f"cannot unpack {settings.trino_tarball} ({error})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# --- configuration -----------------------------------------------------------------------------


def _etc(settings: Settings) -> Path:
    return settings.trino_dir / "etc"


def _data(settings: Settings) -> Path:
    return settings.trino_dir / "data"


def write_etc(settings: Settings) -> None:
    """etc/ under $CITIZEN_STACK_DIR/trino; catalogs copied from the repository's connectors/."""
    etc = _etc(settings)
    catalogs = etc / "catalog"
    catalogs.mkdir(parents=True, exist_ok=True)
    _data(settings).mkdir(parents=True, exist_ok=True)
    (etc / "node.properties").write_text(
        "node.environment=citizen_gateway_local\n"
        "node.id=citizen-gateway-local-1\n"
        f"node.data-dir={_data(settings)}\n"
        f"node.bind-ip={HOST}\n"  # listen on loopback only
        f"node.internal-address={HOST}\n"
    )
    (etc / "jvm.config").write_text(
        "\n".join([
            "-server",
            f"-Xmx{settings.trino_heap}",
            "-XX:+UseG1GC",
            "-XX:G1HeapRegionSize=32M",
            "-XX:+ExplicitGCInvokesConcurrent",
            "-XX:+ExitOnOutOfMemoryError",
            "-XX:-OmitStackTraceInFastThrow",
            "-XX:ReservedCodeCacheSize=256M",
            "-XX:PerMethodRecompilationCutoff=10000",
            "-XX:PerBytecodeRecompilationCutoff=10000",
            "-Djdk.attach.allowAttachSelf=true",
            "-Djdk.nio.maxCachedBufferSize=2000000",
            "-Dfile.encoding=UTF-8",
            "-XX:+EnableDynamicAgentLoading",
            # a single small node: keep compiler threads from fighting the 2 cores
            "-XX:CICompilerCount=2",
        ]) + "\n"
    )
    (etc / "config.properties").write_text(
        "coordinator=true\n"
        "node-scheduler.include-coordinator=true\n"
        f"http-server.http.port={settings.trino_port}\n"
        f"discovery.uri=http://{HOST}:{settings.trino_port}\n"
        # a lookup answers in well under a second; nothing interactive should run for long
        "query.max-run-time=5m\n"
        "query.max-execution-time=5m\n"
        # catalogs: the files copied below; CREATE/DROP CATALOG allowed so tests can add a
        # throwaway catalog (e.g. one with a wrong password) without restarting the server
        "catalog.management=dynamic\n"
        "catalog.store=file\n"  # its settings: etc/catalog-store.properties
        # one node, few cores: fewer threads per query
        "task.concurrency=2\n"
        "task.max-worker-threads=4\n"
    )
    (etc / "catalog-store.properties").write_text(f"catalog.config-dir={catalogs}\n")
    (etc / "log.properties").write_text("io.trino=INFO\n")
    for stale in catalogs.glob("*.properties"):
        stale.unlink()
    for source in sorted(CONNECTORS_DIR.glob("*.properties")):
        shutil.copyfile(source, catalogs / source.name)


def server_env(settings: Settings) -> dict[str, str]:
    """Trino's process environment: the values of the catalogs' `${ENV:...}` references."""
    env = dict(os.environ)
    env.update(settings.connector_env())
    env["JAVA_HOME"] = str(settings.java_home)
    env["PATH"] = f"{settings.java_home / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}"
    return env


def _launcher(settings: Settings, command: str) -> list[str]:
    return [
        str(settings.trino_home / "bin" / "launcher"),
        f"--etc-dir={_etc(settings)}", f"--data-dir={_data(settings)}",
        f"--jvm-dir={settings.java_home}", command,
    ]


# --- lifecycle ---------------------------------------------------------------------------------


def _info(settings: Settings, timeout: float = 3) -> dict[str, Any] | None:
    url = f"http://{HOST}:{settings.trino_port}/v1/info"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            info: dict[str, Any] = json.load(response)
            return info
    except (OSError, ValueError, urllib.error.URLError):
        return None


def _pid(settings: Settings) -> int | None:
    try:
        pid = int((_data(settings) / "var" / "run" / "launcher.pid").read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def running(settings: Settings) -> bool:
    return _pid(settings) is not None


def start(settings: Settings) -> None:
    java = settings.java_home / "bin" / "java"
    if not java.exists():
        raise StackError(PART, f"no Java at {java} (Trino {TRINO_VERSION} needs Java 24+)")
    if port_open(HOST, settings.trino_port):
        raise StackError(PART, f"port {HOST}:{settings.trino_port} is taken by another process")
    write_etc(settings)
    run(PART, _launcher(settings, "start"), env=server_env(settings), timeout=60)


def stop(settings: Settings) -> None:
    if not settings.trino_home.exists() or not running(settings):
        return
    run(PART, _launcher(settings, "stop"), timeout=60)
    deadline = time.monotonic() + 60
    while running(settings):
        if time.monotonic() > deadline:
            raise StackError(PART, "server did not stop within 60s")
        time.sleep(0.3)


def _log_tail(settings: Settings) -> str:
    log = _data(settings) / "var" / "log" / "server.log"
    try:
        errors = [line for line in log.read_text(errors="replace").splitlines() if "ERROR" in line]
    except OSError:
        return f"see {log}"
    return f"{errors[-1][:300]} (see {log})" if errors else f"see {log}"


def wait_started(settings: Settings, timeout: float) -> None:
    """Wait for the coordinator to finish starting (GET /v1/info says starting=false)."""
    deadline = time.monotonic() + timeout
    while True:
        info = _info(settings)
        if info is not None and not info.get("starting", True):
            return
        if not running(settings):
            raise StackError(PART, f"server exited during start-up: {_log_tail(settings)}")
        if time.monotonic() > deadline:
            raise StackError(
                PART, f"not answering on {HOST}:{settings.trino_port} after {timeout:.0f}s: "
                f"{_log_tail(settings)}",
            )
        time.sleep(0.5)


# --- queries -----------------------------------------------------------------------------------


def connect(settings: Settings, user: str = STACK_USER, timeout: float = 30) -> Any:
    """A DB-API connection to the local Trino: one attempt per request, bounded run time."""
    return trino.dbapi.connect(  # type: ignore[no-untyped-call]
        host=HOST, port=settings.trino_port, user=user, http_scheme="http",
        request_timeout=timeout, max_attempts=1,
        session_properties={"query_max_run_time": f"{int(timeout)}s"},
    )


def _first_line(error: BaseException) -> str:
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    return " ".join(str(message).split())[:400]


def probe(settings: Settings, catalog: str, schema: str, table: str, timeout: float = 30) -> int:
    """Count a table's rows through `catalog`; raise StackError naming the catalog if it fails."""
    part = f"trino catalog {catalog}"
    try:
        connection = connect(settings, timeout=timeout)
        try:
            cursor = connection.cursor()
            cursor.execute(f'SELECT count(*) FROM "{catalog}"."{schema}"."{table}"')
            rows = cursor.fetchall()
        finally:
            connection.close()
    except trino.exceptions.TrinoUserError as error:
        if error.error_name == "TABLE_NOT_FOUND":
            raise StackError(
                part, f"table {catalog}.{schema}.{table} does not exist "
                "(not seeded yet? run: citizen-gateway seed)",
            ) from None
        raise StackError(part, _first_line(error)) from None
    except Exception as error:  # noqa: BLE001 - any failure is reported as one line
        raise StackError(part, _first_line(error)) from None
    return int(rows[0][0])


def ready(settings: Settings, departments: Iterable[Department] = DEPARTMENTS) -> dict[str, int]:
    """Every catalog answers a query: {catalog: rows in its probe table}."""
    if _info(settings) is None:
        raise StackError(PART, f"not answering on {HOST}:{settings.trino_port}")
    return {
        d.name: probe(settings, d.name, d.name, d.probe_table) for d in departments
    }


# failures that waiting will not cure: stop retrying at once
_FATAL = ("does not exist", "password", "access denied", "failed to initialize", "denied")


def wait_ready(settings: Settings, timeout: float) -> dict[str, int]:
    """Retry `ready` until every catalog answers (catalogs load after the server starts)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return ready(settings)
        except StackError as error:
            if time.monotonic() > deadline:
                raise StackError(error.part, f"{error.message} (after {timeout:.0f}s)") from None
            if any(fatal in error.message.lower() for fatal in _FATAL):
                raise
        time.sleep(1)


def up(settings: Settings) -> None:
    install(settings)
    if not running(settings):
        start(settings)
    wait_started(settings, settings.ready_timeout)


def status(settings: Settings) -> str:
    if not installed(settings):
        return f"not installed ({settings.trino_home} absent)"
    if not running(settings):
        return "stopped"
    info = _info(settings)
    if info is None:
        return f"process running, not answering on {HOST}:{settings.trino_port}"
    state = "starting" if info.get("starting") else "running"
    version = info.get("nodeVersion", {}).get("version", "?")
    return f"{state} on {HOST}:{settings.trino_port} (Trino {version}), data {_data(settings)}"


def catalog_properties(path: Path, env: Mapping[str, str]) -> dict[str, str]:
    """A catalog file's properties with `${ENV:X}` replaced from `env` (as Trino does)."""
    properties: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "!")):
            continue
        key, _, value = line.partition("=")
        for name, replacement in env.items():
            value = value.replace(f"${{ENV:{name}}}", replacement)
        properties[key.strip()] = value.strip()
    return properties


