"""Finalize's one read: an object's manifest, its upload, the stored object, the key the
manifest names and the holder of its place in the device's chain, in one call on the
index's thread (one connection, so nothing writes between the statements)."""

from __future__ import annotations

import sqlite3

from evidence.digest import Sha256
from evidence.identifiers import EvidenceId, Role
from storage.records import DeviceKeyRecord, Finalizing, ManifestRecord, UploadRecord, UploadState
from storage.sqlite import rows

__all__ = ["LIVE_UPLOAD", "read_finalizing"]

_LIVE = (UploadState.OPEN.value, UploadState.FINALIZED.value)

# The open or finalized upload of an object, else its newest.
LIVE_UPLOAD = (
    "SELECT * FROM uploads WHERE evidence_id = ? AND role = ? "
    "ORDER BY state IN (?, ?) DESC, created_at DESC LIMIT 1"
)


def _upload(
    conn: sqlite3.Connection, key: tuple[str, str], upload_id: str | None
) -> UploadRecord | None:
    if upload_id is None:
        row = conn.execute(LIVE_UPLOAD, (*key, *_LIVE)).fetchone()
    else:
        row = conn.execute("SELECT * FROM uploads WHERE upload_id = ?", (upload_id,)).fetchone()
    return None if row is None else rows.upload(row)


def _signer(
    conn: sqlite3.Connection, manifest: ManifestRecord
) -> tuple[DeviceKeyRecord | None, Sha256 | None]:
    row = conn.execute("SELECT * FROM device_keys WHERE key_id = ?", (manifest.key_id,)).fetchone()
    key = None if row is None else rows.device_key(row)
    row = conn.execute(
        "SELECT manifest_sha256 FROM manifests WHERE device_id = ? AND sequence = ?",
        (str(manifest.device_id), manifest.sequence),
    ).fetchone()
    return key, None if row is None else Sha256(row["manifest_sha256"])


def read_finalizing(
    conn: sqlite3.Connection, evidence_id: EvidenceId, role: Role, upload_id: str | None
) -> Finalizing:
    key = (str(evidence_id), role.value)
    row = conn.execute("SELECT * FROM manifests WHERE evidence_id = ? AND role = ?", key).fetchone()
    manifest = None if row is None else rows.manifest(row)
    row = conn.execute("SELECT * FROM objects WHERE evidence_id = ? AND role = ?", key).fetchone()
    stored = None if row is None else rows.stored_object(row)
    device_key, chain = (None, None) if manifest is None else _signer(conn, manifest)
    return Finalizing(manifest, _upload(conn, key, upload_id), stored, device_key, chain)
