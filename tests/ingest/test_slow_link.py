"""Every body the server takes is read to its end, however it arrives (issue 8). Each test
sends through ``slow``: the real server behind a relay that forwards 16 bytes at a time
with pauses, so a body reaches the server in many pieces, as over a poor link. A server
that took the first piece for the whole body refuses or, worse, stores a fragment."""

from __future__ import annotations

import asyncio
import hashlib
import json

import pytest

from evidence.digest import Sha256
from evidence.identifiers import Role
from evidence.wire import AUTH_CHALLENGE, FLAG_RESOLVE, FLAGS, MANIFESTS, RECORDING_TRANSCRIPT
from tests.builders import signed_for
from tests.conftest import Server
from tests.fault_proxy import Link
from tests.ingest.helpers import SMALL_CHUNK, created, prepared, sha256, upload_all

TEXT = {"Content-Type": "text/plain; charset=utf-8"}


async def stored_original(server: Server):
    ready = await prepared(server, size=2 * SMALL_CHUNK + 7)
    await upload_all(server, ready, await created(server, ready))
    return ready


def transcript_text(size: int) -> bytes:
    line = "执法人员出示证件，告知当事人权利义务；当事人表示听清楚了。\n".encode()
    return (line * (size // len(line) + 1))[:size].rsplit(b"\n", 1)[0] + b"\n"


async def test_sign_in_through_a_slow_link(server, slow):
    device = await server.add_device()
    token = await slow.token_for(device)  # challenge and token bodies, both in pieces
    data = b"footage" * 1000
    reply = await server.register(signed_for(data, device.device_id, device.key), token)
    assert reply.status == 201, reply.body


async def test_a_manifest_through_a_slow_link_is_registered_whole(server, slow, slow_link):
    device = await server.add_device()
    token = await server.token_for(device)
    signed = signed_for(
        b"x" * 5 * SMALL_CHUNK, device.device_id, device.key, chunk_size=SMALL_CHUNK
    )
    assert len(signed.body) > 20 * 16  # many pieces
    reply = await slow.register(signed, token)
    assert reply.status == 201, reply.body
    assert reply.json()["manifest_sha256"] == signed.sha256.hex
    assert slow_link.bytes_to_server > len(signed.body)


async def test_a_tus_creation_body_through_a_slow_link_is_kept_whole(server, slow):
    ready = await prepared(server, size=3000)
    reply = await slow.create(ready.signed, ready.token, body=ready.data)
    assert reply.status == 201, reply.body
    assert reply.headers["Upload-Offset"] == "3000"
    assert [blob.read_bytes() for blob in server.stored_blobs()] == [ready.data]


async def test_a_tus_patch_through_a_slow_link_is_kept_whole(server, slow, slow_link):
    slow_link.to_server = Link(burst=4096, pause=0.001)
    ready = await prepared(server)
    url = await created(slow, ready)
    reply = await slow.patch(url, 0, ready.data, ready.token, checksum=sha256(ready.data))
    assert reply.status == 204, reply.body
    assert reply.headers["Upload-Offset"] == str(len(ready.data))
    assert [blob.read_bytes() for blob in server.stored_blobs()] == [ready.data]


async def test_a_large_transcript_through_a_slow_link_is_stored_whole(server, slow, slow_link):
    slow_link.to_server = Link(burst=16 * 1024, pause=0.005)
    ready = await stored_original(server)
    token = await server.add_user("wang", "custodian")
    text = transcript_text(1_100_000)
    evidence_id = ready.signed.manifest.evidence_id
    path = RECORDING_TRANSCRIPT.format(evidence_id=evidence_id)
    reply = await slow.send("POST", path, token=token, body=text, headers=TEXT)
    assert reply.status == 201, reply.body
    assert reply.json()["sha256"] == hashlib.sha256(text).hexdigest()
    stored = await server.ctx.index.objects.get(evidence_id, Role.TRANSCRIPT)
    assert stored is not None
    kept = b"".join(server.ctx.store.read(stored.locator, 1024 * 1024))
    assert hashlib.sha256(kept).hexdigest() == hashlib.sha256(text).hexdigest()


async def test_a_flag_resolution_through_a_slow_link_keeps_the_whole_reason(server, slow):
    await prepared(server, sequence=2, previous=Sha256.of(b"lost"))
    chief = await server.add_user("zhao", "supervisor")
    [flag] = (await server.send("GET", FLAGS, token=chief)).json()["flags"]
    reason = "摄像机送修，第1号记录确认丢失。" * 20
    path = FLAG_RESOLVE.format(flag_id=flag["flag_id"])
    body = json.dumps({"reason": reason}, ensure_ascii=False).encode()
    reply = await slow.send("POST", path, token=chief, body=body)
    assert reply.status == 200, reply.body
    assert reply.json()["resolution"] == reason


# A body past the limit is refused whether its length is declared or it comes chunked.


async def chunked(data: bytes, piece: int = 4096):
    for start in range(0, len(data), piece):
        yield data[start : start + piece]
        await asyncio.sleep(0)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
async def test_a_json_body_past_the_limit_is_refused_through_a_slow_link(
    server, slow, slow_link, declared
):
    slow_link.to_server = Link(burst=1024, pause=0.001)
    body = json.dumps({"device_id": "x" * 70 * 1024}).encode()
    reply = await slow.send("POST", AUTH_CHALLENGE, body=body if declared else chunked(body))
    assert (reply.status, reply.code) == (413, "too_large")


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
async def test_a_manifest_past_the_limit_is_refused_through_a_slow_link(
    server, slow, slow_link, declared
):
    slow_link.to_server = Link(burst=64 * 1024, pause=0.001)
    ready = await prepared(server)
    limit = server.ctx.config.max_manifest_bytes
    body = b" " * (limit + 1)
    reply = await slow.send(
        "POST",
        MANIFESTS,
        token=ready.token,
        body=body if declared else chunked(body, 256 * 1024),
        headers={
            "Content-Type": "application/vnd.liuhen.manifest.v1+json",
            "Liuhen-Signature": "A" * 86 + "==",
        },
    )
    assert (reply.status, reply.code) == (413, "too_large")


# A body cut short of its Content-Length (the client hangs up) is never taken as whole.


async def send_and_hang_up(server: Server, head: list[str], body: bytes, declared: int) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    _reader, writer = await asyncio.open_connection(host, int(port))
    lines = [*head, f"Host: {host}", f"Content-Length: {declared}"]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    await writer.drain()
    await asyncio.sleep(0.2)
    writer.close()
    await writer.wait_closed()
    await asyncio.sleep(0.3)


async def test_a_transcript_cut_short_is_not_stored(server):
    ready = await stored_original(server)
    token = await server.add_user("wang", "custodian")
    evidence_id = ready.signed.manifest.evidence_id
    path = RECORDING_TRANSCRIPT.format(evidence_id=evidence_id)
    text = transcript_text(20_000)
    head = [
        f"POST {path} HTTP/1.1",
        f"Authorization: Bearer {token}",
        "Content-Type: text/plain; charset=utf-8",
    ]
    await send_and_hang_up(server, head, text[:9000], declared=len(text))
    assert await server.ctx.index.uploads.manifest(evidence_id, Role.TRANSCRIPT) is None
    reply = await server.send("POST", path, token=token, body=text, headers=TEXT)
    assert reply.status == 201, reply.body
    assert reply.json()["sha256"] == hashlib.sha256(text).hexdigest()
