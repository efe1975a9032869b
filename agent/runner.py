"""Assemble the agent from its configuration."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta, timezone, tzinfo

import aiohttp

from agent import failpoints
from agent.bays import check_bays
from agent.config import AgentConfig
from agent.journal import Journal
from agent.manifests import Signer
from agent.pipeline import Pipeline
from agent.policy import UploadPolicy
from agent.purge import Purger
from agent.server_api import ServerApi
from agent.service import AgentService
from agent.station import open_station
from evidence.case_number import CaseNumberRule
from evidence.identifiers import DeviceId
from runtime.key_files import load_private_key, load_public_key
from runtime.private_files import secure_data_dir

__all__ = ["CHINA", "agent_service"]

# The agency's zone when none is given (``compliance.utc_offset_hours`` defaults to it).
CHINA = timezone(timedelta(hours=8))


@asynccontextmanager
async def agent_service(
    config: AgentConfig, rule: CaseNumberRule, zone: tzinfo = CHINA
) -> AsyncIterator[AgentService]:
    """The agent, ready to run. ``zone`` is the agency's: the bandwidth timetable's times
    are read in it. A bay that is missing, not a folder or unreadable is refused here."""
    failpoints.arm_from_environment()  # before anything: a mistyped name stops the start
    folders = (*config.watch, *(room.folder for room in config.rooms))
    if folders or not config.bays:  # a dock with only camera bays watches no folder
        check_bays(folders)
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
        async with (
            open_station(config) as station,
            aiohttp.ClientSession(timeout=timeout) as session,
        ):
            api = ServerApi(session, config.server_url, device_id, key)
            policy = UploadPolicy(config.timetable, journal.controls, zone)
            pipeline = Pipeline(
                config,
                journal,
                api,
                Signer(device_id, key),
                rule,
                server_key,
                throttle=policy.throttle,
                context=station.context,
            )
            purger = Purger(config, journal, api, server_key, rule, pipeline.clock)
            service = AgentService(config, journal, pipeline, policy, purger)
            await station.attach(service, journal)
            service.station = station
            yield service
    finally:
        await journal.close()
