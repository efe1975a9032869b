"""The agent's fingerprint of a file: one read, its two SHA-256 passes on two threads.

The whole-file digest and the chunk digests each cost a full SHA-256 pass; hashlib lets
go of the GIL while it hashes a large buffer, so the calling thread reads a block and
hashes it into its chunk while a helper thread hashes the same block into the whole-file
digest. Blocks come from a small pool of buffers filled with ``readinto`` and handed
back by the helper once it is done with them: nothing is copied between the file and
the two hashes, and memory stays at the pool's few MiB whatever the file's size.
"""

from __future__ import annotations

import os
import queue
import threading
from io import FileIO
from pathlib import Path

from evidence.digest import READ_BUFFER_SIZE, Fingerprint, StreamingFingerprint

__all__ = ["POOL_BLOCKS", "feed_file_two_threads", "fingerprint_two_threads"]

POOL_BLOCKS = 4  # the reader may run this many blocks ahead of the whole-file hash

_Block = tuple[bytearray, int] | None  # a buffer and how much of it holds data; None ends


def _hash_whole(
    fingerprint: StreamingFingerprint, blocks: queue.Queue[_Block], free: queue.Queue[bytearray]
) -> None:
    while (block := blocks.get()) is not None:
        buffer, size = block
        fingerprint.update_whole(memoryview(buffer)[:size])
        free.put(buffer)


def feed_file_two_threads(
    fingerprint: StreamingFingerprint, path: Path, block_size: int = READ_BUFFER_SIZE
) -> StreamingFingerprint:
    """Feed every byte of ``path`` to ``fingerprint``: chunk digests on this thread
    (``update_chunks``, so a subclass may watch each block there), the whole-file digest
    on a helper thread. An error on either side stops both and is raised here. A file of
    one block or less is hashed here alone, through a buffer of its size: a thread and
    four 1 MiB buffers for each small file would cost more than they save."""
    with open(path, "rb", buffering=0) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size <= block_size:
            return _feed_here(fingerprint, handle, max(size, 1))
        return _feed_two_threads(fingerprint, handle, block_size)


def _feed_here(
    fingerprint: StreamingFingerprint, handle: FileIO, block_size: int
) -> StreamingFingerprint:
    buffer = bytearray(block_size)
    while got := handle.readinto(buffer):
        fingerprint.update_chunks(memoryview(buffer)[:got])
        fingerprint.update_whole(memoryview(buffer)[:got])
    return fingerprint


def _feed_two_threads(
    fingerprint: StreamingFingerprint, handle: FileIO, block_size: int
) -> StreamingFingerprint:
    free: queue.Queue[bytearray] = queue.Queue()
    for _ in range(POOL_BLOCKS):
        free.put(bytearray(block_size))
    blocks: queue.Queue[_Block] = queue.Queue()
    failure: list[BaseException] = []

    def whole() -> None:
        try:
            _hash_whole(fingerprint, blocks, free)
        except BaseException as exc:  # raised on the reader's side below
            failure.append(exc)
            free.put(bytearray(0))  # wake a reader waiting for a buffer

    helper = threading.Thread(target=whole, name="fingerprint-whole", daemon=True)
    helper.start()
    try:
        while not failure:
            buffer = free.get()
            got = handle.readinto(buffer) if buffer else 0
            if not got:
                break
            fingerprint.update_chunks(memoryview(buffer)[:got])
            blocks.put((buffer, got))
    finally:
        blocks.put(None)
        helper.join()
    if failure:
        raise failure[0]
    return fingerprint


def fingerprint_two_threads(path: Path | str) -> Fingerprint:
    """Read ``path`` once and return its fingerprint (the same as ``fingerprint_file``)."""
    return feed_file_two_threads(StreamingFingerprint(), Path(os.fspath(path))).finish()
