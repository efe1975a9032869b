"""The agent's SQLite journal (WAL, synchronous=FULL): the single truth about every file.

Each pipeline step does its idempotent side effect, then commits here; a restart resumes
every unfinished row from its state. State changes are compare-and-set on the old state,
and each is written to ``events`` with its time.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from agent.completeness import Observation
from agent.file_row import FileRow, row_from
from agent.journal_migrations import upgrade
from agent.states import ACTIVE, FileState, check_transition
from evidence.digest import Fingerprint, Sha256
from evidence.errors import JournalError
from evidence.identifiers import EvidenceId, Role
from evidence.manifest import SignedManifest
from evidence.manifest_media import MediaFacts, Perceptual
from runtime.sqlite_thread import SqliteThread, transaction

__all__ = ["FileRow", "Journal"]


class _JournalDb(SqliteThread):
    def _prepare(self, conn: sqlite3.Connection) -> None:
        upgrade(conn)


class Journal:
    def __init__(self, path: Path) -> None:
        schema = resources.files("agent").joinpath("journal.sql").read_text("utf-8")
        self._db = _JournalDb(path, schema, JournalError)

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
                    "SELECT * FROM files WHERE path = ? AND state NOT IN ('receipted', 'rejected', 'vanished')",
                    (str(path),),
                ).fetchone()
                if row is None and _already_done(conn, path, seen):
                    return None
                if row is None:
                    file_id = _insert_discovered(conn, path, seen, closed, now)
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
                return _fetch(conn, file_id)

        return await self._db.run(observe)

    async def in_state(self, *states: FileState) -> list[FileRow]:
        def in_state(conn: sqlite3.Connection) -> list[FileRow]:
            cursor = conn.execute(
                f"SELECT * FROM files WHERE state IN ({_marks(states)}) ORDER BY id",  # noqa: S608 - placeholders only
                tuple(state.value for state in states),
            )
            return [row_from(row) for row in cursor]

        return await self._db.run(in_state)

    async def due(self, now: float, exclude: set[int], limit: int) -> list[FileRow]:
        """At most ``limit`` active rows whose next attempt is due, leaving out ``exclude``
        (those already running): originals first (evidence before copies), then the oldest."""
        states = tuple(state.value for state in ACTIVE)
        skipped = tuple(exclude)

        def due(conn: sqlite3.Connection) -> list[FileRow]:
            cursor = conn.execute(
                f"SELECT * FROM files WHERE state IN ({_marks(states)}) AND next_attempt_at <= ? "  # noqa: S608 - placeholders only
                f"AND id NOT IN ({_marks(skipped)}) "
                "ORDER BY role != 'original', next_attempt_at, id LIMIT ?",
                (*states, now, *skipped, limit),
            )
            return [row_from(row) for row in cursor]

        return await self._db.run(due)

    async def get(self, file_id: int) -> FileRow:
        return await self._db.run(lambda conn: _fetch(conn, file_id))

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
                return _set_state(conn, row, target, now, note, fields)

        return await self._db.run(move)

    async def record_fingerprint(
        self,
        row: FileRow,
        fingerprint: Fingerprint,
        seen: Observation,
        now: float,
        media: MediaFacts | None = None,
        perceptual: Perceptual | None = None,
    ) -> FileRow:
        return await self.move(
            row,
            FileState.FINGERPRINTED,
            now,
            media=None if media is None else json.dumps(media.to_document()),
            perceptual=None if perceptual is None else json.dumps(perceptual.to_document()),
            sha256=fingerprint.sha256.hex,
            chunk_size=fingerprint.chunk_size,
            chunks=json.dumps([chunk.hex for chunk in fingerprint.chunks]),
            root=fingerprint.root.hex,
            size=seen.size,
            mtime_ns=seen.mtime_ns,
            inode=seen.inode,
        )

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
                return _set_state(
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
                    "first_seen_at, size, mtime_ns, inode, unchanged_since, closed) "
                    "VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, ?, 1)",
                    (
                        str(path),
                        FileState.READY.value,
                        str(parent.evidence_id),
                        role.value,
                        parent.id,
                        now,
                        now,
                    ),
                )
                row = conn.execute(
                    "SELECT * FROM files WHERE evidence_id = ? AND role = ?",
                    (str(parent.evidence_id), role.value),
                ).fetchone()
                _event(
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

    async def mark_safe_to_remove(self, row: FileRow, now: float) -> None:
        def mark(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute("UPDATE files SET safe_to_remove = 1 WHERE id = ?", (row.id,))
                _event(conn, row.id, now, row.state, row.state, "safe to remove from the dock")

        await self._db.run(mark)

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

    async def retry_held(self, now: float, note: str, file_ids: Sequence[int] = ()) -> list[int]:
        """Make held files due now: those in ``file_ids``, or every one. Returns their ids."""
        wanted = tuple(file_ids)
        only = f"AND id IN ({_marks(wanted)})" if wanted else ""

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
                    _event(conn, file_id, now, FileState.HELD, FileState.HELD, note)
                return ids

        return await self._db.run(retry_held)

    async def postpone(self, row: FileRow, code: str, message: str, next_attempt_at: float) -> None:
        def postpone(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute(
                    "UPDATE files SET attempts = attempts + 1, next_attempt_at = ?, error_code = ?, "
                    "error_message = ? WHERE id = ?",
                    (next_attempt_at, code, message[:1000], row.id),
                )

        await self._db.run(postpone)

    async def last_event_id(self) -> int:
        return await self._db.run(_last_event_id)

    async def events_after(self, after: int, limit: int) -> list[sqlite3.Row]:
        """Every file's state changes after event ``after``, oldest first, with the file."""
        return await self._db.run(lambda conn: _events_after(conn, after, limit))

    async def events(self, file_id: int) -> list[tuple[float, str | None, str, str | None]]:
        def events(conn: sqlite3.Connection) -> list[tuple[float, str | None, str, str | None]]:
            cursor = conn.execute(
                "SELECT at, from_state, to_state, note FROM events WHERE file_id = ? ORDER BY id",
                (file_id,),
            )
            return [(row["at"], row["from_state"], row["to_state"], row["note"]) for row in cursor]

        return await self._db.run(events)


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


