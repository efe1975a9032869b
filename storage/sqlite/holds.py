"""Legal holds in the SQLite index (``holds``, ``hold_lifts`` in schema.sql; append-only
by trigger), and what the retention report reads about each recording.

Each set and each lift is kept with its custody log entry in one transaction. The SQL is
portable (``RETURNING``, ``ON CONFLICT DO NOTHING``; no rowid, no julianday): the
PostgreSQL index takes it as it is.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from evidence.identifiers import EvidenceId
from evidence.strict_json import parse_time
from storage.hold_records import HoldLift, HoldRecord, NewHold, RecordingKeeping
from storage.sqlite.database import SqliteDatabase, transaction
from storage.sqlite.keeping import keeping
from storage.sqlite.log_append import append_leaf
from storage.sqlite.rows import when

__all__ = ["SqliteHolds"]

_SELECT = (
    "SELECT h.hold_id, h.case_number, h.evidence_id, h.reason, h.set_by, h.set_role, "
    "h.set_at, h.leaf_idx, l.reason AS lift_reason, l.lifted_by, l.lifted_role, "
    "l.lifted_at, l.leaf_idx AS lift_idx FROM holds h LEFT JOIN hold_lifts l "
    "ON l.hold_id = h.hold_id"
)


def _hold(row: sqlite3.Row) -> HoldRecord:
    lift = None
    if row["lifted_at"] is not None:
        lift = HoldLift(
            row["lift_reason"],
            row["lifted_by"],
            row["lifted_role"],
            parse_time(row["lifted_at"]),
            row["lift_idx"],
        )
    evidence = row["evidence_id"]
    return HoldRecord(
        row["hold_id"],
        row["case_number"],
        None if evidence is None else EvidenceId(evidence),
        row["reason"],
        row["set_by"],
        row["set_role"],
        parse_time(row["set_at"]),
        row["leaf_idx"],
        lift,
    )


def _find_one(conn: sqlite3.Connection, hold_id: int) -> HoldRecord | None:
    row = conn.execute(f"{_SELECT} WHERE h.hold_id = ?", (hold_id,)).fetchone()
    return None if row is None else _hold(row)


def _set(conn: sqlite3.Connection, hold: NewHold, leaf: bytes) -> HoldRecord:
    with transaction(conn):
        index = append_leaf(conn, leaf)
        evidence = None if hold.evidence_id is None else str(hold.evidence_id)
        hold_id = conn.execute(
            "INSERT INTO holds (case_number, evidence_id, reason, set_by, set_role, set_at, "
            "leaf_idx) VALUES (?,?,?,?,?,?,?) RETURNING hold_id",
            (hold.case_number, evidence, hold.reason, hold.by, hold.role, when(hold.at), index),
        ).fetchone()[0]
        found = _find_one(conn, hold_id)
    assert found is not None  # noqa: S101 -- inserted just now, in this transaction
    return found


def _lift(
    conn: sqlite3.Connection, hold_id: int, lift: NewHold, leaf: bytes
) -> tuple[HoldRecord, bool] | None:
    with transaction(conn):
        held = _find_one(conn, hold_id)
        if held is None or held.lift is not None:
            return None if held is None else (held, False)
        index = append_leaf(conn, leaf)
        conn.execute(
            "INSERT INTO hold_lifts (hold_id, reason, lifted_by, lifted_role, lifted_at, "
            "leaf_idx) VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING",
            (hold_id, lift.reason, lift.by, lift.role, when(lift.at), index),
        )
        lifted = _find_one(conn, hold_id)
    assert lifted is not None  # noqa: S101 -- found above, and holds are never deleted
    return lifted, True


def _find(
    conn: sqlite3.Connection,
    case_number: str | None,
    evidence_id: EvidenceId | None,
    standing_only: bool,
    page: tuple[int, int],
) -> list[HoldRecord]:
    where, params = ["1 = 1"], []
    if case_number is not None:
        where.append("h.case_number = ?")
        params.append(case_number)
    if evidence_id is not None:
        where.append("h.evidence_id = ?")
        params.append(str(evidence_id))
    if standing_only:
        where.append("l.hold_id IS NULL")
    sql = f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY h.hold_id DESC LIMIT ? OFFSET ?"
    return [_hold(row) for row in conn.execute(sql, (*params, *page))]


class SqliteHolds:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def set(self, hold: NewHold, *, leaf: bytes) -> HoldRecord:
        return await self._db.run(lambda conn: _set(conn, hold, leaf))

    async def lift(
        self, hold_id: int, lift: NewHold, *, leaf: bytes
    ) -> tuple[HoldRecord, bool] | None:
        return await self._db.run(lambda conn: _lift(conn, hold_id, lift, leaf))

    async def hold(self, hold_id: int) -> HoldRecord | None:
        return await self._db.run(lambda conn: _find_one(conn, hold_id))

    async def find(
        self,
        case_number: str | None,
        evidence_id: EvidenceId | None,
        standing_only: bool,
        limit: int,
        offset: int,
    ) -> list[HoldRecord]:
        return await self._db.run(
            lambda conn: _find(conn, case_number, evidence_id, standing_only, (limit, offset))
        )

    async def keeping(
        self,
        evidence_ids: Sequence[EvidenceId] | None,
        limit: int,
        offset: int,
        case_number: str | None = None,
    ) -> list[RecordingKeeping]:
        ids = None if evidence_ids is None else [str(item) for item in evidence_ids]
        return await self._db.run(lambda conn: keeping(conn, ids, case_number, (limit, offset)))
