"""Media, end to end through the agent and a real server: broken footage kept as evidence,
review copies and their fingerprints, room sessions, transcripts, clip matching."""

import asyncio
import base64
import json
import logging
import os
from datetime import UTC, datetime

import pytest

from agent.states import FileState
from devices.broken import write_empty, write_not_media, write_truncated, write_undecodable
from devices.footage import write_audio, write_clip
from devices.room_recorder import RoomRecorder
from devices.sidecar import Sidecar, write_sidecar
from evidence.identifiers import Role
from evidence.receipt import SignedReceipt
from evidence.wire import RECORDING, RECORDING_MATCH, RECORDING_TRANSCRIPT, SESSION
from tests.agent.conftest import all_in, originals, running_agent, wait_for_rows
from tests.media.copies import cut

START = datetime(2026, 3, 12, 1, 30, tzinfo=UTC)
VIDEO = {"Content-Type": "video/mp4"}
TEXT = {"Content-Type": "text/plain; charset=utf-8"}

BROKEN = {
    "empty.mp4": lambda path: write_empty(path),
    "document.mp4": lambda path: write_not_media(path),
    "cut-short.mp4": lambda path: write_truncated(path, started_at=START),
    "corrupt.mp4": lambda path: write_undecodable(path, started_at=START),
}


def by_name(rows):
    return {row.path.name: row for row in rows}


async def test_broken_footage_is_kept_signed_and_flagged_and_gets_no_review_copy(
    server, agent_config, rule
):
    bay = agent_config.watch[0]
    for name, make in BROKEN.items():
        make(bay / name)
    write_clip(
        bay / "variable.mp4", seconds=2, started_at=START, width=320, height=240, variable_rate=True
    )
    write_audio(bay / "talk.m4a", seconds=2, started_at=START)
    async with running_agent(agent_config, rule) as service:
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 6), within=60)
    found = by_name(originals(rows))
    for name in BROKEN:
        media = json.loads(found[name].manifest)["media"]
        assert media["decodable"] is False and media["problem"], name
        flags = await server.ctx.index.flags.open_for(found[name].evidence_id)
        assert "undecodable" in [flag.kind for flag in flags], name
        assert (
            await server.ctx.index.objects.get(found[name].evidence_id, Role.ORIGINAL) is not None
        )
    copies = {row.parent_id: row for row in rows if row.role is Role.PROXY}
    assert {found[name].id for name in BROKEN}.isdisjoint(copies), (
        "no review copy of broken footage"
    )
    for name in ("variable.mp4", "talk.m4a"):
        assert copies[found[name].id].state is FileState.RECEIPTED, name
        assert await server.ctx.index.objects.get(found[name].evidence_id, Role.PROXY) is not None


async def test_a_review_copy_is_linked_to_its_original_and_carries_both_fingerprints(
    server, agent_config, rule
):
    write_clip(
        agent_config.watch[0] / "clip.mp4", seconds=3, started_at=START, width=640, height=480
    )
    async with running_agent(agent_config, rule) as service:
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1))
    [original] = originals(rows)
    [proxy] = [row for row in rows if row.role is Role.PROXY]
    copy = json.loads(proxy.manifest)
    assert copy["role"] == "proxy"
    assert copy["derived_from"] == {
        "evidence_id": str(original.evidence_id),
        "role": "original",
        "sha256": json.loads(original.manifest)["file"]["sha256"],
    }
    assert copy["file"]["sha256"] != copy["derived_from"]["sha256"]
    assert [p[0] for p in copy["perceptual"]["original"]] == [0, 1, 2]
    assert [p[0] for p in copy["perceptual"]["derived"]] == [0, 1, 2]
    assert len(await server.ctx.index.media.prints(original.evidence_id, Role.ORIGINAL)) == 3
    assert len(await server.ctx.index.media.prints(original.evidence_id, Role.PROXY)) == 3


async def test_a_room_session_is_one_timeline_with_its_holes(server, agent_config, rule):
    recorder = RoomRecorder(agent_config.watch[1])
    recorder.record_session(
        "room1-20260312-0930", started_at=START, segments=4, skip=(2,), gaps={4: 6.0}
    )
    async with running_agent(agent_config, rule) as service:
        await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 3), within=60)
    token = await server.add_user()
    timeline = (
        await server.send("GET", SESSION.format(session_id="room1-20260312-0930"), token=token)
    ).json()
    assert [segment["index"] for segment in timeline["segments"]] == [1, 3, 4]
    assert all(segment["stored"] for segment in timeline["segments"])
    assert timeline["holes"] == [
        {"kind": "missing_segment", "index": 2},
        {
            "kind": "gap",
            "after_index": 3,
            "from": "2026-03-12T01:30:06Z",
            "to": "2026-03-12T01:30:12Z",
            "seconds": 6.0,
        },
    ]
    assert timeline["complete"] is False
    missing = await server.send("GET", SESSION.format(session_id="no-such-session"), token=token)
    assert (missing.status, missing.code) == (404, "not_found")


