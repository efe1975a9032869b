"""Custodian endpoints for media: a room session's timeline, matching a clip against a
recording, attaching a transcript."""

from __future__ import annotations

import tempfile
from pathlib import Path

from aiohttp import web

from evidence.identifiers import EvidenceId
from evidence.wire import RECORDING_MATCH, RECORDING_TRANSCRIPT, SESSION
from ingest.custody.recordings import receipt_json
from ingest.http.bodies import read_bounded, require_content_type, save_body
from ingest.http.credentials import signed_in_user
from ingest.http.services import services
from runtime.private_files import make_private_dirs

__all__ = ["add_media_routes"]


async def session(request: web.Request) -> web.Response:
    await signed_in_user(request)
    timeline = await services(request).sessions.timeline(request.match_info["session_id"])
    return web.json_response(timeline)


async def match(request: web.Request) -> web.Response:
    await signed_in_user(request)
    clips = services(request).clips
    evidence_id = EvidenceId(request.match_info["evidence_id"])
    require_content_type(request, "the clip", "video/*", "application/octet-stream")
    make_private_dirs(clips.scratch)
    with tempfile.TemporaryDirectory(dir=clips.scratch) as folder:
        clip = Path(folder) / "clip"
        await save_body(request, clip, clips.max_clip_bytes, "the clip")
        return web.json_response(await clips.match(evidence_id, clip))


async def transcript(request: web.Request) -> web.Response:
    user = await signed_in_user(request, roles=("custodian", "admin"))
    transcripts = services(request).transcripts
    evidence_id = EvidenceId(request.match_info["evidence_id"])
    require_content_type(request, "the transcript", "text/plain")
    text = await read_bounded(request, transcripts.max_bytes, "the transcript")
    stored = await transcripts.attach(user, evidence_id, text)
    return web.json_response(receipt_json(stored), status=201)


def add_media_routes(app: web.Application) -> None:
    app.router.add_get(SESSION, session)
    app.router.add_post(RECORDING_MATCH, match)
    app.router.add_post(RECORDING_TRANSCRIPT, transcript)
