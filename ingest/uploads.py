"""tus uploads: create, append with durable acknowledgement, terminate.

Durability rule: bytes are written and fsynced, then the new offset is committed in the
index, and only then does the client hear 204. The offset always comes from the index,
never from the partial file's size.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta

from aiohttp import StreamReader

from evidence.digest import StreamingFingerprint, feed_file
from evidence.errors import (
    ChecksumMismatch,
    LengthMismatch,
    Locked,
    MalformedHeader,
    ManifestNotRegistered,
    OffsetMismatch,
    QuotaExceeded,
    StorageFailure,
    UnknownUpload,
    WrongDevice,
)
from evidence.identifiers import EvidenceId, Role, safe_file_name
from evidence.manifest import Manifest
from evidence.wire import META_EVIDENCE_ID, META_FILENAME, META_ROLE
from ingest.context import OpenUpload, ServerContext
from ingest.patch_sink import PatchSink, stream_body
from ingest.tus_rules import Creation, check_deletable, parse_patch
from storage.records import DeviceRecord, ManifestRecord, UploadRecord, UploadState

__all__ = [
    "append",
    "create_upload",
    "open_upload",
    "owned_upload",
    "reserve",
    "retire",
    "terminate",
    "upload_manifest",
]

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


async def _manifest_for(
    ctx: ServerContext, device: DeviceRecord, evidence_id: EvidenceId, role: Role
) -> Manifest:
    record = await ctx.index.uploads.manifest(evidence_id, role)
    if record is None:
        raise ManifestNotRegistered(
            f"register the manifest of {evidence_id}/{role} before uploading"
        )
    if record.device_id != device.device_id:
        raise WrongDevice(f"{evidence_id}/{role} belongs to device {record.device_id}")
    return Manifest.read_stored(record.body, ctx.case_rule)


async def create_upload(
    ctx: ServerContext, device: DeviceRecord, creation: Creation
) -> tuple[UploadRecord, bool]:
    """Create the upload for a registered manifest, or return the one that exists."""
    metadata = creation.metadata
    evidence_id = EvidenceId(_metadata_text(metadata, META_EVIDENCE_ID))
    role = Role.parse(_metadata_text(metadata, META_ROLE))
    if META_FILENAME in metadata:
        safe_file_name(_metadata_text(metadata, META_FILENAME))
    manifest = await _manifest_for(ctx, device, evidence_id, role)
    if creation.length != manifest.size:
        raise LengthMismatch(
            f"Upload-Length {creation.length} but the manifest says {manifest.size}"
        )
    async with ctx.lock_for(f"quota:{device.device_id}"):
        # A retried creation finds its upload here, before any quota or disk is asked.
        held = await ctx.index.uploads.live_upload(evidence_id, role)
        if held is not None and held.state in (UploadState.OPEN, UploadState.FINALIZED):
            return held, False
        await _check_quota(ctx, device, creation.length)
        record, new = await _reserve(ctx, device, creation, evidence_id, role)
    if new:
        log.info(
            "upload %s opened for %s/%s (%d bytes)",
            record.upload_id,
            evidence_id,
            role,
            creation.length,
        )
    return record, new


async def _check_quota(ctx: ServerContext, device: DeviceRecord, length: int) -> None:
    """Refuse an upload the device has no room for, before its disk space is reserved:
    its open uploads that have not expired count against the number it may have, and
    every open one (expired too, until the sweeper removes its partial file) holds its
    full length on disk."""
    count, reserved = await ctx.index.uploads.reserved(device.device_id, ctx.clock())
    most, room = ctx.config.max_open_uploads_per_device, ctx.config.max_reserved_bytes_per_device
    if count >= most:
        raise QuotaExceeded(
            f"device {device.device_id} has {count} uploads open, the most it may; "
            "retry when one finishes",
            quota="open_uploads",
            open_uploads=count,
            limit=most,
        )
    if reserved + length > room:
        raise QuotaExceeded(
            f"device {device.device_id} has {reserved} bytes reserved by open uploads; "
            f"{length} more would pass its limit of {room}; retry when one finishes",
            quota="reserved_bytes",
            reserved_bytes=reserved,
            requested_bytes=length,
            limit=room,
        )


async def _reserve(
    ctx: ServerContext,
    device: DeviceRecord,
    creation: Creation,
    evidence_id: EvidenceId,
    role: Role,
) -> tuple[UploadRecord, bool]:
    now = ctx.clock()
    return await reserve(
        ctx,
        UploadRecord(
            upload_id=secrets.token_hex(16),
            evidence_id=evidence_id,
            role=role,
            device_id=device.device_id,
            length=creation.length,
            offset=0,
            state=UploadState.OPEN,
            metadata=creation.metadata_header,
            created_at=now,
            expires_at=now + timedelta(seconds=ctx.config.upload_expiry_seconds),
        ),
    )


async def reserve(
    ctx: ServerContext, record: UploadRecord, content: bytes | None = None
) -> tuple[UploadRecord, bool]:
    """Allocate the partial file (and write ``content``, for an object the server makes
    itself), then index the upload; return the upload and whether it is new. A partial
    file the index did not take is removed again: disk is never held by an upload
    nobody can see, count against a quota, or sweep."""
    upload_id = record.upload_id
    await asyncio.to_thread(ctx.area.create, upload_id, record.length)
    try:
        if content is not None:
            await asyncio.to_thread(ctx.area.fill, upload_id, content)
        held, new = await ctx.index.uploads.create_upload(record)
    except Exception:
        await asyncio.to_thread(ctx.area.remove, upload_id)
        raise
    if not new:  # another request created it in the meantime
        await asyncio.to_thread(ctx.area.remove, upload_id)
    return held, new


async def owned_upload(ctx: ServerContext, device: DeviceRecord, upload_id: str) -> UploadRecord:
    ctx.area.path(upload_id)  # refuses anything that is not an upload id
    upload = await ctx.index.uploads.upload(upload_id)
    if upload is None:
        raise UnknownUpload(f"no upload {upload_id}")
    if upload.device_id != device.device_id:
        raise WrongDevice(f"upload {upload_id} belongs to another device")
    return upload


async def upload_manifest(ctx: ServerContext, upload: UploadRecord) -> ManifestRecord:
    record = await ctx.index.uploads.manifest(upload.evidence_id, upload.role)
    if record is None:  # uploads are only created for registered manifests
        raise StorageFailure(f"upload {upload.upload_id} has no manifest")
    return record


async def open_upload(ctx: ServerContext, upload: UploadRecord) -> OpenUpload:
    """The upload's manifest and the fingerprint of its committed bytes: kept from earlier
    PATCHes, or rebuilt once (after a restart, or on another server)."""
    held = ctx.open_uploads.get(upload.upload_id)
    if held is not None and held.fingerprint.position == upload.offset:
        return held
    record = await upload_manifest(ctx, upload)
    manifest = Manifest.read_stored(record.body, ctx.case_rule)
    fresh = StreamingFingerprint(manifest.chunk_size, upload.length)
    path = ctx.area.path(upload.upload_id)
    fingerprint = await asyncio.to_thread(feed_file, fresh, path, upload.offset)
    held = ctx.open_uploads[upload.upload_id] = OpenUpload(manifest, fingerprint)
    return held


async def append(
    ctx: ServerContext,
    device: DeviceRecord,
    upload_id: str,
    headers: Mapping[str, str],
    content: StreamReader,
    *,
    creation: bool = False,
) -> UploadRecord:
    """Write one PATCH body; return the upload with its new committed offset."""
    lock = ctx.lock_for(upload_id)
    if lock.locked():
        raise Locked(f"upload {upload_id} is taking another request; retry after it")
    async with lock:
        upload = await owned_upload(ctx, device, upload_id)
        request = parse_patch(headers, upload, ctx.clock(), creation=creation)
        held = await open_upload(ctx, upload)
        before = held.fingerprint.copy()
        handle = await asyncio.to_thread(ctx.area.open_at, upload_id, upload.offset)
        sink = PatchSink(
            handle, held.fingerprint, held.manifest.chunks, request.checksum, request.content_length
        )
        try:
            received = await stream_body(content, sink, upload.length - upload.offset)
            if received.interrupted and request.checksum is not None:
                raise ChecksumMismatch("the body was cut off, so its checksum cannot be checked")
            if not received.interrupted:
                sink.verify_checksum(received.size)
            await asyncio.to_thread(sink.make_durable)
        except BaseException:
            held.fingerprint = before  # the bytes past the offset are dropped next time
            raise
        finally:
            sink.close()
            handle.close()
        new_offset = upload.offset + received.size
        expires_at = ctx.clock() + timedelta(seconds=ctx.config.upload_expiry_seconds)
        if not await ctx.index.uploads.advance(upload_id, upload.offset, new_offset, expires_at):
            ctx.open_uploads.pop(upload_id, None)
            raise OffsetMismatch("another server moved this upload's offset; HEAD and resume")
        if received.interrupted:
            log.info("upload %s: client left after %d bytes; kept them", upload_id, received.size)
        return replace(upload, offset=new_offset, expires_at=expires_at)


async def terminate(ctx: ServerContext, device: DeviceRecord, upload_id: str) -> None:
    lock = ctx.lock_for(upload_id)
    if lock.locked():
        raise Locked(f"upload {upload_id} is taking another request")
    async with lock:
        upload = await owned_upload(ctx, device, upload_id)
        check_deletable(upload, ctx.clock())
        await retire(ctx, upload_id, UploadState.TERMINATED)
    log.info("upload %s terminated by %s", upload_id, device.device_id)


async def retire(ctx: ServerContext, upload_id: str, state: UploadState) -> None:
    """End an unfinished upload (terminated or expired): its state first, then its bytes.
    The caller holds the upload's lock."""
    await ctx.index.uploads.set_state(upload_id, state)
    ctx.open_uploads.pop(upload_id, None)
    await asyncio.to_thread(ctx.area.remove, upload_id)
