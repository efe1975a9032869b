"""Custodian endpoints for media: a room session's timeline, matching a clip against a
recording, attaching a transcript."""

from __future__ import annotations

import tempfile
from pathlib import Path

from aiohttp import web

from evidence.identifiers import EvidenceId
from evidence.wire import RECORDING_MATCH, RECORDING_TRANSCRIPT, SESSION
from ingest.access.device_sign_in import authenticate_user
from ingest.context import CONTEXT
from ingest.custody.recordings import receipt_json
from ingest.http.middleware import read_bounded, require_content_type, save_body
from ingest.media.clip_matching import match_recording
from ingest.media.sessions import session_timeline
from ingest.media.transcripts import attach_transcript
from runtime.private_files import make_private_dirs

__all__ = ["add_media_routes"]


async def session(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    await authenticate_user(ctx, request)
    return web.json_response(await session_timeline(ctx, request.match_info["session_id"]))


async def match(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    await authenticate_user(ctx, request)
    evidence_id = EvidenceId(request.match_info["evidence_id"])
    require_content_type(request, "the clip", "video/*", "application/octet-stream")
    scratch = ctx.config.data_dir / "tmp"
    make_private_dirs(scratch)
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        clip = Path(folder) / "clip"
        await save_body(request, clip, ctx.config.max_clip_bytes, "the clip")
        return web.json_response(await match_recording(ctx, evidence_id, clip))


async def transcript(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    user = await authenticate_user(ctx, request, roles=("custodian", "admin"))
    evidence_id = EvidenceId(request.match_info["evidence_id"])
    require_content_type(request, "the transcript", "text/plain")
    text = await read_bounded(request, ctx.config.max_transcript_bytes, "the transcript")
    stored = await attach_transcript(ctx, user, evidence_id, text)
    return web.json_response(receipt_json(stored), status=201)


def add_media_routes(app: web.Application) -> None:
    app.router.add_get(SESSION, session)
    app.router.add_post(RECORDING_MATCH, match)
    app.router.add_post(RECORDING_TRANSCRIPT, transcript)
