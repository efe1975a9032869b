"""A tus client not written here (tuspy, from PyPI) uploads to /files/."""

import asyncio
import hashlib

import pytest
from tusclient import client as tus

from evidence.wire import FILES, RECORDING
from tests.ingest.helpers import SMALL_CHUNK, prepared


def tuspy_upload(url: str, token: str, path: str, metadata: dict, **options) -> str:
    # A stream we close ourselves: given a path, tuspy leaves the file open.
    with open(path, "rb") as stream:
        uploader = tus.TusClient(url, headers={"Authorization": f"Bearer {token}"}).uploader(
            file_stream=stream, metadata=metadata, **options
        )
        uploader.upload()
        return str(uploader.url)


@pytest.mark.parametrize(
    "options",
    [
        {},  # tuspy's default: the whole file in one PATCH, no checksum
        {"chunk_size": 100_000, "upload_checksum": True},  # sha1 per chunk, not chunk-aligned
    ],
)
async def test_tuspy_uploads_a_file_that_is_then_verified_and_indexed(server, tmp_path, options):
    ready = await prepared(server, size=5 * SMALL_CHUNK + 321)
    path = tmp_path / "clip.mp4"
    path.write_bytes(ready.data)
    manifest = ready.signed.manifest
    metadata = {
        "evidence_id": str(manifest.evidence_id),
        "role": "original",
        "filename": "clip.mp4",
    }
    location = await asyncio.to_thread(
        tuspy_upload, server.url + FILES, ready.token, str(path), metadata, **options
    )
    assert location.startswith(server.url + FILES)
    token = await server.add_user()
    reply = await server.send(
        "GET", RECORDING.format(evidence_id=manifest.evidence_id), token=token
    )
    assert reply.status == 200
    assert reply.json()["sha256"] == hashlib.sha256(ready.data).hexdigest()
    assert [blob.read_bytes() for blob in server.stored_blobs()] == [ready.data]
