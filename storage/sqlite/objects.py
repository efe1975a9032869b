"""Verified, stored objects and the history of their re-verification."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from evidence.errors import StorageFailure
from evidence.identifiers import EvidenceId, Role
from storage.records import NewFlag, StoredObject, UploadState, VerificationRecord
from storage.sqlite import rows
from storage.sqlite.database import SqliteDatabase, transaction
from storage.sqlite.flags import insert_flag
from storage.sqlite.log_append import append_leaf


def _object_row(
    conn: sqlite3.Connection, evidence_id: EvidenceId, role: Role
) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM objects WHERE evidence_id = ? AND role = ?",
        (str(evidence_id), role.value),
    ).fetchone()
    return row


def _insert_object(conn: sqlite3.Connection, stored: StoredObject) -> None:
    conn.execute(
        "INSERT INTO objects (evidence_id, role, device_id, sequence, manifest_sha256, "
        "sha256, size, chunk_root, store, locator, case_number, started_at, ended_at, "
        "place, officer_id, file_name, received_at, receipt_body, receipt_signature, "
        "claimed_started_at, claimed_ended_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            str(stored.evidence_id),
            stored.role.value,
            str(stored.device_id),
            stored.sequence,
            stored.manifest_sha256.hex,
            stored.sha256.hex,
            stored.size,
            stored.chunk_root.hex,
            stored.store,
            stored.locator,
            None if stored.case_number is None else str(stored.case_number),
            rows.when(stored.started_at),
            rows.when(stored.ended_at),
            stored.place,
            stored.officer_id,
            stored.file_name,
            rows.when(stored.received_at),
            stored.receipt_body,
            stored.receipt_signature,
            rows.when(stored.claimed_started_at),
            rows.when(stored.claimed_ended_at),
        ),
    )


def _close_upload(conn: sqlite3.Connection, upload_id: str) -> None:
    """The upload the object came by is finalized; only an open one may be."""
    cursor = conn.execute(
        "UPDATE uploads SET state = ?, error_code = NULL, error_message = NULL "
        "WHERE upload_id = ? AND state = ?",
        (UploadState.FINALIZED.value, upload_id, UploadState.OPEN.value),
    )
    if cursor.rowcount != 1:
        raise StorageFailure(f"upload {upload_id} is not open; nothing was finalized")


class SqliteObjects:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def finalize(
        self,
        upload_id: str,
        stored: StoredObject,
        flags: Sequence[NewFlag] = (),
        *,
        leaf: bytes | None = None,
    ) -> StoredObject:
        def finalize(conn: sqlite3.Connection) -> StoredObject:
            with transaction(conn):
                held = _object_row(conn, stored.evidence_id, stored.role)
                if held is not None:  # finalized already: the row kept is the answer
                    return rows.stored_object(held)
                _insert_object(conn, stored)
                _close_upload(conn, upload_id)
                for flag in flags:
                    insert_flag(conn, flag)
                if leaf is not None:
                    append_leaf(conn, leaf)
            return stored

        return await self._db.run(finalize)

    async def get(self, evidence_id: EvidenceId, role: Role) -> StoredObject | None:
        def get(conn: sqlite3.Connection) -> StoredObject | None:
            row = _object_row(conn, evidence_id, role)
            return None if row is None else rows.stored_object(row)

        return await self._db.run(get)

    async def of_recording(self, evidence_id: EvidenceId) -> list[StoredObject]:
        def of_recording(conn: sqlite3.Connection) -> list[StoredObject]:
            cursor = conn.execute(
                "SELECT * FROM objects WHERE evidence_id = ? ORDER BY role", (str(evidence_id),)
            )
            return [rows.stored_object(row) for row in cursor]

        return await self._db.run(of_recording)

    async def originals(
        self, case_number: str | None, limit: int, offset: int
    ) -> list[StoredObject]:
        def originals(conn: sqlite3.Connection) -> list[StoredObject]:
            if case_number is None:
                cursor = conn.execute(
                    "SELECT * FROM objects WHERE role = ? ORDER BY started_at DESC, evidence_id "
                    "LIMIT ? OFFSET ?",
                    (Role.ORIGINAL.value, limit, offset),
                )
            else:
                cursor = conn.execute(
                    "SELECT * FROM objects WHERE role = ? AND case_number = ? "
                    "ORDER BY started_at DESC, evidence_id LIMIT ? OFFSET ?",
                    (Role.ORIGINAL.value, case_number, limit, offset),
                )
            return [rows.stored_object(row) for row in cursor]

        return await self._db.run(originals)

    async def add_verification(
        self,
        record: VerificationRecord,
        flags: Sequence[NewFlag] = (),
        *,
        leaf: bytes | None = None,
    ) -> None:
        def add(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute(
                    "INSERT INTO verifications (evidence_id, role, checked_at, ok, detail) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (
                        str(record.evidence_id),
                        record.role.value,
                        rows.when(record.checked_at),
                        int(record.ok),
                        record.detail,
                    ),
                )
                for flag in flags:
                    insert_flag(conn, flag)
                if leaf is not None:
                    append_leaf(conn, leaf)

        await self._db.run(add)

    async def count(self) -> int:
        return await self._db.run(
            lambda conn: int(conn.execute("SELECT COUNT(*) FROM objects").fetchone()[0])
        )

    async def due_for_check(self, limit: int) -> list[StoredObject]:
        def due(conn: sqlite3.Connection) -> list[StoredObject]:
            cursor = conn.execute(  # PostgreSQL orders by an alias only in a subquery's
                "SELECT * FROM (SELECT o.*, (SELECT MAX(v.id) FROM verifications v "
                "WHERE v.evidence_id = o.evidence_id AND v.role = o.role) AS last_check "
                "FROM objects o) c ORDER BY c.last_check IS NOT NULL, c.last_check, c.received_at "
                "LIMIT ?",
                (limit,),
            )
            return [rows.stored_object(row) for row in cursor]

        return await self._db.run(due)

    async def page(self, after: tuple[EvidenceId, Role] | None, limit: int) -> list[StoredObject]:
        def page(conn: sqlite3.Connection) -> list[StoredObject]:
            start = ("", "") if after is None else (str(after[0]), after[1].value)
            cursor = conn.execute(
                "SELECT * FROM objects WHERE (evidence_id, role) > (?, ?) "
                "ORDER BY evidence_id, role LIMIT ?",
                (*start, limit),
            )
            return [rows.stored_object(row) for row in cursor]

        return await self._db.run(page)

    async def latest_verification(
        self, evidence_id: EvidenceId, role: Role
    ) -> VerificationRecord | None:
        def latest(conn: sqlite3.Connection) -> VerificationRecord | None:
            row = conn.execute(
                "SELECT * FROM verifications WHERE evidence_id = ? AND role = ? "
                "ORDER BY id DESC LIMIT 1",
                (str(evidence_id), role.value),
            ).fetchone()
            return None if row is None else rows.verification(row)

        return await self._db.run(latest)

    async def verifications(
        self, evidence_id: EvidenceId, role: Role, limit: int
    ) -> list[VerificationRecord]:
        def history(conn: sqlite3.Connection) -> list[VerificationRecord]:
            cursor = conn.execute(
                "SELECT * FROM verifications WHERE evidence_id = ? AND role = ? "
                "ORDER BY id DESC LIMIT ?",
                (str(evidence_id), role.value, limit),
            )
            return [rows.verification(row) for row in cursor]

        return await self._db.run(history)
