"""A read may return fewer bytes than asked without the file being short (FUSE, NFS and
SMB dock mounts do). The agent reads on; only a file that really ends early is taken for
one that changed after signing."""

import asyncio
import os
from datetime import datetime, timedelta, timezone

import pytest

from agent.patch_body import read_at as _read_at
from agent.states import FileState
from devices.simulator import BodyCamera
from evidence.errors import SourceChanged
from tests.agent.conftest import all_in, by_hand, originals, running_agent, wait_for_rows

START = datetime(2026, 3, 12, 9, 30, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture
def short_reads(monkeypatch):
    """Every pread returns at most 1000 bytes, as a network mount may."""
    real = os.pread
    monkeypatch.setattr(os, "pread", lambda fd, size, offset: real(fd, min(size, 1000), offset))


def test_a_short_read_is_read_on_and_a_short_file_is_a_change(tmp_path, short_reads):
    path = tmp_path / "clip.mp4"
    data = os.urandom(5000)
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        assert _read_at(fd, 100, 4000) == data[100:4100]
        with pytest.raises(SourceChanged, match="at byte 5000"):
            _read_at(fd, 1000, 4001)
    finally:
        os.close(fd)


async def test_footage_on_a_mount_that_reads_short_is_receipted(
    server, agent_config, rule, short_reads
):
    camera = BodyCamera(agent_config.watch[0])
    clip = await asyncio.to_thread(camera.record, started_at=START, seconds=2)
    async with running_agent(agent_config, rule) as service:
        [row] = originals(await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1)))
    assert row.error_code is None
    assert clip.media.read_bytes() in [blob.read_bytes() for blob in server.stored_blobs()]


async def test_a_file_cut_short_after_signing_is_a_change(server, agent_config, rule):
    media = agent_config.watch[0] / "clip.mp4"
    media.write_bytes(os.urandom(5000))
    async with by_hand(agent_config, rule, media) as (pipeline, _journal, row):
        for _ in range(3):  # fingerprint, sign, register
            row = await pipeline._step(row)
        with open(media, "r+b") as cut:
            cut.truncate(3000)  # after the manifest was signed
        with pytest.raises(
            SourceChanged, match=r"shorter than when it was signed \(at byte 3000\)"
        ):
            await pipeline._step(row)  # the upload
    assert SourceChanged.code == "source_changed"
    assert media.stat().st_size == 3000, "the footage is left as it is"
