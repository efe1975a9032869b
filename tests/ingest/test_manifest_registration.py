"""Manifest registration: bad manifests, bad signatures, wrong devices, replays, chains."""

import base64
import json
from dataclasses import replace

import pytest

from evidence.digest import Sha256, chunk_root
from evidence.identifiers import Role
from evidence.keys import Ed25519PrivateKey
from evidence.manifest import DerivedFrom, SignedManifest
from evidence.signing import PayloadType, sign
from evidence.strict_json import canonical_bytes
from evidence.wire import MANIFESTS, SIGNATURE_HEADER
from tests.builders import manifest_for, signed_for


async def signed_in(server):
    device = await server.add_device()
    return device, await server.token_for(device)


async def send_raw(server, token, body, signature):
    headers = {"Content-Type": PayloadType.MANIFEST}
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    return await server.send("POST", MANIFESTS, token=token, body=body, headers=headers)


async def nothing_registered(server, signed):
    return (
        await server.ctx.index.uploads.manifest(signed.manifest.evidence_id, signed.manifest.role)
        is None
    )


async def test_a_good_manifest_is_registered_once_and_replays_are_idempotent(server):
    device, token = await signed_in(server)
    signed = signed_for(b"footage", device.device_id, device.key)
    first = await server.register(signed, token)
    assert first.status == 201
    assert first.json()["manifest_sha256"] == signed.sha256.hex
    again = await server.register(signed, token)
    assert again.status == 200
    assert again.json() == first.json()


def resign(device, document) -> tuple[bytes, bytes]:
    """Sign a hand-edited document as the device would: the signature is good, the content is not."""
    body = canonical_bytes(document)
    return body, sign(device.key, PayloadType.MANIFEST, body)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: d.pop("capture"), "bad_manifest"),
        (lambda d: d["file"].pop("sha256"), "bad_manifest"),
        (lambda d: d.update(case_number="第12号"), "bad_case_number"),
        (lambda d: d.update(case_number="JSZF-2026-00000000012"), "bad_case_number"),
        (lambda d: d["file"].update(name="../../etc/cron.d/x"), "unsafe_file_name"),
        (lambda d: d["chunks"].update(root="0" * 64), "bad_manifest"),
        (lambda d: d.update(version=2), "bad_manifest"),
    ],
)
async def test_bad_manifests_signed_by_the_device_are_refused(server, change, code):
    device, token = await signed_in(server)
    document = json.loads(signed_for(b"footage", device.device_id, device.key).body)
    change(document)
    body, signature = resign(device, document)
    reply = await send_raw(server, token, body, base64.b64encode(signature).decode())
    assert (reply.status, reply.code) == (400, code)
    assert reply.json()["error"]["message"]


@pytest.mark.parametrize("body", [b"", b"{", b"\xff\xfe", b"null", b'{"type": "liuhen.manifest"}'])
async def test_unparseable_manifests_get_400(server, body):
    _device, token = await signed_in(server)
    reply = await send_raw(server, token, body, base64.b64encode(bytes(64)).decode())
    assert (reply.status, reply.code) == (400, "bad_manifest")


async def test_a_bad_signature_gets_422_and_nothing_is_kept(server):
    device, token = await signed_in(server)
    signed = signed_for(b"footage", device.device_id, device.key)
    forged = signed.signature[:-1] + bytes([signed.signature[-1] ^ 1])
    reply = await send_raw(server, token, signed.body, base64.b64encode(forged).decode())
    assert (reply.status, reply.code) == (422, "bad_signature")
    assert await nothing_registered(server, signed)


async def test_a_manifest_edited_after_signing_gets_422(server):
    device, token = await signed_in(server)
    signed = signed_for(b"footage", device.device_id, device.key)
    edited = signed.body.replace("张伟".encode(), "李娜".encode())
    reply = await send_raw(server, token, edited, base64.b64encode(signed.signature).decode())
    assert (reply.status, reply.code) == (422, "bad_signature")


@pytest.mark.parametrize(
    "signature", [None, "", "not base64!", base64.b64encode(b"short").decode()]
)
async def test_missing_or_malformed_signatures_are_refused(server, signature):
    device, token = await signed_in(server)
    signed = signed_for(b"footage", device.device_id, device.key)
    reply = await send_raw(server, token, signed.body, signature)
    assert reply.status in {400, 422}
    assert reply.code in {"bad_header", "bad_signature"}
    assert await nothing_registered(server, signed)


async def test_a_manifest_from_another_device_gets_403(server):
    _device, token = await signed_in(server)
    other = await server.add_device("dock-other")
    signed = signed_for(b"footage", other.device_id, other.key)
    reply = await server.register(signed, token)
    assert (reply.status, reply.code) == (403, "wrong_device")
    assert await nothing_registered(server, signed)


