"""The two small interfaces the server's books sit behind: a blob store and an index.

Backends are chosen by name (see ``storage.backends``) and imported only when configured,
so boto3 or a PostgreSQL driver load only where they are used.

Blob stores are synchronous (boto3 and file I/O are); callers run them in a thread.
The index is asynchronous, so a native async driver fits behind it unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

from evidence.digest import Sha256
from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.perceptual import SecondPrint
from storage.records import (
    DeviceKeyRecord,
    DeviceRecord,
    FlagRecord,
    ManifestRecord,
    SegmentRecord,
    StoredObject,
    TokenRecord,
    UploadRecord,
    UploadState,
    UserRecord,
    VerificationRecord,
)

__all__ = [
    "BlobStore",
    "Credentials",
    "Devices",
    "Flags",
    "Index",
    "Media",
    "Objects",
    "Uploads",
]


class BlobStore(Protocol):
    """Write-once storage addressed by SHA-256. Nothing here deletes or overwrites."""

    name: str

    def put_file(self, source: Path, sha256: Sha256, size: int) -> str:
        """Store ``source`` durably under its digest; return the locator. Idempotent:
        storing bytes already held returns the existing locator. ``source`` is left alone."""
        ...

    def read(self, locator: str, buffer_size: int) -> Iterator[bytes]:
        """Stream the stored bytes."""
        ...

    def size(self, locator: str) -> int | None:
        """The stored size, or None if nothing is stored there."""
        ...


class Devices(Protocol):
    async def add(
        self, device_id: DeviceId, label: str | None, key_id: str, public_key: bytes, now: datetime
    ) -> DeviceRecord: ...

    async def get(self, device_id: DeviceId) -> DeviceRecord | None: ...

    async def list_all(self) -> list[DeviceRecord]: ...

    async def revoke(self, device_id: DeviceId, now: datetime) -> DeviceRecord: ...

    async def key(self, key_id: str) -> DeviceKeyRecord | None: ...

    async def keys_of(self, device_id: DeviceId) -> list[DeviceKeyRecord]: ...


class Credentials(Protocol):
    async def add_user(self, name: str, role: str, now: datetime) -> UserRecord: ...

    async def get_user(self, name: str) -> UserRecord | None: ...

    async def store_token(
        self, token_hash: str, subject_kind: str, subject: str, expires_at: datetime | None
    ) -> None: ...

    async def find_token(self, token_hash: str, now: datetime) -> TokenRecord | None: ...

    async def use_nonce(self, nonce: str, expires_at: datetime, now: datetime) -> bool:
        """Record ``nonce`` as used; False if it already was (a replay)."""
        ...


class Uploads(Protocol):
    async def register_manifest(self, record: ManifestRecord) -> tuple[ManifestRecord, bool]:
        """Store a manifest; return it and whether it is new. The same bytes again return
        the stored one; different bytes for the same object or sequence number raise."""
        ...

    async def manifest(self, evidence_id: EvidenceId, role: Role) -> ManifestRecord | None: ...

    async def manifest_at(self, device_id: DeviceId, sequence: int) -> ManifestRecord | None: ...

    async def sequences(self, device_id: DeviceId) -> list[int]: ...

    async def create_upload(self, record: UploadRecord) -> tuple[UploadRecord, bool]:
        """Create an upload unless one is open or finalized for the same object; return the
        upload and whether it is new."""
        ...

    async def upload(self, upload_id: str) -> UploadRecord | None: ...

    async def live_upload(self, evidence_id: EvidenceId, role: Role) -> UploadRecord | None:
        """The open or finalized upload for an object, else the newest rejected one."""
        ...

    async def advance(
        self, upload_id: str, expected: int, new_offset: int, expires_at: datetime
    ) -> bool:
        """Commit a new offset if the stored one is still ``expected`` (compare-and-set)."""
        ...

    async def set_state(
        self,
        upload_id: str,
        state: UploadState,
        error_code: str | None = None,
        error_message: str | None = None,
    ) -> None: ...

    async def expired(self, now: datetime) -> list[UploadRecord]:
        """Open or rejected uploads whose time is up."""
        ...


class Objects(Protocol):
    async def finalize(self, upload_id: str, stored: StoredObject) -> StoredObject:
        """Index a verified object and mark its upload finalized, in one transaction.
        Idempotent: an object already indexed is returned as it was."""
        ...

    async def get(self, evidence_id: EvidenceId, role: Role) -> StoredObject | None: ...

    async def of_recording(self, evidence_id: EvidenceId) -> list[StoredObject]: ...

    async def originals(
        self, case_number: str | None, limit: int, offset: int
    ) -> list[StoredObject]:
        """Stored originals, newest capture first; all of them when ``case_number`` is None."""
        ...

    async def add_verification(self, record: VerificationRecord) -> None: ...

    async def latest_verification(
        self, evidence_id: EvidenceId, role: Role
    ) -> VerificationRecord | None: ...


class Flags(Protocol):
    async def raise_flag(
        self,
        kind: str,
        subject: str,
        detail: str,
        now: datetime,
        *,
        device_id: DeviceId | None = None,
        evidence_id: EvidenceId | None = None,
        role: Role | None = None,
    ) -> bool:
        """Raise a flag unless one of this kind is already open for ``subject``."""
        ...

    async def resolve(self, kind: str, subject: str, resolution: str, now: datetime) -> bool: ...

    async def open_for(self, evidence_id: EvidenceId) -> list[FlagRecord]: ...

    async def open_flags(self, kind: str | None = None) -> list[FlagRecord]: ...


class Media(Protocol):
    async def add_segment(self, segment: SegmentRecord) -> None:
        """Idempotent: a segment already held stays as it was."""
        ...

    async def session(self, session_id: str) -> list[SegmentRecord]: ...

    async def add_prints(
        self, evidence_id: EvidenceId, role: Role, prints: Sequence[SecondPrint]
    ) -> None:
        """Idempotent: fingerprints already held stay as they were."""
        ...

    async def prints(self, evidence_id: EvidenceId, role: Role) -> list[SecondPrint]: ...


class Index(Protocol):
    devices: Devices
    credentials: Credentials
    uploads: Uploads
    objects: Objects
    flags: Flags
    media: Media

    async def close(self) -> None: ...
