"""Send one file's bytes with tus, resuming wherever the server's committed offset is.

PATCHes follow the manifest's chunk boundaries and carry ``agent.patch_chunks`` chunks
each, streamed from the file (``agent/patch_body.py``): one PATCH, with its server-side
sync and index commit and its round trip, per several chunks rather than per chunk. The
file is not hashed a second time: the server checks every chunk against the signed
manifest as it arrives (460 ``chunk_mismatch``, ``details.chunk`` naming it), so a file
that changed since it was fingerprinted is refused chunk by chunk, and the uploader reads
that chunk again to tell a changed file (``SourceChanged``) from a garbled link. A PATCH
of exactly one whole chunk also carries that chunk's signed digest as Upload-Checksum; a
multi-chunk one carries none, so the server keeps what arrived of a body cut off, and
the resumed upload sends again at most what was on its way. A resume mid-chunk sends the
rest of that chunk first, alone. Every offset the server commits is reported as it is
heard, and the bytes of a PATCH on their way as they go (the pipeline journals both: an
attempt that moved bytes does not count towards the backoff, and the operator sees how
far and how fast the upload goes).

A PATCH given up (no answer in time, a body that stopped moving) may still be on its way
to the server, which holds the upload while it reads it: the server's HEAD says so
(``BUSY_HEADER``), and a PATCH sent meanwhile meets 423 ``upload_locked`` after sending
its body for nothing. So the uploader asks again after short waits until nothing holds
the upload, then resumes from the offset the server committed: a slow link's abandoned
body lands and is not sent twice; a frozen one is given up by the server
(``server.body_read_timeout_seconds``) and resumed.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from agent import failpoints
from agent.config import PATCH_CHUNKS
from agent.patch_body import ReadAhead, read_at
from agent.tus_client import TusClient
from evidence.digest import Sha256
from evidence.errors import (
    ChecksumMismatch,
    Gone,
    Locked,
    NotFound,
    OffsetMismatch,
    SourceChanged,
)
from evidence.manifest import Manifest
from evidence.wire import META_EVIDENCE_ID, META_FILENAME, META_ROLE

__all__ = ["MAX_CHECKSUM_RETRIES", "upload_file"]

log = logging.getLogger(__name__)

MAX_CHECKSUM_RETRIES = 3
# Waits between HEADs while a request still holds the upload: about 100 s in all, more
# than the server's default body read timeout (60 s), then Locked (backed off as usual).
LOCK_WAITS = (0.25, 0.5, 1.0, 2.0, 4.0, *(5.0,) * 18)

# Called with how many bytes of the file are done, and whether the server committed them
# (or they are only sent, in a PATCH not yet answered).
Progress = Callable[[int, bool], Awaitable[None]]


async def _resume_point(
    tus: TusClient,
    manifest: Manifest,
    url: str | None,
    on_created: Callable[[str], Awaitable[None]],
) -> tuple[str, int]:
    if url is not None:
        try:
            return url, await free_offset(tus, url, manifest.size)
        except (NotFound, Gone):
            log.info("upload %s is gone on the server; starting a new one", url)
    metadata = {
        META_EVIDENCE_ID: str(manifest.evidence_id),
        META_ROLE: manifest.role.value,
        META_FILENAME: manifest.file_name,
    }
    url = await tus.create(manifest.size, metadata)
    failpoints.hit(failpoints.AFTER_CREATE)
    await on_created(url)
    return url, 0  # the creation request carries no bytes, so a new upload starts empty


async def free_offset(tus: TusClient, url: str, length: int) -> int:
    """The server's committed offset once no request holds the upload."""
    for wait in LOCK_WAITS:
        offset, busy = await tus.where(url, length)
        if not busy:
            return offset
        log.info(
            "upload %s is held by an earlier request (at %d); asking again in %g s",
            url,
            offset,
            wait,
        )
        await asyncio.sleep(wait)
    raise Locked(f"upload {url} is still held by an earlier request")


async def _ignore(done: int, committed: bool) -> None:
    pass


