"""The tus 1.0 rules (ingest/uploads/rules.py) without a server: plain headers and upload
records in, errors or header values out. Then, against a real server, the two headers
tus requires of HEAD that only these rules produce: the metadata echoed as the client
sent it, and Upload-Expires as an HTTP date."""

import base64
import dataclasses
import email.utils
import re
from datetime import UTC, datetime, timedelta

import pytest

from evidence.errors import (
    AlreadyFinalized,
    LiuhenError,
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
from evidence.wire import FINALIZE
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
from tests.ingest.helpers import created, prepared, upload_all

NOW = datetime(2026, 3, 12, 1, 30, tzinfo=UTC)
LATER = NOW + timedelta(days=7)
METADATA = encode_metadata({"filename": "查封现场.mp4", "flag": None})
OPEN, FINALIZED, REJECTED = UploadState.OPEN, UploadState.FINALIZED, UploadState.REJECTED
TERMINATED, EXPIRED = UploadState.TERMINATED, UploadState.EXPIRED
# RFC 9110 §5.6.7 (IMF-fixdate), which tus's expiration extension requires.
HTTP_DATE = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d\d:\d\d:\d\d GMT"
)


def upload(
    state: UploadState = OPEN,
    *,
    offset: int = 100,
    length: int = 1000,
    metadata: str = METADATA,
    expires_at: datetime = LATER,
    error_code: str | None = None,
) -> UploadRecord:
    return UploadRecord(
        upload_id="u1",
        evidence_id=EvidenceId.new(),
        role=Role.ORIGINAL,
        device_id=DeviceId("dock-1"),
        length=length,
        offset=offset,
        state=state,
        metadata=metadata,
        created_at=NOW,
        expires_at=expires_at,
        error_code=error_code,
    )


def patch_headers(offset: int = 100, **extra: str) -> dict[str, str]:
    return {"Content-Type": OFFSET_CONTENT_TYPE, "Upload-Offset": str(offset), **extra}


# The table in ingest/uploads/rules.py: what each request may do in each state.
# None: allowed; else the error (and so the status) it is refused with.
REQUESTS = {
    "HEAD": check_readable,
    "PATCH": check_patchable,
    "DELETE": check_deletable,
}
GONE = {TERMINATED: UploadTerminated, EXPIRED: UploadExpired}
TABLE: dict[tuple[UploadState, str], tuple[type[LiuhenError], str] | None] = {
    (OPEN, "HEAD"): None,
    (OPEN, "PATCH"): None,
    (OPEN, "DELETE"): None,
    (FINALIZED, "HEAD"): None,
    (FINALIZED, "PATCH"): (AlreadyFinalized, r"^upload u1 is finalized; nothing more"),
    (FINALIZED, "DELETE"): (AlreadyFinalized, r"^a finalized upload is evidence and cannot be"),
    (REJECTED, "HEAD"): None,
    (REJECTED, "PATCH"): (
        UploadRejected,
        r"^upload u1 was rejected \(bad_signature\); start a new",
    ),
    (REJECTED, "DELETE"): None,
    **{
        (state, request): (error, f"^upload u1 is {state.value}")
        for state, error in GONE.items()
        for request in REQUESTS
    },
}


@pytest.mark.parametrize(("state", "request_name"), sorted(TABLE))
def test_what_each_request_may_do_in_each_state(state, request_name):
    check = REQUESTS[request_name]
    record = upload(state, error_code="bad_signature" if state is REJECTED else None)
    if TABLE[state, request_name] is None:
        check(record, NOW)
        return
    refused, says = TABLE[state, request_name]
    with pytest.raises(refused, match=says) as caught:
        check(record, NOW)
    assert caught.value.status == (410 if state in GONE else 409)


def test_the_table_covers_every_state_and_request():
    assert set(TABLE) == {(state, name) for state in UploadState for name in REQUESTS}


@pytest.mark.parametrize("check", REQUESTS.values(), ids=REQUESTS)
def test_an_open_upload_expires_at_its_expiry_to_the_microsecond(check):
    check(upload(expires_at=NOW + timedelta(microseconds=1)), NOW)
    with pytest.raises(UploadExpired, match=r"^upload u1 expired at 2026-03-12"):
        check(upload(expires_at=NOW), NOW)


def test_a_finalized_upload_never_expires():
    check_readable(upload(FINALIZED, expires_at=NOW - timedelta(days=365)), NOW)