async def test_a_manifest_signed_with_an_unregistered_key_gets_422(server):
    device, token = await signed_in(server)
    rogue = Ed25519PrivateKey.generate()
    signed = signed_for(b"footage", device.device_id, rogue)
    reply = await server.register(signed, token)
    assert (reply.status, reply.code) == (422, "key_mismatch")


async def test_an_oversized_manifest_gets_413(server):
    _device, token = await signed_in(server)
    body = b"{" + b" " * (server.ctx.config.max_manifest_bytes + 1) + b"}"
    reply = await send_raw(server, token, body, base64.b64encode(bytes(64)).decode())
    assert (reply.status, reply.code) == (413, "too_large")


async def test_a_manifest_for_a_file_over_the_limit_gets_413(server):
    device, token = await signed_in(server)
    limit = server.ctx.config.max_upload_bytes
    manifest = manifest_for(b"", device.device_id, device.key)
    chunks = tuple(
        Sha256.of(bytes([n % 256])) for n in range(-(-(limit + 1) // manifest.chunk_size))
    )
    big = replace(manifest, size=limit + 1, chunks=chunks, root=chunk_root(chunks))
    reply = await server.register(SignedManifest.create(big, device.key), token)
    assert (reply.status, reply.code) == (413, "too_large")


async def test_different_bytes_for_a_registered_object_get_409(server):
    device, token = await signed_in(server)
    signed = signed_for(b"footage", device.device_id, device.key)
    await server.register(signed, token)
    other = signed_for(
        b"other footage", device.device_id, device.key, evidence_id=signed.manifest.evidence_id
    )
    reply = await server.register(other, token)
    assert (reply.status, reply.code) == (409, "manifest_conflict")


async def test_a_reused_sequence_number_gets_409(server):
    device, token = await signed_in(server)
    await server.register(signed_for(b"one", device.device_id, device.key), token)
    replayed = signed_for(b"two", device.device_id, device.key, sequence=1)
    reply = await server.register(replayed, token)
    assert (reply.status, reply.code) == (409, "sequence_reused")


async def open_flags(server, kind):
    return [flag for flag in await server.ctx.index.flags.open_flags(kind)]


async def test_a_hole_in_the_chain_is_flagged_until_the_missing_manifest_arrives(server):
    device, token = await signed_in(server)
    first = signed_for(b"1", device.device_id, device.key, sequence=1)
    second = signed_for(b"2", device.device_id, device.key, sequence=2, previous=first.sha256)
    third = signed_for(b"3", device.device_id, device.key, sequence=3, previous=second.sha256)
    fourth = signed_for(b"4", device.device_id, device.key, sequence=4, previous=third.sha256)
    await server.register(first, token)
    await server.register(fourth, token)  # 2 and 3 withheld or lost
    assert sorted(flag.subject for flag in await open_flags(server, "sequence_gap")) == [
        f"{device.device_id}#2",
        f"{device.device_id}#3",
    ]
    await server.register(third, token)
    await server.register(second, token)
    assert await open_flags(server, "sequence_gap") == []
    assert await open_flags(server, "sequence_fork") == []


async def test_two_manifests_claiming_one_place_in_the_chain_are_flagged(server):
    device, token = await signed_in(server)
    first = signed_for(b"1", device.device_id, device.key, sequence=1)
    await server.register(first, token)
    stranger = signed_for(
        b"2", device.device_id, device.key, sequence=2, previous=Sha256.of(b"not the first")
    )
    assert (
        await server.register(stranger, token)
    ).status == 201  # kept: refusing would lose footage
    assert [flag.subject for flag in await open_flags(server, "sequence_fork")] == [
        f"{device.device_id}#2"
    ]


async def test_missing_r4_fields_are_flagged_not_refused(server):
    device, token = await signed_in(server)
    signed = signed_for(b"footage", device.device_id, device.key, case_number=None)
    assert (await server.register(signed, token)).status == 201
    flags = await server.ctx.index.flags.open_for(signed.manifest.evidence_id)
    assert [(flag.kind, json.loads(flag.detail)) for flag in flags] == [
        ("metadata_incomplete", {"missing": ["case_number"]})
    ]


async def test_a_derived_object_needs_its_original_registered_first(server):
    device, token = await signed_in(server)
    original = signed_for(b"original", device.device_id, device.key)
    proxy = signed_for(
        b"proxy",
        device.device_id,
        device.key,
        role=Role.PROXY,
        evidence_id=original.manifest.evidence_id,
        sequence=2,
        previous=original.sha256,
        derived_from=DerivedFrom(
            original.manifest.evidence_id, Role.ORIGINAL, original.manifest.sha256
        ),
    )
    assert (await server.register(proxy, token)).code == "manifest_not_registered"
    await server.register(original, token)
    assert (await server.register(proxy, token)).status == 201