async def test_an_audio_only_session_chains_too(server, agent_config, rule):
    RoomRecorder(agent_config.watch[1]).record_session(
        "hearing-7", started_at=START, segments=2, audio_only=".wav"
    )
    async with running_agent(agent_config, rule) as service:
        await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 2), within=60)
    token = await server.add_user()
    timeline = (
        await server.send("GET", SESSION.format(session_id="hearing-7"), token=token)
    ).json()
    assert timeline["complete"] is True and timeline["holes"] == []


async def test_a_file_that_keeps_growing_is_reported_and_taken_once_it_stops(
    server, agent_config, rule, caplog
):
    media = agent_config.watch[0] / "still-recording.mp4"
    caplog.set_level(logging.WARNING, logger="agent.service")
    async with running_agent(agent_config, rule) as service:
        with open(media, "ab") as out:
            for _ in range(20):  # 3 s of growth, longer than the 2 s alarm in the test config
                out.write(os.urandom(1000))
                out.flush()
                await asyncio.sleep(0.15)
            rows = await service.journal.all_files()
            assert [row.state for row in rows] == [FileState.DISCOVERED], (
                "never taken while it grows"
            )
        [row] = originals(
            await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1), within=60)
        )
    assert "still being written" in caplog.text
    assert json.loads(row.manifest)["file"]["size"] == 20_000


async def test_a_transcript_beside_the_recording_is_uploaded_with_it(server, agent_config, rule):
    bay = agent_config.watch[0]
    write_audio(bay / "interview.wav", seconds=1, started_at=START)
    (bay / "interview.transcript.txt").write_text(
        "问：你叫什么名字？\n答：张三。\n", encoding="utf-8"
    )
    async with running_agent(agent_config, rule) as service:
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1), within=60)
    [original] = originals(rows)
    token = await server.add_user()
    recording = (
        await server.send("GET", RECORDING.format(evidence_id=original.evidence_id), token=token)
    ).json()
    roles = {item["role"]: item for item in recording["objects"]}
    assert set(roles) == {"original", "proxy", "transcript"}
    assert roles["transcript"]["manifest"]["derived_from"]["role"] == "original"
    assert roles["transcript"]["manifest"]["file"]["media_type"] == "text/plain"


@pytest.fixture
async def stored_clip(server, agent_config, rule, tmp_path):
    source = tmp_path / "source.mp4"
    write_clip(source, seconds=10, started_at=START, width=320, height=240, hue=90)
    write_sidecar(
        agent_config.watch[0] / "recording.json", Sidecar(started_at=START, officer_id="130102001")
    )
    (agent_config.watch[0] / "recording.mp4").write_bytes(source.read_bytes())
    async with running_agent(agent_config, rule) as service:
        rows = await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1), within=60)
    return originals(rows)[0], source


async def test_a_custodian_asks_whether_a_clip_comes_from_a_recording(
    server, stored_clip, tmp_path
):
    original, source = stored_clip
    token = await server.add_user()
    path = RECORDING_MATCH.format(evidence_id=original.evidence_id)
    cut(source, tmp_path / "copy.mp4", 3.3, 7.3, height=120, bitrate=200_000)
    result = (
        await server.send(
            "POST", path, token=token, body=(tmp_path / "copy.mp4").read_bytes(), headers=VIDEO
        )
    ).json()
    assert result["verdict"] == "match"
    assert abs(result["recording_seconds"][0] - 3.3) <= 1
    other = tmp_path / "other.mp4"
    write_clip(other, seconds=4, started_at=START, width=320, height=240, hue=127)
    clip = other.read_bytes()
    result = (await server.send("POST", path, token=token, body=clip, headers=VIDEO)).json()
    assert result["verdict"] == "no_match"
    garbage = await server.send("POST", path, token=token, body=b"not a video", headers=VIDEO)
    assert (garbage.status, garbage.code) == (400, "unreadable_media")
    assert (await server.send("POST", path, body=clip, headers=VIDEO)).status == 401


