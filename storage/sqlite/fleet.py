"""The fleet as MQTT told it: each station's last status and state, its events kept once
(by event id, and by boot and sequence number), its boots' counts, and the cameras' clocks
it measured. Advisory rows, written as messages arrive (schema.sql)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from evidence.strict_json import parse_time
from storage.fleet_records import (
    BootRecord,
    CameraClockRecord,
    EventRecord,
    GapRecord,
    StationRecord,
)
from storage.sqlite import rows
from storage.sqlite.database import SqliteDatabase, transaction

# The latest of two fixed-width UTC texts (NULL when both are).
_LATEST = "CASE WHEN last_seen_at IS NULL OR ? > last_seen_at THEN ? ELSE last_seen_at END"


def _station(row: sqlite3.Row) -> StationRecord:
    return StationRecord(
        device_id=row["device_id"],
        status=row["status"],
        boot=row["boot"],
        software=row["software"],
        status_at=rows.moment(row["status_at"]),
        state=row["state"],
        state_at=rows.moment(row["state_at"]),
        last_seen_at=rows.moment(row["last_seen_at"]),
        station_clock_ms=row["station_clock_ms"],
    )


def _seen(conn: sqlite3.Connection, device_id: str, seen_at: datetime | None) -> None:
    conn.execute(
        "INSERT INTO fleet_stations (device_id) VALUES (?) ON CONFLICT DO NOTHING", (device_id,)
    )
    if seen_at is not None:
        text = rows.when(seen_at)
        conn.execute(
            f"UPDATE fleet_stations SET last_seen_at = {_LATEST} WHERE device_id = ?",  # noqa: S608
            (text, text, device_id),
        )


def _insert_event(conn: sqlite3.Connection, event: EventRecord) -> bool:
    cursor = conn.execute(
        "INSERT INTO fleet_events (event_id, device_id, boot, seq, type, at, subject, detail, "
        "received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (
            event.event_id,
            event.device_id,
            event.boot,
            event.seq,
            event.type,
            rows.when(event.at),
            event.subject,
            event.detail,
            rows.when(event.received_at),
        ),
    )
    return cursor.rowcount == 1


def _count_in_boot(conn: sqlite3.Connection, event: EventRecord) -> None:
    conn.execute(
        "INSERT INTO fleet_boots (device_id, boot, first_heard_at, highest_seq, received) "
        "VALUES (?, ?, ?, ?, 1) ON CONFLICT (device_id, boot) DO UPDATE SET "
        "highest_seq = CASE WHEN excluded.highest_seq > fleet_boots.highest_seq "
        "THEN excluded.highest_seq ELSE fleet_boots.highest_seq END, "
        "received = fleet_boots.received + 1",
        (event.device_id, event.boot, rows.when(event.received_at), event.seq),
    )


def _keep_camera(conn: sqlite3.Connection, camera: CameraClockRecord) -> None:
    conn.execute(
        "INSERT INTO fleet_cameras (device_id, camera, offset_ms, measured_at, method) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (device_id, camera) DO UPDATE SET "
        "offset_ms = excluded.offset_ms, measured_at = excluded.measured_at, "
        "method = excluded.method WHERE excluded.measured_at >= fleet_cameras.measured_at",
        (
            camera.device_id,
            camera.camera,
            camera.offset_ms,
            rows.when(camera.measured_at),
            camera.method,
        ),
    )


# Runs of sequence numbers never heard, per boot: between two heard ones, and before the
# first one heard while the boot's events are all kept (none pruned). Only boots that
# missed something are read, each through the (device_id, boot, seq) index (SQLite's
# planner puts the few short boots first by itself: a plain JOIN both databases read).
_GAPS = (
    "WITH short AS (SELECT device_id, boot, received, first_heard_at FROM fleet_boots "
    "WHERE highest_seq > received AND (:device IS NULL OR device_id = :device)), "
    "heard AS (SELECT e.device_id, e.boot, e.seq, "
    "LAG(e.seq, 1, 0) OVER (PARTITION BY e.device_id, e.boot ORDER BY e.seq) AS before "
    "FROM short s JOIN fleet_events e ON e.device_id = s.device_id AND e.boot = s.boot), "
    "kept AS (SELECT device_id, boot, COUNT(*) AS n FROM heard GROUP BY device_id, boot) "
    "SELECT h.device_id, h.boot, h.before + 1, h.seq - 1 FROM heard h "
    "JOIN kept k ON k.device_id = h.device_id AND k.boot = h.boot "
    "JOIN short s ON s.device_id = h.device_id AND s.boot = h.boot "
    "WHERE h.seq > h.before + 1 AND (h.before > 0 OR k.n = s.received) "
    "ORDER BY h.device_id, s.first_heard_at, h.boot, h.seq"
)


class SqliteFleet:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def record_status(
        self,
        device_id: str,
        status: str,
        boot: str,
        software: str,
        heard_at: datetime,
        seen_at: datetime | None,
    ) -> None:
        def record(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                _seen(conn, device_id, seen_at)
                conn.execute(
                    "UPDATE fleet_stations SET status = ?, boot = ?, software = ?, "
                    "status_at = ? WHERE device_id = ?",
                    (status, boot, software, rows.when(heard_at), device_id),
                )

        await self._db.run(record)

    async def record_state(
        self,
        device_id: str,
        state: str,
        heard_at: datetime,
        seen_at: datetime | None,
        station_clock_ms: int | None,
    ) -> None:
        def record(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                _seen(conn, device_id, seen_at)
                conn.execute(
                    "UPDATE fleet_stations SET state = ?, state_at = ?, "
                    "station_clock_ms = COALESCE(?, station_clock_ms) WHERE device_id = ?",
                    (state, rows.when(heard_at), station_clock_ms, device_id),
                )

        await self._db.run(record)

    async def record_event(
        self, event: EventRecord, cameras: Sequence[CameraClockRecord] = ()
    ) -> bool:
        def record(conn: sqlite3.Connection) -> bool:
            with transaction(conn):
                if not _insert_event(conn, event):
                    return False  # a copy: the same id, or the same place in its boot
                _count_in_boot(conn, event)
                _seen(conn, event.device_id, event.received_at)
                for camera in cameras:
                    _keep_camera(conn, camera)
                return True

        return await self._db.run(record)

    async def stations(self) -> list[StationRecord]:
        def stations(conn: sqlite3.Connection) -> list[StationRecord]:
            cursor = conn.execute("SELECT * FROM fleet_stations ORDER BY device_id")
            return [_station(row) for row in cursor]

        return await self._db.run(stations)

    async def boots(self) -> list[BootRecord]:
        def boots(conn: sqlite3.Connection) -> list[BootRecord]:
            cursor = conn.execute("SELECT * FROM fleet_boots ORDER BY device_id, first_heard_at")
            return [
                BootRecord(
                    row["device_id"],
                    row["boot"],
                    parse_time(row["first_heard_at"]),
                    row["highest_seq"],
                    row["received"],
                )
                for row in cursor
            ]

        return await self._db.run(boots)

    async def gaps(self, device_id: str | None = None) -> list[GapRecord]:
        def gaps(conn: sqlite3.Connection) -> list[GapRecord]:
            cursor = conn.execute(_GAPS, {"device": device_id})
            return [GapRecord(row[0], row[1], row[2], row[3]) for row in cursor]

        return await self._db.run(gaps)

    async def cameras(self) -> list[CameraClockRecord]:
        def cameras(conn: sqlite3.Connection) -> list[CameraClockRecord]:
            cursor = conn.execute("SELECT * FROM fleet_cameras ORDER BY device_id, camera")
            return [
                CameraClockRecord(
                    row["device_id"],
                    row["camera"],
                    row["offset_ms"],
                    parse_time(row["measured_at"]),
                    row["method"],
                )
                for row in cursor
            ]

        return await self._db.run(cameras)

    async def events(self, device_id: str, limit: int = 100) -> list[EventRecord]:
        def events(conn: sqlite3.Connection) -> list[EventRecord]:
            cursor = conn.execute(
                "SELECT * FROM fleet_events WHERE device_id = ? "
                "ORDER BY received_at DESC, seq DESC LIMIT ?",
                (device_id, limit),
            )
            return [
                EventRecord(
                    row["event_id"],
                    row["device_id"],
                    row["boot"],
                    row["seq"],
                    row["type"],
                    parse_time(row["at"]),
                    row["subject"],
                    row["detail"],
                    parse_time(row["received_at"]),
                )
                for row in cursor
            ]

        return await self._db.run(events)

    async def prune_events(self, before: datetime) -> int:
        def prune(conn: sqlite3.Connection) -> int:
            with transaction(conn):
                cursor = conn.execute(
                    "DELETE FROM fleet_events WHERE received_at < ?", (rows.when(before),)
                )
                return cursor.rowcount

        return await self._db.run(prune)
