"""Connections of the loader account, with failures turned into one readable line."""

from __future__ import annotations

from typing import Any

from council.errors import CannotConnect
from council.settings import CONNECT_TIMEOUT, LOCK_TIMEOUT, Server


def postgresql(server: Server, database: str) -> Any:
    import psycopg

    try:
        conn = psycopg.connect(
            host=server.host, port=server.port, user=server.user, password=server.password,
            dbname=database, connect_timeout=CONNECT_TIMEOUT, application_name="council-seed",
        )
    except psycopg.Error as error:
        raise CannotConnect(
            f"cannot connect to {server} (database {database}): {postgresql_reason(error)}"
        ) from None
    conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}s'")
    conn.execute("SET synchronous_commit = off")
    conn.commit()
    return conn


def postgresql_reason(error: BaseException) -> str:
    """The useful part of a libpq message: 'password authentication failed for user ...'."""
    text = str(error).strip()
    first = text.splitlines()[0] if text else type(error).__name__
    if "failed: " in first:
        first = first.rsplit("failed: ", 1)[1]
    return first.replace("FATAL:  ", "").replace("ERROR:  ", "").strip()


def mariadb(server: Server, database: str | None) -> Any:
    import pymysql

    try:
        conn = pymysql.connect(
            host=server.host, port=server.port, user=server.user, password=server.password,
            database=database, connect_timeout=CONNECT_TIMEOUT, local_infile=True,
            autocommit=True, charset="utf8mb4",
            # connect_timeout covers only the TCP connect: a server that accepts and then says
            # nothing would hold the greeting read forever, so reads time out until logged in
            read_timeout=CONNECT_TIMEOUT, write_timeout=CONNECT_TIMEOUT,
        )
    except pymysql.Error as error:
        where = f" (database {database})" if database else ""
        raise CannotConnect(f"cannot connect to {server}{where}: {mariadb_reason(error)}") from None
    # logged in: statements (index builds, ANALYZE) may run long; lock waits are bounded below
    conn._read_timeout = None
    conn._write_timeout = None
    with conn.cursor() as cur:
        cur.execute(f"SET SESSION lock_wait_timeout = {LOCK_TIMEOUT}, "
                    f"innodb_lock_wait_timeout = {LOCK_TIMEOUT}")
    return conn


def mariadb_reason(error: BaseException) -> str:
    args: tuple[object, ...] = tuple(getattr(error, "args", ()))
    if len(args) >= 2 and isinstance(args[1], str):
        text = args[1]
        if "timed out" in text:
            return f"no answer within {CONNECT_TIMEOUT} s"
        if "Access denied for user" in text:
            return f"Access denied for {text.split('Access denied for user ', 1)[1]}"
        return text
    return str(error) or type(error).__name__


def reason(error: BaseException) -> str:
    """One line for any database error."""
    module = type(error).__module__
    if module.startswith("psycopg"):
        return postgresql_reason(error)
    if module.startswith("pymysql"):
        return mariadb_reason(error)
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
