"""Every route of the application against every role: a person is refused (403
``forbidden``) exactly where the table of ``ingest/access/permissions.py`` says so, and
no route a person calls goes without an action. The table itself is pinned as
docs/people.md shows it, so a change to it is a change to the documentation too."""

import re
from pathlib import Path

import pytest
from aiohttp import web

from evidence import wire
from ingest.access.permissions import MATRIX, USER_ROLES, Action, may
from ingest.http.app import build_app
from ingest.http.credentials import ANY_PERSON
from ingest.http.guard import ROUTE_ACTIONS

DOCS = Path(__file__).parent.parent.parent / "docs" / "people.md"
# Routes no person calls: devices', tus, health, and signing in (no token yet).
NOT_PEOPLES = {
    ("GET", wire.HEALTH),
    ("POST", wire.AUTH_CHALLENGE),
    ("POST", wire.AUTH_TOKEN),
    ("POST", wire.MANIFESTS),
    ("POST", wire.FINALIZE),
    ("POST", wire.DERIVATION_FAILED),
    ("POST", wire.SIGN_IN),
    # What experts and witnesses fetch without an account (docs/custody-log.md#the-api),
    # and a stream grant's URL, its own credential (docs/protocol.md#retrieval-supervised-and-logged).
    ("GET", wire.LOG_CHECKPOINT),
    ("GET", wire.LOG_CONSISTENCY),
    ("GET", wire.LOG_KEY),
    ("GET", wire.KEYS),
    ("GET", wire.GRANT),
    # The console's door: its sign-in form and style sheet come before any session
    # (docs/console.md); its pages are routes like any other, walked below.
    ("GET", "/console/sign-in"),
    ("POST", "/console/sign-in"),
    ("GET", "/console/static/{name}"),
}

# The documented table: action, then custodian, reviewer, supervisor, auditor, admin.
DOCUMENTED = {
    Action.READ_RECORDS: "yyyyy",
    Action.VIEW_FOOTAGE: "yyy-y",
    Action.EXPORT: "y-y-y",
    Action.VERIFY: "y---y",
    Action.KEEP: "y---y",
    Action.EDIT_ACTS: "y-y-y",
    Action.APPROVE: "--y-y",
    Action.HOLD: "y-y-y",
    Action.READ_REPORT: "y-yyy",
    Action.READ_AUDIT: "---yy",
    Action.MANAGE_CATALOGUE: "----y",
    Action.MANAGE_USERS: "----y",
}


def peoples_routes(app: web.Application) -> list[tuple[str, str, str]]:
    """(method, path with placeholders filled, action) for every route a person calls."""
    actions = app[ROUTE_ACTIONS]
    found = []
    for route in app.router.routes():
        path = route.resource.canonical if route.resource is not None else ""
        if route.method in {"HEAD", "OPTIONS"} or path.startswith(wire.FILES):
            continue
        if (route.method, path) in NOT_PEOPLES:
            continue
        assert (route.method, path) in actions, f"{route.method} {path} names no action"
        filled = re.sub(r"\{[^}]+\}", "1", path).replace("/1/1/", "/1/original/")
        found.append((route.method, filled, actions[(route.method, path)]))
    return found


def test_the_table_is_the_documented_one():
    assert set(MATRIX) == set(Action) == set(DOCUMENTED)
    assert USER_ROLES == ("custodian", "reviewer", "supervisor", "auditor", "admin")
    for action, marks in DOCUMENTED.items():
        assert [may(role, action) for role in USER_ROLES] == [m == "y" for m in marks], action
    documented = DOCS.read_text()
    for action, marks in DOCUMENTED.items():
        row = " | ".join("yes" if m == "y" else "—" for m in marks)
        assert f"| `{action.value}` |" in documented and row in documented, action


async def test_every_route_refuses_exactly_the_roles_the_table_refuses(server):
    tokens = {role: await server.add_user(f"user-{role}", role) for role in USER_ROLES}
    routes = peoples_routes(build_app(server.ctx.services))
    assert len(routes) >= 35  # records, flags, media, compliance and people
    checked = 0
    for method, path, action in routes:
        for role, token in tokens.items():
            allowed = action == ANY_PERSON or may(role, Action(action))
            reply = await server.send(method, path, token=token, body=b"{}")
            refused = (reply.status, reply.code) == (403, "forbidden")
            assert refused is not allowed, (role, method, path, reply.status, reply.body)
            checked += 1
    assert checked == len(routes) * len(USER_ROLES)


async def test_a_route_added_without_an_action_is_caught(server):
    app = build_app(server.ctx.services)

    async def handler(request):  # pragma: no cover - never called
        raise AssertionError

    assert peoples_routes(app)
    app.router.add_get(wire.API + "/unguarded", handler)
    with pytest.raises(AssertionError, match="GET /api/v1/unguarded names no action"):
        peoples_routes(app)
