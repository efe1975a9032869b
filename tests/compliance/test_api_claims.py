"""What a recording's device claims decides nothing: suggestions and late uploads go by the
footage's own span (signed start plus probed length), through a real server."""

import json
from datetime import timedelta

from evidence.manifest import Capture, Officer, TimeSource
from evidence.wire import SUGGESTIONS
from tests.builders import CASE
from tests.compliance.helpers import add_act, add_case, recording
from tests.compliance.test_api_coverage import evidence
from tests.ingest.test_late_uploads import ENDED, STARTED, late_flags, store


async def test_suggestions_go_by_the_footage_not_by_what_it_claims(server):
    clerk = await server.add_user()
    await add_case(server, clerk)
    await add_act(server, clerk, "seizure", 60, 70, devices=("BWC-00042",))
    # Three seconds of footage ten minutes before the act, claiming to run into it.
    await recording(server, 50, 50.05, case_number=None, claims=65)
    # Footage that runs into the act although its sidecar says it stopped before.
    modest = await recording(server, 40, 65, case_number=None, claims=45)
    inside = await recording(server, 61, 69, case_number=None)
    reply = await server.send("GET", SUGGESTIONS + f"?case_number={CASE}", token=clerk)
    assert reply.status == 200, reply.body
    assert sorted(s["evidence_id"] for s in reply.json()["suggestions"]) == sorted(
        [evidence(modest), evidence(inside)]
    )


async def test_a_claimed_end_cannot_put_off_a_late_upload(server):
    """The footage (the builders' 647 s) ended at ENDED; its sidecar claims ten days more."""
    server.clock.set(ENDED + timedelta(hours=25))
    claimed = ENDED + timedelta(days=10)
    capture = Capture(STARTED, claimed, TimeSource.SIDECAR, "现场", Officer("130102001"), "查封")
    ready = await store(server, capture=capture)
    [flag] = await late_flags(server)
    assert flag.evidence_id == ready.signed.manifest.evidence_id
    assert json.loads(flag.detail)["captured_until"] == "2026-03-12T01:41:02Z"
    [mismatch] = await server.ctx.index.flags.open_flags("claim_mismatch")
    assert json.loads(mismatch.detail)["claimed"]["seconds"] == 647 + 10 * 86400
