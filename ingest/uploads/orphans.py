"""Partial files nobody will finish or remove: found at start and at every sweep, removed,
their disk returned, each one logged.

A crash leaves two kinds (docs/reliability.md). A server killed after allocating a new
upload's partial file and before writing its index row leaves a file no upload names: its
bytes were never acknowledged to any client (the client never heard the upload's URL), so
nothing is lost. One killed in finalize after the index commit and before the partial file
was unlinked leaves a finalized upload's second name of the stored original (or, for a
store that copies, a copy): only the upload area's name is removed, never the store's. A
partial of an upload that ended otherwise (rejected, terminated, expired) is a transfer
buffer whose device still holds the original.

A file with no index row is left alone while this process is creating it, and for
``grace_seconds`` after it was made (another server process on the same area, as in a
rolling restart, may be between the two steps). The partial of an open upload is never
touched. This is the local upload area's: an S3 multipart upload nobody finishes is
aborted by the bucket's lifecycle rule (docs/configuration.md, ``server.s3``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from evidence.errors import Locked
from ingest.locks import KeyedLocks, upload_key
from storage.interfaces import UploadArea, UploadSessions
from storage.local_uploads import LocalUploadArea, Partial
from storage.records import UploadState

__all__ = ["OrphanSweep", "Swept"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Swept:
    files: int
    bytes: int


@dataclass(frozen=True)
class OrphanSweep:
    uploads: UploadSessions
    area: UploadArea
    locks: KeyedLocks
    grace_seconds: float  # server.orphan_grace_seconds

    async def sweep(self) -> Swept:
        """Remove every orphan partial file; return how many, and the disk returned."""
        files = returned = 0
        area = self.area
        if not isinstance(area, LocalUploadArea):
            return Swept(0, 0)  # S3: the bucket's lifecycle rule aborts stale multipart uploads
        partials = await asyncio.to_thread(lambda: list(area.partials()))
        for partial in partials:
            try:
                async with self.locks.hold(upload_key(partial.upload_id), wait=False):
                    why = await self._orphaned(partial)
                    if why is None:
                        continue
                    await asyncio.to_thread(area.remove_partial, partial.upload_id)
            except Locked:
                continue  # a request is using it right now; next sweep
            files += 1
            returned += partial.allocated
            log.warning(
                "orphan partial file of upload %s removed (%s): %d bytes returned",
                partial.upload_id,
                why,
                partial.allocated,
            )
        return Swept(files, returned)

    async def _orphaned(self, partial: Partial) -> str | None:
        """Why ``partial`` is an orphan, or None when it is not (or not yet)."""
        if partial.upload_id in self.area.reserving:
            return None
        upload = await self.uploads.upload(partial.upload_id)
        if upload is None:
            if time.time() - partial.modified < self.grace_seconds:
                return None
            return "no index row: never acknowledged"
        if upload.state is UploadState.OPEN:
            return None
        return f"its upload is {upload.state.value}"
