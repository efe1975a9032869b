"""The console's recording and case pages show the recording's retention class, why, when
it becomes removable (in the agency's zone), and the legal holds standing."""

import json

from evidence.wire import HOLDS
from tests.compliance.helpers import add_case
from tests.custody.helpers import stored_recording


async def test_a_recording_page_shows_its_class_and_holds_and_the_case_page_its_holds(
    server, people
):
    ready = await stored_recording(server)
    manifest = ready.signed.manifest
    custodian = people["custodian"]
    page = await custodian.get(f"/console/recordings/{manifest.evidence_id}", lang="en")
    assert page.shows("Retention class") and page.shows("permanent (permanent)")
    assert page.shows(f"case: {manifest.case_number}") and page.shows("never (permanent)")
    clerk = await server.add_user("clerk-2")
    await add_case(server, clerk, str(manifest.case_number))
    sent = json.dumps({"case_number": str(manifest.case_number), "reason": "行政复议保全"})
    reply = await server.send("POST", HOLDS, token=clerk, body=sent.encode())
    assert reply.status == 201, reply.body
    page = await custodian.get(f"/console/recordings/{manifest.evidence_id}", lang="en")
    assert page.shows("行政复议保全") and page.shows("clerk-2 (custodian)") and page.shows("+08:00")
    case = await custodian.get(f"/console/cases/{manifest.case_number}")
    assert case.shows("Legal holds") and case.shows("行政复议保全")  # ?lang=en is remembered