def test_a_rejected_upload_says_why_and_asks_for_a_new_one():
    says = r"^upload u1 was rejected \(bad_signature\); start a new upload"
    with pytest.raises(UploadRejected, match=says) as caught:
        check_patchable(upload(REJECTED, error_code="bad_signature"), NOW)
    assert caught.value.details == {"reason": "bad_signature"}


@pytest.mark.parametrize("version", [None, "", "1.0", "0.2.2", "1.0.0 "])
def test_only_tus_1_0_0_is_spoken(version):
    headers = {} if version is None else {"Tus-Resumable": version}
    with pytest.raises(PreconditionFailed, match=r"^Tus-Resumable must be 1\.0\.0"):
        check_version(headers)
    check_version({"Tus-Resumable": "1.0.0"})


def test_discovery_names_version_extensions_limit_and_checksums():
    assert discovery_headers(5000) == {
        "Tus-Version": "1.0.0",
        "Tus-Extension": "creation,creation-with-upload,checksum,termination,expiration",
        "Tus-Max-Size": "5000",
        "Tus-Checksum-Algorithm": "sha256,sha1",
    }


def test_an_open_upload_shows_offset_length_metadata_and_expiry():
    assert upload_headers(upload(offset=100, length=1000)) == {
        "Upload-Offset": "100",
        "Upload-Length": "1000",
        "Cache-Control": "no-store",
        "Upload-Metadata": METADATA,  # as received, so the client gets back what it sent
        "Upload-Expires": "Thu, 19 Mar 2026 01:30:00 GMT",
    }


@pytest.mark.parametrize("state", [FINALIZED, REJECTED])
def test_only_an_open_upload_has_an_expiry(state):
    assert "Upload-Expires" not in upload_headers(upload(state))


def test_no_metadata_header_when_none_was_sent():
    assert "Upload-Metadata" not in upload_headers(upload(metadata=""))


def test_a_creation_takes_length_and_metadata():
    creation = parse_creation({"Upload-Length": "1000", "Upload-Metadata": METADATA}, 1000)
    assert (creation.length, creation.metadata_header) == (1000, METADATA)
    assert creation.metadata == {"filename": "查封现场.mp4".encode(), "flag": None}
    assert not creation.has_body
    assert parse_creation({"Upload-Length": "0"}, 1000).metadata == {}


@pytest.mark.parametrize(
    ("headers", "refused", "says", "details"),
    [
        (
            {"Upload-Defer-Length": "1"},
            MalformedHeader,
            r"^deferred length is not supported; send Upload-Length",
            {"header": "Upload-Defer-Length"},
        ),
        ({}, MalformedHeader, r"^Upload-Length is required", {"header": "Upload-Length"}),
        (
            {"Upload-Length": "-1"},
            MalformedHeader,
            r"^Upload-Length must be a decimal",
            {"header": "Upload-Length"},
        ),
        (
            {"Upload-Length": "1001"},
            TooLarge,
            r"^Upload-Length 1001 exceeds Tus-Max-Size 1000",
            {"max_size": 1000},  # the client learns the limit from the refusal
        ),
        (
            {"Upload-Length": "10", "Content-Type": "text/plain", "Content-Length": "10"},
            UnsupportedMediaType,
            r"^a creation body must be application/offset\+octet-stream",
            {},
        ),
    ],
)
def test_a_creation_is_refused(headers, refused, says, details):
    with pytest.raises(refused, match=says) as caught:
        parse_creation(headers, 1000)
    assert caught.value.details == details


