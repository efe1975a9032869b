"""The custodian's recordings over HTTP (people only): list, inspect, re-verify, and the
exact signed bytes of a manifest. A person limited to some cases sees only theirs."""

from __future__ import annotations

import base64

from aiohttp import web

from evidence.identifiers import EvidenceId, Role
from evidence.wire import (
    RECORDING,
    RECORDING_MANIFEST,
    RECORDING_VERIFY,
    RECORDINGS,
    SIGNATURE_HEADER,
)
from ingest.access.permissions import Action
from ingest.access.person import Person
from ingest.compliance.forms import page
from ingest.http.guard import person_route
from ingest.http.services import services

__all__ = ["add_recording_routes"]


async def recordings(request: web.Request, person: Person) -> web.Response:
    limit, offset = page(request.query)
    case_number = request.query.get("case_number")
    gate = services(request).gate
    if case_number is None:
        gate.every_case(person, "a listing without ?case_number=")
    else:
        await gate.case(person, case_number)
    found = await services(request).recordings.find(case_number, limit=limit, offset=offset)
    return web.json_response({"recordings": found})


async def _visible(request: web.Request, person: Person) -> EvidenceId:
    evidence_id = EvidenceId(request.match_info["evidence_id"])
    await services(request).gate.recording(person, evidence_id)
    return evidence_id


async def recording(request: web.Request, person: Person) -> web.Response:
    evidence_id = await _visible(request, person)
    return web.json_response(await services(request).recordings.get(evidence_id))


async def verify(request: web.Request, person: Person) -> web.Response:
    evidence_id = await _visible(request, person)
    return web.json_response(await services(request).verifier.verify(evidence_id))


async def manifest_bytes(request: web.Request, person: Person) -> web.Response:
    """The exact signed bytes, with the signature beside them, for checking with openssl."""
    evidence_id = await _visible(request, person)
    role = Role.parse(request.match_info["role"])
    record = await services(request).recordings.manifest(evidence_id, role)
    return web.Response(
        body=record.body,
        content_type="application/json",
        headers={SIGNATURE_HEADER: base64.b64encode(record.signature).decode("ascii")},
    )


def add_recording_routes(app: web.Application) -> None:
    person_route(app, "GET", RECORDINGS, recordings, Action.READ_RECORDS)
    person_route(app, "GET", RECORDING, recording, Action.READ_RECORDS)
    person_route(app, "POST", RECORDING_VERIFY, verify, Action.VERIFY)
    person_route(app, "GET", RECORDING_MANIFEST, manifest_bytes, Action.READ_RECORDS)
