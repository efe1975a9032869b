"""The scale-out blob store: an S3 bucket with versioning and Object Lock, every object
put in COMPLIANCE mode, so that not even the bucket's administrator can delete or
rewrite it before its retain-until date (``storage/retention.py`` gives the date).

Layout in the bucket:

    sha256/ab/cd/<sha256>                      bytes stored from a file (``put_file``)
    evidence/<evidence id>/<role>/upload-<id>  bytes assembled from an upload's S3 parts
                                               (``storage/s3_uploads.py``)
    evidence/<evidence id>/<role>/manifest.json, manifest.sig
                                               the device's signed manifest, exact bytes
    evidence/<evidence id>/<role>/receipt.json, receipt.sig
                                               the server's signed receipt, exact bytes

So the bucket alone proves custody: every object's bytes with what the device signed and
what the server signed for them. Every put says the object's SHA-256, which S3 checks
(``ChecksumAlgorithm=SHA256``), and comes after a ``head_object`` that finds the key free
(and ``IfNoneMatch``, so a race loses instead of writing a second version): nothing here
rewrites, copies over or deletes an object.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Callable, Generator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from evidence.digest import Sha256
from evidence.errors import StorageFailure
from evidence.identifiers import EvidenceId, Role
from storage.interfaces import Document
from storage.retention import Kept, RetentionRule, retain_for_days, retain_for_longer
from storage.retention_config import RetentionConfig
from storage.s3_client import S3Bucket, check_bucket, connect, error_code, s3_errors
from storage.s3_config import S3Config
from storage.s3_locks import S3Locks
from storage.s3_multipart import Multipart, b64, lock_params

__all__ = ["MAX_SINGLE_PUT", "S3BlobStore", "open_s3_store"]

log = logging.getLogger(__name__)

MAX_SINGLE_PUT = 5 * 1024**3  # S3's limit for one PutObject; larger files go in parts
FILE_PART = 64 * 1024 * 1024
_LOCATOR = re.compile(
    r"sha256/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}"
    r"|evidence/[0-9a-f-]{36}/(?:original|proxy|transcript)/upload-[0-9a-f]{32}"
)
_ABSENT = {"404", "NoSuchKey", "NotFound"}


def _utc_now() -> datetime:
    return datetime.now(UTC)


class S3BlobStore:
    name = "s3"

    def __init__(
        self, bucket: S3Bucket, retention: RetentionRule, clock: Callable[[], datetime] = _utc_now
    ) -> None:
        self.bucket = bucket
        self.retention = retention
        self.clock = clock

    def until(self, kind: Kept) -> datetime:
        """The retain-until date for an object of ``kind`` put now (whole seconds: S3
        keeps no finer)."""
        return self.retention(kind, self.clock()).replace(microsecond=0)

    def object_locks(self) -> S3Locks:
        """Retention and legal holds on objects already stored (``s3_locks.py``)."""
        return S3Locks(self.bucket)

    @staticmethod
    def locator_for(sha256: Sha256) -> str:
        digest = sha256.hex
        return f"sha256/{digest[:2]}/{digest[2:4]}/{digest}"

    @staticmethod
    def check_locator(locator: str) -> str:
        if not _LOCATOR.fullmatch(locator):
            raise StorageFailure(f"not an S3-store locator: {locator!r}")
        return locator

    def head(self, key: str) -> dict[str, Any] | None:
        """The object's head (with its checksum), or None when nothing is there."""
        with s3_errors(f"looking for {key}", self.bucket):
            try:
                head: dict[str, Any] = self.bucket.client.head_object(
                    Bucket=self.bucket.name, Key=key, ChecksumMode="ENABLED"
                )
            except ClientError as exc:
                if error_code(exc) in _ABSENT:
                    return None
                raise
        return head

    def put_new(self, key: str, body: Any, size: int, sha: bytes, kind: Kept) -> bool:
        """Put an object at a key found free; False if another put got there first."""
        with s3_errors(f"storing {key}", self.bucket):
            try:
                self.bucket.client.put_object(
                    Bucket=self.bucket.name,
                    Key=key,
                    Body=body,
                    ContentLength=size,
                    ChecksumAlgorithm="SHA256",
                    ChecksumSHA256=b64(sha),
                    IfNoneMatch="*",
                    **lock_params(self.until(kind)),
                )
            except ClientError as exc:
                if error_code(exc) in {"PreconditionFailed", "412"}:
                    return False
                raise
        return True

    # -- BlobStore ---------------------------------------------------------------

    def put_file(self, source: Path, sha256: Sha256, size: int) -> str:
        locator = self.locator_for(sha256)
        if self.head(locator) is None:
            try:
                if size <= MAX_SINGLE_PUT:
                    with open(source, "rb") as handle:
                        self.put_new(locator, handle, size, sha256.raw, Kept.CONTENT)
                else:
                    self._put_in_parts(locator, source, size)
            except OSError as exc:
                raise StorageFailure(f"cannot read {source.name}: {exc.strerror}") from exc
        self._check_held(locator, sha256, size)
        log.info("stored %s (%d bytes) in S3 bucket %s", locator, size, self.bucket.name)
        return locator

    def _put_in_parts(self, key: str, source: Path, size: int) -> None:
        parts = Multipart(self.bucket, key)
        until = self.until(Kept.CONTENT)
        upload_id = parts.start(until)
        part_size = max(FILE_PART, -(-size // 10_000))
        sizes: list[int] = []
        with open(source, "rb") as handle:
            while block := handle.read(part_size):
                sizes.append(len(block))
                parts.put_part(upload_id, len(sizes), io.BytesIO(block), len(block), _sha(block))
        parts.complete(upload_id, size)
        parts.confirm_lock(until)

    def _check_held(self, locator: str, sha256: Sha256, size: int) -> None:
        head = self.head(locator)
        if head is None:
            raise StorageFailure(f"{locator} was stored but cannot be found", locator=locator)
        checksum = str(head.get("ChecksumSHA256", ""))
        whole = checksum and "-" not in checksum  # one put: the whole file's SHA-256
        if head["ContentLength"] != size or (whole and checksum != b64(sha256.raw)):
            # Same name, other bytes: never overwrite them.
            raise StorageFailure(
                f"{locator} is held with other bytes than {sha256}", locator=locator
            )

    def read(self, locator: str, buffer_size: int) -> Iterator[bytes]:
        return self._stream(locator, None, buffer_size)

    def read_range(
        self, locator: str, start: int, length: int, buffer_size: int = 1024 * 1024
    ) -> Generator[bytes, None, None]:
        if length > 0:
            yield from self._stream(locator, f"bytes={start}-{start + length - 1}", buffer_size)

    def _stream(
        self, locator: str, span: str | None, buffer_size: int
    ) -> Generator[bytes, None, None]:
        key = self.check_locator(locator)
        with s3_errors(f"reading {locator}", self.bucket):
            extra = {} if span is None else {"Range": span}
            try:
                got = self.bucket.client.get_object(Bucket=self.bucket.name, Key=key, **extra)
            except ClientError as exc:
                if error_code(exc) == "InvalidRange":  # starts past the end: nothing, as a file
                    return
                raise
            body = got["Body"]
            try:
                yield from body.iter_chunks(buffer_size)
            finally:
                body.close()

    def size(self, locator: str) -> int | None:
        head = self.head(self.check_locator(locator))
        return None if head is None else int(head["ContentLength"])

    # -- SignedDocuments -----------------------------------------------------------

    def keep_document(
        self, evidence_id: EvidenceId, role: Role, document: Document, data: bytes
    ) -> bytes:
        key = f"evidence/{evidence_id}/{role.value}/{document.value}"
        kind = Kept.RECEIPT if document.value.startswith("receipt") else Kept.MANIFEST
        if self.head(key) is None and self.put_new(key, data, len(data), _sha(data), kind):
            return data
        with s3_errors(f"reading {key}", self.bucket):
            held: bytes = self.bucket.client.get_object(Bucket=self.bucket.name, Key=key)[
                "Body"
            ].read()
        return held


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def open_s3_store(
    root: Path, s3: S3Config, retention: RetentionConfig | None = None
) -> S3BlobStore:
    """The store for ``[server.s3]``, once the bucket is found fit to keep evidence; each
    object put locked for ``retain_days`` or the default retention class, the longer."""
    bucket = connect(s3)
    check_bucket(bucket)
    if retention is None:
        return S3BlobStore(bucket, retain_for_days(s3.retain_days))
    period = retention.rules().default.period
    return S3BlobStore(bucket, retain_for_longer(s3.retain_days, period))
