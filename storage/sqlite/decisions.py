"""What people decided: catalogue versions, confirmed or rejected suggestions, exemptions
and their withdrawals. All append-only; a withdrawal is a row of its own."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime

from evidence.errors import (
    AlreadyDecided,
    AlreadyExempted,
    AlreadyWithdrawn,
    CatalogueConflict,
    UnknownAct,
    UnknownExemption,
)
from evidence.identifiers import EvidenceId
from storage.compliance_records import (
    CatalogueVersion,
    DecisionRecord,
    ExemptionReason,
    ExemptionRecord,
)
from storage.sqlite import compliance_rows as rows
from storage.sqlite import dialect
from storage.sqlite.database import SqliteDatabase, transaction
from storage.sqlite.log_append import append_leaf
from storage.sqlite.rows import when

_EXEMPTIONS = (
    "SELECT e.*, w.withdrawn_by, w.withdrawn_at, w.reason AS withdrawal_reason, "
    "a.revision AS current_revision FROM exemptions e JOIN acts a ON a.act_id = e.act_id "
    "LEFT JOIN exemption_withdrawals w ON w.exemption_id = e.id"
)


def _act_revision(conn: sqlite3.Connection, act_id: int) -> int:
    """The act's current revision: the one an exemption entered now excuses."""
    act = conn.execute("SELECT revision FROM acts WHERE act_id = ?", (act_id,)).fetchone()
    if act is None:
        raise UnknownAct(f"no act {act_id}")
    return int(act["revision"])


def _refuse_a_second_standing(conn: sqlite3.Connection, act_id: int) -> None:
    """One standing exemption per act: another is entered only after it is withdrawn."""
    standing = conn.execute(
        f"{_EXEMPTIONS} WHERE e.act_id = ? AND w.exemption_id IS NULL "
        "AND e.act_revision = a.revision",
        (act_id,),
    ).fetchone()
    if standing is not None:
        raise AlreadyExempted(
            f"act {act_id} is exempted already (exemption {standing['id']}); "
            "withdraw that one first",
            exemption_id=standing["id"],
        )


def _insert_exemption(conn: sqlite3.Connection, entered: ExemptionRecord) -> int:
    cursor = conn.execute(
        "INSERT INTO exemptions (act_id, reason, approver, approved_at, note, "
        "recorded_by, recorded_at, act_revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "RETURNING id",
        (
            entered.act_id,
            entered.reason.value,
            entered.approver,
            when(entered.approved_at),
            entered.note,
            entered.recorded_by,
            when(entered.recorded_at),
            entered.act_revision,
        ),
    )
    return rows.new_id(cursor)


class SqliteCatalogues:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def current(self) -> CatalogueVersion | None:
        def current(conn: sqlite3.Connection) -> CatalogueVersion | None:
            row = conn.execute("SELECT * FROM catalogues ORDER BY version DESC LIMIT 1").fetchone()
            return None if row is None else rows.catalogue(row)

        return await self._db.run(current)

    async def add(
        self, csv_text: str, act_types: Collection[str], by: str, now: datetime
    ) -> CatalogueVersion:
        def add(conn: sqlite3.Connection) -> CatalogueVersion:
            with transaction(conn):
                used = {row[0] for row in conn.execute("SELECT DISTINCT act_type FROM acts")}
                dropped = sorted(used - set(act_types))
                if dropped:
                    raise CatalogueConflict(
                        f"registered acts use act types the catalogue drops: {', '.join(dropped)}",
                        act_types=dropped,
                    )
                cursor = conn.execute(
                    "INSERT INTO catalogues (csv_text, imported_by, imported_at) VALUES (?, ?, ?) "
                    "RETURNING version",
                    (csv_text, by, when(now)),
                )
                return CatalogueVersion(rows.new_id(cursor), csv_text, by, now)

        return await self._db.run(add)


