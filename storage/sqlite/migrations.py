"""Changes to an existing index that ``schema.sql`` cannot make by itself.

The schema script runs on every open and only creates what is missing (``IF NOT
EXISTS``), so it cannot add a column, re-key a table or change a trigger. Each step here
does one such change, once: ``PRAGMA user_version`` counts the steps an index has had.
Every step also runs on a brand-new index (before the script has created anything), so
each checks what is there first. Steps run in one transaction, before the script, and
never delete a record people or devices made: only tables derived from others.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from evidence.errors import MalformedManifest
from evidence.footage_span import footage_of_body
from runtime.sqlite_thread import transaction
from storage.sqlite.rows import when

__all__ = ["STEPS", "upgrade"]

log = logging.getLogger(__name__)


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


def _spans_from_the_footage(conn: sqlite3.Connection) -> None:
    """Coverage comes from the footage now, not from the device's claimed end
    (docs/compliance.md). ``objects`` gains ``claimed_started_at`` and
    ``claimed_ended_at``, and every object's ``ended_at``, and every room segment's, is
    recomputed from its manifest's signed bytes: its start plus the probed length (NULL
    when unmeasured), where it was the claimed end. These columns are derived from the
    manifests, which are not touched; the append-only triggers on ``objects`` and
    ``segments`` are dropped for this one fill, and the script makes them again.
    ``recording_spans``, derived from ``objects``, is dropped with its trigger; the
    script makes both again and refills the table from the recomputed ends."""
    columns = _columns(conn, "objects")
    if not columns or "claimed_ended_at" in columns:
        return
    conn.execute("ALTER TABLE objects ADD COLUMN claimed_started_at TEXT")
    conn.execute("ALTER TABLE objects ADD COLUMN claimed_ended_at TEXT")
    conn.execute("DROP TRIGGER IF EXISTS objects_append_only_u")
    conn.execute("DROP TRIGGER IF EXISTS segments_append_only_u")
    _refill(conn, "SELECT evidence_id, role FROM objects", _OBJECT_ENDS)
    if _columns(conn, "segments"):
        _refill(conn, "SELECT evidence_id, 'original' FROM segments", _SEGMENT_ENDS)
    conn.execute("DROP TRIGGER IF EXISTS recording_span_of_original")
    conn.execute("DROP TABLE IF EXISTS recording_spans")


_OBJECT_ENDS = (
    "UPDATE objects SET ended_at = :ended, claimed_started_at = :claimed_start, "
    "claimed_ended_at = :claimed_end WHERE evidence_id = :evidence_id AND role = :role"
)
_SEGMENT_ENDS = "UPDATE segments SET ended_at = :ended WHERE evidence_id = :evidence_id"


def _refill(conn: sqlite3.Connection, keys: str, update: str) -> None:
    """Recompute the ends of the rows ``keys`` selects from each one's manifest, one at a
    time (a review copy's manifest may hold a day of fingerprints)."""
    for evidence_id, role in conn.execute(keys).fetchall():
        row = conn.execute(
            "SELECT body FROM manifests WHERE evidence_id = ? AND role = ?", (evidence_id, role)
        ).fetchone()
        if row is None:
            continue
        try:
            span = footage_of_body(bytes(row[0]))
        except MalformedManifest as exc:  # it passed this reader when registered
            log.warning("%s/%s: end left as it was: %s", evidence_id, role, exc.message)
            continue
        conn.execute(
            update,
            {
                "ended": when(span.ended_at),
                "claimed_start": when(span.claimed_started_at),
                "claimed_end": when(span.claimed_ended_at),
                "evidence_id": evidence_id,
                "role": role,
            },
        )


STEPS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _spans_by_evidence_id,
    _edits_move_updated_at,
    _flags_say_who_resolved,
    _late_uploads_are_flags,
    _exemptions_name_the_act_revision,
    _spans_from_the_footage,
)


def upgrade(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        done = conn.execute("PRAGMA user_version").fetchone()[0]
        for step in STEPS[done:]:
            step(conn)
        if done < len(STEPS):
            conn.execute(f"PRAGMA user_version = {len(STEPS)}")
