"""tus 1.0 at /files/, against a real server on loopback: the happy paths and every
malformed, truncated, oversized, forged and replayed request we could think of."""

import asyncio
import hashlib
import stat

import pytest

from evidence.errors import InsufficientStorage
from evidence.receipt import SignedReceipt
from evidence.tus_wire import OFFSET_CONTENT_TYPE, TUS_VERSION
from evidence.wire import FILES, FINALIZE
from ingest.locks import upload_key
from tests.ingest.helpers import SMALL_CHUNK, created, prepared, sha256, upload_all


async def test_options_advertises_version_extensions_checksums_and_limit(server):
    reply = await server.send("OPTIONS", FILES)
    assert reply.status == 204
    assert reply.headers["Tus-Version"] == "1.0.0"
    assert set(reply.headers["Tus-Extension"].split(",")) == {
        "creation",
        "creation-with-upload",
        "checksum",
        "termination",
        "expiration",
    }
    assert set(reply.headers["Tus-Checksum-Algorithm"].split(",")) == {"sha256", "sha1"}
    assert int(reply.headers["Tus-Max-Size"]) == server.ctx.config.max_upload_bytes


async def test_a_chunked_upload_is_verified_stored_read_only_and_receipted(server):
    ready = await prepared(server)
    url = await created(server, ready)
    head = await server.head(url, ready.token)
    assert head.status == 200
    assert head.headers["Upload-Offset"] == "0"
    assert head.headers["Upload-Length"] == str(len(ready.data))
    assert head.headers["Cache-Control"] == "no-store"
    assert head.headers["Tus-Resumable"] == TUS_VERSION
    assert "Upload-Expires" in head.headers
    await upload_all(server, ready, url)

    manifest = ready.signed.manifest
    reply = await server.send(
        "POST",
        FINALIZE.format(evidence_id=manifest.evidence_id, role="original"),
        token=ready.token,
    )
    assert reply.status == 200, reply.body
    receipt = SignedReceipt.parse(
        *(__import__("base64").b64decode(reply.json()[k]) for k in ("receipt", "signature"))
    )
    receipt.verify(server.ctx.server_key.public_key())
    receipt.check_covers(ready.signed)

    blobs = server.stored_blobs()
    assert [blob.name for blob in blobs] == [hashlib.sha256(ready.data).hexdigest()]
    assert blobs[0].read_bytes() == ready.data
    assert stat.S_IMODE(blobs[0].stat().st_mode) == 0o400
    assert list((server.root / "server" / "uploads").iterdir()) == []  # the partial is gone

    again = await server.send(
        "POST",
        FINALIZE.format(evidence_id=manifest.evidence_id, role="original"),
        token=ready.token,
    )
    assert again.json() == reply.json()  # idempotent: the same receipt, byte for byte


async def test_creation_with_upload_takes_the_first_bytes_in_the_post(server):
    ready = await prepared(server)
    first = ready.data[:SMALL_CHUNK]
    reply = await server.create(
        ready.signed,
        ready.token,
        body=first,
        headers={
            "Upload-Checksum": "sha256 "
            + __import__("base64").b64encode(hashlib.sha256(first).digest()).decode()
        },
    )
    assert reply.status == 201
    assert reply.headers["Upload-Offset"] == str(SMALL_CHUNK)


async def test_sha1_checksums_are_accepted_too(server):
    ready = await prepared(server, size=1000)
    url = await created(server, ready)
    reply = await server.patch(
        url, 0, ready.data, ready.token, checksum=("sha1", hashlib.sha1(ready.data).digest())
    )
    assert reply.status == 204
    assert reply.headers["Upload-Offset"] == "1000"


async def test_a_zero_length_file_is_stored_at_creation(server):
    ready = await prepared(server, size=0)
    url = await created(server, ready)
    head = await server.head(url, ready.token)
    assert head.headers["Upload-Offset"] == "0"
    assert [blob.name for blob in server.stored_blobs()] == [hashlib.sha256(b"").hexdigest()]


