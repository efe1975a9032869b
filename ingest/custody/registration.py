"""Registering a manifest before its bytes: who signed it, is it well formed, is it new;
and, in the same index transaction, what its arrival tells (chain, metadata, media).

A manifest is parsed once, here, and the parsed value passed on to everything that reads
it (the chain, the media notes, the metadata flag)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from evidence.case_number import CaseNumberRule
from evidence.errors import (
    KeyMismatch,
    LiuhenError,
    MalformedManifest,
    ManifestNotRegistered,
    TooLarge,
    WrongDevice,
)
from evidence.identifiers import Role
from evidence.keys import public_key_from_raw
from evidence.manifest import Manifest, SignedManifest
from ingest.clock import Clock
from ingest.custody.chain import chain_notes
from ingest.custody.flags import FlagKind, new_flag
from ingest.custody.media_notes import media_notes
from ingest.locks import KeyedLocks, chain_key
from storage.interfaces import Devices, Manifests
from storage.records import Derived, DeviceRecord, ManifestRecord, NewFlag

__all__ = [
    "Registrar",
    "missing_metadata",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Registrar:
    uploads: Manifests
    devices: Devices
    locks: KeyedLocks
    case_rule: CaseNumberRule
    clock: Clock
    size_limit: int  # the largest object a device may upload
    max_manifest_bytes: int

    async def register(
        self, device: DeviceRecord, body: bytes, signature: bytes
    ) -> tuple[ManifestRecord, bool]:
        """Parse, verify and keep a manifest's exact bytes. The very bytes already kept for
        this device are answered with the kept record and checked no further: they were
        checked when they arrived, perhaps before a range they do not meet existed (a
        device cannot sign them again)."""
        try:
            signed = SignedManifest.parse(body, signature, self.case_rule)
        except MalformedManifest:
            kept = await self._kept_as_sent(device, body)
            if kept is None:
                raise
            return kept, False
        return await self.register_signed(device, signed)

    async def _kept_as_sent(self, device: DeviceRecord, body: bytes) -> ManifestRecord | None:
        """The record of exactly these bytes from this device, if the server keeps them."""
        try:
            manifest = Manifest.read_stored(body, self.case_rule)
        except LiuhenError:
            return None
        kept = await self.uploads.manifest(manifest.evidence_id, manifest.role)
        if kept is None or kept.device_id != device.device_id or kept.body != body:
            return None
        return kept

    async def register_signed(
        self, device: DeviceRecord, signed: SignedManifest
    ) -> tuple[ManifestRecord, bool]:
        """Verify and keep a parsed manifest, with everything the server derives from it
        (chain flags, the metadata flag, media notes) in the same index transaction: a
        failure leaves nothing behind, and a retry starts afresh. Return the kept record
        and whether it is new."""
        await self._verify(device, signed)
        manifest = signed.manifest
        held = await self.uploads.manifest(manifest.evidence_id, manifest.role)
        if held is not None and held.manifest_sha256 == signed.sha256:
            return held, False
        # One registration per device at a time, so what the chain read says still holds
        # when the manifest is written.
        async with self.locks.hold(chain_key(device.device_id)):
            now = self.clock()
            derived = await self._derived(manifest, signed, now)
            record, new = await self.uploads.register_manifest(_record(signed, now), derived)
        if new:
            log.info(
                "manifest %s/%s #%d from %s",
                manifest.evidence_id,
                manifest.role,
                manifest.sequence,
                device.device_id,
            )
        return record, new

    async def _verify(self, device: DeviceRecord, signed: SignedManifest) -> None:
        manifest = signed.manifest
        if manifest.device_id != device.device_id:
            raise WrongDevice(
                f"signed in as {device.device_id}, manifest names {manifest.device_id}"
            )
        key = await self.devices.key(manifest.key_id)
        if key is None or key.device_id != device.device_id:
            raise KeyMismatch(f"key {manifest.key_id} is not registered to {device.device_id}")
        signed.verify(public_key_from_raw(key.public_key))
        limit = self.size_limit
        if manifest.size > limit:
            raise TooLarge(f"{manifest.size} bytes exceeds the limit of {limit}", max_size=limit)
        if manifest.derived_from is not None:
            source = manifest.derived_from
            if await self.uploads.manifest(source.evidence_id, source.role) is None:
                raise ManifestNotRegistered(f"register {source.evidence_id}/{source.role} first")

    async def _derived(self, manifest: Manifest, signed: SignedManifest, now: datetime) -> Derived:
        resolutions, chain_flags = await chain_notes(self.uploads, manifest, signed.sha256, now)
        media = media_notes(manifest, now)
        return Derived(
            resolutions=resolutions,
            segment=media.segment,
            prints=media.prints,
            flags=(*chain_flags, *missing_metadata(manifest, now), *media.flags),
        )


def _record(signed: SignedManifest, now: datetime) -> ManifestRecord:
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
        registered_at=now,
    )


def missing_metadata(manifest: Manifest, now: datetime) -> tuple[NewFlag, ...]:
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
        FlagKind.METADATA_INCOMPLETE,
        str(manifest.evidence_id),
        {"missing": missing},
        now,
        device_id=manifest.device_id,
        evidence_id=manifest.evidence_id,
        role=manifest.role,
    )
    return (flag,)
