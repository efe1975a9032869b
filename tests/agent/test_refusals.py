"""A manifest the agent signed and the server refused is held, never given up: the
footage stays, ``liuhen agent status`` shows the alarm, and the agent tries again once the
cause may be gone (on a slow schedule, when it restarts, when the server changes, when an
operator asks). Real server on loopback, restarted with another configuration; the real
agent; real footage."""

import asyncio
import dataclasses
import json
import os
import socket
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import ingest.http.app
from agent.config import AgentConfig
from agent.states import FileState
from agent.tus_client import TusClient
from devices.simulator import BodyCamera
from evidence.case_number import CaseNumberRule
from evidence.digest import CHUNK_SIZE
from evidence.errors import ChecksumMismatch
from evidence.identifiers import Role
from evidence.wire import HEALTH
from ingest.http.server import running
from ingest.server_config import IngestConfig
from ingest.startup import open_server
from liuhen.cli import main
from storage.records import UploadState
from tests.agent.conftest import (
    agent_config_for,
    by_hand,
    enrol,
    originals,
    running_agent,
    wait_for_rows,
)

CHINA = timezone(timedelta(hours=8))
START = datetime(2026, 3, 12, 9, 30, tzinfo=CHINA)
CASE = "冀石执罚〔2026〕第0012号"
# Between the size of an original's manifest (~1.7 KB) and its 4 s review copy's, which
# carries a fingerprint per second of both (~2.5 KB): the server refuses the copy's.
SMALL_MANIFESTS = 2048
# A server whose case-number rule knows only the plain form refuses 冀石执罚〔2026〕第0012号.
PLAIN_CASE_NUMBERS = CaseNumberRule([r"[A-Z0-9]{2,20}-(?P<year>\d{4})-(?P<serial>\d{1,8})"])
HOUR = 3600.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def ingest_server(
    config: IngestConfig, rule: CaseNumberRule, port: int
) -> AsyncIterator[None]:
    ctx = await open_server(config, rule)
    try:
        async with running(ctx, "127.0.0.1", port):
            yield
    finally:
        await ctx.close()


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def sane(tmp_path: Path) -> IngestConfig:
    return IngestConfig(data_dir=tmp_path / "server", port=0)


@pytest.fixture
async def dock(tmp_path: Path, sane: IngestConfig, rule, port) -> AgentConfig:
    """An agent enrolled with the server at ``port``, which is not running yet."""
    ctx = await open_server(sane, rule)
    config = agent_config_for(f"http://127.0.0.1:{port}", sane.server_public_key_path, tmp_path)
    try:
        await enrol(ctx.index, config)
    finally:
        await ctx.close()
    for bay in config.watch:
        bay.mkdir(parents=True)
    return config


def retrying_after(config: AgentConfig, seconds: float) -> AgentConfig:
    return dataclasses.replace(config, held_retry_seconds=seconds, held_retry_cap_seconds=seconds)


def record(bay: Path, seconds: float = 2) -> Path:
    return (
        BodyCamera(bay)
        .record(started_at=START, seconds=seconds, case_number=CASE, place="石家庄市长安区")
        .media
    )


async def cli(capsys, config: AgentConfig, *args: str) -> tuple[int, str, str]:
    """Run ``liuhen`` with the agent's configuration, as an operator on the dock would."""
    toml = config.data_dir.parent / "dock.toml"
    watch = json.dumps([str(bay) for bay in config.watch], ensure_ascii=False)
    toml.write_text(
        f'[agent]\ndevice_id = "{config.device_id}"\nserver_url = "{config.server_url}"\n'
        f'data_dir = "{config.data_dir}"\nserver_public_key = "{config.server_public_key}"\n'
        f"watch = {watch}\nsettle_seconds = {config.settle_seconds}\n"
        f"quiet_seconds = {config.quiet_seconds}\nrescan_seconds = {config.rescan_seconds}\n"
        f"held_retry_seconds = {config.held_retry_seconds}\n"
        f"held_retry_cap_seconds = {config.held_retry_cap_seconds}\n"
    )
    capsys.readouterr()
    code = await asyncio.to_thread(main, ["--config", str(toml), "--log-level", "ERROR", *args])
    out, err = capsys.readouterr()
    return code, out, err


def held(count: int, role: Role = Role.ORIGINAL):
    def ready(rows):
        return sum(1 for r in rows if r.role is role and r.state is FileState.HELD) >= count

    return ready


