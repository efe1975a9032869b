"""Supervised retrieval: footage is served only with a stated purpose, after the access is
committed to the custody log, one entry per access (a stream grant covers a player's many
range requests); ranges are served as browsers need them; a log that cannot be written
serves nothing; auditors list who looked at what, when and why."""

import hashlib
import json
import sqlite3
import tracemalloc
from urllib.parse import quote

from evidence.tlog.leaf_events import AccessAction, AccessLeaf
from evidence.tlog.leaves import parse_leaf
from evidence.wire import AUDIT_ACCESS, RECORDING_CONTENT, RECORDING_GRANTS
from tests.custody.helpers import stored_recording

PURPOSE = "复核执法过程：投诉核查"


def content(ready, action="download", purpose=PURPOSE):
    path = RECORDING_CONTENT.format(evidence_id=ready.signed.manifest.evidence_id, role="original")
    query = f"?action={action}" + ("" if purpose is None else f"&purpose={quote(purpose)}")
    return path + query


async def grant(server, ready, token, purpose=PURPOSE):
    path = RECORDING_GRANTS.format(evidence_id=ready.signed.manifest.evidence_id, role="original")
    return await server.send(
        "POST", path, token=token, body=json.dumps({"purpose": purpose}).encode()
    )


async def accesses(server):
    entries = await server.ctx.index.log.leaves(0, 1000)
    return [(e.index, leaf) for e in entries if isinstance(leaf := parse_leaf(e.body), AccessLeaf)]


async def test_a_download_states_its_purpose_and_is_logged_before_its_bytes(server):
    ready = await stored_recording(server)
    token = await server.add_user("wang", "custodian")
    async with server.http.get(
        server.url + content(ready), headers={"Authorization": f"Bearer {token}"}
    ) as response:
        assert response.status == 200
        index = int(response.headers["Liuhen-Log-Index"])
        # The headers are here and no byte of the body has been read: the access is logged.
        logged = await server.ctx.index.log.leaf(index)
        assert logged is not None
        body = await response.read()
    assert body == ready.data
    assert response.headers["ETag"] == f'"{hashlib.sha256(ready.data).hexdigest()}"'
    assert response.headers["Accept-Ranges"] == "bytes"
    assert int(response.headers["Content-Length"]) == len(ready.data)
    assert response.headers["Content-Disposition"].startswith("attachment")
    [(at, leaf)] = await accesses(server)
    assert at == index
    assert (leaf.actor.name, leaf.actor.role.value, leaf.action) == (
        "wang",
        "custodian",
        AccessAction.DOWNLOAD,
    )
    assert leaf.purpose == PURPOSE and leaf.case == str(ready.signed.manifest.case_number)
    assert [ref.evidence_id for ref in leaf.objects] == [ready.signed.manifest.evidence_id]


async def test_no_purpose_no_bytes_and_nothing_logged(server):
    ready = await stored_recording(server)
    token = await server.add_user()
    size = await server.ctx.index.log.size()
    for purpose in (None, "", "   ", "x" * 501, "换行\n注入"):
        reply = await server.send("GET", content(ready, purpose=purpose), token=token)
        assert (reply.status, reply.code) == (400, "purpose_required"), purpose
    assert (await grant(server, ready, token, purpose=" ")).code == "purpose_required"
    unknown = content(ready).replace(
        str(ready.signed.manifest.evidence_id), "0" * 8 + "-0000-4000-8000-" + "0" * 12
    )
    assert (await server.send("GET", unknown, token=token)).code == "not_found"
    assert (await server.send("GET", content(ready))).code == "unauthenticated"
    assert await server.ctx.index.log.size() == size


async def test_a_stream_grant_serves_ranges_as_a_player_seeks_under_one_access(server):
    ready = await stored_recording(server)
    data, token = ready.data, await server.add_user()
    issued = await grant(server, ready, token)
    assert issued.status == 201, issued.body
    url = issued.json()["url"]
    before = await server.ctx.index.log.size()
    for header, status, expected in [
        ("bytes=10-99", 206, data[10:100]),
        ("bytes=1000-", 206, data[1000:]),
        ("bytes=-77", 206, data[-77:]),
        (f"bytes=5-{len(data) + 500}", 206, data[5:]),
        ("bytes=0-0", 206, data[:1]),
        ("bytes=0-1,5-6", 200, data),  # several ranges: the whole, as RFC 9110 allows
        ("items=0-5", 200, data),
    ]:
        reply = await server.send("GET", url, headers={"Range": header})  # no token: the grant
        assert (reply.status, reply.body) == (status, expected), header
        assert int(reply.headers["Content-Length"]) == len(expected)
        if status == 206:
            start = len(data) - 77 if header == "bytes=-77" else int(header[6:].split("-")[0])
            assert reply.headers["Content-Range"] == (
                f"bytes {start}-{start + len(expected) - 1}/{len(data)}"
            )
    past = await server.send("GET", url, headers={"Range": f"bytes={len(data)}-"})
    assert (past.status, past.code) == (416, "range_not_satisfiable")
    assert past.headers["Content-Range"] == f"bytes */{len(data)}"
    stale = await server.send("GET", url, headers={"Range": "bytes=0-9", "If-Range": '"other"'})
    assert (stale.status, stale.body) == (200, data)
    head = await server.send("HEAD", url, headers={"Range": "bytes=0-9"})
    assert (head.status, head.headers["Content-Length"], head.body) == (206, "10", b"")
    assert await server.ctx.index.log.size() == before, "every range is under the one access"
    [(index, leaf)] = await accesses(server)
    assert (index, leaf.action) == (issued.json()["log_index"], AccessAction.STREAM)


