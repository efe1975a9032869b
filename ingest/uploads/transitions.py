"""Every change of an upload's state, in one place: the index first, then what the state
leaves behind (the parsed manifest kept in memory, the partial file).

An unfinished upload that ends (rejected, terminated, expired) gives its disk back: its
partial file is a transfer buffer, and the device still holds the original because it has
no receipt for it. A finalized upload's partial file is dropped once the object is stored
and indexed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from evidence.errors import LiuhenError
from ingest.uploads.area import UploadArea
from ingest.uploads.open_uploads import OpenUploads
from storage.interfaces import Objects, Uploads
from storage.records import NewFlag, StoredObject, UploadRecord, UploadState

__all__ = ["Transitions"]


@dataclass(frozen=True)
class Transitions:
    uploads: Uploads
    objects: Objects
    area: UploadArea
    open_uploads: OpenUploads

    async def end(
        self, upload: UploadRecord, target: UploadState, error: LiuhenError | None = None
    ) -> None:
        """End an unfinished upload: its state (and why, for a rejection), then its bytes.
        The caller holds the upload's lock."""
        code, message = (None, None) if error is None else (error.code, error.message)
        await self.uploads.set_state(upload.upload_id, target, code, message)
        self.open_uploads.forget(upload.upload_id)
        await asyncio.to_thread(self.area.remove, upload.upload_id)

    async def finalized(
        self, upload: UploadRecord, stored: StoredObject, flags: Sequence[NewFlag]
    ) -> StoredObject:
        """Index the stored object and mark the upload finalized, with the recording's flags,
        in one transaction; then drop the partial file."""
        indexed = await self.objects.finalize(upload.upload_id, stored, flags)
        await asyncio.to_thread(self.area.remove, upload.upload_id)
        self.open_uploads.forget(upload.upload_id)
        return indexed
