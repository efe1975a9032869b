"""The agent's SQLite journal (WAL, synchronous=FULL): the single truth about every file.

Each pipeline step does its idempotent side effect, then commits here; a restart resumes
every unfinished row from its state. State changes are compare-and-set on the old state,
and each is written to ``events`` with its time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from agent.completeness import Observation
from agent.controls import Controls
from agent.file_row import FileRow, row_from
from agent.journal_identity import Identity, free_duplicates
from agent.journal_migrations import upgrade
from agent.journal_rows import (
    already_done,
    event,
    fetch,
    free_original,
    insert_discovered,
    marks,
    set_state,
)
from agent.journal_tail import Tail
from agent.journal_upkeep import Upkeep
from agent.states import ACTIVE, TERMINAL, FileState, check_transition, terminal_sql
from evidence.digest import Sha256
from evidence.errors import JournalError
from evidence.identifiers import Role
from evidence.manifest import SignedManifest
from runtime.sqlite_thread import SqliteThread, transaction

__all__ = ["FileRow", "Journal"]


class _JournalDb(SqliteThread):
    def _prepare(self, conn: sqlite3.Connection) -> None:
        upgrade(conn)


class Journal(Identity, Upkeep, Tail):
    def __init__(self, path: Path) -> None:
        schema = resources.files("agent").joinpath("journal.sql").read_text("utf-8")
        self._db: SqliteThread = _JournalDb(path, schema, JournalError)
        self.controls = Controls(self._db)

    async def open(self) -> None:
        await self._db.open()

    async def close(self) -> None:
        await self._db.close()

    async def observe(
        self, path: Path, seen: Observation, closed: bool, now: float
    ) -> FileRow | None:
        """Record what a file looks like now. New paths start ``discovered``; a discovered
        file that changed starts its quiet period again; a file already finished is left
        alone. Returns the active row, if any."""

        def observe(conn: sqlite3.Connection) -> FileRow | None:
            with transaction(conn):
                row = conn.execute(
                    f"SELECT * FROM files WHERE path = ? AND state NOT IN ({terminal_sql()})",  # noqa: S608 - ours
                    (str(path),),
                ).fetchone()
                if row is None and already_done(conn, path, seen):
                    return None
                if row is None:
                    file_id = insert_discovered(conn, path, seen, closed, now)
                elif row["state"] == FileState.DISCOVERED.value:
                    known = Observation(row["size"], row["mtime_ns"], row["inode"])
                    unchanged = known == seen
                    # A close counts until the file changes again; a later rescan keeps it.
                    conn.execute(
                        "UPDATE files SET size = ?, mtime_ns = ?, inode = ?, unchanged_since = ?, "
                        "closed = ? WHERE id = ?",
                        (
                            seen.size,
                            seen.mtime_ns,
                            seen.inode,
                            row["unchanged_since"] if unchanged else now,
                            int(closed or (unchanged and bool(row["closed"]))),
                            row["id"],
                        ),
                    )
                    file_id = row["id"]
                else:
                    return row_from(row)
                return fetch(conn, file_id)

        return await self._db.run(observe)

    async def in_state(self, *states: FileState) -> list[FileRow]:
        def in_state(conn: sqlite3.Connection) -> list[FileRow]:
            cursor = conn.execute(
                f"SELECT * FROM files WHERE state IN ({marks(states)}) ORDER BY id",  # noqa: S608 - placeholders only
                tuple(state.value for state in states),
            )
            return [row_from(row) for row in cursor]

        return await self._db.run(in_state)

    async def due(
        self, now: float, exclude: set[int], limit: int, *, make_copies: bool = True
    ) -> list[FileRow]:
        """At most ``limit`` rows whose next attempt is due, leaving out ``exclude`` (those
        already running): active rows, and copies given up whose server has not been told.
        Originals first (evidence before copies); among them urgent footage first
        (agent/priority.py), then the oldest in the queue. Without ``make_copies`` (the
        disk is low) no review copy is started."""
        states = tuple(state.value for state in ACTIVE)
        skipped = tuple(exclude)
        no_copies = "" if make_copies else "AND NOT (role = 'proxy' AND state = 'ready') "

        def due(conn: sqlite3.Connection) -> list[FileRow]:
            cursor = conn.execute(
                f"SELECT * FROM files WHERE (state IN ({marks(states)}) "  # noqa: S608 - placeholders only
                "OR (state = 'unmade' AND reported IS NULL)) AND next_attempt_at <= ? "
                f"AND id NOT IN ({marks(skipped)}) {no_copies}"
                "ORDER BY role != 'original', urgent DESC, first_seen_at, id LIMIT ?",
                (*states, now, *skipped, limit),
            )
            return [row_from(row) for row in cursor]

        return await self._db.run(due)

    async def get(self, file_id: int) -> FileRow:
        return await self._db.run(lambda conn: fetch(conn, file_id))

    async def all_files(self) -> list[FileRow]:
        def all_files(conn: sqlite3.Connection) -> list[FileRow]:
            return [row_from(row) for row in conn.execute("SELECT * FROM files ORDER BY id")]

        return await self._db.run(all_files)

    async def forget(self, file_id: int) -> None:
        """Drop a discovered row whose file went away before it was complete (a temp name
        renamed, say): nothing about it was attested yet."""

        def forget(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute("DELETE FROM events WHERE file_id = ?", (file_id,))
                conn.execute(
                    "DELETE FROM files WHERE id = ? AND state = ?",
                    (file_id, FileState.DISCOVERED.value),
                )

        await self._db.run(forget)

    async def move(
        self, row: FileRow, target: FileState, now: float, note: str | None = None, **fields: Any
    ) -> FileRow:
        """Move ``row`` to ``target`` if it is still where ``row`` says, setting ``fields``.
        A successful step clears the retry count and the last error."""
        check_transition(row.state, target)

        def move(conn: sqlite3.Connection) -> FileRow:
            with transaction(conn):
                moved = set_state(conn, row, target, now, note, fields)
                if moved.parent_id is not None and target in TERMINAL:
                    free_original(conn, moved.parent_id, now)
                if target is FileState.RECEIPTED:
                    free_duplicates(conn, moved, now)
                return moved

        return await self._db.run(move)

    async def sign(
        self,
        row: FileRow,
        device_id: str,
        now: float,
        build: Callable[[int, Sha256 | None], SignedManifest],
    ) -> FileRow:
        """Take the device's next sequence number and sign the manifest, in one transaction,
        so the chain never skips or repeats a number."""
        check_transition(row.state, FileState.SIGNED)

        def sign(conn: sqlite3.Connection) -> FileRow:
            with transaction(conn):
                chain = conn.execute(
                    "SELECT * FROM chain WHERE device_id = ?", (device_id,)
                ).fetchone()
                sequence = 1 if chain is None else chain["last_sequence"] + 1
                previous = None if chain is None else Sha256(chain["last_manifest_sha256"])
                signed = build(sequence, previous)
                conn.execute(
                    "INSERT INTO chain (device_id, last_sequence, last_manifest_sha256) VALUES (?, ?, ?) "
                    "ON CONFLICT (device_id) DO UPDATE SET last_sequence = excluded.last_sequence, "
                    "last_manifest_sha256 = excluded.last_manifest_sha256",
                    (device_id, sequence, signed.sha256.hex),
                )
                return set_state(
                    conn,
                    row,
                    FileState.SIGNED,
                    now,
                    f"sequence {sequence}",
                    {"sequence": sequence, "manifest": signed.body, "signature": signed.signature},
                )

        return await self._db.run(sign)

    async def add_derived(self, parent: FileRow, role: Role, path: Path, now: float) -> FileRow:
        """A derived copy to make and upload, ready at once; idempotent per (evidence, role)."""

        def add_derived(conn: sqlite3.Connection) -> FileRow:
            with transaction(conn):
                conn.execute(
                    "INSERT OR IGNORE INTO files (path, state, evidence_id, role, parent_id, "
                    "first_seen_at, size, mtime_ns, inode, unchanged_since, closed, urgent) "
                    "VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, ?, 1, ?)",
                    (
                        str(path),
                        FileState.READY.value,
                        str(parent.evidence_id),
                        role.value,
                        parent.id,
                        now,
                        now,
                        int(parent.urgent),
                    ),
                )
                row = conn.execute(
                    "SELECT * FROM files WHERE evidence_id = ? AND role = ?",
                    (str(parent.evidence_id), role.value),
                ).fetchone()
                event(
                    conn, row["id"], now, None, FileState.READY, f"{role.value} of file {parent.id}"
                )
                return row_from(row)

        return await self._db.run(add_derived)

    async def derived_of(self, parent: FileRow) -> list[FileRow]:
        def derived_of(conn: sqlite3.Connection) -> list[FileRow]:
            cursor = conn.execute(
                "SELECT * FROM files WHERE parent_id = ? ORDER BY id", (parent.id,)
            )
            return [row_from(row) for row in cursor]

        return await self._db.run(derived_of)

    async def free_original(self, original: FileRow, now: float) -> bool:
        """Mark a receipted original safe to remove if none of its copies is still on its
        way; True if this call did it."""

        def free(conn: sqlite3.Connection) -> bool:
            with transaction(conn):
                return free_original(conn, original.id, now)

        return await self._db.run(free)

    async def set_upload_url(self, row: FileRow, url: str) -> None:
        def set_upload_url(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute("UPDATE files SET upload_url = ? WHERE id = ?", (url, row.id))

        await self._db.run(set_upload_url)

    async def hold(
        self, row: FileRow, code: str, message: str, now: float, retry_at: float
    ) -> FileRow:
        """Hold ``row``: the server refused it (or its copy could not be made). Keeps the
        refusal, counts it, and remembers when the first one was."""
        return await self.move(
            row,
            FileState.HELD,
            now,
            code,
            error_code=code,
            error_message=message[:1000],
            next_attempt_at=retry_at,
            refusals=row.refusals + 1,
            held_since=now if row.held_since is None else row.held_since,
        )

    async def events(self, file_id: int) -> list[tuple[float, str | None, str, str | None]]:
        def events(conn: sqlite3.Connection) -> list[tuple[float, str | None, str, str | None]]:
            cursor = conn.execute(
                "SELECT at, from_state, to_state, note FROM events WHERE file_id = ? ORDER BY id",
                (file_id,),
            )
            return [(row["at"], row["from_state"], row["to_state"], row["note"]) for row in cursor]

        return await self._db.run(events)
