"""Stored objects and their verifications."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from evidence.identifiers import EvidenceId, Role
from storage.records import NewFlag, StoredObject, VerificationRecord

__all__ = ["FixityWalk", "ObjectIndexing", "ObjectLookup", "Objects", "Verifications"]


class ObjectIndexing(Protocol):
    """Indexing a verified object: finalize's one write."""

    async def finalize(
        self,
        upload_id: str,
        stored: StoredObject,
        flags: Sequence[NewFlag] = (),
        *,
        leaf: bytes | None = None,
    ) -> StoredObject:
        """Index a verified object, mark its upload finalized, raise ``flags`` and log its
        ingest ``leaf``, in one transaction; an upload no longer open is refused
        (StorageFailure) and nothing is written. Idempotent: an object already indexed is
        returned as it was, and nothing is written."""
        ...


class ObjectLookup(Protocol):
    """Stored objects, looked up."""

    async def get(self, evidence_id: EvidenceId, role: Role) -> StoredObject | None: ...

    async def of_recording(self, evidence_id: EvidenceId) -> list[StoredObject]: ...

    async def originals(
        self, case_number: str | None, limit: int, offset: int
    ) -> list[StoredObject]:
        """Stored originals, newest capture first; all of them when ``case_number`` is None."""
        ...


class Verifications(Protocol):
    """Each object's fixity verifications."""

    async def add_verification(
        self,
        record: VerificationRecord,
        flags: Sequence[NewFlag] = (),
        *,
        leaf: bytes | None = None,
    ) -> None:
        """Keep a verification, raise ``flags`` about it and log its fixity ``leaf``, in
        one transaction."""
        ...

    async def latest_verification(
        self, evidence_id: EvidenceId, role: Role
    ) -> VerificationRecord | None: ...

    async def verifications(
        self, evidence_id: EvidenceId, role: Role, limit: int
    ) -> list[VerificationRecord]:
        """The object's verifications, newest first (its history, not only the latest)."""
        ...


class FixityWalk(Protocol):
    """Walking every object: how many, which are due, a page at a time."""

    async def count(self) -> int: ...

    async def due_for_check(self, limit: int) -> list[StoredObject]:
        """Objects never verified first, then those verified longest ago (the fixity
        audit's order)."""
        ...

    async def page(self, after: tuple[EvidenceId, Role] | None, limit: int) -> list[StoredObject]:
        """Every object, by evidence id and role, from just after ``after``."""
        ...


class Objects(ObjectIndexing, ObjectLookup, Verifications, FixityWalk, Protocol):
    """Everything the index keeps of stored objects: what ``Index.objects`` is."""
