"""The index's backends for the contract tests: every test that takes ``open_index_at``
runs once on SQLite and once on PostgreSQL (a real cluster, tests/postgres.py, started
once per session and only when a test asks for it).

``open_index_at(path)`` opens the index a test keeps at ``path``: the SQLite file itself,
or on PostgreSQL a database of its own for that path, so a test that closes and reopens
its index finds what it wrote. ``raw_sql_at(path)`` is a connection to the same books
outside Liuhen, as an administrator would have one (on PostgreSQL the superuser, whom
only the triggers stop), for tests that try to change what may never change: on both it
takes sqlite3's statements and raises ``sqlite3.IntegrityError`` when refused.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from storage.interfaces import Index
from storage.postgres import open_postgres_index
from storage.postgres.connection import connect
from storage.postgres_config import PostgresConfig
from storage.sqlite import open_sqlite_index
from tests.postgres import SUPERUSER, TestPostgres, started

__all__ = [
    "INDEX_BACKENDS",
    "IndexAt",
    "open_index_at",
    "postgres",
    "raw_sql_at",
    "raw_sql_of",
    "server_index",
    "server_index_on",
]

INDEX_BACKENDS = ("sqlite", "postgres")
IndexAt = Callable[..., Awaitable[Index]]


class RawPostgres:
    """The superuser's connection to a test's index database, taking sqlite3's statements
    and raising its errors (storage/postgres/connection.py), like the sqlite3 connection a
    SQLite test holds; PostgreSQL commits each statement."""

    def __init__(self, dsn: str) -> None:
        self._conn = connect(dsn)

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self._conn.execute(sql, params)

    def commit(self) -> None:
        pass

    def close(self) -> None:
        self._conn.raw.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[TestPostgres]:
    cluster = started()
    yield cluster
    cluster.close()


class _Databases:
    """One PostgreSQL database per index path a test opens."""

    def __init__(self, cluster: TestPostgres) -> None:
        self.cluster = cluster
        self.databases: dict[Path, dict[str, str]] = {}

    def options(self, path: Path) -> dict[str, str]:
        if path not in self.databases:
            self.databases[path] = self.cluster.new_database()
        return self.databases[path]


@pytest.fixture(params=INDEX_BACKENDS)
def index_backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    return backend


@pytest.fixture
def _databases(index_backend: str, request: pytest.FixtureRequest) -> _Databases | None:
    if index_backend == "sqlite":
        return None
    return _Databases(request.getfixturevalue("postgres"))


@pytest.fixture
def open_index_at(_databases: _Databases | None) -> IndexAt:
    async def opener(path: Path, **options: Any) -> Index:
        if _databases is None:
            return await open_sqlite_index(path, **options)
        return await open_postgres_index(path, **_databases.options(path), **options)

    return opener


@pytest.fixture
def raw_sql_at(_databases: _Databases | None) -> Iterator[Callable[[Path], Any]]:
    opened: list[Any] = []

    def raw(path: Path) -> Any:
        if _databases is None:
            conn: Any = sqlite3.connect(path)
        else:
            superuser = f"user={SUPERUSER}"
            conn = RawPostgres(_databases.options(path)["dsn"].replace("user=liuhen", superuser))
        opened.append(conn)
        return conn

    yield raw
    for conn in opened:
        conn.close()


@pytest.fixture
def server_index(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The ``server`` fixture's index: SQLite, or PostgreSQL with LIUHEN_TEST_INDEX=postgres
    (the whole server suite on PostgreSQL, run by hand: docs/storage-backends.md). A test
    that must run on both takes ``@pytest.mark.parametrize("server_index", INDEX_BACKENDS,
    indirect=True)``."""
    backend = getattr(request, "param", os.environ.get("LIUHEN_TEST_INDEX", "sqlite"))
    return server_index_on(backend, request)


def server_index_on(backend: str, request: pytest.FixtureRequest) -> dict[str, Any]:
    """The server's index options on ``backend``; a test module that must run on both
    overrides ``server_index`` with ``params=INDEX_BACKENDS`` and calls this."""
    if backend != "postgres":
        return {}
    cluster: TestPostgres = request.getfixturevalue("postgres")
    return {"index": "postgres", "postgres": PostgresConfig(**cluster.new_database())}


def raw_sql_of(config: Any) -> Any:
    """A connection to a running server's index outside Liuhen (``config``: its
    IngestConfig), as ``raw_sql_at`` gives one; the caller closes it."""
    if config.index != "postgres":
        return sqlite3.connect(config.index_path)
    return RawPostgres(config.postgres.dsn.replace("user=liuhen", f"user={SUPERUSER}"))
