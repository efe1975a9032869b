"""tus upload sessions: create, append with durable acknowledgement, terminate.

Durability rule: bytes are written and made durable (fsynced, or acknowledged by S3),
then the new offset is committed in the index, and only then does the client hear 204.
The offset always comes from the index, never from the partial file's size. A PATCH body
comes in as an async iterator of bytes (``http/bodies.py`` makes one of aiohttp's
stream); a body cut off by the client ends the iterator with ``ConnectionError``, and what
arrived before is kept unless a checksum was sent for the whole body.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from evidence.errors import (
    Conflict,
    LengthMismatch,
    MalformedHeader,
    ManifestNotRegistered,
    OffsetMismatch,
    UnknownUpload,
    WrongDevice,
)
from evidence.identifiers import EvidenceId, Role, safe_file_name
from evidence.manifest import Manifest, SignedManifest
from evidence.wire import META_EVIDENCE_ID, META_FILENAME, META_ROLE
from ingest import failpoints
from ingest.clock import Clock
from ingest.locks import KeyedLocks, quota_key, upload_key
from ingest.uploads.checkpoints import Checkpoints
from ingest.uploads.open_uploads import OpenUpload, OpenUploads
from ingest.uploads.quotas import UploadLimits, check_quota
from ingest.uploads.rules import (
    Creation,
    PatchRequest,
    check_deletable,
    check_readable,
    check_upload_id,
    parse_patch,
)
from ingest.uploads.sink import PatchSink, Received, stream_body
from ingest.uploads.transitions import Transitions
from storage.interfaces import UploadArea, Uploads
from storage.records import DeviceRecord, UploadRecord, UploadState

__all__ = ["UploadSessions"]

log = logging.getLogger(__name__)


def _metadata_text(metadata: Mapping[str, bytes | None], key: str) -> str:
    value = metadata.get(key)
    if value is None:
        raise MalformedHeader(f"Upload-Metadata must carry {key}", header="Upload-Metadata")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedHeader(
            f"Upload-Metadata {key} is not UTF-8", header="Upload-Metadata"
        ) from None


@dataclass(frozen=True)
class UploadSessions:
    uploads: Uploads
    area: UploadArea
    locks: KeyedLocks
    open_uploads: OpenUploads
    transitions: Transitions
    clock: Clock
    limits: UploadLimits

    async def _manifest_for(
        self, device: DeviceRecord, evidence_id: EvidenceId, role: Role
    ) -> SignedManifest:
        record = await self.uploads.manifest(evidence_id, role)
        if record is None:
            raise ManifestNotRegistered(
                f"register the manifest of {evidence_id}/{role} before uploading"
            )
        if record.device_id != device.device_id:
            raise WrongDevice(f"{evidence_id}/{role} belongs to device {record.device_id}")
        return self.open_uploads.parse(record)

    async def create(self, device: DeviceRecord, creation: Creation) -> tuple[UploadRecord, bool]:
        """Create the upload for a registered manifest, or return the one that exists."""
        metadata = creation.metadata
        evidence_id = EvidenceId(_metadata_text(metadata, META_EVIDENCE_ID))
        role = Role.parse(_metadata_text(metadata, META_ROLE))
        if META_FILENAME in metadata:
            safe_file_name(_metadata_text(metadata, META_FILENAME))
        signed = await self._manifest_for(device, evidence_id, role)
        if creation.length != signed.manifest.size:
            raise LengthMismatch(
                f"Upload-Length {creation.length} but the manifest says {signed.manifest.size}"
            )
        async with self.locks.hold(quota_key(device.device_id)):
            # A retried creation finds its upload here, before any quota or disk is asked.
            held = await self.uploads.live_upload(evidence_id, role)
            if held is not None and held.state in (UploadState.OPEN, UploadState.FINALIZED):
                return held, False
            count, reserved = await self.uploads.reserved(device.device_id, self.clock())
            check_quota(device.device_id, count, reserved, creation.length, self.limits)
            record, new = await self.reserve(self._opened(device, creation, evidence_id, role))
        if new:
            self.open_uploads.start(record, signed)  # the manifest, parsed once
            log.info(
                "upload %s opened for %s/%s (%d bytes)",
                record.upload_id,
                evidence_id,
                role,
                creation.length,
            )
        return record, new

    def _opened(
        self, device: DeviceRecord, creation: Creation, evidence_id: EvidenceId, role: Role
    ) -> UploadRecord:
        now = self.clock()
        return UploadRecord(
            upload_id=secrets.token_hex(16),
            evidence_id=evidence_id,
            role=role,
            device_id=device.device_id,
            length=creation.length,
            offset=0,
            state=UploadState.OPEN,
            metadata=creation.metadata_header,
            created_at=now,
            expires_at=now + self.limits.expiry,
        )

    async def reserve(
        self, record: UploadRecord, content: bytes | None = None
    ) -> tuple[UploadRecord, bool]:
        """Make room in the upload area (and write ``content``, for an object the server
        makes itself), then index the upload; return the upload and whether it is new.
        Room the index did not take is given back: disk (or S3 parts) is never held by an
        upload nobody can see, count against a quota, or sweep."""
        self.area.reserving.add(record.upload_id)  # the orphan sweep passes it over meanwhile
        try:
            await asyncio.to_thread(self.area.create, record)
            failpoints.hit(failpoints.AFTER_ALLOCATION)
            try:
                if content is not None:
                    await asyncio.to_thread(self.area.fill, record, content)
                held, new = await self.uploads.create_upload(record)
            except Exception:
                await asyncio.to_thread(self.area.remove, record)
                raise
        finally:
            self.area.reserving.discard(record.upload_id)
        if not new:  # another request created it in the meantime
            await asyncio.to_thread(self.area.remove, record)
        return held, new

    async def filled(self, manifest: Manifest, content: bytes) -> UploadRecord:
        """The upload of an object the server makes itself (a transcript), with every byte
        in: one left open by an earlier attempt, or a new one."""
        now = self.clock()
        held = await self.uploads.live_upload(manifest.evidence_id, manifest.role)
        if held is not None and held.state is UploadState.OPEN:
            if held.expires_at > now:
                return held
            async with self.locks.hold(upload_key(held.upload_id)):
                await self.transitions.end(held, UploadState.EXPIRED)
        opened = UploadRecord(
            upload_id=secrets.token_hex(16),
            evidence_id=manifest.evidence_id,
            role=manifest.role,
            device_id=manifest.device_id,
            length=len(content),
            offset=len(content),
            state=UploadState.OPEN,
            metadata="",
            created_at=now,
            expires_at=now + self.limits.expiry,
        )
        upload, _ = await self.reserve(opened, content)
        return upload

    async def owned(self, device: DeviceRecord, upload_id: str) -> UploadRecord:
        check_upload_id(upload_id)
        upload = await self.uploads.upload(upload_id)
        if upload is None:
            raise UnknownUpload(f"no upload {upload_id}")
        if upload.device_id != device.device_id:
            raise WrongDevice(f"upload {upload_id} belongs to another device")
        return upload

    async def head(self, device: DeviceRecord, upload_id: str) -> UploadRecord:
        """What HEAD answers: the upload, unless it is gone."""
        upload = await self.owned(device, upload_id)
        check_readable(upload, self.clock())
        return upload

    async def busy(self, upload_id: str) -> bool:
        """Whether a request holds the upload now (a PATCH may still be taking its body,
        on this server or another sharing the locks)."""
        return await self.locks.held(upload_key(upload_id))

    async def append(
        self,
        device: DeviceRecord,
        upload_id: str,
        headers: Mapping[str, str],
        body: AsyncIterator[bytes],
        *,
        creation: bool = False,
    ) -> UploadRecord:
        """Write one PATCH body; return the upload with its new committed offset."""
        async with self.locks.hold(upload_key(upload_id), wait=False):
            upload = await self.owned(device, upload_id)
            request = parse_patch(headers, upload, self.clock(), creation=creation)
            held = await self.open_uploads.get(upload)
            # A body with a checksum is kept whole or not at all (tus): no checkpoints.
            commit, start = partial(self._advance, upload), upload.offset
            checkpoints = None if request.checksum else Checkpoints(commit, start)
            received = await self._write(upload, request, held, body, checkpoints)
            done = checkpoints.committed if checkpoints else 0
            return await self._commit(upload, received, done)

    async def _write(
        self,
        upload: UploadRecord,
        request: PatchRequest,
        held: OpenUpload,
        body: AsyncIterator[bytes],
        checkpoints: Checkpoints | None,
    ) -> Received:
        """The body into the area at the committed offset, hashed on the way, made durable:
        what is durable of it is what was received."""
        before = held.fingerprint.copy()
        manifest = held.signed.manifest
        landing = await asyncio.to_thread(self.area.open_at, upload, manifest.chunk_size)
        sink = PatchSink(
            landing, held.fingerprint, manifest.chunks, request.checksum, request.content_length
        )
        try:
            try:
                received = await stream_body(body, sink, upload.length - upload.offset, checkpoints)
                sink.verify_checksum(received)
                durable = await sink.durable()
                failpoints.hit(failpoints.AFTER_FSYNC)
            finally:
                if checkpoints is not None:
                    await checkpoints.settle()  # none outlives the lock
        except BaseException:
            if checkpoints is not None and checkpoints.committed:
                # The offset moved inside this PATCH: the next request rebuilds the hash
                # of the committed bytes (open_uploads.py) instead of trusting either.
                self.open_uploads.forget(upload.upload_id)
            else:
                held.fingerprint = before  # the bytes past the offset are dropped next time
            raise
        finally:
            sink.close()
            landing.close()
        # Fewer durable than received (S3 keeps whole parts): the running hash is past
        # the offset, so the next request rebuilds it (open_uploads.py).
        return replace(received, size=durable)

    async def _advance(self, upload: UploadRecord, old: int, new: int) -> datetime:
        """Compare-and-set the committed offset; return the new expiry."""
        expires_at = self.clock() + self.limits.expiry
        if not await self.uploads.advance(upload.upload_id, old, new, expires_at):
            self.open_uploads.forget(upload.upload_id)
            raise OffsetMismatch("another server moved this upload's offset; HEAD and resume")
        return expires_at

    async def _commit(self, upload: UploadRecord, received: Received, done: int) -> UploadRecord:
        """Commit the new offset, from where the PATCH's last checkpoint left it."""
        new_offset = upload.offset + received.size
        expires_at = await self._advance(upload, upload.offset + done, new_offset)
        failpoints.hit(failpoints.AFTER_COMMIT)
        if received.interrupted:
            log.info(
                "upload %s: client left after %d bytes; kept them", upload.upload_id, received.size
            )
        return replace(upload, offset=new_offset, expires_at=expires_at)

    async def terminate(self, device: DeviceRecord, upload_id: str) -> None:
        async with self.locks.hold(upload_key(upload_id), wait=False):
            upload = await self.owned(device, upload_id)
            check_deletable(upload, self.clock())
            if not await self.transitions.end(upload, UploadState.TERMINATED):
                raise Conflict(f"upload {upload_id} changed while it was being terminated")
        log.info("upload %s terminated by %s", upload_id, device.device_id)
