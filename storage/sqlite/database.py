"""The index database: the shared single-thread SQLite runner with the index schema."""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path

from evidence.errors import StorageFailure
from runtime.sqlite_thread import SqliteThread, transaction
from storage.sqlite.migrations import upgrade

__all__ = ["SqliteDatabase", "transaction"]


class SqliteDatabase(SqliteThread):
    def __init__(self, path: Path) -> None:
        schema = resources.files("storage.sqlite").joinpath("schema.sql").read_text("utf-8")
        super().__init__(path, schema, StorageFailure)

    def _prepare(self, conn: sqlite3.Connection) -> None:
        upgrade(conn)