async def test_creation_is_idempotent_per_object(server):
    ready = await prepared(server)
    first = await created(server, ready)
    second = await created(server, ready)
    assert first == second


async def test_a_retried_creation_on_a_full_disk_finds_its_upload(server, monkeypatch):
    ready = await prepared(server)
    first = await created(server, ready)

    def disk_full(upload_id: str, length: int) -> None:
        raise InsufficientStorage(f"no room for {length} bytes of upload")

    monkeypatch.setattr(server.ctx.area, "create", disk_full)
    assert await created(server, ready) == first


@pytest.mark.parametrize("version", [None, "0.2.2", "1.0"])
async def test_requests_without_tus_1_0_0_get_412(server, version):
    ready = await prepared(server)
    headers = {} if version is None else {"Tus-Resumable": version}
    reply = await server.send(
        "POST", FILES, token=ready.token, headers={"Upload-Length": "1", **headers}
    )
    assert reply.status == 412
    assert reply.code == "unsupported_version"
    assert reply.headers["Tus-Version"] == "1.0.0"


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({"Upload-Length": "ten"}, "bad_header"),
        ({"Upload-Length": "-1"}, "bad_header"),
        ({"Upload-Length": "1e3"}, "bad_header"),
        ({"Upload-Length": "99999999999999999999"}, "bad_header"),
        ({"Upload-Metadata": "evidence_id !!notbase64!!"}, "bad_header"),
        ({"Upload-Metadata": "a b c"}, "bad_header"),
        ({"Upload-Metadata": "key dmFs,key dmFs"}, "bad_header"),
        ({"Upload-Metadata": "filename Zm9v"}, "bad_header"),  # no evidence_id
        ({"Upload-Defer-Length": "1"}, "bad_header"),
    ],
)
async def test_malformed_creation_headers_get_400_and_create_nothing(server, headers, code):
    ready = await prepared(server)
    base = {"Tus-Resumable": TUS_VERSION, "Upload-Length": str(len(ready.data))}
    reply = await server.send("POST", FILES, token=ready.token, headers={**base, **headers})
    assert reply.status == 400, reply.body
    assert reply.code == code
    assert list((server.root / "server" / "uploads").iterdir()) == []


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({"Upload-Offset": "x"}, 400, "bad_header"),
        ({"Upload-Offset": ""}, 400, "bad_header"),
        ({"Upload-Checksum": "sha256"}, 400, "bad_header"),
        ({"Upload-Checksum": "sha256 !!!"}, 400, "bad_header"),
        ({"Upload-Checksum": "sha256 AAAA"}, 400, "bad_header"),  # wrong digest length
        ({"Upload-Checksum": "md5 AAAAAAAAAAAAAAAAAAAAAA=="}, 400, "unsupported_checksum"),
        ({"Content-Type": "application/octet-stream"}, 415, "bad_content_type"),
    ],
)
async def test_malformed_patch_headers_are_refused_and_nothing_is_committed(
    server, headers, status, code
):
    ready = await prepared(server)
    url = await created(server, ready)
    reply = await server.patch(url, 0, ready.data[:100], ready.token, headers=headers)
    assert (reply.status, reply.code) == (status, code)
    assert (await server.head(url, ready.token)).headers["Upload-Offset"] == "0"


async def test_a_wrong_offset_gets_409_with_the_committed_offset(server):
    ready = await prepared(server)
    url = await created(server, ready)
    reply = await server.patch(url, 5, ready.data[5:100], ready.token)
    assert reply.status == 409
    assert reply.code == "offset_mismatch"
    assert reply.json()["error"]["details"]["offset"] == 0


