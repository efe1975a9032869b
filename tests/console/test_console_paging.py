"""Lists page with previous and next links instead of stopping at 500 rows, and a search
across every case says which recordings it searched and links the older ones."""

import re

from tests.console.helpers import Visitor
from tests.custody.helpers import stored_recording

PURPOSE = "复核执法过程：投诉核查"


async def _follow(person: Visitor, page, link: str):
    href = re.search(rf'<a id="{link}" href="([^"]+)"', page.text).group(1)
    return await person.get(href.replace("&amp;", "&"))


async def test_the_flag_list_pages_with_next_and_previous(server, people):
    await stored_recording(server)  # each uploaded late: one late_upload flag each
    await stored_recording(server)
    flags = sorted(f.flag_id for f in await server.ctx.services.flags.find(None, True))
    assert len(flags) >= 2
    supervisor = people["supervisor"]
    first = await supervisor.get("/console/flags", limit="1")
    assert re.findall(r'id="flag-(\d+)"', first.text) == [str(flags[0])]
    assert 'id="previous"' not in first.text
    second = await _follow(supervisor, first, "next")
    assert re.findall(r'id="flag-(\d+)"', second.text) == [str(flags[1])]
    back = await _follow(supervisor, second, "previous")
    assert re.findall(r'id="flag-(\d+)"', back.text) == [str(flags[0])]
    last = await supervisor.get("/console/flags", limit="1", offset=str(len(flags) - 1))
    assert 'id="next"' not in last.text and 'id="previous"' in last.text
    bad = await supervisor.get("/console/flags", offset="-1")
    assert (bad.status, bad.code) == (400, "bad_request")


async def test_the_access_log_pages(server, people):
    ready = await stored_recording(server)
    evidence_id = ready.signed.manifest.evidence_id
    reviewer, auditor = people["reviewer"], people["auditor"]
    page = await reviewer.get(f"/console/recordings/{evidence_id}")
    watch = f"/console/recordings/{evidence_id}/original/watch"
    for n in range(3):
        await reviewer.post(watch, {"csrf": page.csrf, "purpose": f"{PURPOSE} {n}"})
    seen, log = [], await auditor.get("/console/audit", limit="2")
    while True:
        rows = re.findall(r"复核执法过程：投诉核查 \d", log.text)
        assert 1 <= len(rows) <= 2
        seen += rows
        if 'id="next"' not in log.text:
            break
        log = await _follow(auditor, log, "next")
    assert sorted(seen) == [f"{PURPOSE} {n}" for n in range(3)]


async def test_a_search_across_every_case_says_more_exist_and_links_them(server, people):
    older = await stored_recording(server)
    newer = await stored_recording(server)
    ids = {str(r.signed.manifest.evidence_id) for r in (older, newer)}
    custodian = people["custodian"]
    first = await custodian.get("/console/cases", officer="130102", limit="1")
    assert first.shows("本页查找了最新录像中的第 1–1条，更早的录像见下一页")
    shown = {i for i in ids if first.shows(i)}
    assert len(shown) == 1
    second = await _follow(custodian, first, "next")
    assert {i for i in ids if second.shows(i)} == ids - shown
    assert 'id="officer" value="130102"' in second.text  # the next page keeps the search
