"""The journal's row-level SQL, on a connection inside the caller's transaction: read a
file, insert a discovered one, compare-and-set a state, write an event. agent/journal.py
composes these into its operations."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from agent.completeness import Observation
from agent.file_row import FileRow, row_from
from agent.states import FileState, terminal_sql
from evidence.errors import JournalError
from evidence.identifiers import EvidenceId

__all__ = [
    "already_done",
    "event",
    "fetch",
    "free_original",
    "insert_discovered",
    "marks",
    "set_state",
]


def marks(values: tuple[object, ...]) -> str:
    return ",".join("?" * len(values))


def insert_discovered(
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
    event(conn, cursor.lastrowid, now, None, FileState.DISCOVERED, None)
    return cursor.lastrowid


def fetch(conn: sqlite3.Connection, file_id: int) -> FileRow:
    row = conn.execute("SELECT * FROM files WHERE id = ?", (file_id,)).fetchone()
    if row is None:
        raise JournalError(f"no file {file_id} in the journal")
    return row_from(row)


def set_state(
    conn: sqlite3.Connection,
    row: FileRow,
    target: FileState,
    now: float,
    note: str | None,
    fields: dict[str, Any],
) -> FileRow:
    """Compare-and-set ``row`` from the state it says to ``target``, setting ``fields``.
    A move clears the retry count, the work in hand and, unless it sets one, the last
    error; a receipt is dated."""
    columns: dict[str, Any] = {"error_code": None, "error_message": None, "error_at": None}
    if "error_code" in fields:
        columns["error_at"] = now
    if target is FileState.RECEIPTED:
        columns["receipted_at"] = now
    columns.update(
        {"state": target.value, "attempts": 0, "next_attempt_at": 0, "progress": None, **fields}
    )
    assignments = ", ".join(f"{name} = ?" for name in columns)
    cursor = conn.execute(
        f"UPDATE files SET {assignments} WHERE id = ? AND state = ?",  # noqa: S608 - names are ours
        (*columns.values(), row.id, row.state.value),
    )
    if cursor.rowcount != 1:
        raise JournalError(f"file {row.id} is no longer {row.state.value}")
    event(conn, row.id, now, row.state, target, note)
    return fetch(conn, row.id)


def free_original(conn: sqlite3.Connection, original_id: int, now: float) -> bool:
    """Mark a receipted original safe to remove once none of its copies is still on its
    way; True if this did it. Done in the transaction that ends its last copy, so a reader
    never sees every copy ended and the original not yet free."""
    freed = conn.execute(
        "UPDATE files SET safe_to_remove = 1 WHERE id = ? AND state = 'receipted' "  # noqa: S608 - ours
        "AND safe_to_remove = 0 AND NOT EXISTS (SELECT 1 FROM files c WHERE c.parent_id = ? "
        f"AND c.state NOT IN ({terminal_sql()}))",
        (original_id, original_id),
    ).rowcount
    if freed:
        event(
            conn,
            original_id,
            now,
            FileState.RECEIPTED,
            FileState.RECEIPTED,
            "safe to remove from the dock",
        )
    return bool(freed)


def already_done(conn: sqlite3.Connection, path: Path, seen: Observation) -> bool:
    """Is this the very file whose row already ended (receipted, rejected for good, or a
    duplicate of footage on its way or receipted)? Footage stays on the dock after its
    receipt; rescans must not send it again. Changed content (or a file that had vanished
    and is back) starts a new row, and so does a duplicate whose original ended without a
    receipt (vanished, rejected): its bytes must go on their own now."""
    last = conn.execute(
        "SELECT * FROM files WHERE path = ? AND role = 'original' ORDER BY id DESC LIMIT 1",
        (str(path),),
    ).fetchone()
    ends = (FileState.RECEIPTED.value, FileState.REJECTED.value, FileState.DUPLICATE.value)
    if last is None or last["state"] not in ends:
        return False
    if last["state"] == FileState.DUPLICATE.value:
        original = conn.execute(
            "SELECT state FROM files WHERE id = ?", (last["duplicate_of"],)
        ).fetchone()
        lost = (FileState.VANISHED.value, FileState.REJECTED.value)
        if original is None or original["state"] in lost:
            return False
    return Observation(last["size"], last["mtime_ns"], last["inode"]) == seen


def event(
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
