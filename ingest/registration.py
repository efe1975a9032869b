"""Registering a manifest before its bytes: who signed it, is it well formed, is it new."""

from __future__ import annotations

import base64
import binascii
import logging

from evidence.errors import (
    KeyMismatch,
    MalformedHeader,
    ManifestNotRegistered,
    TooLarge,
    WrongDevice,
)
from evidence.identifiers import Role
from evidence.keys import public_key_from_raw
from evidence.manifest import Manifest, SignedManifest
from evidence.wire import SIGNATURE_HEADER
from ingest.chain import note_chain_position
from ingest.context import ServerContext
from ingest.flags import FlagKind, raise_flag
from ingest.media_index import note_media
from storage.records import DeviceRecord, ManifestRecord

__all__ = ["decode_signature", "register_manifest"]

log = logging.getLogger(__name__)


def decode_signature(header: str | None) -> bytes:
    if not header:
        raise MalformedHeader(f"{SIGNATURE_HEADER} is required", header=SIGNATURE_HEADER)
    try:
        return base64.b64decode(header, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedHeader(
            f"{SIGNATURE_HEADER} is not base64", header=SIGNATURE_HEADER
        ) from None


async def register_manifest(
    ctx: ServerContext, device: DeviceRecord, body: bytes, signature: bytes
) -> tuple[ManifestRecord, bool]:
    """Verify and keep a manifest. Return the kept record and whether it is new."""
    signed = SignedManifest.parse(body, signature, ctx.case_rule)
    manifest = signed.manifest
    if manifest.device_id != device.device_id:
        raise WrongDevice(f"signed in as {device.device_id}, manifest names {manifest.device_id}")
    key = await ctx.index.devices.key(manifest.key_id)
    if key is None or key.device_id != device.device_id:
        raise KeyMismatch(f"key {manifest.key_id} is not registered to {device.device_id}")
    signed.verify(public_key_from_raw(key.public_key))
    if manifest.size > ctx.config.max_upload_bytes:
        raise TooLarge(f"{manifest.size} bytes exceeds the limit of {ctx.config.max_upload_bytes}")
    if manifest.derived_from is not None:
        source = manifest.derived_from
        if await ctx.index.uploads.manifest(source.evidence_id, source.role) is None:
            raise ManifestNotRegistered(f"register {source.evidence_id}/{source.role} first")
    record, new = await ctx.index.uploads.register_manifest(
        ManifestRecord(
            evidence_id=manifest.evidence_id,
            role=manifest.role,
            device_id=manifest.device_id,
            key_id=manifest.key_id,
            sequence=manifest.sequence,
            previous_sha256=manifest.previous,
            manifest_sha256=signed.sha256,
            body=body,
            signature=signature,
            case_number=manifest.case_number,
            registered_at=ctx.clock(),
        )
    )
    if new:
        log.info(
            "manifest %s/%s #%d from %s",
            manifest.evidence_id,
            manifest.role,
            manifest.sequence,
            device.device_id,
        )
        await note_chain_position(ctx, manifest, signed.sha256)
        await _note_missing_metadata(ctx, manifest)
        await note_media(ctx, manifest)
    return record, new


async def _note_missing_metadata(ctx: ServerContext, manifest: Manifest) -> None:
    if manifest.role is not Role.ORIGINAL:
        return
    capture = manifest.capture
    missing = [
        name
        for name, value in (
            ("case_number", manifest.case_number),
            ("place", capture.place),
            ("captured_by", capture.captured_by),
            ("proves", capture.proves),
        )
        if value is None
    ]
    if missing:
        await raise_flag(
            ctx,
            FlagKind.METADATA_INCOMPLETE,
            str(manifest.evidence_id),
            {"missing": missing},
            device_id=manifest.device_id,
            evidence_id=manifest.evidence_id,
            role=manifest.role,
        )
