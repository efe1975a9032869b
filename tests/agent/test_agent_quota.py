"""The agent meets a server whose quota for its device is full (429 quota_exceeded): the
file is not rejected, the agent backs off and retries, and it uploads once room is made."""

import asyncio
import dataclasses
from datetime import datetime, timedelta, timezone

from agent.retries import Outcome, outcome
from agent.states import FileState
from devices.simulator import BodyCamera
from evidence.errors import QuotaExceeded
from tests.agent.conftest import all_in, originals, running_agent, wait_for_rows

START = datetime(2026, 3, 12, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def test_a_full_quota_is_not_a_reason_to_give_up():
    assert outcome(QuotaExceeded("full")) is Outcome.BACK_OFF


async def test_the_agent_retries_past_a_full_quota_and_uploads_once_there_is_room(
    server, agent_config, rule
):
    room = server.ctx.config
    await server.reconfigure(config=dataclasses.replace(room, max_open_uploads_per_device=0))
    camera = BodyCamera(agent_config.watch[0])
    await asyncio.to_thread(camera.record, started_at=START, seconds=1, case_number=None)

    def refused_for_quota(rows):
        return any(
            row.error_code == "quota_exceeded" and row.attempts >= 2 for row in originals(rows)
        )

    async with running_agent(agent_config, rule) as service:
        rows = await wait_for_rows(service.journal, refused_for_quota)
        assert all(row.state is not FileState.REJECTED for row in originals(rows))
        await server.reconfigure(config=room)
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1), within=60)
    [original] = originals(rows)
    assert await server.ctx.index.objects.get(original.evidence_id, original.role) is not None
