"""Room sessions' segments and per-second perceptual fingerprints."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.perceptual import SecondPrint
from evidence.strict_json import parse_time
from storage.records import SegmentRecord
from storage.sqlite import rows
from storage.sqlite.database import SqliteDatabase, transaction


class SqliteMedia:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def add_segment(self, segment: SegmentRecord) -> None:
        def add_segment(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute(
                    "INSERT OR IGNORE INTO segments (evidence_id, session_id, segment_index, device_id, "
                    "started_at, ended_at, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        str(segment.evidence_id),
                        segment.session_id,
                        segment.index,
                        str(segment.device_id),
                        rows.when(segment.started_at),
                        rows.when(segment.ended_at),
                        rows.when(segment.registered_at),
                    ),
                )

        await self._db.run(add_segment)

    async def session(self, session_id: str) -> list[SegmentRecord]:
        def session(conn: sqlite3.Connection) -> list[SegmentRecord]:
            cursor = conn.execute(
                "SELECT * FROM segments WHERE session_id = ? ORDER BY segment_index, started_at",
                (session_id,),
            )
            return [
                SegmentRecord(
                    evidence_id=EvidenceId(row["evidence_id"]),
                    session_id=row["session_id"],
                    index=row["segment_index"],
                    device_id=DeviceId(row["device_id"]),
                    started_at=parse_time(row["started_at"]),
                    ended_at=rows.moment(row["ended_at"]),
                    registered_at=parse_time(row["registered_at"]),
                )
                for row in cursor
            ]

        return await self._db.run(session)

    async def add_prints(
        self, evidence_id: EvidenceId, role: Role, prints: Sequence[SecondPrint]
    ) -> None:
        def add_prints(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.executemany(
                    "INSERT OR IGNORE INTO perceptual (evidence_id, role, second, hash, quality) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [(str(evidence_id), role.value, p.second, p.hash, p.quality) for p in prints],
                )

        await self._db.run(add_prints)

    async def prints(self, evidence_id: EvidenceId, role: Role) -> list[SecondPrint]:
        def prints(conn: sqlite3.Connection) -> list[SecondPrint]:
            cursor = conn.execute(
                "SELECT second, hash, quality FROM perceptual WHERE evidence_id = ? AND role = ? ORDER BY second",
                (str(evidence_id), role.value),
            )
            return [
                SecondPrint(row["second"], bytes(row["hash"]), row["quality"]) for row in cursor
            ]

        return await self._db.run(prints)
