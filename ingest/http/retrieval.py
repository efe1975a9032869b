"""Supervised retrieval over HTTP (docs/protocol.md#retrieval-supervised-and-logged).

    GET  …/recordings/{id}/{role}/content?purpose=…&action=view|download   one access
    POST …/recordings/{id}/{role}/grants  {"purpose": …}                   a stream grant
    GET  …/grants/{grant}   (and HEAD)                                     its bytes, ranged
    GET  …/audit/access?case_number=&user=&since=&evidence_id=             who looked, why

The access is committed to the custody log before the response starts; a request refused
before that (no purpose, no such object or one outside the person's cases, a range past
the end) logs nothing. Watching and downloading are ``view_footage``; the access log is
``read_audit``. Thin: parse, authorise, call ``Retrieval``, stream
(``http/byte_serving.py``).
"""

from __future__ import annotations

from aiohttp import web

from evidence.errors import BadRequest
from evidence.identifiers import EvidenceId, Role
from evidence.strict_json import format_time
from evidence.tlog.leaf_events import AccessAction
from evidence.wire import AUDIT_ACCESS, GRANT, RECORDING_CONTENT, RECORDING_GRANTS
from ingest.access.actors import actor_of
from ingest.access.permissions import Action
from ingest.access.person import Person
from ingest.compliance.forms import page, when_given
from ingest.http.bodies import read_json
from ingest.http.byte_serving import serve
from ingest.http.guard import person_route
from ingest.http.services import services
from ingest.retrieval.retrieval import Target
from storage.log_records import AccessQuery

__all__ = ["add_retrieval_routes"]

_ACTIONS = {"view": AccessAction.VIEW, "download": AccessAction.DOWNLOAD}


async def _object(request: web.Request, person: Person) -> tuple[EvidenceId, Role]:
    """The object asked for, if the person may see its recording (else the same 404)."""
    evidence_id = EvidenceId(request.match_info["evidence_id"])
    role = Role.parse(request.match_info["role"])
    await services(request).gate.recording(person, evidence_id)
    return evidence_id, role


async def get_content(request: web.Request, person: Person) -> web.StreamResponse:
    action = _ACTIONS.get(request.query.get("action", "view"))
    if action is None:
        raise BadRequest("action is view or download; a player asks for a stream grant")
    retrieval = services(request).retrieval
    target = await retrieval.target(*await _object(request, person))

    async def logged(chosen: Target) -> int:
        return await retrieval.log_access(
            actor_of(person), chosen, action, request.query.get("purpose", "")
        )

    return await serve(request, retrieval, target, action, logged)


async def post_grant(request: web.Request, person: Person) -> web.Response:
    evidence_id, role = await _object(request, person)
    body = await read_json(request)
    purpose = body.get("purpose") if isinstance(body, dict) else None
    if not isinstance(purpose, str) or set(body) - {"purpose"}:
        raise BadRequest('send {"purpose": "…"}: why you are looking at this footage')
    token, grant = await services(request).retrieval.grant(
        actor_of(person), evidence_id, role, purpose
    )
    return web.json_response(
        {
            "grant": token,
            "url": GRANT.format(grant=token),  # relative: right behind any proxy
            "expires_at": format_time(grant.expires_at),
            "log_index": grant.log_index,
            "size": grant.target.size,
            "content_type": grant.target.content_type,
        },
        status=201,
    )


async def get_granted(request: web.Request) -> web.StreamResponse:
    retrieval = services(request).retrieval
    grant = retrieval.granted(request.match_info["grant"])

    async def covered(_: Target) -> int:
        return grant.log_index  # logged once, when the grant was issued

    return await serve(request, retrieval, grant.target, AccessAction.STREAM, covered)


async def get_accesses(request: web.Request, person: Person) -> web.Response:
    case_number = request.query.get("case_number") or None
    gate = services(request).gate
    if case_number is None:
        gate.every_case(person, "the access log without ?case_number=")
    else:
        await gate.case(person, case_number)
    limit, offset = page(request.query)
    since = request.query.get("since")
    evidence_id = request.query.get("evidence_id")
    zone = services(request).compliance.settings.zone
    query = AccessQuery(
        case_number=case_number,
        actor=request.query.get("user") or None,
        since=None if since is None else when_given(since, zone, "since"),
        evidence_id=None if evidence_id is None else EvidenceId(evidence_id),
        limit=limit,
        offset=offset,
    )
    return web.json_response({"accesses": await services(request).accesses.find(query)})


def add_retrieval_routes(app: web.Application) -> None:
    person_route(app, "GET", RECORDING_CONTENT, get_content, Action.VIEW_FOOTAGE)
    person_route(app, "POST", RECORDING_GRANTS, post_grant, Action.VIEW_FOOTAGE)
    app.router.add_get(GRANT, get_granted)  # the grant in its URL is the credential
    person_route(app, "GET", AUDIT_ACCESS, get_accesses, Action.READ_AUDIT)
