"""What a dock measured and a camera claimed, on the server: coverage reads the capture
times corrected by the camera's measured clock offset and keeps the signed ones; a drift
past compliance.clock_drift_flag_seconds, a camera digest that is not the file's and an
unusable sidecar are flags raised at finalize. Real server on loopback, real uploads."""

import json
import os
from datetime import UTC, datetime, timedelta

import pytest

from evidence.digest import Sha256
from evidence.manifest import Capture, Officer, Origin, TimeSource
from evidence.manifest_dock import CameraClaims, CameraClock, ClaimedDigest
from evidence.strict_json import format_time
from evidence.wire import FLAGS, SUGGESTIONS
from ingest.compliance.config import ComplianceConfig
from tests.builders import CASE, media_lasting, signed_for
from tests.compliance.helpers import OFFICER, SERIAL, T0, add_act, add_case, at
from tests.compliance.test_api_coverage import coverage_of
from tests.ingest.helpers import SMALL_CHUNK, Prepared, created, upload_all

THREE_MINUTES_MS = 180_000


def utc(moment: datetime) -> str:
    return format_time(moment.astimezone(UTC))


async def store(
    server,
    *,
    start: datetime,
    seconds: float,
    clock: CameraClock | None = None,
    camera=None,
    case_number: str | None = CASE,
    digest=None,
) -> Prepared:
    """An original signed as its camera's clock had it (``start``), stored. ``digest``
    makes the camera's claimed digest from the bytes: ``digest(data) -> ClaimedDigest``."""
    device = await server.add_device()
    token = await server.token_for(device)
    data = os.urandom(SMALL_CHUNK + 10)
    if digest is not None:
        camera = CameraClaims(bay="bay-1", sidecar="xml", digest=digest(data))
    capture = Capture(
        start,
        start + timedelta(seconds=seconds),
        TimeSource.SIDECAR,
        "石家庄市长安区中山东路12号",
        Officer(OFFICER, "张伟"),
        "查封现场物品清点过程",
    )
    signed = signed_for(
        data,
        device.device_id,
        device.key,
        chunk_size=SMALL_CHUNK,
        case_number=case_number,
        capture=capture,
        origin=Origin("DSJ-V9", SERIAL, "liuhen-agent/test"),
        media=media_lasting(seconds),
        clock=clock,
        camera=camera,
    )
    reply = await server.register(signed, token)
    assert reply.status == 201, reply.body
    ready = Prepared(device, token, data, signed)
    await upload_all(server, ready, await created(server, ready))
    return ready


def fast(offset_ms: int) -> CameraClock:
    return CameraClock(offset_ms, T0 + timedelta(hours=2), "sidecar_clock")


async def flags(server, token, kind):
    reply = await server.send("GET", FLAGS + f"?kind={kind}", token=token)
    assert reply.status == 200, reply.body
    return reply.json()["flags"]


async def test_a_camera_three_minutes_fast_covers_its_act_once_corrected_and_is_flagged(server):
    """Signed as the camera saw it (three minutes late), the clip covers its act on the
    station's clock; uncorrected it would be a three-minute gap."""
    clip = await store(
        server, start=at(3), seconds=300, clock=fast(THREE_MINUTES_MS)
    )  # truly 09:30-09:35
    clerk = await server.add_user("wang", "custodian")
    await add_case(server, clerk)
    await add_act(server, clerk, "seizure", 0, 5)
    [act] = (await coverage_of(server, clerk))["acts"]
    assert act["coverage"]["state"] == "covered", act["coverage"]
    [footage] = act["recordings"]
    assert footage["started_at"] == utc(at(3)), "the signed time stays the camera's"
    assert footage["clock_offset_ms"] == THREE_MINUTES_MS
    assert footage["corrected"] == {"started_at": utc(at(0)), "ended_at": utc(at(5))}

    [flag] = await flags(server, clerk, "clock_drift")
    assert flag["evidence_id"] == str(clip.signed.manifest.evidence_id)
    assert "corrected" in flag["advice"]
    detail = flag["detail"]
    assert detail["camera_offset_ms"] == THREE_MINUTES_MS and detail["method"] == "sidecar_clock"
    assert detail["signed"] == {"started_at": utc(at(3)), "ended_at": utc(at(8))}
    assert detail["corrected"] == {"started_at": utc(at(0)), "ended_at": utc(at(5))}
    assert detail["clock_drift_flag_seconds"] == 60.0


