"""The custody log's tables (docs/custody-log.md#what-the-server-stores).

Created at every open, before the upgrade steps (``database.py``), so the step that logs
the objects an older index holds finds them; ``CREATE … IF NOT EXISTS`` makes that a no-op
on an index that has them. Every table is append-only by trigger.

    log_leaves       entry number, leaf hash, type, and the exact bytes logged
    log_nodes        the hash of every complete subtree, by (level, index)
    log_checkpoints  each checkpoint the server signed: size, root, the signed note
    log_origin       which log this is: its origin and the log key it started with
    log_ingests      which entry logged each object's ingest (or backfill)
    log_accesses     who reached which object or case, when, from each access entry
"""

from __future__ import annotations

import sqlite3

__all__ = ["LOG_TABLES", "LOG_TRIGGERS", "create_log_tables"]

_TABLES = (
    """CREATE TABLE IF NOT EXISTS log_leaves (
        idx       INTEGER PRIMARY KEY CHECK (idx >= 0),
        leaf_hash BLOB NOT NULL,
        kind      TEXT NOT NULL,
        body      BLOB NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS log_leaves_by_hash ON log_leaves (leaf_hash)",
    """CREATE TABLE IF NOT EXISTS log_nodes (
        level INTEGER NOT NULL,
        idx   INTEGER NOT NULL,
        hash  BLOB NOT NULL,
        PRIMARY KEY (level, idx)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS log_checkpoints (
        size      INTEGER PRIMARY KEY,
        root      BLOB NOT NULL,
        note      BLOB NOT NULL,
        signed_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS log_origin (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        origin     TEXT NOT NULL,
        vkey       TEXT NOT NULL,
        started_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS log_ingests (
        evidence_id TEXT NOT NULL,
        role        TEXT NOT NULL,
        leaf_idx    INTEGER NOT NULL,
        PRIMARY KEY (evidence_id, role)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS log_accesses (
        leaf_idx    INTEGER NOT NULL,
        actor       TEXT NOT NULL,
        case_number TEXT,
        evidence_id TEXT,
        role        TEXT,
        at          TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS log_accesses_by_time ON log_accesses (at, leaf_idx)",
    "CREATE INDEX IF NOT EXISTS log_accesses_by_case ON log_accesses (case_number, at)",
    "CREATE INDEX IF NOT EXISTS log_accesses_by_actor ON log_accesses (actor, at)",
    "CREATE INDEX IF NOT EXISTS log_accesses_by_object ON log_accesses (evidence_id, role)",
)

LOG_TABLES: tuple[str, ...] = (
    "log_leaves",
    "log_nodes",
    "log_checkpoints",
    "log_origin",
    "log_ingests",
    "log_accesses",
)
LOG_TRIGGERS = tuple(f"{table}_append_only_{op}" for table in LOG_TABLES for op in "ud")


def _trigger(table: str, op: str) -> str:
    verb = "UPDATE" if op == "u" else "DELETE"
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_append_only_{op} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END"
    )


def create_log_tables(conn: sqlite3.Connection) -> None:
    """Create what is missing, in the caller's transaction."""
    for statement in _TABLES:
        conn.execute(statement)
    for table in LOG_TABLES:
        for op in "ud":
            conn.execute(_trigger(table, op))
