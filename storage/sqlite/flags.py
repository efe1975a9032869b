"""Flags a custodian must see: raised once per open (kind, subject), resolved with a reason."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from evidence.identifiers import DeviceId, EvidenceId, Role
from storage.records import FlagRecord
from storage.sqlite import rows
from storage.sqlite.database import SqliteDatabase, transaction


class SqliteFlags:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def raise_flag(
        self,
        kind: str,
        subject: str,
        detail: str,
        now: datetime,
        *,
        device_id: DeviceId | None = None,
        evidence_id: EvidenceId | None = None,
        role: Role | None = None,
    ) -> bool:
        def raise_flag(conn: sqlite3.Connection) -> bool:
            with transaction(conn):
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO flags (kind, device_id, evidence_id, role, subject, "
                    "detail, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        kind,
                        None if device_id is None else str(device_id),
                        None if evidence_id is None else str(evidence_id),
                        None if role is None else role.value,
                        subject,
                        detail,
                        rows.when(now),
                    ),
                )
                return cursor.rowcount == 1

        return await self._db.run(raise_flag)

    async def resolve(self, kind: str, subject: str, resolution: str, now: datetime) -> bool:
        def resolve(conn: sqlite3.Connection) -> bool:
            with transaction(conn):
                cursor = conn.execute(
                    "UPDATE flags SET resolved_at = ?, resolution = ? "
                    "WHERE kind = ? AND subject = ? AND resolved_at IS NULL",
                    (rows.when(now), resolution, kind, subject),
                )
                return cursor.rowcount > 0

        return await self._db.run(resolve)

    async def open_for(self, evidence_id: EvidenceId) -> list[FlagRecord]:
        def open_for(conn: sqlite3.Connection) -> list[FlagRecord]:
            cursor = conn.execute(
                "SELECT * FROM flags WHERE evidence_id = ? AND resolved_at IS NULL ORDER BY id",
                (str(evidence_id),),
            )
            return [rows.flag(row) for row in cursor]

        return await self._db.run(open_for)

    async def open_flags(self, kind: str | None = None) -> list[FlagRecord]:
        def open_flags(conn: sqlite3.Connection) -> list[FlagRecord]:
            if kind is None:
                cursor = conn.execute("SELECT * FROM flags WHERE resolved_at IS NULL ORDER BY id")
            else:
                cursor = conn.execute(
                    "SELECT * FROM flags WHERE kind = ? AND resolved_at IS NULL ORDER BY id",
                    (kind,),
                )
            return [rows.flag(row) for row in cursor]

        return await self._db.run(open_flags)
