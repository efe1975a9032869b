"""Each body is refused (415 bad_content_type) unless it comes as the media type the
protocol names for it, and nothing of a refused body is kept (issue 8)."""

from __future__ import annotations

import base64
import json

import pytest

from evidence.digest import Sha256
from evidence.identifiers import Role
from evidence.signing import PayloadType
from evidence.wire import (
    ACTS_IMPORT,
    AUTH_CHALLENGE,
    CASES_IMPORT,
    CATALOGUE,
    FLAG_RESOLVE,
    FLAGS,
    MANIFESTS,
    RECORDING_MATCH,
    RECORDING_TRANSCRIPT,
    SIGNATURE_HEADER,
)
from tests.builders import signed_for
from tests.ingest.helpers import created, prepared, upload_all


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/json", "application/octet-stream"]
)
async def test_a_manifest_not_sent_as_a_manifest_is_refused(server, content_type):
    device = await server.add_device()
    token = await server.token_for(device)
    signed = signed_for(b"footage" * 100, device.device_id, device.key)
    headers = {
        SIGNATURE_HEADER: base64.b64encode(signed.signature).decode(),
        "Content-Type": content_type,
    }
    reply = await server.send("POST", MANIFESTS, token=token, body=signed.body, headers=headers)
    assert (reply.status, reply.code) == (415, "bad_content_type")
    assert reply.json()["error"]["details"]["accepted"] == [PayloadType.MANIFEST]
    manifest = signed.manifest
    assert await server.ctx.index.uploads.manifest(manifest.evidence_id, manifest.role) is None
    headers["Content-Type"] = f"{PayloadType.MANIFEST}; charset=utf-8"
    reply = await server.send("POST", MANIFESTS, token=token, body=signed.body, headers=headers)
    assert reply.status == 201, reply.body


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
async def test_a_json_body_not_sent_as_json_is_refused(server, content_type):
    device = await server.add_device()
    body = json.dumps({"device_id": device.device_id}).encode()
    reply = await server.send(
        "POST", AUTH_CHALLENGE, body=body, headers={"Content-Type": content_type}
    )
    assert (reply.status, reply.code) == (415, "bad_content_type")


async def test_a_flag_resolution_not_sent_as_json_changes_nothing(server):
    await prepared(server, sequence=2, previous=Sha256.of(b"lost"))
    chief = await server.add_user("zhao", "supervisor")
    listed = (await server.send("GET", FLAGS, token=chief)).json()["flags"]
    path = FLAG_RESOLVE.format(flag_id=listed[0]["flag_id"])
    reason = json.dumps({"reason": "送修"}).encode()
    reply = await server.send(
        "POST", path, token=chief, body=reason, headers={"Content-Type": "text/plain"}
    )
    assert (reply.status, reply.code) == (415, "bad_content_type")
    still = (await server.send("GET", FLAGS, token=chief)).json()["flags"]
    assert [f["flag_id"] for f in still] == [listed[0]["flag_id"]]


async def stored_original(server):
    ready = await prepared(server, size=5000)
    await upload_all(server, ready, await created(server, ready))
    return ready.signed.manifest.evidence_id


@pytest.mark.parametrize(
    "content_type", ["application/json", "text/csv", "text/plain; charset=gbk"]
)
async def test_a_transcript_not_sent_as_utf8_text_is_refused(server, content_type):
    evidence_id = await stored_original(server)
    token = await server.add_user()
    headers = {"Content-Type": content_type}
    text = "执法人员出示证件。".encode()
    path = RECORDING_TRANSCRIPT.format(evidence_id=evidence_id)
    reply = await server.send("POST", path, token=token, body=text, headers=headers)
    assert (reply.status, reply.code) == (415, "bad_content_type")
    assert await server.ctx.index.uploads.manifest(evidence_id, Role.TRANSCRIPT) is None
    headers = {"Content-Type": "text/plain; charset=UTF-8"}
    assert (await server.send("POST", path, token=token, body=text, headers=headers)).status == 201


@pytest.mark.parametrize("content_type", ["text/plain", "application/json"])
async def test_a_clip_not_sent_as_video_is_refused(server, content_type):
    evidence_id = await stored_original(server)
    token = await server.add_user()
    path = RECORDING_MATCH.format(evidence_id=evidence_id)
    headers = {"Content-Type": content_type}
    reply = await server.send("POST", path, token=token, body=b"\x00" * 100, headers=headers)
    assert (reply.status, reply.code) == (415, "bad_content_type")


@pytest.mark.parametrize("route", [ACTS_IMPORT, CASES_IMPORT, CATALOGUE])
@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
async def test_a_csv_file_not_sent_as_a_table_is_refused(server, route, content_type):
    admin = await server.add_user("admin-1", "admin")
    method = "PUT" if route == CATALOGUE else "POST"
    headers = {"Content-Type": content_type}
    reply = await server.send(method, route, token=admin, body=b"a,b\n1,2\n", headers=headers)
    assert (reply.status, reply.code) == (415, "bad_content_type")


async def test_a_csv_file_sent_with_a_gbk_charset_is_read_as_gbk(server):
    """Issue 15: Excel on Windows saves CSV in GBK; a charset on the Content-Type names it
    (before, anything but UTF-8 was refused with 415)."""
    clerk = await server.add_user()
    table = "案件编号,执法机关\nJSZF-2026-0099,长安区应急管理局\n".encode("gbk")
    headers = {"Content-Type": "text/csv; charset=gbk"}
    reply = await server.send("POST", CASES_IMPORT, token=clerk, body=table, headers=headers)
    assert reply.json() == {"cases_added": 1, "acts_added": 0, "acts_unchanged": 0}
    headers = {"Content-Type": "text/csv; charset=klingon"}
    reply = await server.send("POST", CASES_IMPORT, token=clerk, body=table, headers=headers)
    assert (reply.status, reply.code) == (400, "bad_csv")
