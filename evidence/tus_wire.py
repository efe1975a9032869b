"""tus 1.0 header formats, shared by our server and our client. Pure: no I/O.

Reference: https://tus.io/protocols/resumable-upload (core, creation, checksum,
termination, expiration).
"""

from __future__ import annotations

import base64
import binascii
import re

from evidence.errors import MalformedHeader, UnsupportedChecksum
from evidence.ranges import INT64_MAX

__all__ = [
    "BUSY_HEADER",
    "CHECKSUM_ALGORITHMS",
    "DIGEST_SIZES",
    "EXTENSIONS",
    "OFFSET_CONTENT_TYPE",
    "TUS_VERSION",
    "decode_metadata",
    "encode_metadata",
    "format_checksum",
    "parse_checksum",
    "parse_size",
]

TUS_VERSION = "1.0.0"
EXTENSIONS = ("creation", "creation-with-upload", "checksum", "termination", "expiration")
CHECKSUM_ALGORITHMS = ("sha256", "sha1")
DIGEST_SIZES = {"sha256": 32, "sha1": 20}
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
# Liuhen's own answer to HEAD ("1"): a request (a PATCH, finalize) holds the upload now,
# so a PATCH sent now would meet 423; a client that gave up a PATCH whose body may still
# be on its way waits for it rather than sending the body again (docs/protocol.md).
BUSY_HEADER = "Liuhen-Upload-Busy"

_SIZE = re.compile(r"[0-9]{1,19}")
_META_KEY = re.compile(r"[!-+\--~]+")  # printable ASCII without space or comma
_MAX_METADATA_PAIRS = 32


def parse_size(name: str, value: str | None) -> int:
    """A decimal header such as Upload-Length or Upload-Offset, from 0 to 2^63-1."""
    if value is None:
        raise MalformedHeader(f"{name} is required", header=name)
    if not _SIZE.fullmatch(value) or int(value) > INT64_MAX:
        raise MalformedHeader(
            f"{name} must be a decimal integer from 0 to {INT64_MAX}", header=name
        )
    return int(value)


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedHeader(f"{what} is not base64", header=what) from None


def encode_metadata(pairs: dict[str, str | None]) -> str:
    parts = []
    for key, value in pairs.items():
        if not _META_KEY.fullmatch(key):
            raise ValueError(f"bad metadata key {key!r}")
        if value is None:
            parts.append(key)
        else:
            parts.append(f"{key} {base64.b64encode(value.encode('utf-8')).decode('ascii')}")
    return ",".join(parts)


def decode_metadata(header: str | None) -> dict[str, bytes | None]:
    """Parse Upload-Metadata: comma-separated ``key base64value`` pairs, value optional."""
    if header is None or not header.strip():
        return {}
    pairs: dict[str, bytes | None] = {}
    items = header.split(",")
    if len(items) > _MAX_METADATA_PAIRS:
        raise MalformedHeader("Upload-Metadata has too many pairs", header="Upload-Metadata")
    for item in items:
        fields = item.strip().split(" ")
        key = fields[0]
        if not _META_KEY.fullmatch(key) or len(fields) > 2:
            raise MalformedHeader(
                f"malformed Upload-Metadata pair {item!r}", header="Upload-Metadata"
            )
        if key in pairs:
            raise MalformedHeader(f"Upload-Metadata repeats {key!r}", header="Upload-Metadata")
        pairs[key] = _b64decode(fields[1], "Upload-Metadata") if len(fields) == 2 else None
    return pairs


def parse_checksum(header: str) -> tuple[str, bytes]:
    """Parse ``Upload-Checksum: <algorithm> <base64 digest>``."""
    fields = header.strip().split(" ")
    if len(fields) != 2 or not fields[0] or not fields[1]:
        raise MalformedHeader(
            "Upload-Checksum must be '<algorithm> <base64>'", header="Upload-Checksum"
        )
    algorithm = fields[0].lower()
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise UnsupportedChecksum(
            f"checksum algorithm {fields[0]!r} is not supported; use one of {CHECKSUM_ALGORITHMS}"
        )
    digest = _b64decode(fields[1], "Upload-Checksum")
    if len(digest) != DIGEST_SIZES[algorithm]:
        raise MalformedHeader(
            f"a {algorithm} digest is {DIGEST_SIZES[algorithm]} bytes", header="Upload-Checksum"
        )
    return algorithm, digest


def format_checksum(algorithm: str, digest: bytes) -> str:
    return f"{algorithm} {base64.b64encode(digest).decode('ascii')}"
