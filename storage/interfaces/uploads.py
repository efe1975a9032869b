"""Manifests and the upload sessions that bring their bytes."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from evidence.identifiers import DeviceId, EvidenceId, Role
from storage.records import Derived, Finalizing, ManifestRecord, UploadRecord, UploadState

__all__ = ["Manifests", "UploadSessions", "Uploads"]


class Manifests(Protocol):
    """Registered manifests, as their exact signed bytes."""

    async def register_manifest(
        self, record: ManifestRecord, derived: Derived | None = None
    ) -> tuple[ManifestRecord, bool]:
        """Store a manifest and what the caller derived from it (flags to resolve and to
        raise, a session segment, fingerprints) in one transaction: all or nothing.
        Return the manifest and whether it is new. The same bytes again return the stored
        one and write nothing; different bytes for the same object or sequence number
        raise."""
        ...

    async def manifest(self, evidence_id: EvidenceId, role: Role) -> ManifestRecord | None: ...

    async def manifest_at(self, device_id: DeviceId, sequence: int) -> ManifestRecord | None: ...

    async def last_manifest(
        self, device_id: DeviceId, below: int | None = None
    ) -> ManifestRecord | None:
        """The device's manifest with the highest sequence (below ``below``, if given)."""
        ...


class UploadSessions(Protocol):
    """tus upload sessions: their offsets and states, changed by compare-and-set."""

    async def create_upload(self, record: UploadRecord) -> tuple[UploadRecord, bool]:
        """Create an upload unless one is open or finalized for the same object; return the
        upload and whether it is new."""
        ...

    async def reserved(self, device_id: DeviceId, now: datetime) -> tuple[int, int]:
        """How many of a device's uploads are open and not expired by ``now``, and the
        sum of the lengths of all its open ones, expired or not: a partial file holds its
        disk until the sweeper has removed it."""
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
        *,
        expected: UploadState,
        state: UploadState,
        error_code: str | None = None,
        error_message: str | None = None,
    ) -> bool:
        """Move an upload to ``state`` if it is still in ``expected`` (compare-and-set);
        say whether it moved. An error given is kept with it; without one, the error it
        holds stays (a rejected upload keeps why when it ends)."""
        ...

    async def expired(self, now: datetime) -> list[UploadRecord]:
        """Open or rejected uploads whose time is up."""
        ...

    async def finalizing(
        self, evidence_id: EvidenceId, role: Role, upload_id: str | None = None
    ) -> Finalizing:
        """Everything finalize reads, in one call: the object's manifest, the upload named
        by ``upload_id`` (else the one ``live_upload`` gives), the stored object, the key
        the manifest names, and which manifest holds its device's sequence number."""
        ...


class Uploads(Manifests, UploadSessions, Protocol):
    """Everything the index keeps of manifests and uploads: what ``Index.uploads`` is."""
