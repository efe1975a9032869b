"""Send one file's bytes with tus, resuming wherever the server's committed offset is.

Chunks follow the manifest's chunk boundaries, so each PATCH's Upload-Checksum is the
chunk digest already signed in the manifest: the file is not hashed a second time, and a
file that changed since it was fingerprinted is refused by the server chunk by chunk.
Every offset the server commits is reported as it is heard, and the bytes of a chunk on
their way as they go (the pipeline journals both: an attempt that moved bytes does not
count towards the backoff, and the operator sees how far and how fast the upload goes).

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


def _read_at(fd: int, offset: int, size: int) -> bytes:
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
    return b"".join(parts)


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
) -> str:
    """Upload ``path`` until the server holds every byte; return the upload URL.
    ``on_progress`` hears every offset the server says it has committed, and the bytes
    sent on the way to the next one."""
    url, offset = await _resume_point(tus, manifest, url, on_created)
    await on_progress(offset, True)
    if offset == manifest.size:
        return url  # the server holds every byte; the file is not even needed
    fd = os.open(path, os.O_RDONLY)
    try:
        await _send_from(tus, url, fd, offset, manifest, path.name, on_progress)
    finally:
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


async def _send_from(
    tus: TusClient,
    url: str,
    fd: int,
    offset: int,
    manifest: Manifest,
    name: str,
    on_progress: Progress,
) -> None:
    """PATCH chunk after chunk; the next chunk is read from disk while this one is sent."""
    size = manifest.chunk_size

    def span(start: int) -> tuple[int, int]:
        return start, min(manifest.size, (start // size + 1) * size) - start

    def read(start: int) -> asyncio.Future[bytes]:
        return asyncio.ensure_future(asyncio.to_thread(_read_at, fd, *span(start)))

    refusals = _Refusals()
    upcoming = read(offset)
    sending = offset

    async def sent(count: int) -> None:
        await on_progress(sending + count, False)

    try:
        while offset < manifest.size:
            data = await upcoming
            index = offset // size
            whole_chunk = offset == index * size
            checksum = manifest.chunks[index].raw if whole_chunk else Sha256.of(data).raw
            if offset + len(data) < manifest.size:
                upcoming = read(offset + len(data))
            try:
                sending = offset
                offset = await tus.patch(url, offset, data, checksum, sent)
                failpoints.hit(failpoints.AFTER_204)
                refusals.mismatches = 0
                await on_progress(offset, True)
                continue
            except ChecksumMismatch as exc:
                if whole_chunk and Sha256.of(data) != manifest.chunks[index]:
                    raise SourceChanged(
                        f"chunk {index} of {name} changed after it was signed"
                    ) from None
                refusals.mismatched(exc)
            except OffsetMismatch:
                pass
            except Locked as exc:  # HEAD said free a moment ago: wait a little, ask again
                await refusals.locked(exc)
            upcoming.cancel()
            offset = await free_offset(tus, url, manifest.size)  # resume where the server is
            await on_progress(offset, True)
            upcoming = read(offset)
    finally:
        upcoming.cancel()
