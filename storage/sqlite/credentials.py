"""People who use the custodian API, bearer tokens (kept only as SHA-256), used nonces.

Every token has an expiry (a trigger refuses one without). A person's API token is
replaced, never added to: ``replace_user_token`` deletes their other tokens in the same
transaction. Tokens are credentials, not records, so deleting them loses nothing.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from evidence.errors import Conflict, UnknownUser
from evidence.strict_json import parse_time
from storage.records import TokenRecord, UserListing, UserRecord
from storage.sqlite import rows
from storage.sqlite.database import SqliteDatabase, transaction


def _user(row: sqlite3.Row) -> UserRecord:
    return UserRecord(
        row["name"], row["role"], parse_time(row["created_at"]), rows.moment(row["disabled_at"])
    )


def _existing_user(conn: sqlite3.Connection, name: str) -> UserRecord:
    row = conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise UnknownUser(f"no user {name!r}; add one with 'liuhen users add'")
    return _user(row)


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
            return None if row is None else _user(row)

        return await self._db.run(get_user)

    async def users(self) -> list[UserListing]:
        def users(conn: sqlite3.Connection) -> list[UserListing]:
            cursor = conn.execute(
                "SELECT users.*, (SELECT MAX(t.expires_at) FROM tokens t "
                "WHERE t.subject_kind = 'user' AND t.subject = users.name) AS token_expires_at "
                "FROM users ORDER BY name"
            )
            return [UserListing(_user(row), rows.moment(row["token_expires_at"])) for row in cursor]

        return await self._db.run(users)

    async def set_disabled(self, name: str, disabled_at: datetime | None) -> UserRecord:
        def set_disabled(conn: sqlite3.Connection) -> UserRecord:
            with transaction(conn):
                _existing_user(conn, name)
                # Disabling twice keeps the first time; enabling clears it.
                conn.execute(
                    "UPDATE users SET disabled_at = CASE WHEN ? IS NULL THEN NULL "
                    "ELSE COALESCE(disabled_at, ?) END WHERE name = ?",
                    (rows.when(disabled_at), rows.when(disabled_at), name),
                )
                return _existing_user(conn, name)

        return await self._db.run(set_disabled)

    async def replace_user_token(self, name: str, token_hash: str, expires_at: datetime) -> None:
        def replace_user_token(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                _existing_user(conn, name)
                conn.execute(
                    "DELETE FROM tokens WHERE subject_kind = 'user' AND subject = ?", (name,)
                )
                conn.execute(
                    "INSERT INTO tokens (token_hash, subject_kind, subject, expires_at) "
                    "VALUES (?, 'user', ?, ?)",
                    (token_hash, name, rows.when(expires_at)),
                )

        await self._db.run(replace_user_token)

    async def bound_tokens(self, expires_at: datetime) -> int:
        def bound_tokens(conn: sqlite3.Connection) -> int:
            with transaction(conn):
                cursor = conn.execute(
                    "UPDATE tokens SET expires_at = ? WHERE expires_at IS NULL",
                    (rows.when(expires_at),),
                )
                return cursor.rowcount

        return await self._db.run(bound_tokens)

    async def store_token(
        self, token_hash: str, subject_kind: str, subject: str, expires_at: datetime
    ) -> None:
        def store_token(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute(
                    "INSERT INTO tokens (token_hash, subject_kind, subject, expires_at) VALUES (?, ?, ?, ?)",
                    (token_hash, subject_kind, subject, rows.when(expires_at)),
                )

        await self._db.run(store_token)

    async def find_token(self, token_hash: str) -> TokenRecord | None:
        def find_token(conn: sqlite3.Connection) -> TokenRecord | None:
            row = conn.execute(
                "SELECT * FROM tokens WHERE token_hash = ?", (token_hash,)
            ).fetchone()
            if row is None:
                return None
            return TokenRecord(
                row["token_hash"],
                row["subject_kind"],
                row["subject"],
                rows.moment(row["expires_at"]),
            )

        return await self._db.run(find_token)

    async def use_nonce(self, nonce: str, expires_at: datetime, now: datetime) -> bool:
        def use_nonce(conn: sqlite3.Connection) -> bool:
            with transaction(conn):
                conn.execute("DELETE FROM used_nonces WHERE expires_at < ?", (rows.when(now),))
                cursor = conn.execute(
                    "INSERT INTO used_nonces (nonce, expires_at) VALUES (?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (nonce, rows.when(expires_at)),
                )
                return cursor.rowcount == 1

        return await self._db.run(use_nonce)
