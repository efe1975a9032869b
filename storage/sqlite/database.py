"""The index database: the shared single-thread SQLite runner with the index schema."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from evidence.errors import StorageFailure
from evidence.footage_findings import DEFAULT_CLAIM_TOLERANCE_SECONDS
from runtime.sqlite_thread import SqliteThread, transaction
from storage.sqlite import act_spans
from storage.sqlite.log_tables import create_log_tables
from storage.sqlite.migrations import STEPS, Upgrade, index_version, upgrade
from storage.sqlite.trigger_check import flag_missing_triggers

__all__ = ["SqliteDatabase", "index_schema", "transaction"]


def index_schema() -> str:
    """schema.sql, then the triggers that keep each act's fold (written from the overlap
    rule in Python, so that they and the report's queries share it)."""
    schema = resources.files("storage.sqlite").joinpath("schema.sql").read_text("utf-8")
    return schema + act_spans.SCHEMA


class SqliteDatabase(SqliteThread):
    def __init__(
        self, path: Path, claim_tolerance_seconds: float = DEFAULT_CLAIM_TOLERANCE_SECONDS
    ) -> None:
        super().__init__(path, index_schema(), StorageFailure)
        self._claim_tolerance_seconds = claim_tolerance_seconds

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """Before the schema script: note triggers dropped since the last open (the script
        would make them again silently), create the custody log's tables (the upgrade step
        that starts the log writes to them), then upgrade."""
        now = datetime.now(UTC)
        with transaction(conn):
            if index_version(conn) == len(STEPS):
                flag_missing_triggers(conn, self._schema, now)
            create_log_tables(conn)
        upgrade(conn, Upgrade(self._claim_tolerance_seconds, now))
