"""Coverage comes from the footage, not from a claim: real clips through the real agent to a
real server. A clip covers its probed length from its signed start, whatever its sidecar
says; a claim that disagrees is kept and flagged; footage whose length cannot be probed
covers nothing and is flagged for a custodian."""

import json
import shutil
from datetime import UTC, datetime, timedelta

from agent.states import FileState
from devices.broken import write_cut_short, write_truncated
from devices.footage import write_clip
from devices.room_recorder import RoomRecorder
from devices.sidecar import Sidecar, write_sidecar
from evidence.identifiers import Role
from evidence.strict_json import format_time
from evidence.wire import FLAGS, RECORDING, SESSION
from tests.agent.conftest import all_in, originals, running_agent, wait_for_rows
from tests.builders import CASE
from tests.compliance.helpers import OFFICER, SERIAL, T0, add_act, add_case
from tests.compliance.test_api_coverage import coverage_of

FIVE_MINUTES = timedelta(minutes=5)


def utc(moment: datetime) -> str:
    return format_time(moment.astimezone(UTC))


def dock(bay, tmp_path, stem, claimed_end, make):
    """A dock's offload: the sidecar first, then the media moved into the bay whole."""
    write_sidecar(
        bay / f"{stem}.json",
        Sidecar(
            device_model="DSJ-V9",
            device_serial=SERIAL,
            officer_id=OFFICER,
            case_number=CASE,
            place="石家庄市长安区中山东路12号",
            proves="查封现场物品清点过程",
            started_at=T0,
            ended_at=claimed_end,
        ),
    )
    recorded = tmp_path / f"{stem}.MP4"
    make(recorded)
    shutil.move(recorded, bay / recorded.name)


async def flags_of(server, token, kind):
    reply = await server.send("GET", FLAGS + f"?kind={kind}", token=token)
    assert reply.status == 200, reply.body
    return reply.json()["flags"]


async def test_a_three_second_clip_claiming_five_minutes_covers_three_seconds_and_is_flagged(
    server, agent_config, rule, tmp_path
):
    claimed_end = T0 + timedelta(seconds=300)
    dock(
        agent_config.watch[0],
        tmp_path,
        "BWC-00042_130102001_20260312093000_0001",
        claimed_end,
        lambda path: write_clip(path, seconds=3.0, started_at=T0, width=320, height=240),
    )
    async with running_agent(agent_config, rule) as service:
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1), within=60)
    [original] = originals(rows)
    measured_ms = json.loads(original.manifest)["media"]["duration_ms"]
    assert measured_ms == 3000  # the simulated camera writes exactly what it is asked for
    measured_end = T0 + timedelta(milliseconds=measured_ms)

    clerk = await server.add_user("wang", "custodian")
    await add_case(server, clerk)
    await add_act(server, clerk, "seizure", 0, 5)
    [act] = (await coverage_of(server, clerk))["acts"]
    assert act["coverage"]["state"] == "partial"
    assert act["coverage"]["gaps"] == [
        {"start": utc(measured_end), "end": utc(T0 + FIVE_MINUTES), "seconds": 297.0}
    ]

    [flag] = await flags_of(server, clerk, "claim_mismatch")
    assert flag["evidence_id"] == str(original.evidence_id)
    assert flag["advice"]
    detail = flag["detail"]
    assert detail["measured"] == {
        "started_at": utc(T0),
        "ended_at": utc(measured_end),
        "seconds": 3.0,
    }
    assert detail["claimed"] == {
        "started_at": utc(T0),  # the container's creation_time tag, as the camera wrote it
        "ended_at": utc(claimed_end),
        "seconds": 300.0,
    }
    assert detail["disagree"] == ["ended_at", "seconds"]

    # The claim is kept beside the measurement, in the recording's own view.
    shown = (
        await server.send("GET", RECORDING.format(evidence_id=original.evidence_id), token=clerk)
    ).json()
    assert (shown["ended_at"], shown["claimed_ended_at"]) == (utc(measured_end), utc(claimed_end))


async def test_footage_whose_length_cannot_be_probed_covers_nothing_and_is_flagged(
    server, agent_config, rule, tmp_path
):
    dock(
        agent_config.watch[0],
        tmp_path,
        "BWC-00042_130102001_20260312093000_0002",
        T0 + FIVE_MINUTES,
        lambda path: write_truncated(path, started_at=T0, seconds=3.0),
    )
    async with running_agent(agent_config, rule) as service:
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1), within=60)
    [original] = originals(rows)
    stored = await server.ctx.index.objects.get(original.evidence_id, Role.ORIGINAL)
    assert stored is not None and stored.ended_at is None
    assert stored.claimed_ended_at == T0 + FIVE_MINUTES

    clerk = await server.add_user("wang", "custodian")
    await add_case(server, clerk)
    await add_act(server, clerk, "seizure", 0, 5)
    [act] = (await coverage_of(server, clerk))["acts"]
    assert act["coverage"]["state"] == "partial"  # footage of the act, but no time of it
    assert act["coverage"]["gaps"] == [
        {"start": utc(T0), "end": utc(T0 + FIVE_MINUTES), "seconds": 300.0}
    ]
    [flag] = await flags_of(server, clerk, "unmeasured_footage")
    assert flag["evidence_id"] == str(original.evidence_id)
    assert "covers no time" in flag["advice"]
    assert flag["detail"]["claimed"]["ended_at"] == utc(T0 + FIVE_MINUTES)
    assert flag["detail"]["problem"].startswith("not readable as media")


