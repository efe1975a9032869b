"""Changes to an existing index that ``schema.sql`` cannot make by itself.

The schema script runs on every open and only creates what is missing (``IF NOT
EXISTS``), so it cannot add a column, re-key a table or change a trigger. Each step here
does one such change, once: ``PRAGMA user_version`` counts the steps an index has had.
Every step also runs on a brand-new index (before the script has created anything), so
each checks what is there first. Steps run in one transaction, before the script, and
never delete a record people or devices made: only tables derived from others.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from evidence.errors import MalformedManifest
from evidence.footage_findings import DEFAULT_CLAIM_TOLERANCE_SECONDS, findings_of_body
from evidence.footage_span import footage_of_body
from runtime.sqlite_thread import transaction
from storage.sqlite.log_backfill import backfill_ingests
from storage.sqlite.rows import when

__all__ = ["STEPS", "Upgrade", "index_version", "upgrade"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Upgrade:
    """What a step may need beyond the index: the server's settings and the time now."""

    claim_tolerance_seconds: float
    now: datetime


# _columns and upgrade are written twice, here and in agent/journal_migrations.py: the agent may not
# import storage, and the kernel is to stay free of SQLite. They move to the room for
# SQLite helpers (runtime/) once it exists.
def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _spans_by_evidence_id(conn: sqlite3.Connection, _: Upgrade) -> None:
    """``recording_spans`` was keyed by ``objects.rowid``, which VACUUM and a dump and
    restore may renumber. The spans are derived from ``objects``: drop the table and its
    trigger; the script makes both again, keyed by evidence id, and refills the table."""
    if "object_rowid" in _columns(conn, "recording_spans"):
        conn.execute("DROP TRIGGER IF EXISTS recording_span_of_original")
        conn.execute("DROP TABLE recording_spans")


def _edits_move_updated_at(conn: sqlite3.Connection, _: Upgrade) -> None:
    """An act edit must now move ``updated_at`` forward: drop the old trigger, and the
    script makes it again with the added condition."""
    conn.execute("DROP TRIGGER IF EXISTS act_edit_is_a_revision")


def _flags_say_who_resolved(conn: sqlite3.Connection, _: Upgrade) -> None:
    """Flags gain ``resolved_by``. Until now only the server resolved flags (a sequence
    gap closed by the manifest that arrived), so resolved ones are credited to it."""
    columns = _columns(conn, "flags")
    if columns and "resolved_by" not in columns:
        conn.execute("ALTER TABLE flags ADD COLUMN resolved_by TEXT")
        conn.execute("UPDATE flags SET resolved_by = 'liuhen-ingest' WHERE resolved_at IS NOT NULL")


def _late_uploads_are_flags(conn: sqlite3.Connection, _: Upgrade) -> None:
    """Late uploads are flags raised at finalize now, not computed by the report through
    an index on the upload delay: drop that index."""
    conn.execute("DROP INDEX IF EXISTS objects_by_upload_delay")


def _exemptions_name_the_act_revision(conn: sqlite3.Connection, _: Upgrade) -> None:
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


def _spans_from_the_footage(conn: sqlite3.Connection, upgrade: Upgrade) -> None:
    """Coverage comes from the footage now, not from the device's claimed end
    (docs/compliance.md). ``objects`` gains ``claimed_started_at`` and
    ``claimed_ended_at``, and every object's ``ended_at``, and every room segment's, is
    recomputed from its manifest's signed bytes: its start plus the probed length (NULL
    when unmeasured), where it was the claimed end. These columns are derived from the
    manifests, which are not touched; the append-only triggers on ``objects`` and
    ``segments`` are dropped for this one fill, and the script makes them again.
    ``recording_spans``, derived from ``objects``, is dropped with its trigger; the
    script makes both again and refills the table from the recomputed ends. Each original
    also raises the flags finalize raises now (``unmeasured_footage``, ``claim_mismatch``;
    evidence/footage_findings.py), so an act that turns partial says why."""
    columns = _columns(conn, "objects")
    if not columns or "claimed_ended_at" in columns:
        return
    conn.execute("ALTER TABLE objects ADD COLUMN claimed_started_at TEXT")
    conn.execute("ALTER TABLE objects ADD COLUMN claimed_ended_at TEXT")
    conn.execute("DROP TRIGGER IF EXISTS objects_append_only_u")
    conn.execute("DROP TRIGGER IF EXISTS segments_append_only_u")
    for evidence_id, role, device_id in conn.execute(
        "SELECT evidence_id, role, device_id FROM objects"
    ).fetchall():
        _refill_object(conn, upgrade, evidence_id, role, device_id)
    if _columns(conn, "segments"):
        for (evidence_id,) in conn.execute("SELECT evidence_id FROM segments").fetchall():
            _refill_segment(conn, evidence_id)
    conn.execute("DROP TRIGGER IF EXISTS recording_span_of_original")
    conn.execute("DROP TABLE IF EXISTS recording_spans")


def _spans_in_station_time(conn: sqlite3.Connection, _: Upgrade) -> None:
    """Coverage reads station time now: a span is the capture device's clock corrected by
    the offset its dock measured (the manifest's ``clock`` section), and the raw span and
    the offset are kept beside it. ``recording_spans`` is derived from ``objects`` and the
    manifests: drop it and its trigger; the script makes both again and refills the table.
    The signed times in ``objects`` and the manifests are not touched."""
    columns = _columns(conn, "recording_spans")
    if columns and "clock_offset_ms" not in columns:
        conn.execute("DROP TRIGGER IF EXISTS recording_span_of_original")
        conn.execute("DROP TABLE recording_spans")


