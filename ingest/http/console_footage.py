"""Footage from the console, only after the viewer states a purpose in a form (POST, with
the session's CSRF token): watching issues the API's stream grant — the access is
committed to the custody log when the grant is issued, before the first byte — and the
page's ``<video>`` plays the grant's URL, which serves HTTP ranges for seeking.
Downloading the original and exporting a case's evidence package are logged the same
way, before their bytes."""

from __future__ import annotations

import asyncio

from aiohttp import web

from evidence.identifiers import EvidenceId, Role
from evidence.tlog.leaf_events import AccessAction
from evidence.wire import GRANT
from ingest.access.actors import actor_of
from ingest.access.permissions import Action
from ingest.access.person import Person
from ingest.http.byte_serving import serve
from ingest.http.console_guard import console_route, page, read_form
from ingest.http.console_pages import CASE_PAGE, RECORDING_PAGE
from ingest.http.services import services
from ingest.http.transfer import send_export
from ingest.retrieval.purposes import check_purpose
from ingest.retrieval.retrieval import Target

__all__ = ["add_footage_routes"]

WATCH = RECORDING_PAGE + "/{role}/watch"
DOWNLOAD = RECORDING_PAGE + "/{role}/download"
EXPORT = CASE_PAGE + "/export"


async def _purpose(request: web.Request) -> str:
    return check_purpose(str((await read_form(request)).get("purpose", "")) or None)


async def _object(request: web.Request, person: Person) -> tuple[EvidenceId, Role]:
    evidence_id = EvidenceId(request.match_info["evidence_id"])
    role = Role.parse(request.match_info["role"])
    await services(request).gate.recording(person, evidence_id)
    return evidence_id, role


async def post_watch(request: web.Request, person: Person) -> web.Response:
    evidence_id, role = await _object(request, person)
    purpose = await _purpose(request)
    token, grant = await services(request).retrieval.grant(
        actor_of(person), evidence_id, role, purpose
    )
    return page(
        request,
        "watch.html",
        person=person,
        evidence_id=str(evidence_id),
        role=role.value,
        purpose=purpose,
        source=GRANT.format(grant=token),
        log_index=grant.log_index,
        content_type=grant.target.content_type,
    )


async def post_download(request: web.Request, person: Person) -> web.StreamResponse:
    evidence_id, role = await _object(request, person)
    purpose = await _purpose(request)
    retrieval = services(request).retrieval
    target = await retrieval.target(evidence_id, role)

    async def logged(chosen: Target) -> int:
        return await retrieval.log_access(actor_of(person), chosen, AccessAction.DOWNLOAD, purpose)

    return await serve(request, retrieval, target, AccessAction.DOWNLOAD, logged)


async def post_export(request: web.Request, person: Person) -> web.StreamResponse:
    case_number = request.match_info["case_number"]
    purpose = await _purpose(request)
    found = services(request)
    await found.gate.case(person, case_number)
    case, stored = await found.exporter.select(case_number, [])
    export = await found.exporter.export(actor_of(person), stored, case, purpose)
    try:
        return await send_export(request, export)
    finally:
        await asyncio.to_thread(found.exporter.discard, export.folder, export.archive)


def add_footage_routes(app: web.Application) -> None:
    console_route(app, "POST", WATCH, post_watch, Action.VIEW_FOOTAGE)
    console_route(app, "POST", DOWNLOAD, post_download, Action.VIEW_FOOTAGE)
    console_route(app, "POST", EXPORT, post_export, Action.EXPORT)