def _marks(values: tuple[object, ...]) -> str:
    return ",".join("?" * len(values))


def _insert_discovered(
    conn: sqlite3.Connection, path: Path, seen: Observation, closed: bool, now: float
) -> int:
    cursor = conn.execute(
        "INSERT INTO files (path, state, evidence_id, first_seen_at, size, mtime_ns, "
        "inode, unchanged_since, closed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            str(path),
            FileState.DISCOVERED.value,
            str(EvidenceId.new()),
            now,
            seen.size,
            seen.mtime_ns,
            seen.inode,
            now,
            int(closed),
        ),
    )
    if cursor.lastrowid is None:
        raise JournalError(f"SQLite gave no id to the new row for {path}")
    _event(conn, cursor.lastrowid, now, None, FileState.DISCOVERED, None)
    return cursor.lastrowid


def _fetch(conn: sqlite3.Connection, file_id: int) -> FileRow:
    row = conn.execute("SELECT * FROM files WHERE id = ?", (file_id,)).fetchone()
    if row is None:
        raise JournalError(f"no file {file_id} in the journal")
    return row_from(row)


def _set_state(
    conn: sqlite3.Connection,
    row: FileRow,
    target: FileState,
    now: float,
    note: str | None,
    fields: dict[str, Any],
) -> FileRow:
    """Compare-and-set ``row`` from the state it says to ``target``, setting ``fields``.
    A move clears the retry count and, unless it sets one, the last error."""
    columns: dict[str, Any] = {"error_code": None, "error_message": None}
    columns.update({"state": target.value, "attempts": 0, "next_attempt_at": 0, **fields})
    assignments = ", ".join(f"{name} = ?" for name in columns)
    cursor = conn.execute(
        f"UPDATE files SET {assignments} WHERE id = ? AND state = ?",  # noqa: S608 - names are ours
        (*columns.values(), row.id, row.state.value),
    )
    if cursor.rowcount != 1:
        raise JournalError(f"file {row.id} is no longer {row.state.value}")
    _event(conn, row.id, now, row.state, target, note)
    return _fetch(conn, row.id)


def _already_done(conn: sqlite3.Connection, path: Path, seen: Observation) -> bool:
    """Is this the very file whose row already ended (receipted, or rejected for good)?
    Footage stays on the dock after its receipt; rescans must not send it again. Changed
    content (or a file that had vanished and is back) starts a new row."""
    last = conn.execute(
        "SELECT * FROM files WHERE path = ? AND role = 'original' ORDER BY id DESC LIMIT 1",
        (str(path),),
    ).fetchone()
    if last is None or last["state"] not in (FileState.RECEIPTED.value, FileState.REJECTED.value):
        return False
    return Observation(last["size"], last["mtime_ns"], last["inode"]) == seen


def _event(
    conn: sqlite3.Connection,
    file_id: int | None,
    now: float,
    old: FileState | None,
    new: FileState,
    note: str | None,
) -> None:
    conn.execute(
        "INSERT INTO events (file_id, at, from_state, to_state, note) VALUES (?, ?, ?, ?, ?)",
        (file_id, now, None if old is None else old.value, new.value, note),
    )
