"""Several chunks per PATCH (``agent.patch_chunks``, issue 16 item 3): fewer PATCHes for the
same file and the same verified receipt; a connection cut inside a multi-chunk body costs
less than a chunk (the server keeps what arrived); a chunk changed after signing is named
by the server and read again by the agent; the bandwidth cap and the stall watch hold on
a body streamed from the file. Real server on loopback, the fault proxy in front of it
counting requests and body bytes by method as they reach the server, the real agent."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
from datetime import timedelta, timezone

import pytest

from agent.bandwidth import Timetable
from agent.config import AgentConfig
from agent.policy import UploadPolicy
from agent.states import FileState
from agent.tus_client import TusClient
from agent.uploader import upload_file
from evidence.digest import CHUNK_SIZE
from evidence.errors import ChunkMismatch, ConfigError, SourceChanged
from evidence.identifiers import Role
from tests.agent.conftest import all_in, by_hand, originals, running_agent, wait_for_rows
from tests.fault_proxy import FaultProxy

CHINA = timezone(timedelta(hours=8))
MIB = 1024 * 1024


async def _nothing(*_: object) -> None:
    pass


async def signed_and_registered(pipeline, row):
    for _ in range(3):  # fingerprint, sign, register
        row = await pipeline._step(row)
    return row


async def test_a_file_of_several_chunks_goes_in_fewer_patches_with_a_verified_receipt(
    server, agent_config, rule
):
    data = os.urandom(5 * CHUNK_SIZE + 777)  # six chunks: PATCHes of four and two
    async with FaultProxy(server.url) as proxy:
        config = dataclasses.replace(agent_config, server_url=proxy.url, patch_chunks=4)
        (config.watch[0] / "long.mp4").write_bytes(data)
        async with running_agent(config, rule) as service:
            [row] = originals(await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1)))
    assert proxy.http.requests["PATCH"] == 2  # one per chunk: 6
    assert proxy.http.body_bytes["PATCH"] == len(data)  # nothing sent twice
    assert proxy.http.answers[("PATCH", 204)] == 2
    assert row.receipt is not None and row.safe_to_remove  # verified under the pinned key
    stored = await server.ctx.index.objects.get(row.evidence_id, Role.ORIGINAL)
    kept = b"".join(server.ctx.store.read(stored.locator, MIB))
    assert hashlib.sha256(kept).digest() == hashlib.sha256(data).digest()


async def test_one_chunk_per_patch_is_still_there_for_who_wants_it(server, agent_config, rule):
    data = os.urandom(2 * CHUNK_SIZE + 99)
    async with FaultProxy(server.url) as proxy:
        config = dataclasses.replace(agent_config, server_url=proxy.url, patch_chunks=1)
        (config.watch[0] / "long.mp4").write_bytes(data)
        async with running_agent(config, rule) as service:
            await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1))
    assert proxy.http.requests["PATCH"] == 3
    assert proxy.http.body_bytes["PATCH"] == len(data)


def test_patch_chunks_must_be_from_1_to_1024():
    for wrong in (0, 1025):
        with pytest.raises(ConfigError, match=r"agent\.patch_chunks must be from 1 to 1024"):
            AgentConfig(patch_chunks=wrong)


async def test_a_connection_cut_inside_a_multi_chunk_patch_resends_less_than_a_chunk(
    server, agent_config, rule
):
    data = os.urandom(4 * CHUNK_SIZE + 4321)
    async with FaultProxy(server.url) as proxy:
        config = dataclasses.replace(agent_config, server_url=proxy.url, patch_chunks=8)
        # Sign-in, registration and creation are a few KiB: the cut lands in the one
        # PATCH's body, half-way through its third chunk.
        proxy.cut(after=2 * CHUNK_SIZE + CHUNK_SIZE // 2)
        (config.watch[0] / "long.mp4").write_bytes(data)
        async with running_agent(config, rule) as service:
            [row] = originals(await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1)))
    assert proxy.connections >= 2, "the cut happened"
    resent = proxy.http.body_bytes["PATCH"] - len(data)
    assert 0 <= resent < CHUNK_SIZE, f"{resent} bytes sent twice"
    # The cut body, the rest of its third chunk alone, then the last two chunks in one.
    assert proxy.http.requests["PATCH"] == 3
    stored = await server.ctx.index.objects.get(row.evidence_id, Role.ORIGINAL)
    assert b"".join(server.ctx.store.read(stored.locator, MIB)) == data


async def test_a_chunk_changed_in_the_middle_of_a_multi_chunk_patch_is_named(
    server, agent_config, rule
):
    media = agent_config.watch[0] / "long.mp4"
    media.write_bytes(os.urandom(4 * CHUNK_SIZE))
    config = dataclasses.replace(agent_config, patch_chunks=4)
    async with by_hand(config, rule, media) as (pipeline, _journal, row):
        row = await signed_and_registered(pipeline, row)
        with open(media, "r+b") as dock:  # chunk 2 changes after the manifest was signed
            dock.seek(2 * CHUNK_SIZE + 12345)
            dock.write(b"\x00" * 16)
        with pytest.raises(SourceChanged, match=r"chunk 2 of long.mp4 changed after it was signed"):
            await pipeline._step(row)  # the upload: one PATCH of four chunks
    upload = await server.ctx.index.uploads.live_upload(row.evidence_id, Role.ORIGINAL)
    # The server commits at each chunk boundary as the body comes (checkpoints): the two
    # chunks before the changed one are kept, nothing of it or after it.
    assert upload is not None and upload.offset == 2 * CHUNK_SIZE


async def test_a_file_cut_short_in_the_middle_of_a_multi_chunk_patch_is_a_change(
    server, agent_config, rule
):
    media = agent_config.watch[0] / "long.mp4"
    media.write_bytes(os.urandom(3 * CHUNK_SIZE))
    config = dataclasses.replace(agent_config, patch_chunks=4)
    async with by_hand(config, rule, media) as (pipeline, _journal, row):
        row = await signed_and_registered(pipeline, row)
        with open(media, "r+b") as dock:
            dock.truncate(CHUNK_SIZE + CHUNK_SIZE // 2)  # after the manifest was signed
        with pytest.raises(
            SourceChanged, match=rf"shorter than when it was signed \(at byte {12 * MIB}\)"
        ):
            await pipeline._step(row)  # the upload: the body stops where the file does
    assert media.stat().st_size == 12 * MIB, "the footage is left as it is"


async def test_a_refused_chunk_that_still_matches_the_file_is_sent_again(
    server, agent_config, rule, monkeypatch
):
    """The server names a chunk the file still holds as signed (garbled on the way): not
    the file's fault, so it is sent again, at most a few times in a row."""
    media = agent_config.watch[0] / "long.mp4"
    media.write_bytes(os.urandom(3 * CHUNK_SIZE))
    real = TusClient.patch_span
    refused: list[int] = []

    async def garbled_once(self, url, offset, file, size, sha256, on_sent=None):
        if not refused:
            refused.append(offset)
            raise ChunkMismatch("chunk 1 does not match the signed manifest", chunk=1)
        return await real(self, url, offset, file, size, sha256, on_sent)

    monkeypatch.setattr(TusClient, "patch_span", garbled_once)
    async with by_hand(agent_config, rule, media) as (pipeline, _journal, row):
        row = await signed_and_registered(pipeline, row)
        row = await pipeline._step(row)
    assert refused == [0]
    assert row.state is FileState.UPLOADED