async def test_a_grant_expires_and_an_unknown_one_serves_nothing(server):
    ready = await stored_recording(server)
    url = (await grant(server, ready, await server.add_user())).json()["url"]
    assert (await server.send("GET", url)).status == 200
    server.clock.advance(server.ctx.parts.custody.grant_minutes * 60 + 1)
    assert (await server.send("GET", url)).code == "grant_expired"
    assert (await server.send("GET", url[:-4] + "abcd")).code == "unknown_grant"


async def test_when_the_log_cannot_record_the_access_nothing_is_served(server):
    ready = await stored_recording(server)
    token = await server.add_user()
    raw = sqlite3.connect(server.ctx.config.index_path)
    raw.execute(
        "CREATE TRIGGER full_disk BEFORE INSERT ON log_leaves "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    raw.commit()
    try:
        reply = await server.send("GET", content(ready), token=token)
        assert (reply.status, reply.code) == (503, "log_unavailable")
        assert ready.data not in reply.body
        assert (await grant(server, ready, token)).code == "log_unavailable"
    finally:
        raw.execute("DROP TRIGGER full_disk")
        raw.commit()
        raw.close()
    assert await accesses(server) == []
    assert (await server.send("GET", content(ready), token=token)).body == ready.data


async def test_auditors_list_who_looked_at_what_when_and_why(server):
    first = await stored_recording(server)
    other = await stored_recording(server, case_number="JSZF-2026-0099")
    wang = await server.add_user("wang", "custodian")
    chief = await server.add_user("zhao", "supervisor")
    auditor = await server.add_user("li", "auditor")
    await server.send("GET", content(first, action="view"), token=wang)
    await grant(server, other, chief, purpose="移送审查")
    reply = await server.send("GET", AUDIT_ACCESS, token=auditor)
    assert reply.status == 200, reply.body
    listed = reply.json()["accesses"]
    assert [(a["actor"]["name"], a["action"], a["purpose"]) for a in listed] == [
        ("zhao", "stream", "移送审查"),
        ("wang", "view", PURPOSE),
    ]
    by_case = await server.send("GET", AUDIT_ACCESS + "?case_number=JSZF-2026-0099", token=auditor)
    assert [a["actor"]["name"] for a in by_case.json()["accesses"]] == ["zhao"]
    by_user = await server.send("GET", AUDIT_ACCESS + "?user=wang&since=2000-01-01", token=auditor)
    assert [a["objects"][0]["evidence_id"] for a in by_user.json()["accesses"]] == [
        str(first.signed.manifest.evidence_id)
    ]
    assert (await server.send("GET", AUDIT_ACCESS, token=wang)).code == "forbidden"
    assert (await server.send("GET", AUDIT_ACCESS, token=chief)).code == "forbidden"
    watched = await server.send("GET", content(first), token=auditor)
    assert watched.code == "forbidden", "auditors read the records and the logs, never footage"


async def test_a_large_original_streams_in_bounded_memory(server):
    ready = await stored_recording(server, size=24 * 1024 * 1024 + 17)
    token = await server.add_user()
    tracemalloc.start()
    try:
        received = hashlib.sha256()
        async with server.http.get(
            server.url + content(ready), headers={"Authorization": f"Bearer {token}"}
        ) as response:
            async for block in response.content.iter_chunked(64 * 1024):
                received.update(block)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert received.hexdigest() == hashlib.sha256(ready.data).hexdigest()
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes while serving 24 MiB"


async def test_the_command_line_lists_accesses_as_the_auditor_signed_in(server, liuhen):
    ready = await stored_recording(server)
    token = await server.add_user("wang", "custodian")
    await server.send("GET", content(ready, action="view"), token=token)
    await liuhen.as_person("li", "auditor")
    code, out, err = await liuhen("audit", "access", "--user", "wang", "--json")
    assert code == 0, err
    [listed] = json.loads(out)["accesses"]
    assert (listed["actor"]["name"], listed["purpose"]) == ("wang", PURPOSE)
    code, out, _ = await liuhen("audit", "access", "--case", "NO-2026-0001")
    assert (code, out) == (0, "no accesses\n")


async def test_a_person_limited_to_some_cases_retrieves_only_theirs(server):
    mine = await stored_recording(server)
    other = await stored_recording(server, case_number="JSZF-2026-0099")
    token = await server.add_user("zhou", "reviewer")
    await server.ctx.services.users.set_access(
        "zhou", False, [str(mine.signed.manifest.case_number)], [], "test"
    )
    assert (await server.send("GET", content(mine), token=token)).body == mine.data
    size = await server.ctx.index.log.size()
    refused = await server.send("GET", content(other), token=token)
    assert (refused.status, refused.code) == (404, "not_found")
    assert (await grant(server, other, token)).code == "not_found"
    assert await server.ctx.index.log.size() == size, "a refusal logs nothing"


async def test_a_stream_grant_through_a_slow_link_keeps_the_whole_purpose(server, slow):
    ready = await stored_recording(server)
    token = await server.add_user()
    purpose = "复核执法过程，投诉编号2026-0042，核对现场清点录像。" * 12
    assert len(purpose) <= 500
    reply = await grant(slow, ready, token, purpose=purpose)
    assert reply.status == 201, reply.body
    [(_, leaf)] = await accesses(server)
    assert leaf.purpose == purpose
    served = await slow.send("GET", reply.json()["url"])  # a path, on the server asked
    assert served.body == ready.data
