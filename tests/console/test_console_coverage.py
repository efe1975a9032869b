"""An act's coverage drawn by the server: the window across, a bar per recording on its
camera's lane, a gap where nothing was recorded, at its place and with its length; an
exemption shown with its reason and approver."""

import re

from ingest.console.timeline import LABEL_WIDTH, WIDTH, timeline
from tests.builders import CASE
from tests.compliance.helpers import add_act, add_case, recording
from tests.compliance.test_api_coverage import exempt


def test_a_gap_in_the_second_half_is_drawn_in_the_second_half():
    act = {
        "started_at": "2026-03-12T02:30:00Z",
        "ended_at": "2026-03-12T02:50:00Z",
        "recordings": [
            {
                "device_id": "dock-1",
                "started_at": "2026-03-12T02:30:00Z",
                "ended_at": "2026-03-12T02:40:00Z",
            }
        ],
        "coverage": {
            "gaps": [
                {"start": "2026-03-12T02:40:00Z", "end": "2026-03-12T02:50:00Z", "seconds": 600.0}
            ]
        },
    }
    drawn = timeline(act)
    half = (WIDTH - LABEL_WIDTH) / 2
    [(lane, [bar])] = drawn.lanes
    assert lane == "dock-1" and (bar.x, bar.width) == (LABEL_WIDTH, half)
    [gap] = drawn.gaps
    assert (gap.x, gap.width, gap.label) == (LABEL_WIDTH + half, half, "600 s")


def test_a_recording_past_the_window_is_clipped_to_it():
    act = {
        "started_at": "2026-03-12T02:30:00Z",
        "ended_at": "2026-03-12T02:40:00Z",
        "recordings": [
            {
                "device_id": "d",
                "device_serial": "BWC-1",
                "started_at": "2026-03-12T02:20:00Z",
                "ended_at": None,
            }
        ],
    }
    [(lane, [bar])] = timeline(act).lanes
    assert lane == "BWC-1" and (bar.x, bar.width) == (LABEL_WIDTH, WIDTH - LABEL_WIDTH)


async def test_the_case_page_draws_the_known_gap_and_the_exemption(server, people):
    clerk = await server.add_user("wang", "custodian")
    chief = await server.add_user("zhao", "supervisor")
    await add_case(server, clerk)
    demolition = await add_act(server, clerk, "forced_demolition", 60, 80)
    interview = await add_act(server, clerk, "interview_room", 120, 150)
    await recording(server, 60, 70)  # ten minutes of a twenty-minute demolition
    assert (await exempt(server, chief, interview)).status == 201
    page = await people["reviewer"].get(f"/console/cases/{CASE}")
    assert page.status == 200
    svg = re.search(rf'<svg[^>]*id="timeline-{demolition}".*?</svg>', page.text, re.S).group(0)
    half = (WIDTH - LABEL_WIDTH) / 2
    assert re.search(rf'class="gap" x="{LABEL_WIDTH + half}" y="0" width="{half}"', svg)
    assert "缺口 600 s" in svg and 'class="recording"' in svg
    assert page.shows("张局长") and page.shows("emergency") and page.shows("现场突发火情")


async def test_the_report_charts_rates_and_names_the_weak_link_and_its_csv(server, people):
    clerk = await server.add_user("wang", "custodian")
    await add_case(server, clerk)
    await add_act(server, clerk, "seizure", 0, 10)
    await add_act(server, clerk, "forced_demolition", 60, 80)
    await recording(server, 0, 10)  # the seizure covered …
    await recording(server, 60, 70)  # … half the demolition
    auditor = people["auditor"]
    page = await auditor.get("/console/report")
    assert page.status == 200
    assert page.text.count('<svg class="chart"') == 4  # agency, act type, officer, month
    assert 'class="bar weak"' in page.text and page.shows("100.0%") and page.shows("0.0%")
    weak = re.search(r'<table id="weak-links">.*?</table>', page.text, re.S).group(0)
    assert "forced_demolition" in weak and "seizure" not in weak
    async with auditor.http.get(server.url + "/console/report.csv") as response:
        assert response.status == 200 and response.content_type == "text/csv"
        text = await response.text()
    assert "forced_demolition" in text and "seizure" in text
    bad = await auditor.get("/console/report", since="not-a-time")
    assert bad.status == 400 and bad.code == "bad_request"