def _body(conn: sqlite3.Connection, evidence_id: str, role: str) -> bytes | None:
    """The sections of a kept manifest a span is read from (capture, media, file), one
    manifest at a time: SQLite cuts them out, so a review copy's day of fingerprints is
    never parsed in Python. The manifest itself is not touched."""
    try:
        row = conn.execute(_SECTIONS, (evidence_id, role)).fetchone()
    except sqlite3.OperationalError:  # JSON SQLite will not read: Python's reader decides
        row = conn.execute(
            "SELECT body FROM manifests WHERE evidence_id = ? AND role = ?", (evidence_id, role)
        ).fetchone()
        return None if row is None else bytes(row[0])
    return None if row is None else str(row[0]).encode("utf-8")


_SECTIONS = (
    "SELECT json_object("
    "'capture', json(json_extract(CAST(body AS TEXT), '$.capture')), "
    "'media', json(json_extract(CAST(body AS TEXT), '$.media')), "
    "'file', json(json_extract(CAST(body AS TEXT), '$.file'))) "
    "FROM manifests WHERE evidence_id = ? AND role = ?"
)


def _refill_object(
    conn: sqlite3.Connection, upgrade: Upgrade, evidence_id: str, role: str, device_id: str
) -> None:
    body = _body(conn, evidence_id, role)
    if body is None:
        return
    try:
        span, findings = findings_of_body(body, upgrade.claim_tolerance_seconds)
    except MalformedManifest as exc:  # it passed this reader when registered
        log.warning("%s/%s: end left as it was: %s", evidence_id, role, exc.message)
        return
    conn.execute(
        "UPDATE objects SET ended_at = ?, claimed_started_at = ?, claimed_ended_at = ? "
        "WHERE evidence_id = ? AND role = ?",
        (
            when(span.ended_at),
            when(span.claimed_started_at),
            when(span.claimed_ended_at),
            evidence_id,
            role,
        ),
    )
    if role != "original":
        return  # review copies and transcripts are not evidence of time
    for kind, detail in findings:
        conn.execute(
            "INSERT OR IGNORE INTO flags (kind, device_id, evidence_id, role, subject, "
            "detail, raised_at) VALUES (?, ?, ?, 'original', ?, ?, ?)",
            (
                kind,
                device_id,
                evidence_id,
                evidence_id,
                json.dumps(detail, ensure_ascii=False, sort_keys=True),
                when(upgrade.now),
            ),
        )
        log.warning("%s: %s raised by the upgrade", evidence_id, kind)


def _refill_segment(conn: sqlite3.Connection, evidence_id: str) -> None:
    body = _body(conn, evidence_id, "original")
    if body is None:
        return
    try:
        span = footage_of_body(body)
    except MalformedManifest as exc:  # it passed this reader when registered
        log.warning("%s: segment end left as it was: %s", evidence_id, exc.message)
        return
    conn.execute(
        "UPDATE segments SET ended_at = ? WHERE evidence_id = ?", (when(span.ended_at), evidence_id)
    )


def _log_what_is_held(conn: sqlite3.Connection, upgrade: Upgrade) -> None:
    """The custody log begins: every object already held is logged once, marked as
    backfilled (``log_backfill.py``). The log's tables exist by now (``database.py``)."""
    if _columns(conn, "objects"):
        backfill_ingests(conn, upgrade.now)


def _received_evidence(conn: sqlite3.Connection, _: Upgrade) -> None:
    """Received evidence's tables and triggers (``received_packages``, ``received_objects``)
    are new: the script makes them. The step only moves the version on, so the open that
    adds them does not take their absence for triggers dropped (``trigger_check.py``)."""


def _legal_holds(conn: sqlite3.Connection, _: Upgrade) -> None:
    """Legal holds' tables and triggers (``holds``, ``hold_lifts``) are new: the script
    makes them. The step only moves the version on, as ``_received_evidence`` does."""


def _act_spans_are_kept(conn: sqlite3.Connection, _: Upgrade) -> None:
    """Each act's fold of its recordings is kept by trigger (``act_spans.py``): the script
    makes the table and its triggers and folds every act once. Both dropped first (the
    triggers live on other tables and would write to a table not yet made), so that the
    step folds afresh from the recordings as they are. A later step that drops or
    rewrites ``recording_spans`` must drop both the same way: the catch-up folds only
    acts without a row."""
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'act_spans_of_%'"
    ).fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DROP TABLE IF EXISTS act_spans")


STEPS: tuple[Callable[[sqlite3.Connection, Upgrade], None], ...] = (
    _spans_by_evidence_id,
    _edits_move_updated_at,
    _flags_say_who_resolved,
    _late_uploads_are_flags,
    _exemptions_name_the_act_revision,
    _spans_from_the_footage,
    _log_what_is_held,
    _spans_in_station_time,
    _received_evidence,
    _legal_holds,
    _act_spans_are_kept,
)


def index_version(conn: sqlite3.Connection) -> int:
    """How many steps the index has had (0 for a new one)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def upgrade(conn: sqlite3.Connection, settings: Upgrade | None = None) -> None:
    settings = settings or Upgrade(DEFAULT_CLAIM_TOLERANCE_SECONDS, datetime.now(UTC))
    with transaction(conn):
        done = conn.execute("PRAGMA user_version").fetchone()[0]
        for step in STEPS[done:]:
            step(conn, settings)
        if done < len(STEPS):
            conn.execute(f"PRAGMA user_version = {len(STEPS)}")