async def test_a_replayed_chunk_is_refused_and_changes_nothing(server):
    ready = await prepared(server)
    url = await created(server, ready)
    chunk = ready.data[:SMALL_CHUNK]
    assert (await server.patch(url, 0, chunk, ready.token, checksum=sha256(chunk))).status == 204
    replay = await server.patch(url, 0, chunk, ready.token, checksum=sha256(chunk))
    assert replay.code == "offset_mismatch"
    assert (await server.head(url, ready.token)).headers["Upload-Offset"] == str(SMALL_CHUNK)


async def test_a_checksum_mismatch_gets_460_and_the_bytes_are_dropped(server):
    ready = await prepared(server)
    url = await created(server, ready)
    chunk = ready.data[:SMALL_CHUNK]
    reply = await server.patch(url, 0, chunk, ready.token, checksum=sha256(b"something else"))
    assert (reply.status, reply.code) == (460, "checksum_mismatch")
    assert (await server.head(url, ready.token)).headers["Upload-Offset"] == "0"
    await upload_all(server, ready, url)  # the honest retry succeeds from offset 0
    assert [blob.read_bytes() for blob in server.stored_blobs()] == [ready.data]


async def test_bytes_that_break_the_signed_chunk_list_get_460(server):
    ready = await prepared(server)
    url = await created(server, ready)
    forged = bytes(SMALL_CHUNK)  # a correct Upload-Checksum of the wrong bytes
    reply = await server.patch(url, 0, forged, ready.token, checksum=sha256(forged))
    assert (reply.status, reply.code) == (460, "chunk_mismatch")
    assert reply.json()["error"]["details"]["chunk"] == 0
    assert (await server.head(url, ready.token)).headers["Upload-Offset"] == "0"


async def test_a_duplicated_upload_after_completion_is_refused(server):
    ready = await prepared(server, size=1000)
    url = await created(server, ready)
    await upload_all(server, ready, url)
    reply = await server.patch(url, 1000, b"more", ready.token)
    assert (reply.status, reply.code) == (409, "already_finalized")


async def test_an_upload_longer_than_the_limit_gets_413(server):
    ready = await prepared(server)
    limit = server.ctx.config.max_upload_bytes
    reply = await server.create(ready.signed, ready.token, length=limit + 1)
    assert (reply.status, reply.code) == (413, "too_large")


async def test_a_body_past_upload_length_gets_413(server):
    ready = await prepared(server, size=1000)
    url = await created(server, ready)
    reply = await server.patch(url, 0, ready.data + b"extra", ready.token)
    assert (reply.status, reply.code) == (413, "too_large")
    assert (await server.head(url, ready.token)).headers["Upload-Offset"] == "0"


async def test_a_chunked_body_past_upload_length_gets_413(server):
    ready = await prepared(server, size=1000)
    url = await created(server, ready)

    async def body():
        yield ready.data
        yield b"one byte too many"

    reply = await server.patch(url, 0, body(), ready.token)  # no Content-Length: chunked
    assert (reply.status, reply.code) == (413, "too_large")
    assert (await server.head(url, ready.token)).headers["Upload-Offset"] == "0"


async def test_the_upload_length_must_match_the_manifest(server):
    ready = await prepared(server)
    reply = await server.create(ready.signed, ready.token, length=len(ready.data) - 1)
    assert (reply.status, reply.code) == (400, "length_mismatch")


@pytest.mark.parametrize("upload_id", ["0" * 32, "not-an-upload", "..%2F..%2Fetc"])
async def test_an_unknown_upload_gets_404(server, upload_id):
    ready = await prepared(server)
    reply = await server.head(server.url + FILES + upload_id, ready.token)
    assert reply.status == 404
    patch = await server.patch(server.url + FILES + upload_id, 0, b"x", ready.token)
    assert patch.status == 404


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/shadow", "..", "a\\b", "clip\x00.mp4"])
async def test_a_path_traversal_file_name_is_refused_and_nothing_is_created(server, name):
    ready = await prepared(server)
    manifest = ready.signed.manifest
    metadata = {"evidence_id": str(manifest.evidence_id), "role": "original", "filename": name}
    reply = await server.create(ready.signed, ready.token, metadata=metadata)
    assert (reply.status, reply.code) == (400, "unsafe_file_name")
    assert list((server.root / "server" / "uploads").iterdir()) == []


