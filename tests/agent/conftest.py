"""Agent fixtures: a device key registered with the test server, and a running agent."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest

from agent.config import AgentConfig, CaptureDefaults
from agent.journal import FileRow, Journal
from agent.manifests import Signer
from agent.pipeline import Pipeline, observe_file
from agent.runner import agent_service
from agent.server_api import ServerApi
from agent.service import AgentService
from agent.states import FileState
from evidence.case_number import CaseNumberRule
from evidence.identifiers import DeviceId, Role
from evidence.keys import public_key_pem
from ingest.access.devices import register_device
from runtime.key_files import generate_key_pair, load_private_key, load_public_key
from tests.conftest import Server


def agent_config_for(server_url: str, server_public_key: Path, root: Path) -> AgentConfig:
    return AgentConfig(
        device_id="dock-agent-01",
        server_url=server_url,
        data_dir=root / "agent",
        server_public_key=server_public_key,
        watch=(root / "dock" / "bay-1", root / "dock" / "bay-2"),
        settle_seconds=0.2,
        quiet_seconds=1.0,
        rescan_seconds=0.5,
        max_parallel=2,
        retry_base_seconds=0.05,
        retry_cap_seconds=0.5,
        broken_grace_seconds=1.0,
        growing_alarm_seconds=2.0,
        defaults=CaptureDefaults(
            officer_id="130100000", place="石家庄市执法一大队", proves="执法全过程"
        ),
    )


async def enrol(index, config: AgentConfig) -> None:
    key = generate_key_pair(config.key_path, config.public_key_path)
    await register_device(
        index.devices, DeviceId(config.device_id), public_key_pem(key.public_key())
    )


@pytest.fixture
async def agent_config(server: Server, tmp_path: Path) -> AgentConfig:
    config = agent_config_for(server.url, server.ctx.config.server_public_key_path, tmp_path)
    await enrol(server.ctx.index, config)
    for bay in config.watch:
        bay.mkdir(parents=True, exist_ok=True)
    return config


@asynccontextmanager
async def running_agent(config: AgentConfig, rule: CaseNumberRule) -> AsyncIterator[AgentService]:
    async with agent_service(config, rule) as service:
        task = asyncio.create_task(service.run())
        try:
            yield service
        finally:
            service.stop()
            await asyncio.wait_for(task, 10)


async def wait_for_rows(
    journal: Journal, ready: Callable[[list[FileRow]], bool], within: float = 30.0
) -> list[FileRow]:
    deadline = time.monotonic() + within
    while True:
        rows = await journal.all_files()
        if ready(rows):
            return rows
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out; journal: {[(r.path.name, r.state.value, r.error_code) for r in rows]}"
            )
        await asyncio.sleep(0.05)


def originals(rows: list[FileRow]) -> list[FileRow]:
    return [row for row in rows if row.role is Role.ORIGINAL]


def all_in(state: FileState, count: int) -> Callable[[list[FileRow]], bool]:
    """``count`` originals in ``state``; for receipted, also done with their copies."""

    def ready(rows: list[FileRow]) -> bool:
        found = originals(rows)
        done = state is not FileState.RECEIPTED or all(row.safe_to_remove for row in found)
        return len(found) >= count and all(row.state is state for row in found) and done

    return ready


@asynccontextmanager
async def by_hand(config, rule, media):
    """The agent's own pipeline and journal, stepped by the test: the file has settled."""
    journal = Journal(config.journal_path)
    await journal.open()
    key = load_private_key(config.key_path)
    device = DeviceId(config.device_id)
    try:
        async with aiohttp.ClientSession() as session:
            api = ServerApi(session, config.server_url, device, key)
            pipeline = Pipeline(
                config,
                journal,
                api,
                Signer(device, key),
                rule,
                load_public_key(config.server_public_key),
            )
            row = await journal.observe(media, observe_file(media), closed=True, now=0.0)
            yield pipeline, journal, await journal.move(row, FileState.READY, 0.0)
    finally:
        await journal.close()
