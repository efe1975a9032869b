"""tus 1.0 server rules, without I/O: what each request may do to an upload in each state.

    state      HEAD    PATCH                        DELETE        finalize
    open       200     204 / 409 offset / 460 sum   204 → term.   → finalized | rejected
    finalized  200     409 already_finalized        409           (returns its receipt)
    rejected   200     409 upload_rejected          204 → term.   (returns its error)
    terminated 410     410                          410           410 (or its rejection)
    expired    410     410                          410           410 (or its rejection)

Handlers feed requests in; this module answers with errors or header values. Which
states follow which is the state machine's (``uploads/states.py``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from evidence.errors import (
    AlreadyFinalized,
    LiuhenError,
    MalformedHeader,
    OffsetMismatch,
    PreconditionFailed,
    TooLarge,
    UnknownUpload,
    UnsupportedMediaType,
    UploadExpired,
    UploadRejected,
    UploadTerminated,
)
from evidence.tus_wire import (
    CHECKSUM_ALGORITHMS,
    EXTENSIONS,
    OFFSET_CONTENT_TYPE,
    TUS_VERSION,
    decode_metadata,
    parse_checksum,
    parse_size,
)
from storage.records import UploadRecord, UploadState

__all__ = [
    "Creation",
    "PatchRequest",
    "check_deletable",
    "check_patchable",
    "check_readable",
    "check_upload_id",
    "check_version",
    "discovery_headers",
    "parse_creation",
    "parse_patch",
    "upload_headers",
]

_UPLOAD_ID = re.compile(r"[0-9a-f]{32}")  # the server makes them: secrets.token_hex(16)


def check_upload_id(upload_id: str) -> None:
    """Refuse anything that is not an upload id before it is looked up anywhere."""
    if not _UPLOAD_ID.fullmatch(upload_id):
        raise UnknownUpload(f"no upload {upload_id!r}")


_GONE: dict[UploadState, type[LiuhenError]] = {
    UploadState.TERMINATED: UploadTerminated,
    UploadState.EXPIRED: UploadExpired,
}


def check_version(headers: Mapping[str, str]) -> None:
    version = headers.get("Tus-Resumable")
    if version != TUS_VERSION:
        raise PreconditionFailed(f"Tus-Resumable must be {TUS_VERSION}, got {version!r}")


def discovery_headers(max_size: int) -> dict[str, str]:
    return {
        "Tus-Version": TUS_VERSION,
        "Tus-Extension": ",".join(EXTENSIONS),
        "Tus-Max-Size": str(max_size),
        "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
    }


def expires_header(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


def upload_headers(upload: UploadRecord) -> dict[str, str]:
    headers = {
        "Upload-Offset": str(upload.offset),
        "Upload-Length": str(upload.length),
        "Cache-Control": "no-store",
    }
    if upload.metadata:
        headers["Upload-Metadata"] = upload.metadata
    if upload.state is UploadState.OPEN:
        headers["Upload-Expires"] = expires_header(upload.expires_at)
    return headers


@dataclass(frozen=True, slots=True)
class Creation:
    length: int
    metadata_header: str
    metadata: dict[str, bytes | None]
    has_body: bool


def parse_creation(headers: Mapping[str, str], max_size: int) -> Creation:
    if "Upload-Defer-Length" in headers:
        raise MalformedHeader(
            "deferred length is not supported; send Upload-Length", header="Upload-Defer-Length"
        )
    length = parse_size("Upload-Length", headers.get("Upload-Length"))
    if length > max_size:
        raise TooLarge(f"Upload-Length {length} exceeds Tus-Max-Size {max_size}", max_size=max_size)
    metadata_header = headers.get("Upload-Metadata", "")
    metadata = decode_metadata(metadata_header)
    content_type = headers.get("Content-Type")
    has_body = content_type is not None and _media_type(content_type) == OFFSET_CONTENT_TYPE
    if content_type is not None and not has_body and headers.get("Content-Length", "0") != "0":
        raise UnsupportedMediaType(f"a creation body must be {OFFSET_CONTENT_TYPE}")
    return Creation(length, metadata_header, metadata, has_body)


@dataclass(frozen=True, slots=True)
class PatchRequest:
    offset: int
    content_length: int | None  # None with chunked transfer encoding
    checksum: tuple[str, bytes] | None


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def parse_patch(
    headers: Mapping[str, str], upload: UploadRecord, now: datetime, *, creation: bool = False
) -> PatchRequest:
    """Check a PATCH (or a creation-with-upload body) against the upload's committed state."""
    if not creation and _media_type(headers.get("Content-Type", "")) != OFFSET_CONTENT_TYPE:
        raise UnsupportedMediaType(f"PATCH requires Content-Type: {OFFSET_CONTENT_TYPE}")
    offset = 0 if creation else parse_size("Upload-Offset", headers.get("Upload-Offset"))
    check_patchable(upload, now)
    if offset != upload.offset:
        raise OffsetMismatch(
            f"Upload-Offset {offset} does not match the committed offset {upload.offset}",
            offset=upload.offset,
        )
    length_header = headers.get("Content-Length")
    content_length = None if length_header is None else parse_size("Content-Length", length_header)
    if content_length is not None and offset + content_length > upload.length:
        raise TooLarge(
            f"{content_length} bytes at offset {offset} would pass Upload-Length {upload.length}"
        )
    checksum_header = headers.get("Upload-Checksum")
    checksum = None if checksum_header is None else parse_checksum(checksum_header)
    return PatchRequest(offset, content_length, checksum)


def check_readable(upload: UploadRecord, now: datetime) -> None:
    gone = _GONE.get(upload.state)
    if gone is not None:
        raise gone(f"upload {upload.upload_id} is {upload.state.value}")
    if upload.state is not UploadState.FINALIZED and upload.expires_at <= now:
        raise UploadExpired(f"upload {upload.upload_id} expired at {upload.expires_at}")


def check_patchable(upload: UploadRecord, now: datetime) -> None:
    check_readable(upload, now)
    if upload.state is UploadState.FINALIZED:
        raise AlreadyFinalized(f"upload {upload.upload_id} is finalized; nothing more is accepted")
    if upload.state is UploadState.REJECTED:
        raise UploadRejected(
            f"upload {upload.upload_id} was rejected ({upload.error_code}); start a new upload",
            reason=upload.error_code,
        )


def check_deletable(upload: UploadRecord, now: datetime) -> None:
    check_readable(upload, now)
    if upload.state is UploadState.FINALIZED:
        raise AlreadyFinalized("a finalized upload is evidence and cannot be terminated")
