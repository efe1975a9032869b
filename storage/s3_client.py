"""The S3 connection: a boto3 client made from ``[server.s3]``, the check that the bucket
can hold evidence, and the one place botocore's exceptions become ours.

Imported only when the S3 store is chosen, so boto3 loads nowhere else.

Translation (``s3_errors``): the endpoint cannot be reached, a call timed out, or S3
answered 5xx/SlowDown → ``StorageUnavailable`` (503: retry later, nothing was kept past
what S3 acknowledged); no credentials, no bucket or access denied → ``ConfigError`` (the
operator's to fix); anything else → ``StorageFailure``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from evidence.errors import ConfigError, StorageFailure, StorageUnavailable
from storage.s3_config import S3Config

__all__ = ["S3Bucket", "check_bucket", "connect", "error_code", "s3_errors"]

log = logging.getLogger(__name__)

_UNAVAILABLE_CODES = {
    "500",
    "502",
    "503",
    "504",
    "InternalError",
    "ServiceUnavailable",
    "SlowDown",
    "RequestTimeout",
}
_CONFIG_CODES = {
    "NoSuchBucket",
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
}


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


@dataclass(frozen=True)
class S3Bucket:
    """A client and the bucket it serves: what every S3 module here is given."""

    client: Any  # botocore's S3 client (untyped)
    name: str
    endpoint: str  # for messages: where the bucket was looked for


@contextmanager
def s3_errors(doing: str, bucket: S3Bucket) -> Iterator[None]:
    """Run S3 calls; their failures leave as ours, saying what was being done."""
    where = f"S3 bucket {bucket.name} at {bucket.endpoint}"
    try:
        yield
    except ClientError as exc:
        code = error_code(exc)
        message = f"{doing}: {where} answered {code or 'an error'}"
        if code in _UNAVAILABLE_CODES:
            raise StorageUnavailable(message) from exc
        if code in _CONFIG_CODES:
            raise ConfigError(f"{message}; check server.s3 and the credentials") from exc
        raise StorageFailure(message) from exc
    except (NoCredentialsError, PartialCredentialsError) as exc:
        raise ConfigError(
            f"{doing}: no usable S3 credentials (set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or server.s3.credentials_file)"
        ) from exc
    except (BotoConnectionError, HTTPClientError) as exc:  # refused, timed out, cut off
        raise StorageUnavailable(f"{doing}: {where} cannot be reached ({exc})") from exc
    except BotoCoreError as exc:
        raise StorageFailure(f"{doing}: {where}: {exc}") from exc


def connect(config: S3Config) -> S3Bucket:
    """A client for the configured bucket (no request is made yet)."""
    config.check()
    core = botocore.session.Session(profile=config.profile)
    if config.credentials_file is not None:
        core.set_config_variable("credentials_file", str(config.credentials_file))
    session = boto3.Session(botocore_session=core, region_name=config.region)
    settings = Config(
        connect_timeout=config.connect_timeout_seconds,
        read_timeout=config.read_timeout_seconds,
        retries={"mode": "standard", "max_attempts": config.max_attempts},
        # Another endpoint (MinIO, Ceph, a test server) is addressed by path.
        s3={"addressing_style": "path" if config.endpoint_url else "auto"},
    )
    client = session.client("s3", endpoint_url=config.endpoint_url, config=settings)
    return S3Bucket(client, config.bucket, config.endpoint_url or f"AWS {config.region}")


def check_bucket(bucket: S3Bucket) -> None:
    """Refuse a bucket that cannot keep evidence: it must exist, keep versions and have
    Object Lock enabled (only then is a COMPLIANCE lock possible)."""
    fix = (
        f"create it with Object Lock: aws s3api create-bucket --bucket {bucket.name} "
        "--object-lock-enabled-for-bucket (which also turns versioning on)"
    )
    with s3_errors(f"checking bucket {bucket.name}", bucket):
        try:
            versioning = bucket.client.get_bucket_versioning(Bucket=bucket.name)
            lock = bucket.client.get_object_lock_configuration(Bucket=bucket.name)
        except ClientError as exc:
            if error_code(exc) == "NoSuchBucket":
                raise ConfigError(f"S3 bucket {bucket.name} does not exist; {fix}") from exc
            if error_code(exc) != "ObjectLockConfigurationNotFoundError":
                raise
            lock = {}
    enabled = lock.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled")
    if enabled != "Enabled":
        raise ConfigError(
            f"S3 bucket {bucket.name} has no Object Lock, so what is put there could be "
            f"deleted or rewritten; {fix}"
        )
    if versioning.get("Status") != "Enabled":
        raise ConfigError(f"S3 bucket {bucket.name} does not keep versions; {fix}")
    log.info("S3 bucket %s at %s: versioned, Object Lock enabled", bucket.name, bucket.endpoint)
