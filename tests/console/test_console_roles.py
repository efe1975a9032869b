"""Every console page and form against every role, each signed in with the console's
cookie: refused (403 ``forbidden``, as a page) exactly where the table of
``ingest/access/permissions.py`` says so. Buttons are hidden too, but the server decides."""

import re

from ingest.access.permissions import USER_ROLES, Action, may
from ingest.http.app import build_app
from ingest.http.credentials import ANY_PERSON
from ingest.http.guard import ROUTE_ACTIONS


def console_routes(server):
    actions = build_app(server.ctx.services)[ROUTE_ACTIONS]
    found = [(m, p, a) for (m, p), a in actions.items() if p.startswith("/console")]
    return [
        (method, re.sub(r"\{[^}]+\}", "1", path).replace("/1/1/", "/1/original/"), action)
        for method, path, action in found
        if not path.endswith("/sign-out")  # walked last: it ends the session
    ]


async def test_every_console_page_refuses_exactly_the_roles_the_table_refuses(server, people):
    routes = console_routes(server)
    assert len(routes) >= 8
    checked = 0
    for method, path, action in routes:
        for role in USER_ROLES:
            person = people[role]
            allowed = action == ANY_PERSON or may(role, Action(action))
            if method == "GET":
                page = await person.get(path)
            else:
                csrf = (await person.get("/console/cases")).csrf
                page = await person.post(path, {"csrf": csrf}, redirects=False)
            refused = (page.status, page.code) == (403, "forbidden")
            assert refused is not allowed, (role, method, path, page.status, page.text[:300])
            assert page.status < 500, (role, method, path, page.text)
            checked += 1
    assert checked == len(routes) * len(USER_ROLES)


async def test_an_auditor_sees_records_but_no_player_and_no_footage(server, people):
    from tests.custody.helpers import stored_recording

    ready = await stored_recording(server)
    evidence_id = ready.signed.manifest.evidence_id
    auditor = people["auditor"]
    page = await auditor.get(f"/console/recordings/{evidence_id}")
    assert page.status == 200 and 'id="watch-original"' not in page.text
    watch = f"/console/recordings/{evidence_id}/original/watch"
    refused = await auditor.post(watch, {"csrf": page.csrf, "purpose": "curious"})
    assert (refused.status, refused.code) == (403, "forbidden")
