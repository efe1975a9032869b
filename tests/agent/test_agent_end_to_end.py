"""The whole path: dock folder → agent → real ingest server → receipt. Real files made
with PyAV, a real server on loopback, the agent's own journal."""

import asyncio
import dataclasses
import hashlib
import json
import logging
import os
import socket
from datetime import datetime, timedelta, timezone

from agent.runner import agent_service
from agent.states import FileState
from agent.tus_client import TusClient
from devices.footage import write_audio
from devices.simulator import BodyCamera
from evidence.digest import CHUNK_SIZE
from evidence.errors import JournalError
from evidence.identifiers import DeviceId, Role
from ingest.access.devices import revoke_device
from ingest.http.server import running
from ingest.server_config import IngestConfig
from ingest.startup import open_server
from runtime.key_files import generate_key_pair
from tests.agent.conftest import (
    agent_config_for,
    all_in,
    by_hand,
    enrol,
    originals,
    running_agent,
    wait_for_rows,
)

CHINA = timezone(timedelta(hours=8))
START = datetime(2026, 3, 12, 9, 30, tzinfo=CHINA)


async def test_docked_clips_are_receipted_indexed_and_kept_on_the_dock(server, agent_config, rule):
    camera = BodyCamera(agent_config.watch[0])
    clips = [
        await asyncio.to_thread(
            camera.record,
            started_at=START,
            seconds=2,
            case_number="冀石执罚〔2026〕第0012号",
            place="石家庄市长安区中山东路12号",
            proves="查封现场物品清点",
        ),
        await asyncio.to_thread(
            camera.record,
            started_at=START + timedelta(minutes=5),
            seconds=2,
            case_number="冀石执罚〔2026〕第0012号",
            place="石家庄市长安区中山东路12号",
            proves="扣押物品装车",
        ),
    ]
    before = {clip.media: clip.media.read_bytes() for clip in clips}
    async with running_agent(agent_config, rule) as service:
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 2))
        await asyncio.sleep(3 * agent_config.rescan_seconds)  # rescans see the files again
        assert len(await service.journal.all_files()) == len(rows), "nothing is taken twice"
    assert all(row.safe_to_remove for row in originals(rows))
    proxies = [row for row in rows if row.role is Role.PROXY]
    assert [row.state for row in proxies] == [FileState.RECEIPTED] * 2, (
        "each clip got its review copy"
    )
    assert not any(row.path.exists() for row in proxies), "the agent's own copies go once receipted"
    assert {clip.media: clip.media.read_bytes() for clip in clips} == before, (
        "the agent never touches footage"
    )
    recordings = await server.ctx.services.recordings.find("冀石执罚〔2026〕第0012号")
    assert sorted(r["sha256"] for r in recordings) == sorted(
        hashlib.sha256(b).hexdigest() for b in before.values()
    )
    assert {r["officer_id"] for r in recordings} == {"130102001"}
    assert {r["started_at"] for r in recordings} == {"2026-03-12T01:30:00Z", "2026-03-12T01:35:00Z"}


async def test_a_file_without_a_sidecar_is_signed_with_the_configured_defaults(
    server, agent_config, rule
):
    write_audio(agent_config.watch[1] / "interview.wav", seconds=1, started_at=START)
    async with running_agent(agent_config, rule) as service:
        [row] = originals(await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1)))
    manifest = json.loads(row.manifest)
    assert manifest["capture"]["captured_by"]["officer_id"] == "130100000"
    assert manifest["capture"]["time_source"] == "file_mtime"
    assert manifest["case_number"] is None
    flags = await server.ctx.index.flags.open_for(row.evidence_id)
    assert [flag.kind for flag in flags] == ["metadata_incomplete"]


async def test_a_broken_sidecar_does_not_hold_back_the_footage(server, agent_config, rule):
    bay = agent_config.watch[0]
    (bay / "clip.json").write_text('{"officer_id": 42, "case_number": ')
    (bay / "clip.mp4").write_bytes(os.urandom(3000))
    async with running_agent(agent_config, rule) as service:
        [row] = originals(await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1)))
    assert json.loads(row.manifest)["capture"]["captured_by"]["officer_id"] == "130100000"


