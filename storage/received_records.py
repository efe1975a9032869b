"""Rows of evidence received from another agency (docs/evidence-package.md#import)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evidence.digest import Sha256
from evidence.identifiers import DeviceId, EvidenceId, Role

__all__ = ["ReceivedObject", "ReceivedPackage"]


@dataclass(frozen=True, slots=True)
class ReceivedPackage:
    """A package imported once, with where it came from (the sending server's log, the
    checkpoint its proofs were checked against, who sent it and when) and who received it."""

    package_sha256: Sha256
    agency: str
    origin: str
    checkpoint_size: int
    checkpoint_root: Sha256
    sent_by: str
    sent_at: datetime
    received_by: str
    received_at: datetime
    log_index: int = -1  # the entry of its custody leaf, once logged


@dataclass(frozen=True, slots=True)
class ReceivedObject:
    """One object of a received package, stored by its SHA-256, with the documents the
    sender's device and server signed for it."""

    sha256: Sha256
    evidence_id: EvidenceId
    role: Role
    device_id: DeviceId
    size: int
    store: str
    locator: str
    case_number: str | None
    manifest_body: bytes
    manifest_signature: bytes
    receipt_body: bytes
    receipt_signature: bytes
