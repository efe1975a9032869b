"""What the server keeps in memory for uploads taking bytes: the parsed signed manifest and
the running fingerprint of the committed bytes, so each byte is hashed once as it arrives
and the manifest is parsed once. Lost on restart, and rebuilt from the index and the upload
area the first time the upload is touched again (or on another server): by reading the
partial file back, or, from S3 parts that cannot be read back, from the signed chunk
digests without a whole-file digest (``UploadArea.resume``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from evidence.case_number import CaseNumberRule
from evidence.digest import StreamingFingerprint
from evidence.errors import StorageFailure
from evidence.manifest import SignedManifest
from storage.interfaces import Manifests, UploadArea
from storage.records import ManifestRecord, UploadRecord

__all__ = ["OpenUpload", "OpenUploads"]


@dataclass
class OpenUpload:
    signed: SignedManifest
    fingerprint: StreamingFingerprint


class OpenUploads:
    def __init__(self, uploads: Manifests, area: UploadArea, case_rule: CaseNumberRule) -> None:
        self._uploads = uploads
        self._area = area
        self._case_rule = case_rule
        self.held: dict[str, OpenUpload] = {}

    def parse(self, record: ManifestRecord) -> SignedManifest:
        """A kept manifest, read without today's ranges: it was checked when it arrived."""
        return SignedManifest.read_stored(record.body, record.signature, self._case_rule)

    def start(self, upload: UploadRecord, signed: SignedManifest) -> None:
        """Keep a new upload's parsed manifest, with nothing hashed yet."""
        if upload.offset == 0:
            fingerprint = StreamingFingerprint(signed.manifest.chunk_size, upload.length)
            self.held[upload.upload_id] = OpenUpload(signed, fingerprint)

    def keep(self, upload_id: str, held: OpenUpload) -> None:
        self.held[upload_id] = held

    async def get(
        self,
        upload: UploadRecord,
        record: ManifestRecord | None = None,
        signed: SignedManifest | None = None,
    ) -> OpenUpload:
        """The upload's manifest and the fingerprint of its committed bytes: kept from
        earlier requests, or rebuilt once by the upload area (its manifest: parsed already
        as ``signed``, read already as ``record``, or read now)."""
        held = self.held.get(upload.upload_id)
        if held is not None and held.fingerprint.position == upload.offset:
            return held
        if signed is None:
            signed = self.parse(record or await self._manifest(upload))
        manifest = signed.manifest
        fresh = StreamingFingerprint(manifest.chunk_size, upload.length)
        resume = self._area.resume
        fingerprint = await asyncio.to_thread(resume, upload, fresh, manifest.chunks)
        held = self.held[upload.upload_id] = OpenUpload(signed, fingerprint)
        return held

    async def _manifest(self, upload: UploadRecord) -> ManifestRecord:
        record = await self._uploads.manifest(upload.evidence_id, upload.role)
        if record is None:  # uploads are only created for registered manifests
            raise StorageFailure(f"upload {upload.upload_id} has no manifest")
        return record

    def forget(self, upload_id: str) -> None:
        self.held.pop(upload_id, None)