async def test_clip_matching_needs_fingerprints_and_a_bounded_clip(server, agent_config, rule):
    write_audio(agent_config.watch[0] / "sound-only.wav", seconds=1, started_at=START)
    async with running_agent(agent_config, rule) as service:
        [row] = originals(
            await wait_for_rows(service.journal, all_in(FileState.RECEIPTED, 1), within=60)
        )
    token = await server.add_user()
    path = RECORDING_MATCH.format(evidence_id=row.evidence_id)
    reply = await server.send("POST", path, token=token, body=b"x" * 100, headers=VIDEO)
    assert (reply.status, reply.code) == (409, "no_fingerprints")
    limit = server.ctx.config.max_clip_bytes
    big = await server.send(
        "POST", path, token=token, body=b"x", headers={**VIDEO, "Content-Length": str(limit + 1)}
    )
    assert big.status == 413


async def test_a_custodian_attaches_a_transcript_which_the_server_signs(server, stored_clip):
    original, _ = stored_clip
    token = await server.add_user("wang", "custodian")
    path = RECORDING_TRANSCRIPT.format(evidence_id=original.evidence_id)
    text = "执法人员出示证件，告知当事人权利义务。".encode()
    reply = await server.send("POST", path, token=token, body=text, headers=TEXT)
    assert reply.status == 201, reply.body
    receipt = SignedReceipt.parse(
        base64.b64decode(reply.json()["receipt"]), base64.b64decode(reply.json()["signature"])
    )
    receipt.verify(server.ctx.server_key.public_key())
    manifest = json.loads(
        (await server.ctx.index.uploads.manifest(original.evidence_id, Role.TRANSCRIPT)).body
    )
    assert manifest["signer"]["device_id"] == "liuhen-ingest"
    assert manifest["capture"]["captured_by"]["officer_id"] == "wang"
    again = await server.send("POST", path, token=token, body=text, headers=TEXT)
    assert (again.status, again.code) == (409, "manifest_conflict")


@pytest.mark.parametrize(
    ("body", "role", "status", "code"),
    [
        (b"\xff\xfe not utf-8", "custodian", 400, "bad_body"),
        (b"fine", "supervisor", 403, "forbidden"),
    ],
)
async def test_bad_transcripts_are_refused(server, stored_clip, body, role, status, code):
    original, _ = stored_clip
    token = await server.add_user(f"user-{role}", role)
    reply = await server.send(
        "POST",
        RECORDING_TRANSCRIPT.format(evidence_id=original.evidence_id),
        token=token,
        body=body,
        headers=TEXT,
    )
    assert (reply.status, reply.code) == (status, code)


async def test_a_transcript_for_an_unknown_recording_or_too_long_is_refused(server, stored_clip):
    original, _ = stored_clip
    token = await server.add_user()
    missing = RECORDING_TRANSCRIPT.format(evidence_id="00000000-0000-4000-8000-000000000000")
    assert (await server.send("POST", missing, token=token, body=b"x", headers=TEXT)).code == (
        "not_found"
    )
    too_long = b"x" * (server.ctx.config.max_transcript_bytes + 1)
    path = RECORDING_TRANSCRIPT.format(evidence_id=original.evidence_id)
    assert (await server.send("POST", path, token=token, body=too_long, headers=TEXT)).status == 413


async def test_the_command_line_matches_clips_attaches_transcripts_and_shows_sessions(
    server, stored_clip, tmp_path, liuhen
):
    original, source = stored_clip
    cut(source, tmp_path / "copy.mp4", 2.0, 6.0, height=120)
    await liuhen.as_person("li", "custodian")  # who attaches is who signed in
    code, out, _ = await liuhen(
        "recordings", "match", str(original.evidence_id), str(tmp_path / "copy.mp4")
    )
    assert code == 0 and "MATCH" in out
    (tmp_path / "t.txt").write_text("笔录", encoding="utf-8")
    attach = ("recordings", "attach-transcript", str(original.evidence_id), str(tmp_path / "t.txt"))
    assert (await liuhen(*attach, "--by", "nobody"))[0] == 2  # no --by any more
    code, out, _ = await liuhen(*attach)
    assert code == 0 and "transcript stored" in out
    stored = await server.ctx.index.uploads.manifest(original.evidence_id, Role.TRANSCRIPT)
    assert stored is not None and b'"li"' in stored.body  # named as its capturer
    assert (await liuhen("sessions", "show", "nothing-here"))[0] == 2
