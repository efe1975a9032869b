"""Finalize: every byte against the signed manifest, then store, index and receipt."""

import base64
import dataclasses
import os

import pytest

from evidence.digest import Sha256, StreamingFingerprint
from evidence.errors import SizeMismatch
from evidence.identifiers import EvidenceId
from evidence.manifest import SignedManifest
from evidence.receipt import SignedReceipt
from evidence.wire import FINALIZE
from ingest.custody.policies import AllOf, SizeMatches, Subject
from tests.builders import manifest_for
from tests.ingest.helpers import SMALL_CHUNK, Prepared, created, prepared, upload_all


def finalize_path(signed: SignedManifest) -> str:
    return FINALIZE.format(evidence_id=signed.manifest.evidence_id, role=signed.manifest.role.value)


async def test_the_receipt_verifies_and_names_exactly_the_manifest_sent(server):
    ready = await prepared(server)
    await upload_all(server, ready, await created(server, ready))
    reply = await server.send("POST", finalize_path(ready.signed), token=ready.token)
    body = reply.json()
    receipt = SignedReceipt.parse(
        base64.b64decode(body["receipt"]), base64.b64decode(body["signature"])
    )
    receipt.verify(server.ctx.server_key.public_key())
    receipt.check_covers(ready.signed)
    assert receipt.receipt.locator.endswith(Sha256.of(ready.data).hex)
    assert receipt.receipt.sequence == 1


async def test_a_wrong_whole_file_hash_is_caught_at_finalize_and_nothing_is_stored(server):
    """Every chunk matches its signed digest, but the signed whole-file SHA-256 is wrong."""
    device = await server.add_device()
    token = await server.token_for(device)
    data = os.urandom(3 * SMALL_CHUNK)
    honest = manifest_for(data, device.device_id, device.key, chunk_size=SMALL_CHUNK)
    lying = SignedManifest.create(
        dataclasses.replace(honest, sha256=Sha256.of(b"not this file")), device.key
    )
    assert (await server.register(lying, token)).status == 201
    ready = Prepared(device, token, data, lying)
    url = await created(server, ready)
    await upload_all(server, ready, url)  # the last PATCH succeeds: the bytes are all there
    reply = await server.send("POST", finalize_path(lying), token=token)
    assert (reply.status, reply.code) == (422, "digest_mismatch")
    assert server.stored_blobs() == []
    assert (
        await server.ctx.index.objects.get(lying.manifest.evidence_id, lying.manifest.role) is None
    )
    again = await server.send("POST", finalize_path(lying), token=token)
    assert again.code == "digest_mismatch"  # the verdict is kept, not recomputed differently
    refused = await server.patch(url, 0, data[:10], token)
    assert refused.code == "upload_rejected"


def test_a_size_mismatch_is_a_policy_failure():
    from evidence.keys import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    signed = SignedManifest.create(manifest_for(b"12345", "dock-1", key), key)
    fingerprint = StreamingFingerprint(signed.manifest.chunk_size)
    fingerprint.update(b"1234")
    with pytest.raises(SizeMismatch, match="4 bytes, the manifest says 5"):
        AllOf(SizeMatches()).check(Subject(signed, key.public_key(), fingerprint.finish()))


def test_an_empty_policy_set_is_refused():
    with pytest.raises(ValueError, match="empty AllOf"):
        AllOf()


async def test_finalizing_early_or_without_an_upload_gets_409(server):
    ready = await prepared(server)
    reply = await server.send("POST", finalize_path(ready.signed), token=ready.token)
    assert (reply.status, reply.code) == (409, "upload_incomplete")
    url = await created(server, ready)
    await server.patch(url, 0, ready.data[:10], ready.token)
    reply = await server.send("POST", finalize_path(ready.signed), token=ready.token)
    assert (reply.status, reply.code) == (409, "upload_incomplete")
    assert reply.json()["error"]["details"]["offset"] == 10


async def test_finalizing_an_unregistered_object_gets_409(server):
    ready = await prepared(server)
    path = FINALIZE.format(evidence_id=EvidenceId.new(), role="original")
    reply = await server.send("POST", path, token=ready.token)
    assert (reply.status, reply.code) == (409, "manifest_not_registered")


@pytest.mark.parametrize(
    ("evidence_id", "role"), [("nope", "original"), (str(EvidenceId.new()), "copy")]
)
async def test_malformed_finalize_paths_get_400(server, evidence_id, role):
    ready = await prepared(server)
    reply = await server.send(
        "POST", FINALIZE.format(evidence_id=evidence_id, role=role), token=ready.token
    )
    assert (reply.status, reply.code) == (400, "bad_identifier")


async def test_another_device_cannot_finalize(server):
    ready = await prepared(server)
    await upload_all(server, ready, await created(server, ready))
    other = await server.add_device("dock-other")
    reply = await server.send(
        "POST", finalize_path(ready.signed), token=await server.token_for(other)
    )
    assert (reply.status, reply.code) == (403, "wrong_device")


async def test_identical_footage_under_two_recordings_is_stored_once_and_indexed_twice(server):
    first = await prepared(server, size=1000)
    await upload_all(server, first, await created(server, first))
    twin_signed = manifest_for(
        first.data,
        first.device.device_id,
        first.device.key,
        chunk_size=SMALL_CHUNK,
        sequence=2,
        previous=first.signed.sha256,
    )
    twin = Prepared(
        first.device, first.token, first.data, SignedManifest.create(twin_signed, first.device.key)
    )
    assert (await server.register(twin.signed, twin.token)).status == 201
    await upload_all(server, twin, await created(server, twin))
    assert len(server.stored_blobs()) == 1
    for signed in (first.signed, twin.signed):
        assert (
            await server.ctx.index.objects.get(signed.manifest.evidence_id, signed.manifest.role)
            is not None
        )
