"""Uploads through the real server with its store and upload area in an S3 bucket (moto's
server, over real HTTP): a tus upload ends in a receipt and a locked object, with the
signed manifest and receipt beside it in the bucket; any server sharing the bucket takes
any PATCH; and the server never asks S3 to delete or overwrite anything."""

from __future__ import annotations

import base64
from contextlib import AsyncExitStack
from dataclasses import replace

from evidence.digest import Sha256
from evidence.receipt import SignedReceipt
from evidence.tus_wire import TUS_VERSION
from evidence.wire import FINALIZE
from storage.s3_blobs import S3BlobStore
from tests.ingest.helpers import Prepared, created, prepared, sha256, upload_all
from tests.s3.conftest import s3_server_config, serve
from tests.s3.moto import MotoS3

MIB = 1024 * 1024
CHUNK = MIB  # a 1 MiB chunk: parts of five chunks, S3's smallest part
PART = 5 * MIB
SIZE = 2 * PART + MIB + 1234  # three parts, the last a short one


async def upload(server, ready: Prepared, url: str, start: int = 0, piece: int = PART) -> None:
    for offset in range(start, len(ready.data), piece):
        body = ready.data[offset : offset + piece]
        reply = await server.patch(url, offset, body, ready.token, checksum=sha256(body))
        assert reply.status == 204, reply.body
        assert int(reply.headers["Upload-Offset"]) == offset + len(body)


async def finalize(server, ready: Prepared):
    manifest = ready.signed.manifest
    path = FINALIZE.format(evidence_id=manifest.evidence_id, role=manifest.role.value)
    return await server.send("POST", path, token=ready.token)


def objects(moto: MotoS3, bucket: str) -> dict[str, bytes]:
    client = moto.client()
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {
        item["Key"]: client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        for item in listed
    }


def open_parts(moto: MotoS3, bucket: str) -> list[str]:
    return [
        u["Key"] for u in moto.client().list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    ]


async def test_an_upload_ends_in_a_receipt_and_locked_objects_that_prove_custody(
    s3_server, moto, bucket, calls
):
    ready = await prepared(s3_server, SIZE, chunk_size=CHUNK)
    url = await created(s3_server, ready)
    await upload(s3_server, ready, url)
    reply = await finalize(s3_server, ready)
    assert reply.status == 200, reply.body
    manifest = ready.signed.manifest
    stored = await s3_server.ctx.index.objects.get(manifest.evidence_id, manifest.role)
    assert stored is not None and stored.store == "s3"
    prefix = f"evidence/{manifest.evidence_id}/original/"
    assert stored.locator.startswith(prefix + "upload-")

    held = objects(moto, bucket)
    assert held == {
        stored.locator: ready.data,
        prefix + "manifest.json": ready.signed.body,
        prefix + "manifest.sig": ready.signed.signature,
        prefix + "receipt.json": stored.receipt_body,
        prefix + "receipt.sig": stored.receipt_signature,
    }, "the bucket alone holds the bytes, what the device signed and what the server signed"
    receipt = SignedReceipt.parse(held[prefix + "receipt.json"], held[prefix + "receipt.sig"])
    receipt.verify(s3_server.ctx.server_key.public_key())
    receipt.check_covers(ready.signed)
    assert base64.b64decode(reply.json()["receipt"]) == stored.receipt_body
    for key in held:
        head = moto.client().head_object(Bucket=bucket, Key=key)
        assert head["ObjectLockMode"] == "COMPLIANCE", key
        assert head["ObjectLockRetainUntilDate"] > stored.received_at, key

    verdict = await s3_server.ctx.services.verifier.verify(manifest.evidence_id)
    assert verdict["ok"], verdict
    again = await finalize(s3_server, ready)
    assert again.json() == reply.json(), "finalize is idempotent"
    assert not calls.removals, calls.calls
    assert not calls.writes_onto_held, calls.writes_onto_held
    assert {"UploadPart", "CompleteMultipartUpload", "GetObject"} <= set(calls.calls)
    assert not open_parts(moto, bucket)


async def test_any_server_sharing_the_bucket_takes_any_patch(moto, bucket, tmp_path):
    config = s3_server_config(tmp_path, moto, bucket)
    async with AsyncExitStack() as stack:
        first = await serve(config, tmp_path, stack)
        second = await serve(config, tmp_path, stack)
        ready = await prepared(first, SIZE, chunk_size=CHUNK)
        url = await created(first, ready)
        path = url.split("://", 1)[1].split("/", 1)[1]
        for number, offset in enumerate(range(0, SIZE, PART)):
            node = (first, second)[number % 2]
            body = ready.data[offset : offset + PART]
            reply = await node.patch(f"/{path}", offset, body, ready.token, checksum=sha256(body))
            assert reply.status == 204, (number, reply.body)
        assert second.ctx.open_uploads[path.rsplit("/", 1)[1]].fingerprint.whole_known is False
        reply = await finalize(second, ready)
        assert reply.status == 200, reply.body
        manifest = ready.signed.manifest
        stored = await first.ctx.index.objects.get(manifest.evidence_id, manifest.role)
        assert stored is not None and stored.sha256 == Sha256.of(ready.data)
        assert b"".join(first.ctx.store.read(stored.locator, MIB)) == ready.data


