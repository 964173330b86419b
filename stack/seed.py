"""Loading the synthetic council into empty databases, then the statistics Trino plans with."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from types import ModuleType

import psycopg
import pymysql

from stack import mariadb, postgres
from stack.errors import StackError
from stack.settings import (
    DEPARTMENTS,
    HOST,
    LINKER,
    LOADER_USER,
    ROOT,
    Department,
    Settings,
    database_address,
)

DDL_DIR = ROOT / "council" / "ddl"

PART = "seed"


def _engine(name: str) -> ModuleType:
    return postgres if name == "postgres" else mariadb


def _has_table(settings: Settings, department: Department) -> bool:
    return bool(_engine(department.engine).has_table(settings, department))


def empty_departments(settings: Settings) -> list[str]:
    """Departments whose probe table is missing or has no rows."""
    return [d.name for d in DEPARTMENTS if not _engine(d.engine).has_rows(settings, d)]


def create_empty_tables(settings: Settings, departments: list[str]) -> None:
    """Apply council/ddl/<dept>.sql as the loader (so the readers' default grants apply)."""
    for department in DEPARTMENTS:
        if department.name not in departments:
            continue
        ddl = (DDL_DIR / f"{department.name}.sql").read_text()
        try:
            if department.engine == "postgres":
                with psycopg.connect(
                    host=HOST, port=settings.postgres_port, dbname=department.name,
                    user=LOADER_USER, password=settings.loader_password, connect_timeout=5,
                ) as connection:
                    connection.execute(ddl.encode())
            else:
                connection = pymysql.connect(
                    host=HOST, port=settings.mariadb_port, user=LOADER_USER,
                    password=settings.loader_password, database=department.name,
                    connect_timeout=5, client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS,
                )
                with connection:
                    connection.cursor().execute(ddl)
        except (psycopg.Error, pymysql.MySQLError) as error:
            raise StackError(
                PART, f"cannot create the {department.name} tables ({error})"
            ) from None


def generator_available() -> bool:
    try:
        return importlib.util.find_spec("council.cli") is not None
    except ModuleNotFoundError:
        return False


def seed(settings: Settings, say: Callable[[str], None] = print) -> None:
    """`citizen-gateway seed --citizens N --seed S` as the loader, its progress passed through."""
    env = dict(os.environ)
    env["COUNCIL_LOADER_PASSWORD"] = settings.loader_password
    command = [
        sys.executable, "-m", "gateway.cli.main", "seed",
        "--citizens", str(settings.citizens), "--seed", str(settings.seed),
        "--postgres", f"{HOST}:{settings.postgres_port}",
        "--mariadb", f"{HOST}:{settings.mariadb_port}",
    ]
    timeout = max(900.0, settings.citizens * 0.02)
    last = ""
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    try:
        assert process.stdout is not None
        for line in process.stdout:
            line = line.rstrip()
            if line:
                last = line
                say(f"  {line}")
        code = process.wait()
    finally:
        timer.cancel()
    if code < 0:
        raise StackError(PART, f"citizen-gateway seed did not finish within {timeout:.0f}s")
    if code != 0:
        detail = last.removeprefix("seed: ") or f"exit status {code}"
        raise StackError(PART, detail)


def analyze(settings: Settings, env: Mapping[str, str] | None = None) -> None:
    """Refresh every department's statistics as the loader (which owns the tables), wherever
    `<DEPT>_JDBC_URL` says the database is: the local stack, docker-compose or a council's own."""
    for department in DEPARTMENTS:
        host, port = database_address(department, env)
        try:
            if department.engine == "postgres":
                with psycopg.connect(
                    host=host, port=port, dbname=department.name, user=LOADER_USER,
                    password=settings.loader_password, connect_timeout=5, autocommit=True,
                ) as connection:
                    connection.execute("ANALYZE")
            else:
                connection = pymysql.connect(
                    host=host, port=port, user=LOADER_USER, password=settings.loader_password,
                    database=department.name, connect_timeout=5, read_timeout=1800,
                )
                with connection, connection.cursor() as cursor:
                    cursor.execute("SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'")
                    for (table, _) in cursor.fetchall():
                        # engine-independent statistics (all columns): what Trino reads
                        cursor.execute(f"ANALYZE TABLE `{table}` PERSISTENT FOR ALL")
                        cursor.fetchall()
        except (psycopg.Error, pymysql.MySQLError) as error:
            raise StackError(
                PART, f"cannot analyze {department.name} at {host}:{port} ({error})"
            ) from None
    if settings.stack_dir.is_dir():
        (settings.stack_dir / "analyzed").write_text(f"{time.time():.0f}\n")


def grant_linker(settings: Settings) -> None:
    """The linkage account's column grants, from the contract (they name tables, so they follow
    the seeding that creates them)."""
    from gateway.contract.contract import load_contract
    from gateway.linkage.grants import grants
    from gateway.linkage.identity import identities
    from gateway.settings import SHIPPED

    engines = {d.name: d.engine for d in DEPARTMENTS}
    dialects = {name: "postgres" if engine == "postgres" else "mysql"
                for name, engine in engines.items()}
    found = identities(load_contract(SHIPPED / "schema.graphql"))
    for catalog, statements in grants(found, LINKER, dialects).items():
        script = "".join(f"{statement};\n" for statement in statements)
        if engines[catalog] == "postgres":
            postgres.psql(settings, catalog, script)
        else:
            mariadb.client(settings, script)


def ensure_seeded(settings: Settings, say: Callable[[str], None] = print) -> None:
    """Seed when any department is empty; analyze after seeding (or if never analyzed)."""
    empty = empty_departments(settings)
    seeded = False
    if empty:
        if not generator_available():
            missing = [
                d.name for d in DEPARTMENTS if d.name in empty and not _has_table(settings, d)
            ]
            create_empty_tables(settings, missing)
            say(f"seed: council.cli not installed; {', '.join(empty)} left empty"
                + (f" (tables created from council/ddl: {', '.join(missing)})" if missing else ""))
        else:
            started = time.monotonic()
            say(f"seed: loading {settings.citizens} citizens (seed {settings.seed}) ...")
            seed(settings, say)
            seeded = True
            still_empty = empty_departments(settings)
            if still_empty:
                raise StackError(PART, f"seed finished but {', '.join(still_empty)} still empty")
            say(f"seed: done in {time.monotonic() - started:.1f}s")
    # the loader may have re-created schemas: grant the readers again
    postgres.provision(settings)
    mariadb.provision(settings)
    grant_linker(settings)
    if seeded:  # the generator collects statistics itself after loading
        (settings.stack_dir / "analyzed").write_text(f"{time.time():.0f}\n")
    elif not empty and not (settings.stack_dir / "analyzed").exists():
        analyze(settings)  # data loaded some other way: make sure Trino has statistics
