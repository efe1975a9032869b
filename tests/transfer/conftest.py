"""Fixtures of the evidence-package tests: a stored recording made of real video (an
original and its review copy, from one dock), a second server (the receiving agency),
and a package exported through the API and unpacked."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from devices.footage import write_clip
from evidence.case_number import CaseNumberRule
from evidence.identifiers import Role
from evidence.manifest import DerivedFrom, SignedManifest
from evidence.wire import EXPORTS
from ingest.http.server import running
from ingest.server_config import IngestConfig
from ingest.startup import open_server
from tests.builders import CASE, signed_for
from tests.conftest import Clock, Device, Server
from tests.ingest.helpers import SMALL_CHUNK, sha256

PURPOSE = "移送检察院审查起诉"


@dataclass
class Recording:
    device: Device
    original: SignedManifest
    proxy: SignedManifest
    data: bytes
    proxy_data: bytes


def clip(tmp: Path, name: str, hue: int, seconds: float) -> bytes:
    path = tmp / name
    start = datetime(2026, 3, 12, 1, 30, tzinfo=UTC)
    write_clip(path, seconds=seconds, started_at=start, width=160, height=120, hue=hue)
    return path.read_bytes()


async def _upload(server: Server, signed: SignedManifest, data: bytes, token: str) -> None:
    assert (await server.register(signed, token)).status == 201
    reply = await server.create(signed, token)
    assert reply.status == 201, reply.body
    url = reply.headers["Location"]
    for offset in range(0, len(data), SMALL_CHUNK):
        part = data[offset : offset + SMALL_CHUNK]
        sent = await server.patch(url, offset, part, token, checksum=sha256(part))
        assert sent.status == 204, sent.body


async def stored_video(server: Server, tmp: Path) -> Recording:
    """A real MP4 original and its review copy, signed by one dock and stored."""
    device = await server.add_device()
    token = await server.token_for(device)
    data, proxy_data = clip(tmp, "orig.mp4", 90, 4.0), clip(tmp, "copy.mp4", 30, 2.0)
    original = signed_for(data, device.device_id, device.key, chunk_size=SMALL_CHUNK)
    manifest = original.manifest
    proxy = signed_for(
        proxy_data,
        device.device_id,
        device.key,
        chunk_size=SMALL_CHUNK,
        evidence_id=manifest.evidence_id,
        role=Role.PROXY,
        derived_from=DerivedFrom(manifest.evidence_id, Role.ORIGINAL, manifest.sha256),
        sequence=2,
        previous=original.sha256,
        file_name="clip.proxy.mp4",
    )
    await _upload(server, original, data, token)
    await _upload(server, proxy, proxy_data, token)
    return Recording(device, original, proxy, data, proxy_data)


async def export(server: Server, token: str, **body: object) -> tuple[int, bytes, dict]:
    """POST an export; (status, archive or error body, headers)."""
    body.setdefault("purpose", PURPOSE)
    reply = await server.send("POST", EXPORTS, token=token, body=json.dumps(body).encode())
    return reply.status, reply.body, dict(reply.headers)


def unpack(archive: bytes, folder: Path) -> Path:
    folder.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


@dataclass
class Exported:
    recording: Recording
    archive: bytes
    folder: Path
    log_index: int


@pytest.fixture
async def exported(server: Server, tmp_path: Path) -> Exported:
    recording = await stored_video(server, tmp_path)
    token = await server.add_user("wang", "custodian")
    status, archive, headers = await export(server, token, case=CASE)
    assert status == 200, archive
    assert headers["Content-Type"] == "application/x-tar"
    folder = unpack(archive, tmp_path / "package")
    return Exported(recording, archive, folder, int(headers["Liuhen-Log-Index"]))


@pytest.fixture
async def second(tmp_path: Path) -> AsyncIterator[Server]:
    """Another agency's Liuhen server, on its own data directory."""
    root = tmp_path / "second"
    config = IngestConfig(data_dir=root / "server", port=0, max_upload_bytes=64 * 1024 * 1024)
    clock = Clock()
    ctx = await open_server(config, CaseNumberRule(), clock)
    serving = AsyncExitStack()
    try:
        url = await serving.enter_async_context(running(ctx, "127.0.0.1", 0))
        async with aiohttp.ClientSession() as http:
            yield Server(ctx, url, clock, root, http, _serving=serving)
    finally:
        await serving.aclose()
        await ctx.close()
