"""The ``[server.s3]`` section: where the S3 bucket is and how long what is put there is
locked. Plain values, no boto3: the configuration is read on every host, boto3 is
imported only where the S3 store is chosen (``storage/backends.py``).

Credentials are never written here: boto3 takes them from the environment
(``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, or a role), or from
``credentials_file`` (the AWS shared-credentials format) and its ``profile``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evidence.errors import ConfigError

__all__ = ["MAX_RETAIN_DAYS", "S3Config"]

MAX_RETAIN_DAYS = 100 * 366  # a COMPLIANCE lock cannot be shortened: refuse a typo of years


@dataclass(frozen=True)
class S3Config:
    bucket: str = ""
    endpoint_url: str | None = None  # None: AWS itself; else MinIO, Ceph, a test server
    region: str = "us-east-1"
    # Every object is put with a COMPLIANCE lock until this many days after it was put:
    # six months, the national minimum for footage, until retention classes say more.
    retain_days: int = 183
    credentials_file: Path | None = None
    profile: str | None = None
    connect_timeout_seconds: float = 5.0
    read_timeout_seconds: float = 60.0
    max_attempts: int = 3  # botocore's own retries of one call, before a 503 to the client

    def check(self) -> None:
        """Called when the S3 store is chosen; an unused section may stay empty."""
        if not self.bucket:
            raise ConfigError("server.blob_store is s3 but server.s3.bucket is not set")
        if not 1 <= self.retain_days <= MAX_RETAIN_DAYS:
            raise ConfigError(
                f"server.s3.retain_days must be from 1 to {MAX_RETAIN_DAYS}, not {self.retain_days}"
            )
        if self.connect_timeout_seconds <= 0 or self.read_timeout_seconds <= 0:
            raise ConfigError("server.s3 timeouts must be positive")
        if self.max_attempts < 1:
            raise ConfigError("server.s3.max_attempts must be at least 1")
