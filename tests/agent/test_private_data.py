"""Under a permissive umask, every directory and file under the server's and the agent's
data directories is for the service user alone (0700, 0600, stored originals 0400); data
directories left open by an earlier version are tightened at start, and the log says
what changed. Real server, real agent, real footage."""

import asyncio
import logging
import os
import stat
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from agent.media.profiles import load_profiles
from agent.media.proxy import make_proxy
from agent.states import FileState
from devices.footage import write_clip
from devices.simulator import BodyCamera
from evidence.private_files import secure_data_dir
from evidence.wire import RECORDING_MATCH
from ingest.app import open_context
from liuhen.cli import main
from tests.agent.conftest import all_in, originals, running_agent, wait_for_rows
from tests.ingest.helpers import created, prepared, sha256

START = datetime(2026, 3, 12, 9, 30, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """Every file the test makes, Liuhen's included, would be world-writable by default."""
    before = os.umask(0o000)
    try:
        yield
    finally:
        os.umask(before)


def modes(root: Path) -> dict[Path, int]:
    """Every path under ``root`` (and ``root`` itself) with its permission bits."""
    found = {root: stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[path] = stat.S_IMODE(path.lstat().st_mode)
    return found


def assert_private(root: Path) -> dict[Path, int]:
    found = modes(root)
    loose = {str(path): oct(mode) for path, mode in found.items() if mode & 0o077}
    assert not loose, f"open to other users: {loose}"
    for path, mode in found.items():
        expected = 0o700 if path.is_dir() else (0o400 if "sha256" in path.parts else 0o600)
        assert mode == expected, (path, oct(mode))
    return found


async def test_a_fresh_server_and_agent_keep_everything_private(
    server, agent_config, rule, tmp_path
):
    camera = BodyCamera(agent_config.watch[0])
    await asyncio.to_thread(camera.record, started_at=START, seconds=2)
    async with running_agent(agent_config, rule) as service:
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1), within=60)
        held = assert_private(agent_config.data_dir)  # the journal open, its WAL beside it
    assert {"device.pem", "device.pub.pem", "journal.sqlite3", "journal.sqlite3-wal"} <= {
        path.name for path in held
    }
    assert any(path.name == "derived" for path in held)
    # a partial upload held open, and a clip sent to be matched (the server's scratch)
    ready = await prepared(server)
    url = await created(server, ready)
    part = ready.data[: 64 * 1024]
    assert (await server.patch(url, 0, part, ready.token, checksum=sha256(part))).status == 204
    token = await server.add_user()
    path = RECORDING_MATCH.format(evidence_id=originals(rows)[0].evidence_id)
    await server.send("POST", path, token=token, body=os.urandom(1000))

    held = assert_private(server.ctx.config.data_dir)
    names = {path.name for path in held}
    for name in ("server.pem", "server.pub.pem", "index.sqlite3", "index.sqlite3-wal"):
        assert name in names
    assert any(path.suffix == ".part" for path in held)
    assert any("sha256" in path.parts and path.is_file() for path in held)


def test_a_review_copy_being_made_is_private(tmp_path):
    source = tmp_path / "clip.mp4"
    write_clip(source, seconds=1, started_at=START, width=160, height=120)
    target = tmp_path / "agent" / "derived" / "e-1" / "review.mp4"
    make_proxy(source, target, load_profiles()["review-720p"])
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "agent").stat().st_mode) == 0o700


def test_generated_keys_are_private(tmp_path, capsys):
    config = tmp_path / "liuhen.toml"
    config.write_text(f'[agent]\ndata_dir = "{tmp_path / "agent"}"\n')
    assert main(["--config", str(config), "keys", "generate", "--device"]) == 0
    assert_private(tmp_path / "agent")


def loosen(root: Path) -> None:
    """Leave ``root`` as an earlier version left it under umask 022."""
    for path in [root, *root.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)
        elif "sha256" in path.parts:
            path.chmod(0o444)
        else:
            path.chmod(0o644)


async def test_a_data_directory_left_open_is_tightened_at_start_and_logged(
    server, agent_config, rule, caplog
):
    (agent_config.watch[0] / "clip.mp4").write_bytes(os.urandom(3000))
    async with running_agent(agent_config, rule) as service:
        await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1))
    data_dir = server.ctx.config.data_dir
    loosen(data_dir)
    loosen(agent_config.data_dir)
    assert modes(data_dir)[data_dir] == 0o755
    caplog.set_level(logging.WARNING, logger="evidence.private_files")

    reopened = await open_context(server.ctx.config, rule)
    await reopened.index.close()
    assert_private(data_dir)
    said = [record.getMessage() for record in caplog.records]
    assert any(f"data directory {data_dir.resolve()} was open" in line for line in said)
    assert any("file(s) private, 0444 -> 0400" in line for line in said)  # stored originals
    assert any("directory(s) private, 0755 -> 0700" in line for line in said)

    async with running_agent(agent_config, rule):
        pass
    assert_private(agent_config.data_dir)


def test_a_private_data_directory_is_not_walked(tmp_path, caplog):
    root = tmp_path / "server"
    secure_data_dir(root)
    inner = root / "left.txt"
    inner.write_bytes(b"x")  # 0666 under this umask, but nobody else can reach it
    caplog.set_level(logging.WARNING, logger="evidence.private_files")
    secure_data_dir(root)
    assert not caplog.records and stat.S_IMODE(root.stat().st_mode) == 0o700


async def test_a_clip_sent_to_be_matched_is_written_private(server, monkeypatch):
    """The scratch folder is private already; the clip itself is made 0600 all the same."""
    seen = {}

    async def match_recording(ctx, evidence_id, clip):
        seen["mode"] = stat.S_IMODE(clip.stat().st_mode)
        return {"verdict": "no_match"}

    monkeypatch.setattr("ingest.handlers_media.match_recording", match_recording)
    token = await server.add_user()
    path = RECORDING_MATCH.format(evidence_id="0b7f4f9e-3c1a-4d2e-9a55-1f2e3d4c5b6a")
    headers = {"Content-Type": "video/mp4"}
    reply = await server.send("POST", path, token=token, body=os.urandom(1000), headers=headers)
    assert reply.status == 200, reply.body
    assert seen == {"mode": 0o600}
