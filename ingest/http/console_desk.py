"""The console's desk pages: flags with their resolution (supervisors and admins resolve,
saying why; who and when come from the session), and the auditor's view of the access
log, for a case or a person. Same services and gate as the JSON API."""

from __future__ import annotations

from aiohttp import web

from evidence.errors import BadRequest
from ingest.access.actors import actor_of
from ingest.access.permissions import Action, may
from ingest.access.person import Person
from ingest.compliance import forms
from ingest.console.paging import pager
from ingest.console.search import text_field
from ingest.custody.flags import flag_json
from ingest.http.console_guard import CONSOLE, console_route, page, read_form
from ingest.http.services import services
from storage.log_records import AccessQuery

__all__ = ["AUDIT_PAGE", "FLAGS_PAGE", "add_desk_routes"]

FLAGS_PAGE = CONSOLE + "/flags"
FLAG_RESOLVE_PAGE = FLAGS_PAGE + "/{flag_id}/resolve"
AUDIT_PAGE = CONSOLE + "/audit"
_PAGE, _MAX_PAGE = 100, 500  # rows a page shows unless ?limit= asks, and at most


async def get_flags(request: web.Request, person: Person) -> web.Response:
    services(request).gate.every_case(person, "the list of flags")
    shown = request.query.get("open", "true")
    if shown not in ("true", "false"):
        raise BadRequest(f"open is true or false, not {shown!r}")
    pages = pager(FLAGS_PAGE, request.query, _PAGE, _MAX_PAGE)
    found = await services(request).flags.find(None, shown == "true", pages.read, pages.offset)
    return page(
        request,
        "flags.html",
        person=person,
        flags=[flag_json(flag) for flag in pages.rows(found)],
        pages=pages.links(len(found)),
        showing_open=shown == "true",
        may_approve=may(person.role, Action.APPROVE),
    )


async def post_resolve(request: web.Request, person: Person) -> web.StreamResponse:
    services(request).gate.every_case(person, "resolving a flag")
    flag_id = forms.path_id(request.match_info["flag_id"], "a flag id")
    reason = str((await read_form(request)).get("reason", "")).strip()
    if not reason or len(reason) > 1024 or not reason.isprintable():
        raise BadRequest("say why the flag is resolved: 1 to 1024 printable characters")
    await services(request).flags.resolve(flag_id, reason, actor_of(person))
    raise web.HTTPSeeOther(FLAGS_PAGE + "?open=false")


async def get_audit(request: web.Request, person: Person) -> web.Response:
    case_number = text_field(request.query, "case_number") or None
    user = text_field(request.query, "user") or None
    gate = services(request).gate
    if case_number is None:
        gate.every_case(person, "the access log without a case number")
    else:
        await gate.case(person, case_number)
    pages = pager(AUDIT_PAGE, request.query, _PAGE, _MAX_PAGE)
    query = AccessQuery(case_number=case_number, actor=user, limit=pages.read, offset=pages.offset)
    found = await services(request).accesses.find(query)
    return page(
        request,
        "audit.html",
        person=person,
        accesses=pages.rows(found),
        pages=pages.links(len(found)),
        case_number=case_number,
        user=user,
    )


def add_desk_routes(app: web.Application) -> None:
    console_route(app, "GET", FLAGS_PAGE, get_flags, Action.READ_RECORDS)
    console_route(app, "POST", FLAG_RESOLVE_PAGE, post_resolve, Action.APPROVE)
    console_route(app, "GET", AUDIT_PAGE, get_audit, Action.READ_AUDIT)
