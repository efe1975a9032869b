"""Flags over the API: listed by kind and state, resolved once by a supervisor or admin
with why, kept afterwards; every refusal with its stable code."""

import json

import pytest

from evidence.digest import Sha256
from evidence.wire import FLAG_RESOLVE, FLAGS
from tests.ingest.helpers import prepared


def body(document):
    return json.dumps(document, ensure_ascii=False).encode()


async def gaps(server):
    """A device whose manifests 1 and 2 never arrived: two sequence_gap flags."""
    await prepared(server, sequence=3, previous=Sha256.of(b"lost"))


async def test_flags_are_listed_and_resolved_once_with_who_and_why(server):
    clerk = await server.add_user("wang", "custodian")
    chief = await server.add_user("zhao", "supervisor")
    await gaps(server)
    listed = (await server.send("GET", FLAGS + "?kind=sequence_gap", token=clerk)).json()["flags"]
    assert [flag["subject"].split("#")[1] for flag in listed] == ["1", "2"]
    first = listed[0]
    assert (first["kind"], first["resolved_at"], first["advice"] is not None) == (
        "sequence_gap",
        None,
        True,
    )
    path = FLAG_RESOLVE.format(flag_id=first["flag_id"])
    reason = body({"reason": "摄像机送修，第1号记录确认丢失"})
    refused = await server.send("POST", path, token=clerk, body=reason)
    assert (refused.status, refused.code) == (403, "forbidden")
    reply = await server.send("POST", path, token=chief, body=reason)
    assert reply.status == 200, reply.body
    resolved = reply.json()
    assert (resolved["resolved_by"], resolved["resolution"]) == (
        "zhao",
        "摄像机送修，第1号记录确认丢失",
    )
    assert resolved["resolved_at"] is not None
    again = await server.send("POST", path, token=chief, body=body({"reason": "again"}))
    assert (again.status, again.code) == (409, "already_resolved")
    still_open = (await server.send("GET", FLAGS, token=clerk)).json()["flags"]
    assert [flag["flag_id"] for flag in still_open] == [listed[1]["flag_id"]]
    kept = (await server.send("GET", FLAGS + "?open=false", token=clerk)).json()["flags"]
    assert [(flag["flag_id"], flag["resolved_by"]) for flag in kept] == [(first["flag_id"], "zhao")]


@pytest.mark.parametrize(
    ("method", "path", "document", "status", "code"),
    [
        ("POST", FLAG_RESOLVE.format(flag_id=999), {"reason": "x"}, 404, "unknown_flag"),
        ("POST", FLAG_RESOLVE.format(flag_id="abc"), {"reason": "x"}, 400, "bad_identifier"),
        ("POST", FLAG_RESOLVE.format(flag_id="²"), {"reason": "x"}, 400, "bad_identifier"),
        ("POST", FLAG_RESOLVE.format(flag_id=1), {}, 400, "bad_body"),
        ("POST", FLAG_RESOLVE.format(flag_id=1), {"reason": ""}, 400, "bad_body"),
        ("POST", FLAG_RESOLVE.format(flag_id=1), {"reason": "x", "by": "y"}, 400, "bad_body"),
        ("GET", FLAGS + "?kind=parking", None, 400, "bad_request"),
        ("GET", FLAGS + "?open=maybe", None, 400, "bad_request"),
        ("GET", FLAGS + "?colour=red", None, 400, "bad_request"),
        ("GET", FLAGS + "?limit=²", None, 400, "bad_request"),
    ],
)
async def test_bad_flag_requests(server, method, path, document, status, code):
    admin = await server.add_user("root", "admin")
    await gaps(server)
    sent = None if document is None else body(document)
    reply = await server.send(method, path, token=admin, body=sent)
    assert (reply.status, reply.code) == (status, code), reply.body
