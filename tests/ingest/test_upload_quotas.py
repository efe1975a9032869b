"""Per-device quotas on open uploads and the disk they reserve (issue 8, item 5): one
manifest and one POST used to reserve whatever the manifest claimed, without limit.

A creation over quota is 429 quota_exceeded, and nothing is reserved for it; the space
comes back when an upload is terminated, finalized, rejected or expires; a retried
creation of an upload that exists still succeeds at quota (it reserves nothing)."""

import asyncio
import dataclasses
import os

import pytest

from evidence.digest import Sha256
from evidence.manifest import SignedManifest
from evidence.tus_wire import TUS_VERSION
from evidence.wire import FILES
from ingest.sweeper import sweep_expired
from tests.builders import manifest_for, signed_for
from tests.conftest import Device, Server
from tests.ingest.helpers import SMALL_CHUNK, Prepared, upload_all


def set_quota(server: Server, uploads: int = 1000, reserved: int = 2**40) -> None:
    server.ctx.config = dataclasses.replace(
        server.ctx.config,
        max_open_uploads_per_device=uploads,
        max_reserved_bytes_per_device=reserved,
        upload_expiry_seconds=600,  # within a device token's life, so tokens outlive uploads
    )


def partial_files(server: Server) -> list[str]:
    return sorted(path.name for path in (server.root / "server" / "uploads").glob("*.part"))


class Dock:
    """One device registering manifests 1, 2, 3… for random bytes of given sizes."""

    def __init__(self, server: Server, device: Device, token: str) -> None:
        self.server, self.device, self.token = server, device, token
        self.previous: Sha256 | None = None
        self.sequence = 0

    @classmethod
    async def signed_in(cls, server: Server) -> "Dock":
        device = await server.add_device()
        return cls(server, device, await server.token_for(device))

    async def registered(self, size: int, **changes: object) -> Prepared:
        self.sequence += 1
        data = os.urandom(size)
        signed = signed_for(
            data,
            self.device.device_id,
            self.device.key,
            chunk_size=SMALL_CHUNK,
            sequence=self.sequence,
            previous=self.previous,
            **changes,
        )
        reply = await self.server.register(signed, self.token)
        assert reply.status == 201, reply.body
        self.previous = signed.sha256
        return Prepared(self.device, self.token, data, signed)


async def test_a_device_may_open_only_so_many_uploads(server):
    set_quota(server, uploads=2)
    dock = await Dock.signed_in(server)
    first, second, third = [await dock.registered(1000) for _ in range(3)]
    assert (await server.create(first.signed, dock.token)).status == 201
    assert (await server.create(second.signed, dock.token)).status == 201
    held = partial_files(server)

    refused = await server.create(third.signed, dock.token)
    assert (refused.status, refused.code) == (429, "quota_exceeded")
    details = refused.json()["error"]["details"]
    assert (details["quota"], details["open_uploads"], details["limit"]) == ("open_uploads", 2, 2)
    assert partial_files(server) == held, "nothing is reserved for a refused creation"
    assert await server.ctx.index.uploads.live_upload(*_object(third.signed)) is None

    other = await Dock.signed_in(server)  # the quota is each device's own
    theirs = await other.registered(1000)
    assert (await server.create(theirs.signed, other.token)).status == 201


async def test_a_device_may_reserve_only_so_many_bytes(server):
    set_quota(server, reserved=3000)
    dock = await Dock.signed_in(server)
    first, second, small = [await dock.registered(size) for size in (2000, 1500, 1000)]
    assert (await server.create(first.signed, dock.token)).status == 201
    refused = await server.create(second.signed, dock.token)
    assert (refused.status, refused.code) == (429, "quota_exceeded")
    details = refused.json()["error"]["details"]
    assert details == {
        "quota": "reserved_bytes",
        "reserved_bytes": 2000,
        "requested_bytes": 1500,
        "limit": 3000,
    }
    assert len(partial_files(server)) == 1
    assert (await server.create(small.signed, dock.token)).status == 201, "1000 still fits"


async def test_a_retried_creation_at_quota_gets_its_upload_again(server):
    set_quota(server, uploads=1, reserved=1000)
    dock = await Dock.signed_in(server)
    ready = await dock.registered(1000)
    first = await server.create(ready.signed, dock.token)
    again = await server.create(ready.signed, dock.token)
    assert (first.status, again.status) == (201, 201)
    assert again.headers["Location"] == first.headers["Location"]
    assert len(partial_files(server)) == 1


