"""The index database: the shared single-thread SQLite runner with the index schema."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from evidence.errors import StorageFailure
from evidence.sqlite_thread import SqliteThread, transaction

__all__ = ["SqliteDatabase", "transaction"]


class SqliteDatabase(SqliteThread):
    def __init__(self, path: Path) -> None:
        schema = resources.files("storage.sqlite").joinpath("schema.sql").read_text("utf-8")
        super().__init__(path, schema, StorageFailure)
