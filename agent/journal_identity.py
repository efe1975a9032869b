"""Which journal row a file on the dock is: the same footage docked twice, and a file
renamed while it is on its way. Mixed into ``Journal`` (agent/journal.py); the row-level
SQL runs on the caller's connection, inside its transaction.

The agent knows a file first by its path and how it looks (size, mtime, inode), and once
hashed by its content. Two rules follow:

- **Same bytes, one recording.** A hashed original whose SHA-256 and size equal those of
  an original the journal holds on its way or receipted (``SAME_FOOTAGE``) is journaled
  ``duplicate`` of it, in the transaction that records its hash, and is never signed nor
  uploaded. The check and the move are one transaction on the journal's one thread, so of
  two copies hashed at once exactly one goes on. A duplicate is safe to remove only once
  its original is receipted (a verified receipt), in that same transaction or the one
  that receipts the original; never sooner. If its original ends without a receipt
  (vanished, rejected), the duplicate is no longer "done" and the next sighting of the
  file starts a row of its own (``already_done`` in agent/journal_rows.py).
- **A rename moves the row.** A file with no row of its own whose size, mtime and inode
  are those of an original on its way at another path, where that file no longer is
  (agent/renames.py checks the disk), is that original renamed: its row takes the new
  path, and the rename is an event. Different files never share a row: the inode, size
  and mtime must all match, the old name must not hold that inode any more, and both
  names must be on one file system; before signing nothing is attested yet, and after
  it, the file is checked against what was signed before each step, as always.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from agent.completeness import Observation
from agent.file_row import FileRow, row_from
from agent.journal_rows import event, fetch, marks, set_state
from agent.states import ACTIVE, FileState, check_transition, terminal_sql
from evidence.digest import Fingerprint
from evidence.identifiers import Role
from evidence.manifest_media import MediaFacts, Perceptual
from runtime.sqlite_thread import SqliteThread, transaction

__all__ = ["SAME_FOOTAGE", "Identity", "free_duplicates", "same_footage"]

S = FileState
# An original whose bytes a later copy repeats: hashed, and not ended without a receipt.
SAME_FOOTAGE = (
    S.FINGERPRINTED,
    S.SIGNED,
    S.REGISTERED,
    S.UPLOADING,
    S.UPLOADED,
    S.HELD,
    S.RECEIPTED,
)
_ACTIVE_ORIGINALS = tuple(sorted(state.value for state in ACTIVE))


def same_footage(conn: sqlite3.Connection, file_id: int, sha256: str, size: int) -> FileRow | None:
    """The first other original with these bytes that is on its way or receipted."""
    states = tuple(state.value for state in SAME_FOOTAGE)
    row = conn.execute(
        "SELECT * FROM files WHERE role = 'original' AND sha256 = ? AND size = ? AND id != ? "  # noqa: S608 - placeholders only
        f"AND state IN ({marks(states)}) ORDER BY id LIMIT 1",
        (sha256, size, file_id, *states),
    ).fetchone()
    return None if row is None else row_from(row)


def free_duplicates(conn: sqlite3.Connection, original: FileRow, now: float) -> int:
    """Mark safe to remove the duplicates of ``original`` once it holds its verified
    receipt (the pipeline moves a row to ``receipted`` only after verifying it)."""
    if original.state is not S.RECEIPTED or original.receipt is None:
        return 0
    ids = [
        found["id"]
        for found in conn.execute(
            "SELECT id FROM files WHERE duplicate_of = ? AND state = ? AND safe_to_remove = 0",
            (original.id, S.DUPLICATE.value),
        )
    ]
    for file_id in ids:
        conn.execute("UPDATE files SET safe_to_remove = 1 WHERE id = ?", (file_id,))
        note = f"safe to remove from the dock: file {original.id} ({original.path}) is receipted"
        event(conn, file_id, now, S.DUPLICATE, S.DUPLICATE, note)
    return len(ids)


def _mark_duplicate(
    conn: sqlite3.Connection, row: FileRow, same: FileRow, now: float, fields: dict[str, Any]
) -> FileRow:
    safe = same.state is S.RECEIPTED and same.receipt is not None
    note = (
        f"the same footage as file {same.id} ({same.path}, evidence {same.evidence_id}): "
        f"not uploaded again{'; safe to remove: that file is receipted' if safe else ''}"
    )
    fields = {**fields, "duplicate_of": same.id, "safe_to_remove": int(safe)}
    return set_state(conn, row, S.DUPLICATE, now, note, fields)


def _rename_candidate(conn: sqlite3.Connection, path: Path, seen: Observation) -> FileRow | None:
    active_here = conn.execute(
        f"SELECT 1 FROM files WHERE path = ? AND state NOT IN ({terminal_sql()})",  # noqa: S608 - ours
        (str(path),),
    ).fetchone()
    if active_here is not None:
        return None
    row = conn.execute(
        "SELECT * FROM files WHERE role = 'original' AND path != ? AND size = ? "  # noqa: S608 - placeholders only
        f"AND mtime_ns = ? AND inode = ? AND state IN ({marks(_ACTIVE_ORIGINALS)}) "
        "ORDER BY id LIMIT 1",
        (str(path), seen.size, seen.mtime_ns, seen.inode, *_ACTIVE_ORIGINALS),
    ).fetchone()
    return None if row is None else row_from(row)


def _rename(conn: sqlite3.Connection, row: FileRow, path: Path, now: float) -> FileRow | None:
    """Whatever state the row has reached meanwhile: the path is what moves."""
    with transaction(conn):
        moved = conn.execute(
            f"UPDATE files SET path = ? WHERE id = ? AND path = ? AND state NOT IN ({terminal_sql()}) "  # noqa: S608 - ours
            f"AND NOT EXISTS (SELECT 1 FROM files g WHERE g.path = ? "
            f"AND g.state NOT IN ({terminal_sql()}))",
            (str(path), row.id, str(row.path), str(path)),
        ).rowcount
        if not moved:
            return None
        renamed = fetch(conn, row.id)
        note = f"renamed from {row.path} to {path}"
        event(conn, row.id, now, renamed.state, renamed.state, note)
        return renamed


class Identity:
    _db: SqliteThread

    async def record_fingerprint(
        self,
        row: FileRow,
        fingerprint: Fingerprint,
        seen: Observation,
        now: float,
        media: MediaFacts | None = None,
        perceptual: Perceptual | None = None,
    ) -> FileRow:
        """Keep what hashing found: ``row`` becomes ``fingerprinted``, or, for an original
        with the bytes of another (``same_footage``), ``duplicate`` of it."""
        check_transition(row.state, S.FINGERPRINTED)
        fields = {
            "media": None if media is None else json.dumps(media.to_document()),
            "perceptual": None if perceptual is None else json.dumps(perceptual.to_document()),
            "sha256": fingerprint.sha256.hex,
            "chunk_size": fingerprint.chunk_size,
            "chunks": json.dumps([chunk.hex for chunk in fingerprint.chunks]),
            "root": fingerprint.root.hex,
            "size": seen.size,
            "mtime_ns": seen.mtime_ns,
            "inode": seen.inode,
        }

        def record(conn: sqlite3.Connection) -> FileRow:
            with transaction(conn):
                same = None
                if row.role is Role.ORIGINAL:
                    same = same_footage(conn, row.id, fingerprint.sha256.hex, seen.size)
                if same is None:
                    return set_state(conn, row, S.FINGERPRINTED, now, None, fields)
                return _mark_duplicate(conn, row, same, now, fields)

        return await self._db.run(record)

    async def rename_candidate(self, path: Path, seen: Observation) -> FileRow | None:
        """An original on its way elsewhere that looks exactly like the file at ``path``,
        when ``path`` has no row on its way: perhaps that file, renamed (the caller checks
        the disk)."""
        return await self._db.run(lambda conn: _rename_candidate(conn, path, seen))

    async def rename(self, row: FileRow, path: Path, now: float) -> FileRow | None:
        """Move ``row`` to ``path`` if it is still on its way at the path ``row`` says and
        nothing else is on its way at ``path``; the rename is an event. None if not."""
        return await self._db.run(lambda conn: _rename(conn, row, path, now))
