"""Settings an operator changes while the agent runs, kept in the journal's ``controls``
table: ``liuhen agent bandwidth`` writes one from the command line (beside the running
agent or not), the running agent reads them every second, and each overrides the
configuration file until it is cleared. A restart keeps them."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from runtime.sqlite_thread import SqliteThread, transaction

__all__ = ["BANDWIDTH", "Control", "Controls"]

BANDWIDTH = "bandwidth"


@dataclass(frozen=True, slots=True)
class Control:
    name: str
    value: str
    set_at: float
    set_by: str


class Controls:
    def __init__(self, db: SqliteThread) -> None:
        self._db = db

    async def get(self, name: str) -> Control | None:
        def get(conn: sqlite3.Connection) -> Control | None:
            row = conn.execute("SELECT * FROM controls WHERE name = ?", (name,)).fetchone()
            if row is None:
                return None
            return Control(row["name"], row["value"], row["set_at"], row["set_by"])

        return await self._db.run(get)

    async def set(self, name: str, value: str, now: float, by: str) -> None:
        def set_control(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute(
                    "INSERT INTO controls (name, value, set_at, set_by) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
                    "set_at = excluded.set_at, set_by = excluded.set_by",
                    (name, value, now, by),
                )

        await self._db.run(set_control)

    async def clear(self, name: str) -> bool:
        def clear(conn: sqlite3.Connection) -> bool:
            with transaction(conn):
                return conn.execute("DELETE FROM controls WHERE name = ?", (name,)).rowcount > 0

        return await self._db.run(clear)
