"""A transcript attached to a recording by a custodian (R5: an audio record comes with a
text record of what is said). It becomes a derived object like any other: manifest
(signed by the server, naming who attached it), bytes in the write-once store, receipt."""

from __future__ import annotations

import asyncio
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
from storage.records import StoredObject, UploadRecord, UploadState, UserRecord

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
    record = await ctx.index.uploads.manifest(evidence_id, Role.ORIGINAL)
    if record is None or await ctx.index.objects.get(evidence_id, Role.ORIGINAL) is None:
        raise NotFound(f"no stored recording {evidence_id}")
    if await ctx.index.uploads.manifest(evidence_id, Role.TRANSCRIPT) is not None:
        raise ManifestConflict(f"{evidence_id} already has a transcript")
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedBody("a transcript is UTF-8 text") from None
    original = Manifest.parse(record.body, ctx.case_rule)
    server = await ensure_server_device(ctx.index, ctx.server_key)
    async with ctx.signing:
        sequence, previous = await _next_in_chain(ctx)
        signed = SignedManifest.create(
            _transcript_manifest(ctx, original, user, text, sequence, previous), ctx.server_key
        )
        registered, _ = await register_manifest(ctx, server, signed.body, signed.signature)
    upload_id = secrets.token_hex(16)
    await asyncio.to_thread(ctx.area.create, upload_id, len(text))
    await asyncio.to_thread(ctx.area.fill, upload_id, text)
    now = ctx.clock()
    upload, _ = await ctx.index.uploads.create_upload(
        UploadRecord(
            upload_id=upload_id,
            evidence_id=evidence_id,
            role=Role.TRANSCRIPT,
            device_id=SERVER_DEVICE,
            length=len(text),
            offset=len(text),
            state=UploadState.OPEN,
            metadata="",
            created_at=now,
            expires_at=now + timedelta(seconds=ctx.config.upload_expiry_seconds),
        )
    )
    return await finalize_upload(ctx, upload, registered)


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
