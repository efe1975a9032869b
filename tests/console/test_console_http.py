"""The console over plain HTTP (no browser): sign-in and its cookie, CSRF on every form,
the security headers, clear error pages for bad input, and the pages showing what the
API knows of a recording (docs/console.md)."""

import re

from tests.console.helpers import SIGN_IN, Visitor
from tests.custody.helpers import stored_recording

PURPOSE = "复核执法过程：投诉核查"


async def test_sign_in_sets_a_strict_http_only_cookie_and_every_page_is_under_csp(server):
    await server.add_person("wang", "custodian")
    person = Visitor(server)
    try:
        form = await person.get(SIGN_IN)
        assert form.status == 200 and form.shows("登录")
        csp = form.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "default-src 'none'" in csp
        assert "unsafe-inline" not in csp
        assert form.headers["X-Content-Type-Options"] == "nosniff"
        async with person.http.post(
            server.url + SIGN_IN,
            data={"csrf": form.csrf, "name": "wang", "password": "correct horse battery"},
            allow_redirects=False,
        ) as response:
            assert response.status == 303
            assert response.headers["Location"] == "/console/cases"
            [cookie] = [c for c in response.headers.getall("Set-Cookie") if "liuhen_console=" in c]
        lowered = cookie.lower()
        assert "httponly" in lowered and "samesite=strict" in lowered and "path=/console" in lowered
        assert "secure" not in lowered.replace("samesite", "")  # plain HTTP here: no Secure
        cases = await person.get("/console/cases")
        assert cases.status == 200 and cases.shows("wang · custodian")
        assert "Content-Security-Policy" in cases.headers
    finally:
        await person.close()


async def test_a_wrong_password_or_a_missing_token_is_a_page_that_says_so(server):
    await server.add_person("wang", "custodian")
    person = Visitor(server)
    try:
        form = await person.get(SIGN_IN)
        wrong = await person.post(SIGN_IN, {"csrf": form.csrf, "name": "wang", "password": "nope"})
        assert (wrong.status, wrong.code) == (401, "sign_in_failed")
        forged = await person.post(
            SIGN_IN, {"csrf": "0" * 64, "name": "wang", "password": "correct horse battery"}
        )
        assert (forged.status, forged.code) == (403, "csrf_refused")
        assert "liuhen_console" not in {c.key for c in person.http.cookie_jar}
    finally:
        await person.close()


async def test_a_form_without_its_sessions_token_is_refused_and_does_nothing(server, people):
    supervisor, admin = people["supervisor"], people["admin"]
    flags = await server.ctx.services.flags.find(None, True)
    assert flags == []  # nothing to resolve: the refusal comes before the flag is looked up
    for form in ({}, {"csrf": ""}, {"csrf": (await admin.get("/console/cases")).csrf}):
        refused = await supervisor.post("/console/flags/1/resolve", {**form, "reason": "checked"})
        assert (refused.status, refused.code) == (403, "csrf_refused"), form
    signed_out = await supervisor.post("/console/sign-out", {})
    assert (signed_out.status, signed_out.code) == (403, "csrf_refused")
    assert (await supervisor.get("/console/cases")).status == 200  # still signed in


async def test_sign_out_ends_the_session(server, people):
    person = people["reviewer"]
    page = await person.get("/console/cases")
    out = await person.post("/console/sign-out", {"csrf": page.csrf})
    assert out.url.endswith(SIGN_IN)
    again = await person.get("/console/cases")
    assert again.url.endswith(SIGN_IN)  # sent back to sign in, not shown the page


async def test_bad_input_is_a_clear_400_page_not_a_500(server, people):
    custodian = people["custodian"]
    for path, params in [
        ("/console/cases", {"date": "2026-13-45"}),
        ("/console/cases", {"officer": "x" * 65}),
        ("/console/cases", {"place": "换行\n注入"}),
        ("/console/recordings/not-an-id", {}),
        ("/console/flags", {"open": "maybe"}),
    ]:
        page = await custodian.get(path, **params)
        assert page.status == 400, (path, params, page.text)
        assert page.code in {"bad_request", "bad_identifier"}, (path, params)
        assert "Content-Security-Policy" in page.headers
    supervisor = people["supervisor"]
    csrf = (await supervisor.get("/console/flags")).csrf
    bad_id = await supervisor.post("/console/flags/abc/resolve", {"csrf": csrf, "reason": "ok"})
    assert (bad_id.status, bad_id.code) == (400, "bad_identifier")
    no_reason = await supervisor.post("/console/flags/1/resolve", {"csrf": csrf, "reason": " "})
    assert (no_reason.status, no_reason.code) == (400, "bad_request")


