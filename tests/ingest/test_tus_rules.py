"""The tus rules (``ingest/uploads/rules.py``) as a table, without a server: what each
request may do to an upload in each state, and the headers the server answers with.
The real-server tests (test_tus_protocol.py) check the same rules over HTTP."""

import base64
import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from evidence.errors import (
    AlreadyFinalized,
    MalformedHeader,
    OffsetMismatch,
    PreconditionFailed,
    TooLarge,
    UnsupportedChecksum,
    UnsupportedMediaType,
    UploadExpired,
    UploadRejected,
    UploadTerminated,
)
from evidence.identifiers import DeviceId, EvidenceId, Role
from evidence.tus_wire import OFFSET_CONTENT_TYPE, encode_metadata
from ingest.uploads.rules import (
    check_deletable,
    check_patchable,
    check_readable,
    check_version,
    discovery_headers,
    parse_creation,
    parse_patch,
    upload_headers,
)
from storage.records import UploadRecord, UploadState

S = UploadState
NOW = datetime(2026, 3, 12, 1, 30, tzinfo=UTC)
LATER = NOW + timedelta(days=7)
METADATA = encode_metadata({"evidence_id": "e", "role": "original", "filename": "a.mp4"})


def upload(state: UploadState = S.OPEN, offset: int = 100, **changes: object) -> UploadRecord:
    record = UploadRecord(
        upload_id="ab" * 16,
        evidence_id=EvidenceId.new(),
        role=Role.ORIGINAL,
        device_id=DeviceId("dock-1"),
        length=1000,
        offset=offset,
        state=state,
        metadata=METADATA,
        created_at=NOW,
        expires_at=LATER,
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def patch(offset: int = 100, **headers: str) -> dict[str, str]:
    return {"Content-Type": OFFSET_CONTENT_TYPE, "Upload-Offset": str(offset), **headers}


def sha256(data: bytes) -> str:
    return "sha256 " + base64.b64encode(hashlib.sha256(data).digest()).decode()


# --- every request but OPTIONS names the version ---------------------------------------


@pytest.mark.parametrize("version", [None, "", "0.2.2", "1.0", "1.0.0 "])
def test_any_other_tus_version_is_refused_with_412(version):
    headers = {} if version is None else {"Tus-Resumable": version}
    with pytest.raises(PreconditionFailed, match=r"Tus-Resumable must be 1\.0\.0"):
        check_version(headers)


def test_version_one_is_spoken():
    check_version({"Tus-Resumable": "1.0.0"})


def test_discovery_names_the_version_extensions_size_and_checksums():
    assert discovery_headers(12345) == {
        "Tus-Version": "1.0.0",
        "Tus-Extension": "creation,creation-with-upload,checksum,termination,expiration",
        "Tus-Max-Size": "12345",
        "Tus-Checksum-Algorithm": "sha256,sha1",
    }


# --- HEAD: offsets, length, the metadata echoed, and when an open upload expires ----------


def test_an_open_upload_answers_its_offset_length_metadata_and_expiry():
    assert upload_headers(upload()) == {
        "Upload-Offset": "100",
        "Upload-Length": "1000",
        "Cache-Control": "no-store",
        "Upload-Metadata": METADATA,  # tus 1.0: HEAD echoes the metadata as received
        "Upload-Expires": "Thu, 19 Mar 2026 01:30:00 GMT",  # RFC 7231 date, in GMT
    }


@pytest.mark.parametrize("state", [S.FINALIZED, S.REJECTED, S.TERMINATED, S.EXPIRED])
def test_only_an_open_upload_says_when_it_expires(state):
    assert "Upload-Expires" not in upload_headers(upload(state))


def test_an_upload_created_without_metadata_echoes_none():
    assert "Upload-Metadata" not in upload_headers(upload(metadata=""))


# --- creation -----------------------------------------------------------------------------


def test_a_creation_reads_length_metadata_and_whether_a_body_follows():
    headers = {"Upload-Length": "1000", "Upload-Metadata": METADATA}
    plain = parse_creation(headers, 1000)
    assert (plain.length, plain.metadata_header, plain.has_body) == (1000, METADATA, False)
    assert plain.metadata["role"] == b"original"
    with_body = parse_creation({**headers, "Content-Type": OFFSET_CONTENT_TYPE + "; x=1"}, 1000)
    assert with_body.has_body


@pytest.mark.parametrize(
    ("headers", "error", "match"),
    [
        ({"Upload-Defer-Length": "1"}, MalformedHeader, "deferred length is not supported"),
        ({}, MalformedHeader, "Upload-Length is required"),
        ({"Upload-Length": "-1"}, MalformedHeader, "Upload-Length must be a decimal"),
        ({"Upload-Length": "1001"}, TooLarge, "Upload-Length 1001 exceeds Tus-Max-Size 1000"),
        ({"Upload-Length": "1", "Upload-Metadata": "k !!"}, MalformedHeader, "Upload-Metadata"),
        (
            {"Upload-Length": "1", "Content-Type": "text/plain", "Content-Length": "3"},
            UnsupportedMediaType,
            "a creation body must be application/offset",
        ),
    ],
)
def test_a_creation_the_server_cannot_take_is_refused(headers, error, match):
    with pytest.raises(error, match=match):
        parse_creation(headers, 1000)


def test_a_creation_of_another_type_with_no_body_is_a_plain_creation():
    headers = {"Upload-Length": "5", "Content-Type": "text/plain", "Content-Length": "0"}
    assert not parse_creation(headers, 1000).has_body
    assert not parse_creation({"Upload-Length": "5", "Content-Type": "text/plain"}, 1000).has_body


def test_the_largest_upload_is_taken_and_the_limit_is_named_past_it():
    assert parse_creation({"Upload-Length": "1000"}, 1000).length == 1000
    with pytest.raises(TooLarge) as refused:
        parse_creation({"Upload-Length": "1001"}, 1000)
    assert refused.value.details["max_size"] == 1000


# --- PATCH against the committed state ------------------------------------------------------


def test_a_patch_at_the_committed_offset_is_read_with_its_length_and_checksum():
    request = parse_patch(patch(100, **{"Content-Length": "900"}), upload(), NOW)
    assert (request.offset, request.content_length, request.checksum) == (100, 900, None)
    summed = parse_patch(patch(100, **{"Upload-Checksum": sha256(b"x")}), upload(), NOW)
    assert summed.checksum == ("sha256", hashlib.sha256(b"x").digest())
    chunked = parse_patch(patch(100), upload(), NOW)  # chunked transfer: no length
    assert chunked.content_length is None


@pytest.mark.parametrize("content_type", [None, "application/octet-stream", "text/plain"])
def test_a_patch_must_be_offset_octet_stream(content_type):
    headers = patch()
    del headers["Content-Type"]
    if content_type is not None:
        headers["Content-Type"] = content_type
    with pytest.raises(UnsupportedMediaType, match="PATCH requires Content-Type"):
        parse_patch(headers, upload(), NOW)


def test_a_creation_body_starts_at_zero_whatever_its_headers_say():
    request = parse_patch({"Upload-Offset": "7"}, upload(offset=0), NOW, creation=True)
    assert request.offset == 0


@pytest.mark.parametrize("offset", [0, 99, 101, 1000])
def test_another_offset_is_409_naming_the_committed_one(offset):
    with pytest.raises(OffsetMismatch, match="does not match the committed offset 100") as wrong:
        parse_patch(patch(offset), upload(), NOW)
    assert wrong.value.details["offset"] == 100


@pytest.mark.parametrize("header", ["Upload-Offset", "Content-Length"])
@pytest.mark.parametrize("value", ["", "-1", "1.5", "0x10", "9223372036854775808"])
def test_sizes_in_a_patch_are_plain_decimals(header, value):
    with pytest.raises(MalformedHeader, match=header):
        parse_patch(patch(**{header: value}), upload(), NOW)


def test_a_patch_may_end_at_the_length_and_not_pass_it():
    assert parse_patch(patch(**{"Content-Length": "900"}), upload(), NOW).content_length == 900
    with pytest.raises(TooLarge, match="901 bytes at offset 100 would pass Upload-Length 1000"):
        parse_patch(patch(**{"Content-Length": "901"}), upload(), NOW)


@pytest.mark.parametrize(
    ("header", "error", "match"),
    [
        ("crc32 AAAA", UnsupportedChecksum, "'crc32' is not supported"),
        ("sha256", MalformedHeader, "Upload-Checksum must be"),
        ("sha256 " + base64.b64encode(bytes(20)).decode(), MalformedHeader, "32 bytes"),
    ],
)
def test_a_checksum_the_server_cannot_check_is_refused(header, error, match):
    with pytest.raises(error, match=match):
        parse_patch(patch(**{"Upload-Checksum": header}), upload(), NOW)


# --- what each state allows ---------------------------------------------------------------

GONE = [(S.TERMINATED, UploadTerminated, "410"), (S.EXPIRED, UploadExpired, "410")]


@pytest.mark.parametrize(("state", "error", "_status"), GONE)
@pytest.mark.parametrize("check", [check_readable, check_patchable, check_deletable])
def test_a_terminated_or_expired_upload_is_gone_to_every_request(state, error, _status, check):
    with pytest.raises(error, match=f"is {state.value}"):
        check(upload(state), NOW)
    assert error.status == 410


@pytest.mark.parametrize("check", [check_readable, check_patchable, check_deletable])
def test_an_open_upload_past_its_time_has_expired(check):
    for expires_at in (NOW, NOW - timedelta(seconds=1)):  # at the moment itself, too
        with pytest.raises(UploadExpired, match="expired at"):
            check(upload(expires_at=expires_at), NOW)
    check(upload(expires_at=NOW + timedelta(microseconds=1)), NOW)


def test_a_finalized_upload_never_expires_but_takes_nothing_more():
    old = upload(S.FINALIZED, expires_at=NOW - timedelta(days=30))
    check_readable(old, NOW)
    with pytest.raises(AlreadyFinalized, match="nothing more is accepted"):
        check_patchable(old, NOW)
    with pytest.raises(AlreadyFinalized, match="cannot be terminated"):
        check_deletable(old, NOW)
    assert AlreadyFinalized.status == 409


def test_a_rejected_upload_is_readable_and_deletable_but_takes_no_bytes():
    rejected = upload(S.REJECTED, error_code="digest_mismatch")
    check_readable(rejected, NOW)
    check_deletable(rejected, NOW)
    with pytest.raises(UploadRejected, match="rejected \\(digest_mismatch\\)") as refused:
        check_patchable(rejected, NOW)
    assert refused.value.details["reason"] == "digest_mismatch"


def test_an_open_upload_in_time_may_be_read_patched_and_deleted():
    for check in (check_readable, check_patchable, check_deletable):
        check(upload(), NOW)


def test_a_patch_to_an_upload_that_cannot_take_it_is_refused_before_offsets_are_compared():
    with pytest.raises(UploadTerminated):
        parse_patch(patch(5), upload(S.TERMINATED), NOW)
    with pytest.raises(AlreadyFinalized):
        parse_patch(patch(1000), upload(S.FINALIZED, offset=1000), NOW)
