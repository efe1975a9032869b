"""Send one file's bytes with tus, resuming wherever the server's committed offset is.

Chunks follow the manifest's chunk boundaries, so each PATCH's Upload-Checksum is the
chunk digest already signed in the manifest: the file is not hashed a second time, and a
file that changed since it was fingerprinted is refused by the server chunk by chunk.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from agent import failpoints
from agent.tus_client import TusClient
from evidence.digest import Sha256
from evidence.errors import ChecksumMismatch, Gone, NotFound, OffsetMismatch, SourceChanged
from evidence.manifest import Manifest
from evidence.wire import META_EVIDENCE_ID, META_FILENAME, META_ROLE

__all__ = ["MAX_CHECKSUM_RETRIES", "upload_file"]

log = logging.getLogger(__name__)

MAX_CHECKSUM_RETRIES = 3


def _read_at(fd: int, offset: int, size: int) -> bytes:
    data = os.pread(fd, size, offset)
    if len(data) != size:
        raise SourceChanged(f"the file is shorter than when it was signed (at byte {offset})")
    return data


async def _resume_point(
    tus: TusClient,
    manifest: Manifest,
    url: str | None,
    on_created: Callable[[str], Awaitable[None]],
) -> tuple[str, int]:
    if url is not None:
        try:
            return url, await tus.offset(url, manifest.size)
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


async def upload_file(
    tus: TusClient,
    path: Path,
    manifest: Manifest,
    url: str | None,
    on_created: Callable[[str], Awaitable[None]],
) -> str:
    """Upload ``path`` until the server holds every byte; return the upload URL."""
    url, offset = await _resume_point(tus, manifest, url, on_created)
    if offset == manifest.size:
        return url  # the server holds every byte; the file is not even needed
    fd = os.open(path, os.O_RDONLY)
    try:
        await _send_from(tus, url, fd, offset, manifest, path.name)
    finally:
        os.close(fd)
    return url


async def _send_from(
    tus: TusClient, url: str, fd: int, offset: int, manifest: Manifest, name: str
) -> None:
    """PATCH chunk after chunk; the next chunk is read from disk while this one is sent."""
    size = manifest.chunk_size

    def span(start: int) -> tuple[int, int]:
        return start, min(manifest.size, (start // size + 1) * size) - start

    def read(start: int) -> asyncio.Future[bytes]:
        return asyncio.ensure_future(asyncio.to_thread(_read_at, fd, *span(start)))

    mismatches = 0
    upcoming = read(offset)
    try:
        while offset < manifest.size:
            data = await upcoming
            index = offset // size
            whole_chunk = offset == index * size
            checksum = manifest.chunks[index].raw if whole_chunk else Sha256.of(data).raw
            if offset + len(data) < manifest.size:
                upcoming = read(offset + len(data))
            try:
                offset = await tus.patch(url, offset, data, checksum)
                failpoints.hit(failpoints.AFTER_204)
                mismatches = 0
                continue
            except ChecksumMismatch:
                if whole_chunk and Sha256.of(data) != manifest.chunks[index]:
                    raise SourceChanged(
                        f"chunk {index} of {name} changed after it was signed"
                    ) from None
                mismatches += 1
                if mismatches > MAX_CHECKSUM_RETRIES:
                    raise
            except OffsetMismatch:
                pass
            upcoming.cancel()
            offset = await tus.offset(url, manifest.size)  # resume wherever the server is
            upcoming = read(offset)
    finally:
        upcoming.cancel()
