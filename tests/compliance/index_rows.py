"""Stored originals written straight into the index, for tests that need many recordings
or exact times but not their bytes (the upload path has tests of its own)."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import datetime, timedelta

from evidence.case_number import CaseNumber
from evidence.identifiers import EvidenceId
from storage.sqlite.rows import when


def insert_original(
    raw: sqlite3.Connection,
    *,
    case_number: CaseNumber | str | None,
    start: datetime,
    end: datetime | None,
    officer: str | None = "130102001",
    serial: str | None = None,
    claimed_end: datetime | None = None,
) -> EvidenceId:
    """An indexed original, as finalize would have written it (bytes not needed here):
    ``end`` is where its footage ends (None: unmeasured), ``claimed_end`` the end its
    device claims, kept beside it."""
    evidence_id = str(uuid.uuid4())
    received = (end or start) + timedelta(minutes=5)
    raw.execute(
        "INSERT INTO objects (evidence_id, role, device_id, sequence, manifest_sha256, sha256, "
        "size, chunk_root, store, locator, case_number, started_at, ended_at, place, officer_id, "
        "file_name, received_at, receipt_body, receipt_signature, claimed_ended_at) VALUES "
        "(?, 'original', 'dock-1', 1, ?, ?, 1, ?, 'local', 'x', ?, ?, ?, NULL, ?, 'a.mp4', ?, "
        "x'00', x'00', ?)",
        (
            evidence_id,
            "a" * 64,
            "b" * 64,
            "c" * 64,
            None if case_number is None else str(case_number),
            when(start),
            when(end),
            officer,
            when(received),
            when(claimed_end),
        ),
    )
    if serial is not None:
        body = json.dumps({"origin": {"device_serial": serial}}).encode()
        raw.execute(
            "INSERT INTO manifests (evidence_id, role, device_id, key_id, sequence, "
            "manifest_sha256, body, signature, registered_at) "
            "VALUES (?, 'original', 'dock-1', 'k', 1, 'm', ?, x'00', ?)",
            (evidence_id, body, when(start)),
        )
    raw.commit()
    return EvidenceId(evidence_id)
