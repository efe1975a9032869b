"""Media and compliance together: an interview-room session recorded by a room recorder,
with one segment lost, against the interview act the case system registered. The act's
whole-process duty is not met, and the hole is where the segment is missing."""

from datetime import UTC, timedelta

from agent.states import FileState
from devices.room_recorder import RoomRecorder
from evidence.strict_json import format_time
from tests.agent.conftest import all_in, running_agent, wait_for_rows
from tests.builders import CASE
from tests.compliance.helpers import OFFICER, T0, add_act, add_case
from tests.compliance.test_api_coverage import coverage_of

SEGMENT = 8.0  # seconds: longer than the 5 s gap tolerance, so a lost segment is a gap


async def test_a_room_session_missing_a_segment_leaves_its_interview_act_partial(
    server, agent_config, rule
):
    RoomRecorder(agent_config.watch[1]).record_session(
        "room1-20260312-0930",
        started_at=T0,
        segments=3,
        segment_seconds=SEGMENT,
        skip=(2,),
        case_number=CASE,
        officer_id=OFFICER,
    )
    async with running_agent(agent_config, rule) as service:
        await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 2), within=60)
    clerk = await server.add_user("wang", "custodian")
    await add_case(server, clerk)
    await add_act(server, clerk, "interview_room", 0, 3 * SEGMENT / 60)
    [act] = (await coverage_of(server, clerk))["acts"]
    coverage = act["coverage"]
    assert coverage["state"] == "partial"
    [gap] = coverage["gaps"]
    lost_from = T0 + timedelta(seconds=SEGMENT)
    assert gap["start"] == format_time(lost_from.astimezone(UTC))
    assert gap["end"] == format_time((lost_from + timedelta(seconds=SEGMENT)).astimezone(UTC))
    assert gap["seconds"] == SEGMENT
