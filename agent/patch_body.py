"""PATCH bodies, handed to the socket slice by slice: one chunk's bytes already in memory
(``ChunkPayload``), or a span of the file streamed from disk (``FileSpanPayload``).

A span may be several chunks (``agent.patch_chunks``): it is never held whole. Blocks of
4 MiB are read ahead on a thread (``ReadAhead``), at most ``READ_AHEAD`` of them, while the
socket takes the ones before in 1 MiB slices, and on past the end of the PATCH while the
server makes it durable; memory stays at 12 MiB whatever the PATCH's size (two 8 MiB
chunks before); each block is read into the buffer the socket is handed slice by slice
(no join, no copy of the agent's own past the read).
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

__all__ = [
    "READ_AHEAD",
    "READ_BLOCK",
    "ChunkPayload",
    "FileSpanPayload",
    "ReadAhead",
    "read_at",
]

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


class ReadAhead:
    """One open file read ahead in blocks, from wherever the last block asked for ended:
    across PATCHes, so the first blocks of the next PATCH are read while the server makes
    this one durable. Asked for a block elsewhere (a resume), it starts again there."""

    def __init__(self, fd: int, end: int) -> None:
        self.fd, self._end = fd, end
        self._ahead: deque[tuple[int, asyncio.Future[bytes]]] = deque()
        self._at = 0  # where the next block to be read starts

    async def block(self, offset: int) -> bytes:
        """The block at ``offset``: ``READ_BLOCK`` bytes, fewer at the end of the file."""
        if not self._ahead or self._ahead[0][0] != offset:
            self.close()
            self._at = offset
        self._fill()
        _, reading = self._ahead.popleft()
        self._fill()  # the next blocks are read while this one goes
        try:
            return await reading
        except asyncio.CancelledError:
            reading.cancel()  # the body was given up: nobody will take this block
            raise

    def _fill(self) -> None:
        while self._at < self._end and len(self._ahead) < READ_AHEAD:
            size = min(READ_BLOCK, self._end - self._at)
            reading = asyncio.to_thread(read_at, self.fd, self._at, size)
            self._ahead.append((self._at, asyncio.ensure_future(reading)))
            self._at += size

    def close(self) -> None:
        """Drop what is read ahead (its reads are not waited for)."""
        for _, reading in self._ahead:
            reading.cancel()
        self._ahead.clear()


class FileSpanPayload(_SlicedPayload):
    """``size`` bytes of a file from ``start``, taken from its ``ReadAhead`` as they go."""

    def __init__(
        self,
        file: ReadAhead,
        start: int,
        size: int,
        throttle: Throttle | None = None,
        on_sent: Sent | None = None,
        stall_seconds: float | None = None,
    ) -> None:
        super().__init__(size, throttle, on_sent, stall_seconds)
        self._file = file
        self._start, self._end = start, start + size

    async def write(self, writer: AbstractStreamWriter) -> None:
        at = self._start
        while at < self._end:
            try:
                block = await self._file.block(at)
            except SourceChanged as exc:
                self.failure = exc
                raise
            view = memoryview(block)[: self._end - at]
            await self._send(writer, view)
            at += len(view)
