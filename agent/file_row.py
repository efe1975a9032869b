"""One file in the agent's journal, as the pipeline sees it: a frozen row read from the
``files`` table (agent/journal.sql)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from agent.completeness import Observation
from agent.progress import Progress
from agent.states import FileState
from evidence.case_number import CaseNumberRule
from evidence.digest import Fingerprint, Sha256
from evidence.errors import JournalError
from evidence.identifiers import EvidenceId, Role
from evidence.manifest import SignedManifest
from evidence.manifest_media import MediaFacts, Perceptual, read_media, read_perceptual
from evidence.strict_json import Fields

__all__ = ["FileRow", "row_from"]


@dataclass(frozen=True, slots=True)
class FileRow:
    id: int
    path: Path
    state: FileState
    evidence_id: EvidenceId
    role: Role
    parent_id: int | None
    observation: Observation
    first_seen_at: float
    unchanged_since: float
    closed: bool
    fingerprint: Fingerprint | None
    media: MediaFacts | None
    perceptual: Perceptual | None
    manifest: bytes | None
    signature: bytes | None
    upload_url: str | None
    receipt: bytes | None
    safe_to_remove: bool
    attempts: int
    next_attempt_at: float
    error_code: str | None
    error_message: str | None
    refusals: int
    held_since: float | None
    # Added later: defaults, so a row can be built by hand without them.
    upload_offset: int = 0  # the server's committed offset, as last heard
    progress: Progress | None = None  # the long work in hand (upload, transcode)
    error_at: float | None = None
    urgent: bool = False  # goes before other footage (agent/priority.py)
    receipted_at: float | None = None
    purged_at: float | None = None  # the local copy was removed by the retention policy
    reported: str | None = None  # a copy given up: whether the server was told
    receipt_signature: bytes | None = None
    duplicate_of: int | None = None  # the original whose bytes these are (a duplicate)

    def signed(self, rule: CaseNumberRule) -> SignedManifest:
        if self.manifest is None or self.signature is None:
            raise JournalError(f"file {self.id} has no manifest yet")
        return SignedManifest.read_stored(self.manifest, self.signature, rule)


def row_from(row: sqlite3.Row) -> FileRow:
    return FileRow(
        id=row["id"],
        path=Path(row["path"]),
        state=FileState(row["state"]),
        evidence_id=EvidenceId(row["evidence_id"]),
        role=Role(row["role"]),
        parent_id=row["parent_id"],
        observation=Observation(row["size"], row["mtime_ns"], row["inode"]),
        first_seen_at=row["first_seen_at"],
        unchanged_since=row["unchanged_since"],
        closed=bool(row["closed"]),
        fingerprint=_fingerprint(row),
        media=None if row["media"] is None else read_media(_json_fields(row["media"])),
        perceptual=None
        if row["perceptual"] is None
        else read_perceptual(_json_fields(row["perceptual"])),
        manifest=None if row["manifest"] is None else bytes(row["manifest"]),
        signature=None if row["signature"] is None else bytes(row["signature"]),
        upload_url=row["upload_url"],
        receipt=None if row["receipt"] is None else bytes(row["receipt"]),
        safe_to_remove=bool(row["safe_to_remove"]),
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        error_code=row["error_code"],
        error_message=row["error_message"],
        refusals=row["refusals"],
        held_since=row["held_since"],
        upload_offset=row["upload_offset"],
        progress=Progress.from_text(row["progress"]),
        error_at=row["error_at"],
        urgent=bool(row["urgent"]),
        receipted_at=row["receipted_at"],
        purged_at=row["purged_at"],
        reported=row["reported"],
        receipt_signature=None
        if row["receipt_signature"] is None
        else bytes(row["receipt_signature"]),
        duplicate_of=row["duplicate_of"],
    )


def _json_fields(text: str) -> Fields:
    return Fields(json.loads(text), JournalError)


def _fingerprint(row: sqlite3.Row) -> Fingerprint | None:
    if row["sha256"] is None:
        return None
    return Fingerprint(
        size=row["size"],
        sha256=Sha256(row["sha256"]),
        chunk_size=row["chunk_size"],
        chunks=tuple(Sha256(chunk) for chunk in json.loads(row["chunks"])),
        root=Sha256(row["root"]),
    )