def all_receipted(count: int):
    """``count`` rows receipted, and the agent done with them: an original is marked safe
    to remove in the transaction after its last copy's receipt, so wait for that too."""

    def ready(rows):
        done = all(r.safe_to_remove for r in rows if r.role is Role.ORIGINAL)
        return len(rows) >= count and all(r.state is FileState.RECEIPTED for r in rows) and done

    return ready


async def test_a_refused_review_copy_is_held_shown_and_receipted_once_the_server_is_fixed(
    dock, sane, rule, port, capsys
):
    """The field case: the server refused the review copy's manifest (there, a slow link
    cut it short); the agent gave up on it for ever. Now it holds it and tries again."""
    config = retrying_after(dock, 5.0)
    media = await asyncio.to_thread(record, config.watch[0], 4)
    before = media.read_bytes()
    strict = dataclasses.replace(sane, max_manifest_bytes=SMALL_MANIFESTS)
    async with running_agent(config, rule) as service:
        async with ingest_server(strict, rule, port):
            rows = await wait_for_rows(service.journal, held(1, Role.PROXY))
            code, out, _ = await cli(capsys, config, "agent", "status")
        [original] = originals(rows)
        [copy] = [r for r in rows if r.role is Role.PROXY]
        assert original.state is FileState.RECEIPTED and not original.safe_to_remove
        assert len(original.manifest) < SMALL_MANIFESTS < len(copy.manifest)
        assert (copy.error_code, copy.refusals) == ("too_large", 1)
        assert code == 0
        lines = out.splitlines()
        assert lines[0] == "1 file held: the server refused it — see below"
        assert f"HELD     file {copy.id}  {copy.path} (proxy)" in lines
        assert f"refused [too_large] {copy.error_message}" in out
        assert "first refused " in out and ", once; next try " in out
        assert "next try " in out and f"liuhen agent retry {copy.id}" in out
        signed = copy.manifest

        async with ingest_server(sane, rule, port):  # the cause is gone; nobody does a thing
            rows = await wait_for_rows(service.journal, all_receipted(2))
    [original] = originals(rows)
    [copy] = [r for r in rows if r.role is Role.PROXY]
    assert copy.manifest == signed, "the same signed bytes, never signed again"
    assert original.safe_to_remove
    assert media.read_bytes() == before, "the footage never left the dock"
    code, out, _ = await cli(capsys, config, "agent", "status")
    assert code == 0 and "see below" not in out


async def test_held_files_are_tried_at_once_when_the_server_is_upgraded(
    dock, sane, rule, port, capsys, monkeypatch
):
    config = retrying_after(dock, HOUR)
    media = await asyncio.to_thread(record, config.watch[0])
    async with running_agent(config, rule) as service:
        async with ingest_server(sane, PLAIN_CASE_NUMBERS, port):
            [row] = await wait_for_rows(service.journal, held(1))
            assert row.error_code == "bad_case_number"
            assert row.next_attempt_at > time.time() + HOUR / 4
        monkeypatch.setattr(ingest.http.app, "SOFTWARE", "liuhen-ingest/99.0.0")
        async with ingest_server(sane, rule, port):
            [row] = originals(await wait_for_rows(service.journal, all_receipted(2)))
            health = await service.pipeline.api.send("GET", HEALTH, authenticated=False)
    assert health.json()["software"] == "liuhen-ingest/99.0.0"
    assert json.loads(row.manifest)["chain"]["sequence"] == 1
    assert row.path == media and media.exists()
    events = [note for _, _, _, note in await _events(config, row.id)]
    assert any(note and note.startswith("tried again: the server changed") for note in events)


async def test_an_operator_tries_held_files_again_with_agent_retry(dock, sane, rule, port, capsys):
    config = retrying_after(dock, HOUR)
    first = await asyncio.to_thread(record, config.watch[0])
    second = await asyncio.to_thread(record, config.watch[1], 3)  # other bytes: other footage
    async with running_agent(config, rule) as service:
        async with ingest_server(sane, PLAIN_CASE_NUMBERS, port):
            rows = await wait_for_rows(service.journal, held(2))
            code, out, _ = await cli(capsys, config, "agent", "status")
            assert code == 0
            assert out.splitlines()[0] == "2 files held: the server refused them — see below"
        by_path = {row.path: row for row in rows}
        code, _, err = await cli(capsys, config, "agent", "retry", "9999")
        assert code == 2 and "not_found" in err
        code, _, err = await cli(capsys, config, "agent", "retry")
        assert code == 2 and "bad_request" in err

        async with ingest_server(sane, rule, port):
            code, out, _ = await cli(capsys, config, "agent", "retry", str(by_path[first].id))
            assert (code, out) == (0, "1 held file(s) will be tried again now\n")
            await wait_for_rows(
                service.journal,
                lambda rows: (
                    {r.path: r.state for r in originals(rows)}
                    == {first: FileState.RECEIPTED, second: FileState.HELD}
                ),
            )
            code, out, _ = await cli(capsys, config, "agent", "retry", "--all")
            assert (code, out) == (0, "1 held file(s) will be tried again now\n")
            await wait_for_rows(service.journal, all_receipted(4))


