"""Changes to an existing journal that ``journal.sql`` cannot make by itself.

The schema script runs on every open and only creates what is missing, so it cannot add
a column. Each step here makes one such change, once: ``PRAGMA user_version`` counts the
steps a journal has had. Every step also runs on a brand-new journal (before the script
has created anything), so each checks what is there first. Steps run in one transaction,
before the script.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from runtime.sqlite_thread import transaction

__all__ = ["STEPS", "upgrade"]


# _columns and upgrade are written twice, here and in storage/sqlite/migrations.py: the agent may not
# import storage, and the kernel is to stay free of SQLite. They move to the room for
# SQLite helpers (runtime/) once it exists.
def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _refusals_are_held(conn: sqlite3.Connection) -> None:
    """Files gain ``refusals`` and ``held_since``. Until now a refusal by the server
    ended a file in ``rejected`` and nothing tried it again (a review copy's manifest cut
    short by a slow link stayed refused for ever): every rejected file but one whose
    content changed after signing is held now, due at once. A file whose path has a
    newer row on its way stays as it was; of several refused rows for one path (a
    camera's file counter reused, ``VID_0001.MP4`` twice) only the newest is held, since
    one path has one file on its way, and the older ones say why they stay."""
    columns = _columns(conn, "files")
    if not columns or "refusals" in columns:
        return
    conn.execute("ALTER TABLE files ADD COLUMN refusals INTEGER NOT NULL DEFAULT 0")
    conn.execute("ALTER TABLE files ADD COLUMN held_since REAL")
    stuck = conn.execute(
        "SELECT id, path, (SELECT MAX(at) FROM events e WHERE e.file_id = f.id) AS at "
        "FROM files f WHERE state = 'rejected' AND COALESCE(error_code, '') != 'source_changed' "
        "AND NOT EXISTS (SELECT 1 FROM files g WHERE g.path = f.path AND g.id != f.id "
        "AND g.state NOT IN ('receipted', 'rejected', 'vanished')) ORDER BY id DESC"
    ).fetchall()
    now = time.time()
    held: set[str] = set()
    for file_id, path, rejected_at in stuck:
        if path in held:
            _note(conn, file_id, now, "rejected", _SUPERSEDED)
            continue
        held.add(path)
        conn.execute(
            "UPDATE files SET state = 'held', refusals = 1, held_since = ?, attempts = 0, "
            "next_attempt_at = 0 WHERE id = ?",
            (rejected_at, file_id),
        )
        _note(conn, file_id, now, "held", "an older agent gave up on it; held and retried")


_SUPERSEDED = (
    "an older agent gave up on it; a newer refused file at the same path is held instead "
    "(one file on its way per path), so this one stays rejected"
)


def _note(conn: sqlite3.Connection, file_id: int, now: float, state: str, note: str) -> None:
    conn.execute(
        "INSERT INTO events (file_id, at, from_state, to_state, note) "
        "VALUES (?, ?, 'rejected', ?, ?)",
        (file_id, now, state, note),
    )


_NEW_COLUMNS = (
    "upload_offset INTEGER NOT NULL DEFAULT 0",
    "progress TEXT",
    "error_at REAL",
    "urgent INTEGER NOT NULL DEFAULT 0",
    "receipted_at REAL",
    "purged_at REAL",
    "reported TEXT",
)


def _operability_and_retention(conn: sqlite3.Connection) -> None:
    """Files gain the columns for progress, priority, retention and copies given up; a
    receipted file's ``receipted_at`` is when its events say it was receipted. The partial
    index of active paths is made again by the script, with ``unmade`` among the ends."""
    columns = _columns(conn, "files")
    if not columns or "upload_offset" in columns:
        return
    for column in _NEW_COLUMNS:
        conn.execute(f"ALTER TABLE files ADD COLUMN {column}")
    conn.execute(
        "UPDATE files SET receipted_at = (SELECT MAX(at) FROM events e WHERE e.file_id = files.id "
        "AND e.to_state = 'receipted') WHERE state = 'receipted'"
    )
    conn.execute("DROP INDEX IF EXISTS files_one_active_per_path")


def _duplicates(conn: sqlite3.Connection) -> None:
    """Files gain ``duplicate_of`` (the same footage as another original, issue 10); the
    partial index of active paths is made again by the script, with ``duplicate`` among
    the ends."""
    columns = _columns(conn, "files")
    if not columns or "duplicate_of" in columns:
        return
    conn.execute("ALTER TABLE files ADD COLUMN duplicate_of INTEGER REFERENCES files (id)")
    conn.execute("DROP INDEX IF EXISTS files_one_active_per_path")


STEPS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _refusals_are_held,
    _operability_and_retention,
    _duplicates,
)


def upgrade(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        done = conn.execute("PRAGMA user_version").fetchone()[0]
        for step in STEPS[done:]:
            step(conn)
        if done < len(STEPS):
            conn.execute(f"PRAGMA user_version = {len(STEPS)}")
