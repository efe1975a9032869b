"""The console's desk: a supervisor resolves a flag, saying why, and the list shows who
and when; a custodian exports a case's evidence package, logged as the API's export is."""

import io
import re
import tarfile

from evidence.tlog.leaves import parse_leaf
from tests.custody.helpers import stored_recording


async def test_a_supervisor_resolves_a_flag_and_the_list_shows_who_when_and_why(server, people):
    ready = await stored_recording(server)  # uploaded long after capture: late_upload
    supervisor = people["supervisor"]
    listed = await supervisor.get("/console/flags")
    [flag_id] = re.findall(r'id="flag-(\d+)"', listed.text)
    assert listed.shows("late_upload") and listed.shows(str(ready.signed.manifest.evidence_id))
    custodian = people["custodian"]
    page = await custodian.get("/console/flags")
    assert 'action="/console/flags/' not in page.text  # no resolve button for a custodian …
    refused = await custodian.post(
        f"/console/flags/{flag_id}/resolve", {"csrf": page.csrf, "reason": "mine"}
    )
    assert (refused.status, refused.code) == (403, "forbidden")  # … and the server refuses
    resolved = await supervisor.post(
        f"/console/flags/{flag_id}/resolve", {"csrf": listed.csrf, "reason": "站点断网，已补传"}
    )
    assert resolved.status == 200 and resolved.url.endswith("/console/flags?open=false")
    row = re.search(rf'<tr id="flag-{flag_id}">.*?</tr>', resolved.text, re.S).group(0)
    assert "supervisor-1" in row and "站点断网，已补传" in row
    [flag] = await server.ctx.services.flags.find(None, False)
    assert (flag.resolved_by, flag.resolution) == ("supervisor-1", "站点断网，已补传")
    assert (await supervisor.get("/console/flags")).shows("没有找到")


async def test_a_case_exported_from_its_page_is_logged_before_its_bytes(server, people):
    ready = await stored_recording(server)
    case = str(ready.signed.manifest.case_number)
    custodian = people["custodian"]
    page = await custodian.get(f"/console/cases/{case}")
    size = await server.ctx.index.log.size()
    async with custodian.http.post(
        server.url + f"/console/cases/{case}/export",
        data={"csrf": page.csrf, "purpose": "移送检察院"},
    ) as response:
        assert response.status == 200, await response.text()
        index = int(response.headers["Liuhen-Log-Index"])
        archive = await response.read()
    assert index >= size
    leaf = parse_leaf((await server.ctx.index.log.leaf(index)).body)
    assert leaf.purpose == "移送检察院" and leaf.actor.name == "custodian-1"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        assert any(name.endswith(".mp4") or "original" in name for name in tar.getnames())
    reviewer = people["reviewer"]
    refused = await reviewer.post(f"/console/cases/{case}/export", {"csrf": page.csrf})
    assert (refused.status, refused.code) == (403, "forbidden")
