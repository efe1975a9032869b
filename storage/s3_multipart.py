"""One S3 multipart upload: started with its object's lock, parts added with their
SHA-256 (S3 checks each part against it), completed into the object. Found again by its
key from any server, so nothing about it needs keeping elsewhere: each key it is used for
belongs to one upload alone.

S3 sets the lock given at the start on the completed object. Some S3-compatible servers
(moto's among them) do not, so completion confirms the lock with ``head_object`` and sets
it with PutObjectRetention when it is missing (COMPLIANCE: a date can only be moved later).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from botocore.exceptions import ClientError

from evidence.errors import StorageFailure
from storage.s3_client import S3Bucket, error_code, s3_errors

__all__ = ["COMPLIANCE", "Multipart", "b64", "lock_params"]

COMPLIANCE = "COMPLIANCE"
_GONE = {"NoSuchUpload", "NoSuchKey"}


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def lock_params(until: datetime) -> dict[str, Any]:
    return {"ObjectLockMode": COMPLIANCE, "ObjectLockRetainUntilDate": until}


@dataclass(frozen=True)
class Multipart:
    bucket: S3Bucket
    key: str

    def _call(self, operation: str, **params: Any) -> Any:
        method = getattr(self.bucket.client, operation)
        return method(Bucket=self.bucket.name, Key=self.key, **params)

    def start(self, until: datetime) -> str:
        with s3_errors(f"starting the parts of {self.key}", self.bucket):
            started = self._call(
                "create_multipart_upload", ChecksumAlgorithm="SHA256", **lock_params(until)
            )
        return str(started["UploadId"])

    def find(self) -> str | None:
        """The multipart upload in progress for this key, if there is one."""
        with s3_errors(f"finding the parts of {self.key}", self.bucket):
            listed = self.bucket.client.list_multipart_uploads(
                Bucket=self.bucket.name, Prefix=self.key
            )
        found = [item for item in listed.get("Uploads", []) if item["Key"] == self.key]
        return str(found[0]["UploadId"]) if found else None

    def put_part(self, upload_id: str, number: int, body: IO[bytes], size: int, sha: bytes) -> None:
        """Add one part; S3 acknowledges it only once it holds the bytes, whose SHA-256
        it checked against ``sha``."""
        with s3_errors(f"storing part {number} of {self.key}", self.bucket):
            self._call(
                "upload_part",
                UploadId=upload_id,
                PartNumber=number,
                Body=body,
                ContentLength=size,
                ChecksumAlgorithm="SHA256",
                ChecksumSHA256=b64(sha),
            )

    def parts(self, upload_id: str) -> list[dict[str, Any]]:
        parts: list[dict[str, Any]] = []
        marker = 0
        with s3_errors(f"listing the parts of {self.key}", self.bucket):
            while True:
                page = self._call("list_parts", UploadId=upload_id, PartNumberMarker=marker)
                parts.extend(page.get("Parts", []))
                if not page.get("IsTruncated"):
                    return parts
                marker = int(page["NextPartNumberMarker"])

    def complete(self, upload_id: str, length: int) -> None:
        """Assemble the parts into the object, once they are found to be parts 1 to n
        holding ``length`` bytes together."""
        held = self.parts(upload_id)
        numbers = [part["PartNumber"] for part in held]
        if numbers != list(range(1, len(held) + 1)) or sum(p["Size"] for p in held) != length:
            raise StorageFailure(
                f"the parts of {self.key} hold {sum(p['Size'] for p in held)} bytes in parts "
                f"{numbers}, not the {length} committed"
            )
        listed = [
            {
                key: part[key]
                for key in ("PartNumber", "ETag", "ChecksumSHA256")
                if key in part  # S3 lists each part's checksum; moto does not
            }
            for part in held
        ]
        with s3_errors(f"assembling {self.key}", self.bucket):
            self._call(
                "complete_multipart_upload", UploadId=upload_id, MultipartUpload={"Parts": listed}
            )

    def abort(self, upload_id: str) -> None:
        """Drop the parts of an upload that ended unstored (never a stored object)."""
        with s3_errors(f"dropping the parts of {self.key}", self.bucket):
            try:
                self._call("abort_multipart_upload", UploadId=upload_id)
            except ClientError as exc:
                if error_code(exc) not in _GONE:
                    raise

    def confirm_lock(self, until: datetime) -> None:
        """Make sure the completed object is locked in COMPLIANCE mode: as it was started
        (S3), or else until ``until``."""
        with s3_errors(f"checking the lock of {self.key}", self.bucket):
            head = self._call("head_object")
            held = head.get("ObjectLockRetainUntilDate")
            if head.get("ObjectLockMode") == COMPLIANCE and held is not None:
                return
            self._call(
                "put_object_retention", Retention={"Mode": COMPLIANCE, "RetainUntilDate": until}
            )
