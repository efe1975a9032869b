"""The custody log in the SQLite index: leaves, node hashes, signed checkpoints, origin.

Events append their leaf in their own transaction (``log_append.append_leaf``, called by
``objects``, ``flags``, ``cases`` and ``decisions``); ``append`` here is for an event that
is only its log entry (an access). Everything is append-only (``log_tables.py``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from evidence.errors import StorageFailure
from evidence.identifiers import EvidenceId, Role
from evidence.strict_json import parse_time
from evidence.tlog.compact import CompactRange
from evidence.tlog.nodes import NodeId
from storage.log_records import AccessQuery, CheckpointRecord, LoggedLeaf, LogOrigin
from storage.sqlite.database import SqliteDatabase, transaction
from storage.sqlite.log_append import append_leaf, log_size, read_nodes
from storage.sqlite.rows import when

__all__ = ["SqliteCustodyLog"]

MAX_PAGE = 10_000


def _checkpoint(row: sqlite3.Row) -> CheckpointRecord:
    return CheckpointRecord(
        row["size"], bytes(row["root"]), bytes(row["note"]), parse_time(row["signed_at"])
    )


class SqliteCustodyLog:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def append(self, leaf: bytes) -> LoggedLeaf:
        def append(conn: sqlite3.Connection) -> LoggedLeaf:
            with transaction(conn):
                return LoggedLeaf(append_leaf(conn, leaf), leaf)

        return await self._db.run(append)

    async def size(self) -> int:
        return await self._db.run(log_size)

    async def leaf(self, index: int) -> LoggedLeaf | None:
        def leaf(conn: sqlite3.Connection) -> LoggedLeaf | None:
            row = conn.execute("SELECT body FROM log_leaves WHERE idx = ?", (index,)).fetchone()
            return None if row is None else LoggedLeaf(index, bytes(row[0]))

        return await self._db.run(leaf)

    async def find(self, leaf_hash: bytes) -> int | None:
        def find(conn: sqlite3.Connection) -> int | None:
            row = conn.execute(
                "SELECT MIN(idx) FROM log_leaves WHERE leaf_hash = ?", (leaf_hash,)
            ).fetchone()
            return None if row[0] is None else int(row[0])

        return await self._db.run(find)

    async def leaves(self, start: int, limit: int) -> list[LoggedLeaf]:
        def leaves(conn: sqlite3.Connection) -> list[LoggedLeaf]:
            cursor = conn.execute(
                "SELECT idx, body FROM log_leaves WHERE idx >= ? ORDER BY idx LIMIT ?",
                (start, min(limit, MAX_PAGE)),
            )
            return [LoggedLeaf(row[0], bytes(row[1])) for row in cursor]

        return await self._db.run(leaves)

    async def nodes(self, ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
        wanted = tuple(dict.fromkeys(ids))
        return await self._db.run(lambda conn: read_nodes(conn, wanted))

    async def tree(self) -> tuple[int, dict[NodeId, bytes]]:
        """The log's size now and the nodes its root is made of, read together."""

        def tree(conn: sqlite3.Connection) -> tuple[int, dict[NodeId, bytes]]:
            with transaction(conn):  # one snapshot: no append between the two reads
                size = log_size(conn)
                return size, read_nodes(conn, CompactRange.node_ids(size))

        return await self._db.run(tree)

    async def ingest_leaf(self, evidence_id: EvidenceId, role: Role) -> LoggedLeaf | None:
        def ingest_leaf(conn: sqlite3.Connection) -> LoggedLeaf | None:
            row = conn.execute(
                "SELECT l.idx, l.body FROM log_ingests i JOIN log_leaves l ON l.idx = i.leaf_idx "
                "WHERE i.evidence_id = ? AND i.role = ?",
                (str(evidence_id), role.value),
            ).fetchone()
            return None if row is None else LoggedLeaf(row[0], bytes(row[1]))

        return await self._db.run(ingest_leaf)

    async def ingest_index(
        self, refs: Sequence[tuple[EvidenceId, Role]]
    ) -> dict[tuple[str, str], int]:
        """Which entry logged each of these objects' ingest, as the index notes it."""

        def ingest_index(conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
            found: dict[tuple[str, str], int] = {}
            for evidence_id, role in refs:
                row = conn.execute(
                    "SELECT leaf_idx FROM log_ingests WHERE evidence_id = ? AND role = ?",
                    (str(evidence_id), role.value),
                ).fetchone()
                if row is not None:
                    found[(str(evidence_id), role.value)] = int(row[0])
            return found

        return await self._db.run(ingest_index)

    async def unlogged_objects(self) -> list[tuple[EvidenceId, Role]]:
        """Objects in the index with no entry logging their ingest."""

        def unlogged(conn: sqlite3.Connection) -> list[tuple[EvidenceId, Role]]:
            cursor = conn.execute(
                "SELECT o.evidence_id, o.role FROM objects o LEFT JOIN log_ingests i "
                "ON i.evidence_id = o.evidence_id AND i.role = o.role "
                "WHERE i.leaf_idx IS NULL ORDER BY o.received_at, o.evidence_id"
            )
            return [(EvidenceId(row[0]), Role(row[1])) for row in cursor]

        return await self._db.run(unlogged)

    async def indexed(self, refs: Sequence[tuple[EvidenceId, Role]]) -> set[tuple[str, str]]:
        """Which of these objects the index holds."""

        def indexed(conn: sqlite3.Connection) -> set[tuple[str, str]]:
            held: set[tuple[str, str]] = set()
            for evidence_id, role in refs:
                row = conn.execute(
                    "SELECT 1 FROM objects WHERE evidence_id = ? AND role = ?",
                    (str(evidence_id), role.value),
                ).fetchone()
                if row is not None:
                    held.add((str(evidence_id), role.value))
            return held

        return await self._db.run(indexed)

    async def origin(self, proposed: LogOrigin) -> LogOrigin:
        """The log's origin: the one it was started with, or ``proposed`` if it has none."""

        def origin(conn: sqlite3.Connection) -> LogOrigin:
            with transaction(conn):
                conn.execute(
                    "INSERT INTO log_origin (id, origin, vkey, started_at) "
                    "VALUES (1, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (proposed.origin, proposed.vkey, when(proposed.started_at)),
                )
                row = conn.execute("SELECT * FROM log_origin WHERE id = 1").fetchone()
            return LogOrigin(row["origin"], row["vkey"], parse_time(row["started_at"]))

        return await self._db.run(origin)

    async def stored_origin(self) -> LogOrigin | None:
        def stored(conn: sqlite3.Connection) -> LogOrigin | None:
            row = conn.execute("SELECT * FROM log_origin WHERE id = 1").fetchone()
            if row is None:
                return None
            return LogOrigin(row["origin"], row["vkey"], parse_time(row["started_at"]))

        return await self._db.run(stored)

    async def add_checkpoint(self, record: CheckpointRecord) -> CheckpointRecord:
        """Keep a signed checkpoint. One of this size already kept is returned as it is;
        one with another root for the same size is refused: that would be a fork."""

        def add(conn: sqlite3.Connection) -> CheckpointRecord:
            with transaction(conn):
                row = conn.execute(
                    "SELECT * FROM log_checkpoints WHERE size = ?", (record.size,)
                ).fetchone()
                if row is not None:
                    held = _checkpoint(row)
                    if held.root != record.root:
                        raise StorageFailure(
                            f"a checkpoint of {record.size} entries with another root is kept: "
                            "the log was altered outside Liuhen",
                            size=record.size,
                        )
                    return held
                conn.execute(
                    "INSERT INTO log_checkpoints (size, root, note, signed_at) VALUES (?, ?, ?, ?)",
                    (record.size, record.root, record.note, when(record.signed_at)),
                )
            return record

        return await self._db.run(add)

    async def latest_checkpoint(self) -> CheckpointRecord | None:
        def latest(conn: sqlite3.Connection) -> CheckpointRecord | None:
            row = conn.execute(
                "SELECT * FROM log_checkpoints ORDER BY size DESC LIMIT 1"
            ).fetchone()
            return None if row is None else _checkpoint(row)

        return await self._db.run(latest)

    async def checkpoint(self, size: int) -> CheckpointRecord | None:
        def checkpoint(conn: sqlite3.Connection) -> CheckpointRecord | None:
            row = conn.execute("SELECT * FROM log_checkpoints WHERE size = ?", (size,)).fetchone()
            return None if row is None else _checkpoint(row)

        return await self._db.run(checkpoint)

    async def checkpoints(self) -> list[CheckpointRecord]:
        def checkpoints(conn: sqlite3.Connection) -> list[CheckpointRecord]:
            cursor = conn.execute("SELECT * FROM log_checkpoints ORDER BY size")
            return [_checkpoint(row) for row in cursor]

        return await self._db.run(checkpoints)

    async def accesses(self, query: AccessQuery) -> list[LoggedLeaf]:
        return await self._db.run(lambda conn: _accesses(conn, query))


def _accesses(conn: sqlite3.Connection, query: AccessQuery) -> list[LoggedLeaf]:
    clauses, params = ["TRUE"], []
    wanted: list[tuple[str, object]] = [
        ("a.case_number = ?", query.case_number),
        ("a.actor = ?", query.actor),
        ("a.at >= ?", when(query.since) if query.since else None),
        ("a.evidence_id = ?", None if query.evidence_id is None else str(query.evidence_id)),
        ("a.role = ?", None if query.role is None else query.role.value),
    ]
    for clause, value in wanted:
        if value is not None:
            clauses.append(clause)
            params.append(value)
    cursor = conn.execute(
        "SELECT DISTINCT l.idx, l.body FROM log_accesses a "  # noqa: S608
        "JOIN log_leaves l ON l.idx = a.leaf_idx "
        f"WHERE {' AND '.join(clauses)} ORDER BY l.idx DESC LIMIT ? OFFSET ?",
        (*params, min(query.limit, MAX_PAGE), query.offset),
    )
    return [LoggedLeaf(row[0], bytes(row[1])) for row in cursor]
