"""Interview and hearing rooms' sessions as their controllers published them, and the
segments bound to each (schema.sql). A session opens once and closes once: a closed one
never reopens, and its first close stands."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from evidence.strict_json import parse_time
from storage.fleet_records import RoomSessionRecord, SessionSegment
from storage.records import FlagResolution, NewFlag
from storage.sqlite import dialect, rows
from storage.sqlite.database import SqliteDatabase, transaction
from storage.sqlite.flags import insert_flag, resolve_open


def _session(row: sqlite3.Row) -> RoomSessionRecord:
    return RoomSessionRecord(
        session_id=row["session_id"],
        room=row["room"],
        state=row["state"],
        started_at=parse_time(row["started_at"]),
        stopped_at=rows.moment(row["stopped_at"]),
        room_name=row["room_name"],
        case_number=row["case_number"],
        participants=tuple(json.loads(row["participants"])),
        records=tuple(json.loads(row["records"])),
        heard_from=row["heard_from"],
        heard_at=parse_time(row["heard_at"]),
        verdict=row["verdict"],
    )


def _values(session: RoomSessionRecord) -> tuple[object, ...]:
    return (
        session.session_id,
        session.room,
        session.room_name,
        session.state,
        rows.when(session.started_at),
        rows.when(session.stopped_at),
        session.case_number,
        json.dumps(list(session.participants), ensure_ascii=False),
        json.dumps(list(session.records)),
        session.heard_from,
        rows.when(session.heard_at),
    )


def _record(conn: sqlite3.Connection, session: RoomSessionRecord) -> bool:
    """Keep a new session, or close an open one; anything else changes nothing."""
    cursor = conn.execute(
        "INSERT INTO room_sessions (session_id, room, room_name, state, started_at, "
        "stopped_at, case_number, participants, records, heard_from, heard_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET "
        "state = excluded.state, stopped_at = excluded.stopped_at, "
        "room_name = excluded.room_name, case_number = excluded.case_number, "
        "participants = excluded.participants, records = excluded.records, "
        "heard_from = excluded.heard_from, heard_at = excluded.heard_at "
        "WHERE room_sessions.state = 'open' AND excluded.state = 'closed' "
        "AND room_sessions.room = excluded.room",
        _values(session),
    )
    return cursor.rowcount == 1


class SqliteRooms:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def record_session(self, session: RoomSessionRecord) -> bool:
        def record(conn: sqlite3.Connection) -> bool:
            with transaction(conn):
                return _record(conn, session)

        return await self._db.run(record)

    async def session(self, session_id: str) -> RoomSessionRecord | None:
        def session(conn: sqlite3.Connection) -> RoomSessionRecord | None:
            row = conn.execute(
                "SELECT * FROM room_sessions WHERE session_id = ?", (session_id,)
            ).fetchone()
            return None if row is None else _session(row)

        return await self._db.run(session)

    async def sessions(
        self, room: str | None, case_number: str | None, limit: int, offset: int
    ) -> list[RoomSessionRecord]:
        def sessions(conn: sqlite3.Connection) -> list[RoomSessionRecord]:
            cursor = conn.execute(
                "SELECT * FROM room_sessions WHERE (:room IS NULL OR room = :room) "
                "AND (:case IS NULL OR case_number = :case) "
                "ORDER BY started_at DESC, session_id LIMIT :limit OFFSET :skip",
                {"room": room, "case": case_number, "limit": limit, "skip": offset},
            )
            return [_session(row) for row in cursor]

        return await self._db.run(sessions)

    async def segments(self, session_id: str) -> list[SessionSegment]:
        def segments(conn: sqlite3.Connection) -> list[SessionSegment]:
            cursor = conn.execute(
                "SELECT g.evidence_id, g.segment_index, s.start_ms, s.end_ms FROM segments g "
                "LEFT JOIN recording_spans s ON s.evidence_id = g.evidence_id "
                "WHERE g.session_id = ? ORDER BY g.segment_index, g.started_at",
                (session_id,),
            )
            return [SessionSegment(row[0], row[1], row[2], row[3]) for row in cursor]

        return await self._db.run(segments)

    async def to_judge(
        self, closed_before: datetime, flag_kinds: Sequence[str]
    ) -> list[RoomSessionRecord]:
        """Closed sessions due a verdict: never judged, or judged short of covered while a
        flag the server raised about them is still open (footage may still arrive). One a
        person resolved is left as it was judged."""

        def to_judge(conn: sqlite3.Connection) -> list[RoomSessionRecord]:
            d = dialect.of(conn)
            cursor = conn.execute(
                f"SELECT * FROM room_sessions r {d.indexed_by('room_sessions_to_judge')} "  # noqa: S608
                "WHERE r.state = 'closed' AND (r.verdict IS NULL OR r.verdict <> 'covered') "
                "AND r.stopped_at <= :cutoff AND (r.verdict IS NULL OR EXISTS (SELECT 1 "
                "FROM flags f WHERE f.subject = r.session_id AND f.resolved_at IS NULL "
                f"AND f.kind IN ({d.texts_in(':kinds')}))) ORDER BY r.stopped_at",
                {"cutoff": rows.when(closed_before), "kinds": json.dumps(list(flag_kinds))},
            )
            return [_session(row) for row in cursor]

        return await self._db.run(to_judge)

    async def judged(
        self,
        session_id: str,
        verdict: str,
        flags: Sequence[NewFlag] = (),
        resolutions: Sequence[FlagResolution] = (),
        superseded: Sequence[FlagResolution] = (),
    ) -> None:
        """Keep a session's verdict with the flags it raises and resolves, in one
        transaction. A flag of the same kind already open about the session that says
        something else is resolved by its ``superseded`` resolution first."""

        def judged(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute(
                    "UPDATE room_sessions SET verdict = ? WHERE session_id = ?",
                    (verdict, session_id),
                )
                for resolution in resolutions:
                    resolve_open(conn, resolution)
                for flag in flags:
                    _supersede(conn, flag, superseded)
                    insert_flag(conn, flag)

        await self._db.run(judged)


def _supersede(
    conn: sqlite3.Connection, flag: NewFlag, superseded: Sequence[FlagResolution]
) -> None:
    row = conn.execute(
        "SELECT detail FROM flags WHERE kind = ? AND subject = ? AND resolved_at IS NULL",
        (flag.kind, flag.subject),
    ).fetchone()
    if row is None or row[0] == flag.detail:
        return
    for resolution in superseded:
        if (resolution.kind, resolution.subject) == (flag.kind, flag.subject):
            resolve_open(conn, resolution)
