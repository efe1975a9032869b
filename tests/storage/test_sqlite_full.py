"""A full SQLite database answers 507 ``insufficient_storage`` on the server, not 500: the
disk filling is the operator's to fix and the client's to wait out, not a server fault.
SQLite's own size cap (``max_page_count``) makes a real SQLITE_FULL without filling a disk;
the whole server on a full disk is ``tests/faults/test_dock_scenarios.py``."""

from __future__ import annotations

import sqlite3

import pytest

from evidence.errors import InsufficientStorage, JournalError, StorageFailure
from runtime.sqlite_thread import SqliteThread

SCHEMA = "CREATE TABLE IF NOT EXISTS blobs (data BLOB);"


def fill(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA max_page_count = 8")
    for _ in range(100):
        conn.execute("INSERT INTO blobs VALUES (zeroblob(4096))")


async def test_a_full_index_is_insufficient_storage(tmp_path):
    db = SqliteThread(tmp_path / "index.sqlite3", SCHEMA, StorageFailure)
    await db.open()
    try:
        with pytest.raises(InsufficientStorage, match="full") as raised:
            await db.run(fill)
        assert (raised.value.code, raised.value.status) == ("insufficient_storage", 507)
        assert await db.run(lambda conn: conn.execute("SELECT 1").fetchone()[0]) == 1
    finally:
        await db.close()


async def test_another_error_class_keeps_its_own(tmp_path):
    """The agent's journal has errors of its own: a full one stays a JournalError."""
    db = SqliteThread(tmp_path / "journal.sqlite3", SCHEMA, JournalError)
    await db.open()
    try:
        with pytest.raises(JournalError, match="full"):
            await db.run(fill)
    finally:
        await db.close()
