"""A long PATCH into S3 parts commits at the end of each part put, not at every chunk
boundary: only whole parts are durable in S3 (``storage/s3_uploads.py``)."""

from __future__ import annotations

import asyncio

from tests.ingest.helpers import (
    committed,
    created,
    half_sent,
    offset_reaches,
    prepared,
    reply_status,
)

MIB = 1024 * 1024
CHUNK = MIB  # parts of five chunks, S3's smallest part
PART = 5 * MIB


async def test_a_long_patch_into_s3_commits_at_each_part_it_put(s3_server):
    ready = await prepared(s3_server, 2 * PART + 1234, chunk_size=CHUNK)
    url = await created(s3_server, ready)
    arrived = PART + 3 * CHUNK + 100  # a part and three chunks of the next
    reader, writer = await half_sent(url, ready.token, ready.data[:arrived], len(ready.data))
    try:
        assert await offset_reaches(s3_server, url, ready.token, PART)
        await asyncio.sleep(0.5)  # the chunk boundaries inside the second part: none committed
        assert await committed(s3_server, url, ready.token) == (PART, True)
        writer.write(ready.data[arrived:])
        status, headers = await reply_status(reader)
    finally:
        writer.close()
    assert status == 204
    assert int(headers["upload-offset"]) == len(ready.data)
