"""Nothing is half-stored (issue 8, item 3): a registration, a finalize or a transcript
attach whose later step fails leaves nothing of itself behind, and a retry succeeds.

The failure is real: a trigger in the server's own SQLite index refuses inserts into one
table, the way a full disk or a broken constraint would, while the server runs."""

import sqlite3
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta

import pytest

from evidence.digest import Sha256
from evidence.identifiers import Role
from evidence.manifest import DerivedFrom, SignedManifest
from evidence.manifest_media import Perceptual, Session
from evidence.perceptual import SecondPrint
from evidence.wire import FINALIZE, RECORDING_TRANSCRIPT, RECORDING_VERIFY
from tests.builders import manifest_for, signed_for
from tests.compliance.helpers import recording
from tests.ingest.helpers import created, prepared, upload_all


@contextmanager
def failing_inserts(server, table):
    """Until the block ends, every insert into ``table`` of the running server's index fails."""
    database = sqlite3.connect(server.ctx.config.index_path, isolation_level=None)
    trigger = f"fail_{table}_on_purpose"
    database.execute(
        f"CREATE TRIGGER {trigger} BEFORE INSERT ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'refused on purpose by the test'); END"
    )
    try:
        yield
    finally:
        database.execute(f"DROP TRIGGER {trigger}")
        database.close()


async def _everything_of(server, manifest):
    """What the index holds about one manifest: the manifest, its open flags, its
    device's gap flags, its session segments, its fingerprints."""
    index = server.ctx.index
    gaps = [
        flag
        for flag in await index.flags.open_flags("sequence_gap")
        if flag.device_id == manifest.device_id
    ]
    return {
        "manifest": await index.uploads.manifest(manifest.evidence_id, manifest.role),
        "flags": await index.flags.open_for(manifest.evidence_id),
        "gaps": gaps,
        "segments": await index.media.session("hearing-room-2"),
        "prints": await index.media.prints(manifest.evidence_id, manifest.role),
    }


async def _a_segment(server, index=1):
    """Sequence 3 of a new device (1 and 2 missing), a room session's segment, no place:
    a gap flag for each missing number, a metadata flag, a segment."""
    device = await server.add_device()
    token = await server.token_for(device)
    manifest = manifest_for(
        b"segment bytes",
        device.device_id,
        device.key,
        sequence=3,
        previous=Sha256.of(b"manifest 2"),
        session=Session("hearing-room-2", index),
    )
    manifest = replace(manifest, capture=replace(manifest.capture, place=None))
    return token, SignedManifest.create(manifest, device.key)


def _complete_segment(held):
    return (
        len(held["segments"]) == 1
        and [flag.kind for flag in held["flags"]] == ["metadata_incomplete"]
        and sorted(flag.subject.rsplit("#", 1)[1] for flag in held["gaps"]) == ["1", "2"]
    )


def _complete_copy(held):
    return len(held["prints"]) == 2


async def _a_review_copy(server):
    ready = await prepared(server)
    original = ready.signed.manifest
    prints = (SecondPrint(0, bytes(32), 90), SecondPrint(1, bytes(range(32)), 80))
    signed = signed_for(
        b"review copy bytes",
        ready.device.device_id,
        ready.device.key,
        evidence_id=original.evidence_id,
        role=Role.PROXY,
        sequence=2,
        previous=ready.signed.sha256,
        derived_from=DerivedFrom(original.evidence_id, Role.ORIGINAL, original.sha256),
        perceptual=Perceptual(prints, prints),
    )
    return ready.token, signed


@pytest.mark.parametrize(
    ("table", "make", "complete"),
    [
        ("segments", _a_segment, _complete_segment),
        ("flags", _a_segment, _complete_segment),
        ("perceptual", _a_review_copy, _complete_copy),
    ],
)
async def test_a_registration_whose_later_step_fails_leaves_nothing_and_can_be_retried(
    server, table, make, complete
):
    token, signed = await make(server)
    with failing_inserts(server, table):
        reply = await server.register(signed, token)
    assert (reply.status, reply.code) == (500, "storage_failure")
    held = await _everything_of(server, signed.manifest)
    assert held == {"manifest": None, "flags": [], "gaps": [], "segments": [], "prints": []}

    again = await server.register(signed, token)
    assert again.status == 201, again.body
    held = await _everything_of(server, signed.manifest)
    assert held["manifest"] is not None
    assert complete(held), held