async def test_a_broken_room_segment_is_a_hole_in_its_session_and_its_act(
    server, agent_config, rule
):
    segment = 8.0
    written = RoomRecorder(agent_config.watch[1]).record_session(
        "room1-20260312-0930",
        started_at=T0,
        segments=3,
        segment_seconds=segment,
        case_number=CASE,
        officer_id=OFFICER,
    )
    with open(written[1], "r+b") as handle:  # segment 2: the recorder lost power
        handle.truncate(written[1].stat().st_size // 2)
    async with running_agent(agent_config, rule) as service:
        await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 3), within=60)
    clerk = await server.add_user("wang", "custodian")
    second, third = T0 + timedelta(seconds=segment), T0 + timedelta(seconds=2 * segment)
    timeline = (
        await server.send("GET", SESSION.format(session_id="room1-20260312-0930"), token=clerk)
    ).json()
    assert timeline["holes"] == [
        {
            "kind": "gap",
            "after_index": 2,
            "from": utc(second),
            "to": utc(third),
            "seconds": segment,
        }
    ]
    await add_case(server, clerk)
    await add_act(server, clerk, "interview_room", 0, 3 * segment / 60)
    [act] = (await coverage_of(server, clerk))["acts"]
    assert act["coverage"]["state"] == "partial"
    assert act["coverage"]["gaps"] == [
        {"start": utc(second), "end": utc(third), "seconds": segment}
    ]


async def test_a_creation_time_tag_in_local_time_is_a_claimed_start_that_disagrees(
    server, agent_config, rule, tmp_path
):
    """A camera that writes local time (UTC+8) into its UTC creation_time tag."""
    local_as_utc = T0 + timedelta(hours=8)
    dock(
        agent_config.watch[0],
        tmp_path,
        "BWC-00042_130102001_20260312093000_0003",
        T0 + timedelta(seconds=3),
        lambda path: write_clip(path, seconds=3.0, started_at=local_as_utc, width=320, height=240),
    )
    async with running_agent(agent_config, rule) as service:
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1), within=60)
    [original] = originals(rows)
    clerk = await server.add_user("wang", "custodian")
    await add_case(server, clerk)
    await add_act(server, clerk, "seizure", 0, 0.05)
    [act] = (await coverage_of(server, clerk))["acts"]
    assert act["coverage"]["state"] == "covered", "the tag is a claim: coverage is unmoved"
    [flag] = await flags_of(server, clerk, "claim_mismatch")
    assert flag["evidence_id"] == str(original.evidence_id)
    assert flag["detail"]["disagree"] == ["started_at"]
    assert flag["detail"]["claimed"]["started_at"] == utc(local_as_utc)
    assert flag["detail"]["measured"]["started_at"] == utc(T0)


async def test_a_copy_cut_short_covers_what_its_packets_hold_not_what_its_header_claims(
    server, agent_config, rule, tmp_path
):
    """A 20 s faststart clip whose copy stopped at 15 % of its bytes: it opens, its first
    second plays, and its header (and its sidecar) still claim 20 s."""
    claimed_end = T0 + timedelta(seconds=20)
    dock(
        agent_config.watch[0],
        tmp_path,
        "BWC-00042_130102001_20260312093000_0004",
        claimed_end,
        lambda path: write_cut_short(path, started_at=T0, seconds=20, keep=0.15),
    )
    async with running_agent(agent_config, rule) as service:
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1), within=60)
    [original] = originals(rows)
    media = json.loads(original.manifest)["media"]
    assert media["decodable"] and media["container_duration_ms"] == 20_000
    measured_end = T0 + timedelta(milliseconds=media["duration_ms"])
    assert media["duration_ms"] < 5_000

    clerk = await server.add_user("wang", "custodian")
    await add_case(server, clerk)
    await add_act(server, clerk, "seizure", 0, 20 / 60)
    [act] = (await coverage_of(server, clerk))["acts"]
    assert act["coverage"]["state"] == "partial"
    assert act["coverage"]["gaps"][0]["start"] == utc(measured_end)
    [flag] = await flags_of(server, clerk, "claim_mismatch")
    assert flag["detail"]["disagree"] == ["ended_at", "seconds", "container_seconds"]
    assert flag["detail"]["claimed"]["container_seconds"] == 20.0