async def test_uploading_before_registering_the_manifest_is_refused(server):
    ready = await prepared(server)
    metadata = {"evidence_id": "11111111-2222-4333-8444-555555555555", "role": "original"}
    reply = await server.create(ready.signed, ready.token, metadata=metadata)
    assert (reply.status, reply.code) == (409, "manifest_not_registered")


async def test_another_devices_upload_cannot_be_touched(server):
    ready = await prepared(server)
    url = await created(server, ready)
    intruder = await server.add_device("dock-intruder")
    token = await server.token_for(intruder)
    assert (await server.create(ready.signed, token)).code == "wrong_device"
    assert (await server.head(url, token)).status == 403
    assert (await server.patch(url, 0, ready.data[:10], token)).code == "wrong_device"
    assert (
        await server.send("DELETE", url, token=token, headers={"Tus-Resumable": TUS_VERSION})
    ).code == "wrong_device"


async def test_termination_removes_the_partial_and_the_upload_is_gone(server):
    ready = await prepared(server)
    url = await created(server, ready)
    await server.patch(url, 0, ready.data[:100], ready.token)
    reply = await server.send(
        "DELETE", url, token=ready.token, headers={"Tus-Resumable": TUS_VERSION}
    )
    assert reply.status == 204
    assert (await server.head(url, ready.token)).status == 410
    assert list((server.root / "server" / "uploads").iterdir()) == []
    assert (await created(server, ready)) != url  # a new upload may start


async def test_a_finalized_upload_cannot_be_terminated(server):
    ready = await prepared(server, size=10)
    url = await created(server, ready)
    await upload_all(server, ready, url)
    reply = await server.send(
        "DELETE", url, token=ready.token, headers={"Tus-Resumable": TUS_VERSION}
    )
    assert (reply.status, reply.code) == (409, "already_finalized")
    assert len(server.stored_blobs()) == 1


async def test_expired_uploads_answer_410_and_the_sweeper_removes_their_partials(server):
    ready = await prepared(server)
    url = await created(server, ready)
    await server.patch(url, 0, ready.data[:100], ready.token)
    server.clock.advance(server.ctx.config.upload_expiry_seconds + 1)
    token = await server.token_for(ready.device)  # a week later the old token has expired too
    assert (await server.head(url, token)).status == 410
    reply = await server.patch(url, 100, ready.data[100:200], token)
    assert (reply.status, reply.code) == (410, "upload_expired")
    assert await server.ctx.services.sweeper.sweep() == 1
    assert list((server.root / "server" / "uploads").iterdir()) == []


async def test_each_patch_extends_the_expiry(server):
    ready = await prepared(server)
    url = await created(server, ready)
    before = (await server.head(url, ready.token)).headers["Upload-Expires"]
    server.clock.advance(5)
    reply = await server.patch(url, 0, ready.data[:100], ready.token)
    assert reply.headers["Upload-Expires"] != before


async def _until_taken(server, upload_id):
    """Wait until a request holds the upload's lock: no fixed sleep that a slow machine
    outruns. (A probe request would not do: it takes the lock itself for a moment.)"""
    for _ in range(2000):
        if await server.ctx.services.uploads.locks.held(upload_key(upload_id)):
            return
        await asyncio.sleep(0.005)
    pytest.fail("the first PATCH never took the upload")


async def test_a_second_patch_while_one_is_running_gets_423(server):
    ready = await prepared(server)
    url = await created(server, ready)
    release = asyncio.Event()

    async def slow_body():
        yield ready.data[:10]
        await release.wait()
        yield ready.data[10:20]

    first = asyncio.create_task(server.patch(url, 0, slow_body(), ready.token))
    await _until_taken(server, url.rsplit("/", 1)[1])
    second = await server.patch(url, 0, ready.data[:10], ready.token)
    assert (second.status, second.code) == (423, "upload_locked")
    release.set()
    assert (await first).status == 204
    assert (await server.head(url, ready.token)).headers["Upload-Offset"] == "20"