async def test_a_registration_with_a_huge_session_index_stores_nothing(server):
    token, signed = await _a_segment(server, index=2**64)
    reply = await server.register(signed, token)
    assert (reply.status, reply.code) == (400, "bad_manifest")
    assert reply.json()["error"]["details"]["field"] == "session.index"
    held = await _everything_of(server, signed.manifest)
    assert held == {"manifest": None, "flags": [], "gaps": [], "segments": [], "prints": []}


async def test_a_finalize_that_cannot_index_raises_no_late_flag_and_a_retry_stores(server):
    ready = await prepared(server)
    manifest = ready.signed.manifest
    server.clock.set(manifest.capture.ended_at + timedelta(hours=30))  # a late upload
    url = await created(server, ready)
    finalize = FINALIZE.format(evidence_id=manifest.evidence_id, role=manifest.role.value)
    with failing_inserts(server, "objects"):
        await upload_all(server, ready, url)  # the last PATCH is kept; storing it fails
        reply = await server.send("POST", finalize, token=ready.token)
        assert (reply.status, reply.code) == (500, "storage_failure")
    assert await server.ctx.index.objects.get(manifest.evidence_id, manifest.role) is None
    assert await server.ctx.index.flags.open_flags("late_upload") == []

    reply = await server.send("POST", finalize, token=ready.token)
    assert reply.status == 200, reply.body
    [late] = await server.ctx.index.flags.open_flags("late_upload")
    assert late.evidence_id == manifest.evidence_id


async def test_a_transcript_attach_that_fails_after_signing_is_finished_by_a_retry(server):
    ready = await recording(server, 0, 10)
    token = await server.add_user("wang", "custodian")
    path = RECORDING_TRANSCRIPT.format(evidence_id=ready.signed.manifest.evidence_id)
    text = "执法人员出示证件，告知当事人权利义务。".encode()
    plain = {"Content-Type": "text/plain; charset=utf-8"}
    with failing_inserts(server, "objects"):
        reply = await server.send("POST", path, token=token, body=text, headers=plain)
    assert (reply.status, reply.code) == (500, "storage_failure")

    other = await server.send("POST", path, token=token, body="另一份笔录".encode(), headers=plain)
    assert (other.status, other.code) == (409, "manifest_conflict")
    again = await server.send("POST", path, token=token, body=text, headers=plain)
    assert again.status == 201, again.body
    stored = await server.ctx.index.objects.get(ready.signed.manifest.evidence_id, Role.TRANSCRIPT)
    assert stored is not None and stored.sha256 == Sha256.of(text)
    last = await server.send("POST", path, token=token, body=text, headers=plain)
    assert (last.status, last.code) == (409, "manifest_conflict")


async def test_a_failed_verification_is_kept_with_its_flag_or_not_at_all(server):
    ready = await recording(server, 0, 10)
    evidence_id = ready.signed.manifest.evidence_id
    [blob] = server.stored_blobs()
    blob.chmod(0o644)
    with open(blob, "r+b") as handle:  # someone with root edits one byte
        handle.write(b"\x00" if ready.data[0] else b"\x01")
    token = await server.add_user()
    path = RECORDING_VERIFY.format(evidence_id=evidence_id)
    with failing_inserts(server, "flags"):
        reply = await server.send("POST", path, token=token)
    assert (reply.status, reply.code) == (500, "storage_failure")
    index = server.ctx.index
    assert await index.objects.latest_verification(evidence_id, Role.ORIGINAL) is None
    assert "verification_failed" not in [f.kind for f in await index.flags.open_for(evidence_id)]

    again = await server.send("POST", path, token=token)
    assert (again.status, again.json()["ok"]) == (200, False)
    assert (await index.objects.latest_verification(evidence_id, Role.ORIGINAL)).ok is False
    flags = await index.flags.open_for(evidence_id)
    assert [flag.kind for flag in flags].count("verification_failed") == 1


async def test_an_upload_the_index_cannot_take_leaves_no_partial_file_behind(server):
    ready = await prepared(server)
    with failing_inserts(server, "uploads"):
        reply = await server.create(ready.signed, ready.token)
    assert (reply.status, reply.code) == (500, "storage_failure")
    assert list((server.root / "server" / "uploads").glob("*.part")) == []

    again = await server.create(ready.signed, ready.token)
    assert again.status == 201, again.body
    assert len(list((server.root / "server" / "uploads").glob("*.part"))) == 1