async def test_the_cap_and_the_progress_hold_on_a_multi_chunk_body(server, agent_config, rule):
    media = agent_config.watch[0] / "capped.mp4"
    media.write_bytes(os.urandom(2 * CHUNK_SIZE + 4 * MIB))  # 20 MiB in one PATCH
    async with by_hand(agent_config, rule, media) as (pipeline, journal, row):
        row = await signed_and_registered(pipeline, row)
        policy = UploadPolicy(Timetable.parse("8M"), journal.controls, CHINA)
        tus = TusClient(pipeline.api, policy.throttle)
        manifest = row.signed(rule).manifest
        heard: list[tuple[int, bool]] = []

        async def progress(done: int, committed: bool) -> None:
            heard.append((done, committed))

        started = time.monotonic()
        await upload_file(tus, media, manifest, None, _nothing, progress, patch_chunks=4)
        took = time.monotonic() - started
    rate = manifest.size / took
    assert 0.8 * 8 * MIB <= rate <= 1.15 * 8 * MIB, f"{rate / MIB:.1f} MiB/s in {took:.2f} s"
    sent = [done for done, committed in heard if not committed]
    assert len(sent) == manifest.size // (64 * 1024)  # one per 64 KiB slice under a cap
    assert sent == sorted(sent) and sent[-1] == manifest.size
    assert [done for done, committed in heard if committed] == [0, manifest.size]


async def test_a_multi_chunk_body_that_stops_moving_is_given_up_and_resumed(
    server, agent_config, rule
):
    """The link freezes 1 MiB into a body of three chunks: the agent gives the body up
    after its request timeout; the server, whose body read timeout is shorter, keeps what
    arrived and frees the upload, and the resumed PATCHes send less than a chunk again."""
    await server.reconfigure(
        config=dataclasses.replace(server.ctx.config, body_read_timeout_seconds=1.0)
    )
    data = os.urandom(3 * CHUNK_SIZE)
    async with FaultProxy(server.url) as proxy:
        config = dataclasses.replace(
            agent_config, server_url=proxy.url, request_timeout_seconds=2.0, patch_chunks=8
        )
        proxy.freeze_after(MIB)
        (config.watch[0] / "long.mp4").write_bytes(data)
        async with running_agent(config, rule) as service:
            [row] = originals(
                await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1), within=60)
            )
    assert row.receipt is not None
    resent = proxy.http.body_bytes["PATCH"] - len(data)
    assert 0 <= resent < CHUNK_SIZE, f"{resent} bytes sent twice"
