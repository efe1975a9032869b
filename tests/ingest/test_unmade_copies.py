"""A derived copy the device gave up making (docs/protocol.md, "A derived copy that could
not be made"): the device that signed the stored original reports it once and the server
raises a ``derivation_failed`` flag a custodian lists; said again, replayed, or after the
flag was resolved, nothing new. Another device, an original not stored, the original's
own role and a body not as documented are refused with their codes. The real agent
telling a real server is tests/agent/test_copies_given_up.py."""

from __future__ import annotations

import json

import pytest

from evidence.wire import DERIVATION_FAILED, FLAG_RESOLVE, FLAGS
from tests.ingest.helpers import created, prepared, upload_all

REPORT = {
    "reason": "no review copy: No space left on device",
    "code": "derivation_failed",
    "attempts": 5,
    "profile": "review-720p",
}


def body(document) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


async def stored(server):
    """A device's original, uploaded and receipted; its report's path."""
    ready = await prepared(server)
    await upload_all(server, ready, await created(server, ready))
    path = DERIVATION_FAILED.format(evidence_id=ready.signed.manifest.evidence_id, role="proxy")
    return ready, path


async def test_a_report_raises_one_flag_a_custodian_lists(server):
    ready, path = await stored(server)
    first = await server.send("POST", path, token=ready.token, body=body(REPORT))
    assert first.status == 201, first.body
    again = await server.send("POST", path, token=ready.token, body=body(REPORT))
    assert again.status == 200
    clerk = await server.add_user("wang", "custodian")
    listed = (await server.send("GET", FLAGS + "?kind=derivation_failed", token=clerk)).json()
    [flag] = listed["flags"]
    evidence_id = str(ready.signed.manifest.evidence_id)
    assert (flag["evidence_id"], flag["role"], flag["device_id"]) == (
        evidence_id,
        "proxy",
        str(ready.device.device_id),
    )
    assert flag["detail"] == REPORT and "liuhen agent retry" in flag["advice"]
    chief = await server.add_user("zhao", "supervisor")
    resolve = FLAG_RESOLVE.format(flag_id=flag["flag_id"])
    fixed = await server.send("POST", resolve, token=chief, body=body({"reason": "disk freed"}))
    assert fixed.status == 200, fixed.body
    replayed = await server.send("POST", path, token=ready.token, body=body(REPORT))
    assert replayed.status == 200  # a replay raises nothing new
    everything = (await server.send("GET", FLAGS + "?open=false", token=clerk)).json()["flags"]
    assert [f["flag_id"] for f in everything if f["kind"] == "derivation_failed"] == [
        flag["flag_id"]
    ]


async def test_only_the_device_that_signed_the_original_may_report_it(server):
    _, path = await stored(server)
    other = await server.add_device()
    reply = await server.send("POST", path, token=await server.token_for(other), body=body(REPORT))
    assert (reply.status, reply.code) == (403, "wrong_device")
    anonymous = await server.send("POST", path, body=body(REPORT))
    assert anonymous.status == 401


async def test_an_original_not_stored_is_not_found(server):
    ready = await prepared(server)  # registered, never uploaded
    evidence_id = ready.signed.manifest.evidence_id
    path = DERIVATION_FAILED.format(evidence_id=evidence_id, role="proxy")
    reply = await server.send("POST", path, token=ready.token, body=body(REPORT))
    assert (reply.status, reply.code) == (404, "not_found")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"attempts": 0}, "attempts"),
        ({"attempts": True}, "attempts"),
        ({"attempts": "5"}, "attempts"),
        ({"reason": "x" * 1001}, "reason"),
        ({"reason": None}, "reason"),
        ({"code": "bad\ncode"}, "code"),
        ({"by": "someone"}, "by"),
    ],
)
async def test_a_body_not_as_documented_is_refused(server, change, field):
    ready, path = await stored(server)
    document = {**REPORT, **change}
    reply = await server.send("POST", path, token=ready.token, body=body(document))
    assert (reply.status, reply.code) == (400, "bad_body"), reply.body
    assert reply.json()["error"]["details"]["field"] == field


async def test_the_original_is_no_derived_copy(server):
    ready, path = await stored(server)
    reply = await server.send(
        "POST", path.replace("/proxy/", "/original/"), token=ready.token, body=body(REPORT)
    )
    assert (reply.status, reply.code) == (400, "bad_body")


async def test_a_report_through_a_slow_link_keeps_the_whole_reason(server, slow):
    ready, path = await stored(server)
    document = {**REPORT, "reason": "转码失败：磁盘空间不足。" * 80}  # 960 characters
    reply = await slow.send("POST", path, token=ready.token, body=body(document))
    assert reply.status == 201, reply.body
    [flag] = await server.ctx.index.flags.open_flags("derivation_failed")
    assert json.loads(flag.detail)["reason"] == document["reason"]
