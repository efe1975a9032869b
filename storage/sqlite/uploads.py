"""Registered manifests (each with what the server derives from it, in one transaction)
and tus upload sessions."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from evidence.errors import ManifestConflict, SequenceReused
from evidence.identifiers import DeviceId, EvidenceId, Role
from storage.records import Derived, ManifestRecord, UploadRecord, UploadState
from storage.sqlite import rows
from storage.sqlite.database import SqliteDatabase, transaction
from storage.sqlite.flags import insert_flag, resolve_open
from storage.sqlite.media import insert_prints, insert_segment

_LIVE = (UploadState.OPEN.value, UploadState.FINALIZED.value)


def _write_derived(conn: sqlite3.Connection, derived: Derived) -> None:
    for resolution in derived.resolutions:
        resolve_open(conn, resolution)
    if derived.segment is not None:
        insert_segment(conn, derived.segment)
    for prints in derived.prints:
        insert_prints(conn, prints)
    for flag in derived.flags:
        insert_flag(conn, flag)


def _held_manifest(conn: sqlite3.Connection, record: ManifestRecord) -> ManifestRecord | None:
    """The manifest already kept for the object: the same bytes, or a conflict."""
    row = conn.execute(
        "SELECT * FROM manifests WHERE evidence_id = ? AND role = ?",
        (str(record.evidence_id), record.role.value),
    ).fetchone()
    if row is None:
        return None
    held = rows.manifest(row)
    if held.manifest_sha256 != record.manifest_sha256:
        raise ManifestConflict(
            f"{record.evidence_id}/{record.role} already has a different manifest"
        )
    return held


def _insert_manifest(conn: sqlite3.Connection, record: ManifestRecord) -> None:
    """Keep a new manifest, unless its device used the sequence number already."""
    taken = conn.execute(
        "SELECT evidence_id FROM manifests WHERE device_id = ? AND sequence = ?",
        (str(record.device_id), record.sequence),
    ).fetchone()
    if taken is not None:
        raise SequenceReused(
            f"device {record.device_id} already used sequence {record.sequence} "
            f"for {taken['evidence_id']}",
            sequence=record.sequence,
        )
    conn.execute(
        "INSERT INTO manifests (evidence_id, role, device_id, key_id, sequence, "
        "previous_sha256, manifest_sha256, body, signature, case_number, registered_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            str(record.evidence_id),
            record.role.value,
            str(record.device_id),
            record.key_id,
            record.sequence,
            None if record.previous_sha256 is None else record.previous_sha256.hex,
            record.manifest_sha256.hex,
            record.body,
            record.signature,
            None if record.case_number is None else str(record.case_number),
            rows.when(record.registered_at),
        ),
    )


class SqliteUploads:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def register_manifest(
        self, record: ManifestRecord, derived: Derived | None = None
    ) -> tuple[ManifestRecord, bool]:
        def register(conn: sqlite3.Connection) -> tuple[ManifestRecord, bool]:
            with transaction(conn):
                held = _held_manifest(conn, record)
                if held is not None:
                    return held, False
                _insert_manifest(conn, record)
                if derived is not None:
                    _write_derived(conn, derived)
            return record, True

        return await self._db.run(register)

    async def manifest(self, evidence_id: EvidenceId, role: Role) -> ManifestRecord | None:
        def manifest(conn: sqlite3.Connection) -> ManifestRecord | None:
            row = conn.execute(
                "SELECT * FROM manifests WHERE evidence_id = ? AND role = ?",
                (str(evidence_id), role.value),
            ).fetchone()
            return None if row is None else rows.manifest(row)

        return await self._db.run(manifest)

    async def manifest_at(self, device_id: DeviceId, sequence: int) -> ManifestRecord | None:
        def manifest_at(conn: sqlite3.Connection) -> ManifestRecord | None:
            row = conn.execute(
                "SELECT * FROM manifests WHERE device_id = ? AND sequence = ?",
                (str(device_id), sequence),
            ).fetchone()
            return None if row is None else rows.manifest(row)

        return await self._db.run(manifest_at)

    async def last_manifest(
        self, device_id: DeviceId, below: int | None = None
    ) -> ManifestRecord | None:
        def last_manifest(conn: sqlite3.Connection) -> ManifestRecord | None:
            row = conn.execute(
                "SELECT * FROM manifests WHERE device_id = ? AND (? IS NULL OR sequence < ?) "
                "ORDER BY sequence DESC LIMIT 1",
                (str(device_id), below, below),
            ).fetchone()
            return None if row is None else rows.manifest(row)

        return await self._db.run(last_manifest)

    async def create_upload(self, record: UploadRecord) -> tuple[UploadRecord, bool]:
        def create(conn: sqlite3.Connection) -> tuple[UploadRecord, bool]:
            with transaction(conn):
                row = conn.execute(
                    "SELECT * FROM uploads WHERE evidence_id = ? AND role = ? AND state IN (?, ?)",
                    (str(record.evidence_id), record.role.value, *_LIVE),
                ).fetchone()
                if row is not None:
                    return rows.upload(row), False
                conn.execute(
                    "INSERT INTO uploads (upload_id, evidence_id, role, device_id, length, "
                    "upload_offset, state, metadata, created_at, expires_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        record.upload_id,
                        str(record.evidence_id),
                        record.role.value,
                        str(record.device_id),
                        record.length,
                        record.offset,
                        record.state.value,
                        record.metadata,
                        rows.when(record.created_at),
                        rows.when(record.expires_at),
                    ),
                )
            return record, True

        return await self._db.run(create)

    async def reserved(self, device_id: DeviceId, now: datetime) -> tuple[int, int]:
        def reserved(conn: sqlite3.Connection) -> tuple[int, int]:
            row = conn.execute(
                "SELECT count(*) FILTER (WHERE expires_at > ?), coalesce(sum(length), 0) "
                "FROM uploads WHERE device_id = ? AND state = ?",
                (rows.when(now), str(device_id), UploadState.OPEN.value),
            ).fetchone()
            return int(row[0]), int(row[1])

        return await self._db.run(reserved)

    async def upload(self, upload_id: str) -> UploadRecord | None:
        def upload(conn: sqlite3.Connection) -> UploadRecord | None:
            row = conn.execute("SELECT * FROM uploads WHERE upload_id = ?", (upload_id,)).fetchone()
            return None if row is None else rows.upload(row)

        return await self._db.run(upload)

    async def live_upload(self, evidence_id: EvidenceId, role: Role) -> UploadRecord | None:
        def live_upload(conn: sqlite3.Connection) -> UploadRecord | None:
            row = conn.execute(
                "SELECT * FROM uploads WHERE evidence_id = ? AND role = ? "
                "ORDER BY state IN (?, ?) DESC, created_at DESC LIMIT 1",
                (str(evidence_id), role.value, *_LIVE),
            ).fetchone()
            return None if row is None else rows.upload(row)

        return await self._db.run(live_upload)

    async def advance(
        self, upload_id: str, expected: int, new_offset: int, expires_at: datetime
    ) -> bool:
        def advance(conn: sqlite3.Connection) -> bool:
            with transaction(conn):
                cursor = conn.execute(
                    "UPDATE uploads SET upload_offset = ?, expires_at = ? "
                    "WHERE upload_id = ? AND upload_offset = ? AND state = ?",
                    (
                        new_offset,
                        rows.when(expires_at),
                        upload_id,
                        expected,
                        UploadState.OPEN.value,
                    ),
                )
                return cursor.rowcount == 1

        return await self._db.run(advance)

    async def set_state(
        self,
        upload_id: str,
        state: UploadState,
        error_code: str | None = None,
        error_message: str | None = None,
    ) -> None:
        def set_state(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute(
                    "UPDATE uploads SET state = ?, error_code = ?, error_message = ? WHERE upload_id = ?",
                    (state.value, error_code, error_message, upload_id),
                )

        await self._db.run(set_state)

    async def expired(self, now: datetime) -> list[UploadRecord]:
        def expired(conn: sqlite3.Connection) -> list[UploadRecord]:
            cursor = conn.execute(
                "SELECT * FROM uploads WHERE state IN (?, ?) AND expires_at < ?",
                (UploadState.OPEN.value, UploadState.REJECTED.value, rows.when(now)),
            )
            return [rows.upload(row) for row in cursor]

        return await self._db.run(expired)
