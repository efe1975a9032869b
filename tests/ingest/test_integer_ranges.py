"""Every integer the server accepts has a documented range, checked before anything is
stored: out of range is a 400 naming the field, never a 500 (issue 8, item 3)."""

import base64
import json

import pytest

from evidence.case_number import CaseNumberRule
from evidence.identifiers import EvidenceId, Role
from evidence.signing import PayloadType, sign
from evidence.strict_json import canonical_bytes
from evidence.tus_wire import TUS_VERSION
from evidence.wire import (
    ACT,
    ACTS_IMPORT,
    FLAG_RESOLVE,
    MANIFESTS,
    REPORT,
    SIGNATURE_HEADER,
    SUGGESTION_CONFIRM,
)
from tests.builders import CASE, signed_for

HUGE = [2**63, 10**30, 2**64]


def _with_session(index):
    return lambda d: d.update(session={"id": "hearing-room-2", "index": index})


def _stream(**values):
    stream = {
        "type": "video",
        "codec": "h264",
        "width": 1920,
        "height": 1080,
        "frame_rate": "30/1",
        "variable_frame_rate": False,
        "sample_rate": None,
        "channels": None,
        "start_ms": 0,
        "duration_ms": 1000,
    }
    stream.update(values)
    return stream


def _with_media(media_ms=1000, **stream):
    media = {
        "container": "mp4",
        "duration_ms": media_ms,
        "creation_time": None,
        "has_video": True,
        "has_audio": False,
        "decodable": True,
        "problem": None,
        "streams": [_stream(**stream)],
    }
    return lambda d: d.update(media=media)


def _sequence(value):
    def change(document):
        document["chain"] = {"sequence": value, "previous_manifest_sha256": "ab" * 32}

    return change


OUT_OF_RANGE = [
    *[(_sequence(value), "chain.sequence") for value in HUGE],
    *[(_with_session(value), "session.index") for value in [*HUGE, 1_000_001]],
    (lambda d: d["file"].update(size=2**63), "file.size"),
    (_with_media(media_ms=2**63), "media.duration_ms"),
    (_with_media(media_ms=400 * 86_400_000), "media.duration_ms"),
    (_with_media(width=2**40), "media.streams[0].width"),
    (_with_media(height=-1), "media.streams[0].height"),
    (_with_media(start_ms=-(2**63)), "media.streams[0].start_ms"),
    (_with_media(duration_ms=10**20), "media.streams[0].duration_ms"),
]


async def _signed_in(server):
    device = await server.add_device()
    return device, await server.token_for(device)


async def _send_resigned(server, device, token, change):
    document = json.loads(signed_for(b"footage", device.device_id, device.key).body)
    change(document)
    body = canonical_bytes(document)
    signature = base64.b64encode(sign(device.key, PayloadType.MANIFEST, body)).decode()
    reply = await server.send(
        "POST",
        MANIFESTS,
        token=token,
        body=body,
        headers={SIGNATURE_HEADER: signature, "Content-Type": PayloadType.MANIFEST.value},
    )
    return reply, document


async def _nothing_stored(server, document) -> None:
    evidence_id = EvidenceId(document["evidence_id"])
    assert await server.ctx.index.uploads.manifest(evidence_id, Role.ORIGINAL) is None
    assert await server.ctx.index.flags.open_for(evidence_id) == []
    assert await server.ctx.index.media.session("hearing-room-2") == []


@pytest.mark.parametrize(("change", "field"), OUT_OF_RANGE)
async def test_an_out_of_range_manifest_integer_is_a_400_naming_the_field(server, change, field):
    device, token = await _signed_in(server)
    reply, document = await _send_resigned(server, device, token, change)
    assert (reply.status, reply.code) == (400, "bad_manifest"), reply.body
    assert reply.json()["error"]["details"]["field"] == field
    await _nothing_stored(server, document)


async def test_the_largest_session_index_is_registered(server):
    device, token = await _signed_in(server)
    reply, _ = await _send_resigned(server, device, token, _with_session(1_000_000))
    assert reply.status == 201, reply.body
    segments = await server.ctx.index.media.session("hearing-room-2")
    assert [segment.index for segment in segments] == [1_000_000]


