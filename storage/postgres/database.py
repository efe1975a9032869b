"""The PostgreSQL index's database: one connection on one thread, as SQLite's runner.

psycopg's connection is blocking here, so every call runs on a single-worker executor (as
``runtime/sqlite_thread.py`` does for SQLite): the event loop never waits on the network,
and one server's statements go one at a time, as the stores expect. The schema is created
at the current version when the database has none (there is no history to replay), under
the writers' lock, so two servers starting together create it once.

psycopg's errors become ours here, once: a database that cannot be reached, or a
connection that drops, is ``IndexUnavailable`` (503: the transaction in flight is rolled
back by PostgreSQL, so nothing is half stored), and the next call connects again; a full
disk is ``InsufficientStorage`` (507); anything else is ``StorageFailure``.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from typing import Any, TypeVar

import psycopg

from evidence.errors import IndexUnavailable, InsufficientStorage, LiuhenError, StorageFailure
from storage.postgres.connection import WRITE_LOCK, PgConnection, connect

__all__ = ["SCHEMA_VERSION", "PostgresDatabase", "create_schema", "safe_dsn"]

T = TypeVar("T")

# Raised with each change to the PostgreSQL schema (SQLite's is len(migrations.STEPS)).
SCHEMA_VERSION = 1
_SCRIPTS = ("schema.sql", "functions.sql", "triggers.sql", "privileges.sql")


def safe_dsn(dsn: str) -> str:
    """The DSN without its password, for messages and logs."""
    hidden = re.sub(r"password\s*=\s*\S+", "password=***", dsn)
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", hidden)


def _script(name: str) -> str:
    return resources.files("storage.postgres").joinpath(name).read_text("utf-8")


def _value(conn: PgConnection, sql: str) -> Any:
    row = conn.execute(sql).fetchone()
    return None if row is None else row[0]


def create_schema(conn: PgConnection) -> None:
    """Create the schema at the current version where there is none; refuse another version."""
    with conn.raw.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
        if _value(conn, "SELECT to_regclass('index_version')") is None:
            for name in _SCRIPTS:  # whole scripts, sent as they are (no placeholders)
                psycopg.Cursor(conn.raw).execute(_script(name).encode())
            conn.execute("INSERT INTO index_version (id, version) VALUES (1, ?)", (SCHEMA_VERSION,))
    held = _value(conn, "SELECT version FROM index_version")
    if held != SCHEMA_VERSION:
        raise StorageFailure(
            f"the PostgreSQL index is at schema version {held}; this server knows "
            f"{SCHEMA_VERSION}: upgrade the server (or restore the index it wrote)"
        )


class PostgresDatabase:
    def __init__(self, dsn: str, *, create: bool = True, read_only: bool = False) -> None:
        self._dsn = dsn
        self._create = create
        self._read_only = read_only
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="postgres-index")
        self._conn: PgConnection | None = None
        self._closed = False

    async def open(self) -> None:
        await self._submit(self._connection)

    def _connection(self) -> PgConnection:
        """The open connection, or a new one where there is none or it broke."""
        conn = self._conn
        if conn is not None and not conn.raw.closed and not conn.raw.broken:
            return conn
        self._conn = None
        if conn is not None:
            conn.raw.close()
        conn = connect(self._dsn)
        try:
            if self._read_only:
                conn.execute("SET default_transaction_read_only = on")
            if self._create:
                create_schema(conn)
                self._create = False  # once per process: later reconnects find it
        except BaseException:
            conn.raw.close()
            raise
        self._conn = conn
        return conn

    async def _submit(self, fn: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, fn)
        except LiuhenError:
            raise
        except psycopg.Error as exc:
            raise self._translated(exc) from exc
        except sqlite3.Error as exc:  # a refused constraint, in SQLite's words (connection.py)
            raise StorageFailure(f"PostgreSQL index: {exc}") from exc

    def _translated(self, exc: psycopg.Error) -> LiuhenError:
        where = safe_dsn(self._dsn)
        if isinstance(exc, psycopg.errors.DiskFull):
            return InsufficientStorage(f"PostgreSQL index: {exc} (no room on its disk)")
        if isinstance(exc, psycopg.OperationalError):
            return IndexUnavailable(f"the PostgreSQL index at {where} is unreachable: {exc}")
        return StorageFailure(f"PostgreSQL index: {exc}")

    async def run(self, fn: Callable[[Any], T]) -> T:
        """``fn`` gets a connection that takes sqlite3's statements (connection.py)."""
        if self._closed:
            raise StorageFailure("the PostgreSQL index is not open")
        return await self._submit(lambda: fn(self._connection()))

    async def close(self) -> None:
        self._closed = True

        def close() -> None:
            conn, self._conn = self._conn, None
            if conn is not None:
                conn.raw.close()

        await self._submit(close)
        self._executor.shutdown(wait=True)
