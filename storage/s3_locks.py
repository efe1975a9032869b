"""Object Lock after the put: a recording's retention class and its legal holds, applied
to the objects already in the bucket (docs/retention.md#on-s3).

- **Retention**: each object was put locked in COMPLIANCE mode until the date of
  ``storage/retention.py``. When the recording's class keeps it longer (it became case
  evidence: permanent, a far date), ``extend`` moves the date later with
  PutObjectRetention. It never asks for an earlier date: S3 refuses that in COMPLIANCE
  mode anyway, and a refusal here would read as a failure.
- **Legal hold**: PutObjectLegalHold ON while a hold stands on the recording or its case,
  OFF when none does. A legal hold is independent of the retain-until date.

A recording's objects are its bytes (the content-addressed key) and its documents
(``evidence/<id>/<role>/manifest.json`` … ``receipt.sig``); an absent one is skipped.
Nothing here deletes or rewrites an object.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from evidence.identifiers import EvidenceId, Role
from storage.s3_client import S3Bucket, error_code, s3_errors
from storage.s3_multipart import COMPLIANCE

__all__ = ["SLACK", "S3Locks"]

log = logging.getLogger(__name__)

_DOCUMENTS = ("manifest.json", "manifest.sig", "receipt.json", "receipt.sig")
SLACK = timedelta(days=1)
_ABSENT = frozenset({"404", "NoSuchKey", "NotFound"})
_NO_HOLD = frozenset({"NoSuchObjectLockConfiguration"})  # never set: as OFF


class S3Locks:
    def __init__(self, bucket: S3Bucket) -> None:
        self.bucket = bucket

    def _call(
        self, operation: str, key: str, none_on: frozenset[str] = frozenset(), **params: Any
    ) -> Any:
        """One call on ``key``; None when S3 answers one of the codes ``none_on``."""
        with s3_errors(f"{operation} on {key}", self.bucket):
            method = getattr(self.bucket.client, operation)
            try:
                return method(Bucket=self.bucket.name, Key=key, **params)
            except ClientError as exc:
                if error_code(exc) in none_on:
                    return None
                raise

    def _head(self, key: str) -> dict[str, Any] | None:
        head: dict[str, Any] | None = self._call("head_object", key, _ABSENT)
        return head

    def keys_of(self, evidence_id: EvidenceId, role: Role, locator: str) -> list[str]:
        """The keys of one stored object and its documents that are in the bucket."""
        documents = [f"evidence/{evidence_id}/{role.value}/{name}" for name in _DOCUMENTS]
        return [key for key in (locator, *documents) if self._head(key) is not None]

    def retained_until(self, key: str) -> datetime | None:
        head = self._head(key)
        return None if head is None else head.get("ObjectLockRetainUntilDate")

    def extend(self, key: str, until: datetime) -> bool:
        """Lock ``key`` until ``until`` if that is later than its date now; True if moved.
        A date within a day of the one held is left: the put locked it from the moment
        of the put, the class counts from the recording's storing, seconds apart."""
        until = until.replace(microsecond=0)
        held = self.retained_until(key)
        if held is not None and held + SLACK >= until:
            return False
        retention = {"Mode": COMPLIANCE, "RetainUntilDate": until}
        self._call("put_object_retention", key, Retention=retention)
        log.info("%s locked until %s", key, until.isoformat())
        return True

    def legal_hold(self, key: str) -> bool:
        got = self._call("get_object_legal_hold", key, _NO_HOLD)
        return got is not None and got.get("LegalHold", {}).get("Status") == "ON"

    def hold(self, key: str, on: bool) -> bool:
        """Set the legal hold of ``key`` ON or OFF; True if it changed."""
        if self.legal_hold(key) == on:
            return False
        self._call("put_object_legal_hold", key, LegalHold={"Status": "ON" if on else "OFF"})
        log.info("%s legal hold %s", key, "on" if on else "off")
        return True
