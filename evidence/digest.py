"""SHA-256 digests, and the one-pass fingerprint of a file: whole-file SHA-256 plus 8 MiB
chunk digests folded into an RFC 6962 root.

The whole-file SHA-256 is the evidentiary hash (what ``sha256sum`` prints). The chunk
digests let a server check an upload as it arrives and pin damage to one chunk. Both come
from a single read of each byte through one fixed buffer.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from evidence import merkle
from evidence.errors import InvalidIdentifier, LengthMismatch

__all__ = [
    "CHUNK_SIZE",
    "READ_BUFFER_SIZE",
    "Fingerprint",
    "Sha256",
    "StreamingFingerprint",
    "chunk_count",
    "chunk_root",
    "feed_file",
    "fingerprint_file",
]

CHUNK_SIZE = 8 * 1024 * 1024
READ_BUFFER_SIZE = 1024 * 1024  # divides CHUNK_SIZE, so default reads align with chunks
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class Sha256:
    """A SHA-256 digest, held as 64 lowercase hex characters."""

    hex: str

    def __post_init__(self) -> None:
        if not isinstance(self.hex, str) or not _HEX64.fullmatch(self.hex):
            raise InvalidIdentifier(f"a SHA-256 is 64 lowercase hex characters; got {self.hex!r}")

    @classmethod
    def of(cls, data: bytes) -> Sha256:
        return cls(hashlib.sha256(data).hexdigest())

    @classmethod
    def from_raw(cls, raw: bytes) -> Sha256:
        if len(raw) != 32:
            raise InvalidIdentifier(f"a SHA-256 is 32 bytes; got {len(raw)}")
        return cls(raw.hex())

    @property
    def raw(self) -> bytes:
        return bytes.fromhex(self.hex)

    def __str__(self) -> str:
        return self.hex


def chunk_count(size: int, chunk_size: int = CHUNK_SIZE) -> int:
    return -(-size // chunk_size)


def chunk_root(chunks: Iterable[Sha256]) -> Sha256:
    """RFC 6962 root whose leaf data are the chunk digests (32 bytes each)."""
    return Sha256.from_raw(merkle.root_of([chunk.raw for chunk in chunks]))


@dataclass(frozen=True, slots=True)
class Fingerprint:
    size: int
    sha256: Sha256
    chunk_size: int
    chunks: tuple[Sha256, ...]
    root: Sha256


class StreamingFingerprint:
    """Fed the bytes of one file in order; tracks the whole-file and per-chunk SHA-256.

    ``total_size``, when known (a server knows the upload length), closes the last,
    shorter chunk as soon as its final byte arrives.

    One ``resumed`` after whole chunks hashed elsewhere (another server took them, and
    their bytes cannot be read back here) keeps chunk digests only: ``whole_known`` is
    False, the whole-file SHA-256 is not computed, and ``finish`` refuses.
    """

    def __init__(self, chunk_size: int = CHUNK_SIZE, total_size: int | None = None) -> None:
        if chunk_size <= 0:
            raise ValueError("chunk_size must be positive")
        self.chunk_size = chunk_size
        self.total_size = total_size
        self.position = 0
        self.chunks: list[Sha256] = []
        self._whole = hashlib.sha256()
        self._chunk = hashlib.sha256()
        self._chunk_filled = 0
        self.whole_known = True

    @classmethod
    def resumed(
        cls, chunk_size: int, total_size: int, chunks: Iterable[Sha256]
    ) -> StreamingFingerprint:
        """Carry on after these whole chunks, their digests taken as given."""
        fingerprint = cls(chunk_size, total_size)
        fingerprint.chunks = list(chunks)
        fingerprint.position = min(len(fingerprint.chunks) * chunk_size, total_size)
        fingerprint.whole_known = False
        return fingerprint

    def copy(self) -> StreamingFingerprint:
        twin = StreamingFingerprint(self.chunk_size, self.total_size)
        twin.whole_known = self.whole_known
        twin.position = self.position
        twin.chunks = list(self.chunks)
        twin._whole = self._whole.copy()
        twin._chunk = self._chunk.copy()
        twin._chunk_filled = self._chunk_filled
        return twin

    def update(self, data: bytes | bytearray | memoryview) -> list[int]:
        """Feed ``data``; return the indexes of the chunks it completed."""
        completed = self.update_chunks(data)
        self.update_whole(data)
        return completed

    # The two halves of ``update`` touch disjoint state, so a caller may run them on two
    # threads at once (each half still in order): SHA-256 is the costly part.

    def update_whole(self, data: bytes | bytearray | memoryview) -> None:
        if self.whole_known:
            self._whole.update(data)

    def update_chunks(self, data: bytes | bytearray | memoryview) -> list[int]:
        view = memoryview(data)
        if self.total_size is not None and self.position + len(view) > self.total_size:
            raise LengthMismatch(
                f"{self.position + len(view)} bytes exceed the declared {self.total_size}"
            )
        completed: list[int] = []
        while view:
            take = min(len(view), self.chunk_size - self._chunk_filled)
            self._chunk.update(view[:take])
            self._chunk_filled += take
            self.position += take
            view = view[take:]
            if self._chunk_filled == self.chunk_size or self.position == self.total_size:
                completed.append(self._close_chunk())
        return completed

    def _close_chunk(self) -> int:
        self.chunks.append(Sha256(self._chunk.hexdigest()))
        self._chunk = hashlib.sha256()
        self._chunk_filled = 0
        return len(self.chunks) - 1

    def finish(self) -> Fingerprint:
        """The fingerprint of everything fed so far, the last partial chunk included.
        Changes nothing, so feeding may go on after a look."""
        if not self.whole_known:
            raise ValueError("resumed after bytes hashed elsewhere: no whole-file digest here")
        if self.total_size is not None and self.position != self.total_size:
            raise LengthMismatch(f"got {self.position} bytes of the declared {self.total_size}")
        chunks = list(self.chunks)
        if self._chunk_filled:
            chunks.append(Sha256(self._chunk.hexdigest()))
        return Fingerprint(
            size=self.position,
            sha256=Sha256(self._whole.hexdigest()),
            chunk_size=self.chunk_size,
            chunks=tuple(chunks),
            root=chunk_root(chunks),
        )


def feed_file(
    fingerprint: StreamingFingerprint, path: Path, length: int | None = None
) -> StreamingFingerprint:
    """Feed ``length`` bytes of ``path`` (all of it if None) through one fixed buffer."""
    buffer = bytearray(READ_BUFFER_SIZE)
    view = memoryview(buffer)
    remaining = length
    with open(path, "rb", buffering=0) as handle:
        while remaining is None or remaining > 0:
            want = READ_BUFFER_SIZE if remaining is None else min(READ_BUFFER_SIZE, remaining)
            got = handle.readinto(view[:want])
            if not got:
                break
            fingerprint.update(view[:got])
            if remaining is not None:
                remaining -= got
    if remaining:
        raise LengthMismatch(f"{path.name} ended {remaining} bytes short of {length}")
    return fingerprint


def fingerprint_file(path: Path | str, chunk_size: int = CHUNK_SIZE) -> Fingerprint:
    """Read ``path`` once and return its fingerprint."""
    path = Path(os.fspath(path))
    return feed_file(StreamingFingerprint(chunk_size), path).finish()
