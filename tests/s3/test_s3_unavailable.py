"""When the bucket cannot be reached: the server answers 503 storage_unavailable, keeps
nothing past what S3 acknowledged (the committed offset does not move), and carries on
once S3 is back; the real agent keeps its copy and retries until it holds a receipt."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import replace

import pytest

from evidence.errors import ConfigError, StorageUnavailable
from ingest.startup import open_server
from storage.s3_blobs import S3BlobStore
from tests.agent.outage import agent_keeps_its_copy_and_retries
from tests.conftest import Clock
from tests.ingest.helpers import created, prepared, sha256
from tests.s3.conftest import s3_server_config, serve
from tests.s3.moto import free_port
from tests.s3.test_s3_uploads import CHUNK, PART, SIZE, finalize, upload


async def test_patches_while_s3_is_away_are_503_and_move_no_offset(own_moto, tmp_path):
    config = s3_server_config(tmp_path, own_moto, own_moto.bucket())
    async with AsyncExitStack() as stack:
        server = await serve(config, tmp_path, stack)
        ready = await prepared(server, SIZE, chunk_size=CHUNK)
        url = await created(server, ready)
        upload_id = url.rsplit("/", 1)[1]
        body = ready.data[:PART]
        assert (await server.patch(url, 0, body, ready.token, checksum=sha256(body))).status == 204

        own_moto.stop()
        body = ready.data[PART : 2 * PART]
        reply = await server.patch(url, PART, body, ready.token, checksum=sha256(body))
        assert reply.status == 503 and reply.code == "storage_unavailable", reply.body
        held = await server.ctx.index.uploads.upload(upload_id)
        assert held is not None and held.offset == PART, "nothing past what S3 acknowledged"
        other = await prepared(server, SIZE, chunk_size=CHUNK)
        reply = await server.create(other.signed, other.token)
        assert reply.status == 503 and reply.code == "storage_unavailable", reply.body
        manifest = other.signed.manifest
        assert (
            await server.ctx.index.uploads.live_upload(manifest.evidence_id, manifest.role) is None
        )

        own_moto.start()
        await upload(server, ready, url, start=PART)
        reply = await finalize(server, ready)
        assert reply.status == 200, reply.body


async def test_s3_gone_before_assembly_is_503_and_the_upload_stays_open(own_moto, tmp_path):
    config = s3_server_config(tmp_path, own_moto, own_moto.bucket())
    async with AsyncExitStack() as stack:
        server = await serve(config, tmp_path, stack)
        ready = await prepared(server, SIZE, chunk_size=CHUNK)
        url = await created(server, ready)
        upload_id = url.rsplit("/", 1)[1]
        gone: list[str] = []

        def outage(**_: object) -> None:  # S3 goes away as the parts are to be assembled
            if not gone:
                gone.append("stopped")
                own_moto.stop()

        store = server.ctx.store
        assert isinstance(store, S3BlobStore)
        store.bucket.client.meta.events.register("before-call.s3.CompleteMultipartUpload", outage)
        await upload(server, ready, url)  # the last byte in: finalize is tried, and fails
        assert gone
        reply = await finalize(server, ready)
        assert reply.status == 503 and reply.code == "storage_unavailable", reply.body
        held = await server.ctx.index.uploads.upload(upload_id)
        assert held is not None and held.state.value == "open" and held.error_code is None
        manifest = ready.signed.manifest
        assert await server.ctx.index.objects.get(manifest.evidence_id, manifest.role) is None
        own_moto.start()
        reply = await finalize(server, ready)
        assert reply.status == 200, reply.body


async def test_the_agent_keeps_its_copy_and_retries_until_s3_is_back(own_moto, tmp_path, rule):
    config = s3_server_config(tmp_path, own_moto, own_moto.bucket())
    async with AsyncExitStack() as stack:
        server = await serve(config, tmp_path, stack)
        await agent_keeps_its_copy_and_retries(
            server,
            tmp_path,
            rule,
            away=own_moto.stop,
            back=own_moto.start,
            code="storage_unavailable",
        )


async def test_the_server_refuses_to_start_against_an_unfit_or_unreachable_bucket(
    moto, tmp_path, rule
):
    unlocked = s3_server_config(tmp_path, moto, moto.bucket(locked=False))
    with pytest.raises(ConfigError, match="has no Object Lock"):
        await open_server(unlocked, rule, Clock())
    nowhere = moto.config("liuhen-away", endpoint_url=f"http://127.0.0.1:{free_port()}")
    away = replace(s3_server_config(tmp_path, moto, "liuhen-away"), s3=nowhere)
    with pytest.raises(StorageUnavailable, match="cannot be reached"):
        await open_server(away, rule, Clock())
