"""A body that stops moving (a half-open link: the client's socket still open, no byte
coming) is given up after ``server.body_read_timeout_seconds``: the connection is closed,
the PATCH keeps the bytes that arrived (its upload's offset moves to them, no further) and
releases the upload's lock, so the client's resumed PATCH is taken at once instead of
being refused 423 ``upload_locked`` for as long as TCP keeps the dead connection."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from evidence.tus_wire import BUSY_HEADER
from ingest.server_config import IngestConfig
from tests.ingest.helpers import SMALL_CHUNK, created, half_sent, prepared

IDLE = 0.5


@pytest.fixture
def server_config(tmp_path: Path) -> IngestConfig:
    return IngestConfig(data_dir=tmp_path / "server", port=0, body_read_timeout_seconds=IDLE)


async def test_a_stalled_patch_keeps_what_arrived_and_lets_the_resumed_patch_in(server):
    ready = await prepared(server, size=3 * SMALL_CHUNK)
    url = await created(server, ready)
    arrived = SMALL_CHUNK + 1000
    answer, stalled = await half_sent(url, ready.token, ready.data[:arrived], len(ready.data))
    try:
        started = time.monotonic()
        offset, seen_busy = 0, False
        while offset != arrived:
            assert time.monotonic() - started < 5, "the stalled PATCH still holds the upload"
            await asyncio.sleep(0.1)
            head = await server.head(url, ready.token)
            offset = int(head.headers["Upload-Offset"])
            seen_busy |= head.headers.get(BUSY_HEADER) == "1"  # HEAD says it is held
        assert time.monotonic() - started >= IDLE * 0.9  # not before the idle timeout
        assert seen_busy
        assert BUSY_HEADER not in head.headers  # released
        rest = await server.patch(url, arrived, ready.data[arrived:], ready.token)
        assert rest.status == 204, rest.body
        assert int(rest.headers["Upload-Offset"]) == len(ready.data)
        # The stalled request was hung up on, unanswered.
        assert await asyncio.wait_for(answer.read(), 2) == b""
    finally:
        stalled.close()
    assert [path.read_bytes() for path in server.stored_blobs()] == [ready.data]


async def test_a_slow_body_that_keeps_moving_is_not_cut(server):
    """Idleness, not total time: a body taking four times the timeout, a piece every
    half of it, is taken whole."""
    ready = await prepared(server, size=3 * SMALL_CHUNK)
    url = await created(server, ready)

    async def trickle():
        for start in range(0, len(ready.data), len(ready.data) // 8):
            yield ready.data[start : start + len(ready.data) // 8]
            await asyncio.sleep(IDLE / 2)

    reply = await server.patch(url, 0, trickle(), ready.token)
    assert reply.status == 204, reply.body
    assert int(reply.headers["Upload-Offset"]) == len(ready.data)