async def test_a_drift_within_the_limit_is_corrected_without_a_flag(server):
    await server.reconfigure(compliance=ComplianceConfig(clock_drift_flag_seconds=300))
    await store(server, start=at(3), seconds=300, clock=fast(THREE_MINUTES_MS))
    await store(server, start=at(5), seconds=60, clock=fast(-1000))  # a second slow
    clerk = await server.add_user("wang", "custodian")
    await add_case(server, clerk)
    await add_act(server, clerk, "seizure", 0, 6)
    [act] = (await coverage_of(server, clerk))["acts"]
    assert act["coverage"]["state"] == "covered"
    assert await flags(server, clerk, "clock_drift") == []


async def test_suggestions_look_for_footage_by_its_corrected_time(server):
    """A one-minute clip without a case number from a camera three minutes fast: signed
    after the act ended, it truly lies inside it, and is suggested."""
    clip = await store(
        server, start=at(4), seconds=60, clock=fast(THREE_MINUTES_MS), case_number=None
    )
    clerk = await server.add_user("wang", "custodian")
    await add_case(server, clerk)
    await add_act(server, clerk, "seizure", 0, 2, devices=(SERIAL,))
    reply = await server.send("GET", SUGGESTIONS + f"?case_number={CASE}", token=clerk)
    assert reply.status == 200, reply.body
    [suggestion] = reply.json()["suggestions"]
    assert suggestion["evidence_id"] == str(clip.signed.manifest.evidence_id)


async def test_a_late_upload_is_counted_on_the_station_clock(server):
    """A camera whose clock runs two days slow: its footage arrives an hour after it truly
    ended, which is not late, though its signed end is two days and an hour ago."""
    server.clock.set(at(61))
    slow = CameraClock(-48 * 3600 * 1000, at(61), "sidecar_clock")
    await store(server, start=at(-48 * 60), seconds=60, clock=slow)
    assert await server.ctx.index.flags.open_flags("late_upload") == []


def sha256_claim(right: bool, dock_says: bool):
    def claim(data: bytes) -> ClaimedDigest:
        value = Sha256.of(data if right else b"something else").hex
        return ClaimedDigest("sha256", value, dock_says)

    return claim


def md5_claim(dock_says: bool):
    return lambda data: ClaimedDigest("md5", "9e107d9d372bb6826bd81d3542a419d6", dock_says)


@pytest.mark.parametrize(
    ("digest", "checked_by"),
    [
        (sha256_claim(True, True), None),
        (sha256_claim(False, True), "server"),  # the server checks a SHA-256 claim itself
        (sha256_claim(False, False), "server"),
        (md5_claim(True), None),
        (md5_claim(False), "agent"),  # the server keeps no MD5: the dock's check stands
    ],
    ids=["sha256-right", "sha256-wrong-unnoticed", "sha256-wrong", "md5-right", "md5-wrong"],
)
async def test_a_camera_digest_that_is_not_the_files_is_flagged_and_the_footage_kept(
    server, digest, checked_by
):
    clip = await store(server, start=at(0), seconds=60, digest=digest)
    clerk = await server.add_user("wang", "custodian")
    found = await flags(server, clerk, "camera_digest_mismatch")
    stored = await server.ctx.index.objects.get(
        clip.signed.manifest.evidence_id, clip.signed.manifest.role
    )
    assert stored is not None, "kept whatever the camera claims"
    if checked_by is None:
        assert found == []
        return
    [flag] = found
    assert flag["detail"]["checked_by"] == checked_by
    assert flag["detail"]["sha256"] == clip.signed.manifest.sha256.hex
    assert "camera" in flag["advice"]


async def test_an_unusable_sidecar_is_flagged(server):
    problem = "sidecar clip.xml: field CollectTime must be an RFC 3339 time with offset"
    await store(
        server, start=at(0), seconds=60, camera=CameraClaims(sidecar="xml", sidecar_problem=problem)
    )
    clerk = await server.add_user("wang", "custodian")
    [flag] = await flags(server, clerk, "sidecar_unusable")
    assert flag["detail"]["problem"] == problem and flag["detail"]["sidecar"] == "xml"
    assert json.dumps(flag["advice"])
