"""Rows the index keeps. Plain frozen values; the index stores them, it decides nothing."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from evidence.case_number import CaseNumber
from evidence.digest import Sha256
from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.perceptual import SecondPrint

__all__ = [
    "ActBatch",
    "Derived",
    "DeviceKeyRecord",
    "DeviceRecord",
    "DeviceStatus",
    "FlagRecord",
    "FlagResolution",
    "ManifestRecord",
    "NewFlag",
    "PrintSet",
    "SegmentRecord",
    "StoredObject",
    "TokenRecord",
    "UploadRecord",
    "UploadState",
    "UserListing",
    "UserRecord",
    "VerificationRecord",
]


class DeviceStatus(enum.StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class DeviceRecord:
    device_id: DeviceId
    label: str | None
    status: DeviceStatus
    registered_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class DeviceKeyRecord:
    key_id: str
    device_id: DeviceId
    public_key: bytes  # 32 raw Ed25519 bytes
    added_at: datetime


@dataclass(frozen=True, slots=True)
class UserRecord:
    name: str
    role: str
    created_at: datetime
    disabled_at: datetime | None


@dataclass(frozen=True, slots=True)
class UserListing:
    """A person as ``liuhen users list`` shows them: their record and when the last API
    token issued to them expires (None if they hold none)."""

    user: UserRecord
    token_expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class TokenRecord:
    token_hash: str
    subject_kind: str  # "device" or "user"
    subject: str
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class ManifestRecord:
    evidence_id: EvidenceId
    role: Role
    device_id: DeviceId
    key_id: str
    sequence: int
    previous_sha256: Sha256 | None
    manifest_sha256: Sha256
    body: bytes
    signature: bytes
    case_number: CaseNumber | None
    registered_at: datetime


class UploadState(enum.StrEnum):
    OPEN = "open"  # taking bytes
    FINALIZED = "finalized"  # verified, stored, receipted
    REJECTED = "rejected"  # all bytes arrived but verification failed; partial file removed
    TERMINATED = "terminated"  # the client deleted it (tus termination)
    EXPIRED = "expired"  # not finished in time; partial bytes removed


@dataclass(frozen=True, slots=True)
class UploadRecord:
    upload_id: str
    evidence_id: EvidenceId
    role: Role
    device_id: DeviceId
    length: int
    offset: int
    state: UploadState
    metadata: str  # the Upload-Metadata header as received, echoed on HEAD
    created_at: datetime
    expires_at: datetime
    error_code: str | None = None
    error_message: str | None = None


@dataclass(frozen=True, slots=True)
class StoredObject:
    """A verified object in the blob store, with what it was verified against."""

    evidence_id: EvidenceId
    role: Role
    device_id: DeviceId
    sequence: int
    manifest_sha256: Sha256
    sha256: Sha256
    size: int
    chunk_root: Sha256
    store: str
    locator: str
    case_number: CaseNumber | None
    started_at: datetime
    ended_at: datetime | None
    place: str | None
    officer_id: str | None
    file_name: str
    received_at: datetime
    receipt_body: bytes
    receipt_signature: bytes
    # What the device claims, kept beside the measured span (started_at, and ended_at =
    # started_at + the probed length, None when unmeasured): the container's creation_time
    # tag and the capture end from its sidecar.
    claimed_started_at: datetime | None = None
    claimed_ended_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class VerificationRecord:
    evidence_id: EvidenceId
    role: Role
    checked_at: datetime
    ok: bool
    detail: str  # JSON: which checks passed, which chunks were damaged


@dataclass(frozen=True, slots=True)
class FlagRecord:
    """Something a custodian must look at: a sequence gap, a fork, missing metadata, a late
    upload. Raised once per open (kind, subject); resolved once, with who, when and why,
    and kept."""

    flag_id: int
    kind: str
    subject: str
    device_id: DeviceId | None
    evidence_id: EvidenceId | None
    role: Role | None
    detail: str  # JSON
    raised_at: datetime
    resolved_at: datetime | None
    resolution: str | None  # why it was resolved
    resolved_by: str | None = None  # who: a person, or liuhen-ingest when the server did

    @property
    def open(self) -> bool:
        return self.resolved_at is None


@dataclass(frozen=True, slots=True)
class SegmentRecord:
    """One segment of a room recorder's session, as registered."""

    evidence_id: EvidenceId
    session_id: str
    index: int
    device_id: DeviceId
    started_at: datetime
    ended_at: datetime | None
    registered_at: datetime


@dataclass(frozen=True, slots=True)
class NewFlag:
    """A flag to raise, unless one of its kind is already open for its subject."""

    kind: str
    subject: str
    detail: str  # JSON
    raised_at: datetime
    device_id: DeviceId | None = None
    evidence_id: EvidenceId | None = None
    role: Role | None = None


@dataclass(frozen=True, slots=True)
class FlagResolution:
    """Resolve the open flag of this kind for ``subject``, if there is one."""

    kind: str
    subject: str
    resolution: str
    by: str
    resolved_at: datetime


@dataclass(frozen=True, slots=True)
class PrintSet:
    """Per-second perceptual fingerprints of one object."""

    evidence_id: EvidenceId
    role: Role
    prints: tuple[SecondPrint, ...]


@dataclass(frozen=True, slots=True)
class Derived:
    """What the server derives from a new manifest, written in the manifest's own
    transaction: resolutions first, then the segment, the fingerprints and the flags."""

    resolutions: tuple[FlagResolution, ...] = ()
    segment: SegmentRecord | None = None
    prints: tuple[PrintSet, ...] = ()
    flags: tuple[NewFlag, ...] = ()


@dataclass(frozen=True, slots=True)
class ActBatch:
    """Acts registered at one moment by one person: an import, or a single act."""

    created_by: str
    created_at: datetime
    acts: int
    case_numbers: tuple[str, ...]