async def test_many_files_in_parallel_form_an_unbroken_chain(server, agent_config, rule):
    for n in range(6):
        (agent_config.watch[n % 2] / f"clip-{n}.mp4").write_bytes(os.urandom(1000 + n))
    async with running_agent(agent_config, rule) as service:
        rows = originals(await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 6)))
    sequences = sorted(json.loads(row.manifest)["chain"]["sequence"] for row in rows)
    assert sequences == [1, 2, 3, 4, 5, 6]
    assert await server.ctx.index.flags.open_flags("sequence_gap") == []
    assert await server.ctx.index.flags.open_flags("sequence_fork") == []


async def test_a_growing_file_is_taken_only_once_it_is_complete(server, agent_config, rule):
    camera = BodyCamera(agent_config.watch[0])
    async with running_agent(agent_config, rule) as service:
        clip = await asyncio.to_thread(
            camera.record, started_at=START, seconds=3, copy_block=8 * 1024, copy_pause=0.03
        )
        [row] = originals(await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1)))
    assert (
        json.loads(row.manifest)["file"]["sha256"]
        == hashlib.sha256(clip.media.read_bytes()).hexdigest()
    )


async def test_a_temporary_name_renamed_into_place_is_uploaded_once(server, agent_config, rule):
    bay = agent_config.watch[0]
    async with running_agent(agent_config, rule) as service:
        temporary = bay / "clip.mp4.part"
        temporary.write_bytes(os.urandom(4000))
        await asyncio.sleep(0.3)
        temporary.rename(bay / "clip.mp4")
        [row] = originals(await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1)))
    assert row.path.name == "clip.mp4"


async def test_a_crash_mid_upload_resumes_from_the_servers_offset(server, agent_config, rule):
    """Stop after the first of three chunks; a fresh agent carries on from there."""
    media = agent_config.watch[0] / "long.mp4"
    data = os.urandom(2 * CHUNK_SIZE + 1234)
    media.write_bytes(data)
    async with by_hand(agent_config, rule, media) as (pipeline, journal, row):
        for _ in range(3):  # fingerprint, sign, register
            row = await pipeline._step(row)
        assert row.state is FileState.REGISTERED
        row = await journal.move(row, FileState.UPLOADING, 0.0)
        tus = TusClient(pipeline.api)
        manifest = row.signed(rule).manifest
        url = await tus.create(
            manifest.size, {"evidence_id": str(manifest.evidence_id), "role": "original"}
        )
        await journal.set_upload_url(row, url)
        await tus.patch(url, 0, data[:CHUNK_SIZE], manifest.chunks[0].raw)
    # the agent dies here

    async with running_agent(agent_config, rule) as service:
        [row] = originals(await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1)))
    assert row.upload_url == url, "the same upload was resumed, not started again"
    assert [blob.read_bytes() for blob in server.stored_blobs()] == [data]


async def test_footage_waits_out_a_server_outage(tmp_path, rule):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ctx = await open_server(IngestConfig(data_dir=tmp_path / "server"), rule)
    config = agent_config_for(
        f"http://127.0.0.1:{port}", ctx.config.server_public_key_path, tmp_path
    )
    await enrol(ctx.index, config)
    for bay in config.watch:  # the agent creates no bay (issue 10)
        bay.mkdir(parents=True)
    (config.watch[0] / "clip.mp4").write_bytes(os.urandom(2000))
    try:
        async with running_agent(config, rule) as service:
            [row] = await wait_for_rows(
                service.journal, lambda rows: len(rows) == 1 and rows[0].attempts >= 2
            )
            assert row.state is FileState.SIGNED and row.error_code == "unavailable"
            async with running(ctx, "127.0.0.1", port):
                await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1))
    finally:
        await ctx.close()


