"""One PATCH body onto disk: written at the committed offset, hashed on the way, with
memory bounded by two blocks however large the body.

The event loop reads the socket while a worker thread writes and hashes the previous
block, so network, disk and SHA-256 overlap. Every byte is hashed once: the fingerprint
gives the whole-file digest and the chunk digests, and a body that is exactly one chunk
takes its ``Upload-Checksum`` from the chunk digest instead of hashing again.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass
from typing import BinaryIO

from aiohttp import StreamReader

from evidence.digest import Sha256, StreamingFingerprint
from evidence.errors import ChecksumMismatch, ChunkMismatch, TooLarge

__all__ = ["BLOCK_SIZE", "PatchSink", "Received", "stream_body"]

BLOCK_SIZE = 1024 * 1024


class PatchSink:
    def __init__(
        self,
        handle: BinaryIO,
        fingerprint: StreamingFingerprint,
        expected_chunks: tuple[Sha256, ...],
        checksum: tuple[str, bytes] | None,
        declared_length: int | None,
    ) -> None:
        self._handle = handle
        self.fingerprint = fingerprint
        self._expected = expected_chunks
        self._checksum = checksum
        self._start = fingerprint.position
        self._declared = declared_length
        self._extra = None
        if checksum is not None and not self._body_is_one_chunk(checksum[0]):
            self._extra = hashlib.new(checksum[0])

    def _body_is_one_chunk(self, algorithm: str) -> bool:
        size, total = self.fingerprint.chunk_size, self.fingerprint.total_size
        length = self._declared
        if algorithm != "sha256" or length is None or length == 0 or self._start % size:
            return False
        return length == size or (length < size and self._start + length == total)

    def consume(self, block: bytes | bytearray) -> None:
        """Runs in a worker thread."""
        self._handle.write(block)
        for index in self.fingerprint.update(block):
            if self.fingerprint.chunks[index] != self._expected[index]:
                raise ChunkMismatch(
                    f"chunk {index} does not match the signed manifest", chunk=index
                )
        if self._extra is not None:
            self._extra.update(block)

    def verify_checksum(self, received: int) -> None:
        if self._checksum is None:
            return
        algorithm, expected = self._checksum
        if self._declared is not None and received != self._declared:
            raise ChecksumMismatch("the body ended early; its checksum cannot match")
        if self._extra is not None:
            actual = self._extra.digest()
        else:
            actual = self.fingerprint.chunks[self._start // self.fingerprint.chunk_size].raw
        if actual != expected:
            raise ChecksumMismatch(f"Upload-Checksum ({algorithm}) does not match the body")

    def make_durable(self) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())


@dataclass(frozen=True, slots=True)
class Received:
    size: int
    interrupted: bool  # the client went away before the end of the body


async def stream_body(content: StreamReader, sink: PatchSink, limit: int) -> Received:
    """Copy the body into ``sink``; refuse more than ``limit`` bytes."""
    received = 0
    interrupted = False
    block = bytearray()
    pending: asyncio.Future[None] | None = None
    try:
        async for data in content.iter_any():
            received += len(data)
            if received > limit:
                raise TooLarge(f"the body passes the upload's length by {received - limit} bytes")
            block += data
            if len(block) >= BLOCK_SIZE:
                if pending is not None:
                    await pending
                pending = asyncio.ensure_future(asyncio.to_thread(sink.consume, block))
                block = bytearray()
    except ConnectionError:
        interrupted = True
    finally:
        if pending is not None:
            await pending  # never leave a write running behind us
    if block:
        await asyncio.to_thread(sink.consume, block)
    return Received(received, interrupted)
