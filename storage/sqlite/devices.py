"""Registered devices and their public keys. No device secret is ever stored."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from evidence.errors import Conflict, NotFound
from evidence.identifiers import DeviceId
from storage.records import DeviceKeyRecord, DeviceRecord, DeviceStatus
from storage.sqlite import rows
from storage.sqlite.database import SqliteDatabase, transaction


class SqliteDevices:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def add(
        self, device_id: DeviceId, label: str | None, key_id: str, public_key: bytes, now: datetime
    ) -> DeviceRecord:
        def add(conn: sqlite3.Connection) -> DeviceRecord:
            with transaction(conn):
                if conn.execute(
                    "SELECT 1 FROM devices WHERE device_id = ?", (str(device_id),)
                ).fetchone():
                    raise Conflict(f"device {device_id} is already registered")
                if conn.execute("SELECT 1 FROM device_keys WHERE key_id = ?", (key_id,)).fetchone():
                    raise Conflict("that public key already belongs to another device")
                conn.execute(
                    "INSERT INTO devices (device_id, label, status, registered_at) VALUES (?, ?, ?, ?)",
                    (str(device_id), label, DeviceStatus.ACTIVE.value, rows.when(now)),
                )
                conn.execute(
                    "INSERT INTO device_keys (key_id, device_id, public_key, added_at) VALUES (?, ?, ?, ?)",
                    (key_id, str(device_id), public_key, rows.when(now)),
                )
            return DeviceRecord(device_id, label, DeviceStatus.ACTIVE, now, None)

        return await self._db.run(add)

    async def get(self, device_id: DeviceId) -> DeviceRecord | None:
        def get(conn: sqlite3.Connection) -> DeviceRecord | None:
            row = conn.execute(
                "SELECT * FROM devices WHERE device_id = ?", (str(device_id),)
            ).fetchone()
            return None if row is None else rows.device(row)

        return await self._db.run(get)

    async def list_all(self) -> list[DeviceRecord]:
        def list_all(conn: sqlite3.Connection) -> list[DeviceRecord]:
            return [
                rows.device(row) for row in conn.execute("SELECT * FROM devices ORDER BY device_id")
            ]

        return await self._db.run(list_all)

    async def revoke(self, device_id: DeviceId, now: datetime) -> DeviceRecord:
        def revoke(conn: sqlite3.Connection) -> DeviceRecord:
            with transaction(conn):
                conn.execute(
                    "UPDATE devices SET status = ?, revoked_at = COALESCE(revoked_at, ?) WHERE device_id = ?",
                    (DeviceStatus.REVOKED.value, rows.when(now), str(device_id)),
                )
                row = conn.execute(
                    "SELECT * FROM devices WHERE device_id = ?", (str(device_id),)
                ).fetchone()
            if row is None:
                raise NotFound(f"no device {device_id}")
            return rows.device(row)

        return await self._db.run(revoke)

    async def key(self, key_id: str) -> DeviceKeyRecord | None:
        def key(conn: sqlite3.Connection) -> DeviceKeyRecord | None:
            row = conn.execute("SELECT * FROM device_keys WHERE key_id = ?", (key_id,)).fetchone()
            return None if row is None else rows.device_key(row)

        return await self._db.run(key)

    async def keys_of(self, device_id: DeviceId) -> list[DeviceKeyRecord]:
        def keys_of(conn: sqlite3.Connection) -> list[DeviceKeyRecord]:
            cursor = conn.execute(
                "SELECT * FROM device_keys WHERE device_id = ? ORDER BY added_at", (str(device_id),)
            )
            return [rows.device_key(row) for row in cursor]

        return await self._db.run(keys_of)
