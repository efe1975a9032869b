"""Blob stores: write-once bytes, and the capability some have of keeping each object's
signed documents beside them (``SignedDocuments``, checked with ``isinstance``).
Synchronous, as boto3 and file I/O are: callers run them in a thread."""

from __future__ import annotations

import enum
from collections.abc import Generator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from evidence.digest import Sha256
from evidence.identifiers import EvidenceId, Role

__all__ = [
    "READ_RANGE_BUFFER",
    "BlobStore",
    "Document",
    "LockingStore",
    "ObjectLocks",
    "SignedDocuments",
]


READ_RANGE_BUFFER = 1024 * 1024


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

    def read_range(
        self, locator: str, start: int, length: int, buffer_size: int = READ_RANGE_BUFFER
    ) -> Generator[bytes, None, None]:
        """Stream ``length`` stored bytes from ``start`` (fewer if the object ends first; an
        HTTP Range, S3 serves them too), in blocks of at most ``buffer_size``."""
        ...

    def size(self, locator: str) -> int | None:
        """The stored size, or None if nothing is stored there."""
        ...


class Document(enum.StrEnum):
    """The signed documents kept beside an object's bytes, by their names."""

    MANIFEST = "manifest.json"  # the device's manifest: the exact bytes it signed
    MANIFEST_SIGNATURE = "manifest.sig"
    RECEIPT = "receipt.json"  # the server's receipt: the exact bytes it signed
    RECEIPT_SIGNATURE = "receipt.sig"


@runtime_checkable
class SignedDocuments(Protocol):
    """A blob store that also keeps each object's signed manifest and receipt beside its
    bytes, write-once, so that the store alone proves custody (S3 with Object Lock). The
    local store does not: there the index keeps them."""

    def keep_document(
        self, evidence_id: EvidenceId, role: Role, document: Document, data: bytes
    ) -> bytes:
        """Put ``data`` as the object's ``document`` unless one is held; return what is
        held (``data`` itself when it was put now). Never overwrites."""
        ...


class ObjectLocks(Protocol):
    """Object Lock on what a store holds already (S3: ``storage/s3_locks.py``)."""

    def keys_of(self, evidence_id: EvidenceId, role: Role, locator: str) -> list[str]: ...

    def extend(self, key: str, until: datetime) -> bool:
        """Lock until ``until`` if later than now held; never earlier. True if moved."""
        ...

    def hold(self, key: str, on: bool) -> bool:
        """Set the legal hold ON or OFF; True if it changed."""
        ...


@runtime_checkable
class LockingStore(Protocol):
    """A blob store whose objects carry retention dates and legal holds of their own."""

    def object_locks(self) -> ObjectLocks: ...
