"""One PATCH body into the upload area: written at the committed offset, hashed on the way,
with memory bounded however large the body.

The event loop reads the socket and hands blocks of about 1 MiB, up to ``MAX_QUEUED``
ahead, to three threads (``lanes.py``, kept between PATCHes): one writes them to the
area's landing (a partial file, or S3 parts: ``storage.interfaces.Landing``), one keeps
the chunk digests (and checks them against the signed list), one the whole-file digest.
Each thread keeps the blocks in order; network, disk and both SHA-256 passes overlap, and
the reader never waits for a wake-up. Every byte is hashed once: the fingerprint gives the
whole-file digest and the chunk digests, and a body that is exactly one chunk takes its
``Upload-Checksum`` from the chunk digest instead of hashing again. At the body's end the
write lane makes it durable at once, while the hash lanes finish their last block.

With ``Checkpoints``, blocks end at the manifest's chunk boundaries, and each boundary the
body goes past is committed in the background (``checkpoints.py``).
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import AsyncIterator
from concurrent.futures import Future
from dataclasses import dataclass

from evidence.digest import Sha256, StreamingFingerprint
from evidence.errors import ChecksumMismatch, ChunkMismatch, TooLarge
from ingest import failpoints
from ingest.uploads.checkpoints import Checkpoints, done, result
from ingest.uploads.lanes import checkin, checkout
from runtime.cpu_account import Section
from storage.interfaces import Landing, Piece

__all__ = ["BLOCK_SIZE", "MAX_QUEUED", "PatchSink", "Received", "stream_body"]

BLOCK_SIZE = 1024 * 1024
MAX_QUEUED = 4
WRITE, CHUNKS, WHOLE, SYNC = range(4)


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
        self.start = fingerprint.position
        self._declared = declared_length
        self._extra = None
        if checksum is not None and not self._body_is_one_chunk(checksum[0]):
            self._extra = hashlib.new(checksum[0])
        self._lanes = checkout()
        self._finished: Future[int] | None = None

    def _body_is_one_chunk(self, algorithm: str) -> bool:
        size, total = self.fingerprint.chunk_size, self.fingerprint.total_size
        length = self._declared
        if algorithm != "sha256" or length is None or length == 0 or self.start % size:
            return False
        return length == size or (length < size and self.start + length == total)

    def consume(self, pieces: list[Piece]) -> list[Future[None]]:
        """Queue one block on each lane; return their futures. Plain thread futures: the
        event loop is woken only when it waits for one that has not finished (``done``),
        not three times per block."""
        lanes = self._lanes
        return [
            lanes.submit(WRITE, self._landing.write, pieces),
            lanes.submit(CHUNKS, self._hash_chunks, pieces),
            lanes.submit(WHOLE, self._hash_whole, pieces),
        ]

    def _hash_chunks(self, pieces: list[Piece]) -> None:
        with Section("hash.chunks"):
            for piece in pieces:
                for index in self.fingerprint.update_chunks(piece):
                    if self.fingerprint.chunks[index] != self._expected[index]:
                        raise ChunkMismatch(
                            f"chunk {index} does not match the signed manifest", chunk=index
                        )
                if self._extra is not None:
                    self._extra.update(piece)

    def _hash_whole(self, pieces: list[Piece]) -> None:
        with Section("hash.whole"):
            for piece in pieces:
                self.fingerprint.update_whole(piece)

    def checkpoint(self, size: int, written: Future[None]) -> Future[bool]:
        """Make the body's first ``size`` bytes durable once ``written`` (the write of the
        block ending there) is done, on a thread of its own so the writes go on meanwhile;
        the future says whether the landing could (S3: at a part's end)."""
        return self._lanes.submit(SYNC, self._make_prefix_durable, size, written)

    def _make_prefix_durable(self, size: int, written: Future[None]) -> bool:
        written.result()  # the bytes up to the boundary are in the landing (or it failed)
        return self._landing.make_prefix_durable(size)

    def finish(self) -> None:
        """Start making the whole body durable as soon as its last block is written."""
        self._finished = self._lanes.submit(WRITE, self._make_durable)

    def _make_durable(self) -> int:
        failpoints.hit(failpoints.AFTER_WRITE)  # written, not yet synced
        return self._landing.make_durable()

    async def durable(self) -> int:
        """How many of the body's bytes are durable (``Landing.make_durable``)."""
        if self._finished is None:
            raise RuntimeError("the body is not finished")
        return await result(self._finished)

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
            actual = self.fingerprint.chunks[self.start // self.fingerprint.chunk_size].raw
        if actual != expected:
            raise ChecksumMismatch(f"Upload-Checksum ({algorithm}) does not match the body")

    def close(self) -> None:
        checkin(self._lanes)


@dataclass(frozen=True, slots=True)
class Received:
    size: int
    interrupted: bool  # the client went away before the end of the body


async def _settle(queued: deque[Future[None]]) -> None:
    """Wait for every queued block; then raise the first failure, if any."""
    failure: BaseException | None = None
    while queued:
        try:
            await done(queued.popleft())
        except BaseException as exc:  # re-raised below, once the rest have finished
            failure = failure or exc
    if failure is not None:
        raise failure


class _Receiver:
    """The body's pieces gathered into blocks for the lanes; with checkpoints, a block ends
    at each chunk boundary, and a boundary is committed once the body goes past it (one at
    the body's very end is the final commit's)."""

    def __init__(self, sink: PatchSink, limit: int, checkpoints: Checkpoints | None) -> None:
        self.sink, self.limit, self.checkpoints = sink, limit, checkpoints
        self.received = self.placed = self.gathered = 0
        self.pieces: list[Piece] = []
        self.queued: deque[Future[None]] = deque()
        self.since: list[Future[None]] = []  # the blocks since the last boundary
        self.pending = 0  # a boundary reached, to be committed once the body goes on
        size = sink.fingerprint.chunk_size
        self.left = size - sink.start % size if checkpoints is not None else limit + 1

    async def take(self, data: bytes) -> None:
        self.received += len(data)
        if self.received > self.limit:
            raise TooLarge(
                f"the body passes the upload's length by {self.received - self.limit} bytes"
            )
        if self.pending:
            self._checkpoint()
        if len(data) >= self.left:
            await self._boundary(data)
            return
        self.pieces.append(data)
        self.gathered += len(data)
        self.left -= len(data)
        if self.gathered >= BLOCK_SIZE:
            await self.queue()

    async def _boundary(self, data: bytes) -> None:
        """A piece reaching a chunk boundary: the block ends there; the rest begins the next."""
        view = memoryview(data)
        while len(view) >= self.left:
            self.pieces.append(view[: self.left])
            self.gathered += self.left
            view = view[self.left :]
            await self.queue()
            self.pending = self.placed
            self.left = self.sink.fingerprint.chunk_size
            if view:
                self._checkpoint()
        if view:
            self.pieces.append(view)
            self.gathered += len(view)
            self.left -= len(view)

    async def queue(self) -> None:
        while len(self.queued) >= 3 * MAX_QUEUED:
            await done(self.queued.popleft())
        self.flush()

    def flush(self) -> None:
        if not self.pieces:
            return
        futures = self.sink.consume(self.pieces)
        self.queued.extend(futures)
        if self.checkpoints is not None:
            self.since.extend(futures)
        self.placed += self.gathered
        self.pieces, self.gathered = [], 0

    def _checkpoint(self) -> None:
        if self.checkpoints is not None:
            written = self.since[-3]  # the write of the block that ends at the boundary
            durable = self.sink.checkpoint(self.pending, written)
            self.checkpoints.add(self.pending, self.since, durable)
        self.since, self.pending = [], 0


async def stream_body(
    body: AsyncIterator[bytes],
    sink: PatchSink,
    limit: int,
    checkpoints: Checkpoints | None = None,
) -> Received:
    """Copy the body into ``sink``; refuse more than ``limit`` bytes. A body that ends
    with ``ConnectionError`` (the client went away) is kept as far as it came; its end is
    being made durable when this returns (``PatchSink.durable``)."""
    receiver = _Receiver(sink, limit, checkpoints)
    interrupted = False
    try:
        try:
            async for data in body:
                await receiver.take(data)
        except ConnectionError:
            interrupted = True
        receiver.flush()
        sink.finish()
    finally:
        receiver.flush()
        await _settle(receiver.queued)  # never leave a write running behind us
    return Received(receiver.received, interrupted)