async def test_agent_run_once_ends_and_says_so_when_files_are_held(dock, sane, rule, port, capsys):
    await asyncio.to_thread(record, dock.watch[0])
    async with ingest_server(sane, PLAIN_CASE_NUMBERS, port):
        code, _, err = await cli(
            capsys, retrying_after(dock, HOUR), "agent", "run", "--once", "--timeout", "60"
        )
    assert code == 1
    assert "1 file(s) held; see 'liuhen agent status'" in err


async def test_bytes_the_server_refused_at_finalize_are_checked_and_sent_again_afresh(
    server, agent_config, rule
):
    """The server's copy of a chunk went bad after it was acknowledged, so finalize refuses
    the upload. The file on the dock is still what was signed: a new upload, same manifest."""
    config = retrying_after(agent_config, 0.2)
    media = config.watch[0] / "long.mp4"
    data = os.urandom(2 * CHUNK_SIZE + 1234)
    media.write_bytes(data)
    async with by_hand(config, rule, media) as (pipeline, journal, row):
        for _ in range(3):  # fingerprint, sign, register
            row = await pipeline._step(row)
        row = await journal.move(row, FileState.UPLOADING, 0.0)
        manifest = row.signed(rule).manifest
        tus = TusClient(pipeline.api)
        first_url = await tus.create(
            manifest.size, {"evidence_id": str(manifest.evidence_id), "role": "original"}
        )
        await journal.set_upload_url(row, first_url)
        await tus.patch(first_url, 0, data[:CHUNK_SIZE], manifest.chunks[0].raw)
    upload_id = first_url.rstrip("/").rsplit("/", 1)[1]
    with open(server.ctx.area.path(upload_id), "r+b") as partial:  # the server's disk
        partial.write(os.urandom(4096))
    server.ctx.open_uploads.pop(upload_id, None)  # as after a server restart

    async with running_agent(config, rule) as service:
        [row] = originals(await wait_for_rows(service.journal, all_receipted(1)))
    notes = [(to, note) for _, _, to, note in await _events(config, row.id)]
    assert ("held", "digest_mismatch") in notes
    assert row.refusals == 1 and row.upload_url != first_url, "a new upload"
    assert [blob.read_bytes() for blob in server.stored_blobs()] == [data]
    stored = await server.ctx.index.uploads.manifest(row.evidence_id, Role.ORIGINAL)
    assert stored.body == row.manifest


async def test_a_held_file_altered_on_the_dock_is_an_alarm_and_its_new_content_is_taken(
    dock, sane, rule, port, capsys
):
    config = retrying_after(dock, HOUR)
    media = await asyncio.to_thread(record, config.watch[0])
    async with (
        ingest_server(sane, PLAIN_CASE_NUMBERS, port),
        running_agent(config, rule) as service,
    ):
        [row] = await wait_for_rows(service.journal, held(1))
    altered = os.urandom(media.stat().st_size)
    media.write_bytes(altered)  # while the agent was stopped

    async with ingest_server(sane, rule, port), running_agent(config, rule) as service:
        rows = await wait_for_rows(
            service.journal,
            lambda rows: (
                {r.state for r in originals(rows)} == {FileState.REJECTED, FileState.RECEIPTED}
            ),
        )
    old = next(r for r in rows if r.id == row.id)
    new = next(r for r in originals(rows) if r.state is FileState.RECEIPTED)
    assert old.state is FileState.REJECTED and old.error_code == "source_changed"
    assert "changed on the dock after it was signed" in old.error_message
    assert old.manifest == row.manifest, "the signed manifest is kept"
    assert json.loads(new.manifest)["chain"]["sequence"] == 2
    assert media.read_bytes() == altered
    code, out, _ = await cli(capsys, config, "agent", "status")
    assert code == 0
    assert out.splitlines()[0].startswith("1 file altered on the dock after signing")
    assert f"ALTERED  file {old.id}  {media}" in out