async def upload_file(
    tus: TusClient,
    path: Path,
    manifest: Manifest,
    url: str | None,
    on_created: Callable[[str], Awaitable[None]],
    on_progress: Progress = _ignore,
    *,
    patch_chunks: int = PATCH_CHUNKS,
) -> str:
    """Upload ``path`` until the server holds every byte; return the upload URL.
    ``on_progress`` hears every offset the server says it has committed, and the bytes
    sent on the way to the next one; a PATCH carries up to ``patch_chunks`` chunks."""
    url, offset = await _resume_point(tus, manifest, url, on_created)
    await on_progress(offset, True)
    if offset == manifest.size:
        return url  # the server holds every byte; the file is not even needed
    fd = os.open(path, os.O_RDONLY)
    file = ReadAhead(fd, manifest.size)
    try:
        await _send_from(tus, url, file, offset, manifest, path.name, on_progress, patch_chunks)
    finally:
        file.close()
        os.close(fd)
    return url


@dataclass
class _Refusals:
    """What one upload attempt takes before it gives up: checksum mismatches in a row,
    and 423s (each after a short wait)."""

    mismatches: int = 0
    locks: int = 0

    def mismatched(self, exc: ChecksumMismatch) -> None:
        self.mismatches += 1
        if self.mismatches > MAX_CHECKSUM_RETRIES:
            raise exc

    async def locked(self, exc: Locked) -> None:
        self.locks += 1
        if self.locks > len(LOCK_WAITS):
            raise exc
        await asyncio.sleep(LOCK_WAITS[min(self.locks, 5) - 1])


def _span(manifest: Manifest, offset: int, patch_chunks: int) -> int:
    """How many bytes the PATCH at ``offset`` carries: the rest of the chunk after a
    resume mid-chunk, else ``patch_chunks`` whole chunks (fewer at the end)."""
    size = manifest.chunk_size
    if offset % size:
        return min(manifest.size, (offset // size + 1) * size) - offset
    return min(manifest.size, offset + patch_chunks * size) - offset


async def _patch(
    tus: TusClient,
    url: str,
    file: ReadAhead,
    offset: int,
    manifest: Manifest,
    patch_chunks: int,
    on_progress: Progress,
) -> int:
    """One PATCH from ``offset``; return the server's new committed offset. A body of one
    whole chunk carries its signed digest as Upload-Checksum, the rest of a chunk its own
    (read whole, to hash it); a body of several chunks none: the server checks each
    against the signed list as it arrives."""

    async def sent(count: int) -> None:
        await on_progress(offset + count, False)

    chunk, size = manifest.chunk_size, _span(manifest, offset, patch_chunks)
    if offset % chunk:
        data = await asyncio.to_thread(read_at, file.fd, offset, size)
        return await tus.patch(url, offset, data, Sha256.of(data).raw, sent)
    checksum = manifest.chunks[offset // chunk].raw if size <= chunk else None
    return await tus.patch_span(url, offset, file, size, checksum, sent)


def _refused_chunk(exc: ChecksumMismatch, offset: int, manifest: Manifest) -> int:
    """The chunk the server found wrong (``details.chunk``), else the one at ``offset``."""
    named = exc.details.get("chunk")
    if isinstance(named, int) and 0 <= named < len(manifest.chunks):
        return named
    return offset // manifest.chunk_size


def _check_chunk(fd: int, manifest: Manifest, index: int, name: str) -> None:
    """Read chunk ``index`` again: a refusal is the file's fault (``SourceChanged``) if it
    no longer matches the signed manifest, else the link's (sent again)."""
    start = index * manifest.chunk_size
    data = read_at(fd, start, min(manifest.chunk_size, manifest.size - start))
    if Sha256.of(data) != manifest.chunks[index]:
        raise SourceChanged(f"chunk {index} of {name} changed after it was signed")


async def _send_from(
    tus: TusClient,
    url: str,
    file: ReadAhead,
    offset: int,
    manifest: Manifest,
    name: str,
    on_progress: Progress,
    patch_chunks: int,
) -> None:
    """PATCH span after span from the server's committed offset, each streamed from the
    file; after a refusal or a broken body, resume where the server says it is."""
    refusals = _Refusals()
    while offset < manifest.size:
        try:
            offset = await _patch(tus, url, file, offset, manifest, patch_chunks, on_progress)
            failpoints.hit(failpoints.AFTER_204)
            refusals.mismatches = 0
            await on_progress(offset, True)
            continue
        except ChecksumMismatch as exc:
            index = _refused_chunk(exc, offset, manifest)
            await asyncio.to_thread(_check_chunk, file.fd, manifest, index, name)
            refusals.mismatched(exc)
        except OffsetMismatch:
            pass
        except Locked as exc:  # HEAD said free a moment ago: wait a little, ask again
            await refusals.locked(exc)
        offset = await free_offset(tus, url, manifest.size)  # resume where the server is
        await on_progress(offset, True)
