"""Finalize: check every byte against the signed manifest, store, index, sign a receipt.

Idempotent: finalizing a finalized object returns the receipt it already has; a rejected
one repeats its error, also once it has been terminated or has expired. The order keeps a
crash harmless at every step: store (write-once, idempotent) → keep the manifest and the
receipt beside the bytes, when the store keeps them (S3; a receipt kept already is reused:
``uploads/receipts.py``) → index, mark finalized and raise the recording's flags (one
transaction) → drop the upload's bytes in the area. A rejected upload's bytes are dropped
at once: they are a transfer buffer, and the device still holds the original.

The bytes are checked before they are stored, against the running fingerprint. When other
servers took some of them (S3 parts, which cannot be read back before they are assembled),
the upload is assembled first and the stored object is read back and checked: one that
fails stays where it is, under its upload's own key, named by no index row or receipt.

The recording's flags (a late upload, the footage's own: ``custody/footage_flags.py``; the
dock's clock and the camera's claims: ``custody/dock_flags.py``) are raised, and its ingest
is logged in the custody log, in the transaction that indexes the object: a flag or a log
entry never stands for a recording that was not stored, nor a stored one without its
flags and its entry.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from evidence.digest import READ_BUFFER_SIZE, Fingerprint, StreamingFingerprint
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
from evidence.keys import Ed25519PrivateKey, public_key_from_raw
from evidence.manifest import Manifest, SignedManifest
from evidence.receipt import SignedReceipt
from ingest import failpoints
from ingest.clock import Clock
from ingest.custody.dock_flags import dock_flags
from ingest.custody.footage_flags import footage_flags, late_flag
from ingest.custody.log_entries import ingest_entry
from ingest.custody.policies import (
    AllOf,
    ChunksMatch,
    DigestMatches,
    SignatureValid,
    SizeMatches,
    Subject,
)
from ingest.locks import KeyedLocks, upload_key
from ingest.uploads.open_uploads import OpenUpload, OpenUploads
from ingest.uploads.receipts import keep_documents, make_receipt
from ingest.uploads.rules import check_readable
from ingest.uploads.transitions import Transitions
from storage.interfaces import BlobStore, SignedDocuments, UploadArea, Uploads
from storage.records import DeviceRecord, Finalizing, StoredObject, UploadRecord, UploadState

__all__ = ["FINALIZE_POLICIES", "FinalizeRules", "Finalizer"]

log = logging.getLogger(__name__)

FINALIZE_POLICIES = AllOf(SignatureValid(), SizeMatches(), DigestMatches(), ChunksMatch())


@dataclass(frozen=True, slots=True)
class FinalizeRules:
    late_upload_hours: float  # compliance.late_upload_hours
    claim_tolerance_seconds: float  # compliance.claim_tolerance_seconds
    clock_drift_flag_seconds: float  # compliance.clock_drift_flag_seconds


@dataclass(frozen=True)
class Finalizer:
    uploads: Uploads  # finalize's one read (uploads.finalizing)
    store: BlobStore  # read back when other servers took some of the bytes
    documents: SignedDocuments | None  # the store, when it keeps manifests and receipts
    area: UploadArea
    locks: KeyedLocks
    open_uploads: OpenUploads
    transitions: Transitions
    server_key: Ed25519PrivateKey  # signs receipts
    clock: Clock
    rules: FinalizeRules
    # Then, once indexed: the recording's retention applied to the store's locks (S3).
    after_stored: Callable[[StoredObject], Awaitable[None]] | None = None

    async def finalize(
        self, device: DeviceRecord, evidence_id: EvidenceId, role: Role
    ) -> StoredObject:
        """Finalize an object's upload at its device's request (idempotent)."""
        view = await self.uploads.finalizing(evidence_id, role)
        manifest = view.manifest
        if manifest is None:
            raise ManifestNotRegistered(f"no manifest for {evidence_id}/{role}")
        if manifest.device_id != device.device_id:
            raise WrongDevice(f"{evidence_id}/{role} belongs to device {manifest.device_id}")
        if view.stored is not None:
            return view.stored
        if view.upload is None:
            raise UploadIncomplete(f"no upload for {evidence_id}/{role} yet")
        return await self.finalize_upload(view.upload)

    async def finalize_if_complete(self, upload: UploadRecord) -> None:
        """The last byte is in: verify and store now, so no client has to ask. A failure
        is kept on the upload and reported by the finalize endpoint."""
        if upload.state is not UploadState.OPEN or upload.offset != upload.length:
            return
        try:
            await self.finalize_upload(upload)
        except LiuhenError as exc:
            log.warning("upload %s complete but not stored: %s", upload.upload_id, exc.message)

    async def finalize_upload(
        self, upload: UploadRecord, signed: SignedManifest | None = None
    ) -> StoredObject:
        """Verify and store an upload whose bytes are all in (``signed``: its manifest, if
        the caller has it parsed already). What it needs is read in one call, under the
        upload's lock, so it is read as the upload stands now."""
        async with self.locks.hold(upload_key(upload.upload_id)):
            view = await self.uploads.finalizing(upload.evidence_id, upload.role, upload.upload_id)
            current = view.upload
            if current is None:
                raise StorageFailure(f"upload {upload.upload_id} vanished from the index")
            if current.state is UploadState.FINALIZED:
                if view.stored is None:  # finalized and indexed happen in one transaction
                    raise StorageFailure(f"upload {upload.upload_id} is finalized but not indexed")
                return view.stored
            _check_complete(current, self.clock())
            return await self._verify_and_store(current, view, signed)

    async def _verify_and_store(
        self, upload: UploadRecord, view: Finalizing, signed: SignedManifest | None
    ) -> StoredObject:
        if view.manifest is None:  # uploads are only created for registered manifests
            raise StorageFailure(f"upload {upload.upload_id} has no manifest")
        held = await self.open_uploads.get(upload, view.manifest, signed)
        signed = held.signed
        locator, fingerprint = await self._fingerprint(upload, held)
        key = view.device_key
        subject = Subject(
            signed, None if key is None else public_key_from_raw(key.public_key), fingerprint
        )
        try:
            FINALIZE_POLICIES.check(subject)
            _check_chain_slot(signed, view)
        except IntegrityError as exc:
            await self.transitions.end(upload, UploadState.REJECTED, exc)
            log.warning("upload %s rejected: %s", upload.upload_id, exc.message)
            raise
        receipt = await self._store(upload, signed, fingerprint, locator)
        failpoints.hit(failpoints.AFTER_RECEIPT)
        manifest, received_at, now = signed.manifest, receipt.receipt.received_at, self.clock()
        flags = (
            *late_flag(manifest, received_at, now, self.rules.late_upload_hours),
            *footage_flags(manifest, now, self.rules.claim_tolerance_seconds),
            *dock_flags(manifest, now, self.rules.clock_drift_flag_seconds),
        )
        stored = await self.transitions.finalized(
            upload, _indexed(receipt, manifest), flags, ingest_entry(receipt)
        )
        log.info("stored %s/%s sha256=%s", manifest.evidence_id, manifest.role, fingerprint.sha256)
        if self.after_stored is not None:
            await self.after_stored(stored)
        return stored

    async def _fingerprint(
        self, upload: UploadRecord, held: OpenUpload
    ) -> tuple[str | None, Fingerprint]:
        """The fingerprint of the bytes, kept as they came; or, when this server did not
        see them all, of the stored object, assembled first and read back."""
        if held.fingerprint.whole_known:
            return None, held.fingerprint.finish()
        manifest = held.signed.manifest
        locator = await asyncio.to_thread(self.area.store, upload, manifest.sha256)
        read = _fingerprint_stored
        fingerprint = await asyncio.to_thread(read, self.store, locator, manifest.chunk_size)
        return locator, fingerprint

    async def _store(
        self,
        upload: UploadRecord,
        signed: SignedManifest,
        fingerprint: Fingerprint,
        locator: str | None,
    ) -> SignedReceipt:
        """The bytes into the write-once store (unless they are there); their receipt,
        signed, and kept beside them with the manifest where the store keeps documents."""
        if locator is None:
            locator = await asyncio.to_thread(self.area.store, upload, fingerprint.sha256)
        failpoints.hit(failpoints.MID_FINALIZE)
        receipt = make_receipt(
            signed, fingerprint, self.store.name, locator, self.clock(), self.server_key
        )
        if self.documents is None:
            return receipt
        return await keep_documents(self.documents, signed, receipt, self.server_key)


