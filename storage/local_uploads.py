"""Partial uploads on local disk: one file per tus upload, written only at its committed
offset. These are transfer buffers, not evidence: the device keeps the original until it
holds a receipt, so an expired or terminated partial may be removed.

A partial is allocated at its full length when the upload is created: a full disk is
refused then (507), not half-way through, and writes need no block allocation. So its
size says nothing about progress; the committed offset in the index does. At finalize the
file enters the blob store (a hard link into the local store, beside it on the same file
system; a put into any other).
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from evidence.digest import Sha256, StreamingFingerprint, feed_file
from evidence.errors import InsufficientStorage, StorageFailure, UnknownUpload
from runtime.cpu_account import Section
from runtime.private_files import make_private_dirs
from storage.durable import drop_cached, fsync_dir, start_writeback
from storage.interfaces import BlobStore, Landing, Piece
from storage.records import UploadRecord

__all__ = ["FileLanding", "LocalUploadArea", "Partial"]

_UPLOAD_ID = re.compile(r"[0-9a-f]{32}")
_IOV_MAX = 1024  # pieces per writev (Linux's IOV_MAX; a slow link's block has many more)


@dataclass(frozen=True, slots=True)
class Partial:
    """A partial file as the upload area holds it (``partials``)."""

    upload_id: str
    allocated: int  # bytes of disk it takes (allocated at creation, whatever the offset)
    modified: float  # st_mtime
    links: int  # 2 once finalize has hard-linked it into the store


class FileLanding:
    """One PATCH's bytes written into the partial file at ``offset``; durable once
    fdatasynced. Each block's writeback starts as soon as it is written, and the block
    before it, written back by then, leaves the page cache (``drop_cached``), so the sync
    before the acknowledgement waits only for the last block, and the cache does not grow
    with the upload. ``fdatasync`` is enough: the partial was allocated at its full length
    and synced when it was created, so writing into it changes no size, only data (and
    the extent state a read needs, which fdatasync syncs too)."""

    def __init__(self, handle: BinaryIO, offset: int) -> None:
        self._handle = handle
        self._fd = handle.fileno()
        self._offset = offset
        self._written = 0
        self._dropped = 0  # bytes of this PATCH already out of the page cache

    def write(self, pieces: Sequence[Piece]) -> None:
        with Section("write"):
            start = self._written
            self._write_all(pieces)
            start_writeback(self._fd, self._offset + start, self._written - start)
            drop_cached(self._fd, self._offset + self._dropped, start - self._dropped)
            self._dropped = start

    def _write_all(self, pieces: Sequence[Piece]) -> None:
        """One ``writev`` for a block's pieces (a dozen of aiohttp's reads), not a write
        each; a short write is finished piece by piece."""
        for at in range(0, len(pieces), _IOV_MAX):
            group = pieces[at : at + _IOV_MAX]
            done = os.writev(self._fd, group)
            self._written += done
            if done < sum(map(len, group)):
                self._finish(group, done)

    def _finish(self, group: Sequence[Piece], done: int) -> None:
        for piece in group:
            view = memoryview(piece)[done:]
            done = max(0, done - len(piece))
            while view:
                wrote = os.write(self._fd, view)
                self._written += wrote
                view = view[wrote:]

    def make_prefix_durable(self, size: int) -> bool:
        """A checkpoint: everything written so far (``size`` bytes or more) synced, while
        ``write`` may go on writing on its own thread (the sync may take some of that
        too). The page cache is left to ``write``'s drops."""
        with Section("fsync"):
            os.fdatasync(self._fd)
        return self._written >= size

    def make_durable(self) -> int:
        with Section("fsync"):
            os.fdatasync(self._fd)
            drop_cached(self._fd, self._offset + self._dropped, self._written - self._dropped)
            self._dropped = self._written
        return self._written

    def close(self) -> None:
        self._handle.close()


class LocalUploadArea:
    name = "local"

    def __init__(self, root: Path, store: BlobStore) -> None:
        self.root = root
        self.blobs = store  # where finalize puts the file
        make_private_dirs(root)
        # Uploads this process is creating: allocated, their index row not yet written.
        self.reserving: set[str] = set()

    def path(self, upload_id: str) -> Path:
        if not _UPLOAD_ID.fullmatch(upload_id):
            raise UnknownUpload(f"no upload {upload_id!r}")
        return self.root / f"{upload_id}.part"

    def create(self, upload: UploadRecord) -> None:
        path, length = self.path(upload.upload_id), upload.length
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            if length:
                os.posix_fallocate(fd, 0, length)
            os.fsync(fd)
        except OSError as exc:
            os.close(fd)
            path.unlink()
            if exc.errno == errno.ENOSPC:
                raise InsufficientStorage(f"no room for {length} bytes of upload") from exc
            raise StorageFailure(f"cannot allocate the upload: {exc.strerror}") from exc
        os.close(fd)
        fsync_dir(self.root)

    def _open(self, upload_id: str, offset: int) -> BinaryIO:
        """Open for writing at ``offset``. Bytes past it were never acknowledged (a failed
        or interrupted PATCH) and are simply written over."""
        path = self.path(upload_id)
        try:
            handle = open(path, "r+b", buffering=0)  # noqa: SIM115 - the caller owns and closes it
        except FileNotFoundError:
            raise StorageFailure(f"the partial file of upload {upload_id} is missing") from None
        if os.fstat(handle.fileno()).st_nlink != 1:
            handle.close()
            # It has been hard-linked into the blob store: writing now would alter evidence.
            raise StorageFailure(f"upload {upload_id} is already stored; refusing to write")
        handle.seek(offset)
        return handle

    def open_at(self, upload: UploadRecord, chunk_size: int) -> Landing:
        return FileLanding(self._open(upload.upload_id, upload.offset), upload.offset)

    def fill(self, upload: UploadRecord, data: bytes) -> None:
        with self._open(upload.upload_id, 0) as handle:
            handle.write(data)
            os.fsync(handle.fileno())

    def resume(
        self, upload: UploadRecord, fresh: StreamingFingerprint, chunks: Sequence[Sha256]
    ) -> StreamingFingerprint:
        """Read the committed bytes back from the partial file."""
        return feed_file(fresh, self.path(upload.upload_id), upload.offset)

    def store(self, upload: UploadRecord, sha256: Sha256) -> str:
        return self.blobs.put_file(self.path(upload.upload_id), sha256, upload.length)

    def remove(self, upload: UploadRecord) -> None:
        self.remove_partial(upload.upload_id)

    def partials(self) -> Iterator[Partial]:
        """Every partial file in the area (a file gone while listed is passed over)."""
        for path in self.root.glob("*.part"):
            if not _UPLOAD_ID.fullmatch(path.stem):
                continue
            try:
                info = path.stat()
            except FileNotFoundError:
                continue
            yield Partial(path.stem, info.st_blocks * 512, info.st_mtime, info.st_nlink)

    def remove_partial(self, upload_id: str) -> None:
        self.path(upload_id).unlink(missing_ok=True)
        fsync_dir(self.root)
