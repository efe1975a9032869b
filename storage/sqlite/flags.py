"""Flags a custodian must see: raised once per open (kind, subject), resolved once with who,
when and why, and kept (schema.sql refuses any other change)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from evidence.errors import AlreadyResolved, UnknownFlag
from evidence.identifiers import DeviceId, EvidenceId, Role
from storage.records import FlagRecord, FlagResolution, NewFlag
from storage.sqlite import rows
from storage.sqlite.database import SqliteDatabase, transaction
from storage.sqlite.log_append import append_leaf

# LIMIT without a limit, as both databases take it (SQLite reads -1 so, PostgreSQL refuses it).
_NO_LIMIT = 2**63 - 1


def insert_flag(conn: sqlite3.Connection, flag: NewFlag) -> bool:
    """Raise ``flag`` in the caller's transaction; False if one is open for its subject."""
    cursor = conn.execute(
        "INSERT INTO flags (kind, device_id, evidence_id, role, subject, detail, raised_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (
            flag.kind,
            None if flag.device_id is None else str(flag.device_id),
            None if flag.evidence_id is None else str(flag.evidence_id),
            None if flag.role is None else flag.role.value,
            flag.subject,
            flag.detail,
            rows.when(flag.raised_at),
        ),
    )
    return cursor.rowcount == 1


def resolve_open(conn: sqlite3.Connection, resolution: FlagResolution) -> bool:
    """Resolve the open flag of a kind for a subject in the caller's transaction."""
    cursor = conn.execute(
        "UPDATE flags SET resolved_at = ?, resolution = ?, resolved_by = ? "
        "WHERE kind = ? AND subject = ? AND resolved_at IS NULL",
        (
            rows.when(resolution.resolved_at),
            resolution.resolution,
            resolution.by,
            resolution.kind,
            resolution.subject,
        ),
    )
    return cursor.rowcount > 0


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
        flag = NewFlag(kind, subject, detail, now, device_id, evidence_id, role)

        def raise_flag(conn: sqlite3.Connection) -> bool:
            with transaction(conn):
                return insert_flag(conn, flag)

        return await self._db.run(raise_flag)

    async def resolve(
        self, kind: str, subject: str, resolution: str, by: str, now: datetime
    ) -> bool:
        wanted = FlagResolution(kind, subject, resolution, by, now)

        def resolve(conn: sqlite3.Connection) -> bool:
            with transaction(conn):
                return resolve_open(conn, wanted)

        return await self._db.run(resolve)

    async def flag(self, flag_id: int) -> FlagRecord | None:
        def flag(conn: sqlite3.Connection) -> FlagRecord | None:
            row = conn.execute("SELECT * FROM flags WHERE id = ?", (flag_id,)).fetchone()
            return None if row is None else rows.flag(row)

        return await self._db.run(flag)

    async def resolve_flag(
        self, flag_id: int, resolution: str, by: str, now: datetime, *, leaf: bytes | None = None
    ) -> FlagRecord:
        def resolve_flag(conn: sqlite3.Connection) -> FlagRecord:
            with transaction(conn):
                row = conn.execute("SELECT * FROM flags WHERE id = ?", (flag_id,)).fetchone()
                if row is None:
                    raise UnknownFlag(f"no flag {flag_id}")
                if row["resolved_at"] is not None:
                    raise AlreadyResolved(
                        f"flag {flag_id} was resolved by {row['resolved_by']} at "
                        f"{row['resolved_at']}: {row['resolution']}",
                        resolved_by=row["resolved_by"],
                    )
                conn.execute(
                    "UPDATE flags SET resolved_at = ?, resolution = ?, resolved_by = ? "
                    "WHERE id = ?",
                    (rows.when(now), resolution, by, flag_id),
                )
                if leaf is not None:
                    append_leaf(conn, leaf)
                return rows.flag(
                    conn.execute("SELECT * FROM flags WHERE id = ?", (flag_id,)).fetchone()
                )

        return await self._db.run(resolve_flag)

    async def open_for(self, evidence_id: EvidenceId) -> list[FlagRecord]:
        def open_for(conn: sqlite3.Connection) -> list[FlagRecord]:
            cursor = conn.execute(
                "SELECT * FROM flags WHERE evidence_id = ? AND resolved_at IS NULL ORDER BY id",
                (str(evidence_id),),
            )
            return [rows.flag(row) for row in cursor]

        return await self._db.run(open_for)

    async def open_flags(self, kind: str | None = None) -> list[FlagRecord]:
        return await self.flags(kind, is_open=True, limit=None)

    async def flags(
        self,
        kind: str | None = None,
        *,
        is_open: bool | None = None,
        limit: int | None = 100,
        offset: int = 0,
    ) -> list[FlagRecord]:
        def flags(conn: sqlite3.Connection) -> list[FlagRecord]:
            clauses, params = ["TRUE"], []
            if kind is not None:
                clauses.append("kind = ?")
                params.append(kind)
            if is_open is not None:
                clauses.append("resolved_at IS NULL" if is_open else "resolved_at IS NOT NULL")
            cursor = conn.execute(
                f"SELECT * FROM flags WHERE {' AND '.join(clauses)} "  # noqa: S608
                "ORDER BY id LIMIT ? OFFSET ?",
                (*params, _NO_LIMIT if limit is None else limit, offset),
            )
            return [rows.flag(row) for row in cursor]

        return await self._db.run(flags)
