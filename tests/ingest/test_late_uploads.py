"""Late uploads: an original stored more than compliance.late_upload_hours after its
capture ended becomes a late_upload flag at finalize, which people list and resolve like
any flag. Times come from the server fixture's clock, not the day the tests run."""

import json
from datetime import datetime, timedelta

import pytest

from evidence.manifest import Capture, Officer, TimeSource
from evidence.wire import FLAG_RESOLVE, FLAGS, REPORT
from ingest.compliance.config import ComplianceConfig
from tests.builders import CHINA
from tests.ingest.helpers import created, prepared, upload_all

STARTED = datetime(2026, 3, 12, 9, 30, 15, tzinfo=CHINA)  # the builders' capture
ENDED = datetime(2026, 3, 12, 9, 41, 2, tzinfo=CHINA)


async def store(server, **options):
    ready = await prepared(server, **options)
    await upload_all(server, ready, await created(server, ready))
    return ready


async def late_flags(server):
    return await server.ctx.index.flags.open_flags("late_upload")


@pytest.mark.parametrize(("hours", "late"), [(23.9, False), (24.1, True)])
async def test_an_original_stored_after_late_upload_hours_is_flagged(server, hours, late):
    server.clock.set(ENDED + timedelta(hours=hours))
    ready = await store(server)
    evidence_id = ready.signed.manifest.evidence_id
    flags = await late_flags(server)
    assert [flag.subject for flag in flags] == ([str(evidence_id)] if late else [])
    if late:
        [flag] = flags
        assert (flag.evidence_id, flag.device_id) == (evidence_id, ready.signed.manifest.device_id)
        detail = json.loads(flag.detail)
        assert detail["captured_until"] == "2026-03-12T01:41:02Z"
        assert (detail["hours"], detail["late_upload_hours"]) == (24.1, 24.0)


async def test_without_an_end_the_delay_counts_from_the_start(server):
    server.clock.set(STARTED + timedelta(hours=24, minutes=5))  # 23.9 h after the end
    capture = Capture(
        STARTED, None, TimeSource.SIDECAR, "询问室1", Officer("130102001", "张伟"), "询问"
    )
    await store(server, capture=capture, media=None)  # and no length probed either
    assert len(await late_flags(server)) == 1


async def test_the_hours_in_force_at_finalize_decide(server):
    await server.reconfigure(compliance=ComplianceConfig(late_upload_hours=48))
    server.clock.set(ENDED + timedelta(hours=30))
    await store(server)
    assert await late_flags(server) == []


async def test_a_late_upload_is_listed_resolved_once_and_leaves_the_report(server):
    clerk = await server.add_user("wang", "custodian")
    chief = await server.add_user("zhao", "supervisor")
    server.clock.set(ENDED + timedelta(days=3))
    ready = await store(server)
    listed = await server.send("GET", FLAGS + "?kind=late_upload", token=clerk)
    [flag] = listed.json()["flags"]
    assert flag["evidence_id"] == str(ready.signed.manifest.evidence_id)
    assert flag["detail"]["hours"] == 72.0 and flag["advice"]
    report = (await server.send("GET", REPORT, token=chief)).json()
    assert [(row["kind"], row["count"]) for row in report["flags"]["by_kind"]] == [
        ("late_upload", 1)
    ]
    path = FLAG_RESOLVE.format(flag_id=flag["flag_id"])
    reason = json.dumps({"reason": "执法记录仪在外地，三日后返回"}).encode()
    reply = await server.send("POST", path, token=chief, body=reason)
    assert (reply.status, reply.json()["resolved_by"]) == (200, "zhao")
    again = await server.send("POST", path, token=chief, body=reason)
    assert (again.status, again.code) == (409, "already_resolved")
    report = (await server.send("GET", REPORT, token=chief)).json()
    assert report["flags"]["count"] == 0
    # Finalizing again (the agent retries) returns the stored object and raises nothing.
    reply = await server.send(
        "POST",
        f"/api/v1/evidence/{ready.signed.manifest.evidence_id}/original/finalize",
        token=ready.token,
    )
    assert reply.status == 200 and await late_flags(server) == []
