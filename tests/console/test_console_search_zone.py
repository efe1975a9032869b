"""The search form's date is a day in the agency's zone (compliance.utc_offset_hours), as
the report reads plain dates, not a UTC day."""

from ingest.compliance.config import ComplianceConfig
from tests.custody.helpers import stored_recording


async def test_the_search_date_is_a_day_in_the_agencys_zone(server, people):
    ready = await stored_recording(server)  # captured 2026-03-12 09:30 +08:00, 01:30 UTC
    evidence_id = str(ready.signed.manifest.evidence_id)
    await server.reconfigure(compliance=ComplianceConfig(utc_offset_hours=-4))
    custodian = people["custodian"]
    local_day = await custodian.get("/console/cases", officer="130102", date="2026-03-11")
    assert local_day.status == 200 and local_day.shows(evidence_id)  # 21:30 on the 11th
    assert local_day.shows("UTC-04:00")
    utc_day = await custodian.get("/console/cases", officer="130102", date="2026-03-12")
    assert utc_day.shows("没有找到") and not utc_day.shows(evidence_id)
