"""PATCH bodies, handed to the socket slice by slice: one chunk's bytes already in memory
(``ChunkPayload``), or a span of the file streamed from disk (``FileSpanPayload``).

A span may be several chunks (``agent.patch_chunks``): it is never held whole. Blocks of
4 MiB are read ahead on a thread, at most ``READ_AHEAD`` of them, while the socket takes
the ones before in 1 MiB slices, so memory stays at 12 MiB whatever the PATCH's size (two
8 MiB chunks before); each block is read into the buffer the socket is handed slice by
slice (no join, no copy of the agent's own past the read).
A file that ends early was changed after it was signed: the body stops, and the PATCH's
caller hears ``SourceChanged`` (``failure``), not the broken connection it leaves.

Both send the same way: whole slices without a bandwidth cap, 64 KiB ones each let
through by the agent's throttle under one; each slice heard by ``on_sent`` (how much of
the body went); the failpoint ``MID_PATCH`` before every slice but the first; and a body
that stops moving given up (``SendStalled``) once none of it has left for
``stall_seconds`` (``agent/stall.py``): a slow link that keeps moving never is.
"""

from __future__ import annotations

import asyncio
import os
from collections import deque
from collections.abc import Awaitable, Callable

from aiohttp.abc import AbstractStreamWriter
from aiohttp.payload import Payload

from agent import failpoints
from agent.stall import write_watched
from agent.throttle import UNCAPPED_SLICE, Throttle
from evidence.errors import SourceChanged
from evidence.tus_wire import OFFSET_CONTENT_TYPE

__all__ = ["READ_AHEAD", "READ_BLOCK", "ChunkPayload", "FileSpanPayload", "read_at"]

# Blocks read from the file before the socket asks for them: the read of the next overlaps
# the send of this one; at most READ_AHEAD + 1 blocks (12 MiB) are in memory. Blocks of
# 1 MiB cost a thread hand-off each: 0.2 CPU-seconds more per GiB, and on a loaded machine
# the socket waited for them (docs/benchmarks.md).
READ_AHEAD = 2
READ_BLOCK = 4 * 1024 * 1024

Sent = Callable[[int], Awaitable[None]]


def read_at(fd: int, offset: int, size: int) -> bytes:
    """``size`` bytes at ``offset``. One pread may return fewer than asked without the
    file being short (FUSE, NFS and SMB dock mounts do), so read until done or at the
    end: only a file that really ends early has changed since it was signed."""
    parts: list[bytes] = []
    got = 0
    while got < size:
        part = os.pread(fd, size - got, offset + got)
        if not part:
            raise SourceChanged(
                f"the file is shorter than when it was signed (at byte {offset + got})"
            )
        parts.append(part)
        got += len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


class _SlicedPayload(Payload):
    def __init__(
        self, size: int, throttle: Throttle | None, on_sent: Sent | None, stall: float | None
    ) -> None:
        super().__init__(None, content_type=OFFSET_CONTENT_TYPE)
        self._size = size
        self._throttle = throttle
        self._on_sent = on_sent  # hears how much of the body went, slice by slice
        self._stall = stall
        self._sent = 0
        self.failure: SourceChanged | None = None  # why the body stopped, if not the link

    async def _send(self, writer: AbstractStreamWriter, view: memoryview) -> None:
        """The next bytes of the body, in slices the throttle lets through."""
        start = 0
        while start < len(view):
            throttle = self._throttle
            size = UNCAPPED_SLICE if throttle is None else throttle.slice_size()
            piece = view[start : start + size]
            if throttle is not None:
                await throttle.take(len(piece))
            if self._sent:
                failpoints.hit(failpoints.MID_PATCH)
            if self._stall is None:
                await writer.write(piece)
            else:
                await write_watched(writer, piece, self._stall)
            start += len(piece)
            self._sent += len(piece)
            if self._on_sent is not None:
                await self._on_sent(self._sent)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise TypeError("a PATCH body is bytes, not text")


class ChunkPayload(_SlicedPayload):
    """A body already in memory, sent from its own buffer: no copy (aiohttp's BytesIO
    payload copies it) and no event-loop yield per 64 KiB."""

    def __init__(
        self,
        data: bytes,
        throttle: Throttle | None = None,
        on_sent: Sent | None = None,
        stall_seconds: float | None = None,
    ) -> None:
        super().__init__(len(data), throttle, on_sent, stall_seconds)
        self._data = data

    async def write(self, writer: AbstractStreamWriter) -> None:
        await self._send(writer, memoryview(self._data))


class FileSpanPayload(_SlicedPayload):
    """``size`` bytes of the open file ``fd`` from ``start``, read as they are sent."""

    def __init__(
        self,
        fd: int,
        start: int,
        size: int,
        throttle: Throttle | None = None,
        on_sent: Sent | None = None,
        stall_seconds: float | None = None,
    ) -> None:
        super().__init__(size, throttle, on_sent, stall_seconds)
        self._fd = fd
        self._start, self._end = start, start + size

    async def write(self, writer: AbstractStreamWriter) -> None:
        ahead: deque[asyncio.Future[bytes]] = deque()
        at = self._start

        def read_ahead() -> None:
            nonlocal at
            while at < self._end and len(ahead) < READ_AHEAD:
                size = min(READ_BLOCK, self._end - at)
                ahead.append(asyncio.ensure_future(asyncio.to_thread(read_at, self._fd, at, size)))
                at += size

        try:
            read_ahead()
            while ahead:
                reading = ahead.popleft()
                read_ahead()  # the next blocks are read while this one goes
                await self._send(writer, memoryview(await self._next(reading)))
        finally:
            for reading in ahead:  # a body given up or cut: its reads are not waited for
                reading.cancel()

    async def _next(self, reading: asyncio.Future[bytes]) -> bytes:
        try:
            return await reading
        except SourceChanged as exc:
            self.failure = exc
            raise
