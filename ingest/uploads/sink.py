"""One PATCH body into the upload area: written at the committed offset, hashed on the way,
with memory bounded however large the body.

The event loop reads the socket and hands blocks of about 1 MiB, up to ``MAX_QUEUED``
ahead, to three threads (``lanes.py``, kept between PATCHes): one writes them to the
area's landing (a partial
file, or S3 parts: ``storage.interfaces.Landing``), one keeps the chunk
digests (and checks them against the signed list), one the whole-file digest. Each thread
keeps the blocks in order; network, disk and both SHA-256 passes overlap, and the reader
never waits for a wake-up. Every byte is hashed once: the fingerprint gives the whole-file
digest and the chunk digests, and a body that is exactly one chunk takes its
``Upload-Checksum`` from the chunk digest instead of hashing again. At the body's end the
write lane makes it durable at once, while the hash lanes finish their last block.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import deque
from collections.abc import AsyncIterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from evidence.digest import Sha256, StreamingFingerprint
from evidence.errors import ChecksumMismatch, ChunkMismatch, TooLarge
from ingest import failpoints
from ingest.uploads.lanes import checkin, checkout
from runtime.cpu_account import Section
from storage.interfaces import Landing

__all__ = ["BLOCK_SIZE", "MAX_QUEUED", "PatchSink", "Received", "stream_body"]

BLOCK_SIZE = 1024 * 1024
MAX_QUEUED = 4


class PatchSink:
    def __init__(
        self,
        landing: Landing,
        fingerprint: StreamingFingerprint,
        expected_chunks: tuple[Sha256, ...],
        checksum: tuple[str, bytes] | None,
        declared_length: int | None,
    ) -> None:
        self._landing = landing
        self.fingerprint = fingerprint
        self._expected = expected_chunks
        self._checksum = checksum
        self._start = fingerprint.position
        self._declared = declared_length
        self._extra = None
        if checksum is not None and not self._body_is_one_chunk(checksum[0]):
            self._extra = hashlib.new(checksum[0])
        self._lanes = checkout()
        self._finished: Future[int] | None = None

    def _body_is_one_chunk(self, algorithm: str) -> bool:
        size, total = self.fingerprint.chunk_size, self.fingerprint.total_size
        length = self._declared
        if algorithm != "sha256" or length is None or length == 0 or self._start % size:
            return False
        return length == size or (length < size and self._start + length == total)

    def consume(self, pieces: list[bytes]) -> list[Future[None]]:
        """Queue one block on each lane; return their futures. Plain thread futures: the
        event loop is woken only when it waits for one that has not finished (``_done``),
        not three times per block."""
        work = (self._write, self._hash_chunks, self._hash_whole)
        return [self._lanes.submit(lane, job, pieces) for lane, job in enumerate(work)]

    def _write(self, pieces: list[bytes]) -> None:
        self._landing.write(pieces)

    def _hash_chunks(self, pieces: list[bytes]) -> None:
        with Section("hash.chunks"):
            for piece in pieces:
                for index in self.fingerprint.update_chunks(piece):
                    if self.fingerprint.chunks[index] != self._expected[index]:
                        raise ChunkMismatch(
                            f"chunk {index} does not match the signed manifest", chunk=index
                        )
                if self._extra is not None:
                    self._extra.update(piece)

    def _hash_whole(self, pieces: list[bytes]) -> None:
        with Section("hash.whole"):
            for piece in pieces:
                self.fingerprint.update_whole(piece)

    def finish(self) -> None:
        """Start making the whole body durable as soon as its last block is written."""
        self._finished = self._lanes.submit(0, self._make_durable)

    def _make_durable(self) -> int:
        failpoints.hit(failpoints.AFTER_WRITE)  # written, not yet synced
        return self._landing.make_durable()

    async def durable(self) -> int:
        """How many of the body's bytes are durable (``Landing.make_durable``)."""
        if self._finished is None:
            raise RuntimeError("the body is not finished")
        await _done(self._finished)
        return self._finished.result()

    def verify_checksum(self, received: Received) -> None:
        if self._checksum is None:
            return
        if received.interrupted:
            raise ChecksumMismatch("the body was cut off, so its checksum cannot be checked")
        algorithm, expected = self._checksum
        if self._declared is not None and received.size != self._declared:
            raise ChecksumMismatch("the body ended early; its checksum cannot match")
        if self._extra is not None:
            actual = self._extra.digest()
        else:
            actual = self.fingerprint.chunks[self._start // self.fingerprint.chunk_size].raw
        if actual != expected:
            raise ChecksumMismatch(f"Upload-Checksum ({algorithm}) does not match the body")

    def close(self) -> None:
        checkin(self._lanes)


@dataclass(frozen=True, slots=True)
class Received:
    size: int
    interrupted: bool  # the client went away before the end of the body


async def _done(future: Future[Any]) -> None:
    """Wait for one lane's block; raise its failure."""
    if not future.done():
        await asyncio.wrap_future(future)
    future.result()


async def _settle(queued: deque[Future[None]]) -> None:
    """Wait for every queued block; then raise the first failure, if any."""
    failure: BaseException | None = None
    while queued:
        try:
            await _done(queued.popleft())
        except BaseException as exc:  # re-raised below, once the rest have finished
            failure = failure or exc
    if failure is not None:
        raise failure


async def stream_body(body: AsyncIterator[bytes], sink: PatchSink, limit: int) -> Received:
    """Copy the body into ``sink``; refuse more than ``limit`` bytes. A body that ends
    with ``ConnectionError`` (the client went away) is kept as far as it came; its end is
    being made durable when this returns (``PatchSink.durable``)."""
    received = 0
    interrupted = False
    pieces: list[bytes] = []
    gathered = 0
    queued: deque[Future[None]] = deque()
    try:
        try:
            async for data in body:
                received += len(data)
                if received > limit:
                    raise TooLarge(
                        f"the body passes the upload's length by {received - limit} bytes"
                    )
                pieces.append(data)
                gathered += len(data)
                if gathered >= BLOCK_SIZE:
                    while len(queued) >= 3 * MAX_QUEUED:
                        await _done(queued.popleft())
                    queued.extend(sink.consume(pieces))
                    pieces, gathered = [], 0
        except ConnectionError:
            interrupted = True
        if pieces:
            queued.extend(sink.consume(pieces))
            pieces = []
        sink.finish()
    finally:
        if pieces:
            queued.extend(sink.consume(pieces))
        await _settle(queued)  # never leave a write running behind us
    return Received(received, interrupted)
