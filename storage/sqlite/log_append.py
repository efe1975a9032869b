"""Appending one leaf to the custody log inside the caller's transaction.

An event and its log entry are written together or not at all: the storage method that
records the event (an object indexed, a flag resolved, an act edited…) calls
``append_leaf`` in its own ``BEGIN IMMEDIATE`` transaction. That transaction holds the
database's write lock, so the size and the peaks read here are the log as it stands, even
when another process (a command on the server host) appends too.

Appending reads the peaks of the tree (at most 63 stored nodes, ``CompactRange``), adds
the leaf and the nodes it completes, and notes what later reads look for: the entry that
logged each object's ingest, and each access. A leaf that is not one of our canonical
records is refused (``bad_log_leaf``), and so is a log whose stored peaks are missing:
the event is then refused with it.
"""

from __future__ import annotations

import sqlite3

from evidence import merkle
from evidence.errors import StorageFailure
from evidence.tlog.compact import CompactRange
from evidence.tlog.leaf_backfill import BackfillLeaf
from evidence.tlog.leaf_events import AccessLeaf, IngestLeaf
from evidence.tlog.leaves import LogLeaf, parse_leaf
from evidence.tlog.nodes import NodeId
from storage.sqlite.rows import when

__all__ = ["append_leaf", "log_size", "read_nodes"]


def log_size(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COALESCE(MAX(idx) + 1, 0) FROM log_leaves").fetchone()[0])


def read_nodes(conn: sqlite3.Connection, ids: tuple[NodeId, ...]) -> dict[NodeId, bytes]:
    """The stored hashes of these nodes; every one must be there."""
    found: dict[NodeId, bytes] = {}
    for start in range(0, len(ids), 200):
        batch = ids[start : start + 200]
        where = " OR ".join("(level = ? AND idx = ?)" for _ in batch)
        params = [value for node in batch for value in (node.level, node.index)]
        for row in conn.execute(f"SELECT level, idx, hash FROM log_nodes WHERE {where}", params):  # noqa: S608
            found[NodeId(row[0], row[1])] = bytes(row[2])
    missing = [node for node in ids if node not in found]
    if missing:
        raise StorageFailure(
            f"the custody log lacks node {missing[0]}: it was altered outside Liuhen",
            missing=len(missing),
        )
    return found


def append_leaf(conn: sqlite3.Connection, body: bytes) -> int:
    """Log ``body`` (a canonical leaf) as the next entry; return its number."""
    leaf = parse_leaf(body)
    size = log_size(conn)
    ids = CompactRange.node_ids(size)
    nodes = read_nodes(conn, ids)
    tree = CompactRange(size, tuple(nodes[node] for node in ids))
    leaf_hash = merkle.leaf_hash(body)
    _, completed = tree.append(leaf_hash)
    conn.execute(
        "INSERT INTO log_leaves (idx, leaf_hash, kind, body) VALUES (?, ?, ?, ?)",
        (size, leaf_hash, leaf.TYPE, body),
    )
    conn.executemany(
        "INSERT INTO log_nodes (level, idx, hash) VALUES (?, ?, ?)",
        [(node.level, node.index, value) for node, value in completed],
    )
    _note(conn, size, leaf)
    return size


def _note(conn: sqlite3.Connection, index: int, leaf: LogLeaf) -> None:
    """What later reads look for, from the leaf itself."""
    ingest = leaf.ingest if isinstance(leaf, BackfillLeaf) else leaf
    if isinstance(ingest, IngestLeaf):
        conn.execute(
            "INSERT INTO log_ingests (evidence_id, role, leaf_idx) VALUES (?, ?, ?)",
            (str(ingest.evidence_id), ingest.role.value, index),
        )
    elif isinstance(leaf, AccessLeaf):
        targets: list[tuple[str | None, str | None]] = [
            (str(ref.evidence_id), ref.role.value) for ref in leaf.objects
        ] or [(None, None)]
        conn.executemany(
            "INSERT INTO log_accesses (leaf_idx, actor, case_number, evidence_id, role, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (index, leaf.actor.name, leaf.case, eid, role, when(leaf.at))
                for eid, role in targets
            ],
        )
