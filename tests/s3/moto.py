"""moto's S3 server over real HTTP on 127.0.0.1, which a test may stop and start again on
the same port (an outage): moto keeps its buckets in this process, so they survive.

moto does not enforce COMPLIANCE retention, nor check a put's SHA-256 against its bytes,
and its server ignores the lock given when a multipart upload starts: the tests check
what our code asks for (every put's lock, read back with ``head_object``) and that it
never asks to delete or overwrite (``CallLog``)."""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from liuhen.cluster.s3 import REGION, ClusterS3
from storage.s3_config import S3Config


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MotoS3(ClusterS3):
    """The cluster's moto server (``liuhen/cluster/s3.py``) on a free port, with buckets of
    a test's own making and their ``server.s3`` settings."""

    def __init__(self) -> None:
        super().__init__(free_port())

    def bucket(self, *, locked: bool = True, versioned: bool = True) -> str:
        name = f"liuhen-{uuid.uuid4().hex[:12]}"
        client = self.client()
        if locked:
            client.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
        else:
            client.create_bucket(Bucket=name)
            if versioned:
                client.put_bucket_versioning(
                    Bucket=name, VersioningConfiguration={"Status": "Enabled"}
                )
        return name

    def config(self, bucket: str, **changes: Any) -> S3Config:
        settings: dict[str, Any] = {
            "bucket": bucket,
            "endpoint_url": self.url,
            "region": REGION,
            "retain_days": 3,
            "connect_timeout_seconds": 1.0,
            "read_timeout_seconds": 5.0,
            "max_attempts": 1,
        }
        return S3Config(**{**settings, **changes})


WRITES = {"PutObject", "CompleteMultipartUpload", "CopyObject", "UploadPartCopy"}
REMOVALS = {"DeleteObject", "DeleteObjects", "DeleteBucket", "PutBucketLifecycleConfiguration"}


@dataclass
class CallLog:
    """Every S3 call a client makes (botocore's ``before-call`` event), and for each write
    whether its key already held an object at that moment (asked on a client of the
    test's own)."""

    witness: Any
    bucket: str
    calls: list[str] = field(default_factory=list)
    writes_onto_held: list[tuple[str, str]] = field(default_factory=list)

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-call.s3", self._seen)

    def _seen(self, model: Any, params: Any, **_: Any) -> None:
        name = model.name
        self.calls.append(name)
        if name in WRITES:
            key = _key_of(params)
            if self._held(key):
                self.writes_onto_held.append((name, key))

    def _held(self, key: str) -> bool:
        try:
            self.witness.head_object(Bucket=self.bucket, Key=key)
        except self.witness.exceptions.ClientError:
            return False
        return True

    @property
    def removals(self) -> list[str]:
        return [name for name in self.calls if name in REMOVALS]


def _key_of(params: Any) -> str:
    """The object key of a call, from its URL path (at ``before-call`` the bucket is not
    in it yet)."""
    return unquote(str(params["url_path"]).lstrip("/").split("?", 1)[0])
