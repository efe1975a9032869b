"""The custodian's JSON API: list, inspect and re-verify recordings (user tokens only)."""

from __future__ import annotations

import base64

from aiohttp import web

from evidence.errors import NotFound
from evidence.identifiers import EvidenceId, Role
from evidence.wire import (
    RECORDING,
    RECORDING_MANIFEST,
    RECORDING_VERIFY,
    RECORDINGS,
    SIGNATURE_HEADER,
)
from ingest.access.device_sign_in import authenticate_user
from ingest.compliance.forms import page
from ingest.context import CONTEXT
from ingest.custody.recordings import get_recording, list_recordings
from ingest.custody.verification import verify_recording

__all__ = ["add_custodian_routes"]


async def recordings(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    await authenticate_user(ctx, request)
    limit, offset = page(request.query)
    found = await list_recordings(ctx, request.query.get("case_number"), limit=limit, offset=offset)
    return web.json_response({"recordings": found})


async def recording(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    await authenticate_user(ctx, request)
    return web.json_response(
        await get_recording(ctx, EvidenceId(request.match_info["evidence_id"]))
    )


async def verify(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    await authenticate_user(ctx, request, roles=("custodian", "admin"))
    return web.json_response(
        await verify_recording(ctx, EvidenceId(request.match_info["evidence_id"]))
    )


async def manifest_bytes(request: web.Request) -> web.Response:
    """The exact signed bytes, with the signature beside them, for checking with openssl."""
    ctx = request.app[CONTEXT]
    await authenticate_user(ctx, request)
    evidence_id = EvidenceId(request.match_info["evidence_id"])
    role = Role.parse(request.match_info["role"])
    record = await ctx.index.uploads.manifest(evidence_id, role)
    if record is None:
        raise NotFound(f"no manifest for {evidence_id}/{role}")
    return web.Response(
        body=record.body,
        content_type="application/json",
        headers={SIGNATURE_HEADER: base64.b64encode(record.signature).decode("ascii")},
    )


def add_custodian_routes(app: web.Application) -> None:
    app.router.add_get(RECORDINGS, recordings)
    app.router.add_get(RECORDING, recording)
    app.router.add_post(RECORDING_VERIFY, verify)
    app.router.add_get(RECORDING_MANIFEST, manifest_bytes)
