"""Changes to an existing index that ``schema.sql`` cannot make by itself.

The schema script runs on every open and only creates what is missing (``IF NOT
EXISTS``), so it cannot add a column, re-key a table or change a trigger. Each step here
does one such change, once: ``PRAGMA user_version`` counts the steps an index has had.
Every step also runs on a brand-new index (before the script has created anything), so
each checks what is there first. Steps run in one transaction, before the script, and
never delete a record people or devices made: only tables derived from others.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from evidence.sqlite_thread import transaction

__all__ = ["STEPS", "upgrade"]


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _spans_by_evidence_id(conn: sqlite3.Connection) -> None:
    """``recording_spans`` was keyed by ``objects.rowid``, which VACUUM and a dump and
    restore may renumber. The spans are derived from ``objects``: drop the table and its
    trigger; the script makes both again, keyed by evidence id, and refills the table."""
    if "object_rowid" in _columns(conn, "recording_spans"):
        conn.execute("DROP TRIGGER IF EXISTS recording_span_of_original")
        conn.execute("DROP TABLE recording_spans")


def _edits_move_updated_at(conn: sqlite3.Connection) -> None:
    """An act edit must now move ``updated_at`` forward: drop the old trigger, and the
    script makes it again with the added condition."""
    conn.execute("DROP TRIGGER IF EXISTS act_edit_is_a_revision")


def _flags_say_who_resolved(conn: sqlite3.Connection) -> None:
    """Flags gain ``resolved_by``. Until now only the server resolved flags (a sequence
    gap closed by the manifest that arrived), so resolved ones are credited to it."""
    columns = _columns(conn, "flags")
    if columns and "resolved_by" not in columns:
        conn.execute("ALTER TABLE flags ADD COLUMN resolved_by TEXT")
        conn.execute("UPDATE flags SET resolved_by = 'liuhen-ingest' WHERE resolved_at IS NOT NULL")


def _late_uploads_are_flags(conn: sqlite3.Connection) -> None:
    """Late uploads are flags raised at finalize now, not computed by the report through
    an index on the upload delay: drop that index."""
    conn.execute("DROP INDEX IF EXISTS objects_by_upload_delay")


def _exemptions_name_the_act_revision(conn: sqlite3.Connection) -> None:
    """Exemptions gain ``act_revision``, the act's revision when the exemption was entered:
    read back from the act's history (the latest revision made by then). The append-only
    trigger is dropped for this one fill; the script makes it again."""
    columns = _columns(conn, "exemptions")
    if columns and "act_revision" not in columns:
        conn.execute("DROP TRIGGER IF EXISTS exemptions_append_only_u")
        conn.execute("ALTER TABLE exemptions ADD COLUMN act_revision INTEGER")
        conn.execute(
            "UPDATE exemptions SET act_revision = COALESCE((SELECT MAX(h.revision) "
            "FROM act_history h WHERE h.act_id = exemptions.act_id "
            "AND h.changed_at <= exemptions.recorded_at), 1)"
        )


STEPS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _spans_by_evidence_id,
    _edits_move_updated_at,
    _flags_say_who_resolved,
    _late_uploads_are_flags,
    _exemptions_name_the_act_revision,
)


def upgrade(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        done = conn.execute("PRAGMA user_version").fetchone()[0]
        for step in STEPS[done:]:
            step(conn)
        if done < len(STEPS):
            conn.execute(f"PRAGMA user_version = {len(STEPS)}")
