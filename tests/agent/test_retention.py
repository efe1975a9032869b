"""Local retention (issue 10): with ``agent.purge_after_days`` set, a receipted original
and its receipted transcript leave the dock no sooner than that long after the receipt,
each purge journaled with the receipt's digest; never while the server cannot confirm the
receipt, never when it answers another one (an alarm), never another file at the same
path. Real clips, the real agent and server (stopped and started again), real files."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from agent.config import AgentConfig
from agent.journal import Journal
from agent.purge import Purger
from agent.retention import DAY
from agent.states import FileState
from devices.simulator import BodyCamera
from evidence.identifiers import Role
from evidence.receipt import SignedReceipt
from ingest.server_config import IngestConfig
from ingest.startup import open_server
from runtime.key_files import load_public_key
from tests.agent.conftest import (
    agent_config_for,
    all_in,
    enrol,
    originals,
    running_agent,
    wait_for_rows,
)
from tests.agent.test_refusals import free_port, ingest_server

CHINA = timezone(timedelta(hours=8))
START = datetime(2026, 3, 12, 9, 30, tzinfo=CHINA)
DELAY = 2.0  # seconds: the retention period of these tests


def _record(bay, seconds: float = 2):
    clip = BodyCamera(bay).record(started_at=START, seconds=seconds, place="石家庄")
    transcript = clip.media.with_suffix(".transcript.txt")
    transcript.write_text("问：你叫什么名字？\n答：张三。\n", encoding="utf-8")
    return clip, transcript


def purged(count: int):
    def ready(rows):
        return sum(1 for row in rows if row.purged_at is not None) >= count

    return ready


async def test_receipted_footage_and_its_transcript_leave_the_dock_after_the_delay_journaled(
    server, agent_config, rule
):
    config = dataclasses.replace(agent_config, purge_after_days=DELAY / DAY)
    clip, transcript = await asyncio.to_thread(_record, config.watch[0])
    sidecar = clip.media.with_name(clip.media.stem + ".json")
    assert sidecar.exists() or clip.media.with_name(clip.media.name + ".json").exists()
    async with running_agent(config, rule) as service:
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1))
        [original] = originals(rows)
        assert clip.media.exists() and transcript.exists(), "not sooner than the delay"
        rows = await wait_for_rows(service.journal, purged(2))
        purges = await service.journal.purges()
    [original] = originals(rows)
    copies = {row.role: row for row in rows if row.role is not Role.ORIGINAL}
    assert original.purged_at >= original.receipted_at + DELAY
    assert copies[Role.TRANSCRIPT].purged_at is not None
    assert copies[Role.PROXY].purged_at is None, "the agent's own copy went at its receipt"
    assert not clip.media.exists() and not transcript.exists()
    assert any(p.suffix == ".json" for p in config.watch[0].iterdir()), "the sidecar is not ours"
    by_file = {entry["file_id"]: entry for entry in purges}
    for row in (original, copies[Role.TRANSCRIPT]):
        entry = by_file[row.id]
        assert entry["path"] == str(row.path)
        assert entry["sha256"] == row.fingerprint.sha256.hex
        assert entry["receipt_sha256"] == hashlib.sha256(row.receipt).hexdigest()
    assert [blob.exists() for blob in server.stored_blobs()] == [True] * 3


@pytest.fixture
def sane(tmp_path) -> IngestConfig:
    return IngestConfig(data_dir=tmp_path / "server", port=0)


async def test_nothing_is_purged_while_the_server_cannot_confirm_the_receipt(
    tmp_path, sane, rule, caplog
):
    port = free_port()
    opened = await open_server(sane, rule)
    config = agent_config_for(f"http://127.0.0.1:{port}", sane.server_public_key_path, tmp_path)
    try:
        await enrol(opened.index, config)
    finally:
        await opened.index.close()
    for bay in config.watch:
        bay.mkdir(parents=True)
    config = replace(config, purge_after_days=DELAY / DAY, make_proxies=False)
    clip, transcript = await asyncio.to_thread(_record, config.watch[0])
    caplog.set_level(logging.WARNING)
    async with running_agent(config, rule) as service:
        async with ingest_server(sane, rule, port):
            rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1))
        await asyncio.sleep(DELAY + 4 * config.rescan_seconds)  # due, but no server
        rows = await service.journal.all_files()
        assert all(row.purged_at is None for row in rows)
        assert clip.media.exists() and transcript.exists()
        failed = [r.getMessage() for r in caplog.records if "purging failed" in r.getMessage()]
        assert len(failed) == 1 and "cannot connect to 127.0.0.1" in failed[0], failed
        async with ingest_server(sane, rule, port):
            await wait_for_rows(service.journal, purged(2))
    assert not clip.media.exists() and not transcript.exists()


async def test_another_receipt_from_the_server_is_an_alarm_and_nothing_is_purged(
    server, agent_config, rule, caplog
):
    config = dataclasses.replace(agent_config, make_proxies=False)
    clip, transcript = await asyncio.to_thread(_record, config.watch[0])
    async with running_agent(config, rule) as service:
        await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1))

    class Lying:
        async def finalize(self, evidence_id, role):
            stored = next(
                row for row in rows if row.evidence_id == evidence_id and row.role is role
            )
            receipt = SignedReceipt.parse(stored.receipt, stored.receipt_signature).receipt
            other = replace(receipt, received_at=receipt.received_at + timedelta(seconds=1))
            return SignedReceipt.create(other, server.ctx.server_key)  # valid, but not the same

    journal = Journal(config.journal_path)
    await journal.open()
    caplog.set_level(logging.ERROR, logger="agent.purge")
    try:
        rows = await journal.all_files()
        config = dataclasses.replace(config, purge_after_days=0.0)
        key = load_public_key(config.server_public_key)
        purger = Purger(config, journal, Lying(), key, rule, time.time)
        assert await purger.run_once() == 0
        assert await purger.run_once() == 0, "not tried again"
        rows = await journal.all_files()
        [original] = originals(rows)
    finally:
        await journal.close()
    assert original.error_code == "receipt_mismatch" and original.purged_at is None
    assert clip.media.exists() and transcript.exists()
    alarms = [r.getMessage() for r in caplog.records if "RECEIPT MISMATCH" in r.getMessage()]
    assert len(alarms) == 1 and str(clip.media) in alarms[0]


async def test_another_file_at_a_receipted_path_is_never_removed(server, agent_config, rule):
    config = dataclasses.replace(agent_config, make_proxies=False, purge_after_days=0.0)
    clip, _ = await asyncio.to_thread(_record, config.watch[0])
    async with running_agent(dataclasses.replace(config, purge_after_days=None), rule) as service:
        [row] = originals(await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1)))
    other = b"a new recording the dock copied to the same name"
    clip.media.write_bytes(other)
    async with running_agent(config, rule) as service:
        rows = await wait_for_rows(
            service.journal, lambda rows: any(r.id == row.id and r.purged_at for r in rows)
        )
    old = next(r for r in rows if r.id == row.id)
    assert clip.media.read_bytes() == other, "somebody else's file: never touched"
    notes = [note for _, _, _, note in await _events(config, old.id)]
    assert "not on the dock any more (or another file is at its path): nothing removed" in notes


async def _events(config: AgentConfig, file_id: int):
    journal = Journal(config.journal_path)
    await journal.open()
    try:
        return await journal.events(file_id)
    finally:
        await journal.close()
