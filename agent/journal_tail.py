"""Reading the journal's record of state changes in order, for telemetry
(agent/telemetry/tailer.py): the journal is only read here. Mixed into ``Journal``."""

from __future__ import annotations

import sqlite3

from runtime.sqlite_thread import SqliteThread

__all__ = ["Tail"]


def _last_event_id(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0])


def _events_after(conn: sqlite3.Connection, after: int, limit: int) -> list[sqlite3.Row]:
    return list(
        conn.execute(
            "SELECT e.id, e.at, e.from_state, e.to_state, e.note, f.path, f.role, "
            "f.evidence_id, f.size, f.error_code, f.error_message FROM events e "
            "JOIN files f ON f.id = e.file_id WHERE e.id > ? ORDER BY e.id LIMIT ?",
            (after, limit),
        )
    )


class Tail:
    _db: SqliteThread

    async def last_event_id(self) -> int:
        return await self._db.run(_last_event_id)

    async def events_after(self, after: int, limit: int) -> list[sqlite3.Row]:
        """Every file's state changes after event ``after``, oldest first, with the file."""
        return await self._db.run(lambda conn: _events_after(conn, after, limit))
