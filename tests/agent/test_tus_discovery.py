"""The agent reads the server's tus OPTIONS before uploading and sends nothing to a server
that does not offer checksums with sha256: without them the per-chunk check would silently
vanish (issue 8). The footage stays, the error is logged, and the upload is tried again."""

from __future__ import annotations

import asyncio
import logging

import pytest

from agent.states import FileState
from agent.tus_client import missing_support
from devices.footage import write_audio
from evidence.identifiers import Role
from evidence.tus_wire import CHECKSUM_ALGORITHMS, EXTENSIONS, TUS_VERSION
from tests.agent.conftest import all_in, originals, running_agent, wait_for_rows
from tests.agent.test_slow_link_agent import START


def refused(rows) -> bool:
    return any(row.error_code == "checksum_unsupported" for row in originals(rows))


@pytest.mark.parametrize(
    ("extensions", "algorithms"),
    [
        (tuple(e for e in EXTENSIONS if e != "checksum"), CHECKSUM_ALGORITHMS),
        (EXTENSIONS, ("sha1",)),
    ],
    ids=["no-checksum-extension", "no-sha256"],
)
async def test_the_agent_uploads_nothing_to_a_server_without_sha256_checksums(
    server, agent_config, rule, monkeypatch, caplog, extensions, algorithms
):
    monkeypatch.setattr("ingest.uploads.rules.EXTENSIONS", extensions)
    monkeypatch.setattr("ingest.uploads.rules.CHECKSUM_ALGORITHMS", algorithms)
    footage = agent_config.watch[0] / "talk.wav"
    write_audio(footage, seconds=1, started_at=START)
    caplog.set_level(logging.ERROR, logger="agent.tus_client")
    async with running_agent(agent_config, rule) as service:
        [row] = originals(await wait_for_rows(service.journal, refused, within=30))
        assert row.state in (FileState.REGISTERED, FileState.UPLOADING)
        assert "does not offer" in (row.error_message or "")
        assert await server.ctx.index.uploads.live_upload(row.evidence_id, Role.ORIGINAL) is None
        assert footage.exists()
        assert any("does not offer" in record.getMessage() for record in caplog.records)

        monkeypatch.undo()  # the server is fixed: the same agent goes on to a receipt
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1), within=30)
    assert originals(rows)[0].evidence_id == row.evidence_id
    assert await server.ctx.index.objects.get(row.evidence_id, Role.ORIGINAL) is not None


def test_what_an_options_answer_must_offer():
    full = {
        "Tus-Version": f"{TUS_VERSION}",
        "Tus-Extension": ",".join(EXTENSIONS),
        "Tus-Checksum-Algorithm": "sha1, SHA256",
    }
    assert missing_support(full) == []
    assert missing_support({}) == [
        f"Tus-Version: {TUS_VERSION}",
        "Tus-Extension: creation",
        "Tus-Extension: checksum",
        "Tus-Checksum-Algorithm: sha256",
    ]
    assert missing_support({**full, "Tus-Extension": "creation,termination"}) == [
        "Tus-Extension: checksum"
    ]


async def test_a_server_that_changes_is_asked_its_options_again(
    server, agent_config, rule, monkeypatch
):
    """The agent checked the server once; then /healthz names other software, which no
    longer offers checksums: nothing more is uploaded to it."""
    first = agent_config.watch[0] / "first.wav"
    write_audio(first, seconds=1, started_at=START)
    async with running_agent(agent_config, rule) as service:
        await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1), within=30)
        monkeypatch.setattr("ingest.uploads.rules.EXTENSIONS", ("creation", "termination"))
        monkeypatch.setattr("ingest.http.app.SOFTWARE", "liuhen-ingest/other")
        await asyncio.sleep(3 * agent_config.rescan_seconds)  # the server loop sees it
        second = agent_config.watch[0] / "second.wav"  # other bytes: the same would be a duplicate
        write_audio(second, seconds=1, started_at=START, pitch=440.0)
        rows = await wait_for_rows(service.journal, refused, within=30)
    [second] = [row for row in originals(rows) if row.path.name == "second.wav"]
    assert second.error_code == "checksum_unsupported"
    assert await server.ctx.index.objects.get(second.evidence_id, Role.ORIGINAL) is None
