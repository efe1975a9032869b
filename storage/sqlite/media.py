"""Room sessions' segments and per-second perceptual fingerprints: written with the
manifest they come from (``storage.sqlite.uploads``), read here."""

from __future__ import annotations

import sqlite3

from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.perceptual import SecondPrint
from evidence.strict_json import parse_time
from storage.records import PrintSet, SegmentRecord
from storage.sqlite import rows
from storage.sqlite.database import SqliteDatabase


def insert_segment(conn: sqlite3.Connection, segment: SegmentRecord) -> None:
    """Keep a segment in the caller's transaction; one already held stays as it was."""
    conn.execute(
        "INSERT INTO segments (evidence_id, session_id, segment_index, device_id, started_at, "
        "ended_at, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
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


def insert_prints(conn: sqlite3.Connection, prints: PrintSet) -> None:
    """Keep fingerprints in the caller's transaction; those already held stay as they were."""
    conn.executemany(
        "INSERT INTO perceptual (evidence_id, role, second, hash, quality) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [
            (str(prints.evidence_id), prints.role.value, p.second, p.hash, p.quality)
            for p in prints.prints
        ],
    )


class SqliteMedia:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

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
