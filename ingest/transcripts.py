"""A transcript attached to a recording by a custodian (R5: an audio record comes with a
text record of what is said). It becomes a derived object like any other: manifest
(signed by the server, naming who attached it), bytes in the write-once store, receipt."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version

from evidence.digest import Sha256, StreamingFingerprint
from evidence.errors import MalformedBody, ManifestConflict, NotFound
from evidence.identifiers import EvidenceId, Role
from evidence.manifest import DerivedFrom, Manifest, Officer, Origin, SignedManifest, content_of
from ingest.context import ServerContext
from ingest.finalize import finalize_upload
from ingest.registration import register_manifest
from ingest.server_device import SERVER_DEVICE, ensure_server_device
from ingest.uploads import reserve, retire
from storage.records import ManifestRecord, StoredObject, UploadRecord, UploadState, UserRecord

__all__ = ["attach_transcript"]


def _software() -> str:
    try:
        return f"liuhen-ingest/{version('liuhen')}"
    except PackageNotFoundError:
        return "liuhen-ingest/unknown"


async def _next_in_chain(ctx: ServerContext) -> tuple[int, Sha256 | None]:
    last = await ctx.index.uploads.last_manifest(SERVER_DEVICE)
    return (1, None) if last is None else (last.sequence + 1, last.manifest_sha256)


async def attach_transcript(
    ctx: ServerContext, user: UserRecord, evidence_id: EvidenceId, text: bytes
) -> StoredObject:
    """Sign, register, store and receipt a transcript. An attach that failed after its
    manifest was registered is finished by sending the same text again."""
    record = await ctx.index.uploads.manifest(evidence_id, Role.ORIGINAL)
    if record is None or await ctx.index.objects.get(evidence_id, Role.ORIGINAL) is None:
        raise NotFound(f"no stored recording {evidence_id}")
    if await ctx.index.objects.get(evidence_id, Role.TRANSCRIPT) is not None:
        raise ManifestConflict(f"{evidence_id} already has a transcript")
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedBody("a transcript is UTF-8 text") from None
    registered = await _registered(ctx, user, record, text)
    upload = await _filled_upload(ctx, evidence_id, text)
    return await finalize_upload(ctx, upload, registered)


async def _registered(
    ctx: ServerContext, user: UserRecord, original_record: ManifestRecord, text: bytes
) -> ManifestRecord:
    """The transcript's manifest: held from an attach that stopped after registering it
    (a manifest is never withdrawn, so only the same text can finish it), or signed and
    registered now."""
    evidence_id = original_record.evidence_id
    held = await ctx.index.uploads.manifest(evidence_id, Role.TRANSCRIPT)
    if held is not None:
        if Manifest.read_stored(held.body, ctx.case_rule).sha256 != Sha256.of(text):
            raise ManifestConflict(
                f"{evidence_id} has another transcript registered but not yet stored; "
                "send that text again to finish it"
            )
        return held
    original = Manifest.read_stored(original_record.body, ctx.case_rule)
    server = await ensure_server_device(ctx.index, ctx.server_key)
    async with ctx.signing:
        sequence, previous = await _next_in_chain(ctx)
        signed = SignedManifest.create(
            _transcript_manifest(ctx, original, user, text, sequence, previous), ctx.server_key
        )
        registered, _ = await register_manifest(ctx, server, signed.body, signed.signature)
    return registered


async def _filled_upload(ctx: ServerContext, evidence_id: EvidenceId, text: bytes) -> UploadRecord:
    """The transcript's upload with every byte in: one left open by an earlier attempt,
    or a new one."""
    now = ctx.clock()
    held = await ctx.index.uploads.live_upload(evidence_id, Role.TRANSCRIPT)
    if held is not None and held.state is UploadState.OPEN:
        if held.expires_at > now:
            return held
        async with ctx.lock_for(held.upload_id):
            await retire(ctx, held.upload_id, UploadState.EXPIRED)
    upload, _ = await reserve(
        ctx,
        UploadRecord(
            upload_id=secrets.token_hex(16),
            evidence_id=evidence_id,
            role=Role.TRANSCRIPT,
            device_id=SERVER_DEVICE,
            length=len(text),
            offset=len(text),
            state=UploadState.OPEN,
            metadata="",
            created_at=now,
            expires_at=now + timedelta(seconds=ctx.config.upload_expiry_seconds),
        ),
        text,
    )
    return upload


def _transcript_manifest(
    ctx: ServerContext,
    original: Manifest,
    user: UserRecord,
    text: bytes,
    sequence: int,
    previous: Sha256 | None,
) -> Manifest:
    fingerprint = StreamingFingerprint()
    fingerprint.update(text)
    facts = fingerprint.finish()
    return replace(
        original,
        role=Role.TRANSCRIPT,
        capture=replace(original.capture, captured_by=Officer(user.name, None)),
        origin=Origin(None, None, _software()),
        device_id=SERVER_DEVICE,
        key_id=ctx.server_key_id,
        file_name=f"{original.evidence_id}.transcript.txt",
        **content_of(facts),
        media_type="text/plain; charset=utf-8",
        sequence=sequence,
        previous=previous,
        created_at=ctx.clock(),
        derived_from=DerivedFrom(original.evidence_id, Role.ORIGINAL, original.sha256),
        media=None,
        session=None,
        perceptual=None,
    )
