"""The local PostgreSQL server holding the registry, health and housing databases."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg

from stack.errors import StackError
from stack.process import as_user, port_open, run, wait_until
from stack.settings import HOST, SQL_DIR, Department, Settings, quoted

PART = "postgres"
OS_USER = "postgres"


def _socket_dir(settings: Settings) -> Path:
    return settings.run_dir / "postgres"


def _tool(settings: Settings, name: str) -> str:
    return str(settings.postgres_bin / name)


def initialised(settings: Settings) -> bool:
    return (settings.postgres_data / "PG_VERSION").exists()


def running(settings: Settings) -> bool:
    if not initialised(settings):
        return False
    pid_file = settings.postgres_data / "postmaster.pid"
    return pid_file.exists() and port_open(HOST, settings.postgres_port)


def init(settings: Settings) -> None:
    """Create the data directory (initdb) with loopback-only, password-checked TCP access."""
    data = settings.postgres_data
    data.mkdir(parents=True, exist_ok=True)
    shutil.chown(data, OS_USER, OS_USER)
    data.chmod(0o700)
    run(
        PART,
        as_user(OS_USER, [
            _tool(settings, "initdb"), "-D", str(data), "-U", "postgres", "-E", "UTF8",
            "--locale=C.UTF-8", "--auth-local=peer", "--auth-host=scram-sha-256",
        ]),
        timeout=120,
    )
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(
            "\n# citizen-gateway local stack (stack/postgres.py)\n"
            f"listen_addresses = '{HOST}'\n"
            f"port = {settings.postgres_port}\n"
            f"unix_socket_directories = '{_socket_dir(settings)}'\n"
            "shared_buffers = 256MB\n"
            "max_connections = 200\n"
            "log_min_duration_statement = -1\n"
        )


def start(settings: Settings) -> None:
    sockets = _socket_dir(settings)
    sockets.mkdir(parents=True, exist_ok=True)
    shutil.chown(sockets, OS_USER, OS_USER)
    if port_open(HOST, settings.postgres_port):
        raise StackError(PART, f"port {HOST}:{settings.postgres_port} is taken by another process")
    run(
        PART,
        as_user(OS_USER, [
            _tool(settings, "pg_ctl"), "-D", str(settings.postgres_data),
            "-l", str(settings.postgres_data / "server.log"), "-w", "-t", "60", "start",
        ]),
        timeout=90,
    )
    wait_until(
        PART, f"listening on {HOST}:{settings.postgres_port}",
        lambda: port_open(HOST, settings.postgres_port), timeout=30,
    )


def stop(settings: Settings) -> None:
    if not initialised(settings) or not (settings.postgres_data / "postmaster.pid").exists():
        return
    run(
        PART,
        as_user(OS_USER, [
            _tool(settings, "pg_ctl"), "-D", str(settings.postgres_data),
            "-m", "fast", "-w", "-t", "60", "stop",
        ]),
        timeout=90,
    )


def psql(settings: Settings, database: str, script: str, timeout: float = 120) -> str:
    """Run `script` as the superuser through the Unix socket; return psql's unaligned output."""
    return run(
        PART,
        as_user(OS_USER, [
            _tool(settings, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
            "-h", str(_socket_dir(settings)), "-p", str(settings.postgres_port), "-d", database,
        ]),
        stdin=script,
        timeout=timeout,
    )


def provision(settings: Settings) -> None:
    """Databases, schemas, the loader and the reader accounts, grants (stack/sql/postgres.sql)."""
    variables = settings.account_passwords(PART)
    header = "".join(f"\\set {name} {quoted(value)}\n" for name, value in variables.items())
    psql(settings, "postgres", header + (SQL_DIR / "postgres.sql").read_text())


def has_table(settings: Settings, department: Department) -> bool:
    """Whether the department's probe table exists."""
    table = f"{department.name}.{department.probe_table}"
    exists = psql(settings, department.name, f"SELECT to_regclass('{table}') IS NOT NULL;")
    return exists.strip() == "t"


def has_rows(settings: Settings, department: Department) -> bool:
    """Whether the department's probe table exists and holds at least one row."""
    if not has_table(settings, department):
        return False
    table = f"{department.name}.{department.probe_table}"
    return psql(settings, department.name, f"SELECT EXISTS (SELECT FROM {table});").strip() == "t"


def check(settings: Settings, department: Department, password: str | None = None) -> None:
    """Log in as the department's reader over TCP, as Trino does; raise StackError if it cannot."""
    try:
        with psycopg.connect(
            host=HOST, port=settings.postgres_port, dbname=department.name,
            user=department.reader,
            password=settings.reader_password(department.name) if password is None else password,
            connect_timeout=5,
        ) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        detail = detail.split("failed: ")[-1]
        raise StackError(
            PART,
            f"cannot connect to {HOST}:{settings.postgres_port}/{department.name} "
            f"as {department.reader} ({detail})",
        ) from None


def up(settings: Settings) -> None:
    if not initialised(settings):
        init(settings)
    if not running(settings):
        start(settings)
    provision(settings)


def status(settings: Settings) -> str:
    if not initialised(settings):
        return f"not initialised ({settings.postgres_data} absent)"
    if running(settings):
        return f"running on {HOST}:{settings.postgres_port}, data {settings.postgres_data}"
    return f"stopped, data {settings.postgres_data}"
