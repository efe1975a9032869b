"""Every change of an upload's state, in one place: the table (``uploads/states.py``),
then a compare-and-set in the index, then what the state leaves behind (the parsed
manifest kept in memory, the upload's bytes in the upload area: a partial file or S3
parts). A change from a state the upload has left (another request or another server
moved it first) writes nothing, and leaves the bytes to whoever made the change that
happened.

An unfinished upload that ends (rejected, terminated, expired) gives its room back: its
bytes are a transfer buffer, and the device still holds the original because it has no
receipt for it. A finalized upload's bytes are dropped once the object is stored and
indexed (there is nothing left to drop when the store took them whole, as S3 parts).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from evidence.errors import LiuhenError
from ingest import failpoints
from ingest.uploads.open_uploads import OpenUploads
from ingest.uploads.states import check_transition
from storage.interfaces import ObjectIndexing, UploadArea, UploadSessions
from storage.records import NewFlag, StoredObject, UploadRecord, UploadState

__all__ = ["Transitions"]


@dataclass(frozen=True)
class Transitions:
    uploads: UploadSessions
    objects: ObjectIndexing
    area: UploadArea
    open_uploads: OpenUploads

    async def end(
        self, upload: UploadRecord, target: UploadState, error: LiuhenError | None = None
    ) -> bool:
        """End an unfinished upload, from the state ``upload`` was read in: its state (and
        why, for a rejection), then its bytes. Say whether it moved. The caller holds the
        upload's lock."""
        check_transition(upload.state, target)
        code, message = (None, None) if error is None else (error.code, error.message)
        moved = await self.uploads.set_state(
            upload.upload_id,
            expected=upload.state,
            state=target,
            error_code=code,
            error_message=message,
        )
        self.open_uploads.forget(upload.upload_id)
        if moved:
            await asyncio.to_thread(self.area.remove, upload)
        return moved

    async def finalized(
        self, upload: UploadRecord, stored: StoredObject, flags: Sequence[NewFlag], leaf: bytes
    ) -> StoredObject:
        """Index the stored object and mark the upload finalized (if it is still open),
        with the recording's flags and its custody-log ``leaf``, in one transaction; then
        drop the partial file."""
        check_transition(upload.state, UploadState.FINALIZED)
        indexed = await self.objects.finalize(upload.upload_id, stored, flags, leaf=leaf)
        failpoints.hit(failpoints.AFTER_INDEX)
        await asyncio.to_thread(self.area.remove, upload)
        self.open_uploads.forget(upload.upload_id)
        return indexed
