"""Custodian endpoints for media: a room session's timeline, matching a clip against a
recording, attaching a transcript (named after the signed-in person)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from aiohttp import web

from evidence.identifiers import EvidenceId
from evidence.wire import RECORDING_MATCH, RECORDING_TRANSCRIPT, SESSION
from ingest.access.permissions import Action
from ingest.access.person import Person
from ingest.custody.recordings import receipt_json
from ingest.http.bodies import read_bounded, require_content_type, save_body
from ingest.http.guard import person_route
from ingest.http.services import services
from runtime.private_files import make_private_dirs

__all__ = ["add_media_routes"]


async def session(request: web.Request, person: Person) -> web.Response:
    session_id = request.match_info["session_id"]
    await services(request).gate.session(person, session_id)
    return web.json_response(await services(request).sessions.timeline(session_id))


async def match(request: web.Request, person: Person) -> web.Response:
    clips = services(request).clips
    evidence_id = EvidenceId(request.match_info["evidence_id"])
    await services(request).gate.recording(person, evidence_id)
    require_content_type(request, "the clip", "video/*", "application/octet-stream")
    make_private_dirs(clips.scratch)
    with tempfile.TemporaryDirectory(dir=clips.scratch) as folder:
        clip = Path(folder) / "clip"
        await save_body(request, clip, clips.max_clip_bytes, "the clip")
        return web.json_response(await clips.match(evidence_id, clip))


async def transcript(request: web.Request, person: Person) -> web.Response:
    transcripts = services(request).transcripts
    evidence_id = EvidenceId(request.match_info["evidence_id"])
    await services(request).gate.recording(person, evidence_id)
    require_content_type(request, "the transcript", "text/plain")
    text = await read_bounded(request, transcripts.max_bytes, "the transcript")
    stored = await transcripts.attach(person.name, evidence_id, text)
    return web.json_response(receipt_json(stored), status=201)


def add_media_routes(app: web.Application) -> None:
    person_route(app, "GET", SESSION, session, Action.READ_RECORDS)
    person_route(app, "POST", RECORDING_MATCH, match, Action.VIEW_FOOTAGE)
    person_route(app, "POST", RECORDING_TRANSCRIPT, transcript, Action.KEEP)
