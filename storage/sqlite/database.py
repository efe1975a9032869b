"""The index database: the shared single-thread SQLite runner with the index schema."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from evidence.errors import StorageFailure
from evidence.footage_findings import DEFAULT_CLAIM_TOLERANCE_SECONDS
from evidence.sqlite_thread import SqliteThread, transaction
from storage.sqlite.migrations import Upgrade, upgrade

__all__ = ["SqliteDatabase", "transaction"]


class SqliteDatabase(SqliteThread):
    def __init__(
        self, path: Path, claim_tolerance_seconds: float = DEFAULT_CLAIM_TOLERANCE_SECONDS
    ) -> None:
        schema = resources.files("storage.sqlite").joinpath("schema.sql").read_text("utf-8")
        super().__init__(path, schema, StorageFailure)
        self._claim_tolerance_seconds = claim_tolerance_seconds

    def _prepare(self, conn: sqlite3.Connection) -> None:
        upgrade(conn, Upgrade(self._claim_tolerance_seconds, datetime.now(UTC)))