def _fingerprint_stored(store: BlobStore, locator: str, chunk_size: int) -> Fingerprint:
    fingerprint = StreamingFingerprint(chunk_size)
    for block in store.read(locator, READ_BUFFER_SIZE):
        fingerprint.update(block)
    return fingerprint.finish()


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


def _check_complete(upload: UploadRecord, now: datetime) -> None:
    """An upload finalize may verify now: not rejected (then, or since it ended, the
    rejection stands), not gone, every byte in."""
    if upload.state is UploadState.REJECTED or upload.error_code is not None:
        raise error_for_code(upload.error_code or "integrity", upload.error_message or "rejected")
    check_readable(upload, now)
    if upload.offset != upload.length:
        raise UploadIncomplete(
            f"{upload.offset} of {upload.length} bytes received", offset=upload.offset
        )


def _check_chain_slot(signed: SignedManifest, view: Finalizing) -> None:
    """The device's sequence number must still name this very manifest."""
    manifest, record = signed.manifest, view.manifest
    held_place = record is not None and (record.device_id, record.sequence) == (
        manifest.device_id,
        manifest.sequence,
    )
    if not held_place or view.chain_sha256 != signed.sha256:
        raise SequenceReused(
            f"sequence {manifest.sequence} of {manifest.device_id} names another manifest"
        )
