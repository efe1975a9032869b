"""The custodian's recordings over HTTP (user tokens only): list, inspect, re-verify, and
the exact signed bytes of a manifest."""

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
from ingest.compliance.forms import page
from ingest.http.credentials import signed_in_user
from ingest.http.services import services

__all__ = ["add_recording_routes"]


async def recordings(request: web.Request) -> web.Response:
    await signed_in_user(request)
    limit, offset = page(request.query)
    case_number = request.query.get("case_number")
    found = await services(request).recordings.find(case_number, limit=limit, offset=offset)
    return web.json_response({"recordings": found})


async def recording(request: web.Request) -> web.Response:
    await signed_in_user(request)
    evidence_id = EvidenceId(request.match_info["evidence_id"])
    return web.json_response(await services(request).recordings.get(evidence_id))


async def verify(request: web.Request) -> web.Response:
    await signed_in_user(request, roles=("custodian", "admin"))
    evidence_id = EvidenceId(request.match_info["evidence_id"])
    return web.json_response(await services(request).verifier.verify(evidence_id))


async def manifest_bytes(request: web.Request) -> web.Response:
    """The exact signed bytes, with the signature beside them, for checking with openssl."""
    await signed_in_user(request)
    evidence_id = EvidenceId(request.match_info["evidence_id"])
    role = Role.parse(request.match_info["role"])
    record = await services(request).recordings.manifest(evidence_id, role)
    return web.Response(
        body=record.body,
        content_type="application/json",
        headers={SIGNATURE_HEADER: base64.b64encode(record.signature).decode("ascii")},
    )


def add_recording_routes(app: web.Application) -> None:
    app.router.add_get(RECORDINGS, recordings)
    app.router.add_get(RECORDING, recording)
    app.router.add_post(RECORDING_VERIFY, verify)
    app.router.add_get(RECORDING_MANIFEST, manifest_bytes)
