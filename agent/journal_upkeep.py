"""Journal operations that keep a file's bookkeeping without moving its state: when it is
tried next and why (retries, held files tried again), the work in hand, marks (urgent,
reported, an alarm on a finished file) and purges. Mixed into ``Journal``
(agent/journal.py), which owns the connection and every state move."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from agent.file_row import FileRow, row_from
from agent.journal_rows import event, fetch, marks
from agent.progress import Progress
from agent.states import FileState
from runtime.sqlite_thread import SqliteThread, transaction

__all__ = ["Upkeep"]


class Upkeep:
    _db: SqliteThread

    async def retry_held(self, now: float, note: str, file_ids: Sequence[int] = ()) -> list[int]:
        """Make held files due now: those in ``file_ids``, or every one. Returns their ids."""
        wanted = tuple(file_ids)
        only = f"AND id IN ({marks(wanted)})" if wanted else ""

        def retry_held(conn: sqlite3.Connection) -> list[int]:
            with transaction(conn):
                ids = [
                    row["id"]
                    for row in conn.execute(
                        f"SELECT id FROM files WHERE state = ? {only} ORDER BY id",  # noqa: S608 - placeholders only
                        (FileState.HELD.value, *wanted),
                    )
                ]
                for file_id in ids:
                    conn.execute(
                        "UPDATE files SET next_attempt_at = ? WHERE id = ?", (now, file_id)
                    )
                    event(conn, file_id, now, FileState.HELD, FileState.HELD, note)
                return ids

        return await self._db.run(retry_held)

    async def postpone(
        self,
        row: FileRow,
        code: str,
        message: str,
        now: float,
        next_attempt_at: float,
        attempts: int,
    ) -> FileRow:
        """Try ``row`` again at ``next_attempt_at``, ``attempts`` failures in a row so far."""

        def postpone(conn: sqlite3.Connection) -> FileRow:
            with transaction(conn):
                conn.execute(
                    "UPDATE files SET attempts = ?, next_attempt_at = ?, error_code = ?, "
                    "error_message = ?, error_at = ? WHERE id = ?",
                    (attempts, next_attempt_at, code, message[:1000], now, row.id),
                )
                return fetch(conn, row.id)

        return await self._db.run(postpone)

    async def record_progress(
        self, row: FileRow, progress: Progress | None, upload_offset: int | None = None
    ) -> None:
        """The work in hand, and the server's committed offset when it was heard: no state
        changes, so no compare-and-set (a row that moved on meanwhile drops it)."""
        offset = "" if upload_offset is None else ", upload_offset = ?"
        values: tuple[object, ...] = (None if progress is None else progress.to_text(),)
        values += () if upload_offset is None else (upload_offset,)

        def record(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute(
                    f"UPDATE files SET progress = ?{offset} WHERE id = ? AND state = ?",  # noqa: S608 - ours
                    (*values, row.id, row.state.value),
                )

        await self._db.run(record)

    async def mark(self, row: FileRow, **fields: object) -> None:
        """Set ``fields`` of ``row``, whatever its state: ``urgent``, ``reported``, or an
        alarm on a finished row (``error_code``, ``error_message``, ``error_at``)."""
        known = {"urgent", "reported", "error_code", "error_message", "error_at"}
        if not set(fields) <= known:
            raise ValueError(f"not a mark: {sorted(set(fields) - known)}")
        assignments = ", ".join(f"{name} = ?" for name in fields)

        def mark(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute(
                    f"UPDATE files SET {assignments} WHERE id = ?",  # noqa: S608 - names are ours
                    (*fields.values(), row.id),
                )

        await self._db.run(mark)

    async def purgeable(self, receipted_before: float) -> list[FileRow]:
        """Receipted originals safe to remove, receipted before the moment given, not yet
        purged, with no alarm on them (agent/retention.py)."""

        def purgeable(conn: sqlite3.Connection) -> list[FileRow]:
            cursor = conn.execute(
                "SELECT * FROM files WHERE state = 'receipted' AND role = 'original' "
                "AND safe_to_remove = 1 AND purged_at IS NULL AND error_code IS NULL "
                "AND receipted_at <= ? ORDER BY receipted_at, id",
                (receipted_before,),
            )
            return [row_from(row) for row in cursor]

        return await self._db.run(purgeable)

    async def record_purge(
        self, row: FileRow, now: float, note: str, sha256: str | None, receipt_sha256: str | None
    ) -> None:
        """The local copy of ``row`` is gone: removed by the retention policy (with the
        digests that allowed it), or found gone already (digests None)."""

        def record(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                if sha256 is not None and receipt_sha256 is not None:
                    conn.execute(
                        "INSERT INTO purges (file_id, path, sha256, receipt_sha256, purged_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (row.id, str(row.path), sha256, receipt_sha256, now),
                    )
                conn.execute("UPDATE files SET purged_at = ? WHERE id = ?", (now, row.id))
                event(conn, row.id, now, row.state, row.state, note)

        await self._db.run(record)

    async def purges(self) -> list[dict[str, object]]:
        def purges(conn: sqlite3.Connection) -> list[dict[str, object]]:
            return [dict(row) for row in conn.execute("SELECT * FROM purges ORDER BY id")]

        return await self._db.run(purges)
