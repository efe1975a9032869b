"""The server's services without a server: real books in a temporary folder (the SQLite
index, the local store, the upload area), built as the HTTP application builds them, and
driven with plain values: headers as a dict, a PATCH body as an async iterator of bytes.
No aiohttp, no socket."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from evidence.case_number import CaseNumberRule
from evidence.digest import Sha256
from evidence.identifiers import DeviceId
from evidence.keys import Ed25519PrivateKey, public_key_pem
from evidence.manifest import SignedManifest
from evidence.tus_wire import OFFSET_CONTENT_TYPE, encode_metadata, format_checksum
from ingest.access.devices import register_device
from ingest.server_config import IngestConfig
from ingest.startup import IngestServer, open_server
from ingest.uploads.rules import parse_creation
from ingest.wiring import Services
from runtime.key_files import generate_key_pair
from storage.records import DeviceRecord, UploadRecord, UploadState
from tests.builders import signed_for
from tests.conftest import Clock

SMALL_CHUNK = 64 * 1024
# A manifest change every chunk survives, but finalize's whole-file check does not.
LYING_ABOUT_ITS_HASH = {"sha256": Sha256.of(b"not this file")}


async def body(*pieces: bytes, cut: bool = False) -> AsyncIterator[bytes]:
    """A PATCH body of these pieces; ``cut``: the client goes away after the last."""
    for piece in pieces:
        yield piece
    if cut:
        raise ConnectionResetError("the client went away")


def patch_headers(
    offset: int, data: bytes | None = None, *, checksum: bytes | None = None, **more: str
) -> dict[str, str]:
    """A PATCH's headers: its offset, the body's length and (with ``data`` and no other
    ``checksum``) the body's SHA-256 as Upload-Checksum."""
    headers = {"Content-Type": OFFSET_CONTENT_TYPE, "Upload-Offset": str(offset)}
    if data is not None:
        headers["Content-Length"] = str(len(data))
        headers["Upload-Checksum"] = format_checksum(
            "sha256", checksum or hashlib.sha256(data).digest()
        )
    headers.update(more)
    return headers


@dataclass
class Offline:
    server: IngestServer
    clock: Clock
    device: DeviceRecord
    key: Ed25519PrivateKey
    _sequence: int = field(default=0)
    _previous: Sha256 | None = None

    @property
    def services(self) -> Services:
        return self.server.services

    async def registered(
        self, size: int = 3 * SMALL_CHUNK + 100, **changes: object
    ) -> tuple[bytes, SignedManifest]:
        """Random bytes and their manifest (with ``changes``), the device's next, registered."""
        self._sequence += 1
        data = os.urandom(size)
        signed = signed_for(
            data,
            str(self.device.device_id),
            self.key,
            chunk_size=SMALL_CHUNK,
            sequence=self._sequence,
            previous=self._previous,
            **changes,
        )
        await self.services.registrar.register(self.device, signed.body, signed.signature)
        self._previous = signed.sha256
        return data, signed

    async def created(self, signed: SignedManifest) -> UploadRecord:
        manifest = signed.manifest
        metadata = {"evidence_id": str(manifest.evidence_id), "role": manifest.role.value}
        headers = {
            "Upload-Length": str(manifest.size),
            "Upload-Metadata": encode_metadata(metadata),
        }
        creation = parse_creation(headers, self.services.uploads.limits.size_limit)
        upload, new = await self.services.uploads.create(self.device, creation)
        assert new
        return upload

    async def append(
        self, upload: UploadRecord, offset: int, data: bytes, **options: object
    ) -> UploadRecord:
        """One PATCH of ``data`` at ``offset``, with its checksum and length."""
        headers = patch_headers(offset, data)
        return await self.services.uploads.append(
            self.device,
            upload.upload_id,
            headers,
            body(data),
            **options,  # type: ignore[arg-type]
        )

    async def rejected(self) -> UploadRecord:
        """An upload whose every byte arrived, rejected at finalize (digest_mismatch)."""
        data, signed = await self.registered(**LYING_ABOUT_ITS_HASH)
        upload = await self.append(await self.created(signed), 0, data)
        await self.services.finalizer.finalize_if_complete(upload)
        held = await self.upload(upload)
        assert held is not None and held.state is UploadState.REJECTED
        return held

    async def upload(self, upload: UploadRecord) -> UploadRecord | None:
        return await self.server.index.uploads.upload(upload.upload_id)

    def partial(self, upload: UploadRecord) -> Path:
        return self.server.area.path(upload.upload_id)


async def open_offline(root: Path) -> Offline:
    clock = Clock()
    config = IngestConfig(data_dir=root / "server", max_upload_bytes=256 * 1024 * 1024)
    server = await open_server(config, CaseNumberRule(), clock)
    key = generate_key_pair(root / "device" / "device.pem")
    pem = public_key_pem(key.public_key())
    device = await register_device(server.index.devices, DeviceId("dock-offline-01"), pem)
    return Offline(server, clock, device, key)