@pytest.mark.parametrize("act_id", [10**20, 2**63, 0, -1])
async def test_a_suggestion_decision_with_an_out_of_range_act_id_is_a_400(server, act_id):
    token = await server.add_user()
    body = json.dumps({"evidence_id": "0b7f4f9e-3c1a-4d2e-9a55-1f2e3d4c5b6a", "act_id": act_id})
    reply = await server.send("POST", SUGGESTION_CONFIRM, token=token, body=body.encode())
    assert (reply.status, reply.code) == (400, "bad_body"), reply.body
    assert reply.json()["error"]["details"]["field"] == "act_id"


async def test_an_act_edit_against_an_out_of_range_revision_is_a_400(server):
    token = await server.add_user(role="supervisor")
    body = json.dumps({"revision": 10**20, "changes": {"place": "x"}}).encode()
    reply = await server.send("PATCH", ACT.format(act_id=1), token=token, body=body)
    assert (reply.status, reply.code) == (400, "bad_body"), reply.body
    assert reply.json()["error"]["details"]["field"] == "revision"


@pytest.mark.parametrize("flag_id", ["0", "100000000000000000000", "9223372036854775808"])
async def test_a_path_id_out_of_range_is_a_400(server, flag_id):
    token = await server.add_user(role="supervisor")
    body = json.dumps({"reason": "checked"}).encode()
    reply = await server.send("POST", FLAG_RESOLVE.format(flag_id=flag_id), token=token, body=body)
    assert (reply.status, reply.code) == (400, "bad_identifier"), reply.body


@pytest.mark.parametrize("header", ["Upload-Length", "Upload-Offset"])
async def test_a_tus_size_header_past_int64_is_a_400(server, header):
    device, token = await _signed_in(server)
    signed = signed_for(b"footage", device.device_id, device.key)
    assert (await server.register(signed, token)).status == 201
    if header == "Upload-Length":
        reply = await server.create(signed, token, length=2**63)
    else:
        url = (await server.create(signed, token)).headers["Location"]
        reply = await server.send(
            "PATCH",
            url,
            token=token,
            body=b"f",
            headers={
                "Tus-Resumable": TUS_VERSION,
                "Content-Type": "application/offset+octet-stream",
                "Upload-Offset": str(2**63),
            },
        )
    assert (reply.status, reply.code) == (400, "bad_header"), reply.body
    assert reply.json()["error"]["details"]["header"] == header


async def test_the_largest_sequence_number_is_registered_and_chained(server):
    device, token = await _signed_in(server)
    reply, _ = await _send_resigned(server, device, token, _sequence(2**63 - 1))
    assert reply.status == 201, reply.body
    last = await server.ctx.index.uploads.last_manifest(device.device_id)
    assert last is not None
    assert last.sequence == 2**63 - 1


async def test_a_csv_act_time_out_of_range_is_a_400_and_nothing_is_imported(server):
    token = await server.add_user()
    csv = (
        "案件编号,执法机关,事项,开始时间,结束时间\n"
        "冀石执罚〔2026〕第0012号,石家庄市城管局,seizure,2026-03-12 09:30,2026-03-12 10:00\n"
        "冀石执罚〔2026〕第0012号,石家庄市城管局,seizure,0001-01-01 00:00,2026-03-12 10:00\n"
    )
    reply = await server.send(
        "POST", ACTS_IMPORT, token=token, body=csv.encode(), headers={"Content-Type": "text/csv"}
    )
    assert (reply.status, reply.code) == (400, "bad_csv"), reply.body
    details = reply.json()["error"]["details"]
    assert (details["row"], details["column"]) == (3, "开始时间")
    assert await server.ctx.index.compliance.cases.acts_of(CaseNumberRule().parse(CASE)) == []


@pytest.mark.parametrize("since", ["0001-01-01", "0001-01-01T00:00:00", "9999-12-31T23:00:00"])
async def test_a_report_since_out_of_range_is_a_400(server, since):
    token = await server.add_user()
    reply = await server.send("GET", f"{REPORT}?since={since}", token=token)
    assert (reply.status, reply.code) == (400, "bad_request"), reply.body