async def test_a_patch_that_fills_no_part_is_refused_and_keeps_nothing(s3_server):
    ready = await prepared(s3_server, SIZE, chunk_size=CHUNK)
    url = await created(s3_server, ready)
    body = ready.data[:MIB]
    reply = await s3_server.patch(url, 0, body, ready.token, checksum=sha256(body))
    assert reply.status == 400 and reply.code == "part_too_small"
    assert str(PART) in reply.json()["error"]["message"]
    head = await s3_server.head(url, ready.token)
    assert head.headers["Upload-Offset"] == "0"


async def test_a_patch_ending_inside_a_part_keeps_its_whole_parts(s3_server, moto, bucket):
    ready = await prepared(s3_server, SIZE, chunk_size=CHUNK)
    url = await created(s3_server, ready)
    body = ready.data[: PART + 2 * MIB]
    reply = await s3_server.patch(url, 0, body, ready.token, checksum=sha256(body))
    assert reply.status == 204 and reply.headers["Upload-Offset"] == str(PART)
    await upload(s3_server, ready, url, start=PART)
    reply = await finalize(s3_server, ready)
    assert reply.status == 200, reply.body
    manifest = ready.signed.manifest
    stored = await s3_server.ctx.index.objects.get(manifest.evidence_id, manifest.role)
    assert stored is not None
    assert objects(moto, bucket)[stored.locator] == ready.data


async def test_bytes_unlike_their_manifest_are_rejected_and_nothing_is_stored(
    s3_server, moto, bucket, calls
):
    ready = await prepared(s3_server, SIZE, chunk_size=CHUNK, sha256=Sha256.of(b"not this"))
    url = await created(s3_server, ready)
    await upload(s3_server, ready, url)
    reply = await finalize(s3_server, ready)
    assert reply.status == 422 and reply.code == "digest_mismatch"
    assert objects(moto, bucket) == {}
    assert not open_parts(moto, bucket), "the parts of a rejected upload are dropped"
    assert not calls.removals and "AbortMultipartUpload" in calls.calls


async def test_a_terminated_upload_drops_its_parts_and_deletes_nothing(
    s3_server, moto, bucket, calls
):
    ready = await prepared(s3_server, SIZE, chunk_size=CHUNK)
    url = await created(s3_server, ready)
    body = ready.data[:PART]
    reply = await s3_server.patch(url, 0, body, ready.token, checksum=sha256(body))
    assert reply.status == 204
    assert len(open_parts(moto, bucket)) == 1
    reply = await s3_server.send(
        "DELETE", url, token=ready.token, headers={"Tus-Resumable": TUS_VERSION}
    )
    assert reply.status == 204
    assert not open_parts(moto, bucket)
    assert objects(moto, bucket) == {}
    assert not calls.removals


async def test_a_transcript_the_server_signs_is_stored_and_kept_beside_it(s3_server, moto, bucket):
    ready = await prepared(s3_server, SIZE, chunk_size=CHUNK)
    await upload(s3_server, ready, await created(s3_server, ready))
    assert (await finalize(s3_server, ready)).status == 200
    await s3_server.add_person("wang")
    text = "民警：现在开始执法记录。".encode()
    evidence_id = ready.signed.manifest.evidence_id
    stored = await s3_server.ctx.services.transcripts.attach("wang", evidence_id, text)
    held = objects(moto, bucket)
    assert held[stored.locator] == text
    assert held[f"evidence/{evidence_id}/transcript/receipt.json"] == stored.receipt_body
    assert not open_parts(moto, bucket)


async def test_the_s3_store_also_takes_uploads_kept_on_local_disk(moto, bucket, tmp_path):
    """One server, partial files on its disk, the stored objects in the locked bucket."""
    config = replace(s3_server_config(tmp_path, moto, bucket), upload_area="local")
    async with AsyncExitStack() as stack:
        server = await serve(config, tmp_path, stack)
        ready = await prepared(server)  # small chunks: a local partial file takes any PATCH
        await upload_all(server, ready, await created(server, ready))
        assert (await finalize(server, ready)).status == 200
        manifest = ready.signed.manifest
        stored = await server.ctx.index.objects.get(manifest.evidence_id, manifest.role)
        assert stored is not None
        assert stored.locator == S3BlobStore.locator_for(Sha256.of(ready.data))
        held = objects(moto, bucket)
        assert held[stored.locator] == ready.data
        assert held[f"evidence/{manifest.evidence_id}/original/manifest.json"] == ready.signed.body
        head = moto.client().head_object(Bucket=bucket, Key=stored.locator)
        assert head["ObjectLockMode"] == "COMPLIANCE"
        assert not list(config.uploads_dir.iterdir()), "the partial file is gone once stored"
