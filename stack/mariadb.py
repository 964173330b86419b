"""The local MariaDB server holding the socialcare and education databases."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pymysql

from stack.errors import StackError
from stack.process import port_open, run, wait_until
from stack.settings import HOST, SQL_DIR, Department, Settings, quoted

_SERVERS: list[subprocess.Popen[bytes]] = []  # the servers this process started
PART = "mariadb"
OS_USER = "mysql"


def _socket_dir(settings: Settings) -> Path:
    return settings.run_dir / "mariadb"


def _config(settings: Settings) -> Path:
    return settings.stack_dir / "mariadb.cnf"


def _pid_file(settings: Settings) -> Path:
    return _socket_dir(settings) / "mariadb.pid"


def initialised(settings: Settings) -> bool:
    return (settings.mariadb_data / "mysql").is_dir()


def _pid(settings: Settings) -> int | None:
    try:
        pid = int(_pid_file(settings).read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def running(settings: Settings) -> bool:
    return _pid(settings) is not None and port_open(HOST, settings.mariadb_port)


def write_config(settings: Settings) -> None:
    sockets = _socket_dir(settings)
    _config(settings).write_text(
        "# citizen-gateway local stack (stack/mariadb.py); read with --defaults-file only\n"
        "[mariadbd]\n"
        f"user = {OS_USER}\n"
        f"datadir = {settings.mariadb_data}\n"
        f"bind-address = {HOST}\n"
        f"port = {settings.mariadb_port}\n"
        f"socket = {sockets / 'mariadb.sock'}\n"
        f"pid-file = {_pid_file(settings)}\n"
        f"log-error = {settings.mariadb_data / 'server.log'}\n"
        "skip-name-resolve\n"  # accounts are matched by address; no DNS on login
        "character-set-server = utf8mb4\n"
        "collation-server = utf8mb4_unicode_ci\n"
        "local-infile = 1\n"  # the loader bulk-loads with LOAD DATA LOCAL INFILE
        "innodb-buffer-pool-size = 512M\n"
        # per-table rows-read counters (information_schema.TABLE_STATISTICS): the tests read
        # them to prove a citizen lookup reads that citizen's rows only
        "userstat = 1\n"
        "max-connections = 200\n"
        "[client]\n"
        f"socket = {sockets / 'mariadb.sock'}\n"
        f"port = {settings.mariadb_port}\n"
    )


def init(settings: Settings) -> None:
    data = settings.mariadb_data
    data.mkdir(parents=True, exist_ok=True)
    shutil.chown(data, OS_USER, OS_USER)
    data.chmod(0o750)
    write_config(settings)
    run(
        PART,
        [
            "mariadb-install-db", f"--defaults-file={_config(settings)}", f"--user={OS_USER}",
            f"--datadir={data}", "--auth-root-authentication-method=socket", "--skip-test-db",
        ],
        timeout=180,
    )


def start(settings: Settings) -> None:
    sockets = _socket_dir(settings)
    sockets.mkdir(parents=True, exist_ok=True)
    shutil.chown(sockets, OS_USER, OS_USER)
    if port_open(HOST, settings.mariadb_port):
        raise StackError(PART, f"port {HOST}:{settings.mariadb_port} is taken by another process")
    write_config(settings)
    server = subprocess.Popen(
        ["mariadbd", f"--defaults-file={_config(settings)}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # outlives this command
    )
    _SERVERS.append(server)  # held, not collected while it runs (Popen warns when it is)

    def listening() -> bool:
        if server.poll() is not None:
            raise StackError(
                PART, f"server exited with status {server.returncode}; "
                f"see {settings.mariadb_data / 'server.log'}",
            )
        return port_open(HOST, settings.mariadb_port)

    wait_until(PART, f"listening on {HOST}:{settings.mariadb_port}", listening, timeout=60)


def stop(settings: Settings) -> None:
    pid = _pid(settings)
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            return
        time.sleep(0.2)
    raise StackError(PART, f"server (pid {pid}) did not stop within 60s")


def client(settings: Settings, script: str, timeout: float = 120) -> str:
    """Run `script` as root (Unix-socket authentication); return tab-separated output."""
    return run(
        PART,
        [
            "mariadb", f"--defaults-file={_config(settings)}", "--user=root", "--batch",
            "--skip-column-names", "--connect-timeout=10",
        ],
        stdin=script,
        timeout=timeout,
    )


def provision(settings: Settings) -> None:
    """Databases, the loader and the reader accounts, grants (stack/sql/mariadb.sql)."""
    variables = settings.account_passwords(PART)
    header = "".join(f"SET @{name} = {quoted(value)};\n" for name, value in variables.items())
    client(settings, header + (SQL_DIR / "mariadb.sql").read_text())


def has_table(settings: Settings, department: Department) -> bool:
    """Whether the department's probe table exists."""
    exists = client(
        settings,
        "SELECT COUNT(*) FROM information_schema.tables "
        f"WHERE table_schema = '{department.name}' AND table_name = '{department.probe_table}';",
    )
    return exists.strip() == "1"


def has_rows(settings: Settings, department: Department) -> bool:
    """Whether the department's probe table exists and holds at least one row."""
    if not has_table(settings, department):
        return False
    database, table = department.name, department.probe_table
    return client(settings, f"SELECT EXISTS (SELECT 1 FROM {database}.{table});").strip() == "1"


def check(settings: Settings, department: Department, password: str | None = None) -> None:
    """Log in as the department's reader over TCP, as Trino does; raise StackError if it cannot."""
    try:
        connection = pymysql.connect(
            host=HOST, port=settings.mariadb_port, user=department.reader,
            password=settings.reader_password(department.name) if password is None else password,
            database=department.name, connect_timeout=5, read_timeout=10,
        )
    except pymysql.MySQLError as error:
        detail = error.args[-1] if error.args else type(error).__name__
        raise StackError(
            PART,
            f"cannot connect to {HOST}:{settings.mariadb_port}/{department.name} "
            f"as {department.reader} ({detail})",
        ) from None
    connection.close()


def up(settings: Settings) -> None:
    if not initialised(settings):
        init(settings)
    if not running(settings):
        start(settings)
    provision(settings)


def status(settings: Settings) -> str:
    if not initialised(settings):
        return f"not initialised ({settings.mariadb_data} absent)"
    if running(settings):
        return f"running on {HOST}:{settings.mariadb_port}, data {settings.mariadb_data}"
    return f"stopped, data {settings.mariadb_data}"
