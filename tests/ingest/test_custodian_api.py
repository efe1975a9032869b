"""The custodian's API: list by case number, inspect, re-verify against storage now."""

import base64
from datetime import datetime, timedelta

import pytest

from evidence.identifiers import EvidenceId
from evidence.wire import (
    RECORDING,
    RECORDING_MANIFEST,
    RECORDING_VERIFY,
    RECORDINGS,
    SIGNATURE_HEADER,
)
from tests.builders import CASE, CHINA
from tests.ingest.helpers import SMALL_CHUNK, created, prepared, upload_all

CAPTURED = datetime(2026, 3, 12, 9, 41, 2, tzinfo=CHINA)  # when the builders' capture ends


async def stored_recording(server, **options):
    ready = await prepared(server, **options)
    await upload_all(server, ready, await created(server, ready))
    return ready


async def test_recordings_are_listed_by_case_number_in_any_typed_form(server):
    ready = await stored_recording(server)
    await stored_recording(server, case_number="JSZF-2026-0099")
    token = await server.add_user()
    reply = await server.send(
        "GET", RECORDINGS + "?case_number=冀石执罚[2026]第0012号", token=token
    )
    assert reply.status == 200
    found = reply.json()["recordings"]
    assert [r["evidence_id"] for r in found] == [str(ready.signed.manifest.evidence_id)]
    assert found[0]["case_number"] == CASE
    assert found[0]["sha256"] == ready.signed.manifest.sha256.hex
    everything = (await server.send("GET", RECORDINGS, token=token)).json()["recordings"]
    assert len(everything) == 2


async def test_one_recording_shows_its_manifest_receipt_and_flags(server):
    server.clock.set(CAPTURED + timedelta(hours=1))  # uploaded promptly: no late_upload flag
    ready = await stored_recording(server, case_number=None)
    token = await server.add_user()
    reply = await server.send(
        "GET", RECORDING.format(evidence_id=ready.signed.manifest.evidence_id), token=token
    )
    body = reply.json()
    assert body["objects"][0]["manifest"]["file"]["sha256"] == ready.signed.manifest.sha256.hex
    assert base64.b64decode(body["objects"][0]["receipt"]["body"])
    assert [flag["kind"] for flag in body["flags"]] == ["metadata_incomplete"]
    assert body["flags"][0]["advice"]


async def test_the_exact_signed_bytes_can_be_fetched_for_openssl(server):
    ready = await stored_recording(server)
    token = await server.add_user()
    path = RECORDING_MANIFEST.format(evidence_id=ready.signed.manifest.evidence_id, role="original")
    reply = await server.send("GET", path, token=token)
    assert reply.body == ready.signed.body
    assert base64.b64decode(reply.headers[SIGNATURE_HEADER]) == ready.signed.signature


async def test_reverification_passes_for_intact_footage(server):
    ready = await stored_recording(server)
    token = await server.add_user()
    reply = await server.send(
        "POST", RECORDING_VERIFY.format(evidence_id=ready.signed.manifest.evidence_id), token=token
    )
    result = reply.json()
    assert result["ok"] is True
    checks = {check["check"]: check["ok"] for check in result["objects"][0]["checks"]}
    assert checks == {
        "stored_bytes": True,
        "signature": True,
        "size": True,
        "sha256": True,
        "chunks": True,
        "receipt": True,
        "index": True,  # the index agrees with the signed receipt and manifest
        "log": True,  # and so does the custody log's ingest entry
    }
    assert result["objects"][0]["failure"] is None


async def test_reverification_pins_damage_to_the_chunk_and_raises_a_flag(server):
    ready = await stored_recording(server, size=4 * SMALL_CHUNK)
    [blob] = server.stored_blobs()
    blob.chmod(0o644)
    with open(blob, "r+b") as handle:  # someone with root edits one byte in chunk 2
        handle.seek(2 * SMALL_CHUNK + 17)
        handle.write(b"\x00" if ready.data[2 * SMALL_CHUNK + 17] else b"\x01")
    token = await server.add_user()
    evidence_id = ready.signed.manifest.evidence_id
    result = (
        await server.send("POST", RECORDING_VERIFY.format(evidence_id=evidence_id), token=token)
    ).json()
    assert result["ok"] is False
    checks = {check["check"]: check for check in result["objects"][0]["checks"]}
    assert checks["sha256"]["ok"] is False
    assert "[2]" in checks["chunks"]["message"]
    assert checks["signature"]["ok"] and checks["receipt"]["ok"]
    flags = await server.ctx.index.flags.open_for(evidence_id)
    assert "verification_failed" in [flag.kind for flag in flags]
    listed = (await server.send("GET", RECORDINGS, token=token)).json()["recordings"]
    assert listed[0]["verification"]["ok"] is False


async def test_reverification_reports_missing_stored_bytes(server):
    ready = await stored_recording(server)
    [blob] = server.stored_blobs()
    blob.unlink()
    token = await server.add_user()
    result = (
        await server.send(
            "POST",
            RECORDING_VERIFY.format(evidence_id=ready.signed.manifest.evidence_id),
            token=token,
        )
    ).json()
    assert result["ok"] is False
    assert result["objects"][0]["checks"][0] == {
        "check": "stored_bytes",
        "ok": False,
        "code": "storage_failure",
        "message": result["objects"][0]["checks"][0]["message"],
    }


async def test_the_api_needs_a_person_with_the_right_role(server):
    ready = await stored_recording(server)
    path = RECORDING_VERIFY.format(evidence_id=ready.signed.manifest.evidence_id)
    assert (await server.send("GET", RECORDINGS)).status == 401
    assert (await server.send("GET", RECORDINGS, token="nonsense")).status == 401
    supervisor = await server.add_user("supervisor-1", "supervisor")
    assert (await server.send("GET", RECORDINGS, token=supervisor)).status == 200
    reply = await server.send("POST", path, token=supervisor)
    assert (reply.status, reply.code) == (403, "forbidden")


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        (RECORDING.format(evidence_id="not-a-uuid"), 400, "bad_identifier"),
        (RECORDING.format(evidence_id=EvidenceId.new()), 404, "not_found"),
        (RECORDINGS + "?case_number=nonsense", 400, "bad_case_number"),
        (RECORDINGS + "?limit=-1", 400, "bad_request"),
        (RECORDINGS + "?limit=100000", 400, "bad_request"),
        (RECORDINGS + "?offset=²", 400, "bad_request"),  # a digit to isdigit, not to int()
        ("/api/v1/nothing-here", 404, "not_found"),
    ],
)
async def test_bad_queries_get_clear_errors(server, path, status, code):
    token = await server.add_user()
    reply = await server.send("GET", path, token=token)
    assert (reply.status, reply.code) == (status, code)
