"""The agent over a slow, fragmenting link (issue 8): every request body reaches the server
whole and every answer reaches the agent whole, so a real video and its review copy end
in receipts; a custodian's clip sent over the same link is matched."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

import aiohttp

from agent.server_api import ServerApi
from agent.states import FileState
from devices.footage import write_clip
from devices.sidecar import Sidecar, write_sidecar
from evidence.identifiers import DeviceId, Role
from evidence.receipt import Receipt
from evidence.wire import RECORDING_MATCH
from runtime.key_files import load_private_key
from tests.agent.conftest import all_in, originals, running_agent, wait_for_rows
from tests.builders import signed_for
from tests.fault_proxy import FaultProxy, Link
from tests.media.copies import cut

START = datetime(2026, 3, 12, 1, 30, tzinfo=UTC)
VIDEO = {"Content-Type": "video/mp4"}


async def test_the_agent_reads_whole_answers_through_a_slow_link(server, agent_config):
    """Sign-in and registration answers arrive 16 bytes at a time; the agent waits for all."""
    key = load_private_key(agent_config.key_path)
    signed = signed_for(b"footage" * 100, agent_config.device_id, key)
    slow_answers = Link(burst=16, pause=0.001)
    async with (
        FaultProxy(server.url, to_client=slow_answers) as proxy,
        aiohttp.ClientSession() as session,
    ):
        api = ServerApi(session, proxy.url, DeviceId(agent_config.device_id), key)
        answer = await api.register(signed)
    assert answer["manifest_sha256"] == signed.sha256.hex
    assert proxy.bytes_to_client > 16 * 20


async def test_the_agent_uploads_a_video_and_its_review_copy_through_a_slow_link(
    server, agent_config, rule, tmp_path
):
    source = tmp_path / "source.mp4"
    write_clip(source, seconds=8, started_at=START, width=320, height=240, hue=60)
    bay = agent_config.watch[0]
    write_sidecar(bay / "seizure.json", Sidecar(started_at=START, officer_id="130102001"))
    poor = Link(burst=512, pause=0.001)
    async with FaultProxy(server.url, to_server=poor, to_client=poor) as proxy:
        (bay / "seizure.mp4").write_bytes(source.read_bytes())
        async with running_agent(replace(agent_config, server_url=proxy.url), rule) as service:
            rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1), within=120)
        [original] = originals(rows)
        [copy] = [row for row in rows if row.role is Role.PROXY]
        assert copy.state is FileState.RECEIPTED, (copy.state, copy.error_code)
        for row in (original, copy):
            receipt = Receipt.parse(row.receipt)  # the agent checked its signature
            assert receipt.manifest_sha256 == row.signed(rule).sha256
            stored = await server.ctx.index.objects.get(row.evidence_id, row.role)
            kept = b"".join(server.ctx.store.read(stored.locator, 1024 * 1024))
            assert hashlib.sha256(kept).digest() == row.signed(rule).manifest.sha256.raw
        assert proxy.bytes_to_server > original.observation.size + copy.observation.size

        clip = tmp_path / "clip.mp4"
        cut(source, clip, 2.2, 6.2, height=120, bitrate=200_000)
        token = await server.add_user()
        path = RECORDING_MATCH.format(evidence_id=original.evidence_id)
        slow = replace(server, url=proxy.url)
        reply = await slow.send("POST", path, token=token, body=clip.read_bytes(), headers=VIDEO)
    assert reply.status == 200, reply.body
    assert reply.json()["verdict"] == "match"
    assert abs(reply.json()["recording_seconds"][0] - 2.2) <= 1
