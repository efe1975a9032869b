"""Uploads through nginx to three nodes sharing PostgreSQL and S3: the PATCHes of one upload
land on different nodes, round-robin (each response names its node, and so does nginx's
access log), and the upload ends in one locked object and its receipt."""

from __future__ import annotations

import base64
import itertools

from evidence.digest import Sha256
from evidence.receipt import SignedReceipt
from tests.cluster.conftest import logged_patches
from tests.ingest.helpers import created, prepared, sha256
from tests.s3.test_s3_uploads import CHUNK, MIB, PART, finalize

SIZE = 3 * PART + MIB + 99  # four PATCHes of a part each, the last a short one


async def test_the_patches_of_one_upload_land_on_every_node_in_turn(books, nodes):
    ready = await prepared(books, SIZE, chunk_size=CHUNK)
    url = await created(books, ready)
    assert url.startswith(nodes.url)  # the Location nginx's, not a node's
    upload_id = url.rsplit("/", 1)[1]
    answered = []
    for offset in range(0, SIZE, PART):
        body = ready.data[offset : offset + PART]
        reply = await books.patch(url, offset, body, ready.token, checksum=sha256(body))
        assert reply.status == 204, reply.body
        answered.append(reply.headers["X-Liuhen-Node"])
    assert set(answered) == {node.address for node in nodes.nodes}, answered
    assert all(a != b for a, b in itertools.pairwise(answered)), "round-robin"
    assert (
        await logged_patches(nodes, upload_id, lambda t: len(t) >= len(answered)) == answered
    )  # nginx's log says so

    reply = await finalize(books, ready)
    assert reply.status == 200, reply.body
    manifest = ready.signed.manifest
    stored = await books.ctx.index.objects.get(manifest.evidence_id, manifest.role)
    assert stored is not None and stored.sha256 == Sha256.of(ready.data)
    assert b"".join(books.ctx.store.read(stored.locator, MIB)) == ready.data
    assert base64.b64decode(reply.json()["receipt"]) == stored.receipt_body
    receipt = SignedReceipt.parse(stored.receipt_body, stored.receipt_signature)
    receipt.verify(books.ctx.server_key.public_key())  # the one key every node signs with
    verdict = await books.ctx.services.verifier.verify(manifest.evidence_id)
    assert verdict["ok"], verdict