def _object(signed: SignedManifest) -> tuple:
    return signed.manifest.evidence_id, signed.manifest.role


async def _terminate(server, dock, ready, url):
    reply = await server.send(
        "DELETE", url, token=dock.token, headers={"Tus-Resumable": TUS_VERSION}
    )
    assert reply.status == 204


async def _finalize(server, dock, ready, url):
    await upload_all(server, ready, url)
    assert await server.ctx.index.objects.get(*_object(ready.signed)) is not None


async def _expire(server, dock, ready, url):
    """Expired and swept: until the sweeper removes its partial file, its disk counts."""
    server.clock.advance(server.ctx.config.upload_expiry_seconds + 1)
    assert await sweep_expired(server.ctx) == 1


async def _reject(server, dock, ready, url):
    await upload_all(server, ready, url)  # the manifest lies about the whole-file hash
    upload = await server.ctx.index.uploads.live_upload(*_object(ready.signed))
    assert upload is not None and upload.state.value == "rejected"


@pytest.mark.parametrize("end", [_terminate, _finalize, _expire, _reject])
async def test_the_quota_comes_back_when_an_upload_ends(server, end):
    set_quota(server, uploads=1, reserved=2 * SMALL_CHUNK)
    dock = await Dock.signed_in(server)
    lying = {"sha256": Sha256.of(b"not these bytes")} if end is _reject else {}
    ready = await dock.registered(SMALL_CHUNK + 10, **lying)
    waiting = await dock.registered(SMALL_CHUNK + 10)
    url = (await server.create(ready.signed, dock.token)).headers["Location"]
    assert (await server.create(waiting.signed, dock.token)).code == "quota_exceeded"

    await end(server, dock, ready, url)
    reply = await server.create(waiting.signed, dock.token)
    assert reply.status == 201, reply.body
    await sweep_expired(server.ctx)
    assert partial_files(server) == [reply.headers["Location"].rsplit("/", 1)[1] + ".part"]


async def test_an_object_larger_than_a_device_may_reserve_is_refused_at_registration(server):
    set_quota(server, reserved=1000)
    device = await server.add_device()
    token = await server.token_for(device)
    signed = SignedManifest.create(
        manifest_for(b"x" * 1001, device.device_id, device.key), device.key
    )
    reply = await server.register(signed, token)
    assert (reply.status, reply.code) == (413, "too_large")
    assert await server.ctx.index.uploads.manifest(*_object(signed)) is None
    options = await server.send("OPTIONS", FILES)
    assert options.headers["Tus-Max-Size"] == "1000"


async def test_an_expired_upload_stops_counting_before_the_sweeper_runs(server):
    set_quota(server, uploads=1)
    dock = await Dock.signed_in(server)
    ready, waiting = await dock.registered(1000), await dock.registered(1000)
    assert (await server.create(ready.signed, dock.token)).status == 201
    server.clock.advance(server.ctx.config.upload_expiry_seconds + 1)
    assert (await server.create(waiting.signed, dock.token)).status == 201
    assert len(partial_files(server)) == 2, "the expired one waits for the sweeper"
    assert await sweep_expired(server.ctx) == 1
    assert len(partial_files(server)) == 1


async def test_an_expired_upload_holds_its_bytes_until_the_sweeper_removes_its_file(server):
    set_quota(server, reserved=1500)
    dock = await Dock.signed_in(server)
    ready, waiting = await dock.registered(1000), await dock.registered(1000)
    assert (await server.create(ready.signed, dock.token)).status == 201
    server.clock.advance(server.ctx.config.upload_expiry_seconds + 1)
    refused = await server.create(waiting.signed, dock.token)
    assert (refused.status, refused.code) == (429, "quota_exceeded")
    assert refused.json()["error"]["details"]["reserved_bytes"] == 1000
    assert len(partial_files(server)) == 1, "the expired one's disk is still taken"
    assert await sweep_expired(server.ctx) == 1
    assert (await server.create(waiting.signed, dock.token)).status == 201


async def test_creations_at_the_same_moment_cannot_pass_the_quota_together(server):
    set_quota(server, uploads=2)
    dock = await Dock.signed_in(server)
    ready = [await dock.registered(1000) for _ in range(6)]
    replies = await asyncio.gather(*(server.create(r.signed, dock.token) for r in ready))
    assert sorted(reply.status for reply in replies) == [201, 201, 429, 429, 429, 429]
    assert len(partial_files(server)) == 2
