"""People's passwords (argon2id hashes), sessions (kept only as the SHA-256 of their
token) and case access. Credentials, not records: a new password overwrites the old one
and ends every session in the same transaction, and an ended session is deleted."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from evidence.errors import UnknownUser
from evidence.strict_json import parse_time
from storage.people_records import AccessRecord, PasswordRecord, SessionRecord
from storage.sqlite import rows
from storage.sqlite.database import SqliteDatabase, transaction

__all__ = ["SqliteAccounts"]


def _known(conn: sqlite3.Connection, name: str) -> None:
    if conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone() is None:
        raise UnknownUser(f"no user {name!r}")


def _session(row: sqlite3.Row) -> SessionRecord:
    return SessionRecord(
        row["token_hash"],
        row["name"],
        parse_time(row["created_at"]),
        parse_time(row["expires_at"]),
        parse_time(row["last_seen_at"]),
    )


def _access(row: sqlite3.Row) -> AccessRecord:
    return AccessRecord(
        row["name"],
        bool(row["all_cases"]),
        tuple(json.loads(row["cases"])),
        tuple(json.loads(row["agencies"])),
        row["granted_by"],
        parse_time(row["granted_at"]),
    )


class SqliteAccounts:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def set_password(
        self, name: str, password_hash: str, must_change: bool, now: datetime
    ) -> None:
        def set_password(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                _known(conn, name)
                conn.execute(
                    "INSERT INTO user_passwords (name, password_hash, must_change, set_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                    "password_hash = excluded.password_hash, must_change = excluded.must_change, "
                    "set_at = excluded.set_at",
                    (name, password_hash, int(must_change), rows.when(now)),
                )
                conn.execute("DELETE FROM user_sessions WHERE name = ?", (name,))

        await self._db.run(set_password)

    async def password(self, name: str) -> PasswordRecord | None:
        def password(conn: sqlite3.Connection) -> PasswordRecord | None:
            row = conn.execute("SELECT * FROM user_passwords WHERE name = ?", (name,)).fetchone()
            if row is None:
                return None
            return PasswordRecord(
                row["name"],
                row["password_hash"],
                bool(row["must_change"]),
                parse_time(row["set_at"]),
            )

        return await self._db.run(password)

    async def open_session(self, record: SessionRecord) -> None:
        def open_session(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute(
                    "INSERT INTO user_sessions (token_hash, name, created_at, expires_at, "
                    "last_seen_at) VALUES (?, ?, ?, ?, ?)",
                    (
                        record.token_hash,
                        record.name,
                        rows.when(record.created_at),
                        rows.when(record.expires_at),
                        rows.when(record.last_seen_at),
                    ),
                )
                # Sessions past their end are of no use to anyone: drop them as others open.
                conn.execute(
                    "DELETE FROM user_sessions WHERE expires_at <= ?",
                    (rows.when(record.created_at),),
                )

        await self._db.run(open_session)

    async def find_session(self, token_hash: str) -> SessionRecord | None:
        def find_session(conn: sqlite3.Connection) -> SessionRecord | None:
            row = conn.execute(
                "SELECT * FROM user_sessions WHERE token_hash = ?", (token_hash,)
            ).fetchone()
            return None if row is None else _session(row)

        return await self._db.run(find_session)

    async def touch_session(self, token_hash: str, now: datetime) -> None:
        def touch_session(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute(
                    "UPDATE user_sessions SET last_seen_at = ? WHERE token_hash = ?",
                    (rows.when(now), token_hash),
                )

        await self._db.run(touch_session)

    async def end_session(self, token_hash: str) -> bool:
        def end_session(conn: sqlite3.Connection) -> bool:
            with transaction(conn):
                cursor = conn.execute(
                    "DELETE FROM user_sessions WHERE token_hash = ?", (token_hash,)
                )
                return cursor.rowcount == 1

        return await self._db.run(end_session)

    async def end_sessions(self, name: str) -> int:
        def end_sessions(conn: sqlite3.Connection) -> int:
            with transaction(conn):
                return conn.execute("DELETE FROM user_sessions WHERE name = ?", (name,)).rowcount

        return await self._db.run(end_sessions)

    async def set_access(self, record: AccessRecord) -> None:
        def set_access(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                _known(conn, record.name)
                conn.execute(
                    "INSERT INTO user_access (name, all_cases, cases, agencies, granted_by, "
                    "granted_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                    "all_cases = excluded.all_cases, cases = excluded.cases, "
                    "agencies = excluded.agencies, granted_by = excluded.granted_by, "
                    "granted_at = excluded.granted_at",
                    (
                        record.name,
                        int(record.all_cases),
                        json.dumps(list(record.cases), ensure_ascii=False),
                        json.dumps(list(record.agencies), ensure_ascii=False),
                        record.granted_by,
                        rows.when(record.granted_at),
                    ),
                )

        await self._db.run(set_access)

    async def access(self, name: str) -> AccessRecord | None:
        def access(conn: sqlite3.Connection) -> AccessRecord | None:
            row = conn.execute("SELECT * FROM user_access WHERE name = ?", (name,)).fetchone()
            return None if row is None else _access(row)

        return await self._db.run(access)
