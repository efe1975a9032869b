"""The check each backend's outage tests share: while the server cannot reach what it
stores in (its index, its bucket), the real agent keeps the dock's copy and retries; once
that is back, it holds a receipt and the dock's copy is the same bytes."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from agent.states import FileState
from devices.simulator import BodyCamera
from evidence.case_number import CaseNumberRule
from tests.agent.conftest import agent_config_for, all_in, enrol, running_agent, wait_for_rows
from tests.conftest import Server

CHINA = timezone(timedelta(hours=8))

# Stopping or starting the backend: at once, or awaited (one that blocks runs in a thread).
Step = Callable[[], Awaitable[None] | None]


async def _take(step: Step) -> None:
    done = step()
    if inspect.isawaitable(done):
        await done


async def agent_keeps_its_copy_and_retries(
    server: Server, tmp_path: Path, rule: CaseNumberRule, *, away: Step, back: Step, code: str
) -> None:
    """``away`` takes the backend down before the clip is recorded; the agent's rows must
    show ``code`` and nothing receipted while the dock's copy stays; ``back`` brings the
    backend back and the file must then be receipted, the dock's copy unchanged."""
    agent = agent_config_for(server.url, server.ctx.config.server_public_key_path, tmp_path)
    await enrol(server.ctx.index, agent)
    for bay in agent.watch:
        bay.mkdir(parents=True, exist_ok=True)
    await _take(away)
    clip = await asyncio.to_thread(
        BodyCamera(agent.watch[0]).record,
        started_at=datetime(2026, 3, 12, 9, 30, tzinfo=CHINA),
        seconds=2,
    )
    footage = clip.media.read_bytes()
    async with running_agent(agent, rule) as service:
        rows = await wait_for_rows(
            service.journal, lambda rows: any(row.error_code == code for row in rows)
        )
        assert clip.media.read_bytes() == footage, "the dock keeps its copy"
        assert not any(row.state is FileState.RECEIPTED for row in rows)
        await _take(back)
        await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1), within=60)
    assert clip.media.read_bytes() == footage
