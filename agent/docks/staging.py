"""Copy one file off a docked camera into the staging area, resumably. Blocking: run it in
a thread.

The copy grows in ``<data_dir>/copying/…`` (never watched), fsynced, and is renamed into
``<data_dir>/staging/…`` (watched) only when it has every byte of the file the camera
still holds unchanged: a partial copy is never taken as footage. The camera's file is
only ever read. A camera pulled mid-copy (its file gone, a read failing, a changed
identity) stops the copy with ``BayUnavailable`` and leaves the partial copy where it is;
when the camera is back, the copy resumes from where it stopped, after checking that the
bytes it has end the way the camera's file does at that point. The MD5 of the staged
bytes is computed on the way, for a camera that claims an MD5.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from evidence.errors import BayUnavailable
from runtime.private_files import make_private_dirs

__all__ = ["BLOCK", "CopyJob", "copy_resumably", "copy_small"]

BLOCK = 1024 * 1024
_OVERLAP = 64 * 1024  # bytes re-read from the camera before resuming, to check they agree


@dataclass(frozen=True, slots=True)
class CopyJob:
    source: Path
    partial: Path
    target: Path
    size: int
    mtime_ns: int


def _check_source(job: CopyJob) -> None:
    """The camera's file is still the one this job copies: still there, same size and
    mtime. Checked at every block, since an open file survives its mount being torn away."""
    try:
        seen = job.source.stat()
    except OSError as exc:
        raise BayUnavailable(f"{job.source} is gone: {exc.strerror}") from exc
    if (seen.st_size, seen.st_mtime_ns) != (job.size, job.mtime_ns):
        raise BayUnavailable(f"{job.source} changed on the camera while it was being copied")


class _Digest(Protocol):
    def update(self, data: bytes, /) -> None: ...


def _resume_point(job: CopyJob, source: BinaryIO, partial: BinaryIO, md5: _Digest) -> int:
    """How much of the partial copy to keep: all of it if its last bytes agree with the
    camera's file there, else none. Feeds what is kept to ``md5``."""
    have = os.fstat(partial.fileno()).st_size
    if not 0 < have <= job.size:
        return 0
    overlap = min(have, _OVERLAP)
    partial.seek(have - overlap)
    source.seek(have - overlap)
    if partial.read(overlap) != source.read(overlap):
        return 0
    partial.seek(0)
    while block := partial.read(BLOCK):
        md5.update(block)
    return have


def _open_partial(path: Path) -> int:
    make_private_dirs(path.parent)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


def copy_resumably(
    job: CopyJob, on_block: Callable[[int], None] | None = None, block: int = BLOCK
) -> str:
    """Copy ``job.source`` to ``job.target`` by way of ``job.partial``; return the MD5 of
    the staged bytes. ``on_block(bytes copied so far)`` runs after each block."""
    _check_source(job)
    md5 = hashlib.md5(usedforsecurity=False)
    try:
        with open(job.source, "rb") as source, open(_open_partial(job.partial), "r+b") as out:
            done = _resume_point(job, source, out, md5)
            if done == 0:
                md5 = hashlib.md5(usedforsecurity=False)
            out.truncate(done)
            out.seek(done)
            source.seek(done)
            while done < job.size:
                chunk = source.read(min(block, job.size - done))
                if not chunk:
                    raise BayUnavailable(f"{job.source} ended at {done} of {job.size} bytes")
                out.write(chunk)
                md5.update(chunk)
                done += len(chunk)
                if on_block is not None:
                    on_block(done)
                _check_source(job)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:  # EIO, ENODEV: the camera went away under the read
        raise BayUnavailable(f"{job.source} could not be read: {exc.strerror}") from exc
    _check_source(job)
    _place(job)
    return md5.hexdigest()


def _place(job: CopyJob) -> None:
    """Rename the whole copy into the staging area, with the camera's mtime."""
    os.utime(job.partial, ns=(job.mtime_ns, job.mtime_ns))
    make_private_dirs(job.target.parent)
    if job.target.exists():
        raise FileExistsError(f"{job.target} exists; staging never writes over a file")
    os.rename(job.partial, job.target)
    folder = os.open(job.target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def copy_small(source: Path, target: Path, limit: int = 64 * 1024) -> None:
    """A sidecar, whole, in one read, written beside where its recording will land."""
    try:
        with open(source, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise BayUnavailable(f"{source} could not be read: {exc.strerror}") from exc
    make_private_dirs(target.parent)
    temporary = target.with_name(f".{target.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(descriptor, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, target)
