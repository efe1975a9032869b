"""Supervised retrieval: find the object, log the access, then read its bytes.

The order is the point. ``target`` finds what would be served (the indexed object, its
size as the store holds it) without logging anything, so a request that will be refused
(no such object, a damaged copy, an unsatisfiable range) leaves no access behind.
``log_access`` commits the access entry (who, in what role, why, what, when) to the
custody log; only when that commit returned does anything read the object, and if it
fails the caller gets ``log_unavailable`` and no byte. ``read`` streams a range from the
store one buffer at a time in a worker thread, so memory stays bounded whatever the
object's size.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from evidence.errors import IntegrityError, LogUnavailable, NotFound, StorageFailure
from evidence.identifiers import EvidenceId, Role
from evidence.tlog.leaf_events import AccessAction, AccessLeaf
from evidence.tlog.leaf_parts import Actor, ObjectRef
from evidence.tlog.leaves import leaf_bytes
from ingest.clock import Clock
from ingest.retrieval.grants import Grant, Grants
from ingest.retrieval.purposes import check_purpose
from storage.interfaces import BlobStore, LogAppend, ObjectLookup
from storage.records import StoredObject

__all__ = ["READ_BUFFER", "Retrieval", "Target"]

log = logging.getLogger(__name__)

READ_BUFFER = 256 * 1024


@dataclass(frozen=True, slots=True)
class Target:
    """One stored object as it will be served."""

    stored: StoredObject
    size: int

    @property
    def etag(self) -> str:
        return f'"{self.stored.sha256.hex}"'

    @property
    def content_type(self) -> str:
        if self.stored.role is Role.TRANSCRIPT:
            return "text/plain; charset=utf-8"
        guessed, _ = mimetypes.guess_type(self.stored.file_name)
        return guessed or "application/octet-stream"


@dataclass(frozen=True)
class Retrieval:
    objects: ObjectLookup
    store: BlobStore
    log: LogAppend
    grants: Grants[Target]
    clock: Clock

    async def target(self, evidence_id: EvidenceId, role: Role) -> Target:
        stored = await self.objects.get(evidence_id, role)
        if stored is None:
            raise NotFound(f"no stored {role} of {evidence_id}")
        size = await asyncio.to_thread(self.store.size, stored.locator)
        if size is None:
            raise StorageFailure(f"the stored {role} of {evidence_id} cannot be found")
        if size != stored.size:
            raise IntegrityError(
                f"the stored {role} of {evidence_id} has {size} bytes, not the {stored.size} "
                "it was stored with: it is not served; run liuhen audit fixity"
            )
        return Target(stored, size)

    async def log_access(
        self, actor: Actor, target: Target, action: AccessAction, purpose: str
    ) -> int:
        """Commit the access to the custody log; return its entry number."""
        stored = target.stored
        leaf = AccessLeaf(
            actor,
            action,
            check_purpose(purpose),
            None if stored.case_number is None else str(stored.case_number),
            (ObjectRef(stored.evidence_id, stored.role),),
            self.clock(),
        )
        try:
            entry = await self.log.append(leaf_bytes(leaf))
        except StorageFailure as exc:
            log.error("access by %s not logged, nothing served: %s", actor.name, exc.message)
            raise LogUnavailable(
                "the custody log could not record this access, so nothing is served"
            ) from exc
        log.info(
            "%s (%s) %s %s/%s: %s",
            actor.name,
            actor.role,
            action,
            stored.evidence_id,
            stored.role,
            purpose,
        )
        return entry.index

    async def grant(
        self, actor: Actor, evidence_id: EvidenceId, role: Role, purpose: str
    ) -> tuple[str, Grant[Target]]:
        """Log one stream access, then a grant that serves the object's ranges."""
        target = await self.target(evidence_id, role)
        index = await self.log_access(actor, target, AccessAction.STREAM, purpose)
        return self.grants.issue(target, index)

    def granted(self, token: str) -> Grant[Target]:
        return self.grants.find(token)

    async def read(self, target: Target, start: int, length: int) -> AsyncGenerator[bytes, None]:
        """The bytes ``start`` to ``start + length``, one buffer at a time."""
        blocks = self.store.read_range(target.stored.locator, start, length, READ_BUFFER)
        try:
            while (block := await asyncio.to_thread(next, blocks, None)) is not None:
                yield block
        finally:
            await asyncio.to_thread(blocks.close)
