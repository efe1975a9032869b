"""A recording's page tells its whole story: every verification of each object, newest
first, named by the audit that ran it, and the custody-log entries about it, each with
its index and a link to its inclusion proof; accesses only for those who read the audit."""

import re

from tests.custody.helpers import stored_recording

PURPOSE = "复核执法过程：投诉核查"


def _rows(page, table: str) -> list[str]:
    body = re.search(rf'<table id="{table}">.*?<tbody>(.*?)</tbody>', page.text, re.S).group(1)
    return re.findall(r"<tr[^>]*>.*?</tr>", body, re.S)


async def test_the_recording_page_lists_every_verification_newest_first(server, people):
    ready = await stored_recording(server)
    evidence_id = ready.signed.manifest.evidence_id
    services = server.ctx.services
    await services.verifier.verify(evidence_id, "first-audit")
    await services.verifier.verify(evidence_id, "second-audit")
    page = await people["custodian"].get(f"/console/recordings/{evidence_id}")
    rows = [row for row in _rows(page, "verifications") if "original" in row]
    assert len(rows) >= 2, rows
    assert "second-audit" in rows[0] and "first-audit" in rows[1]  # newest first, by whom
    assert all("完好" in row and "sha256: ok" in row for row in rows[:2])


async def test_the_recording_page_lists_its_log_entries_with_proofs(server, people):
    ready = await stored_recording(server)
    evidence_id = ready.signed.manifest.evidence_id
    await server.ctx.services.verifier.verify(evidence_id, "weekly-audit")
    reviewer, auditor = people["reviewer"], people["auditor"]
    page = await reviewer.get(f"/console/recordings/{evidence_id}")
    watch = f"/console/recordings/{evidence_id}/original/watch"
    assert (await reviewer.post(watch, {"csrf": page.csrf, "purpose": PURPOSE})).status == 200
    other = await stored_recording(server)  # same case: its access is its own, not this one's
    assert other.signed.manifest.case_number == ready.signed.manifest.case_number
    other_watch = f"/console/recordings/{other.signed.manifest.evidence_id}/original/watch"
    await reviewer.post(other_watch, {"csrf": page.csrf, "purpose": "另一段录像"})
    supervisor = people["supervisor"]
    listed = await supervisor.get("/console/flags")
    [flag_id] = [
        f.flag_id
        for f in await server.ctx.services.flags.find(None, True)
        if f.evidence_id == evidence_id
    ]
    resolve = {"csrf": listed.csrf, "reason": "站点断网，已补传"}
    assert (await supervisor.post(f"/console/flags/{flag_id}/resolve", resolve)).status == 200

    seen = await reviewer.get(f"/console/recordings/{evidence_id}")
    kinds = re.findall(r'<tr id="log-\d+" class="log-(\w+)"', seen.text)
    assert {"ingest", "fixity", "decision"} <= set(kinds) and "weekly-audit" in seen.text
    assert "站点断网，已补传" in seen.text  # the flag's resolution, with its reason
    assert "access" not in kinds and PURPOSE not in seen.text  # a reviewer reads no audit
    indexes = [int(i) for i in re.findall(r'<tr id="log-(\d+)"', seen.text)]
    assert indexes == sorted(indexes, reverse=True)

    audited = await auditor.get(f"/console/recordings/{evidence_id}")
    accessed = re.search(r'<tr id="log-(\d+)" class="log-access">.*?</tr>', audited.text, re.S)
    assert accessed is not None and PURPOSE in accessed.group(0)
    assert "另一段录像" not in audited.text  # the other recording's access is not listed here
    index = int(accessed.group(1))
    assert f'href="/console/log/proof?index={index}"' in audited.text
    async with auditor.http.get(server.url + f"/console/log/proof?index={index}") as proof:
        assert proof.status == 200 and proof.headers["Liuhen-Log-Index"] == str(index)
        expected = await server.ctx.services.proofs.inclusion(index)
        assert await proof.read() == expected.to_bytes()
