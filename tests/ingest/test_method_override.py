"""X-HTTP-Method-Override, a MUST of tus 1.0 core: a POST carrying it is routed and
handled as the method it names (issue 8)."""

from __future__ import annotations

import pytest

from evidence.tus_wire import OFFSET_CONTENT_TYPE, TUS_VERSION, format_checksum
from evidence.wire import FLAGS
from tests.ingest.helpers import created, prepared, sha256

OVERRIDE = "X-HTTP-Method-Override"


def as_method(method: str, **headers: str) -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, OVERRIDE: method, **headers}


async def test_a_post_overridden_as_patch_head_and_delete_is_each_of_those(server):
    ready = await prepared(server)
    url = await created(server, ready)
    part = ready.data[:1000]
    headers = as_method("PATCH")
    headers |= {
        "Content-Type": OFFSET_CONTENT_TYPE,
        "Upload-Offset": "0",
        "Upload-Checksum": format_checksum(*sha256(part)),
    }
    patched = await server.send("POST", url, token=ready.token, headers=headers, body=part)
    assert patched.status == 204, patched.body
    assert (patched.headers["Upload-Offset"], patched.headers["Tus-Resumable"]) == (
        "1000",
        TUS_VERSION,
    )

    head = await server.send("POST", url, token=ready.token, headers=as_method("head"))
    assert (head.status, head.headers["Upload-Offset"]) == (200, "1000")
    assert head.headers["Upload-Length"] == str(len(ready.data))

    deleted = await server.send("POST", url, token=ready.token, headers=as_method("DELETE"))
    assert deleted.status == 204
    assert (await server.head(url, ready.token)).status == 410


async def test_routing_follows_the_overridden_method(server):
    """A POST to /files/ overridden as DELETE is a DELETE there (405), not a creation."""
    ready = await prepared(server)
    manifest = ready.signed.manifest
    reply = await server.create(ready.signed, ready.token, headers={OVERRIDE: "DELETE"})
    assert (reply.status, reply.code) == (405, "method_not_allowed")
    assert await server.ctx.index.uploads.live_upload(manifest.evidence_id, manifest.role) is None
    assert (await server.create(ready.signed, ready.token)).status == 201


async def test_without_the_header_a_post_to_an_upload_is_still_not_allowed(server):
    ready = await prepared(server)
    url = await created(server, ready)
    reply = await server.send(
        "POST", url, token=ready.token, headers={"Tus-Resumable": TUS_VERSION}
    )
    assert (reply.status, reply.code) == (405, "method_not_allowed")


@pytest.mark.parametrize("value", ["PATCH /files/x", "", "G3T"])
async def test_a_malformed_override_is_refused(server, value):
    ready = await prepared(server)
    url = await created(server, ready)
    reply = await server.send("POST", url, token=ready.token, headers=as_method(value))
    assert (reply.status, reply.code) == (400, "bad_header")
    assert reply.headers["Tus-Resumable"] == TUS_VERSION


async def test_the_override_is_tus_only_and_leaves_the_rest_of_the_api_alone(server):
    token = await server.add_user(role="custodian")
    reply = await server.send("POST", FLAGS, token=token, headers=as_method("GET"))
    assert (reply.status, reply.code) == (405, "method_not_allowed")