class SqliteDecisions:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def decide(self, record: DecisionRecord, *, leaf: bytes | None = None) -> DecisionRecord:
        def decide(conn: sqlite3.Connection) -> DecisionRecord:
            with transaction(conn):
                if (
                    conn.execute("SELECT 1 FROM acts WHERE act_id = ?", (record.act_id,)).fetchone()
                    is None
                ):
                    raise UnknownAct(f"no act {record.act_id}")
                held = conn.execute(
                    "SELECT * FROM decisions WHERE evidence_id = ? AND act_id = ?",
                    (str(record.evidence_id), record.act_id),
                ).fetchone()
                if held is not None:
                    raise AlreadyDecided(
                        f"{record.evidence_id} for act {record.act_id} was {held['decision']} "
                        f"by {held['decided_by']} at {held['decided_at']}",
                        decision=held["decision"],
                    )
                conn.execute(
                    "INSERT INTO decisions (evidence_id, act_id, decision, decided_by, "
                    "decided_at, note) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        str(record.evidence_id),
                        record.act_id,
                        record.decision.value,
                        record.decided_by,
                        when(record.decided_at),
                        record.note,
                    ),
                )
                if leaf is not None:
                    append_leaf(conn, leaf)
            return record

        return await self._db.run(decide)

    async def decision(self, evidence_id: EvidenceId, act_id: int) -> DecisionRecord | None:
        def decision(conn: sqlite3.Connection) -> DecisionRecord | None:
            row = conn.execute(
                "SELECT * FROM decisions WHERE evidence_id = ? AND act_id = ?",
                (str(evidence_id), act_id),
            ).fetchone()
            return None if row is None else rows.decision(row)

        return await self._db.run(decision)

    async def of_act(self, act_id: int) -> list[DecisionRecord]:
        def of_act(conn: sqlite3.Connection) -> list[DecisionRecord]:
            cursor = conn.execute(
                "SELECT * FROM decisions WHERE act_id = ? ORDER BY decided_at, evidence_id",
                (act_id,),
            )
            return [rows.decision(row) for row in cursor]

        return await self._db.run(of_act)


class SqliteExemptions:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def add(
        self,
        act_id: int,
        reason: ExemptionReason,
        approver: str,
        approved_at: datetime,
        note: str | None,
        by: str,
        now: datetime,
        *,
        leaf: bytes | None = None,
    ) -> ExemptionRecord:
        def add(conn: sqlite3.Connection) -> ExemptionRecord:
            with transaction(conn):
                revision = _act_revision(conn, act_id)
                _refuse_a_second_standing(conn, act_id)
                entered = ExemptionRecord(  # its id is the insert's
                    0, act_id, reason, approver, approved_at, note, by, now, revision
                )
                exemption = replace(entered, exemption_id=_insert_exemption(conn, entered))
                if leaf is not None:
                    append_leaf(conn, leaf)
                return exemption

        return await self._db.run(add)

    async def withdraw(
        self, exemption_id: int, reason: str, by: str, now: datetime, *, leaf: bytes | None = None
    ) -> ExemptionRecord:
        def withdraw(conn: sqlite3.Connection) -> ExemptionRecord:
            with transaction(conn):
                row = conn.execute(f"{_EXEMPTIONS} WHERE e.id = ?", (exemption_id,)).fetchone()
                if row is None:
                    raise UnknownExemption(f"no exemption {exemption_id}")
                if row["withdrawn_at"] is not None:
                    raise AlreadyWithdrawn(
                        f"exemption {exemption_id} was withdrawn by {row['withdrawn_by']} "
                        f"at {row['withdrawn_at']}"
                    )
                conn.execute(
                    "INSERT INTO exemption_withdrawals (exemption_id, withdrawn_by, "
                    "withdrawn_at, reason) VALUES (?, ?, ?, ?)",
                    (exemption_id, by, when(now), reason),
                )
                if leaf is not None:
                    append_leaf(conn, leaf)
                return rows.exemption(
                    conn.execute(f"{_EXEMPTIONS} WHERE e.id = ?", (exemption_id,)).fetchone()
                )

        return await self._db.run(withdraw)

    async def of_acts(self, act_ids: Sequence[int]) -> list[ExemptionRecord]:
        def of_acts(conn: sqlite3.Connection) -> list[ExemptionRecord]:
            cursor = conn.execute(
                f"{_EXEMPTIONS} WHERE e.act_id IN ({dialect.of(conn).ints_in('?')}) "
                "ORDER BY e.act_id, e.id DESC",
                (json.dumps(list(act_ids)),),
            )
            return [rows.exemption(row) for row in cursor]

        return await self._db.run(of_acts)
