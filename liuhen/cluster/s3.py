"""The cluster's S3 endpoint: moto's S3 server on loopback, with a bucket made with Object
Lock (which turns versioning on), as the tests use. moto keeps its buckets in this
process's memory and does not enforce COMPLIANCE retention: a demonstration. In
production ``server.s3`` points at a real S3 bucket with Object Lock (docs/cluster.md)."""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["BUCKET", "REGION", "ClusterS3"]

BUCKET = "liuhen-cluster"
REGION = "us-east-1"


class ClusterS3:
    def __init__(self, port: int) -> None:
        self.port = port
        self._server: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start (or start again, after ``stop``: the buckets are kept) the server."""
        from moto.server import ThreadedMotoServer  # the test extra; scripts/cluster has it

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request, else
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster",
        )

    def make_bucket(self) -> None:
        self.client().create_bucket(Bucket=BUCKET, ObjectLockEnabledForBucket=True)

    def options(self, **changes: Any) -> dict[str, Any]:
        """``server.s3`` for the nodes."""
        return {"bucket": BUCKET, "endpoint_url": self.url, "region": REGION, **changes}