async def test_a_revoked_device_keeps_its_footage_and_keeps_asking(server, agent_config, rule):
    await revoke_device(server.ctx.index.devices, DeviceId(agent_config.device_id))
    media = agent_config.watch[0] / "clip.mp4"
    media.write_bytes(os.urandom(2000))
    async with running_agent(agent_config, rule) as service:
        [row] = await wait_for_rows(
            service.journal, lambda rows: len(rows) == 1 and rows[0].attempts >= 2
        )
    assert row.state is FileState.SIGNED
    assert row.error_code == "device_revoked"
    assert not row.safe_to_remove and media.exists()


async def test_a_file_changed_after_signing_is_rejected_and_its_new_content_uploaded(
    server, agent_config, rule
):
    media = agent_config.watch[0] / "clip.mp4"
    media.write_bytes(os.urandom(5000))
    async with by_hand(agent_config, rule, media) as (pipeline, _journal, row):
        for _ in range(3):  # fingerprint, sign, register
            row = await pipeline._step(row)
    tampered = os.urandom(5000)
    media.write_bytes(tampered)  # same size, different bytes, after the manifest was signed

    async with running_agent(agent_config, rule) as service:
        rows = await wait_for_rows(
            service.journal,
            lambda rows: {r.state for r in rows} == {FileState.REJECTED, FileState.RECEIPTED},
        )
    rejected = next(r for r in rows if r.state is FileState.REJECTED)
    assert rejected.error_code == "source_changed"
    receipted = next(r for r in rows if r.state is FileState.RECEIPTED)
    assert json.loads(receipted.manifest)["file"]["sha256"] == hashlib.sha256(tampered).hexdigest()
    assert json.loads(receipted.manifest)["chain"]["sequence"] == 2


async def test_a_file_deleted_before_its_receipt_is_reported_as_vanished(
    server, agent_config, rule
):
    media = agent_config.watch[0] / "clip.mp4"
    media.write_bytes(os.urandom(5000))
    async with by_hand(agent_config, rule, media) as (pipeline, _journal, row):
        row = await pipeline._step(row)  # fingerprinted
        media.unlink()  # someone deletes footage from the dock
        row = await pipeline.advance(row)
    assert row.state is FileState.VANISHED


async def test_agent_run_once_finishes_when_everything_is_receipted(server, agent_config, rule):
    (agent_config.watch[0] / "a.mp4").write_bytes(os.urandom(100))
    async with agent_service(agent_config, rule) as service:
        await asyncio.wait_for(service.run(once=True), 30)
        rows = await service.journal.all_files()
    assert [row.state for row in rows] == [FileState.RECEIPTED]


async def test_a_receipt_under_the_wrong_server_key_does_not_free_the_footage(
    server, agent_config, rule, tmp_path
):
    impostor = tmp_path / "impostor.pem"
    generate_key_pair(impostor)
    config = dataclasses.replace(agent_config, server_public_key=impostor.with_suffix(".pub.pem"))
    (config.watch[0] / "a.mp4").write_bytes(os.urandom(100))
    async with running_agent(config, rule) as service:
        [row] = await wait_for_rows(
            service.journal, lambda rows: len(rows) == 1 and rows[0].attempts >= 2
        )
    assert row.state is FileState.UPLOADED
    assert row.error_code == "receipt_mismatch"
    assert not row.safe_to_remove


async def test_a_failing_round_of_a_loop_is_logged_and_the_agent_carries_on(
    server, agent_config, rule, caplog
):
    caplog.set_level(logging.ERROR, logger="agent.service")
    async with agent_service(agent_config, rule) as service:
        real_observe = service.journal.observe
        failures = {"left": 3}

        async def flaky_observe(*args, **kwargs):
            if failures["left"]:
                failures["left"] -= 1
                raise JournalError("the journal's disk is busy")
            return await real_observe(*args, **kwargs)

        service.journal.observe = flaky_observe  # a unit-level fault in an otherwise real agent
        task = asyncio.create_task(service.run())
        (agent_config.watch[0] / "a.mp4").write_bytes(os.urandom(100))
        await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1))
        service.stop()
        await asyncio.wait_for(task, 10)
    assert failures["left"] == 0
    assert "loop failed; trying again" in caplog.text
