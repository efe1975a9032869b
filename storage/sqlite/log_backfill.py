"""The upgrade step that starts the custody log of an index kept before it existed.

Every object the index holds is logged once, as a ``liuhen.log.backfill`` leaf, in the
order the objects were received: what its receipt attests (the object's SHA-256, its
manifest's and the receipt's own), and when the upgrade logged it. The facts come from
the server-signed receipt, not the index's columns. An object whose receipt cannot be
read is left unlogged, with a warning: the fixity audit then flags it as an object the
log never saw. This runs once (``PRAGMA user_version``), so a log emptied later is not
filled again: that would hide what was taken away.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime

from evidence.digest import Sha256
from evidence.errors import LiuhenError
from evidence.receipt import Receipt
from evidence.tlog.leaf_backfill import BackfillLeaf
from evidence.tlog.leaf_events import IngestLeaf
from evidence.tlog.leaves import leaf_bytes
from storage.sqlite.log_append import append_leaf

__all__ = ["backfill_ingests"]

log = logging.getLogger(__name__)


def backfill_ingests(conn: sqlite3.Connection, now: datetime) -> int:
    """Log every object the index holds, oldest first; return how many were logged. Runs
    in the upgrade's transaction, after the log's tables exist."""
    rows = conn.execute(
        "SELECT evidence_id, role, receipt_body FROM objects ORDER BY received_at, rowid"
    ).fetchall()
    logged = 0
    for evidence_id, role, receipt_body in rows:
        body = bytes(receipt_body)
        try:
            leaf = BackfillLeaf(_ingest(body), now)
        except LiuhenError as exc:
            log.warning("%s/%s not logged: its receipt cannot be read: %s", evidence_id, role, exc)
            continue
        append_leaf(conn, leaf_bytes(leaf))
        logged += 1
    if logged:
        log.warning("the custody log begins with %d object(s) stored before it existed", logged)
    return logged


def _ingest(receipt_body: bytes) -> IngestLeaf:
    receipt = Receipt.parse(receipt_body)
    return IngestLeaf(
        receipt.evidence_id,
        receipt.role,
        receipt.device_id,
        receipt.sha256,
        receipt.manifest_sha256,
        Sha256.of(receipt_body),
        receipt.received_at,
    )
