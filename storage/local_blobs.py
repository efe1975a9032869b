"""The embedded blob store: content-addressed, read-only files on the local disk.

Layout: ``<root>/sha256/ab/cd/abcd…`` (the full hex digest as the name), mode 0400 in
0700 folders: read-only, and for the service user alone.
An object enters by hard link (atomic, never replaces an existing name) or, across file
systems, by a synced copy linked into place. Nothing here rewrites. One operation removes,
``remove_expired``, and it refuses anything a hold stands on or whose retention has not
ended (``still_retained``, ``under_legal_hold``; docs/retention.md): nothing in Liuhen
calls it, and nothing is ever removed on its own.

Local files are tamper-evident, not tamper-proof: anyone with root can change them, and
``liuhen recordings verify`` will then say so. S3 Object Lock is the tamper-proof backend.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Generator, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from evidence.digest import Sha256
from evidence.errors import InsufficientStorage, StorageFailure
from evidence.retention_classes import check_removable
from runtime.private_files import make_private_dirs
from storage.durable import fsync_dir, fsync_path, make_dirs_durably

__all__ = ["LocalBlobStore"]

log = logging.getLogger(__name__)

_LOCATOR = re.compile(r"sha256/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}")
_CROSS_DEVICE = {errno.EXDEV, errno.EPERM, errno.EMLINK}


class LocalBlobStore:
    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = root
        make_private_dirs(root)

    @staticmethod
    def locator_for(sha256: Sha256) -> str:
        digest = sha256.hex
        return f"sha256/{digest[:2]}/{digest[2:4]}/{digest}"

    def _path(self, locator: str) -> Path:
        if not _LOCATOR.fullmatch(locator):
            raise StorageFailure(f"not a local-store locator: {locator!r}")
        return self.root / locator

    def put_file(self, source: Path, sha256: Sha256, size: int) -> str:
        locator = self.locator_for(sha256)
        target = self._path(locator)
        try:
            if target.exists():
                return self._existing(locator, target, size)
            make_dirs_durably(target.parent)
            try:
                os.link(source, target)
            except FileExistsError:
                return self._existing(locator, target, size)
            except OSError as exc:
                if exc.errno not in _CROSS_DEVICE:
                    raise
                self._copy_into_place(source, target)
            os.chmod(target, 0o400)
            fsync_path(target)
            fsync_dir(target.parent)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise InsufficientStorage("the local store is full") from exc
            raise StorageFailure(f"could not store {sha256}: {exc.strerror}") from exc
        log.info("stored %s (%d bytes)", locator, size)
        return locator

    @staticmethod
    def _existing(locator: str, target: Path, size: int) -> str:
        held = target.stat().st_size
        if held != size:
            # Same name, different size: the stored copy is damaged. Never overwrite it.
            raise StorageFailure(
                f"{locator} is held with {held} bytes, not {size}: the store copy is damaged",
                locator=locator,
            )
        return locator

    @staticmethod
    def _copy_into_place(source: Path, target: Path) -> None:
        fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                shutil.copyfileobj(src, out, 1024 * 1024)
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(temp, target)  # if it exists, identical content arrived first
        finally:
            temp.unlink()

    def read(self, locator: str, buffer_size: int) -> Iterator[bytes]:
        try:
            with open(self._path(locator), "rb") as handle:
                while block := handle.read(buffer_size):
                    yield block
        except OSError as exc:
            raise StorageFailure(f"cannot read {locator}: {exc.strerror}", locator=locator) from exc

    def read_range(
        self, locator: str, start: int, length: int, buffer_size: int = 1024 * 1024
    ) -> Generator[bytes, None, None]:
        try:
            with open(self._path(locator), "rb") as handle:
                handle.seek(start)
                while length > 0 and (block := handle.read(min(buffer_size, length))):
                    length -= len(block)
                    yield block
        except OSError as exc:
            raise StorageFailure(f"cannot read {locator}: {exc.strerror}", locator=locator) from exc

    def size(self, locator: str) -> int | None:
        try:
            return self._path(locator).stat().st_size
        except FileNotFoundError:
            return None

    def remove_expired(
        self,
        locator: str,
        *,
        removable_at: datetime | None,
        holds: Sequence[int],
        now: datetime,
    ) -> None:
        """Remove an object whose retention ended (``removable_at``, from the retention
        report) and on which no hold stands; refuse anything else, removing nothing."""
        check_removable(removable_at, holds, now)
        target = self._path(locator)
        try:
            target.unlink()
            fsync_dir(target.parent)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StorageFailure(f"could not remove {locator}: {exc.strerror}") from exc
        log.warning("removed %s, its retention ended %s", locator, removable_at)

    def path_of(self, locator: str) -> Path:
        """The file behind a locator, for local tools (the offline verifier, tests)."""
        return self._path(locator)
