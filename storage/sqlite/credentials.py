"""People who use the custodian API, bearer tokens (kept only as SHA-256), used nonces."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from evidence.errors import Conflict
from evidence.strict_json import parse_time
from storage.records import TokenRecord, UserRecord
from storage.sqlite import rows
from storage.sqlite.database import SqliteDatabase, transaction


class SqliteCredentials:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def add_user(self, name: str, role: str, now: datetime) -> UserRecord:
        def add_user(conn: sqlite3.Connection) -> UserRecord:
            with transaction(conn):
                if conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                    raise Conflict(f"user {name} exists")
                conn.execute(
                    "INSERT INTO users (name, role, created_at) VALUES (?, ?, ?)",
                    (name, role, rows.when(now)),
                )
            return UserRecord(name, role, now, None)

        return await self._db.run(add_user)

    async def get_user(self, name: str) -> UserRecord | None:
        def get_user(conn: sqlite3.Connection) -> UserRecord | None:
            row = conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
            if row is None:
                return None
            return UserRecord(
                row["name"],
                row["role"],
                parse_time(row["created_at"]),
                rows.moment(row["disabled_at"]),
            )

        return await self._db.run(get_user)

    async def store_token(
        self, token_hash: str, subject_kind: str, subject: str, expires_at: datetime | None
    ) -> None:
        def store_token(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute(
                    "INSERT INTO tokens (token_hash, subject_kind, subject, expires_at) VALUES (?, ?, ?, ?)",
                    (token_hash, subject_kind, subject, rows.when(expires_at)),
                )

        await self._db.run(store_token)

    async def find_token(self, token_hash: str, now: datetime) -> TokenRecord | None:
        def find_token(conn: sqlite3.Connection) -> TokenRecord | None:
            row = conn.execute(
                "SELECT * FROM tokens WHERE token_hash = ?", (token_hash,)
            ).fetchone()
            if row is None:
                return None
            expires_at = rows.moment(row["expires_at"])
            if expires_at is not None and expires_at <= now:
                return None
            return TokenRecord(row["token_hash"], row["subject_kind"], row["subject"], expires_at)

        return await self._db.run(find_token)

    async def use_nonce(self, nonce: str, expires_at: datetime, now: datetime) -> bool:
        def use_nonce(conn: sqlite3.Connection) -> bool:
            with transaction(conn):
                conn.execute("DELETE FROM used_nonces WHERE expires_at < ?", (rows.when(now),))
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO used_nonces (nonce, expires_at) VALUES (?, ?)",
                    (nonce, rows.when(expires_at)),
                )
                return cursor.rowcount == 1

        return await self._db.run(use_nonce)
