"""Registering a manifest before its bytes: who signed it, is it well formed, is it new;
and, in the same index transaction, what its arrival tells (chain, metadata, media)."""

from __future__ import annotations

import base64
import binascii
import logging

from evidence.digest import Sha256
from evidence.errors import (
    KeyMismatch,
    LiuhenError,
    MalformedHeader,
    MalformedManifest,
    ManifestNotRegistered,
    TooLarge,
    WrongDevice,
)
from evidence.identifiers import Role
from evidence.keys import public_key_from_raw
from evidence.manifest import Manifest, SignedManifest
from evidence.wire import SIGNATURE_HEADER
from ingest.chain import chain_notes
from ingest.context import ServerContext
from ingest.flags import FlagKind, new_flag
from ingest.media_index import media_notes
from storage.records import Derived, DeviceRecord, ManifestRecord, NewFlag

__all__ = ["decode_signature", "missing_metadata", "register_manifest"]

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
    """Verify and keep a manifest, with everything the server derives from it (chain
    flags, the metadata flag, media notes) in the same index transaction: a failure
    leaves nothing behind, and a retry starts afresh. Return the kept record and whether
    it is new. The very bytes already kept for this device are answered with the kept
    record and checked no further: they were checked when they arrived, perhaps before
    a range they do not meet existed (a device cannot sign them again)."""
    try:
        signed = SignedManifest.parse(body, signature, ctx.case_rule)
    except MalformedManifest:
        kept = await _kept_as_sent(ctx, device, body)
        if kept is None:
            raise
        return kept, False
    await _verify(ctx, device, signed)
    manifest = signed.manifest
    held = await ctx.index.uploads.manifest(manifest.evidence_id, manifest.role)
    if held is not None and held.manifest_sha256 == signed.sha256:
        return held, False
    # One registration per device at a time, so what the chain read says still holds
    # when the manifest is written.
    async with ctx.lock_for(f"chain:{device.device_id}"):
        derived = await _derived(ctx, manifest, signed.sha256)
        record, new = await ctx.index.uploads.register_manifest(_record(ctx, signed), derived)
    if new:
        log.info(
            "manifest %s/%s #%d from %s",
            manifest.evidence_id,
            manifest.role,
            manifest.sequence,
            device.device_id,
        )
    return record, new


async def _kept_as_sent(
    ctx: ServerContext, device: DeviceRecord, body: bytes
) -> ManifestRecord | None:
    """The record of exactly these bytes from this device, if the server keeps them."""
    try:
        manifest = Manifest.read_stored(body, ctx.case_rule)
    except LiuhenError:
        return None
    kept = await ctx.index.uploads.manifest(manifest.evidence_id, manifest.role)
    if kept is None or kept.device_id != device.device_id or kept.body != body:
        return None
    return kept


async def _verify(ctx: ServerContext, device: DeviceRecord, signed: SignedManifest) -> None:
    manifest = signed.manifest
    if manifest.device_id != device.device_id:
        raise WrongDevice(f"signed in as {device.device_id}, manifest names {manifest.device_id}")
    key = await ctx.index.devices.key(manifest.key_id)
    if key is None or key.device_id != device.device_id:
        raise KeyMismatch(f"key {manifest.key_id} is not registered to {device.device_id}")
    signed.verify(public_key_from_raw(key.public_key))
    limit = ctx.config.upload_size_limit
    if manifest.size > limit:
        raise TooLarge(f"{manifest.size} bytes exceeds the limit of {limit}", max_size=limit)
    if manifest.derived_from is not None:
        source = manifest.derived_from
        if await ctx.index.uploads.manifest(source.evidence_id, source.role) is None:
            raise ManifestNotRegistered(f"register {source.evidence_id}/{source.role} first")


def _record(ctx: ServerContext, signed: SignedManifest) -> ManifestRecord:
    manifest = signed.manifest
    return ManifestRecord(
        evidence_id=manifest.evidence_id,
        role=manifest.role,
        device_id=manifest.device_id,
        key_id=manifest.key_id,
        sequence=manifest.sequence,
        previous_sha256=manifest.previous,
        manifest_sha256=signed.sha256,
        body=signed.body,
        signature=signed.signature,
        case_number=manifest.case_number,
        registered_at=ctx.clock(),
    )


async def _derived(ctx: ServerContext, manifest: Manifest, sha256: Sha256) -> Derived:
    resolutions, chain_flags = await chain_notes(ctx, manifest, sha256)
    media = media_notes(ctx, manifest)
    return Derived(
        resolutions=resolutions,
        segment=media.segment,
        prints=media.prints,
        flags=(*chain_flags, *missing_metadata(ctx, manifest), *media.flags),
    )


def missing_metadata(ctx: ServerContext, manifest: Manifest) -> tuple[NewFlag, ...]:
    if manifest.role is not Role.ORIGINAL:
        return ()
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
    if not missing:
        return ()
    flag = new_flag(
        ctx,
        FlagKind.METADATA_INCOMPLETE,
        str(manifest.evidence_id),
        {"missing": missing},
        device_id=manifest.device_id,
        evidence_id=manifest.evidence_id,
        role=manifest.role,
    )
    return (flag,)
