"""Uploads in progress without a shared file system: each upload is one S3 multipart
upload, so any server sharing the bucket can take any PATCH.

- **Key**: ``evidence/<evidence id>/<role>/upload-<upload id>``, the upload's own, so a
  server finds its multipart upload by listing that one key (nothing is kept in the index
  but the committed offset) and no two uploads of the same bytes ever complete onto one key.
- **Parts**: whole chunks of the signed manifest, at least 5 MiB and at most 10,000 per
  upload (``part_size``): one 8 MiB chunk is one part, so the agent's PATCH of one chunk is
  one part. A PATCH's bytes go to a spool file on this server, a part at a time; a part is
  put with its SHA-256, which S3 checks. What did not fill a part is dropped: the offset
  committed is the end of the last part S3 acknowledged (durable acknowledgement: S3 holds
  the part, then the index takes the offset, then 204), and the client sends the rest
  again from there. A PATCH that fills no part is refused (``part_too_small``).
- **A server that did not see the earlier bytes** cannot read them back (S3 serves no
  part of an unfinished upload): it resumes from the signed chunk digests (each committed
  chunk was checked against them before its offset was committed), and finalize reads the
  assembled object back to take its whole-file SHA-256.
- **Finalize** completes the multipart upload: the object appears at the key with the
  lock given when the upload was created. An upload that ends unstored has its parts
  dropped (AbortMultipartUpload: transfer buffers, never a stored object).
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Sequence
from pathlib import Path

from evidence.digest import Sha256, StreamingFingerprint, chunk_count
from evidence.errors import ConfigError, PartTooSmall, StorageFailure
from runtime.private_files import make_private_dirs
from storage.interfaces import BlobStore, Landing, Piece
from storage.records import UploadRecord
from storage.retention import Kept
from storage.s3_blobs import S3BlobStore
from storage.s3_multipart import Multipart

__all__ = ["MAX_PARTS", "MIN_PART", "S3Landing", "S3UploadArea", "part_size"]

MIN_PART = 5 * 1024 * 1024  # S3: every part but the last at least this
MAX_PARTS = 10_000  # S3: at most this many parts


def part_size(chunk_size: int, length: int) -> int:
    """Whole chunks per part: enough for S3's smallest part and few enough parts."""
    chunks = max(-(-MIN_PART // chunk_size), -(-chunk_count(length, chunk_size) // MAX_PARTS))
    return chunks * chunk_size


class S3Landing:
    """One PATCH's bytes, put a part at a time from a spool file on this server."""

    def __init__(
        self, parts: Multipart, s3_id: str, upload: UploadRecord, size: int, scratch: Path
    ):
        if upload.offset % size and upload.offset != upload.length:
            raise StorageFailure(
                f"upload {upload.upload_id} is at {upload.offset}, not at a part boundary: "
                "it was begun under another upload area; end it and upload again"
            )
        self._parts, self._s3_id, self._size = parts, s3_id, size
        self._number = upload.offset // size + 1
        self._left = upload.length - upload.offset
        self._room = min(size, self._left)
        self._spool = tempfile.TemporaryFile(dir=scratch)  # noqa: SIM115 - closed by close()
        self._hash = hashlib.sha256()
        self._filled = self._written = self._durable = 0

    def write(self, pieces: Sequence[Piece]) -> None:
        for piece in pieces:
            view = memoryview(piece)
            while view:
                take = min(len(view), self._room - self._filled)
                self._spool.write(view[:take])
                self._hash.update(view[:take])
                self._filled += take
                self._written += take
                view = view[take:]
                if self._filled == self._room:
                    self._put_part()

    def _put_part(self) -> None:
        self._spool.seek(0)
        self._parts.put_part(
            self._s3_id, self._number, self._spool, self._filled, self._hash.digest()
        )
        self._durable += self._filled
        self._left -= self._filled
        self._number += 1
        self._room = min(self._size, self._left)
        self._spool.seek(0)
        self._spool.truncate()
        self._hash = hashlib.sha256()
        self._filled = 0

    def make_prefix_durable(self, size: int) -> bool:
        """Only whole parts are durable: a checkpoint at a part's end (put as it filled)
        counts, one inside a part waits for the part."""
        return self._durable >= size

    def make_durable(self) -> int:
        if self._written and not self._durable:
            raise PartTooSmall(
                f"this server keeps uploads in S3 parts of {self._size} bytes: a PATCH must "
                f"carry a whole part (or the rest of the upload); {self._written} bytes kept none"
            )
        return self._durable

    def close(self) -> None:
        self._spool.close()


class S3UploadArea:
    name = "s3"

    def __init__(self, root: Path, store: BlobStore) -> None:
        if not isinstance(store, S3BlobStore):
            raise ConfigError('server.upload_area "s3" needs server.blob_store "s3"')
        self.blobs = store
        self.scratch = root  # spool files of the PATCHes this server is taking
        make_private_dirs(root)
        self._ids: dict[str, str] = {}  # upload id → S3's multipart upload id, once found
        self.reserving: set[str] = set()  # being created here: allocated, not yet indexed

    @staticmethod
    def key(upload: UploadRecord) -> str:
        return f"evidence/{upload.evidence_id}/{upload.role.value}/upload-{upload.upload_id}"

    def _parts(self, upload: UploadRecord) -> Multipart:
        return Multipart(self.blobs.bucket, self.key(upload))

    def _s3_id(self, upload: UploadRecord) -> str:
        s3_id = self._ids.get(upload.upload_id) or self._parts(upload).find()
        if s3_id is None:
            raise StorageFailure(f"the parts of upload {upload.upload_id} are not in the bucket")
        self._ids[upload.upload_id] = s3_id
        return s3_id

    def create(self, upload: UploadRecord) -> None:
        self._ids[upload.upload_id] = self._parts(upload).start(self.blobs.until(Kept.CONTENT))

    def fill(self, upload: UploadRecord, data: bytes) -> None:
        digest = hashlib.sha256(data).digest()
        self._parts(upload).put_part(self._s3_id(upload), 1, io.BytesIO(data), len(data), digest)

    def open_at(self, upload: UploadRecord, chunk_size: int) -> Landing:
        size = part_size(chunk_size, upload.length)
        return S3Landing(self._parts(upload), self._s3_id(upload), upload, size, self.scratch)

    def resume(
        self, upload: UploadRecord, fresh: StreamingFingerprint, chunks: Sequence[Sha256]
    ) -> StreamingFingerprint:
        held = chunks[: chunk_count(upload.offset, fresh.chunk_size)]
        return StreamingFingerprint.resumed(fresh.chunk_size, upload.length, held)

    def store(self, upload: UploadRecord, sha256: Sha256) -> str:
        key = self.key(upload)
        head = self.blobs.head(key)
        if head is None:  # not yet assembled (else a finalize that stopped half-way did)
            parts = self._parts(upload)
            parts.complete(self._s3_id(upload), upload.length)
            parts.confirm_lock(self.blobs.until(Kept.CONTENT))
            self._ids.pop(upload.upload_id, None)
            head = self.blobs.head(key)
        if head is None or head["ContentLength"] != upload.length:
            raise StorageFailure(f"{key} does not hold the upload's {upload.length} bytes")
        return key

    def remove(self, upload: UploadRecord) -> None:
        s3_id = self._ids.pop(upload.upload_id, None) or self._parts(upload).find()
        if s3_id is not None:
            self._parts(upload).abort(s3_id)