@pytest.mark.parametrize(
    ("content_type", "has_body"),
    [
        (OFFSET_CONTENT_TYPE, True),
        ("Application/Offset+Octet-Stream; charset=binary", True),
        (None, False),
        ("text/plain", False),  # with no body, the media type does not matter
    ],
)
def test_a_creation_has_a_body_only_in_the_offset_media_type(content_type, has_body):
    headers = {"Upload-Length": "10"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    assert parse_creation(headers, 1000).has_body is has_body
    assert parse_creation({**headers, "Content-Length": "0"}, 1000).has_body is has_body


def test_a_patch_at_the_committed_offset_is_taken():
    request = parse_patch(patch_headers(100, **{"Content-Length": "900"}), upload(), NOW)
    assert (request.offset, request.content_length, request.checksum) == (100, 900, None)
    chunked = parse_patch(patch_headers(100), upload(), NOW)
    assert chunked.content_length is None  # chunked transfer: the sink counts
    digest = bytes(range(32))
    checksum = "sha256 " + base64.b64encode(digest).decode()
    summed = parse_patch(patch_headers(100, **{"Upload-Checksum": checksum}), upload(), NOW)
    assert summed.checksum == ("sha256", digest)


@pytest.mark.parametrize(
    ("headers", "refused", "says"),
    [
        ({"Upload-Offset": "100"}, UnsupportedMediaType, r"^PATCH requires Content-Type: app"),
        (patch_headers(100, **{"Content-Type": "text/plain"}), UnsupportedMediaType, "^PATCH"),
        ({"Content-Type": OFFSET_CONTENT_TYPE}, MalformedHeader, r"^Upload-Offset is required"),
        (patch_headers(99), OffsetMismatch, r"^Upload-Offset 99 does not match .* offset 100"),
        (patch_headers(101), OffsetMismatch, r"^Upload-Offset 101 does not match .* offset 100"),
        (
            patch_headers(100, **{"Content-Length": "901"}),
            TooLarge,
            r"^901 bytes at offset 100 would pass Upload-Length 1000",
        ),
        (patch_headers(100, **{"Content-Length": "x"}), MalformedHeader, r"^Content-Length must"),
        (patch_headers(100, **{"Upload-Checksum": "crc32 AAAA"}), UnsupportedChecksum, "'crc32'"),
    ],
)
def test_a_patch_is_refused(headers, refused, says):
    with pytest.raises(refused, match=says) as caught:
        parse_patch(headers, upload(), NOW)
    if refused is OffsetMismatch:
        assert caught.value.details == {"offset": 100}  # the client resumes from here


def test_the_media_type_of_a_patch_is_compared_without_case_or_parameters():
    headers = patch_headers(100, **{"Content-Type": " Application/Offset+Octet-Stream ; x=y"})
    assert parse_patch(headers, upload(), NOW).offset == 100


def test_a_creation_body_starts_at_zero_whatever_its_headers():
    request = parse_patch({"Content-Length": "10"}, upload(offset=0), NOW, creation=True)
    assert (request.offset, request.content_length) == (0, 10)


def test_a_patch_is_checked_against_the_state_before_the_offset():
    with pytest.raises(AlreadyFinalized, match=r"^upload u1 is finalized"):
        parse_patch(patch_headers(5), upload(FINALIZED), NOW)


def test_a_parsed_request_cannot_be_altered_on_its_way_to_the_sink():
    creation = parse_creation({"Upload-Length": "10"}, 1000)
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field"):
        creation.length = 11  # type: ignore[misc]
    request = parse_patch(patch_headers(100), upload(), NOW)
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field"):
        request.offset = 0  # type: ignore[misc]


# Against a real server: the headers above, as a client sees them on HEAD.


async def test_head_echoes_the_metadata_the_client_sent(server):
    ready = await prepared(server)
    metadata = {"evidence_id": str(ready.signed.manifest.evidence_id), "role": "original"}
    metadata["filename"] = ready.signed.manifest.file_name
    sent = encode_metadata(metadata)
    reply = await server.create(ready.signed, ready.token, metadata=metadata)
    assert reply.status == 201, reply.body
    head = await server.head(reply.headers["Location"], ready.token)
    assert head.headers["Upload-Metadata"] == sent


async def test_head_gives_the_expiry_as_an_http_date_a_week_on(server):
    ready = await prepared(server)
    url = await created(server, ready)
    head = await server.head(url, ready.token)
    expires = head.headers["Upload-Expires"]
    assert HTTP_DATE.fullmatch(expires), expires
    expected = server.clock() + timedelta(seconds=server.ctx.config.upload_expiry_seconds)
    assert abs(email.utils.parsedate_to_datetime(expires) - expected) < timedelta(seconds=30)
    await upload_all(server, ready, url)
    finalize = await server.send(
        "POST",
        FINALIZE.format(evidence_id=ready.signed.manifest.evidence_id, role="original"),
        token=ready.token,
    )
    assert finalize.status == 200, finalize.body
    head = await server.head(url, ready.token)
    assert head.status == 200 and "Upload-Expires" not in head.headers  # evidence never expires
