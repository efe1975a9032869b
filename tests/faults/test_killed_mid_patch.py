"""The real server (``liuhen ingest serve``, its own process) killed with SIGKILL while it
takes one PATCH of several chunks: it comes back with the offset committed at the last
chunk boundary the body had passed (at most one chunk behind what it had received), and
the upload resumes from there to a receipt that verifies."""

from __future__ import annotations

import base64
import os
import signal
from pathlib import Path

import aiohttp

from evidence.receipt import SignedReceipt
from evidence.wire import FINALIZE
from liuhen.faults.site import DEVICE_ID, Site
from runtime.key_files import load_private_key
from tests.builders import signed_for
from tests.conftest import Clock, Device, Server
from tests.ingest.helpers import committed, half_sent, offset_reaches

CHUNK = 1024 * 1024


def client(site: Site, http: aiohttp.ClientSession) -> Server:
    """The tests' HTTP client, aimed at the server process (nothing of it in this one)."""
    return Server(None, site.server_url, Clock(), site.root, http)  # type: ignore[arg-type]


async def test_a_server_killed_mid_patch_keeps_the_chunks_it_had_committed(tmp_path: Path):
    async with Site(tmp_path) as site, aiohttp.ClientSession() as http:
        await site.start_server()
        config = site.agent_config
        key = load_private_key(config.key_path)
        device = Device(DEVICE_ID, key, config.key_path, config.public_key_path)
        server = client(site, http)
        token = await server.token_for(device)
        data = os.urandom(6 * CHUNK + 777)
        signed = signed_for(data, DEVICE_ID, key, chunk_size=CHUNK)
        assert (await server.register(signed, token)).status == 201
        location = (await server.create(signed, token)).headers["Location"]
        path = location.split("/files/", 1)[1]
        arrived = 3 * CHUNK + CHUNK // 2
        _, writer = await half_sent(location, token, data[:arrived], len(data))
        await offset_reaches(server, location, token, 3 * CHUNK)
        assert await site.kill_server() == -signal.SIGKILL
        writer.close()

        await site.start_server()
        server = client(site, http)
        url = f"{site.server_url}/files/{path}"
        assert await committed(server, url, token) == (3 * CHUNK, False)
        rest = await server.patch(url, 3 * CHUNK, data[3 * CHUNK :], token)
        assert rest.status == 204, rest.body
        manifest = signed.manifest
        finalize = FINALIZE.format(evidence_id=manifest.evidence_id, role=manifest.role.value)
        body = (await server.send("POST", finalize, token=token)).json()
    receipt = SignedReceipt.parse(
        base64.b64decode(body["receipt"]), base64.b64decode(body["signature"])
    )
    receipt.verify(site.server_key)
    receipt.check_covers(signed)
