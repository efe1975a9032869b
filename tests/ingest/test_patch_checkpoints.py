"""A PATCH may carry several chunks; the server commits the offset at each chunk boundary
the body goes past (durable and checked against the signed list first), so HEAD sees the
upload move while the body is still coming, and a failure half-way loses at most the
chunk under way (``ingest/uploads/checkpoints.py``)."""

from __future__ import annotations

import asyncio

from tests.ingest.helpers import (
    SMALL_CHUNK,
    committed,
    created,
    half_sent,
    offset_reaches,
    prepared,
    reply_status,
)

CHUNK = 4 * SMALL_CHUNK  # larger than one of aiohttp's reads: a block ends inside a read


async def test_a_long_patch_commits_each_chunk_while_its_body_is_still_open(server):
    ready = await prepared(server, size=3 * CHUNK, chunk_size=CHUNK)
    url = await created(server, ready)
    arrived = 2 * CHUNK + CHUNK // 2  # two and a half chunks, then the client pauses
    reader, writer = await half_sent(url, ready.token, ready.data[:arrived], len(ready.data))
    try:
        assert await offset_reaches(server, url, ready.token, 2 * CHUNK)  # while held
        await asyncio.sleep(0.3)
        assert await committed(server, url, ready.token) == (2 * CHUNK, True)  # no further
        writer.write(ready.data[arrived:])
        status, headers = await reply_status(reader)
    finally:
        writer.close()
    assert status == 204
    assert int(headers["upload-offset"]) == len(ready.data)
    assert [path.read_bytes() for path in server.stored_blobs()] == [ready.data]


async def test_a_forged_chunk_mid_patch_keeps_the_chunks_before_it_and_refuses_the_rest(server):
    ready = await prepared(server, size=4 * CHUNK + 100, chunk_size=CHUNK)
    url = await created(server, ready)
    forged = bytearray(ready.data)
    forged[2 * CHUNK + 5] ^= 0xFF  # chunk 2 no longer matches the signed list
    reply = await server.patch(url, 0, bytes(forged), ready.token)
    assert (reply.status, reply.code) == (460, "chunk_mismatch"), reply.body
    assert await committed(server, url, ready.token) == (2 * CHUNK, False)
    assert server.stored_blobs() == []
    # The running hash is rebuilt from the committed chunks: the rest completes the upload.
    rest = await server.patch(url, 2 * CHUNK, ready.data[2 * CHUNK :], ready.token)
    assert rest.status == 204, rest.body
    assert int(rest.headers["Upload-Offset"]) == len(ready.data)
    assert [path.read_bytes() for path in server.stored_blobs()] == [ready.data]


async def test_a_body_cut_mid_chunk_keeps_all_it_brought_as_before(server):
    """The checkpoints change nothing at the end: a body the client abandons keeps every
    durable byte that came, chunk boundary or not."""
    ready = await prepared(server, size=3 * CHUNK, chunk_size=CHUNK)
    url = await created(server, ready)
    arrived = CHUNK + CHUNK // 3
    _, writer = await half_sent(url, ready.token, ready.data[:arrived], len(ready.data))
    await offset_reaches(server, url, ready.token, CHUNK)
    writer.close()
    assert not await offset_reaches(server, url, ready.token, arrived)
    rest = await server.patch(url, arrived, ready.data[arrived:], ready.token)
    assert rest.status == 204, rest.body
    assert [path.read_bytes() for path in server.stored_blobs()] == [ready.data]


async def test_a_body_with_a_checksum_is_kept_whole_or_not_at_all(server):
    """Upload-Checksum covers the whole body (tus): nothing of it is committed before the
    checksum is checked at its end."""
    ready = await prepared(server, size=3 * CHUNK, chunk_size=CHUNK)
    url = await created(server, ready)
    wrong = ("sha256", bytes(32))
    reply = await server.patch(url, 0, ready.data, ready.token, checksum=wrong)
    assert (reply.status, reply.code) == (460, "checksum_mismatch"), reply.body
    assert await committed(server, url, ready.token) == (0, False)
