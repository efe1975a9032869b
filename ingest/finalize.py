"""Finalize: check every byte against the signed manifest, store, index, sign a receipt.

Idempotent: finalizing a finalized object returns the receipt it already has; a
rejected one repeats its error. The order keeps a crash harmless at every step:
store (write-once, idempotent) → index, mark finalized and raise the recording's flags
(one transaction) → drop the partial file. A rejected upload's partial file is dropped at
once: it is a transfer buffer, and the device still holds the original.

An original stored more than ``compliance.late_upload_hours`` after its capture ended (as
its footage measures it: its start plus the probed length; its start when that is unknown)
raises a ``late_upload`` flag, with the hours in force at that moment. A device's claimed
end cannot put that off. The footage's own flags (unmeasured length, claims that disagree
with it) are ``ingest/footage_flags.py``'s. All are raised in the transaction that indexes
the object: a flag never stands for a recording that was not stored, nor a stored one
without its flags.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from evidence.errors import (
    IntegrityError,
    LiuhenError,
    ManifestNotRegistered,
    SequenceReused,
    StorageFailure,
    UploadIncomplete,
    WrongDevice,
    error_for_code,
)
from evidence.identifiers import EvidenceId, Role
from evidence.keys import public_key_from_raw
from evidence.manifest import Manifest, SignedManifest
from evidence.receipt import Receipt, SignedReceipt
from evidence.strict_json import format_time
from ingest.context import ServerContext
from ingest.flags import FlagKind, new_flag
from ingest.footage_flags import footage_flags
from ingest.policies import AllOf, ChunksMatch, DigestMatches, SignatureValid, SizeMatches, Subject
from ingest.tus_rules import check_readable
from ingest.uploads import open_upload, upload_manifest
from storage.records import (
    DeviceRecord,
    ManifestRecord,
    NewFlag,
    StoredObject,
    UploadRecord,
    UploadState,
)

__all__ = ["FINALIZE_POLICIES", "finalize", "finalize_if_complete", "finalize_upload"]

log = logging.getLogger(__name__)

FINALIZE_POLICIES = AllOf(SignatureValid(), SizeMatches(), DigestMatches(), ChunksMatch())


async def finalize(
    ctx: ServerContext, device: DeviceRecord, evidence_id: EvidenceId, role: Role
) -> StoredObject:
    manifest = await ctx.index.uploads.manifest(evidence_id, role)
    if manifest is None:
        raise ManifestNotRegistered(f"no manifest for {evidence_id}/{role}")
    if manifest.device_id != device.device_id:
        raise WrongDevice(f"{evidence_id}/{role} belongs to device {manifest.device_id}")
    stored = await ctx.index.objects.get(evidence_id, role)
    if stored is not None:
        return stored
    upload = await ctx.index.uploads.live_upload(evidence_id, role)
    if upload is None:
        raise UploadIncomplete(f"no upload for {evidence_id}/{role} yet")
    return await finalize_upload(ctx, upload, manifest)


async def finalize_upload(
    ctx: ServerContext, upload: UploadRecord, manifest: ManifestRecord
) -> StoredObject:
    async with ctx.lock_for(upload.upload_id):
        current = await ctx.index.uploads.upload(upload.upload_id)
        if current is None:
            raise StorageFailure(f"upload {upload.upload_id} vanished from the index")
        if current.state is UploadState.FINALIZED:
            stored = await ctx.index.objects.get(manifest.evidence_id, manifest.role)
            if stored is None:  # finalized and indexed happen in one transaction
                raise StorageFailure(f"upload {upload.upload_id} is finalized but not indexed")
            return stored
        if current.state is UploadState.REJECTED:
            raise error_for_code(
                current.error_code or "integrity", current.error_message or "rejected"
            )
        check_readable(current, ctx.clock())
        if current.offset != current.length:
            raise UploadIncomplete(
                f"{current.offset} of {current.length} bytes received", offset=current.offset
            )
        return await _verify_and_store(ctx, current, manifest)


async def _verify_and_store(
    ctx: ServerContext, upload: UploadRecord, record: ManifestRecord
) -> StoredObject:
    signed = SignedManifest.read_stored(record.body, record.signature, ctx.case_rule)
    manifest = signed.manifest
    fingerprint = (await open_upload(ctx, upload)).fingerprint.finish()
    key = await ctx.index.devices.key(record.key_id)
    subject = Subject(
        signed, None if key is None else public_key_from_raw(key.public_key), fingerprint
    )
    try:
        FINALIZE_POLICIES.check(subject)
        await _check_chain_slot(ctx, signed)
    except IntegrityError as exc:
        await _reject(ctx, upload, exc)
        raise
    locator = await asyncio.to_thread(
        ctx.store.put_file, ctx.area.path(upload.upload_id), fingerprint.sha256, fingerprint.size
    )
    now = ctx.clock()
    receipt = SignedReceipt.create(
        Receipt(
            evidence_id=manifest.evidence_id,
            role=manifest.role,
            device_id=manifest.device_id,
            sequence=manifest.sequence,
            manifest_sha256=signed.sha256,
            size=fingerprint.size,
            sha256=fingerprint.sha256,
            chunk_root=fingerprint.root,
            store=ctx.store.name,
            locator=locator,
            received_at=now,
            server_key_id=ctx.server_key_id,
        ),
        ctx.server_key,
    )
    flags = (*_late_flag(ctx, manifest, now), *footage_flags(ctx, manifest))
    stored = await ctx.index.objects.finalize(upload.upload_id, _indexed(receipt, manifest), flags)
    await asyncio.to_thread(ctx.area.remove, upload.upload_id)
    ctx.open_uploads.pop(upload.upload_id, None)
    log.info("stored %s/%s sha256=%s", manifest.evidence_id, manifest.role, fingerprint.sha256)
    return stored


async def _reject(ctx: ServerContext, upload: UploadRecord, exc: IntegrityError) -> None:
    """Keep why on the upload, then free the disk its partial file reserved."""
    await ctx.index.uploads.set_state(upload.upload_id, UploadState.REJECTED, exc.code, exc.message)
    ctx.open_uploads.pop(upload.upload_id, None)
    await asyncio.to_thread(ctx.area.remove, upload.upload_id)
    log.warning("upload %s rejected: %s", upload.upload_id, exc.message)


def _late_flag(
    ctx: ServerContext, manifest: Manifest, received_at: datetime
) -> tuple[NewFlag, ...]:
    if manifest.role is not Role.ORIGINAL:
        return ()  # review copies and transcripts are made later on purpose
    captured_until = manifest.capture_end() or manifest.capture.started_at
    hours = (received_at - captured_until).total_seconds() / 3600
    limit = ctx.compliance.late_upload_hours
    if hours <= limit:
        return ()
    detail = {
        "case_number": None if manifest.case_number is None else str(manifest.case_number),
        "captured_until": format_time(captured_until.astimezone(UTC)),
        "received_at": format_time(received_at.astimezone(UTC)),
        "hours": round(hours, 1),
        "late_upload_hours": limit,
    }
    log.warning("late upload: %s arrived %.1f h after capture", manifest.evidence_id, hours)
    flag = new_flag(
        ctx,
        FlagKind.LATE_UPLOAD,
        str(manifest.evidence_id),
        detail,
        device_id=manifest.device_id,
        evidence_id=manifest.evidence_id,
        role=manifest.role,
    )
    return (flag,)


def _indexed(signed_receipt: SignedReceipt, manifest: Manifest) -> StoredObject:
    """The index row: what the receipt attests, and the capture facts to search by."""
    receipt, capture, footage = signed_receipt.receipt, manifest.capture, manifest.footage()
    return StoredObject(
        evidence_id=receipt.evidence_id,
        role=receipt.role,
        device_id=receipt.device_id,
        sequence=receipt.sequence,
        manifest_sha256=receipt.manifest_sha256,
        sha256=receipt.sha256,
        size=receipt.size,
        chunk_root=receipt.chunk_root,
        store=receipt.store,
        locator=receipt.locator,
        case_number=manifest.case_number,
        started_at=capture.started_at,
        ended_at=footage.ended_at,
        place=capture.place,
        officer_id=None if capture.captured_by is None else capture.captured_by.officer_id,
        file_name=manifest.file_name,
        received_at=receipt.received_at,
        receipt_body=signed_receipt.body,
        receipt_signature=signed_receipt.signature,
        claimed_started_at=footage.claimed_started_at,
        claimed_ended_at=footage.claimed_ended_at,
    )


async def _check_chain_slot(ctx: ServerContext, signed: SignedManifest) -> None:
    """The device's sequence number must still name this very manifest."""
    manifest = signed.manifest
    held = await ctx.index.uploads.manifest_at(manifest.device_id, manifest.sequence)
    if held is None or held.manifest_sha256 != signed.sha256:
        raise SequenceReused(
            f"sequence {manifest.sequence} of {manifest.device_id} names another manifest"
        )


async def finalize_if_complete(ctx: ServerContext, upload: UploadRecord) -> None:
    """The last byte is in: verify and store now, so no client has to ask. A failure is
    kept on the upload and reported by the finalize endpoint."""
    if upload.state is not UploadState.OPEN or upload.offset != upload.length:
        return
    try:
        await finalize_upload(ctx, upload, await upload_manifest(ctx, upload))
    except LiuhenError as exc:
        log.warning("upload %s complete but not stored: %s", upload.upload_id, exc.message)