async def _send_truncated_patch(server, url, token, data, declared, headers=None):
    """A client that dies mid-body: send headers and part of the body, then hang up."""
    host, port = server.url.removeprefix("http://").split(":")
    _reader, writer = await asyncio.open_connection(host, int(port))
    path = url.removeprefix(server.url)
    lines = [
        f"PATCH {path} HTTP/1.1",
        f"Host: {host}",
        f"Authorization: Bearer {token}",
        f"Tus-Resumable: {TUS_VERSION}",
        f"Content-Type: {OFFSET_CONTENT_TYPE}",
        "Upload-Offset: 0",
        f"Content-Length: {declared}",
        *[f"{k}: {v}" for k, v in (headers or {}).items()],
    ]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + data)
    await writer.drain()
    await asyncio.sleep(0.2)
    writer.close()
    await writer.wait_closed()
    await asyncio.sleep(0.3)


async def test_a_truncated_patch_without_checksum_keeps_what_arrived(server):
    ready = await prepared(server)
    url = await created(server, ready)
    await _send_truncated_patch(
        server, url, ready.token, ready.data[:5000], declared=len(ready.data)
    )
    head = await server.head(url, ready.token)
    assert head.headers["Upload-Offset"] == "5000"
    rest = ready.data[5000:]
    reply = await server.patch(url, 5000, rest, ready.token, checksum=sha256(rest))
    assert reply.status == 204
    assert [blob.read_bytes() for blob in server.stored_blobs()] == [ready.data]


async def test_a_truncated_patch_with_a_checksum_keeps_nothing(server):
    ready = await prepared(server)
    url = await created(server, ready)
    import base64

    checksum = "sha256 " + base64.b64encode(hashlib.sha256(ready.data).digest()).decode()
    await _send_truncated_patch(
        server,
        url,
        ready.token,
        ready.data[:5000],
        declared=len(ready.data),
        headers={"Upload-Checksum": checksum},
    )
    assert (await server.head(url, ready.token)).headers["Upload-Offset"] == "0"


async def test_a_restarted_server_rebuilds_its_running_hash_from_disk(server):
    ready = await prepared(server, size=4 * SMALL_CHUNK + 7)
    url = await created(server, ready)
    half = 2 * SMALL_CHUNK + 11
    assert (await server.patch(url, 0, ready.data[:half], ready.token)).status == 204
    server.ctx.open_uploads.clear()  # what a restart loses
    rest = ready.data[half:]
    assert (await server.patch(url, half, rest, ready.token, checksum=sha256(rest))).status == 204
    assert [blob.read_bytes() for blob in server.stored_blobs()] == [ready.data]


async def test_an_upload_across_eight_mib_chunks_is_checked_chunk_by_chunk(server):
    size = 2 * 8 * 1024 * 1024 + 4096
    ready = await prepared(server, size=size, chunk_size=8 * 1024 * 1024)
    url = await created(server, ready)
    await upload_all(server, ready, url, piece=8 * 1024 * 1024)
    assert [blob.name for blob in server.stored_blobs()] == [hashlib.sha256(ready.data).hexdigest()]


async def test_empty_patches_one_after_another_leave_the_offset_where_it_was(server):
    """A PATCH with no body is valid tus; several in a row must each be answered (aiohttp's
    shared empty stream once made the second one spin; see test_empty_bodies.py)."""
    ready = await prepared(server)
    url = await created(server, ready)
    for _ in range(3):
        reply = await server.patch(url, 0, None, ready.token)
        assert (reply.status, reply.headers["Upload-Offset"]) == (204, "0")
