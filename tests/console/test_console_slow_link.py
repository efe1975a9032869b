"""The console's forms are read to their end through the slow, fragmenting link (issue 8):
a sign-in, a long Chinese purpose for watching, downloading and exporting, and a long
reason for resolving a flag each arrive whole."""

import io
from urllib.parse import urlencode

from ingest.console.csrf import csrf_for
from tests.custody.helpers import stored_recording

LONG = "复核执法过程：投诉核查，当事人对现场处置有异议" * 20  # 460 characters
assert len(LONG) <= 500


async def form(slow, path: str, fields: dict[str, str], headers: dict[str, str]):
    """A urlencoded form through the relay, streamed as a browser may send it."""
    sent = {"Content-Type": "application/x-www-form-urlencoded", **headers}
    body = io.BytesIO(urlencode(fields).encode())
    async with slow.http.post(
        slow.url + path, data=body, headers=sent, allow_redirects=False
    ) as response:
        return response.status, response.headers, await response.read()


async def test_console_sign_in_and_sign_out_through_a_slow_link(server, slow):
    await server.add_person("wang", "custodian")
    fields = {"csrf": csrf_for("door"), "name": "wang", "password": "correct horse battery"}
    status, headers, _ = await form(
        slow, "/console/sign-in", fields, {"Cookie": "liuhen_sign_in=door"}
    )
    assert status == 303 and "liuhen_console=" in headers["Set-Cookie"]
    session = headers["Set-Cookie"].split("liuhen_console=")[1].split(";")[0]
    cookie = {"Cookie": f"liuhen_console={session}"}
    status, headers, _ = await form(slow, "/console/sign-out", {"csrf": csrf_for(session)}, cookie)
    assert status == 303 and headers["Location"] == "/console/sign-in"


async def test_console_footage_forms_through_a_slow_link_keep_the_whole_purpose(server, slow):
    ready = await stored_recording(server)
    evidence_id = ready.signed.manifest.evidence_id
    await server.add_person("wang", "custodian")
    bearer = {"Authorization": f"Bearer {await server.sign_in('wang')}"}
    base = f"/console/recordings/{evidence_id}/original"
    status, _, page = await form(slow, base + "/watch", {"purpose": LONG}, bearer)
    assert status == 200 and LONG in page.decode()
    status, headers, data = await form(slow, base + "/download", {"purpose": LONG}, bearer)
    assert status == 200 and data == ready.data
    leaf = await server.ctx.index.log.leaf(int(headers["Liuhen-Log-Index"]))
    assert LONG.encode() in leaf.body
    case = str(ready.signed.manifest.case_number)
    status, headers, _ = await form(
        slow, f"/console/cases/{case}/export", {"purpose": LONG}, bearer
    )
    assert status == 200
    leaf = await server.ctx.index.log.leaf(int(headers["Liuhen-Log-Index"]))
    assert LONG.encode() in leaf.body


async def test_a_flag_resolved_from_the_console_through_a_slow_link_keeps_its_reason(server, slow):
    await stored_recording(server)  # late: one flag
    [flag] = await server.ctx.services.flags.find(None, True)
    await server.add_person("zhao", "supervisor")
    bearer = {"Authorization": f"Bearer {await server.sign_in('zhao')}"}
    reason = "站点断网，已补传；" * 100
    path = f"/console/flags/{flag.flag_id}/resolve"
    status, _, _ = await form(slow, path, {"reason": reason}, bearer)
    assert status == 303
    [resolved] = await server.ctx.services.flags.find(None, False)
    assert resolved.resolution == reason
