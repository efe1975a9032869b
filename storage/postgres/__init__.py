"""The PostgreSQL index (``server.index = "postgres"``, ``server.postgres.dsn``): the same
stores as the SQLite index, over a PostgreSQL connection that takes their statements
(connection.py). See docs/storage-backends.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from evidence.errors import ConfigError
from evidence.footage_findings import DEFAULT_CLAIM_TOLERANCE_SECONDS
from storage.postgres.database import PostgresDatabase
from storage.sqlite import SqliteIndex
from storage.sqlite.database import SqliteDatabase

__all__ = ["open_postgres_index"]


async def _opened(db: PostgresDatabase, *, closed: bool = False) -> PostgresDatabase:
    """``db`` connected (and, where ``closed``, closed again); closed whatever goes wrong."""
    try:
        await db.open()
    except BaseException:
        await db.close()
        raise
    if closed:
        await db.close()
    return db


async def open_postgres_index(
    _path: Path,
    *,
    dsn: str = "",
    owner_dsn: str = "",
    claim_tolerance_seconds: float = DEFAULT_CLAIM_TOLERANCE_SECONDS,
    **_: Any,
) -> SqliteIndex:
    """Open the index in the database ``dsn`` names, creating its schema when it has none
    (as ``owner_dsn``'s role where one is given, so the server's role need not own it). The
    path (the SQLite file's) is not used; the claim tolerance only matters to SQLite's
    upgrade steps, which a database created at the current version never runs."""
    del claim_tolerance_seconds
    if not dsn:
        raise ConfigError('server.index is "postgres" but server.postgres.dsn is not set')
    if owner_dsn:
        await _opened(PostgresDatabase(owner_dsn), closed=True)
    db = await _opened(PostgresDatabase(dsn, create=not owner_dsn))
    try:
        reader = await _opened(PostgresDatabase(dsn, create=False, read_only=True))
    except BaseException:
        await db.close()
        raise
    # The stores take any runner whose run() hands them a connection that takes sqlite3's
    # statements: PostgresDatabase is one (connection.py), though not a SqliteDatabase.
    return SqliteIndex(cast(SqliteDatabase, db), cast(Any, reader))
