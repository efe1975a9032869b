"""Finalize across nodes: two nodes racing to finalize one upload make one recording (one
object in the bucket, one row in the index, one receipt); a node killed mid-finalize
(the server's failpoints, SIGKILL at the worst moments) leaves nothing half done, and
another node finishes the upload."""

from __future__ import annotations

import asyncio
import base64

import aiohttp
import pytest

from evidence.digest import Sha256
from evidence.wire import FINALIZE
from ingest import failpoints
from runtime.failpoints import ENVIRONMENT
from storage.s3_blobs import S3BlobStore
from tests.ingest.helpers import Prepared, created, prepared, sha256
from tests.s3.test_s3_uploads import CHUNK, MIB, PART, finalize

SIZE = 2 * PART + MIB + 7  # three PATCHes of a part each, the last a short one


def _on(node, url: str) -> str:
    """The upload's URL on one node, past nginx."""
    return node.url + "/" + url.split("://", 1)[1].split("/", 1)[1]


async def _patch_all(books, ready: Prepared, url: str, nodes_in_turn) -> None:
    """Every part but the last, each PATCH to the next of ``nodes_in_turn``."""
    for number, offset in enumerate(range(0, SIZE - SIZE % PART, PART)):
        body = ready.data[offset : offset + PART]
        node = nodes_in_turn[number % len(nodes_in_turn)]
        reply = await books.patch(_on(node, url), offset, body, ready.token, checksum=sha256(body))
        assert reply.status == 204, reply.body


def _versions(books, prefix: str) -> dict[str, int]:
    """How many versions each key under ``prefix`` has in the bucket."""
    store = books.ctx.store
    assert isinstance(store, S3BlobStore)
    listed = store.bucket.client.list_object_versions(Bucket=store.bucket.name, Prefix=prefix)
    counts: dict[str, int] = {}
    for version in listed.get("Versions", []):
        counts[version["Key"]] = counts.get(version["Key"], 0) + 1
    return counts


async def _finalize_on(books, node, ready: Prepared):
    manifest = ready.signed.manifest
    path = FINALIZE.format(evidence_id=manifest.evidence_id, role=manifest.role.value)
    return await books.send("POST", node.url + path, token=ready.token)


async def _one_recording(books, ready: Prepared) -> None:
    manifest = ready.signed.manifest
    stored = await books.ctx.index.objects.get(manifest.evidence_id, manifest.role)
    assert stored is not None and stored.sha256 == Sha256.of(ready.data)
    versions = _versions(books, f"evidence/{manifest.evidence_id}/")
    assert versions and set(versions.values()) == {1}, f"a key written twice: {versions}"
    assert stored.locator in versions
    verdict = await books.ctx.services.verifier.verify(manifest.evidence_id)
    assert verdict["ok"], verdict


async def test_two_nodes_racing_to_finalize_one_upload_make_one_recording(books, nodes):
    first, second, third = nodes.nodes
    # The first node dies as the last byte is committed: complete, and not finalized.
    nodes.restart(first, {ENVIRONMENT: f"{failpoints.AFTER_COMMIT}=kill@1"})
    ready = await prepared(books, SIZE, chunk_size=CHUNK)
    url = await created(books, ready)
    await _patch_all(books, ready, url, [second, second])  # all but the last part
    last = SIZE - SIZE % PART
    body = ready.data[last:]
    with pytest.raises(aiohttp.ClientError):
        await books.patch(_on(first, url), last, body, ready.token, checksum=sha256(body))
    assert first.wait_exit(10) == -9
    upload = await books.ctx.index.uploads.upload(url.rsplit("/", 1)[1])
    assert upload is not None and upload.offset == SIZE and upload.state.value != "finalized"

    racing = [_finalize_on(books, node, ready) for node in (second, third, second, third)]
    replies = await asyncio.gather(*racing)
    assert [reply.status for reply in replies] == [200] * 4, [r.body for r in replies]
    receipts = {reply.json()["receipt"] for reply in replies}
    assert len(receipts) == 1, "one recording, one receipt"
    await _one_recording(books, ready)
    stored = await books.ctx.index.objects.get(
        ready.signed.manifest.evidence_id, ready.signed.manifest.role
    )
    assert stored is not None and base64.b64decode(receipts.pop()) == stored.receipt_body


@pytest.mark.parametrize("point", [failpoints.MID_FINALIZE, failpoints.AFTER_RECEIPT])
async def test_a_node_killed_mid_finalize_leaves_nothing_half_done(books, nodes, point):
    first = nodes.nodes[0]
    nodes.restart(first, {ENVIRONMENT: f"{point}=kill@1"})
    ready = await prepared(books, SIZE, chunk_size=CHUNK)
    url = await created(books, ready)
    await _patch_all(books, ready, url, [first, first])  # all but the last part
    last = SIZE - SIZE % PART
    body = ready.data[last:]
    with pytest.raises(aiohttp.ClientError):  # finalize starts with the last byte in
        await books.patch(_on(first, url), last, body, ready.token, checksum=sha256(body))
    assert first.wait_exit(10) == -9
    manifest = ready.signed.manifest
    assert await books.ctx.index.objects.get(manifest.evidence_id, manifest.role) is None
    upload = await books.ctx.index.uploads.upload(url.rsplit("/", 1)[1])
    assert upload is not None and upload.state.value != "finalized", "not half finalized"

    reply = await finalize(books, ready)  # through nginx: another node
    assert reply.status == 200, reply.body
    assert reply.headers["X-Liuhen-Node"] != first.address
    await _one_recording(books, ready)
