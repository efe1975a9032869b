"""A camera three minutes fast covers its act once corrected, and is flagged for drift:
the real agent measures the camera's clock as it docks and signs the offset into each
manifest; the real server measures the act on the station's clock, keeps the signed
times, and raises clock_drift. Real clips (PyAV), a real bay, a real server on loopback."""

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.config import AgentConfig, BayConfig
from agent.states import FileState
from devices.camera_mount import CameraMount
from evidence.strict_json import format_time, parse_time
from evidence.wire import ACTS, FLAGS
from tests.agent.conftest import all_in, originals, running_agent, wait_for_rows
from tests.builders import CASE
from tests.compliance.helpers import OFFICER, add_case, body
from tests.compliance.test_api_coverage import coverage_of

TRUE_START = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
SECONDS = 4


@pytest.fixture
def docked(agent_config: AgentConfig, tmp_path: Path) -> AgentConfig:
    bay = tmp_path / "mnt" / "bay-1"
    bay.mkdir(parents=True)
    return dataclasses.replace(
        agent_config,
        watch=(),
        bays=(BayConfig("bay-1", bay),),
        bay_poll_seconds=0.1,
        make_proxies=False,
    )


async def add_act(server, token, start: datetime, end: datetime) -> None:
    act = {
        "case_number": CASE,
        "act_type": "seizure",
        "started_at": format_time(start),
        "ended_at": format_time(end),
        "place": "中山东路12号",
        "officers": [OFFICER],
        "devices": [],
    }
    reply = await server.send("POST", ACTS, token=token, body=body(act))
    assert reply.status == 201, reply.body


async def test_a_camera_three_minutes_fast_covers_its_act_once_corrected_and_is_flagged(
    server, docked, rule, tmp_path
):
    mount = CameraMount.off_the_dock(tmp_path / "cameras" / "BWC-00042", clock_offset=180.0)
    await asyncio.to_thread(
        mount.camera.record,
        started_at=TRUE_START,
        seconds=SECONDS,
        case_number=CASE,
        width=320,
        height=240,
    )
    async with running_agent(docked, rule) as service:
        await asyncio.sleep(0.3)  # docked while the agent watches: measured as it docks
        mount.dock(docked.bays[0].path)
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1), within=60)
    [original] = originals(rows)

    clerk = await server.add_user("wang", "custodian")
    await add_case(server, clerk)
    await add_act(server, clerk, TRUE_START, TRUE_START + timedelta(seconds=SECONDS))
    [act] = (await coverage_of(server, clerk))["acts"]
    assert act["coverage"]["state"] == "covered", act["coverage"]
    [footage] = act["recordings"]
    signed = parse_time(footage["started_at"])
    corrected = parse_time(footage["corrected"]["started_at"])
    assert abs(signed - TRUE_START - timedelta(minutes=3)) < timedelta(seconds=1), "as signed"
    assert abs(corrected - TRUE_START) < timedelta(seconds=3), "on the station's clock"

    reply = await server.send("GET", FLAGS + "?kind=clock_drift", token=clerk)
    [flag] = reply.json()["flags"]
    assert flag["evidence_id"] == str(original.evidence_id)
    assert abs(flag["detail"]["camera_offset_ms"] - 180_000) < 3_000
    assert flag["detail"]["device_serial"] == "BWC-00042"
