"""A transcript attached to a recording by a custodian (R5: an audio record comes with a
text record of what is said). It becomes a derived object like any other: manifest
(signed by the server, naming who attached it), bytes in the write-once store, receipt."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from importlib.metadata import PackageNotFoundError, version

from evidence.case_number import CaseNumberRule
from evidence.digest import Sha256, StreamingFingerprint
from evidence.errors import MalformedBody, ManifestConflict, NotFound
from evidence.identifiers import EvidenceId, Role
from evidence.keys import Ed25519PrivateKey, key_id
from evidence.manifest import DerivedFrom, Manifest, Officer, Origin, SignedManifest, content_of
from ingest.access.devices import SERVER_DEVICE, ensure_server_device
from ingest.clock import Clock
from ingest.custody.registration import Registrar
from ingest.uploads.finalize import Finalizer
from ingest.uploads.session import UploadSessions
from storage.interfaces import Devices, Manifests, ObjectLookup
from storage.records import ManifestRecord, StoredObject

__all__ = ["Transcripts"]


def _software() -> str:
    try:
        return f"liuhen-ingest/{version('liuhen')}"
    except PackageNotFoundError:
        return "liuhen-ingest/unknown"


@dataclass(frozen=True)
class Transcripts:
    uploads: Manifests  # the manifests
    objects: ObjectLookup
    devices: Devices  # the server's own device
    registrar: Registrar
    sessions: UploadSessions
    finalizer: Finalizer
    server_key: Ed25519PrivateKey  # signs the transcript's manifest
    case_rule: CaseNumberRule
    clock: Clock
    max_bytes: int  # server.max_transcript_bytes
    # The server signs as its own device one manifest at a time, so its chain never forks.
    signing: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def attach(self, by: str, evidence_id: EvidenceId, text: bytes) -> StoredObject:
        """Sign, register, store and receipt a transcript. An attach that failed after its
        manifest was registered is finished by sending the same text again. ``by`` is the
        signed-in person attaching it, named in the manifest as its capturer."""
        record = await self.uploads.manifest(evidence_id, Role.ORIGINAL)
        if record is None or await self.objects.get(evidence_id, Role.ORIGINAL) is None:
            raise NotFound(f"no stored recording {evidence_id}")
        if await self.objects.get(evidence_id, Role.TRANSCRIPT) is not None:
            raise ManifestConflict(f"{evidence_id} already has a transcript")
        try:
            text.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedBody("a transcript is UTF-8 text") from None
        signed = await self._registered(by, record, text)
        upload = await self.sessions.filled(signed.manifest, text)
        return await self.finalizer.finalize_upload(upload, signed)

    async def _registered(
        self, by: str, original_record: ManifestRecord, text: bytes
    ) -> SignedManifest:
        """The transcript's manifest: held from an attach that stopped after registering it
        (a manifest is never withdrawn, so only the same text can finish it), or signed and
        registered now."""
        evidence_id = original_record.evidence_id
        held = await self.uploads.manifest(evidence_id, Role.TRANSCRIPT)
        if held is not None:
            signed = SignedManifest.read_stored(held.body, held.signature, self.case_rule)
            if signed.manifest.sha256 != Sha256.of(text):
                raise ManifestConflict(
                    f"{evidence_id} has another transcript registered but not yet stored; "
                    "send that text again to finish it"
                )
            return signed
        original = Manifest.read_stored(original_record.body, self.case_rule)
        server = await ensure_server_device(self.devices, self.server_key)
        async with self.signing:
            sequence, previous = await self._next_in_chain()
            manifest = self._manifest(original, by, text, sequence, previous)
            signed = SignedManifest.create(manifest, self.server_key)
            await self.registrar.register_signed(server, signed)
        return signed

    async def _next_in_chain(self) -> tuple[int, Sha256 | None]:
        last = await self.uploads.last_manifest(SERVER_DEVICE)
        return (1, None) if last is None else (last.sequence + 1, last.manifest_sha256)

    def _manifest(
        self,
        original: Manifest,
        by: str,
        text: bytes,
        sequence: int,
        previous: Sha256 | None,
    ) -> Manifest:
        fingerprint = StreamingFingerprint()
        fingerprint.update(text)
        return replace(
            original,
            role=Role.TRANSCRIPT,
            capture=replace(original.capture, captured_by=Officer(by, None)),
            origin=Origin(None, None, _software()),
            device_id=SERVER_DEVICE,
            key_id=key_id(self.server_key.public_key()),
            file_name=f"{original.evidence_id}.transcript.txt",
            **content_of(fingerprint.finish()),
            media_type="text/plain; charset=utf-8",
            sequence=sequence,
            previous=previous,
            created_at=self.clock(),
            derived_from=DerivedFrom(original.evidence_id, Role.ORIGINAL, original.sha256),
            media=None,
            session=None,
            perceptual=None,
        )
