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
    """An indexed original, as finalize would have written it (bytes not needed here), after
    its manifest and its device, which PostgreSQL's foreign keys want (SQLite's raw
    connection does not check them): ``end`` is where its footage ends (None: unmeasured),
    ``claimed_end`` the end its device claims, kept beside it. Works on both databases
    (``raw`` from tests/index_backends.py)."""
    evidence_id = str(uuid.uuid4())
    received = (end or start) + timedelta(minutes=5)
    _manifest(raw, evidence_id, serial, start)
    raw.execute(
        "INSERT INTO objects (evidence_id, role, device_id, sequence, manifest_sha256, sha256, "
        "size, chunk_root, store, locator, case_number, started_at, ended_at, place, officer_id, "
        "file_name, received_at, receipt_body, receipt_signature, claimed_ended_at) VALUES "
        "(?, 'original', 'dock-1', 1, ?, ?, 1, ?, 'local', 'x', ?, ?, ?, NULL, ?, 'a.mp4', ?, "
        "?, ?, ?)",
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
            b"\x00",
            b"\x00",
            when(claimed_end),
        ),
    )
    raw.commit()
    return EvidenceId(evidence_id)


def _manifest(raw: sqlite3.Connection, evidence_id: str, serial: str | None, at: datetime) -> None:
    raw.execute(
        "INSERT INTO devices (device_id, status, registered_at) VALUES ('dock-1', 'active', ?) "
        "ON CONFLICT DO NOTHING",
        (when(at),),
    )
    raw.execute(
        "INSERT INTO device_keys (key_id, device_id, public_key, added_at) "
        "VALUES ('k', 'dock-1', ?, ?) ON CONFLICT DO NOTHING",
        (b"\x00", when(at)),
    )
    origin = {} if serial is None else {"origin": {"device_serial": serial}}
    raw.execute(
        "INSERT INTO manifests (evidence_id, role, device_id, key_id, sequence, "
        "manifest_sha256, body, signature, registered_at) "
        "VALUES (?, 'original', 'dock-1', 'k', ?, 'm', ?, ?, ?)",
        (
            evidence_id,
            uuid.UUID(evidence_id).int >> 66,
            json.dumps(origin).encode(),
            b"\x00",
            when(at),
        ),
    )