async def test_search_finds_the_recording_and_its_page_shows_the_signed_fields(server, people):
    ready = await stored_recording(server)
    manifest = ready.signed.manifest
    custodian = people["custodian"]
    found = await custodian.get("/console/cases", officer="130102", place="中山东路")
    assert found.shows(str(manifest.evidence_id)) and found.shows(str(manifest.case_number))
    other_day = await custodian.get("/console/cases", officer="130102", date="2001-01-01")
    assert other_day.shows("没有找到") and not other_day.shows(str(manifest.evidence_id))
    case = await custodian.get(f"/console/cases/{manifest.case_number}")
    assert case.status == 200 and case.shows(str(manifest.evidence_id))
    page = await custodian.get(f"/console/recordings/{manifest.evidence_id}", lang="en")
    for shown in (
        str(manifest.case_number),
        "石家庄市长安区中山东路12号",
        "张伟 (130102001)",
        "查封现场物品清点过程",
        manifest.sha256.hex,
        str(len(ready.data)),
        "What it proves",
    ):
        assert page.shows(shown), shown


async def test_watching_needs_a_purpose_and_is_logged_before_the_first_byte(server, people):
    ready = await stored_recording(server)
    evidence_id = ready.signed.manifest.evidence_id
    reviewer, auditor = people["reviewer"], people["auditor"]
    page = await reviewer.get(f"/console/recordings/{evidence_id}")
    watch = f"/console/recordings/{evidence_id}/original/watch"
    size = await server.ctx.index.log.size()
    refused = await reviewer.post(watch, {"csrf": page.csrf, "purpose": "  "})
    assert (refused.status, refused.code) == (400, "purpose_required")
    assert await server.ctx.index.log.size() == size  # nothing logged, no grant issued
    player = await reviewer.post(watch, {"csrf": page.csrf, "purpose": PURPOSE})
    assert player.status == 200
    source = re.search(r'<video id="player"[^>]* src="([^"]+)"', player.text).group(1)
    index = int(re.search(r'id="log-index">(\d+)<', player.text).group(1))
    assert await server.ctx.index.log.leaf(index) is not None  # logged before any byte
    async with reviewer.http.get(server.url + source, headers={"Range": "bytes=10-19"}) as got:
        assert got.status == 206 and await got.read() == ready.data[10:20]
    log = await auditor.get("/console/audit", case_number=str(ready.signed.manifest.case_number))
    assert log.shows(PURPOSE) and log.shows("reviewer-1 (reviewer)")


async def test_a_form_body_that_is_not_what_its_content_type_says_is_a_400_not_a_500(
    server, people
):
    """aiohttp's form reader raises ValueError for a multipart body with no boundary or a
    field with no name; the fuzz test found the sign-in form answering 500 to it."""
    supervisor = people["supervisor"]
    flags_page = await supervisor.get("/console/flags")
    broken = {"Content-Type": "multipart/form-data; boundary=x", "Accept": "text/html"}
    for body in (b"", b"garbage", b"--x\r\nContent-Disposition: form-data\r\n\r\nv\r\n--x--\r\n"):
        for path in (SIGN_IN, "/console/flags/1/resolve", "/console/sign-out"):
            async with supervisor.http.post(
                server.url + path, data=body, headers=broken, allow_redirects=False
            ) as response:
                text = await response.text()
                assert response.status == 400, (path, body, text[:200])
                assert "<code>bad_body</code>" in text, text[:300]
    assert (await supervisor.get("/console/flags")).status == 200  # still signed in
    assert flags_page.status == 200