async def test_a_copy_that_cannot_be_made_is_retried_with_backoff_then_given_up(
    server, agent_config, rule
):
    """A review copy that fails to transcode ended in a refused move (ready → rejected
    was no edge), so its pipeline crashed and was started again at once, for ever. Then it
    was held and tried again for ever, keeping its original from being safe to remove.
    Now it backs off, and gives up after agent.derivation_attempts (issue 10)."""
    config = dataclasses.replace(agent_config, make_proxies=False, derivation_attempts=3)
    media = config.watch[0] / "clip.mp4"
    media.write_bytes(os.urandom(3000))
    async with by_hand(config, rule, media) as (pipeline, journal, original):
        copy = await journal.add_derived(original, Role.PROXY, config.proxy_path("x"), 1.0)
        for failures in (1, 2):
            copy = await pipeline.advance(copy)
            assert (copy.state, copy.error_code) == (FileState.READY, "derivation_failed")
            assert copy.attempts == failures and copy.refusals == 0
            assert copy.next_attempt_at <= time.time() + config.retry_cap_seconds
        copy = await pipeline.advance(copy)
        assert copy.state is FileState.UNMADE
        assert copy.error_code == "derivation_failed" and copy.refusals == 3
        assert copy.reported == "unsupported", "this server has no endpoint to hear it yet"
        notes = [note for _, _, _, note in await journal.events(copy.id)]
        assert notes[-1] == "given up after 3 attempts"


async def test_thousands_of_failures_in_a_row_keep_the_backoff_at_its_cap(
    server, agent_config, rule
):
    """After a few days of outage the doubling overflowed a float: every attempt crashed
    before it was postponed, so the file was tried again at once, for ever."""
    config = dataclasses.replace(agent_config, server_url=f"http://127.0.0.1:{free_port()}")
    media = config.watch[0] / "clip.mp4"
    media.write_bytes(os.urandom(3000))
    async with by_hand(config, rule, media) as (pipeline, journal, row):
        for _ in range(2):  # fingerprint, sign
            row = await pipeline._step(row)
        with sqlite3.connect(config.journal_path) as conn:
            conn.execute("UPDATE files SET attempts = 5000 WHERE id = ?", (row.id,))
        before = time.time()
        row = await pipeline.advance(await journal.get(row.id))
    assert (row.state, row.error_code, row.attempts) == (FileState.SIGNED, "unavailable", 5001)
    cap = config.retry_cap_seconds
    # Full jitter (issue 10): anywhere up to the cap, never past it.
    assert before <= row.next_attempt_at <= time.time() + cap


async def _events(config: AgentConfig, file_id: int):
    from agent.journal import Journal

    journal = Journal(config.journal_path)
    await journal.open()
    try:
        return await journal.events(file_id)
    finally:
        await journal.close()


async def test_a_file_refused_during_its_upload_is_sent_again_in_a_new_upload(
    server, agent_config, rule
):
    """A refusal during a PATCH leaves the server's upload open, holding what it took;
    a creation would hand that same upload back. The agent ends it first (tus termination)."""
    config = retrying_after(agent_config, 0.2)
    media = config.watch[0] / "long.mp4"
    data = os.urandom(2 * CHUNK_SIZE + 1234)
    media.write_bytes(data)
    async with by_hand(config, rule, media) as (pipeline, journal, row):
        for _ in range(3):  # fingerprint, sign, register
            row = await pipeline._step(row)
        row = await journal.move(row, FileState.UPLOADING, 0.0)
        manifest = row.signed(rule).manifest
        first_url = await pipeline.tus.create(
            manifest.size, {"evidence_id": str(manifest.evidence_id), "role": "original"}
        )
        await journal.set_upload_url(row, first_url)
        row = await journal.get(row.id)
        await pipeline.tus.patch(first_url, 0, data[:CHUNK_SIZE], manifest.chunks[0].raw)
        await pipeline.setbacks.hold(row, ChecksumMismatch("refused during a PATCH"))
    first_id = first_url.rstrip("/").rsplit("/", 1)[1]

    async with running_agent(config, rule) as service:
        [row] = originals(await wait_for_rows(service.journal, all_receipted(1)))
    assert row.upload_url != first_url, "a new upload"
    first = await server.ctx.index.uploads.upload(first_id)
    assert first.state is UploadState.TERMINATED
    assert not server.ctx.area.path(first_id).exists()
    assert [blob.read_bytes() for blob in server.stored_blobs()] == [data]
