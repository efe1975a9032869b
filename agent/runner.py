"""Assemble the agent from its configuration."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp

from agent import failpoints
from agent.config import AgentConfig
from agent.journal import Journal
from agent.manifests import Signer
from agent.pipeline import Pipeline
from agent.server_api import ServerApi
from agent.service import AgentService
from evidence.case_number import CaseNumberRule
from evidence.identifiers import DeviceId
from evidence.keys import load_private_key, load_public_key
from evidence.private_files import secure_data_dir

__all__ = ["agent_service"]


@asynccontextmanager
async def agent_service(config: AgentConfig, rule: CaseNumberRule) -> AsyncIterator[AgentService]:
    failpoints.arm_from_environment()  # before anything: a mistyped name stops the start
    secure_data_dir(config.data_dir)
    device_id = DeviceId(config.device_id)
    key = load_private_key(config.key_path)
    server_key = load_public_key(config.server_public_key)
    journal = Journal(config.journal_path)
    await journal.open()
    timeout = aiohttp.ClientTimeout(
        total=None, connect=10, sock_read=config.request_timeout_seconds
    )
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            api = ServerApi(session, config.server_url, device_id, key)
            pipeline = Pipeline(config, journal, api, Signer(device_id, key), rule, server_key)
            yield AgentService(config, journal, pipeline)
    finally:
        await journal.close()
