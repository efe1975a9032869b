"""A clean stop on SIGTERM (issue 10): ``liuhen agent run`` as its own process, stopped
in the middle of an upload, exits 0 at once with a consistent journal; started again, it
finishes, and every file is receipted exactly once. Before, SIGTERM killed it where it
stood (exit -15). The real agent command, a real server behind a slow link, real footage."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from agent.config import AgentConfig
from agent.journal import FileRow, Journal
from agent.states import FileState
from devices.simulator import BodyCamera
from evidence.digest import CHUNK_SIZE
from evidence.identifiers import Role
from tests.fault_proxy import FaultProxy, Link

CHINA = timezone(timedelta(hours=8))
START = datetime(2026, 3, 12, 9, 30, tzinfo=CHINA)
ROOT = Path(__file__).parent.parent.parent
# About 2.5 MB/s towards the server: a 4-chunk file takes a dozen seconds.
SLOW = Link(burst=64 * 1024, pause=0.025)


def agent_toml(config: AgentConfig, path: Path) -> Path:
    watch = json.dumps([str(bay) for bay in config.watch], ensure_ascii=False)
    path.write_text(
        f'[agent]\ndevice_id = "{config.device_id}"\nserver_url = "{config.server_url}"\n'
        f'data_dir = "{config.data_dir}"\nserver_public_key = "{config.server_public_key}"\n'
        f"watch = {watch}\nsettle_seconds = {config.settle_seconds}\n"
        f"quiet_seconds = {config.quiet_seconds}\nrescan_seconds = {config.rescan_seconds}\n"
        f"retry_base_seconds = {config.retry_base_seconds}\n"
        f"retry_cap_seconds = {config.retry_cap_seconds}\n"
        f"broken_grace_seconds = {config.broken_grace_seconds}\n"
        f'bandwidth = "{config.bandwidth}"\n'
        '[logging]\nlevel = "INFO"\n',
        encoding="utf-8",
    )
    return path


def start_agent(toml: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "liuhen.cli", "--config", str(toml), "agent", "run", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _moved(row: FileRow) -> float:
    """How far the upload is: committed, or sent in a PATCH of several chunks not yet
    answered (the body of one may be the whole file)."""
    return max(row.upload_offset, row.progress.done if row.progress is not None else 0)


async def uploading(config: AgentConfig, within: float = 60.0) -> None:
    """Wait until the big file is part way through its upload."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if config.journal_path.exists():
            journal = Journal(config.journal_path)
            await journal.open()
            try:
                rows = await journal.in_state(FileState.UPLOADING)
            finally:
                await journal.close()
            if any(
                0 < _moved(row) < (row.fingerprint.size if row.fingerprint else 0) for row in rows
            ):
                return
        await asyncio.sleep(0.1)
    raise AssertionError("the upload never got under way")


async def test_sigterm_mid_upload_stops_cleanly_and_a_restart_receipts_everything_once(
    server, agent_config, tmp_path
):
    clip = await asyncio.to_thread(
        BodyCamera(agent_config.watch[0]).record, started_at=START, seconds=2, place="石家庄"
    )
    big = agent_config.watch[1] / "big.mp4"
    big.write_bytes(os.urandom(4 * CHUNK_SIZE + 4321))
    async with FaultProxy(server.url, to_server=SLOW) as relay:
        config = AgentConfig(**{**agent_config.__dict__, "server_url": relay.url})
        toml = agent_toml(config, tmp_path / "dock.toml")
        agent = start_agent(toml)
        try:
            await uploading(config)
            agent.send_signal(signal.SIGTERM)
            _, err = await asyncio.to_thread(agent.communicate, timeout=15)
        finally:
            if agent.poll() is None:
                agent.kill()
        assert agent.returncode == 0, err[-3000:]
        assert "stopped by SIGTERM; the journal is consistent" in err
        assert "Traceback" not in err
        with sqlite3.connect(config.journal_path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            states = dict(conn.execute("SELECT path, state FROM files WHERE role = 'original'"))
        assert states[str(big)] in {"uploading", "registered", "uploaded"}, states

        again = start_agent(toml, "--once", "--timeout", "120")
        _, err = await asyncio.to_thread(again.communicate, timeout=150)
        assert again.returncode == 0, err[-3000:]

    journal = Journal(config.journal_path)
    await journal.open()
    try:
        rows = await journal.all_files()
    finally:
        await journal.close()
    assert sorted(
        (row.path.name, row.state) for row in rows if row.role is Role.ORIGINAL
    ) == sorted([(clip.media.name, FileState.RECEIPTED), (big.name, FileState.RECEIPTED)])
    assert len({(row.evidence_id, row.role) for row in rows}) == len(rows)
    stored = sorted(hashlib.sha256(blob.read_bytes()).hexdigest() for blob in server.stored_blobs())
    expected = sorted(row.fingerprint.sha256.hex for row in rows if row.fingerprint is not None)
    assert stored == expected, "each file stored exactly once, nothing else"
    assert len(stored) == 3, "the clip, its review copy and the big file"
    sequences = sorted(json.loads(row.manifest)["chain"]["sequence"] for row in rows)
    assert sequences == [1, 2, 3], "no sequence number skipped or signed twice"
